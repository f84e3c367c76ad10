"""The placement office's pages of students: the list (search, the API's filters, ordering,
bulk verify / unverify / export), a student's page (profile, skills, résumé, applications and
their stages), creating and editing one, and the import wizard (upload, the dry run's report,
confirm, a background job's progress).

Input is validated by the API's own serializers and written by the students services; exports
and imports go through the API's export and import code. Nothing here decides a rule."""

import re
import uuid
from datetime import timedelta
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import QuerySet
from django.http import HttpResponseRedirect, QueryDict
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_http_methods, require_POST
from rest_framework.exceptions import ValidationError

from core.accounts.adapter import college_link
from core.accounts.models import User
from core.api.errors import PlacemateError
from core.web.decorators import OFFICE, page
from core.web.forms import attach_errors
from tenant_apps.access import applications_for, students_for
from tenant_apps.applications.models import ApplicationStatus
from tenant_apps.applications.selectors import APPLICATION_READ_MODEL, application_output
from tenant_apps.kit.exports import export_request, export_response
from tenant_apps.kit.jobs import JobStatus
from tenant_apps.kit.pages import filtered, ordered, page_of, searched
from tenant_apps.students import services, transfer, verification
from tenant_apps.students.exports import STUDENT_EXPORT_COLUMNS, STUDENT_EXPORT_DEFAULT
from tenant_apps.students.filters import (
    STUDENT_ORDERING_FIELDS,
    STUDENT_SEARCH_FIELDS,
    StudentFilter,
)
from tenant_apps.students.models import (
    ACADEMIC_FIELDS,
    PlacementStatus,
    Skill,
    Student,
    StudentImport,
    TwelfthBoard,
)
from tenant_apps.students.selectors import STUDENT_READ_MODEL, student_output
from tenant_apps.students.serializers import ProfileInput, StudentCreateInput

# The filters of the list that the page offers (the API's `StudentFilter` applies them).
PAGE_FILTERS = ("q", "department", "graduation_year", "is_verified", "placement_status")
BULK_ACTIONS = ("verify", "unverify", "export-csv", "export-xlsx")
SKILL_ROWS_EXTRA = 3
# Left empty, these take the API's default (a new student) or stay as they are (an edit).
OPTIONAL_NUMBERS = ("backlogs",)
MARKS = ("tenth_pct", "twelfth_pct")  # optional percentages: an empty field clears them


def url_or_none(name: str, *args) -> str | None:
    """A page of another area, when it is installed (the office's pages land one by one)."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


# --- The list ------------------------------------------------------------------------------------


def students_filtered(user: User, params: QueryDict) -> QuerySet:
    """The caller's alive students narrowed by the list's query string, with the API's
    FilterSet, search fields and ordering fields."""
    queryset = filtered(students_for(user).alive(), StudentFilter, params)
    queryset = searched(queryset, STUDENT_SEARCH_FIELDS, params.get("q", ""))
    return ordered(
        queryset, params.get("ordering", ""), STUDENT_ORDERING_FIELDS, ("roll_number", "id")
    )


def _filter_choices(user: User) -> dict:
    alive = students_for(user).alive().order_by()
    return {
        "departments": sorted(alive.values_list("department", flat=True).distinct()),
        "years": sorted(alive.values_list("graduation_year", flat=True).distinct()),
        "placement_statuses": PlacementStatus.choices,
    }


def _with_htmx_vary(response):
    patch_vary_headers(response, ["HX-Request"])
    return response


@page(roles=OFFICE)
@require_http_methods(["GET", "HEAD"])
def students(request):
    page_obj = page_of(request, students_filtered(request.user, request.GET), STUDENT_READ_MODEL)
    filtering = any(request.GET.get(name) for name in PAGE_FILTERS)
    context = {
        "page_obj": page_obj,
        "filtering": filtering,
        "filters_query": request.GET.urlencode(),
        "export_query": urlencode(
            [(k, v) for k, v in request.GET.items() if k not in ("page", "format")]
        ),
        "params": request.GET,
    }
    htmx = getattr(request, "htmx", None)
    if htmx and not htmx.history_restore_request:
        return _with_htmx_vary(render(request, "students/pages/_students_results.html", context))
    context.update(_filter_choices(request.user))
    return _with_htmx_vary(render(request, "students/pages/students.html", context))


def _back_to_list(filters: str) -> HttpResponseRedirect:
    target = reverse("office:students")
    return HttpResponseRedirect(f"{target}?{filters}" if filters else target)


@page(roles=OFFICE)
@require_POST
def students_bulk(request):
    """One request for the selection (ticked rows, or every student the filters match): verify
    or unverify them in one transaction through the services, or export them."""
    filters = QueryDict(request.POST.get("filters", ""))
    action = request.POST.get("action", "")
    if action not in BULK_ACTIONS:
        messages.error(request, "Choose what to do with the selected students.")
        return _back_to_list(filters.urlencode())
    queryset = students_filtered(request.user, filters)
    if request.POST.get("all_matching") != "1":
        ids = [int(pk) for pk in request.POST.getlist("ids") if pk.isdigit()]
        if not ids:
            messages.error(request, "Select at least one student first.")
            return _back_to_list(filters.urlencode())
        queryset = queryset.filter(pk__in=ids)
    if action.startswith("export-"):
        return _export(request, queryset, {"format": action.removeprefix("export-")}, filters)
    # one UPDATE for the whole selection (the verification queue's status kept with it)
    if action == "verify":
        changed = services.students_verify(students=queryset, actor=request.user)
    else:
        changed = services.students_unverify(students=queryset, actor=request.user)
    done = "verified" if action == "verify" else "unverified"
    count = len(changed)
    messages.success(
        request,
        f"{count} student{'s' if count != 1 else ''} {done}."
        if count
        else f"The selected students were already {done}.",
    )
    if request.POST.get("next") == "queue":
        return HttpResponseRedirect(reverse("office:verification-queue"))
    return _back_to_list(filters.urlencode())


def _export(request, queryset, params: dict, filters: QueryDict):
    try:
        file_format, columns = export_request(
            params, columns=STUDENT_EXPORT_COLUMNS, default=STUDENT_EXPORT_DEFAULT
        )
    except (PlacemateError, ValidationError) as error:
        messages.error(request, _message_of(error))
        return _back_to_list(filters.urlencode())
    return export_response(queryset, columns, file_format=file_format, filename="students")


def _message_of(error: Exception) -> str:
    if isinstance(error, PlacemateError):
        return error.message
    detail = error.detail
    if isinstance(detail, dict):
        return " ".join(str(m) for messages_ in detail.values() for m in _as_list(messages_))
    return " ".join(str(m) for m in _as_list(detail))


def _as_list(value) -> list:
    return value if isinstance(value, list | tuple) else [value]


@page(roles=OFFICE)
@require_http_methods(["GET", "HEAD"])
def students_export(request):
    """Every student the list's filters match, as CSV or XLSX (`?format=`)."""
    queryset = students_filtered(request.user, request.GET)
    filters = request.GET.copy()
    filters.pop("format", None)
    return _export(request, queryset, {"format": request.GET.get("format", "csv")}, filters)


# --- One student ---------------------------------------------------------------------------------


def _names_of(user_ids: set) -> dict[int, str]:
    users = User.objects.filter(pk__in={pk for pk in user_ids if pk})
    return {user.pk: user.get_full_name() or user.email for user in users}


@page(roles=OFFICE)
@require_http_methods(["GET", "HEAD"])
def student(request, pk: int):
    found = get_object_or_404(students_for(request.user).alive(), pk=pk)
    profile = student_output(STUDENT_READ_MODEL.rows([found.pk])[0])
    ids = list(
        applications_for(request.user)
        .alive()
        .filter(student_id=found.pk)
        .order_by("-created_at", "-pk")
        .values_list("pk", flat=True)
    )
    applications = [application_output(row) for row in APPLICATION_READ_MODEL.rows(ids)]
    names = _names_of(
        {profile["verified_by"]} | {s["by"] for a in applications for s in a["timeline"]}
    )
    labels = dict(ApplicationStatus.choices)
    for application in applications:
        application["status_label"] = labels.get(application["status"], application["status"])
        application["drive_url"] = url_or_none("office:drive", application["drive"]["id"])
        for stage in application["timeline"]:
            stage["label"] = labels.get(stage["status"], stage["status"])
            stage["by_name"] = names.get(stage["by"], "")
    context = {
        "student": profile,
        "full_name": f"{profile['first_name']} {profile['last_name']}".strip(),
        "verified_by_name": names.get(profile["verified_by"], ""),
        "placement_label": PlacementStatus(profile["placement_status"]).label,
        "applications": applications,
    }
    return render(request, "students/pages/student.html", context)


@page(roles=OFFICE)
@require_POST
def student_verify(request, pk: int):
    found = get_object_or_404(students_for(request.user).alive(), pk=pk)
    verification.verification_approve(student=found, actor=request.user)
    messages.success(request, f"{found.roll_number} is verified: academic fields are frozen.")
    return HttpResponseRedirect(reverse("office:student", args=[found.pk]))


@page(roles=OFFICE)
@require_POST
def student_unverify(request, pk: int):
    found = get_object_or_404(students_for(request.user).alive(), pk=pk)
    verification.verification_unverify(student=found)
    messages.success(request, f"{found.roll_number} is no longer verified: it can be edited.")
    return HttpResponseRedirect(reverse("office:student", args=[found.pk]))


# --- The verification queue ----------------------------------------------------------------------


class SendBackForm(forms.Form):
    comment = forms.CharField(
        label="What should the student change?",
        max_length=1000,
        widget=forms.Textarea({"rows": 2}),
    )


@page(roles=OFFICE)
@require_http_methods(["GET", "HEAD"])
def verification_queue(request):
    """The profiles students submitted, the longest waiting first: verify one, several at once
    (the students list's bulk verify), or send one back with a comment. One query per page."""
    queryset = verification.verification_queue(students_for(request.user))
    context = {
        "page_obj": page_of(request, queryset, STUDENT_READ_MODEL),
        "send_back_form": SendBackForm(),
    }
    return render(request, "students/pages/verification_queue.html", context)


@page(roles=OFFICE)
@require_POST
def student_send_back(request, pk: int):
    found = get_object_or_404(students_for(request.user).alive(), pk=pk)
    form = SendBackForm(request.POST)
    back = request.POST.get("next") == "queue"
    target = reverse("office:verification-queue") if back else reverse("office:student", args=[pk])
    if not form.is_valid():
        messages.error(request, "Say what the student should change before sending it back.")
        return HttpResponseRedirect(target)
    try:
        verification.verification_return(
            student=found, actor=request.user, comment=form.cleaned_data["comment"]
        )
    except PlacemateError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"{found.roll_number} was sent back: the student is mailed.")
    return HttpResponseRedirect(target)


# --- Creating and editing ------------------------------------------------------------------------


class StudentForm(forms.Form):
    """What the office types; the API's `ProfileInput` / `StudentCreateInput` validate it."""

    first_name = forms.CharField(label="First name", max_length=150)
    last_name = forms.CharField(label="Last name", max_length=150, required=False)
    email = forms.CharField(
        label="E-mail address",
        help_text="The student gets a link at this address to choose a password.",
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    roll_number = forms.CharField(label="Roll number", max_length=50)
    department = forms.CharField(label="Department", max_length=100)
    graduation_year = forms.CharField(
        label="Batch (graduation year)", widget=forms.NumberInput(attrs={"min": 1950, "max": 2100})
    )
    cgpa = forms.CharField(
        label="CGPA", widget=forms.NumberInput(attrs={"min": 0, "max": 10, "step": "0.01"})
    )
    backlogs = forms.CharField(
        label="Backlogs",
        initial=0,
        required=False,
        widget=forms.NumberInput(attrs={"min": 0, "max": 100}),
    )
    tenth_pct = forms.CharField(
        label="10th marks (%)",
        required=False,
        widget=forms.NumberInput(attrs={"min": 0, "max": 100, "step": "0.01"}),
    )
    twelfth_board = forms.ChoiceField(
        label="After the 10th",
        choices=TwelfthBoard.choices,
        initial=TwelfthBoard.TWELFTH,
        required=False,
    )
    twelfth_pct = forms.CharField(
        label="12th or diploma marks (%)",
        required=False,
        widget=forms.NumberInput(attrs={"min": 0, "max": 100, "step": "0.01"}),
    )
    phone = forms.CharField(
        label="Phone", required=False, widget=forms.TextInput(attrs={"type": "tel"})
    )

    def __init__(self, *args, creating: bool, frozen: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not creating:
            del self.fields["email"]
        if frozen:  # read-only (sent unchanged); the service still refuses any change to them
            for name in (name for name in ACADEMIC_FIELDS if name in self.fields):
                field = self.fields[name]
                field.widget.attrs.update({"readonly": True, "class": "frozen"})
                field.help_text = "Frozen while the profile is verified: unverify it to change it."


class SkillRow(forms.Form):
    skill = forms.ChoiceField(label="Skill", required=False)
    rating = forms.CharField(
        required=False,
        widget=forms.NumberInput(attrs={"min": 1, "max": 10}),
    )

    def __init__(self, *args, skill_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["skill"].choices = [("", "—"), *skill_choices]
        number = int(self.prefix.rsplit("-", 1)[-1]) + 1 if self.prefix else 1
        self.fields["skill"].label = f"Skill {number}"
        self.fields["rating"].label = f"Rating of skill {number} (1 to 10)"


SkillRows = forms.formset_factory(SkillRow, extra=SKILL_ROWS_EXTRA, max_num=50)


def _skill_rows(data=None, initial=None) -> forms.BaseFormSet:
    choices = [(str(pk), name) for pk, name in Skill.objects.values_list("pk", "name")]
    return SkillRows(data, initial=initial, prefix="skills", form_kwargs={"skill_choices": choices})


def _posted_skills(rows: forms.BaseFormSet) -> tuple[list[dict], list[forms.Form]]:
    """The rows with a skill or a rating (the others are the form's spare rows), and the
    forms they came from (to show the serializer's errors next to them)."""
    items, forms_of = [], []
    for row in rows.forms:
        skill, rating = row.cleaned_data.get("skill"), row.cleaned_data.get("rating")
        if skill or rating:
            items.append({"skill": skill or None, "rating": rating})
            forms_of.append(row)
    return items, forms_of


def _attach_skill_errors(rows, forms_of, errors, form: forms.Form) -> None:
    if isinstance(errors, dict):  # one list-level message: `{"non_field_errors": [...]}`
        errors = errors.get("non_field_errors", list(errors.values()))
    if errors and all(isinstance(e, dict) for e in errors):
        for row, row_errors in zip(forms_of, errors, strict=False):
            for field, messages_ in row_errors.items():
                for message in _as_list(messages_):
                    row.add_error(field if field in row.fields else None, str(message))
    else:
        for message in _as_list(errors):
            form.add_error(None, f"Skills: {message}")


def _saved(form, rows, serializer_class, *, partial: bool, write) -> Student | None:
    """Validates the form's text with the API's serializer and writes it through `write`;
    None (errors on the form and its skill rows, nothing lost) when it cannot be saved."""
    rows_valid = rows.is_valid()
    if not (form.is_valid() and rows_valid):
        return None
    skills, forms_of = _posted_skills(rows)
    values = {k: v for k, v in form.cleaned_data.items() if k not in OPTIONAL_NUMBERS or v != ""}
    values.update({k: None for k in MARKS if values.get(k) == ""})  # empty: no marks
    if not values.get("twelfth_board"):
        values.pop("twelfth_board", None)  # not sent: left as it is (12th on a new profile)
    data = serializer_class(data={**values, "skills": skills}, partial=partial)
    if not data.is_valid():
        errors = dict(data.errors)
        if "skills" in errors:
            _attach_skill_errors(rows, forms_of, errors.pop("skills"), form)
        attach_errors(form, ValidationError(errors))
        return None
    try:
        return write(data.validated_data)
    except (PlacemateError, ValidationError) as error:
        attach_errors(form, error)
        return None


@page(roles=OFFICE)
@require_http_methods(["GET", "HEAD", "POST"])
def student_new(request):
    form = StudentForm(request.POST or None, creating=True)
    rows = _skill_rows(request.POST or None)

    def write(values):
        return services.student_create(request=request, **values)

    student = None
    if request.method == "POST":
        student = _saved(form, rows, StudentCreateInput, partial=False, write=write)
    if student is not None:
        messages.success(
            request,
            f"{student.roll_number} is added; a link to choose a password is on its way to "
            f"{student.user.email}.",
        )
        return HttpResponseRedirect(reverse("office:student", args=[student.pk]))
    context = {"form": form, "rows": rows, "creating": True}
    return render(request, "students/pages/student_form.html", context)


@page(roles=OFFICE)
@require_http_methods(["GET", "HEAD", "POST"])
def student_edit(request, pk: int):
    found = get_object_or_404(students_for(request.user).alive().select_related("user"), pk=pk)
    initial = {
        "first_name": found.user.first_name,
        "last_name": found.user.last_name,
        "roll_number": found.roll_number,
        "department": found.department,
        "graduation_year": found.graduation_year,
        "cgpa": found.cgpa,
        "backlogs": found.backlogs,
        "tenth_pct": found.tenth_pct,
        "twelfth_board": found.twelfth_board,
        "twelfth_pct": found.twelfth_pct,
        "phone": found.phone,
    }
    skills = [
        {"skill": str(row.skill_id), "rating": row.rating}
        for row in found.skill_ratings.filter(skill__deleted_at__isnull=True).order_by(
            "skill__name"
        )
    ]
    form = StudentForm(
        request.POST or None, initial=initial, creating=False, frozen=found.is_verified
    )
    rows = _skill_rows(request.POST or None, initial=skills)

    def write(values):
        return services.student_update(student=found, **values)

    if request.method == "POST" and _saved(form, rows, ProfileInput, partial=True, write=write):
        messages.success(request, f"{found.roll_number}'s profile is saved.")
        return HttpResponseRedirect(reverse("office:student", args=[found.pk]))
    context = {"form": form, "rows": rows, "creating": False, "student": found}
    return render(request, "students/pages/student_form.html", context)


# --- Import ---------------------------------------------------------------------------------------
#
# The file checked by the dry run waits in the college's own storage under a random key (the
# `draft`), so that confirming imports exactly what was checked without a second upload. The
# key is unguessable and only works for the office of this college (its storage folder).
# Drafts nobody confirms are removed a day later, when the next file is uploaded.

DRAFTS = "imports/drafts"
DRAFT_PATTERN = re.compile(r"^[0-9a-f]{32}$")
DRAFT_LIFETIME = timedelta(days=1)
FILE_ERRORS = ("file_too_large", "unsupported_media_type")


def _draft_path(token: str) -> str:
    return f"{DRAFTS}/{token}"


def draft_save(content: bytes) -> str:
    token = uuid.uuid4().hex
    default_storage.save(_draft_path(token), ContentFile(content))
    return token


def draft_read(token: str) -> bytes | None:
    if not DRAFT_PATTERN.match(token or ""):
        return None
    try:
        with default_storage.open(_draft_path(token), "rb") as handle:
            return handle.read()
    except OSError:
        return None


def draft_delete(token: str) -> None:
    if DRAFT_PATTERN.match(token or ""):
        default_storage.delete(_draft_path(token))


def drafts_prune() -> None:
    try:
        _, names = default_storage.listdir(DRAFTS)
    except OSError:
        return
    limit = timezone.now() - DRAFT_LIFETIME
    for name in names:
        path = f"{DRAFTS}/{name}"
        try:
            if default_storage.get_modified_time(path) < limit:
                default_storage.delete(path)
        except OSError:
            continue


class ImportForm(forms.Form):
    file = forms.FileField(
        label="CSV or XLSX file",
        help_text="Columns: email, first_name, last_name, roll_number, department, "
        "graduation_year, cgpa, backlogs, phone (last_name, backlogs and phone may be empty).",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )
    invite = forms.BooleanField(
        label="Mail each new student a link to choose a password",
        required=False,
        initial=True,
    )


def _link_base(request) -> str:
    return college_link(request, "password_reset").split("?", 1)[0]


def _import_options(request, *, dry_run: bool, invite: bool) -> dict:
    return {"dry_run": dry_run, "invite": invite, "link_base": _link_base(request)}


@page(roles=OFFICE)
@require_http_methods(["GET", "HEAD", "POST"])
def students_import(request):
    """Step 1: upload. Step 2: the dry run's report (or, for a large file, its job)."""
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        invite = form.cleaned_data["invite"]
        try:
            content = transfer.read_upload(form.cleaned_data["file"])
            table = transfer.read_table(content)
            options = _import_options(request, dry_run=True, invite=invite)
            if len(table.rows) > settings.IMPORT_BACKGROUND_ROWS:
                drafts_prune()
                token = draft_save(content)
                job = services.student_import_start(data=content, rows=len(table.rows), **options)
                target = reverse("office:students-import-job", args=[job.pk])
                return HttpResponseRedirect(f"{target}?{urlencode({'draft': token})}")
            result = services.students_import(table=table, actor=request.user, **options)
        except (PlacemateError, ValidationError) as error:
            _attach_import_error(form, error)
        else:
            drafts_prune()
            context = {
                "result": result,
                "draft": draft_save(content),
                "invite": invite,
                "file_name": form.cleaned_data["file"].name,
            }
            return render(request, "students/pages/import_report.html", context)
    return render(request, "students/pages/import.html", {"form": form})


def _attach_import_error(form: forms.Form, error: Exception) -> None:
    """What is wrong with the file itself (its size, type or columns) goes next to the file
    field; anything else (the plan's limit) on the form."""
    if isinstance(error, ValidationError) and isinstance(error.detail, dict):
        for messages_ in error.detail.values():
            for message in _as_list(messages_):
                form.add_error("file", str(message))
    elif isinstance(error, PlacemateError) and error.code in FILE_ERRORS:
        form.add_error("file", error.message)
    else:
        attach_errors(form, error)


@page(roles=OFFICE)
@require_POST
def students_import_confirm(request):
    """Step 3: import the checked file (kept server-side): at once, or as a background job."""
    token = request.POST.get("draft", "")
    invite = request.POST.get("invite") == "1"
    content = draft_read(token)
    if content is None:
        messages.error(request, "That upload is no longer available: choose the file again.")
        return HttpResponseRedirect(reverse("office:students-import"))
    try:
        table = transfer.read_table(content)
        options = _import_options(request, dry_run=False, invite=invite)
        if len(table.rows) > settings.IMPORT_BACKGROUND_ROWS:
            job = services.student_import_start(data=content, rows=len(table.rows), **options)
            draft_delete(token)
            return HttpResponseRedirect(reverse("office:students-import-job", args=[job.pk]))
        result = services.students_import(table=table, actor=request.user, **options)
    except (PlacemateError, ValidationError) as error:
        messages.error(request, f"Nothing was imported: {_message_of(error)}")
        return HttpResponseRedirect(reverse("office:students-import"))
    draft_delete(token)
    messages.success(request, import_summary(result))
    return HttpResponseRedirect(reverse("office:students"))


def import_summary(result: dict) -> str:
    return (
        f"Import done: {result['created']} created, {result['updated']} updated, "
        f"{result['unchanged']} unchanged, {result['failed']} "
        f"row{'s' if result['failed'] != 1 else ''} refused."
    )


@page(roles=OFFICE)
@require_http_methods(["GET", "HEAD"])
def students_import_job(request, pk: int):
    """Step 2 or 4 for a large file: the job's progress, polled every 2 seconds until it ends;
    a finished dry run shows its report and the confirm button."""
    job = get_object_or_404(StudentImport.objects.all(), pk=pk)
    draft = request.GET.get("draft", "")
    context = {
        "job": job,
        "running": job.status in (JobStatus.QUEUED, JobStatus.RUNNING),
        "result": job.result if job.status == JobStatus.DONE else None,
        "draft": draft if DRAFT_PATTERN.match(draft) else "",
        "poll_url": request.get_full_path(),
    }
    htmx = getattr(request, "htmx", None)
    if htmx and not htmx.history_restore_request:
        return _with_htmx_vary(render(request, "students/pages/_import_job.html", context))
    return _with_htmx_vary(render(request, "students/pages/import_job.html", context))
