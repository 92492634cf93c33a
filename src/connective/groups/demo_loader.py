"""Loads the working groups of the demo (src/connective/groups/demo/*.json) on top of the network's demo.

One file per group, written by hand: the group (name, kind, access, topics, region, working languages, a cover
palette), its moderators and members (keys of the demo people of practices/demo/people.json and
network/demo/people.json, "demo-member" and the other demo logins included), requests to join and
invitations, library items (links to example domains, or a small text document written into the file), and
threads (pinned or locked, perhaps about a demo practice) whose posts carry their author, how many hours ago
they were written, quotes, reactions, an earlier version (an edit), a moderator's decision (hidden, held for
approval) and reports. A post mentions someone as members do, with "@" and the profile's slug.

Like the other demo loaders it writes rows with the ORM directly, in one transaction, without sending
anything or writing an audit trail: nobody did these things. It keeps every denormalised counter exactly as the
services keep it (member_count, thread_count, last_activity_at, post_count, next_position, last_post_at,
reaction_counts; body_html rendered by the discussions service's own render_post) and gives the demo member (member@demo.connective-cities.example) the
notifications the services would have written: replies and mentions, new threads, her invitation, the request
to join and the report in the group she moderates, the answer to her own request to join.

Loading is idempotent by group slug: a group that exists is left as it is, with everything people did in it
since.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from django.core.files.base import ContentFile
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import override

from connective.accounts.models import User
from connective.core.models import Region, Topic
from connective.groups.discussions import render_post
from connective.groups.models import (
    Access,
    Group,
    GroupKind,
    Invitation,
    JoinRequest,
    LibraryItem,
    LibraryItemKind,
    MemberRole,
    Membership,
    ModerationAction,
    ModerationLogEntry,
    Post,
    PostReaction,
    PostReport,
    PostReportReason,
    PostRevision,
    PostStatus,
    Reaction,
    RequestStatus,
    Thread,
    ThreadSubscription,
)
from connective.network.demo_loader import is_example_url, read_network_demo_json
from connective.practices.demo_loader import (
    MEMBER_EMAIL,
    USER_LANGUAGES,
    DemoDataError,
    draw_illustration,
    read_demo_json,
)
from connective.practices.models import Practice

M = TypeVar("M", bound=models.Model)

GROUPS_DEMO_DIR = Path(__file__).resolve().parent / "demo"
DEMO_MEMBER_KEY = "demo-member"
# Notifications older than this are shown as read: the demo member has been using the platform.
READ_AFTER = timedelta(hours=72)
# New threads in her groups of this recent past reached the demo member's notification centre.
NEW_THREAD_WINDOW = timedelta(days=60)

_POST_STATUSES = {PostStatus.PUBLISHED, PostStatus.HELD, PostStatus.HIDDEN}
_REQUEST_STATUSES = {RequestStatus.PENDING, RequestStatus.ACCEPTED, RequestStatus.DECLINED}


@dataclass
class GroupsDemoSummary:
    groups: int = 0
    memberships: int = 0
    threads: int = 0
    posts: int = 0
    reactions: int = 0
    library_items: int = 0
    notifications: int = 0
    warnings: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.groups > 0

    def describe(self) -> str:
        if not self.changed:
            return "Groups demo data already loaded."
        return (
            f"Groups demo: {self.groups} working groups, {self.memberships} memberships, {self.threads} threads "
            f"with {self.posts} posts and {self.reactions} reactions, {self.library_items} library items, "
            f"{self.notifications} notifications for the demo member."
        )


# --- Reading and checking ----------------------------------------------------------------------------------


def read_groups_demo(directory: Path = GROUPS_DEMO_DIR) -> list[dict[str, Any]]:
    """The group records, one JSON object per file, in the order of their file names."""
    records: list[dict[str, Any]] = []
    for path in sorted(directory.glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise DemoDataError([f"{path}: cannot be read ({exc})"]) from None
        if not isinstance(data, dict):
            raise DemoDataError([f"{path}: must hold one group as a JSON object"])
        records.append({**data, "_file": path.name})
    if not records:
        raise DemoDataError([f"{directory}: holds no group files"])
    return records


def demo_people_emails() -> dict[str, str]:
    """Every demo person's key → e-mail address: the practices' people, the network's people and the logins."""
    _organisations, practice_people, _practices = read_demo_json()
    people = {
        str(record["key"]): str(record["email"]).lower()
        for record in practice_people
        if record.get("key") and record.get("email")
    }
    for record in read_network_demo_json().people:
        if record.get("key") and record.get("email"):
            people[str(record["key"])] = str(record["email"]).lower()
    return people


@dataclass
class CheckedGroups:
    records: list[dict[str, Any]]
    # Person key → e-mail address, for every key the records use.
    people: dict[str, str]


def _is_palette(value: object) -> bool:
    if not isinstance(value, list) or len(value) != 2:
        return False
    for colour in value:
        if not isinstance(colour, str) or len(colour) != 7 or not colour.startswith("#"):
            return False
        try:
            int(colour[1:], 16)
        except ValueError:
            return False
    return True


def _positive(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value > 0


def check_groups_demo(records: list[dict[str, Any]]) -> CheckedGroups:
    """Every problem in the group files, each naming its file, thread, post and field; DemoDataError if any."""
    problems: list[str] = []
    people = demo_people_emails()
    topics = set(Topic.objects.values_list("slug", flat=True))
    regions = set(Region.objects.values_list("slug", flat=True))
    _organisations, _people, practices = read_demo_json()
    practice_slugs = {str(record.get("slug")) for record in practices}
    slugs: set[str] = set()

    def known(where: str, key: object) -> bool:
        if key not in people:
            problems.append(f"{where}: {key!r} is not a demo person")
            return False
        return True

    for record in records:
        where = f"{record['_file']}"
        slug = str(record.get("slug") or "")
        if not slug or slugify(slug) != slug:
            problems.append(f"{where}: slug {slug!r} must be lower-case letters, digits and hyphens")
        elif slug in slugs:
            problems.append(f"{where}: slug {slug!r} is used by another file")
        slugs.add(slug)
        if not str(record.get("name") or "").strip():
            problems.append(f"{where}: name is empty")
        if record.get("kind") not in GroupKind.values:
            problems.append(f"{where}: kind {record.get('kind')!r} is not one of {GroupKind.values}")
        if record.get("access") not in Access.values:
            problems.append(f"{where}: access {record.get('access')!r} is not one of {Access.values}")
        languages = record.get("languages") or []
        if not languages or any(code not in USER_LANGUAGES for code in languages):
            problems.append(f"{where}: languages {languages!r} must be some of {sorted(USER_LANGUAGES)}")
        if record.get("description_language") not in USER_LANGUAGES:
            problems.append(f"{where}: description_language is not one of {sorted(USER_LANGUAGES)}")
        for topic in record.get("topics") or []:
            if topic not in topics:
                problems.append(f"{where}: topics has unknown topic {topic!r}")
        if record.get("region") is not None and record.get("region") not in regions:
            problems.append(f"{where}: region {record.get('region')!r} is not a region of the vocabulary")
        known(f"{where} created_by", record.get("created_by"))
        if not isinstance(record.get("created_days_ago"), int) or record["created_days_ago"] < 1:
            problems.append(f"{where}: created_days_ago must be a whole number of days, at least 1")
            continue
        if not _is_palette(record.get("cover")):
            problems.append(f"{where}: cover must be two colours like '#1f6f8b'")
        created_hours = record["created_days_ago"] * 24
        moderators = list(record.get("moderators") or [])
        members = list(record.get("members") or [])
        if not moderators:
            problems.append(f"{where}: moderators is empty")
        for key in moderators + members:
            known(f"{where} moderators/members", key)
        if len(set(moderators + members)) != len(moderators) + len(members):
            problems.append(f"{where}: someone is listed twice among moderators and members")
        insiders = set(moderators) | set(members)
        _check_requests(where, record, insiders, set(moderators), known, problems)
        for invitation in record.get("invitations") or []:
            person = invitation.get("person")
            if known(f"{where} invitation", person) and person in insiders:
                problems.append(f"{where}: invitation to {person!r}, who is already a member")
            if invitation.get("by") not in moderators:
                problems.append(f"{where}: invitation by {invitation.get('by')!r}, who is not a moderator")
            if not _positive(invitation.get("hours_ago")) or invitation["hours_ago"] >= created_hours:
                problems.append(f"{where}: invitation hours_ago must be positive and after the group's start")
        for item in record.get("library") or []:
            item_where = f"{where} library {item.get('title')!r}"
            if not str(item.get("title") or "").strip():
                problems.append(f"{item_where}: title is empty")
            if item.get("language") not in USER_LANGUAGES:
                problems.append(f"{item_where}: language is not one of {sorted(USER_LANGUAGES)}")
            if item.get("by") not in insiders:
                problems.append(f"{item_where}: by {item.get('by')!r}, who is not a member")
            has_url, has_text = bool(item.get("url")), bool(item.get("text") and item.get("file_name"))
            if has_url == has_text:
                problems.append(f"{item_where}: give either url or file_name and text")
            elif has_url and not is_example_url(str(item["url"])):
                problems.append(f"{item_where}: url {item['url']!r} is not an https example address")
            if not _positive(item.get("hours_ago")) or item["hours_ago"] >= created_hours:
                problems.append(f"{item_where}: hours_ago must be positive and after the group's start")
        threads = record.get("threads") or []
        if not threads:
            problems.append(f"{where}: threads is empty")
        for number, thread in enumerate(threads, start=1):
            _check_thread(
                f"{where} thread {number}",
                thread,
                insiders=insiders,
                practice_slugs=practice_slugs,
                created_hours=created_hours,
                problems=problems,
            )
        _check_held_posts(where, record, problems)
    if problems:
        raise DemoDataError(problems)
    return CheckedGroups(records, people)


def _check_requests(
    where: str,
    record: dict[str, Any],
    insiders: set[str],
    moderators: set[str],
    known: Callable[[str, object], bool],
    problems: list[str],
) -> None:
    for request in record.get("requests") or []:
        person, status = request.get("person"), request.get("status")
        request_where = f"{where} request of {person!r}"
        known(request_where, person)
        if status not in _REQUEST_STATUSES:
            problems.append(f"{request_where}: status {status!r} is not pending, accepted or declined")
        if (status == RequestStatus.ACCEPTED) != (person in insiders):
            problems.append(f"{request_where}: only an accepted request makes its person a member")
        if not _positive(request.get("hours_ago")):
            problems.append(f"{request_where}: hours_ago must be positive")
        if status in (RequestStatus.ACCEPTED, RequestStatus.DECLINED):
            if request.get("decided_by") not in moderators:
                problems.append(f"{request_where}: decided_by must be a moderator")
            decided = request.get("decided_hours_ago")
            if not _positive(decided) or not decided < request.get("hours_ago", 0):
                problems.append(f"{request_where}: decided_hours_ago must be positive and after the request")


def _check_thread(
    where: str,
    thread: dict[str, Any],
    *,
    insiders: set[str],
    practice_slugs: set[str],
    created_hours: int,
    problems: list[str],
) -> None:
    title = str(thread.get("title") or "")
    if not title.strip() or len(title) > 200:
        problems.append(f"{where}: title must have 1 to 200 characters")
    if thread.get("practice") and thread["practice"] not in practice_slugs:
        problems.append(f"{where}: practice {thread['practice']!r} is not in practices/demo/practices.json")
    posts = thread.get("posts") or []
    if not posts:
        problems.append(f"{where}: has no posts")
        return
    if posts[0].get("status", PostStatus.PUBLISHED) != PostStatus.PUBLISHED:
        problems.append(f"{where}: the opening post must be published")
    previous = float(created_hours)
    for index, post in enumerate(posts, start=1):
        post_where = f"{where} post {index}"
        author = post.get("by")
        if author not in insiders:
            problems.append(f"{post_where}: by {author!r}, who is not a member of the group")
        if not str(post.get("body") or "").strip():
            problems.append(f"{post_where}: body is empty")
        hours = post.get("hours_ago")
        if not _positive(hours) or not hours < previous:
            problems.append(
                f"{post_where}: hours_ago must be positive, after the group's start and the post before"
            )
            continue
        previous = float(hours)
        status = post.get("status", PostStatus.PUBLISHED)
        if status not in _POST_STATUSES:
            problems.append(f"{post_where}: status {status!r} is not published, held or hidden")
        if status == PostStatus.HIDDEN and not str(post.get("moderation_reason") or "").strip():
            problems.append(f"{post_where}: a hidden post needs the moderator's moderation_reason")
        quote = post.get("quote")
        if quote is not None:
            if not isinstance(quote, int) or not 1 <= quote < index:
                problems.append(f"{post_where}: quote must be the number of an earlier post")
            elif posts[quote - 1].get("status", PostStatus.PUBLISHED) != PostStatus.PUBLISHED:
                problems.append(f"{post_where}: quotes a post that is not published")
        for reaction, people in (post.get("reactions") or {}).items():
            if reaction not in Reaction.values:
                problems.append(f"{post_where}: reaction {reaction!r} is not one of {Reaction.values}")
            if len(set(people)) != len(people) or any(p not in insiders or p == author for p in people):
                problems.append(f"{post_where}: {reaction} must list other members of the group, once each")
        if (
            post.get("reactions") or post.get("reports") or post.get("quote")
        ) and status != PostStatus.PUBLISHED:
            problems.append(f"{post_where}: only published posts have reactions, reports and quotes")
        edited = post.get("edited")
        if edited is not None:
            if not _positive(edited.get("hours_ago")) or not edited["hours_ago"] < hours:
                problems.append(f"{post_where}: edited hours_ago must be positive and after the post")
            if not str(edited.get("before") or "").strip() or edited.get("before") == post.get("body"):
                problems.append(f"{post_where}: edited before must hold the earlier, different text")
        for report in post.get("reports") or []:
            if report.get("by") not in insiders or report.get("by") == author:
                problems.append(f"{post_where}: a report is by someone else in the group")
            if report.get("reason") not in PostReportReason.values:
                problems.append(f"{post_where}: report reason is not one of {PostReportReason.values}")
            if not _positive(report.get("hours_ago")) or not report["hours_ago"] < hours:
                problems.append(f"{post_where}: report hours_ago must be positive and after the post")


def _check_held_posts(where: str, record: dict[str, Any], problems: list[str]) -> None:
    """A held post is the first post of a new member of a group that holds first posts."""
    published_authors = {
        post.get("by")
        for thread in record.get("threads") or []
        for post in thread.get("posts") or []
        if post.get("status", PostStatus.PUBLISHED) != PostStatus.HELD
    }
    for thread in record.get("threads") or []:
        for post in thread.get("posts") or []:
            if post.get("status") != PostStatus.HELD:
                continue
            if not record.get("hold_first_posts"):
                problems.append(f"{where}: a held post in a group that does not hold first posts")
            if post.get("by") in published_authors or post.get("by") in record.get("moderators", []):
                problems.append(f"{where}: held post by {post.get('by')!r}, who has posted before")


# --- Loading ------------------------------------------------------------------------------------------------


def load_groups_demo(
    *, directory: Path = GROUPS_DEMO_DIR, report: Callable[[str], None] | None = None
) -> GroupsDemoSummary:
    """Load the groups demo over the network's demo (which must be loaded); a second call changes nothing."""
    say = report or (lambda message: None)
    checked = check_groups_demo(read_groups_demo(directory))
    summary = GroupsDemoSummary()
    with transaction.atomic():
        _GroupsLoader(checked, summary).run()
    say(summary.describe())
    return summary


@dataclass(frozen=True)
class _Notice:
    """A notification the services would have written for the demo member."""

    kind: str
    when: datetime
    group: Group
    target: models.Model
    path: str
    actor: User | None = None
    data: dict[str, Any] = field(default_factory=dict)


def _fraction(*parts: str) -> float:
    """A stable number in [0, 1) for the same inputs, so a demo loads the same on every machine."""
    digest = hashlib.sha256(":".join(parts).encode()).hexdigest()
    return int(digest[:8], 16) / 0x1_0000_0000


def _backdate(model: type[models.Model], rows: Iterable[tuple[models.Model, datetime]], name: str) -> None:
    """Set a creation time that auto_now_add overwrote on insert (bulk_update leaves values as given)."""
    objects = []
    for obj, when in rows:
        setattr(obj, name, when)
        objects.append(obj)
    if objects:
        model._default_manager.bulk_update(objects, [name])


def _insert(model: type[M], rows: list[tuple[M, datetime]], name: str) -> list[M]:
    """Insert the rows, then give each the time in its pair for its auto_now_add field `name`."""
    saved = model._default_manager.bulk_create([row for row, _when in rows])
    _backdate(model, zip(saved, (when for _row, when in rows), strict=True), name)
    return saved


class _GroupsLoader:
    def __init__(self, checked: CheckedGroups, summary: GroupsDemoSummary) -> None:
        self.data = checked
        self.summary = summary
        self.now = timezone.now().replace(minute=0, second=0, microsecond=0)
        self.users: dict[str, User] = {}
        self.notices: list[_Notice] = []
        self.member: User | None = None

    def ago(self, hours: float) -> datetime:
        return self.now - timedelta(hours=hours)

    def run(self) -> None:
        existing = set(
            Group.objects.filter(slug__in=[r["slug"] for r in self.data.records]).values_list(
                "slug", flat=True
            )
        )
        records = [record for record in self.data.records if record["slug"] not in existing]
        if not records:
            return
        emails = self.data.people
        found = User.objects.in_bulk(list(set(emails.values())), field_name="email")
        missing = sorted({key for record in records for key in _keys_of(record) if emails[key] not in found})
        if missing:
            raise DemoDataError(
                [
                    f"person {key!r} is missing: load the practices' and the network's demo first"
                    for key in missing
                ]
            )
        self.users = {key: found[email] for key, email in emails.items() if email in found}
        self.member = found.get(MEMBER_EMAIL)
        topics = {topic.slug: topic for topic in Topic.objects.all()}
        regions = {region.slug: region for region in Region.objects.all()}
        practice_slugs = {
            thread["practice"] for r in records for thread in r["threads"] if thread.get("practice")
        }
        practices = Practice.objects.in_bulk(list(practice_slugs), field_name="slug")
        for record in records:
            self.load_group(record, topics=topics, regions=regions, practices=practices)
        self.write_notifications()

    # --- One group ---------------------------------------------------------------------------------------

    def load_group(
        self,
        record: dict[str, Any],
        *,
        topics: dict[str, Topic],
        regions: dict[str, Region],
        practices: dict[str, Practice],
    ) -> None:
        created = self.now - timedelta(days=record["created_days_ago"])
        group = Group(
            name=record["name"],
            slug=record["slug"],
            kind=record["kind"],
            access=record["access"],
            summary=record.get("summary", ""),
            description=record.get("description", ""),
            description_language=record["description_language"],
            languages=list(record["languages"]),
            region=regions.get(record.get("region") or ""),
            hold_first_posts=bool(record.get("hold_first_posts")),
            created_by=self.users[record["created_by"]],
        )
        group.cover.save(
            f"{record['slug']}.jpg",
            ContentFile(draw_illustration(record["slug"], record["cover"])),
            save=False,
        )
        group.save()
        group.topics.set([topics[slug] for slug in record.get("topics") or []])
        _backdate(Group, [(group, created)], "created_at")

        moderator_keys = list(record["moderators"])
        memberships = self.load_memberships(group, record, created)
        threads, published = self.load_threads(group, record, practices, moderator_keys)
        self.load_requests(group, record, memberships)
        self.load_invitations(group, record)
        self.load_library(group, record)

        group.member_count = len(memberships)
        group.thread_count = len(threads)
        group.last_activity_at = max(published) if published else None
        Group.objects.filter(pk=group.pk).update(
            member_count=group.member_count,
            thread_count=group.thread_count,
            last_activity_at=group.last_activity_at,
        )
        self.summary.groups += 1
        self.summary.memberships += len(memberships)
        self.summary.threads += len(threads)

    def load_memberships(
        self, group: Group, record: dict[str, Any], created: datetime
    ) -> dict[str, Membership]:
        """Members joined after the group started and before they first did anything in it."""
        first_seen: dict[str, datetime] = {}

        def seen(key: str, when: datetime) -> None:
            first_seen[key] = min(when, first_seen.get(key, when))

        for thread in record["threads"]:
            for post in thread["posts"]:
                when = self.ago(post["hours_ago"])
                seen(post["by"], when)
                for people in (post.get("reactions") or {}).values():
                    for key in people:
                        seen(key, when + timedelta(hours=1))
                for report in post.get("reports") or []:
                    seen(report["by"], self.ago(report["hours_ago"]))
        for item in record.get("library") or []:
            seen(item["by"], self.ago(item["hours_ago"]))
        accepted = {
            request["person"]: self.ago(request["decided_hours_ago"])
            for request in record.get("requests") or []
            if request["status"] == RequestStatus.ACCEPTED
        }
        held_authors = {
            post["by"]
            for thread in record["threads"]
            for post in thread["posts"]
            if post.get("status") == PostStatus.HELD
        }
        rows: list[tuple[Membership, datetime]] = []
        for key in [*record["moderators"], *record["members"]]:
            moderator = key in record["moderators"]
            if moderator:
                joined = created
            elif key in accepted:
                joined = accepted[key]
            else:
                earliest = created + timedelta(hours=2)
                latest = first_seen.get(key, self.now - timedelta(days=2)) - timedelta(hours=6)
                span = max(latest - earliest, timedelta(0))
                joined = earliest + span * (0.05 + 0.45 * _fraction(group.slug, key))
            membership = Membership(
                group=group,
                user=self.users[key],
                role=MemberRole.MODERATOR if moderator else MemberRole.MEMBER,
                approved_poster=key not in held_authors,
            )
            rows.append((membership, joined))
        saved = _insert(Membership, rows, "joined_at")
        return dict(zip(_member_keys(record), saved, strict=True))

    def load_threads(
        self,
        group: Group,
        record: dict[str, Any],
        practices: dict[str, Practice],
        moderator_keys: list[str],
    ) -> tuple[list[Thread], list[datetime]]:
        """Threads with their posts; returns the threads and the times of every published post."""
        thread_rows: list[tuple[Thread, datetime]] = []
        for thread_record in record["threads"]:
            posts = thread_record["posts"]
            published = [
                self.ago(p["hours_ago"]) for p in posts if p.get("status", "published") == "published"
            ]
            thread = Thread(
                group=group,
                title=thread_record["title"],
                author=self.users[posts[0]["by"]],
                last_post_at=max(published),
                post_count=len(published),
                next_position=len(posts) + 1,
                pinned=bool(thread_record.get("pinned")),
                locked=bool(thread_record.get("locked")),
                practice=practices.get(thread_record.get("practice") or ""),
            )
            thread_rows.append((thread, self.ago(posts[0]["hours_ago"])))
        threads = _insert(Thread, thread_rows, "created_at")

        moderator = self.users[moderator_keys[0]]
        published_times: list[datetime] = []
        log: list[tuple[ModerationLogEntry, datetime]] = []
        for thread, thread_record in zip(threads, record["threads"], strict=True):
            published_times += self.load_posts(group, thread, thread_record, moderator, log)
            if thread.pinned:
                entry = ModerationLogEntry(
                    group=group, moderator=moderator, action=ModerationAction.PIN_THREAD, thread=thread
                )
                log.append((entry, thread.created_at + timedelta(hours=1)))
            if thread.locked:
                entry = ModerationLogEntry(
                    group=group,
                    moderator=moderator,
                    action=ModerationAction.LOCK_THREAD,
                    thread=thread,
                    reason=thread_record.get("lock_reason", ""),
                )
                log.append((entry, (thread.last_post_at or thread.created_at) + timedelta(hours=1)))
        _insert(ModerationLogEntry, log, "created_at")
        return threads, published_times

    def load_posts(
        self,
        group: Group,
        thread: Thread,
        thread_record: dict[str, Any],
        moderator: User,
        log: list[tuple[ModerationLogEntry, datetime]],
    ) -> list[datetime]:
        records = thread_record["posts"]
        posts: list[Post] = []
        # Who each post mentions (@profile-slug), found as the discussions service finds them.
        mentioned: list[set[int]] = []
        for position, record in enumerate(records, start=1):
            written = self.ago(record["hours_ago"])
            status = record.get("status", PostStatus.PUBLISHED)
            counts = {
                reaction: len(record.get("reactions", {})[reaction])
                for reaction in Reaction.values
                if record.get("reactions", {}).get(reaction)
            }
            body_html, people = render_post(record["body"], group)
            mentioned.append({user.pk for user in people})
            post = Post(
                thread=thread,
                author=self.users[record["by"]],
                position=position,
                body=record["body"],
                body_html=body_html,
                status=status,
                edited_at=self.ago(record["edited"]["hours_ago"]) if record.get("edited") else None,
                reaction_counts=counts,
            )
            if status == PostStatus.HIDDEN:
                post.moderated_at = written + timedelta(hours=2)
                post.moderated_by = moderator
                post.moderation_reason = record["moderation_reason"]
            posts.append(post)
        saved = Post.objects.bulk_create(posts)
        for post, record in zip(saved, records, strict=True):
            post.created_at = self.ago(record["hours_ago"])
            if record.get("quote"):
                post.quote_of = saved[record["quote"] - 1]
        Post.objects.bulk_update(saved, ["created_at", "quote_of"])
        self.summary.posts += len(saved)

        revisions: list[tuple[PostRevision, datetime]] = []
        reactions: list[tuple[PostReaction, datetime]] = []
        reports: list[tuple[PostReport, datetime]] = []
        for post, record in zip(saved, records, strict=True):
            if record.get("edited"):
                revision = PostRevision(
                    post=post,
                    body=record["edited"]["before"],
                    written_at=post.created_at,
                    edited_by=post.author,
                )
                revisions.append((revision, post.edited_at or post.created_at))
            for reaction, people in (record.get("reactions") or {}).items():
                for offset, key in enumerate(people, start=1):
                    reacted = PostReaction(post=post, user=self.users[key], reaction=reaction)
                    reactions.append((reacted, post.created_at + timedelta(minutes=20 * offset)))
            for report in record.get("reports") or []:
                reported = PostReport(
                    post=post,
                    reporter=self.users[report["by"]],
                    reason=report["reason"],
                    comment=report["comment"],
                )
                reports.append((reported, self.ago(report["hours_ago"])))
            if post.status == PostStatus.HIDDEN:
                entry = ModerationLogEntry(
                    group=group,
                    moderator=moderator,
                    action=ModerationAction.HIDE_POST,
                    reason=post.moderation_reason,
                    post=post,
                    thread=thread,
                    member=post.author,
                )
                log.append((entry, post.moderated_at or post.created_at))
        _insert(PostRevision, revisions, "replaced_at")
        _insert(PostReaction, reactions, "created_at")
        _insert(PostReport, reports, "created_at")
        self.summary.reactions += len(reactions)

        # Who hears of new replies: everyone who wrote in the thread, as the services subscribe them.
        writers = list(dict.fromkeys(post.author_id for post in saved if post.author_id is not None))
        ThreadSubscription.objects.bulk_create(
            ThreadSubscription(thread=thread, user_id=pk) for pk in writers
        )

        self.collect_post_notices(group, thread, saved, mentioned, reports)
        return [post.created_at for post in saved if post.status == PostStatus.PUBLISHED]

    def load_requests(self, group: Group, record: dict[str, Any], memberships: dict[str, Membership]) -> None:
        rows: list[tuple[JoinRequest, datetime]] = []
        log: list[tuple[ModerationLogEntry, datetime]] = []
        for request in record.get("requests") or []:
            person = self.users[request["person"]]
            join_request = JoinRequest(
                group=group, user=person, message=request.get("message", ""), status=request["status"]
            )
            if request["status"] != RequestStatus.PENDING:
                join_request.decided_by = self.users[request["decided_by"]]
                join_request.decided_at = self.ago(request["decided_hours_ago"])
                join_request.response = request.get("response", "")
                accepted = request["status"] == RequestStatus.ACCEPTED
                entry = ModerationLogEntry(
                    group=group,
                    moderator=join_request.decided_by,
                    action=ModerationAction.ACCEPT_REQUEST if accepted else ModerationAction.DECLINE_REQUEST,
                    reason=join_request.response,
                    member=person,
                )
                log.append((entry, join_request.decided_at))
            rows.append((join_request, self.ago(request["hours_ago"])))
        saved = _insert(JoinRequest, rows, "created_at")
        _insert(ModerationLogEntry, log, "created_at")

        member = self.member
        if member is None:
            return
        moderates = memberships.get(DEMO_MEMBER_KEY) is not None and (
            memberships[DEMO_MEMBER_KEY].role == MemberRole.MODERATOR
        )
        for join_request in saved:
            if join_request.status == RequestStatus.PENDING and moderates:
                self.notices.append(
                    _Notice(
                        kind="groups.join_request",
                        when=join_request.created_at,
                        group=group,
                        target=join_request,
                        path=_path("groups:requests", slug=group.slug),
                        actor=join_request.user,
                        data={"actor": join_request.user.display_name, "group": group.name},
                    )
                )
            elif join_request.user_id == member.pk and join_request.decided_by is not None:
                decider = join_request.decided_by
                self.notices.append(
                    _Notice(
                        kind="groups.join_decision",
                        when=join_request.decided_at or join_request.created_at,
                        group=group,
                        target=group,
                        path=_path("groups:detail", slug=group.slug),
                        actor=decider,
                        data={
                            "actor": decider.display_name,
                            "group": group.name,
                            "accepted": join_request.status == RequestStatus.ACCEPTED,
                            "response": join_request.response,
                        },
                    )
                )

    def load_invitations(self, group: Group, record: dict[str, Any]) -> None:
        rows: list[tuple[Invitation, datetime]] = [
            (
                Invitation(
                    group=group,
                    invitee=self.users[invitation["person"]],
                    invited_by=self.users[invitation["by"]],
                    message=invitation.get("message", ""),
                ),
                self.ago(invitation["hours_ago"]),
            )
            for invitation in record.get("invitations") or []
        ]
        saved = _insert(Invitation, rows, "created_at")
        for invitation in saved:
            if self.member is not None and invitation.invitee_id == self.member.pk and invitation.invited_by:
                self.notices.append(
                    _Notice(
                        kind="groups.invitation",
                        when=invitation.created_at,
                        group=group,
                        target=group,
                        path=_path("groups:invitations"),
                        actor=invitation.invited_by,
                        data={"actor": invitation.invited_by.display_name, "group": group.name},
                    )
                )

    def load_library(self, group: Group, record: dict[str, Any]) -> None:
        rows: list[tuple[LibraryItem, datetime]] = []
        for item in record.get("library") or []:
            library_item = LibraryItem(
                group=group,
                title=item["title"],
                description=item.get("description", ""),
                language=item["language"],
                added_by=self.users[item["by"]],
            )
            if item.get("url"):
                library_item.kind = LibraryItemKind.LINK
                library_item.url = item["url"]
            else:
                content = item["text"].encode("utf-8")
                library_item.kind = LibraryItemKind.DOCUMENT
                library_item.content_type = "text/plain"
                library_item.size = len(content)
                library_item.file.save(item["file_name"], ContentFile(content), save=False)
            library_item.save()
            rows.append((library_item, self.ago(item["hours_ago"])))
        _backdate(LibraryItem, rows, "added_at")
        self.summary.library_items += len(rows)

    # --- The demo member's notification centre ----------------------------------------------------------

    def collect_post_notices(
        self,
        group: Group,
        thread: Thread,
        posts: list[Post],
        mentioned: list[set[int]],
        reports: list[tuple[PostReport, datetime]],
    ) -> None:
        member = self.member
        if member is None:
            return
        membership = Membership.objects.filter(group=group, user=member).first()
        if membership is None:
            return
        data = {"group": group.name, "thread": thread.title}
        if membership.role == MemberRole.MODERATOR:
            for report, when in reports:
                self.notices.append(
                    _Notice(
                        kind="groups.report",
                        when=when,
                        group=group,
                        target=report.post,
                        path=_path("groups:moderation", slug=group.slug),
                        data={**data, "reason": report.reason},
                    )
                )
            for post in posts:
                if post.status == PostStatus.HELD and post.author is not None:
                    self.notices.append(
                        _Notice(
                            kind="groups.held_post",
                            when=post.created_at,
                            group=group,
                            target=post,
                            path=_path("groups:moderation", slug=group.slug),
                            actor=post.author,
                            data={**data, "actor": post.author.display_name},
                        )
                    )
        took_part: datetime | None = None
        for post, mentions in zip(posts, mentioned, strict=True):
            if post.author_id == member.pk:
                took_part = took_part or post.created_at
                continue
            if (
                post.status != PostStatus.PUBLISHED
                or post.author is None
                or post.created_at < membership.joined_at
            ):
                continue
            kind = ""
            if member.pk in mentions:
                kind = "groups.mention"
            elif took_part is not None:
                kind = "groups.reply"
            elif post.position == 1 and post.created_at > self.now - NEW_THREAD_WINDOW:
                kind = "groups.new_thread"
            if kind:
                self.notices.append(
                    _Notice(
                        kind=kind,
                        when=post.created_at,
                        group=group,
                        target=post,
                        path=_path("groups:post", slug=group.slug, pk=post.pk),
                        actor=post.author,
                        data={**data, "actor": post.author.display_name},
                    )
                )

    def write_notifications(self) -> None:
        from connective.groups.notices import group_scope
        from connective.notifications.kinds import kind_for
        from connective.notifications.models import Delivery, Notification
        from connective.notifications.services import delivery_for, target_key

        member = self.member
        if member is None or not self.notices:
            return
        rows: list[tuple[Notification, datetime]] = []
        for notice in sorted(self.notices, key=lambda n: n.when):
            kind = kind_for(notice.kind)
            if kind is None:
                raise DemoDataError([f"notification kind {notice.kind!r} is not registered"])
            scope = group_scope(notice.group)
            delivery = delivery_for(user_ids=[member.pk], scope=scope, default=kind.default_delivery)[
                member.pk
            ]
            old = self.now - notice.when > READ_AFTER
            notification = Notification(
                recipient=member,
                kind=notice.kind,
                actor=notice.actor,
                scope=scope,
                target=target_key(notice.target),
                path=notice.path,
                data=notice.data,
                delivery=delivery,
                read_at=notice.when + timedelta(hours=1) if old else None,
                # Counted as already e-mailed: the demo must not send a digest of the past to anyone.
                emailed_at=None if delivery == Delivery.NEVER else notice.when,
            )
            rows.append((notification, notice.when))
        saved = _insert(Notification, rows, "created_at")
        self.summary.notifications += len(saved)


def _path(name: str, **kwargs: Any) -> str:
    # Stored as the services store it: a path in the default language; the centre re-prefixes it.
    with override("en"):
        return reverse(name, kwargs=kwargs or None)


def _member_keys(record: dict[str, Any]) -> list[str]:
    return [*record["moderators"], *record["members"]]


def _keys_of(record: dict[str, Any]) -> set[str]:
    keys = {record["created_by"], *_member_keys(record)}
    keys |= {request["person"] for request in record.get("requests") or []}
    keys |= {invitation["person"] for invitation in record.get("invitations") or []}
    return keys
