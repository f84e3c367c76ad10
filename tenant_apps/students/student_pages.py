"""The student's own pages: a home that leads to a complete profile and to what is next, and the
profile with one edit page per part. Every write goes through the API's serializers and services
(a verified profile's academic fields are refused by `student_update`, shown as it says)."""

from django import forms
from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST
from rest_framework.exceptions import ValidationError

from core.accounts.models import User
from core.api.errors import PlacemateError
from core.web.decorators import STUDENT, page
from core.web.forms import attach_errors
from shared_apps.billing.limits import PlanLimitReached, ensure_feature
from tenant_apps.access import interviews_for, offers_for
from tenant_apps.analytics.selectors import student_recommended_drives
from tenant_apps.applications.models import OfferStatus
from tenant_apps.drives.selectors import DRIVE_READ_MODEL
from tenant_apps.interviews.models import InterviewStatus
from tenant_apps.interviews.selectors import INTERVIEW_READ_MODEL
from tenant_apps.interviews.student_pages import agenda_rows
from tenant_apps.kit.files import max_pdf_bytes, refuse_oversized_request
from tenant_apps.students import services, verification
from tenant_apps.students.models import Skill, TwelfthBoard
from tenant_apps.students.selectors import STUDENT_READ_MODEL, student_of, student_output
from tenant_apps.students.serializers import (
    EducationEntry,
    ExperienceEntry,
    ProfileInput,
    ResumeInput,
)
from tenant_apps.students.services import megabytes

PAGE_ERRORS = (ValidationError, PlacemateError)


# --- What the pages show ----------------------------------------------------------------------


def profile_of(user: User) -> dict | None:
    """The signed-in student's profile as the API shows it (one query), or None before they
    created it."""
    student = student_of(user)
    if student is None:
        return None
    (row,) = STUDENT_READ_MODEL.rows([student.pk])
    profile = student_output(row)
    profile["student"] = student
    return profile


def checklist(profile: dict | None) -> list[dict]:
    """The steps to a complete profile, each with the page that completes it."""
    has = profile or {}
    steps = [
        ("personal", "Personal details", "student:profile-details",
         bool(profile and has["first_name"] and has["phone"])),
        ("education", "Education", "student:profile-education", bool(has.get("education"))),
        ("experience", "Experience", "student:profile-experience", bool(has.get("experience"))),
        ("skills", "Skills with ratings", "student:profile-skills", bool(has.get("skills"))),
        ("resume", "Résumé (PDF)", "student:profile-resume", bool(has.get("resume"))),
    ]  # fmt: skip
    return [
        {"key": key, "label": label, "url": reverse(name), "done": done}
        for key, label, name, done in steps
    ]


def _verifier(profile: dict) -> str:
    if not profile["verified_by"]:
        return ""
    user = User.objects.filter(pk=profile["verified_by"]).first()
    return (user.get_full_name() or user.email) if user else ""


def _recommended(student) -> tuple[list[dict], int]:
    """The open drives the student can apply to (the recommendations' selector: eligible, not
    applied yet), the best skill matches first when the plan includes recommendations."""
    drives = student_recommended_drives(student=student)
    count = drives.count()
    try:
        ensure_feature("recommendations")
    except PlanLimitReached:
        return [], count
    scored = list(drives.values("pk", "skill_match")[:3])
    rows = {row["id"]: row for row in DRIVE_READ_MODEL.rows([r["pk"] for r in scored])}
    return [
        {**rows[r["pk"]], "skill_match": r["skill_match"]} for r in scored if r["pk"] in rows
    ], count


@page(roles=STUDENT)
@require_http_methods(["GET", "HEAD"])
def home(request):
    profile = profile_of(request.user)
    steps = checklist(profile)
    context = {
        "profile": profile,
        "steps": steps,
        "done": sum(step["done"] for step in steps),
        "next_step": next((step for step in steps if not step["done"]), None),
    }
    if profile is not None:
        now = timezone.now()
        context["recommended"], context["open_count"] = _recommended(profile["student"])
        upcoming = (
            interviews_for(request.user)
            .alive()
            .filter(status=InterviewStatus.SCHEDULED, ends_at__gt=now)
            .order_by("scheduled_at", "id")
            .values_list("pk", flat=True)[:3]
        )
        context["interviews"] = agenda_rows(
            INTERVIEW_READ_MODEL.rows(list(upcoming)),
            ics="student:interview-ics",
            with_feedback=False,
        )
        context["offers"] = list(
            offers_for(request.user)
            .alive()
            .filter(status=OfferStatus.PENDING, expires_at__gt=now)
            .select_related("application__drive__company")
            .order_by("expires_at")[:3]
        )
    return render(request, "students/student/home.html", context)


@page(roles=STUDENT)
@require_http_methods(["GET", "HEAD"])
def profile(request):
    profile = profile_of(request.user)
    if profile is None:
        return HttpResponseRedirect(reverse("student:profile-details"))
    context = {"profile": profile, "steps": checklist(profile), "verifier": _verifier(profile)}
    return render(request, "students/student/profile.html", context)


@page(roles=STUDENT)
@require_POST
def profile_verification(request):
    """The student submits the profile to the placement office's verification queue."""
    profile = profile_of(request.user)
    if profile is None:
        return HttpResponseRedirect(reverse("student:profile-details"))
    try:
        verification.verification_submit(student=profile["student"])
    except PlacemateError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, "Your profile is with the placement office: you will hear once it is checked."
        )
    return HttpResponseRedirect(reverse("student:profile"))


# --- Details (personal and academic) ------------------------------------------------------------


class DetailsForm(forms.Form):
    first_name = forms.CharField(
        label="First name", max_length=150, widget=forms.TextInput({"autocomplete": "given-name"})
    )
    last_name = forms.CharField(
        label="Last name",
        max_length=150,
        required=False,
        widget=forms.TextInput({"autocomplete": "family-name"}),
    )
    phone = forms.CharField(
        label="Phone",
        max_length=20,
        required=False,
        help_text="With the country code, e.g. +91 98765 43210.",
        widget=forms.TextInput({"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
    )
    roll_number = forms.CharField(label="Roll number", max_length=50)
    department = forms.CharField(label="Department", max_length=100)
    graduation_year = forms.IntegerField(label="Graduation year")
    cgpa = forms.DecimalField(
        label="CGPA", max_digits=4, decimal_places=2, widget=forms.NumberInput({"step": "0.01"})
    )
    backlogs = forms.IntegerField(label="Backlogs", min_value=0, initial=0)
    tenth_pct = forms.DecimalField(
        label="10th marks (%)",
        required=False,
        min_value=0,
        max_value=100,
        decimal_places=2,
        widget=forms.NumberInput({"step": "0.01"}),
    )
    twelfth_board = forms.ChoiceField(
        label="After the 10th",
        choices=TwelfthBoard.choices,
        initial=TwelfthBoard.TWELFTH,
        required=False,
    )
    twelfth_pct = forms.DecimalField(
        label="12th or diploma marks (%)",
        required=False,
        min_value=0,
        max_value=100,
        decimal_places=2,
        widget=forms.NumberInput({"step": "0.01"}),
    )

    ACADEMIC = (
        "roll_number",
        "department",
        "graduation_year",
        "cgpa",
        "backlogs",
        "tenth_pct",
        "twelfth_board",
        "twelfth_pct",
    )

    def clean(self):
        data = super().clean()
        if not data.get("twelfth_board"):
            data.pop("twelfth_board", None)  # not sent: left as it is
        return data

    def lock_academic(self, note_id: str) -> None:
        """Shown as read-only: the service refuses changes to them while the profile is
        verified, and says so if a stale form sends one."""
        for name in self.ACADEMIC:
            self.fields[name].widget.attrs.update({"readonly": True, "aria-describedby": note_id})


def _details_initial(profile: dict | None, user: User) -> dict:
    if profile is None:
        return {"first_name": user.first_name, "last_name": user.last_name, "backlogs": 0}
    return {name: profile[name] for name in DetailsForm.base_fields}


@page(roles=STUDENT)
@require_http_methods(["GET", "HEAD", "POST"])
def profile_details(request):
    profile = profile_of(request.user)
    form = DetailsForm(request.POST or None, initial=_details_initial(profile, request.user))
    if profile is not None and profile["is_verified"]:
        form.lock_academic("academic-locked")
    if request.method == "POST" and form.is_valid():
        data = ProfileInput(data=form.cleaned_data, partial=profile is not None)
        try:
            data.is_valid(raise_exception=True)
            if profile is None:
                services.student_profile_create(user=request.user, **data.validated_data)
            else:
                services.student_update(student=profile["student"], **data.validated_data)
        except PAGE_ERRORS as error:
            attach_errors(form, error)
        else:
            messages.success(request, "Your details are saved.")
            return HttpResponseRedirect(reverse("student:profile"))
    context = {
        "form": form,
        "profile": profile,
        "verifier": _verifier(profile) if profile else "",
    }
    return render(request, "students/student/profile_details.html", context)


# --- Education and experience: lists of entries ---------------------------------------------------


class EducationForm(forms.Form):
    institution = forms.CharField(label="Institution", max_length=200)
    degree = forms.CharField(label="Degree", max_length=100, help_text="e.g. B.Tech, Class XII.")
    field_of_study = forms.CharField(label="Field of study", max_length=100, required=False)
    start_year = forms.IntegerField(label="From (year)", required=False)
    end_year = forms.IntegerField(label="To (year)", required=False, help_text="Empty: ongoing.")
    score = forms.CharField(
        label="Score", max_length=30, required=False, help_text="e.g. 8.7 CGPA, 92%."
    )


class ExperienceForm(forms.Form):
    organization = forms.CharField(label="Organisation", max_length=200)
    title = forms.CharField(label="Role", max_length=200)
    start_date = forms.DateField(label="From", widget=forms.DateInput({"type": "date"}))
    end_date = forms.DateField(
        label="To",
        required=False,
        help_text="Empty: ongoing.",
        widget=forms.DateInput({"type": "date"}),
    )
    description = forms.CharField(
        label="What you did", max_length=2000, required=False, widget=forms.Textarea({"rows": 3})
    )


ENTRY_LISTS = {
    "education": (EducationForm, EducationEntry, "Education", "An education entry"),
    "experience": (ExperienceForm, ExperienceEntry, "Experience", "An experience entry"),
}


def _entries_save(request, *, form, profile: dict, part: str, entries: list) -> bool:
    data = ProfileInput(data={part: entries}, partial=True)
    try:
        data.is_valid(raise_exception=True)
        services.student_update(student=profile["student"], **data.validated_data)
    except PAGE_ERRORS as error:
        attach_errors(form, error)
        return False
    return True


def _entries_page(request, part: str):
    form_class, entry_serializer, title, noun = ENTRY_LISTS[part]
    profile = profile_of(request.user)
    if profile is None:
        messages.info(request, "Start with your details: then add the rest.")
        return HttpResponseRedirect(reverse("student:profile-details"))
    entries = list(profile[part])
    adding = request.method == "POST" and "remove" not in request.POST
    form = form_class(request.POST if adding else None)  # unbound on GET: no errors yet
    if request.method == "POST":
        if "remove" in request.POST:
            index = request.POST["remove"]
            if index.isdigit() and int(index) < len(entries):
                del entries[int(index)]
                if _entries_save(request, form=form, profile=profile, part=part, entries=entries):
                    messages.success(request, f"{noun} was removed.")
            return HttpResponseRedirect(request.path)
        if form.is_valid():
            # the new entry alone first, so its errors land on its own fields
            entry = entry_serializer(data={k: v for k, v in form.cleaned_data.items() if v})
            try:
                entry.is_valid(raise_exception=True)
            except ValidationError as error:
                attach_errors(form, error)
            else:
                new = entry_serializer().to_representation(entry.validated_data)
                if _entries_save(
                    request, form=form, profile=profile, part=part, entries=[*entries, new]
                ):
                    messages.success(request, f"{noun} was added.")
                    return HttpResponseRedirect(request.path)
    context = {"form": form, "entries": entries, "part": part, "title": title}
    return render(request, "students/student/profile_entries.html", context)


@page(roles=STUDENT)
@require_http_methods(["GET", "HEAD", "POST"])
def profile_education(request):
    return _entries_page(request, "education")


@page(roles=STUDENT)
@require_http_methods(["GET", "HEAD", "POST"])
def profile_experience(request):
    return _entries_page(request, "experience")


# --- Skills -------------------------------------------------------------------------------------


class SkillForm(forms.Form):
    skill = forms.ModelChoiceField(
        label="Skill", queryset=Skill.objects.none(), empty_label="Choose a skill"
    )
    rating = forms.IntegerField(
        label="Your rating (1 to 10)",
        min_value=1,
        max_value=10,
        help_text="10: you could teach it; 5: you have used it in a project.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["skill"].queryset = Skill.objects.order_by("name")


@page(roles=STUDENT)
@require_http_methods(["GET", "HEAD", "POST"])
def profile_skills(request):
    profile = profile_of(request.user)
    if profile is None:
        messages.info(request, "Start with your details: then add the rest.")
        return HttpResponseRedirect(reverse("student:profile-details"))
    ratings = {skill["skill"]: skill["rating"] for skill in profile["skills"]}
    removing = "remove" in request.POST
    form = SkillForm(request.POST if request.method == "POST" and not removing else None)
    changed = None
    if removing and request.POST["remove"].isdigit():
        ratings.pop(int(request.POST["remove"]), None)
        changed = "The skill was removed."
    elif request.method == "POST" and form.is_valid():
        ratings[form.cleaned_data["skill"].pk] = form.cleaned_data["rating"]
        changed = f"{form.cleaned_data['skill'].name} is rated {form.cleaned_data['rating']}."
    if changed:
        data = ProfileInput(
            data={"skills": [{"skill": k, "rating": v} for k, v in ratings.items()]}, partial=True
        )
        try:
            data.is_valid(raise_exception=True)
            services.student_update(student=profile["student"], **data.validated_data)
        except PAGE_ERRORS as error:
            attach_errors(form, error)
        else:
            messages.success(request, changed)
            return HttpResponseRedirect(request.path)
    elif removing:
        return HttpResponseRedirect(request.path)
    context = {"form": form, "skills": profile["skills"]}
    return render(request, "students/student/profile_skills.html", context)


# --- Résumé ------------------------------------------------------------------------------------


class ResumeForm(forms.Form):
    file = forms.FileField(
        label="Your résumé",
        help_text="A PDF file.",
        widget=forms.ClearableFileInput({"accept": "application/pdf,.pdf"}),
    )


@page(roles=STUDENT)
@require_http_methods(["GET", "HEAD", "POST"])
def profile_resume(request):
    """Upload through the résumé endpoint's own checks: the declared size first, then the
    serializer, then the service (a PDF by content, the size and storage limits)."""
    profile = profile_of(request.user)
    if profile is None:
        messages.info(request, "Start with your details: then upload your résumé.")
        return HttpResponseRedirect(reverse("student:profile-details"))
    form = ResumeForm()
    if request.method == "POST":
        try:
            refuse_oversized_request(request)  # before the body is read
        except PlacemateError as error:
            context = {
                "form": form,
                "profile": profile,
                "upload_error": error.message,
                "max_mb": megabytes(max_pdf_bytes()),
            }
            return render(request, "students/student/profile_resume.html", context, status=413)
        if "delete" in request.POST:
            services.student_resume_delete(student=profile["student"])
            messages.success(request, "Your résumé was removed.")
            return HttpResponseRedirect(request.path)
        form = ResumeForm(request.POST, request.FILES)
        if form.is_valid():
            data = ResumeInput(data=request.FILES)
            try:
                data.is_valid(raise_exception=True)
                services.student_resume_upload(
                    student=profile["student"], upload=data.validated_data["file"]
                )
            except PAGE_ERRORS as error:
                attach_errors(form, error)
            else:
                messages.success(request, "Your résumé is uploaded.")
                return HttpResponseRedirect(reverse("student:profile"))
    context = {"form": form, "profile": profile, "max_mb": megabytes(max_pdf_bytes())}
    return render(request, "students/student/profile_resume.html", context)
