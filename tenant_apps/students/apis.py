from django.conf import settings
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from core.accounts.adapter import college_link
from core.api.viewsets import SoftDeleteModelViewSet
from tenant_apps.access import students_for
from tenant_apps.kit.exports import (
    ExportSchema,
    export_parameters,
    export_request,
    export_response,
)
from tenant_apps.kit.files import MULTIPART_OVERHEAD, private_pdf_response, refuse_oversized_request
from tenant_apps.kit.jobs import job_output
from tenant_apps.kit.permissions import ALL, STAFF, STUDENT, ActionRoles
from tenant_apps.kit.viewsets import FILTER_BACKENDS, ReadModelViewSet
from tenant_apps.students import services, transfer, verification
from tenant_apps.students.exports import STUDENT_EXPORT_COLUMNS, STUDENT_EXPORT_DEFAULT
from tenant_apps.students.filters import (
    STUDENT_ORDERING_FIELDS,
    STUDENT_SEARCH_FIELDS,
    StudentFilter,
)
from tenant_apps.students.models import Skill, Student, StudentImport
from tenant_apps.students.selectors import (
    SKILL_READ_MODEL,
    STUDENT_READ_MODEL,
    skill_output,
    student_of,
    student_output,
)
from tenant_apps.students.serializers import (
    MyVerificationOutput,
    ProfileInput,
    ResumeInput,
    SkillSerializer,
    StudentCreateInput,
    StudentImportInput,
    StudentImportJobOutput,
    StudentImportResultOutput,
    StudentOutput,
    VerificationReturnInput,
    VerifyBulkInput,
    VerifyBulkOutput,
)

PDF_RESPONSE = OpenApiResponse(description="The PDF file (attachment).")


@extend_schema_view(
    list=extend_schema(responses=StudentOutput(many=True)),
    retrieve=extend_schema(responses=StudentOutput),
    create=extend_schema(request=StudentCreateInput, responses={201: StudentOutput}),
    partial_update=extend_schema(request=ProfileInput, responses=StudentOutput),
    restore=extend_schema(responses=StudentOutput),
)
class StudentViewSet(ReadModelViewSet):
    """Students' placement profiles. Staff see and manage all; a student sees and edits their
    own (`me/`); a recruiter sees the students who applied to their company's drives."""

    queryset = Student.objects.all()
    serializer_class = StudentOutput  # documents the output; rows are shaped in selectors
    filterset_class = StudentFilter
    search_fields = STUDENT_SEARCH_FIELDS
    ordering_fields = STUDENT_ORDERING_FIELDS
    lookup_value_regex = r"\d+"
    action_roles = {
        "list": ALL,
        "retrieve": ALL,
        "resume": ALL,
        "resume_upload": STAFF | STUDENT,
        "resume_delete": STAFF | STUDENT,
        "me": STUDENT,
        "me_update": STUDENT,
        "me_create": STUDENT,
        "my_verification": STUDENT,
        "my_verification_submit": STUDENT,
        # create, partial_update, destroy, restore, verify, unverify, verify_bulk, send_back
        "*": STAFF,
    }

    def get_base_queryset(self):
        return students_for(self.request.user)

    read_model = STUDENT_READ_MODEL
    datacache_models = (
        "students.StudentSkill",
        "students.Skill",
        "applications.Application",
        "drives.Drive",
        "companies.Company",
        "companies.Recruiter",
        "students.Student",
        "accounts.User",
    )

    def to_output(self, row):
        return student_output(row)

    def perform_content_negotiation(self, request, force=False):
        # The résumé answers a file; its errors answer JSON whatever the Accept header says.
        return super().perform_content_negotiation(request, force=True)

    def create(self, request, *args, **kwargs):
        data = StudentCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        student = services.student_create(request=request, **data.validated_data)
        return Response(self.output_for(student.pk), status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        student = self.get_object()
        data = ProfileInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        services.student_update(student=student, **data.validated_data)
        return Response(self.output_for(student.pk))

    @extend_schema(request=None, responses=StudentOutput)
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        student = verification.verification_approve(student=self.get_object(), actor=request.user)
        return Response(self.output_for(student.pk))

    @extend_schema(request=None, responses=StudentOutput)
    @action(detail=True, methods=["post"])
    def unverify(self, request, pk=None):
        student = verification.verification_unverify(student=self.get_object())
        return Response(self.output_for(student.pk))

    @extend_schema(request=VerificationReturnInput, responses=StudentOutput)
    @action(detail=True, methods=["post"], url_path="send-back")
    def send_back(self, request, pk=None):
        """Back to the student with a comment (mailed); a verified profile is unverified."""
        data = VerificationReturnInput(data=request.data)
        data.is_valid(raise_exception=True)
        student = verification.verification_return(
            student=self.get_object(), actor=request.user, **data.validated_data
        )
        return Response(self.output_for(student.pk))

    @extend_schema(
        request=VerifyBulkInput, responses=VerifyBulkOutput, operation_id="students_verify_bulk"
    )
    @action(detail=False, methods=["post"], url_path="verify")
    def verify_bulk(self, request):
        """Verifies many students in one request (all or nothing: an id outside the college is
        `400` and none is verified). The verification queue is
        `GET students/?verification_status=submitted&ordering=verification_submitted_at`."""
        data = VerifyBulkInput(data=request.data)
        data.is_valid(raise_exception=True)
        ids = set(data.validated_data["ids"])
        scope = self.get_base_queryset().alive().filter(pk__in=ids)
        found = set(scope.values_list("pk", flat=True))
        if found != ids:
            raise ValidationError({"ids": [f"Not found: {sorted(ids - found)}."]})
        verified = services.students_verify(students=scope, actor=request.user)
        return Response({"verified": verified, "already_verified": len(ids) - len(verified)})

    # --- The signed-in student's own profile -----------------------------------------------

    def _my_verification(self, student: Student) -> dict:
        return {
            "status": student.verification_status,
            "status_label": student.get_verification_status_display(),
            "submitted_at": student.verification_submitted_at,
            "returned_at": student.verification_returned_at,
            "comment": student.verification_comment,
            "drives_waiting": verification.drives_waiting_on_verification(student=student),
        }

    @extend_schema(responses=MyVerificationOutput)
    @action(detail=False, methods=["get"], url_path="me/verification")
    def my_verification(self, request):
        """Where the profile's verification stands, and how many open drives wait on it."""
        return Response(self._my_verification(self._own()))

    @extend_schema(request=None, responses=MyVerificationOutput)
    @my_verification.mapping.post
    def my_verification_submit(self, request):
        """The student submits the profile to the placement office's verification queue."""
        student = verification.verification_submit(student=self._own())
        return Response(self._my_verification(student))

    def _own(self) -> Student:
        student = student_of(self.request.user)
        if student is None:
            raise NotFound("You have no profile yet: create it with POST students/me/.")
        return student

    @extend_schema(responses=StudentOutput)
    @action(detail=False, methods=["get"], url_path="me")
    def me(self, request):
        return Response(self.output_for(self._own().pk))

    @extend_schema(request=ProfileInput, responses=StudentOutput)
    @me.mapping.patch
    def me_update(self, request):
        student = self._own()
        data = ProfileInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        services.student_update(student=student, **data.validated_data)
        return Response(self.output_for(student.pk))

    @extend_schema(request=ProfileInput, responses={201: StudentOutput})
    @me.mapping.post
    def me_create(self, request):
        data = ProfileInput(data=request.data)
        data.is_valid(raise_exception=True)
        student = services.student_profile_create(user=request.user, **data.validated_data)
        return Response(self.output_for(student.pk), status=status.HTTP_201_CREATED)

    # --- Résumé ----------------------------------------------------------------------------

    @extend_schema(responses={(200, "application/pdf"): PDF_RESPONSE})
    @action(detail=True, methods=["get"])
    def resume(self, request, pk=None):
        """Download: the student, staff, and recruiters of a company whose drive the student
        applied to. Anybody else: 404."""
        student = self.get_object()
        if not student.resume:
            raise NotFound("No résumé has been uploaded.")
        return private_pdf_response(student.resume, filename=f"resume-{student.roll_number}.pdf")

    @extend_schema(request={"multipart/form-data": ResumeInput}, responses=StudentOutput)
    @resume.mapping.post
    def resume_upload(self, request, pk=None):
        """Upload or replace (the student or staff): a PDF, checked by content, within the size
        limit (`413 file_too_large`; anything else `415 unsupported_media_type`)."""
        student = self.get_object()
        refuse_oversized_request(request)
        data = ResumeInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.student_resume_upload(student=student, upload=data.validated_data["file"])
        return Response(self.output_for(student.pk))

    @extend_schema(request=None, responses={204: None})
    @resume.mapping.delete
    def resume_delete(self, request, pk=None):
        services.student_resume_delete(student=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


class SkillViewSet(ReadModelViewSet):
    """The college's skill catalogue: staff write (through the serializer), everybody reads
    (through the read model, kept in the data cache until a skill changes)."""

    queryset = Skill.objects.all()
    serializer_class = SkillSerializer
    action_roles = {"list": ALL, "retrieve": ALL, "*": STAFF}
    filterset_fields = {"name": ["exact", "icontains"]}
    search_fields = ["name"]
    ordering_fields = ["name", "created_at"]
    lookup_value_regex = r"\d+"
    http_method_names = SoftDeleteModelViewSet.http_method_names  # PUT too, as before
    read_model = SKILL_READ_MODEL
    datacache_models = ("students.Skill",)

    def get_base_queryset(self):
        return Skill.all_objects.all()

    def to_output(self, row):
        return skill_output(row)


# --- Import and export --------------------------------------------------------------------------


def refuse_oversized_import(request) -> None:
    """413 before the body is parsed when its declared length is over the import limit."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > transfer.max_import_bytes() + MULTIPART_OVERHEAD:
        raise transfer.too_large()


class StudentImportApi(APIView):
    """Staff: imports students from a CSV or XLSX file (see the column rules below).

    `dry_run` (default **true**) only checks: the answer is what the import would do, and every
    bad row (`errors`: `row` as the spreadsheet numbers it, `field`, `message`). With
    `dry_run=false`, the good rows are imported and the bad ones create nothing. A roll number
    the college knows updates that student (same e-mail address required; a verified profile's
    academic fields are frozen), so importing a file twice creates nothing the second time; a
    deleted student's roll number is refused (an admin restores them instead). New accounts
    have no usable password; with `invite` (default true) each gets its set-your-password link
    by mail after the import. More new students than the plan allows: `402`, nothing imported.

    Columns (header row, any order, case and spaces ignored): `email`, `first_name`,
    `last_name`, `roll_number`, `department`, `graduation_year`, `cgpa`, `backlogs`, `phone`;
    `last_name`, `backlogs` and `phone` are optional. Files of more than
    `IMPORT_BACKGROUND_ROWS` rows run in the background: `202` with a job to poll at
    `students/import/{id}/`."""

    permission_classes = [ActionRoles]
    action_roles = {"*": STAFF}

    @extend_schema(
        request={"multipart/form-data": StudentImportInput},
        responses={200: StudentImportResultOutput, 202: StudentImportJobOutput},
    )
    def post(self, request):
        refuse_oversized_import(request)
        data = StudentImportInput(data=request.data)
        data.is_valid(raise_exception=True)
        content = transfer.read_upload(data.validated_data["file"])
        table = transfer.read_table(content)
        options = {
            "dry_run": data.validated_data["dry_run"],
            "invite": data.validated_data["invite"],
            "link_base": college_link(request, "password_reset").split("?", 1)[0],
        }
        if len(table.rows) > settings.IMPORT_BACKGROUND_ROWS:
            job = services.student_import_start(data=content, rows=len(table.rows), **options)
            job.refresh_from_db()
            return Response(job_output(job), status=status.HTTP_202_ACCEPTED)
        result = services.students_import(table=table, actor=request.user, **options)
        return Response(result)


class StudentImportJobApi(APIView):
    """Staff: a background import's status, progress (`processed` of `total` rows) and, once
    `done`, its result (or, `failed`, its error). Another college's jobs do not exist here."""

    permission_classes = [ActionRoles]
    action_roles = {"*": ALL}  # scoped below: only staff have jobs to see (others: 404)

    @extend_schema(responses=StudentImportJobOutput)
    def get(self, request, pk: int):
        staff = request.user.is_college_staff
        jobs = StudentImport.objects.all() if staff else StudentImport.objects.none()
        return Response(job_output(get_object_or_404(jobs, pk=pk)))


@extend_schema_view(
    get=extend_schema(
        parameters=export_parameters(STUDENT_EXPORT_COLUMNS, STUDENT_EXPORT_DEFAULT),
    )
)
class StudentExportApi(generics.ListAPIView):
    """Staff: the students as a CSV (streamed) or XLSX file, with the filters, search and order
    of the students list, and the `columns` asked for (default: the import's columns, verified
    and placement status, so the file can be edited and imported back)."""

    queryset = Student.objects.none()
    serializer_class = StudentOutput  # unused: the rows go to a file
    permission_classes = [ActionRoles]
    action_roles = {"*": STAFF}
    filter_backends = FILTER_BACKENDS
    filterset_class = StudentFilter
    search_fields = STUDENT_SEARCH_FIELDS
    ordering_fields = STUDENT_ORDERING_FIELDS
    pagination_class = None
    schema = ExportSchema()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return students_for(self.request.user).alive().order_by("roll_number", "id")

    def perform_content_negotiation(self, request, force=False):
        # `format` names the file's format here, not a renderer; errors answer JSON.
        return super().perform_content_negotiation(request, force=True)

    def get(self, request, *args, **kwargs):
        file_format, columns = export_request(
            request.query_params, columns=STUDENT_EXPORT_COLUMNS, default=STUDENT_EXPORT_DEFAULT
        )
        queryset = self.filter_queryset(self.get_queryset())
        return export_response(queryset, columns, file_format=file_format, filename="students")
