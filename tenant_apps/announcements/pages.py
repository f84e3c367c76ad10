"""The placement office's announcements: the list with each notice's read count (read of
posted), composing one to a batch, a department or a drive's applicants, and one notice with
its readers counted. Input is validated by the API's serializer and posted by its service."""

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods
from rest_framework.exceptions import ValidationError

from core.web.decorators import OFFICE, page
from core.web.forms import attach_errors
from tenant_apps.access import announcements_for, drives_for
from tenant_apps.announcements import services
from tenant_apps.announcements.filters import ANNOUNCEMENT_SEARCH_FIELDS, AnnouncementFilter
from tenant_apps.announcements.models import Audience
from tenant_apps.announcements.selectors import ANNOUNCEMENT_READ_MODEL
from tenant_apps.announcements.serializers import AnnouncementInput
from tenant_apps.drives.models import DriveStatus
from tenant_apps.kit.pages import QuickSelect, filtered, page_of, searched
from tenant_apps.students.models import Student


def _with_share(row: dict) -> dict:
    total = row["recipients_total"] or 0
    return {**row, "read_share": (row["read_total"] / total) if total else 0}


@page(roles=OFFICE)
@require_http_methods(["GET", "HEAD"])
def announcements(request):
    queryset = announcements_for(request.user).alive()
    queryset = filtered(queryset, AnnouncementFilter, request.GET)
    queryset = searched(queryset, ANNOUNCEMENT_SEARCH_FIELDS, request.GET.get("q", ""))
    page_obj = page_of(request, queryset.order_by("-id"), ANNOUNCEMENT_READ_MODEL)
    context = {
        "page_obj": page_obj,
        "rows": [_with_share(row) for row in page_obj],
        "params": request.GET,
        "audiences": Audience.choices,
    }
    return render(request, "announcements/pages/announcements.html", context)


class AnnouncementForm(forms.Form):
    title = forms.CharField(label="Title", max_length=200)
    body = forms.CharField(label="Notice", widget=forms.Textarea({"rows": 6}), max_length=10_000)
    audience = forms.ChoiceField(
        label="Post to", choices=Audience.choices, widget=forms.RadioSelect, initial="batch"
    )
    graduation_year = forms.TypedChoiceField(
        label="Batch", coerce=int, required=False, empty_value=None,
        help_text="For a batch: the students graduating that year.",
    )  # fmt: skip
    department = forms.ChoiceField(label="Department", required=False)
    drive = forms.TypedChoiceField(
        label="Drive", coerce=int, required=False, empty_value=None, widget=QuickSelect,
        help_text="For a drive: everyone who applied (not those who withdrew).",
    )  # fmt: skip

    def __init__(self, *args, drives: list[tuple], **kwargs):
        super().__init__(*args, **kwargs)
        years = Student.objects.order_by("-graduation_year").values_list(
            "graduation_year", flat=True
        )
        departments = Student.objects.order_by("department").values_list("department", flat=True)
        self.fields["graduation_year"].choices = [
            ("", "Choose a batch"),
            *[(y, y) for y in years.distinct()],
        ]
        self.fields["department"].choices = [
            ("", "Choose a department"),
            *[(d, d) for d in departments.distinct()],
        ]
        self.fields["drive"].choices = [("", "Choose a drive"), *drives]


@page(roles=OFFICE)
@require_http_methods(["GET", "HEAD", "POST"])
def announcement_new(request):
    drives = [
        (row["id"], f"{row['title']} · {row['company__name']}")
        for row in drives_for(request.user)
        .alive()
        .exclude(status=DriveStatus.DRAFT)
        .order_by("-id")
        .values("id", "title", "company__name")
    ]
    initial = {}
    if request.GET.get("drive", "").isdigit():
        initial = {"audience": "drive", "drive": int(request.GET["drive"])}
    form = AnnouncementForm(request.POST or None, initial=initial, drives=drives)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        audience = data["audience"]
        payload = {
            "title": data["title"],
            "body": data["body"],
            "audience": audience,
            "graduation_year": data["graduation_year"] if audience == "batch" else None,
            "department": data["department"] if audience == "department" else "",
            "drive": data["drive"] if audience == "drive" else None,
        }
        serializer = AnnouncementInput(data=payload)
        serializer.fields["drive"].queryset = drives_for(request.user).alive()
        try:
            serializer.is_valid(raise_exception=True)
            notice = services.announcement_post(**serializer.validated_data)
        except ValidationError as error:
            attach_errors(form, error)
        else:
            count = notice.recipients_total
            messages.success(
                request, f"Posted to {count} student{'s' if count != 1 else ''}; each is mailed."
            )
            return redirect("office:announcement", pk=notice.pk)
    return render(request, "announcements/pages/announcement_form.html", {"form": form})


@page(roles=OFFICE)
@require_http_methods(["GET", "HEAD"])
def announcement(request, pk: int):
    found = get_object_or_404(announcements_for(request.user).alive(), pk=pk)
    (row,) = ANNOUNCEMENT_READ_MODEL.rows([found.pk])
    context = {"notice": _with_share(row), "audience_label": Audience(row["audience"]).label}
    return render(request, "announcements/pages/announcement.html", context)
