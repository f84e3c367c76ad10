from decimal import Decimal

from django.db.models import F
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.decorators import action
from rest_framework.exceptions import MethodNotAllowed, NotFound
from rest_framework.response import Response

from core.api.errors import Conflict
from tenant_apps.access import applications_for, assessments_for, attempts_for
from tenant_apps.assessments import services
from tenant_apps.assessments.filters import (
    ASSESSMENT_ORDERING_FIELDS,
    ASSESSMENT_SEARCH_FIELDS,
    ATTEMPT_ORDERING_FIELDS,
    ATTEMPT_SEARCH_FIELDS,
    BANK_ORDERING_FIELDS,
    BANK_SEARCH_FIELDS,
    QUESTION_ORDERING_FIELDS,
    QUESTION_SEARCH_FIELDS,
    AssessmentFilter,
    AttemptFilter,
    QuestionFilter,
)
from tenant_apps.assessments.models import Assessment, Attempt, Question, QuestionBank
from tenant_apps.assessments.selectors import (
    ASSESSMENT_READ_MODEL,
    ATTEMPT_READ_MODEL,
    BANK_READ_MODEL,
    QUESTION_READ_MODEL,
    assessment_output,
    attempt_current_question,
    attempt_output,
    attempt_review,
    bank_output,
    question_output,
)
from tenant_apps.assessments.serializers import (
    AdvanceInput,
    AdvanceOutput,
    AnswerInput,
    AssessmentInput,
    AssessmentOutput,
    AttemptOutput,
    NextOutput,
    QuestionBankInput,
    QuestionBankOutput,
    QuestionChangeInput,
    QuestionInput,
    QuestionOutput,
    ResultOutput,
)
from tenant_apps.kit.permissions import ALL, STAFF, STAFF_AND_RECRUITER, STUDENT, ActionRoles
from tenant_apps.kit.viewsets import FILTER_BACKENDS, ReadModelViewSet, paginated_rows
from tenant_apps.students.selectors import student_of

ATTEMPT_CLOSED = (
    "`400 attempt_closed`: the attempt has ended (submitted, or its deadline passed: it is then "
    "submitted and scored by this very call)."
)


@extend_schema_view(
    list=extend_schema(responses=QuestionBankOutput(many=True)),
    retrieve=extend_schema(responses=QuestionBankOutput),
    create=extend_schema(request=QuestionBankInput, responses={201: QuestionBankOutput}),
    partial_update=extend_schema(request=QuestionBankInput, responses=QuestionBankOutput),
    restore=extend_schema(responses=QuestionBankOutput),
)
class QuestionBankViewSet(ReadModelViewSet):
    """Staff: banks of questions to build assessments from."""

    queryset = QuestionBank.objects.all()
    serializer_class = QuestionBankOutput
    search_fields = BANK_SEARCH_FIELDS
    ordering_fields = BANK_ORDERING_FIELDS
    lookup_value_regex = r"\d+"
    action_roles = {"*": STAFF}
    read_model = BANK_READ_MODEL
    # the banks' question counts are read from the questions: adding one changes the page
    datacache_models = ("assessments.QuestionBank", "assessments.Question", "accounts.User")

    def to_output(self, row):
        return bank_output(row)

    def create(self, request, *args, **kwargs):
        data = QuestionBankInput(data=request.data)
        data.is_valid(raise_exception=True)
        bank = services.question_bank_create(**data.validated_data)
        return Response(self.output_for(bank.pk), status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        bank = self.get_object()
        data = QuestionBankInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        services.question_bank_update(bank=bank, **data.validated_data)
        return Response(self.output_for(bank.pk))


@extend_schema_view(
    list=extend_schema(responses=QuestionOutput(many=True)),
    retrieve=extend_schema(responses=QuestionOutput),
    create=extend_schema(request=QuestionInput, responses={201: QuestionOutput}),
    partial_update=extend_schema(request=QuestionChangeInput, responses=QuestionOutput),
    restore=extend_schema(responses=QuestionOutput),
)
class QuestionViewSet(ReadModelViewSet):
    """Staff: multiple-choice questions with their correct choices (which students never see
    before their attempt ends). A question students have attempted no longer changes (409)."""

    queryset = Question.objects.all()
    serializer_class = QuestionOutput
    filterset_class = QuestionFilter
    search_fields = QUESTION_SEARCH_FIELDS
    ordering_fields = QUESTION_ORDERING_FIELDS
    lookup_value_regex = r"\d+"
    action_roles = {"*": STAFF}
    read_model = QUESTION_READ_MODEL
    datacache_models = (
        "assessments.Question",
        "assessments.Choice",  # the read model's choices
        "assessments.QuestionBank",
        "accounts.User",
    )

    def to_output(self, row):
        return question_output(row)

    def perform_destroy(self, instance):
        services.question_delete(question=instance)

    def create(self, request, *args, **kwargs):
        data = QuestionInput(data=request.data)
        data.is_valid(raise_exception=True)
        question = services.question_create(**data.validated_data)
        return Response(self.output_for(question.pk), status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        question = self.get_object()
        data = QuestionChangeInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.question_update(question=question, **data.validated_data)
        return Response(self.output_for(question.pk))


@extend_schema_view(
    list=extend_schema(responses=AssessmentOutput(many=True)),
    retrieve=extend_schema(responses=AssessmentOutput),
    create=extend_schema(request=AssessmentInput, responses={201: AssessmentOutput}),
    partial_update=extend_schema(request=AssessmentInput, responses=AssessmentOutput),
    restore=extend_schema(responses=AssessmentOutput),
)
class AssessmentViewSet(ReadModelViewSet):
    """Timed multiple-choice assessments. Staff author them (the plan must include
    assessments: `402 plan_limit_reached` otherwise); recruiters read those of their company's
    drives; a student sees the published ones open to them (tied to a drive: with an open
    application to it) and starts their one attempt."""

    queryset = Assessment.objects.all()
    serializer_class = AssessmentOutput
    filterset_class = AssessmentFilter
    search_fields = ASSESSMENT_SEARCH_FIELDS
    ordering_fields = ASSESSMENT_ORDERING_FIELDS
    lookup_value_regex = r"\d+"
    action_roles = {
        "list": ALL,
        "retrieve": ALL,
        "start": STUDENT,
        "advance": STAFF,
        "*": STAFF,
    }
    read_model = ASSESSMENT_READ_MODEL
    datacache_models = (
        "assessments.Assessment",
        # the read model's questions and rounds
        "assessments.AssessmentQuestion",
        "assessments.Question",
        "drives.DriveRound",
        "assessments.Attempt",
        "applications.Application",
        "drives.Drive",
        "companies.Company",
        "companies.Recruiter",
        "students.Student",
        "accounts.User",
    )

    def get_base_queryset(self):
        return assessments_for(self.request.user)

    def to_output(self, row):
        return assessment_output(row, with_questions=self.request.user.role in STAFF)

    def create(self, request, *args, **kwargs):
        data = AssessmentInput(data=request.data)
        data.is_valid(raise_exception=True)
        assessment = services.assessment_create(**data.validated_data)
        return Response(self.output_for(assessment.pk), status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        assessment = self.get_object()
        data = AssessmentInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        services.assessment_update(assessment=assessment, **data.validated_data)
        return Response(self.output_for(assessment.pk))

    @extend_schema(
        request=None,
        responses={
            201: AttemptOutput,
            200: OpenApiResponse(AttemptOutput, description="The attempt already running."),
        },
        description=(
            "Starts the student's one attempt, its questions shuffled for it alone; then "
            "`attempts/{id}/next/`. Again while it runs: 200 with it; once it ended: `409 "
            "conflict`. Outside the assessment's window: `400 assessment_closed`."
        ),
    )
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        assessment = self.get_object()
        student = student_of(request.user)
        if student is None:
            raise NotFound("Create your profile (students/me/) first.")
        attempt, created = services.attempt_start(assessment=assessment, student=student)
        rows = ATTEMPT_READ_MODEL.rows([attempt.pk])
        return Response(attempt_output(rows[0]), status=status.HTTP_201_CREATED if created else 200)

    @extend_schema(
        request=AdvanceInput,
        responses=AdvanceOutput,
        description=(
            "Moves the open applications to the assessment's drive of the students who scored "
            "at least `cutoff` (default: the pass marks) to `status`, all or nothing (`400 "
            "invalid_transition` names those that cannot move). Applications already at "
            "`status` or further stay as they are. Overdue attempts are scored first."
        ),
    )
    @action(detail=True, methods=["post"])
    def advance(self, request, pk=None):
        assessment = self.get_object()
        data = AdvanceInput(data=request.data)
        data.is_valid(raise_exception=True)
        cutoff = data.validated_data.get("cutoff")
        cutoff = assessment.pass_marks if cutoff is None else cutoff
        moved = services.assessment_advance(
            assessment=assessment,
            scope=applications_for(request.user),
            actor=request.user,
            status=data.validated_data["status"],
            cutoff=cutoff,
            note=data.validated_data["note"],
        )
        return Response(
            {
                "moved": moved,
                "status": data.validated_data["status"],
                "cutoff": str(cutoff.quantize(Decimal("0.01"))),
            }
        )


class AssessmentResultsApi(generics.ListAPIView):
    """Staff, and recruiters of the assessment's drive: the attempts at one assessment, best
    score first (overdue attempts are scored first)."""

    queryset = Attempt.objects.none()
    permission_classes = [ActionRoles]
    filter_backends = FILTER_BACKENDS
    action_roles = {"*": STAFF_AND_RECRUITER}
    filterset_class = AttemptFilter
    search_fields = ATTEMPT_SEARCH_FIELDS
    ordering_fields = ATTEMPT_ORDERING_FIELDS

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        assessment = get_object_or_404(
            assessments_for(self.request.user).alive(), pk=self.kwargs["pk"]
        )
        attempts = Attempt.objects.filter(assessment=assessment)
        services.attempts_finalise_overdue(attempts=attempts)
        return attempts.order_by(F("score").desc(nulls_last=True), "id")

    @extend_schema(responses=AttemptOutput(many=True))
    def get(self, request, *args, **kwargs):
        page = paginated_rows(self, self.filter_queryset(self.get_queryset()), ATTEMPT_READ_MODEL)
        return self.get_paginated_response([attempt_output(row) for row in page])


@extend_schema_view(
    list=extend_schema(responses=AttemptOutput(many=True)),
    retrieve=extend_schema(responses=AttemptOutput),
    create=extend_schema(exclude=True),
    restore=extend_schema(responses=AttemptOutput),
)
class AttemptViewSet(ReadModelViewSet):
    """Attempts at assessments: a student's own (they start one at `assessments/{id}/start/`),
    staff all, recruiters those at their company's drives. Questions come one at a time
    (`next/`), are answered in turn (`answer/`), and the attempt ends on `submit/` or at its
    deadline. Correct answers show only once it has ended (`result/`). Staff may delete an
    attempt (soft) to let the student start again."""

    queryset = Attempt.objects.all()
    serializer_class = AttemptOutput
    filterset_class = AttemptFilter
    search_fields = ATTEMPT_SEARCH_FIELDS
    ordering_fields = ATTEMPT_ORDERING_FIELDS
    lookup_value_regex = r"\d+"
    output_is_timeless = False  # see to_output: it reads the clock
    http_method_names = ["get", "post", "delete", "options"]
    action_roles = {
        "list": ALL,
        "retrieve": ALL,
        "result": ALL,
        "next": STUDENT,
        "answer": STUDENT,
        "submit": STUDENT,
        "*": STAFF,  # destroy, restore
    }
    read_model = ATTEMPT_READ_MODEL
    datacache_models = (
        "assessments.Attempt",
        "assessments.Assessment",
        "applications.Application",
        "drives.Drive",
        "companies.Company",
        "companies.Recruiter",
        "students.Student",
        "accounts.User",
    )

    def get_base_queryset(self):
        return attempts_for(self.request.user)

    def to_output(self, row):
        return attempt_output(row)

    def create(self, request, *args, **kwargs):
        raise MethodNotAllowed("POST", detail="Start an attempt at assessments/{id}/start/.")

    def _next(self, attempt: Attempt) -> dict:
        return {
            "attempt": self.output_for(attempt.pk),
            "question": attempt_current_question(attempt),
        }

    @extend_schema(
        responses=NextOutput,
        description=(
            "The question the student is on (its choices in this attempt's order, without "
            "which are correct), or null once all are answered or the attempt ended."
        ),
    )
    @action(detail=True, methods=["get"])
    def next(self, request, pk=None):
        attempt = services.attempt_refresh(attempt=self.get_object())
        return Response(self._next(attempt))

    @extend_schema(
        request=AnswerInput,
        responses=NextOutput,
        description=(
            "Answers the current question (`question`: its id) and returns the next one. "
            "Questions are answered once, in turn: another question is `400 validation_error`. "
            + ATTEMPT_CLOSED
        ),
    )
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        attempt = self.get_object()
        data = AnswerInput(data=request.data)
        data.is_valid(raise_exception=True)
        attempt = services.attempt_answer(
            attempt=attempt,
            question_id=data.validated_data["question"],
            choice_ids=data.validated_data["choices"],
        )
        return Response(self._next(attempt))

    @extend_schema(
        request=None,
        responses=AttemptOutput,
        description="Ends the attempt and scores it (again: the attempt as it is).",
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        attempt = services.attempt_submit(attempt=self.get_object())
        return Response(self.output_for(attempt.pk))

    @extend_schema(
        responses=ResultOutput,
        description=(
            "An ended attempt question by question, with the correct choices, the selected ones "
            "and the marks awarded. `409 conflict` while the attempt runs."
        ),
    )
    @action(detail=True, methods=["get"])
    def result(self, request, pk=None):
        attempt = services.attempt_refresh(attempt=self.get_object())
        if attempt.is_running:
            raise Conflict("The attempt is still running: its result shows once it ends.")
        return Response({"attempt": self.output_for(attempt.pk), "review": attempt_review(attempt)})
