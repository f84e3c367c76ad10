"""The placement office's assessment pages: question banks and their questions, authoring an
assessment from a bank, and one assessment's results with the action that moves the qualifying
applicants on. Input is validated by the API's serializers and written by `services`."""

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.db.models import F, Q, QuerySet
from django.shortcuts import get_object_or_404, redirect, render
from rest_framework.exceptions import ValidationError

from core.api.errors import PlacemateError
from core.web.decorators import OFFICE, page
from core.web.forms import attach_errors
from tenant_apps.access import applications_for, assessments_for, drives_for
from tenant_apps.assessments import services
from tenant_apps.assessments.filters import (
    ASSESSMENT_ORDERING_FIELDS,
    ASSESSMENT_SEARCH_FIELDS,
    BANK_ORDERING_FIELDS,
    BANK_SEARCH_FIELDS,
    QUESTION_SEARCH_FIELDS,
    AssessmentFilter,
)
from tenant_apps.assessments.models import (
    AssessmentQuestion,
    AssessmentStatus,
    Attempt,
    Question,
    QuestionBank,
    QuestionKind,
)
from tenant_apps.assessments.selectors import (
    ASSESSMENT_READ_MODEL,
    ATTEMPT_READ_MODEL,
    BANK_READ_MODEL,
    QUESTION_READ_MODEL,
    assessment_output,
    attempt_output,
    bank_output,
    question_output,
)
from tenant_apps.assessments.serializers import (
    ADVANCE_CHOICES,
    AdvanceInput,
    AssessmentInput,
    QuestionBankInput,
    QuestionChangeInput,
    QuestionInput,
)
from tenant_apps.drives.models import DriveRound
from tenant_apps.kit.pages import QuickSelect, filtered, ordered, page_of, searched

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"
NEW_QUESTION_CHOICES = 4  # rows offered for a new question's choices (blank rows are ignored)


def _datetime_field(label: str, **kwargs) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        input_formats=[DATETIME_LOCAL],
        widget=forms.DateTimeInput({"type": "datetime-local"}, format=DATETIME_LOCAL),
        **kwargs,
    )


def _iso(value) -> str | None:
    return value.isoformat() if value else None


# --- Assessments ------------------------------------------------------------------------------


class AssessmentFilterForm(forms.Form):
    q = forms.CharField(label="Search", required=False, widget=forms.TextInput({"type": "search"}))
    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "Any status"), *AssessmentStatus.choices]
    )
    drive = forms.TypedChoiceField(label="Drive", coerce=int, required=False, widget=QuickSelect)

    def __init__(self, *args, drives: list[tuple], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["drive"].choices = [("", "All drives"), *drives]


def _drives(user, *, among: QuerySet | None = None, chosen: str = "") -> list[tuple]:
    """The caller's drives to choose from: all, or those `among` (ids) and the one `chosen`."""
    drives = drives_for(user).alive()
    if among is not None:
        wanted = Q(pk__in=among)
        if chosen.isdigit():
            wanted |= Q(pk=chosen)
        drives = drives.filter(wanted)
    rows = drives.order_by("-id").values("id", "title", "company__name")
    return [(row["id"], f"{row['title']} · {row['company__name']}") for row in rows]


@page(roles=OFFICE)
def assessment_list(request):
    scope = assessments_for(request.user).alive()
    # The filter lists the drives that have an assessment (and the one chosen), not the
    # thousand drives of a big college.
    drives = _drives(
        request.user, among=scope.values("drive_id"), chosen=request.GET.get("drive", "")
    )
    form = AssessmentFilterForm(request.GET or None, drives=drives)
    assessments = filtered(scope, AssessmentFilter, request.GET)
    assessments = searched(assessments, ASSESSMENT_SEARCH_FIELDS, request.GET.get("q", ""))
    ordering = request.GET.get("ordering", "")
    assessments = ordered(assessments, ordering, ASSESSMENT_ORDERING_FIELDS, ("-id",))
    page_obj = page_of(request, assessments, ASSESSMENT_READ_MODEL)
    context = {
        "form": form,
        "page_obj": page_obj,
        "assessments": [assessment_output(row, with_questions=False) for row in page_obj],
        "filtered": bool(request.GET.keys() - {"page", "ordering"}),
    }
    template = "assessments/pages/assessment_rows.html" if request.htmx else None
    return render(request, template or "assessments/pages/assessments.html", context)


class AssessmentForm(forms.Form):
    title = forms.CharField(label="Title", max_length=200)
    description = forms.CharField(
        label="Instructions", required=False, widget=forms.Textarea({"rows": 3})
    )
    bank = forms.TypedChoiceField(
        label="Question bank",
        coerce=int,
        required=False,
        help_text="The assessment asks every question of the bank, each attempt in its own order.",
    )
    time_limit_minutes = forms.IntegerField(label="Time limit (minutes)", initial=30)
    pass_marks = forms.DecimalField(label="Pass marks", initial=Decimal("0"))
    opens_at = _datetime_field("Opens", required=False, help_text="Empty: open once published.")
    closes_at = _datetime_field("Closes", required=False, help_text="Empty: no closing time.")
    drive = forms.TypedChoiceField(
        label="Drive", coerce=int, required=False, empty_value=None, widget=QuickSelect,
        help_text="Tied to a drive, it is for the drive's applicants only.",
    )  # fmt: skip
    # Any round id: the service says when it is not one of the drive's (the list shows those
    # of the chosen drive only, not the thousands of a big college).
    round = forms.IntegerField(
        label="Round of the drive", required=False, widget=QuickSelect,
        help_text="The rounds of the drive chosen above.",
    )  # fmt: skip
    publish = forms.BooleanField(label="Published: students can see and take it", required=False)

    def __init__(self, *args, user, rounds_url: str, editing: bool, **kwargs):
        super().__init__(*args, **kwargs)
        banks = QuestionBank.objects.order_by("name", "id").values("id", "name")
        self.fields["bank"].choices = [
            ("", "Keep the questions" if editing and self.initial.get("bank") else "Choose a bank"),
            *[(bank["id"], bank["name"]) for bank in banks],
        ]
        drives = _drives(user)
        self.fields["drive"].choices = [("", "No drive: for every student"), *drives]
        self.fields["drive"].widget.attrs.update(
            {"hx-get": rounds_url, "hx-target": "#assessment-round", "hx-swap": "outerHTML"}
        )
        chosen = str(self["drive"].value() or "")
        chosen = int(chosen) if chosen.isdigit() and int(chosen) in dict(drives) else None
        rounds = DriveRound.objects.filter(drive_id=chosen)
        self.fields["round"].widget.choices = [
            ("", "No round"),
            *[
                (round_.pk, f"{round_.sequence}. {round_}")
                for round_ in rounds.order_by("sequence", "id")
            ],
        ]


def _bank_question_ids(bank_id: int) -> list[int]:
    questions = Question.objects.filter(bank_id=bank_id).order_by("id")
    return list(questions.values_list("pk", flat=True))


def _assessment_payload(form: AssessmentForm, *, current: list[int] | None) -> dict:
    """The form as the API's `AssessmentInput` takes it; the questions only when they change."""
    data = form.cleaned_data
    payload = {
        "title": data["title"],
        "description": data["description"],
        "time_limit_minutes": data["time_limit_minutes"],
        "pass_marks": str(data["pass_marks"]),
        "opens_at": _iso(data["opens_at"]),
        "closes_at": _iso(data["closes_at"]),
        "drive": data["drive"],
        "round": data["round"],
        "status": AssessmentStatus.PUBLISHED if data["publish"] else AssessmentStatus.DRAFT,
    }
    if data["bank"]:
        questions = _bank_question_ids(data["bank"])
        if questions != current:
            payload["questions"] = questions
    return payload


def _assessment_form(request, *, initial: dict, editing: bool) -> AssessmentForm:
    """The form as posted; or, to list the rounds of another drive (the drive select's htmx
    request, or the button that does it without script), unbound with what was typed."""
    kwargs = {"user": request.user, "rounds_url": request.path, "editing": editing}
    if request.method == "POST" and "list_rounds" not in request.POST:
        return AssessmentForm(request.POST, initial=initial, **kwargs)
    if request.method == "POST":
        initial = {**initial, **request.POST.dict()}
    elif "drive" in request.GET:
        initial = {**initial, "drive": request.GET["drive"]}
    return AssessmentForm(initial=initial, **kwargs)


def _assessment_form_page(request, form: AssessmentForm, assessment=None):
    """The form's page; only its round field for the drive select's htmx request."""
    rounds_only = request.htmx and request.htmx.target == "assessment-round"
    template = "_round_field.html" if rounds_only else "assessment_form.html"
    context = {"form": form, "assessment": assessment}
    return render(request, "assessments/pages/" + template, context)


@page(roles=OFFICE)
def assessment_new(request):
    form = _assessment_form(request, initial={}, editing=False)
    if form.is_bound and form.is_valid():
        try:
            if not form.cleaned_data["bank"]:
                raise ValidationError({"bank": ["Choose the bank of the assessment's questions."]})
            data = AssessmentInput(data=_assessment_payload(form, current=None))
            data.is_valid(raise_exception=True)
            assessment = services.assessment_create(**data.validated_data)
        except (ValidationError, PlacemateError) as error:
            attach_errors(form, error)
        else:
            messages.success(request, f"“{assessment.title}” is saved.")
            return redirect("office:assessment", pk=assessment.pk)
    return _assessment_form_page(request, form)


def _question_ids(assessment) -> list[int]:
    return list(
        AssessmentQuestion.objects.filter(assessment=assessment)
        .order_by("position", "id")
        .values_list("question_id", flat=True)
    )


@page(roles=OFFICE)
def assessment_edit(request, pk: int):
    assessment = get_object_or_404(assessments_for(request.user).alive(), pk=pk)
    current = _question_ids(assessment)
    first = Question.all_objects.filter(pk__in=current[:1]).values_list("bank_id", flat=True)
    initial = {
        "title": assessment.title,
        "description": assessment.description,
        "bank": first[0] if first else None,
        "time_limit_minutes": assessment.time_limit_minutes,
        "pass_marks": assessment.pass_marks,
        "opens_at": assessment.opens_at,
        "closes_at": assessment.closes_at,
        "drive": assessment.drive_id,
        "round": assessment.round_id,
        "publish": assessment.status == AssessmentStatus.PUBLISHED,
    }
    form = _assessment_form(request, initial=initial, editing=True)
    if form.is_bound and form.is_valid():
        data = AssessmentInput(data=_assessment_payload(form, current=current), partial=True)
        try:
            data.is_valid(raise_exception=True)
            services.assessment_update(assessment=assessment, **data.validated_data)
        except (ValidationError, PlacemateError) as error:
            attach_errors(form, error)
        else:
            messages.success(request, f"“{form.cleaned_data['title']}” is saved.")
            return redirect("office:assessment", pk=assessment.pk)
    return _assessment_form_page(request, form, assessment)


class AdvanceForm(forms.Form):
    status = forms.ChoiceField(label="Move them to", choices=ADVANCE_CHOICES)
    cutoff = forms.DecimalField(
        label="Lowest qualifying score",
        required=False,
        help_text="Empty: the pass marks.",
    )
    note = forms.CharField(label="Note", required=False, max_length=500)


@page(roles=OFFICE)
def assessment_detail(request, pk: int):
    assessment = get_object_or_404(assessments_for(request.user).alive(), pk=pk)
    form = AdvanceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = AdvanceInput(data=form.cleaned_data)
        try:
            data.is_valid(raise_exception=True)
            moved = services.assessment_advance(
                assessment=assessment,
                scope=applications_for(request.user),
                actor=request.user,
                **data.validated_data,
            )
        except (ValidationError, PlacemateError) as error:
            attach_errors(form, error)
        else:
            label = dict(ADVANCE_CHOICES)[data.validated_data["status"]].lower()
            if moved:
                messages.success(request, f"Moved {len(moved)} applicant(s) to {label}.")
            else:
                messages.info(request, "No applicant needed moving: none qualifies or all have.")
            return redirect("office:assessment", pk=assessment.pk)
    attempts = Attempt.objects.filter(assessment=assessment)
    services.attempts_finalise_overdue(attempts=attempts)
    page_obj = page_of(
        request, attempts.order_by(F("score").desc(nulls_last=True), "id"), ATTEMPT_READ_MODEL
    )
    (row,) = ASSESSMENT_READ_MODEL.rows([assessment.pk])
    context = {
        "assessment": assessment_output(row, with_questions=False),
        "page_obj": page_obj,
        "attempts": [attempt_output(attempt) for attempt in page_obj],
        "form": form,
    }
    return render(request, "assessments/pages/assessment.html", context)


# --- Question banks and questions ---------------------------------------------------------------


class BankForm(forms.Form):
    name = forms.CharField(label="Name", max_length=200)
    description = forms.CharField(
        label="Description", required=False, widget=forms.Textarea({"rows": 2})
    )


@page(roles=OFFICE)
def bank_list(request):
    form = BankForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = QuestionBankInput(data=form.cleaned_data)
        try:
            data.is_valid(raise_exception=True)
            bank = services.question_bank_create(**data.validated_data)
        except (ValidationError, PlacemateError) as error:
            attach_errors(form, error)
        else:
            messages.success(request, f"The bank “{bank.name}” is created: add its questions.")
            return redirect("office:bank", pk=bank.pk)
    banks = searched(QuestionBank.objects.all(), BANK_SEARCH_FIELDS, request.GET.get("q", ""))
    ordering = request.GET.get("ordering", "")
    page_obj = page_of(
        request, ordered(banks, ordering, BANK_ORDERING_FIELDS, ("name", "id")), BANK_READ_MODEL
    )
    context = {
        "form": form,
        "page_obj": page_obj,
        "banks": [bank_output(row) for row in page_obj],
    }
    return render(request, "assessments/pages/banks.html", context)


@page(roles=OFFICE)
def bank_detail(request, pk: int):
    bank = get_object_or_404(QuestionBank.objects.all(), pk=pk)
    questions = searched(
        Question.objects.filter(bank=bank), QUESTION_SEARCH_FIELDS, request.GET.get("q", "")
    )
    page_obj = page_of(request, questions.order_by("id"), QUESTION_READ_MODEL)
    context = {
        "bank": bank,
        "page_obj": page_obj,
        "questions": [question_output(row) for row in page_obj],
        "first_number": page_obj.start_index(),
    }
    return render(request, "assessments/pages/bank.html", context)


class QuestionForm(forms.Form):
    text = forms.CharField(label="Question", widget=forms.Textarea({"rows": 3}))
    kind = forms.ChoiceField(label="Answer", choices=QuestionKind.choices)
    marks = forms.DecimalField(label="Marks", initial=Decimal("1"))
    negative_marks = forms.DecimalField(
        label="Negative marks",
        initial=Decimal("0"),
        help_text="Taken off when the answer is wrong; at most the marks.",
    )

    def __init__(self, *args, rows: int, **kwargs):
        super().__init__(*args, **kwargs)
        for i in range(rows):
            self.fields[f"choice_{i}"] = forms.CharField(
                label=f"Choice {i + 1}", required=False, max_length=1000
            )
            self.fields[f"correct_{i}"] = forms.BooleanField(
                label=f"Choice {i + 1} is correct", required=False
            )
        self.rows = rows

    def choice_rows(self) -> list[tuple]:
        return [(self[f"choice_{i}"], self[f"correct_{i}"]) for i in range(self.rows)]

    def payload(self) -> dict:
        """The question as the API's input takes it (blank choice rows left out)."""
        data = self.cleaned_data
        choices = [
            {"text": data[f"choice_{i}"], "is_correct": data[f"correct_{i}"]}
            for i in range(self.rows)
            if data[f"choice_{i}"].strip()
        ]
        return {
            "text": data["text"],
            "kind": data["kind"],
            "marks": str(data["marks"]),
            "negative_marks": str(data["negative_marks"]),
            "choices": choices,
        }


@page(roles=OFFICE)
def question_new(request, pk: int):
    bank = get_object_or_404(QuestionBank.objects.all(), pk=pk)
    form = QuestionForm(request.POST or None, rows=services.MAX_CHOICES)
    if request.method == "POST" and form.is_valid():
        data = QuestionInput(data={**form.payload(), "bank": bank.pk})
        try:
            data.is_valid(raise_exception=True)
            services.question_create(**data.validated_data)
        except (ValidationError, PlacemateError) as error:
            attach_errors(form, error)
        else:
            messages.success(request, "The question is added.")
            if "add_another" in request.POST:
                return redirect("office:question-new", pk=bank.pk)
            return redirect("office:bank", pk=bank.pk)
    context = {"form": form, "bank": bank, "shown": NEW_QUESTION_CHOICES}
    return render(request, "assessments/pages/question_form.html", context)


@page(roles=OFFICE)
def question_edit(request, pk: int):
    question = get_object_or_404(Question.objects.select_related("bank"), pk=pk)
    choices = list(question.choices.order_by("position", "id").values("text", "is_correct"))
    initial = {
        "text": question.text,
        "kind": question.kind,
        "marks": question.marks,
        "negative_marks": question.negative_marks,
    }
    for i, choice in enumerate(choices):
        initial.update({f"choice_{i}": choice["text"], f"correct_{i}": choice["is_correct"]})
    form = QuestionForm(request.POST or None, initial=initial, rows=services.MAX_CHOICES)
    if request.method == "POST" and form.is_valid():
        data = QuestionChangeInput(data=form.payload())
        try:
            data.is_valid(raise_exception=True)
            services.question_update(question=question, **data.validated_data)
        except (ValidationError, PlacemateError) as error:
            attach_errors(form, error)
        else:
            messages.success(request, "The question is saved.")
            return redirect("office:bank", pk=question.bank_id)
    context = {
        "form": form,
        "bank": question.bank,
        "question": question,
        "shown": max(len(choices) + 1, NEW_QUESTION_CHOICES),
    }
    return render(request, "assessments/pages/question_form.html", context)
