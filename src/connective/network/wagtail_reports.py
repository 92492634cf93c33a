"""Back-office screens for reported messages (registered through network/wagtail_hooks.py).

Programme staff and administrators see the queue of reports and decide on each: dismiss it, or remove the
message. Staff read the reported message only, never the rest of the conversation. Editors and members do
not see the menu item and get 403 on the screens (members do not reach the back office at all).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from connective.accounts.rules import is_programme_staff
from connective.network.conversation_forms import ReportDecisionForm
from connective.network.conversations import REPORT_DECISIONS, reports_for_staff
from connective.network.models import MessageReport, ReportStatus

QUEUE_URL = "network_admin_reports"
REPORT_URL = "network_admin_report"
REPORTS_PER_PAGE = 50
# The queue's filter: open reports unless staff ask for the handled ones.
STATUS_FILTERS: list[tuple[str, Any]] = [
    (ReportStatus.OPEN, ReportStatus.OPEN.label),
    (ReportStatus.DISMISSED, ReportStatus.DISMISSED.label),
    (ReportStatus.REMOVED, ReportStatus.REMOVED.label),
    ("all", gettext_lazy("All")),
]


class _StaffOnly:
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not is_programme_staff(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]


class ReportQueueView(_StaffOnly, WagtailAdminTemplateMixin, TemplateView):
    template_name = "network/messages/admin/queue.html"
    header_icon = "warning"

    def get_page_title(self) -> str:
        return _("Reported messages")

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        return [*self.breadcrumbs_items, {"url": "", "label": _("Reported messages")}]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        status = self.request.GET.get("status") or ReportStatus.OPEN
        if status not in {value for value, _label in STATUS_FILTERS}:
            status = ReportStatus.OPEN
        reports = reports_for_staff(status=None if status == "all" else status)
        page = Paginator(reports, REPORTS_PER_PAGE).get_page(self.request.GET.get("page"))
        context.update(page=page, status=status, filters=STATUS_FILTERS)
        return context


class ReportDecisionView(WagtailAdminTemplateMixin, FormView):  # type: ignore[type-arg]
    template_name = "network/messages/admin/report.html"
    header_icon = "warning"
    form_class = ReportDecisionForm

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not is_programme_staff(request.user):
            raise PermissionDenied
        self.report = get_object_or_404(
            MessageReport.objects.select_related("message", "message__sender", "reporter", "handled_by"),
            pk=kwargs["pk"],
        )
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self) -> str:
        return _("Reported message")

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        return [
            *self.breadcrumbs_items,
            {"url": reverse(QUEUE_URL), "label": _("Reported messages")},
            {"url": "", "label": _("Reported message")},
        ]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        report = self.report
        context.update(
            report=report,
            message=report.message,
            # Every report of the same message, so staff decide once with all the reasons in view.
            reports=list(
                MessageReport.objects.filter(message_id=report.message_id)
                .select_related("reporter", "handled_by")
                .order_by("created_at", "id")[:50]
            ),
            is_open=report.status == ReportStatus.OPEN,
        )
        return context

    def form_valid(self, form: ReportDecisionForm) -> HttpResponse:
        decision = form.cleaned_data["decision"]
        staff: Any = self.request.user
        try:
            REPORT_DECISIONS[decision](staff=staff, report=self.report)
        except ValidationError as error:
            for text in error.messages:
                form.add_error(None, text)
            return self.form_invalid(form)
        if decision == "remove":
            text = _("The message was removed. Everyone who reported it has been told by e-mail.")
        else:
            text = _("The report was dismissed. The reporter has been told by e-mail.")
        messages.success(self.request, text)
        return redirect(QUEUE_URL)


report_queue = ReportQueueView.as_view()
report_decide = ReportDecisionView.as_view()


class ReportsMenuItem(MenuItem):
    def is_shown(self, request: HttpRequest) -> bool:
        return bool(is_programme_staff(request.user))


@hooks.register("register_admin_urls")
def _report_admin_urls() -> list[Any]:
    return [
        path("network/reports/", report_queue, name=QUEUE_URL),
        path("network/reports/<int:pk>/", report_decide, name=REPORT_URL),
    ]


@hooks.register("register_admin_menu_item")
def _report_menu_item() -> MenuItem:
    return ReportsMenuItem(
        gettext_lazy("Reported messages"),
        reverse_lazy(QUEUE_URL),
        name="reported-messages",
        icon_name="warning",
        order=350,
    )
