"""The placement office's drive pages (`/office/drives/...`): the list, the drive's form
(criteria, weighted skills, ordered rounds), its status actions, its applicants by stage with
the bulk move, its funnel and export, and its eligible and recommended students.

Reads go through the caller's scope (`drives_for`, `applications_for`) and the API's filters
and selectors; writes through the API's serializers and services, whose errors are shown on the
page, so that no rule (eligibility, transitions, plan limits, validation) lives here."""

import hashlib
from types import SimpleNamespace
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.forms import formset_factory
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from rest_framework.exceptions import ValidationError

from core.api.errors import PlacemateError
from core.web.decorators import OFFICE, page
from core.web.forms import attach_errors
from shared_apps.billing.limits import PlanLimitReached, ensure_feature
from tenant_apps.access import applications_for, drives_for
from tenant_apps.analytics.selectors import (
    RECOMMENDATION_PARTS,
    RECOMMENDATION_SCORE_DOC,
    ScoredRows,
    drive_funnel,
    drive_recommendations,
    recommendation_output,
)
from tenant_apps.applications import services as application_services
from tenant_apps.applications.exports import (
    APPLICANT_EXPORT_COLUMNS,
    APPLICANT_EXPORT_DEFAULT,
    ApplicantExportFilter,
    drive_applicants,
)
from tenant_apps.applications.filters import APPLICATION_SEARCH_FIELDS, ApplicationFilter
from tenant_apps.applications.models import (
    MOVER_TARGETS,
    Application,
    ApplicationStatus,
    OfferTier,
)
from tenant_apps.applications.serializers import BulkMoveInput
from tenant_apps.companies.models import Company
from tenant_apps.drives import services
from tenant_apps.drives.eligibility import drive_eligible_students
from tenant_apps.drives.filters import (
    DRIVE_ORDERING_FIELDS,
    DRIVE_SEARCH_FIELDS,
    DriveFilter,
    EligibleStudentFilter,
)
from tenant_apps.drives.models import (
    DRIVE_TRANSITIONS,
    Drive,
    DriveSkill,
    DriveStatus,
    JobType,
    RoundKind,
)
from tenant_apps.drives.serializers import DriveInput
from tenant_apps.kit.exports import export_request, export_response
from tenant_apps.kit.pages import QuickSelect, searched
from tenant_apps.kit.viewsets import PageRows
from tenant_apps.students.filters import STUDENT_ORDERING_FIELDS, STUDENT_SEARCH_FIELDS
from tenant_apps.students.models import PlacementStatus, Skill
from tenant_apps.students.selectors import STUDENT_READ_MODEL, student_output

PAGE_SIZE = 20
TEMPLATES = "drives/pages/"
DRIVE_BADGES = {
    DriveStatus.DRAFT: "",
    DriveStatus.OPEN: "ok",
    DriveStatus.CLOSED: "warn",
    DriveStatus.COMPLETED: "info",
}
STAGE_BADGES = {
    ApplicationStatus.APPLIED: "",
    ApplicationStatus.SHORTLISTED: "info",
    ApplicationStatus.IN_PROCESS: "info",
    ApplicationStatus.OFFERED: "ok",
    ApplicationStatus.ACCEPTED: "ok",
    ApplicationStatus.DECLINED: "warn",
    ApplicationStatus.REJECTED: "bad",
    ApplicationStatus.WITHDRAWN: "",
}
# What the status buttons say, by the status they move the drive to.
STATUS_ACTIONS = {
    DriveStatus.OPEN: ("drive-open", "Open for applications", "primary"),
    DriveStatus.CLOSED: ("drive-close", "Close applications", ""),
    DriveStatus.COMPLETED: ("drive-complete", "Mark completed", ""),
}
STATUS_DONE = {
    DriveStatus.OPEN: "The drive is open: eligible students can apply until its closing date.",
    DriveStatus.CLOSED: "The drive is closed: it takes no more applications.",
    DriveStatus.COMPLETED: "The drive is completed.",
}
FIELD_LABELS = {"apply_by": "Applications close on", "applications": "Applicants"}
APPLICANT_ORDERING = {
    "roll_number": "student__roll_number",
    "cgpa": "student__cgpa",
    "applied_at": "created_at",
    "status_changed_at": "status_changed_at",
}
EMPTY_ROWS, FIRST_ROWS, MORE_ROWS = 2, 3, 3
REFUSED_SHOWN = 10  # applicants named when a bulk move is refused
MAX_ROWS = 50


# --- Shared pieces ---------------------------------------------------------------------------


def _ordering(wanted: str, allowed: dict[str, str], default: tuple[str, ...]) -> tuple[str, ...]:
    """`?ordering=` as the API's OrderingFilter: a known field, `-` for descending."""
    name = wanted.removeprefix("-")
    if name not in allowed:
        return default
    return (("-" if wanted.startswith("-") else "") + allowed[name], "pk")


def _page(request, source):
    return Paginator(source, PAGE_SIZE).get_page(request.GET.get("page"))


def _messages(value, prefix: str = "") -> list[str]:
    """A DRF error detail (nested lists and dicts, as list fields give) as flat messages."""
    if isinstance(value, dict):
        found = []
        for key, item in value.items():
            label = f"Item {key + 1}: " if isinstance(key, int) else ""
            found += _messages(item, prefix + label)
        return found
    if isinstance(value, list | tuple):
        return [message for item in value for message in _messages(item, prefix)]
    return [prefix + str(value)]


def _error_text(error: Exception) -> str:
    """A service's error as one sentence for a message."""
    if isinstance(error, ValidationError):
        detail = error.detail if isinstance(error.detail, dict) else {None: error.detail}
        parts = []
        for field, value in detail.items():
            label = FIELD_LABELS.get(field, "") if field not in (None, "non_field_errors") else ""
            parts += [f"{label}: {m}" if label else m for m in _messages(value)]
        return " ".join(parts)
    return error.message


def _drive_for(request, pk: int) -> Drive:
    drives = drives_for(request.user).alive().select_related("company", "offer_tier")
    return get_object_or_404(drives, pk=pk)


def _drive_actions(drive: Drive) -> list[dict]:
    """The status buttons the drive's state machine allows now."""
    actions = []
    for status in sorted(DRIVE_TRANSITIONS[drive.status], key=list(DriveStatus).index):
        control_id, label, style = STATUS_ACTIONS[status]
        if status == DriveStatus.OPEN and drive.status == DriveStatus.CLOSED:
            label = "Reopen applications"
        actions.append({"status": status, "id": control_id, "label": label, "style": style})
    return actions


def _drive_context(drive: Drive, tab: str) -> dict:
    return {
        "drive": drive,
        "drive_badge": DRIVE_BADGES[drive.status],
        "status_actions": _drive_actions(drive),
        "tab": tab,
    }


# --- The list of drives ----------------------------------------------------------------------


class DriveFilterForm(forms.Form):
    q = forms.CharField(
        label="Search",
        required=False,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": "Title, company or location"}
        ),
    )
    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "Any status"), *DriveStatus.choices]
    )
    company = forms.ChoiceField(label="Company", required=False, widget=QuickSelect)
    job_type = forms.ChoiceField(
        label="Job type", required=False, choices=[("", "Any type"), *JobType.choices]
    )

    def __init__(self, *args, companies: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["company"].choices = [("", "Any company"), *companies]


def _applicant_count() -> Coalesce:
    """The drive's applicants (alive applications of alive students), as a subquery."""
    counted = (
        Application.objects.filter(drive=OuterRef("pk"), student__deleted_at__isnull=True)
        .order_by()
        .values("drive")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted), 0)


@page(roles=OFFICE)
@require_GET
def drive_list(request):
    companies = list(Company.objects.order_by("name", "pk").values_list("pk", "name"))
    form = DriveFilterForm(request.GET, companies=companies)
    drives = DriveFilter(request.GET, queryset=drives_for(request.user).alive()).qs
    drives = searched(drives, DRIVE_SEARCH_FIELDS, request.GET.get("q", ""))
    ordering = _ordering(
        request.GET.get("ordering", ""),
        {name: name for name in DRIVE_ORDERING_FIELDS},
        default=("-apply_by", "-pk"),
    )
    drives = drives.select_related("company").annotate(applicants=_applicant_count())
    page_obj = _page(request, drives.order_by(*ordering))
    for drive in page_obj:
        drive.badge = DRIVE_BADGES[drive.status]
    context = {
        "form": form,
        "page_obj": page_obj,
        "filtered": any(request.GET.get(name) for name in form.fields),
    }
    if request.htmx and not request.htmx.history_restore_request:
        return render(request, TEMPLATES + "_drive_results.html", context)
    return render(request, TEMPLATES + "drives.html", context)


# --- Creating and editing a drive --------------------------------------------------------------


class DriveForm(forms.Form):
    """The drive's fields as typed; the API's `DriveInput` validates them."""

    company = forms.ChoiceField(label="Company", widget=QuickSelect)
    title = forms.CharField(label="Title", max_length=200)
    job_type = forms.ChoiceField(label="Job type", choices=JobType.choices)
    ctc = forms.CharField(
        label="CTC per year",
        help_text="The annual cost to company (the stipend for an internship), e.g. 1200000.",
        widget=forms.NumberInput(attrs={"min": "0", "step": "0.01"}),
    )
    location = forms.CharField(label="Location", required=False, max_length=200)
    apply_by = forms.CharField(
        label="Applications close on",
        help_text="In the college's time zone.",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    description = forms.CharField(
        label="Description", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    min_cgpa = forms.CharField(
        label="Minimum CGPA",
        required=False,
        initial="0",
        help_text="0 to 10; 0 accepts every CGPA.",
        widget=forms.NumberInput(attrs={"min": "0", "max": "10", "step": "0.01"}),
    )
    max_backlogs = forms.CharField(
        label="Most backlogs allowed",
        required=False,
        help_text="Leave empty to accept any number of backlogs.",
        widget=forms.NumberInput(attrs={"min": "0"}),
    )
    departments = forms.CharField(
        label="Departments",
        required=False,
        help_text="Department codes separated by commas, e.g. CSE, ECE. Empty: every department.",
    )
    graduation_years = forms.CharField(
        label="Graduation years",
        required=False,
        help_text="Separated by commas, e.g. 2026, 2027. Empty: every batch.",
    )
    min_tenth_pct = forms.CharField(
        label="Minimum 10th marks (%)",
        required=False,
        help_text="Empty: no minimum.",
        widget=forms.NumberInput(attrs={"min": "0", "max": "100", "step": "0.01"}),
    )
    min_twelfth_pct = forms.CharField(
        label="Minimum 12th or diploma marks (%)",
        required=False,
        help_text="Empty: no minimum.",
        widget=forms.NumberInput(attrs={"min": "0", "max": "100", "step": "0.01"}),
    )
    offer_tier = forms.ChoiceField(
        label="Offer tier",
        required=False,
        help_text="Empty: the tier of the CTC's band (the college's offer tiers, in settings).",
    )

    def __init__(self, *args, companies: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["company"].choices = [("", "Choose a company"), *companies]
        self.fields["offer_tier"].choices = [
            ("", "By the CTC's band"),
            *OfferTier.objects.order_by("rank").values_list("pk", "name"),
        ]

    def payload(self) -> dict:
        """The `DriveInput` of what was typed; a field left empty or refused here is left out
        (the serializer then names what is required)."""
        data = self.cleaned_data
        payload = {
            name: data[name]
            for name in ("company", "title", "description", "job_type", "ctc", "location")
            if data.get(name, "") != ""
        }
        if data.get("apply_by"):
            payload["apply_by"] = data["apply_by"]
        payload["min_cgpa"] = data.get("min_cgpa", "").strip() or "0"
        payload["max_backlogs"] = data.get("max_backlogs", "").strip() or None
        payload["departments"] = _split(data.get("departments", ""))
        payload["graduation_years"] = _split(data.get("graduation_years", ""))
        for name in ("min_tenth_pct", "min_twelfth_pct", "offer_tier"):
            payload[name] = data.get(name, "").strip() or None
        return payload


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]


class SkillRowForm(forms.Form):
    skill = forms.ChoiceField(label="Skill", required=False, widget=QuickSelect)
    weight = forms.CharField(
        label="Weight",
        required=False,
        widget=forms.NumberInput(attrs={"min": "1", "max": "10"}),
    )

    def __init__(self, *args, skills: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["skill"].choices = [("", "—"), *skills]

    def item(self) -> dict | None:
        """The row as an item of the API's `skills`, None when left empty or removed."""
        data = self.cleaned_data
        if data.get("DELETE") or not (data.get("skill") or data.get("weight")):
            return None
        item = {}
        if data.get("skill"):
            item["skill"] = data["skill"]
        if data.get("weight", "").strip():
            item["weight"] = data["weight"].strip()
        return item


class RoundRowForm(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    order = forms.IntegerField(
        label="Order", required=False, widget=forms.NumberInput(attrs={"min": "1"})
    )
    kind = forms.ChoiceField(label="Kind", required=False, choices=[("", "—"), *RoundKind.choices])
    name = forms.CharField(label="Name", required=False, max_length=200)

    def item(self) -> dict | None:
        """The row as an item of the API's `rounds`, None when left empty or removed."""
        data = self.cleaned_data
        if data.get("DELETE") or not (data.get("kind") or data.get("name")):
            return None
        item = {"name": data.get("name", "")}
        if data.get("kind"):
            item["kind"] = data["kind"]
        if data.get("id"):
            item["id"] = data["id"]
        return item


def _rows_factory(form_class, *, filled: int):
    """A formset of `form_class` with empty rows to type into: more when none is filled yet."""
    extra = EMPTY_ROWS if filled else FIRST_ROWS
    return formset_factory(form_class, extra=extra, can_delete=True, max_num=MAX_ROWS)


def _order_of(row: RoundRowForm, *, default: int) -> int:
    order = row.cleaned_data.get("order")
    return default if order is None else order


def _more_rows(data, prefix: str):
    """The posted form with `MORE_ROWS` more empty rows in the `prefix` formset."""
    data = data.copy()
    key = f"{prefix}-TOTAL_FORMS"
    try:
        total = int(data.get(key, 0))
    except ValueError:
        total = 0
    data[key] = str(min(total + MORE_ROWS, MAX_ROWS))
    return data


class DriveEditor:
    """The drive form and its two formsets (skills, rounds), bound or not, and the way their
    values become the API's `DriveInput` and its errors come back onto the right row."""

    def __init__(self, data=None, *, initial=None, skills_initial=(), rounds_initial=()):
        companies = list(Company.objects.order_by("name", "pk").values_list("pk", "name"))
        skills = list(Skill.objects.order_by("name", "pk").values_list("pk", "name"))
        self.form = DriveForm(data, initial=initial, companies=companies)
        self.skills = _rows_factory(SkillRowForm, filled=len(skills_initial))(
            data, initial=list(skills_initial), prefix="skills", form_kwargs={"skills": skills}
        )
        self.rounds = _rows_factory(RoundRowForm, filled=len(rounds_initial))(
            data, initial=list(rounds_initial), prefix="rounds"
        )
        self.skill_forms: list[SkillRowForm] = []  # the rows sent to the API, in its order
        self.round_forms: list[RoundRowForm] = []

    def is_valid(self) -> bool:
        valid = [self.form.is_valid(), self.skills.is_valid(), self.rounds.is_valid()]
        return all(valid)

    def payload(self) -> dict:
        payload = self.form.payload()
        self.skill_forms, payload["skills"] = self._items(self.skills.forms)
        ordered = sorted(
            enumerate(self.rounds.forms),
            key=lambda pair: (_order_of(pair[1], default=pair[0] + 1), pair[0]),
        )
        self.round_forms, payload["rounds"] = self._items([row for _, row in ordered])
        return payload

    @staticmethod
    def _items(rows) -> tuple[list, list[dict]]:
        kept = [(row, item) for row in rows if (item := row.item()) is not None]
        return [row for row, _ in kept], [item for _, item in kept]

    def attach(self, error: Exception) -> None:
        """Show the serializer's or the service's error on the field or the row it is about."""
        if not (isinstance(error, ValidationError) and isinstance(error.detail, dict)):
            attach_errors(self.form, error)
            return
        detail = dict(error.detail)
        for name, rows in (("skills", self.skill_forms), ("rounds", self.round_forms)):
            nested = detail.pop(name, None)
            if isinstance(nested, list) and nested and all(isinstance(i, dict) for i in nested):
                for row, item in zip(rows, nested, strict=False):
                    for field, value in item.items():
                        if field in row.errors:
                            continue  # already refused by the page's own parsing
                        for message in _messages(value):
                            row.add_error(field if field in row.fields else None, message)
            elif nested is not None:
                label = "Skills" if name == "skills" else "Rounds"
                for message in _messages(nested):
                    self.form.add_error(None, f"{label}: {message}")
        rest = {
            field: _messages(value)
            for field, value in detail.items()
            if field not in self.form.errors
        }
        if rest:
            attach_errors(self.form, ValidationError(rest))

    def context(self) -> dict:
        return {"form": self.form, "skills": self.skills, "rounds": self.rounds}


def _drive_form_page(request, editor: DriveEditor, *, drive: Drive | None):
    context = {**editor.context(), "drive": drive}
    if drive is not None:
        context.update(_drive_context(drive, "edit"))
    return render(request, TEMPLATES + "drive_form.html", context)


def _save_drive(request, editor: DriveEditor, *, drive: Drive | None):
    """Validate through `DriveInput` and save through the service; the drive, or None with the
    errors on the editor. The serializer runs even when a field is missing, so that every
    error shows at once."""
    parsed = editor.is_valid()
    payload = editor.payload()
    if drive is None and request.POST.get("status") == DriveStatus.OPEN:
        payload["status"] = DriveStatus.OPEN
    data = DriveInput(data=payload)
    try:
        data.is_valid(raise_exception=True)
        if not parsed:
            return None
        if drive is None:
            return services.drive_create(**data.validated_data)
        return services.drive_update(drive=drive, **data.validated_data)
    except (ValidationError, PlacemateError) as error:
        editor.attach(error)
        return None


def _posted_editor(request) -> tuple[DriveEditor, str | None]:
    """The editor of a POST, and which formset asked for more rows (the no-script way)."""
    more = request.POST.get("more")
    if more in ("skills", "rounds"):
        return DriveEditor(_more_rows(request.POST, more)), more
    return DriveEditor(request.POST), None


@page(roles=OFFICE)
@require_http_methods(["GET", "HEAD", "POST"])
def drive_new(request):
    if request.method != "POST":
        editor = DriveEditor(initial={"company": request.GET.get("company", "")})
        return _drive_form_page(request, editor, drive=None)
    editor, more = _posted_editor(request)
    if more is None:
        drive = _save_drive(request, editor, drive=None)
        if drive is not None:
            opened = drive.status == DriveStatus.OPEN
            messages.success(
                request,
                f"Drive “{drive.title}” created{' and opened' if opened else ' as a draft'}.",
            )
            return HttpResponseRedirect(reverse("office:drive", args=[drive.pk]))
    return _drive_form_page(request, editor, drive=None)


def _editor_initial(drive: Drive) -> dict:
    apply_by = timezone.localtime(drive.apply_by).strftime("%Y-%m-%dT%H:%M")
    initial = {
        "company": drive.company_id,
        "title": drive.title,
        "job_type": drive.job_type,
        "ctc": drive.ctc,
        "location": drive.location,
        "apply_by": apply_by,
        "description": drive.description,
        "min_cgpa": drive.min_cgpa,
        "max_backlogs": "" if drive.max_backlogs is None else drive.max_backlogs,
        "departments": ", ".join(drive.departments),
        "graduation_years": ", ".join(str(year) for year in drive.graduation_years),
        "min_tenth_pct": "" if drive.min_tenth_pct is None else drive.min_tenth_pct,
        "min_twelfth_pct": "" if drive.min_twelfth_pct is None else drive.min_twelfth_pct,
        "offer_tier": drive.offer_tier_id or "",
    }
    skills = [
        {"skill": skill_id, "weight": weight}
        for skill_id, weight in DriveSkill.objects.filter(
            drive=drive, skill__deleted_at__isnull=True
        ).values_list("skill_id", "weight")
    ]
    rounds = [
        {"id": row.pk, "order": row.sequence, "kind": row.kind, "name": row.name}
        for row in drive.rounds.order_by("sequence", "pk")
    ]
    return {"initial": initial, "skills_initial": skills, "rounds_initial": rounds}


@page(roles=OFFICE)
@require_http_methods(["GET", "HEAD", "POST"])
def drive_edit(request, pk: int):
    drive = _drive_for(request, pk)
    if request.method != "POST":
        return _drive_form_page(request, DriveEditor(**_editor_initial(drive)), drive=drive)
    editor, more = _posted_editor(request)
    if more is None and _save_drive(request, editor, drive=drive):
        messages.success(request, f"Drive “{editor.form.cleaned_data['title']}” saved.")
        return HttpResponseRedirect(reverse("office:drive", args=[drive.pk]))
    return _drive_form_page(request, editor, drive=drive)


# --- The drive's status ------------------------------------------------------------------------


@page(roles=OFFICE)
@require_POST
def drive_status(request, pk: int):
    """Open, close or complete the drive, as `PATCH drives/{id}/` with a `status`."""
    drive = _drive_for(request, pk)
    data = DriveInput(data={"status": request.POST.get("status", "")}, partial=True)
    try:
        data.is_valid(raise_exception=True)
        services.drive_update(drive=drive, **data.validated_data)
    except (ValidationError, PlacemateError) as error:
        text = _error_text(error)
        if isinstance(error, PlanLimitReached):
            text += " Close another drive first, or ask your placement head to upgrade the plan."
        messages.error(request, text)
    else:
        messages.success(request, STATUS_DONE[data.validated_data["status"]])
    return HttpResponseRedirect(reverse("office:drive", args=[drive.pk]))


# --- The drive's page: details, applicants by stage, bulk move, funnel ---------------------------


class BulkMoveForm(forms.Form):
    status = forms.ChoiceField(
        label="Move to",
        choices=[(s.value, s.label) for s in ApplicationStatus if s in MOVER_TARGETS],
    )
    note = forms.CharField(
        label="Note (optional)",
        required=False,
        max_length=500,
        help_text="Kept with each application's move.",
    )
    everyone = forms.BooleanField(
        label="Move every applicant of this tab, on every page", required=False
    )


FUNNEL_WIDTH, FUNNEL_ROW, FUNNEL_BAR_HEIGHT = 360, 48, 18


def funnel_chart(funnel: dict) -> dict:
    """The funnel for an SVG drawn on the server: per stage, a line with its name and count,
    above a centred bar (the first stage is the full width, the others in proportion). One
    narrow column, so that its text stays readable on a phone."""
    stages = funnel["stages"]
    top = stages[0]["count"] if stages else 0
    rows = []
    for index, stage in enumerate(stages):
        width = round(FUNNEL_WIDTH * stage["count"] / top) if top else 0
        width = max(width, 2) if stage["count"] else 0
        y = index * FUNNEL_ROW
        rows.append(
            {
                "label": ApplicationStatus(stage["stage"]).label,
                "count": stage["count"],
                "rate": stage["rate"],
                "text_y": y + 16,
                "x": (FUNNEL_WIDTH - width) // 2,
                "y": y + 22,
                "width": width,
                "height": FUNNEL_BAR_HEIGHT,
            }
        )
    return {
        "width": FUNNEL_WIDTH,
        "height": len(rows) * FUNNEL_ROW,
        "rows": rows,
        "exits": [
            {"label": ApplicationStatus(status).label, "count": count}
            for status, count in funnel["exits"].items()
        ],
    }


def _applicants(request, drive: Drive) -> QuerySet[Application]:
    """The drive's applicants the caller may see, with the tab's status and the search."""
    scope = applications_for(request.user).alive().filter(drive=drive)
    scope = scope.filter(student__deleted_at__isnull=True)  # as `drive_applicants`
    queryset = searched(
        ApplicationFilter(request.GET, queryset=scope).qs,
        APPLICATION_SEARCH_FIELDS,
        request.GET.get("q", ""),
    )
    ordering = _ordering(
        request.GET.get("ordering", ""), APPLICANT_ORDERING, ("student__roll_number", "pk")
    )
    return queryset.order_by(*ordering)


def _stage_tabs(request, drive: Drive) -> list[dict]:
    counts = dict(drive_applicants(drive).order_by().values_list("status").annotate(n=Count("pk")))
    current = request.GET.get("status", "")
    base = request.GET.copy()
    base.pop("page", None)
    tabs = []
    for value, label in [("", "All"), *ApplicationStatus.choices]:
        params = base.copy()
        if value:
            params["status"] = value
        else:
            params.pop("status", None)
        count = sum(counts.values()) if not value else counts.get(value, 0)
        tabs.append(
            {
                "label": label,
                "count": count,
                "query": params.urlencode(),
                "current": current == value,
            }
        )
    return tabs


def _bulk_move(request, drive: Drive, form: BulkMoveForm) -> tuple[list[int] | None, list]:
    """Move the chosen applicants (or the whole tab) through the API's bulk move: the ids
    moved, or None with the form's errors and the refused applicants."""
    if not form.is_valid():
        return None, []
    if form.cleaned_data["everyone"]:
        ids = list(_applicants(request, drive).values_list("pk", flat=True))
    else:
        ids = request.POST.getlist("applications")
    if not ids:
        form.add_error(None, "Choose the applicants to move first (tick their boxes).")
        return None, []
    data = BulkMoveInput(
        data={
            "applications": ids,
            "status": form.cleaned_data["status"],
            "note": form.cleaned_data["note"],
        }
    )
    try:
        data.is_valid(raise_exception=True)
        moved = application_services.applications_bulk_move(
            scope=applications_for(request.user).filter(drive=drive),
            ids=data.validated_data["applications"],
            status=data.validated_data["status"],
            note=data.validated_data["note"],
            actor=request.user,
        )
    except (ValidationError, PlacemateError) as error:
        form.add_error(None, _error_text(error))
        details = getattr(error, "details", None)
        refused = details.get("refused", []) if isinstance(details, dict) else []
        return None, refused
    return moved, []


def _refused_rows(drive: Drive, refused: list[dict]) -> list[dict]:
    """Who could not move and why (the first REFUSED_SHOWN), with their names."""
    shown = refused[:REFUSED_SHOWN]
    names = {
        row["pk"]: row
        for row in Application.objects.filter(drive=drive, pk__in=[r["id"] for r in shown]).values(
            "pk", "student__roll_number", "student__user__first_name", "student__user__last_name"
        )
    }
    rows = []
    for item in shown:
        name = names.get(item["id"], {})
        who = " ".join(
            filter(
                None, [name.get("student__user__first_name"), name.get("student__user__last_name")]
            )
        )
        rows.append({"who": f"{who} ({name.get('student__roll_number', item['id'])})", **item})
    return rows


@page(roles=OFFICE)
@require_http_methods(["GET", "HEAD", "POST"])
def drive_detail(request, pk: int):
    """The drive and its applicants. A POST is the bulk move of the applicants ticked on this
    page: after an error the page shows again with the same tab and the same boxes ticked."""
    drive = _drive_for(request, pk)
    form = BulkMoveForm(request.POST or None, initial={"status": ApplicationStatus.SHORTLISTED})
    refused, selected = [], set()
    if request.method == "POST":
        moved, refused = _bulk_move(request, drive, form)
        if moved is not None:
            label = ApplicationStatus(form.cleaned_data["status"]).label.lower()
            count = len(moved)
            messages.success(
                request, f"{count} applicant{'s' if count != 1 else ''} moved to {label}."
            )
            return HttpResponseRedirect(request.get_full_path())
        selected = set(request.POST.getlist("applications"))
    page_obj = _page(request, _applicants(request, drive).select_related("student__user"))
    for application in page_obj:
        application.badge = STAGE_BADGES[application.status]
        application.selected = str(application.pk) in selected
    skills = (
        DriveSkill.objects.filter(drive=drive, skill__deleted_at__isnull=True)
        .select_related("skill")
        .order_by("-weight", "skill__name")
    )
    context = {
        **_drive_context(drive, "applicants"),
        "skills": skills,
        "rounds": drive.rounds.order_by("sequence", "pk"),
        "page_obj": page_obj,
        "tabs": _stage_tabs(request, drive),
        "form": form,
        "refused": _refused_rows(drive, refused),
        "refused_more": max(len(refused) - REFUSED_SHOWN, 0),
        "funnel": funnel_chart(drive_funnel(drive=drive)),
        "export_status": request.GET.get("status", ""),
    }
    return render(request, TEMPLATES + "drive.html", context)


@page(roles=OFFICE)
@require_GET
def drive_export(request, pk: int):
    """The drive's applicants as a CSV or XLSX file, as `drives/{id}/applicants/export/`."""
    drive = _drive_for(request, pk)
    try:
        file_format, columns = export_request(
            request.GET, columns=APPLICANT_EXPORT_COLUMNS, default=APPLICANT_EXPORT_DEFAULT
        )
    except (ValidationError, PlacemateError) as error:
        messages.error(request, f"The export could not be made. {_error_text(error)}")
        return HttpResponseRedirect(reverse("office:drive", args=[drive.pk]))
    applicants = ApplicantExportFilter(request.GET, queryset=drive_applicants(drive)).qs
    return export_response(
        applicants, columns, file_format=file_format, filename=f"drive-{drive.pk}-applicants"
    )


# --- Eligible and recommended students ---------------------------------------------------------


class StudentFilterForm(forms.Form):
    q = forms.CharField(
        label="Search",
        required=False,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": "Name, roll number, e-mail"}
        ),
    )
    department = forms.CharField(label="Department", required=False)
    placement_status = forms.ChoiceField(
        label="Placement",
        required=False,
        choices=[("", "Placed or not"), *PlacementStatus.choices],
    )
    applied = forms.ChoiceField(
        label="Applied here",
        required=False,
        choices=[("", "Applied or not"), ("true", "Applied"), ("false", "Not applied yet")],
    )


def _eligible_filter(request, drive: Drive, queryset: QuerySet) -> QuerySet:
    """The API's filters of eligible students (their `applied` filter reads the drive from the
    request's URL arguments, as DRF passes them)."""
    shim = SimpleNamespace(parser_context={"kwargs": {"pk": drive.pk}})
    queryset = EligibleStudentFilter(request.GET, queryset=queryset, request=shim).qs
    return searched(queryset, STUDENT_SEARCH_FIELDS, request.GET.get("q", ""))


def _filter_key(request) -> str:
    """The list's filters of the query string, in a stable order (a cache key's part)."""
    params = sorted(
        (key, value)
        for key, values in request.GET.lists()
        for value in values
        if key != "page" and value
    )
    return hashlib.sha256(urlencode(params).encode()).hexdigest()[:32]


@page(roles=OFFICE)
@require_GET
def drive_eligible(request, pk: int):
    drive = _drive_for(request, pk)
    students = _eligible_filter(request, drive, drive_eligible_students(drive=drive))
    ordering = _ordering(
        request.GET.get("ordering", ""),
        {name: name for name in STUDENT_ORDERING_FIELDS},
        ("roll_number", "pk"),
    )
    page_obj = _page(request, PageRows(students.order_by(*ordering), STUDENT_READ_MODEL))
    rows = [student_output(row) for row in page_obj]
    applied = set(
        Application.objects.filter(
            drive=drive, student_id__in=[row["id"] for row in rows]
        ).values_list("student_id", flat=True)
    )
    for row in rows:
        row["applied"] = row["id"] in applied
    context = {
        **_drive_context(drive, "eligible"),
        "form": StudentFilterForm(request.GET),
        "page_obj": page_obj,
        "rows": rows,
    }
    return render(request, TEMPLATES + "drive_eligible.html", context)


@page(roles=OFFICE)
@require_GET
def drive_recommendations_page(request, pk: int):
    drive = _drive_for(request, pk)
    context = {
        **_drive_context(drive, "recommendations"),
        "form": StudentFilterForm(request.GET),
        "score_doc": RECOMMENDATION_SCORE_DOC,
    }
    try:
        ensure_feature("recommendations")
    except PlanLimitReached as error:
        context["plan_error"] = error.message
        return render(request, TEMPLATES + "drive_recommendations.html", context, status=402)
    ranked = _eligible_filter(request, drive, drive_recommendations(drive=drive))
    page_obj = _page(
        request,
        ScoredRows(
            ranked,
            STUDENT_READ_MODEL,
            RECOMMENDATION_PARTS,
            lambda scored, row: recommendation_output(scored, student_output(row)),
            cache_key=f"recommendations:{drive.pk}:{_filter_key(request)}",
        ),
    )
    context["page_obj"] = page_obj
    context["first_rank"] = page_obj.start_index()
    return render(request, TEMPLATES + "drive_recommendations.html", context)
