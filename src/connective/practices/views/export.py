"""The practices of the current search as CSV or JSON: the browse page's GET parameters, one row each."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from connective.accounts.rules import is_editor
from connective.practices.exports import (
    EXPORT_LIMIT,
    csv_lines,
    json_chunks,
    practice_record,
    with_export_data,
)
from connective.practices.filters import PracticeFilterForm
from connective.practices.models import Practice
from connective.practices.selectors import practice_search, practices_public

CHUNK = 500
CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "json": "application/json; charset=utf-8"}


def _records(
    request: HttpRequest, ids: list[int], *, include_contact_email: bool
) -> Iterator[dict[str, Any]]:
    # Chunks keep memory flat and the number of queries a small multiple of the row count / CHUNK.
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        found: dict[int, Practice] = {
            practice.pk: practice for practice in with_export_data(practices_public().filter(pk__in=chunk))
        }
        for pk in chunk:
            practice = found.get(pk)
            # A practice unpublished while the file streams is left out, not leaked.
            if practice is not None:
                yield practice_record(
                    practice,
                    include_contact_email=include_contact_email,
                    url=request.build_absolute_uri(practice.get_absolute_url()),
                )


@require_GET
def practice_export(request: HttpRequest, fmt: str) -> HttpResponse | StreamingHttpResponse:
    if fmt not in CONTENT_TYPES:
        raise Http404("Export as csv or json.")
    form = PracticeFilterForm(request.GET)
    if not form.is_valid():
        # Exporting everything when one filter is wrong would hand over a file that looks right and is not.
        lines = [
            f"{form.fields[name].label if name in form.fields else name}: {message}"
            for name, messages in form.errors.items()
            for message in messages
        ]
        return HttpResponse("\n".join(lines) + "\n", status=400, content_type="text/plain; charset=utf-8")
    # The page parameter chooses a page of the list; an export takes the whole result, up to the cap.
    result = practice_search(query=form.cleaned_data, page=1, page_size=EXPORT_LIMIT)
    ids = [practice.pk for practice in result.items]
    records = _records(request, ids, include_contact_email=is_editor(request.user))
    stamp = timezone.localtime().strftime("%Y-%m-%d")
    if fmt == "csv":
        body: Iterator[str] = csv_lines(records)
    else:
        meta = {
            "exported_at": timezone.now().isoformat(),
            "count": len(ids),
            "total": result.total,
            "truncated": result.total > len(ids),
        }
        body = json_chunks(records, meta=meta)
    response = StreamingHttpResponse(body, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="practices-{stamp}.{fmt}"'
    response["X-Total-Count"] = str(result.total)
    response["X-Exported-Count"] = str(len(ids))
    return response
