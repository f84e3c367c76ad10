from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from core.api.viewsets import SoftDeleteModelViewSet
from tenant_apps.kit.files import private_pdf_response, refuse_oversized_request
from tenant_apps.kit.permissions import ALL, STAFF, STUDENT, ActionRoles
from tenant_apps.kit.viewsets import ReadModelViewSet
from tenant_apps.students import services
from tenant_apps.students.filters import (
    STUDENT_ORDERING_FIELDS,
    STUDENT_SEARCH_FIELDS,
    StudentFilter,
)
from tenant_apps.students.models import Skill, Student
from tenant_apps.students.selectors import (
    STUDENT_READ_MODEL,
    student_of,
    student_output,
    students_for,
)
from tenant_apps.students.serializers import (
    ProfileInput,
    ResumeInput,
    SkillSerializer,
    StudentCreateInput,
    StudentOutput,
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
        "*": STAFF,  # create, partial_update, destroy, restore, verify, unverify
    }

    def get_base_queryset(self):
        return students_for(self.request.user)

    read_model = STUDENT_READ_MODEL

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
        student = services.student_verify(student=self.get_object(), actor=request.user)
        return Response(self.output_for(student.pk))

    @extend_schema(request=None, responses=StudentOutput)
    @action(detail=True, methods=["post"])
    def unverify(self, request, pk=None):
        student = services.student_unverify(student=self.get_object())
        return Response(self.output_for(student.pk))

    # --- The signed-in student's own profile -----------------------------------------------

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


class SkillViewSet(SoftDeleteModelViewSet):
    """The college's skill catalogue: staff write, everybody reads."""

    queryset = Skill.objects.all()
    serializer_class = SkillSerializer
    permission_classes = [ActionRoles]
    action_roles = {"list": ALL, "retrieve": ALL, "*": STAFF}
    filterset_fields = {"name": ["exact", "icontains"]}
    search_fields = ["name"]
    ordering_fields = ["name", "created_at"]
    lookup_value_regex = r"\d+"
