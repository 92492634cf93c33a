"""Atom feeds of group activity: new threads and published posts of an open group.

Only open groups have a feed. A feed reader carries no session, so a feed can only ever show what anyone may
read: closed and secret groups answer 404 here even to their members, and their content never leaves the site
through a feed.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import URLPattern, path, reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from connective.groups import converters  # noqa: F401  (registers <group_slug:...>)
from connective.groups.group_selectors import feed_posts
from connective.groups.models import Access
from connective.groups.selectors import group_get_for


@require_safe
def group_feed(request: HttpRequest, slug: str) -> HttpResponse:
    # As seen by nobody in particular: what the feed shows must not depend on who fetched it.
    access = group_get_for(viewer=None, slug=slug)
    group = access.group
    if group.access != Access.OPEN:
        raise Http404("No such feed.")
    group_url = request.build_absolute_uri(reverse("groups:detail", kwargs={"slug": group.slug}))
    feed = Atom1Feed(
        title=group.name,
        link=group_url,
        description=group.summary,
        language=group.description_language,
        feed_url=request.build_absolute_uri(request.path),
        feed_guid=group_url,
    )
    for post in feed_posts(group):
        thread = post.thread
        if post.position == 1:
            title = _("New thread: %(title)s") % {"title": thread.title}
        else:
            title = _("Reply in “%(title)s”") % {"title": thread.title}
        link = request.build_absolute_uri(reverse("groups:post", kwargs={"slug": group.slug, "pk": post.pk}))
        feed.add_item(
            title=title,
            link=link,
            # Rendered and sanitised on write (core.text.render_markdown): the same HTML the thread page shows.
            description=post.body_html,
            author_name=post.author.display_name if post.author else _("Former member"),
            pubdate=post.created_at,
            updateddate=post.edited_at or post.created_at,
            unique_id=link,
        )
    response = HttpResponse(content_type="application/atom+xml; charset=utf-8")
    feed.write(response, "utf-8")
    return response


urlpatterns: list[URLPattern] = [
    path("<group_slug:slug>/feed.atom", group_feed, name="feed"),
]
