from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.response import Response

from core.api.permissions import IsCollegeAdmin
from tenant_apps.access import applications_for, drives_for, offers_for
from tenant_apps.applications import services, tiers
from tenant_apps.applications.exports import (
    APPLICANT_EXPORT_COLUMNS,
    APPLICANT_EXPORT_DEFAULT,
    ApplicantExportFilter,
    drive_applicants,
)
from tenant_apps.applications.filters import (
    APPLICATION_ORDERING_FIELDS,
    APPLICATION_SEARCH_FIELDS,
    OFFER_ORDERING_FIELDS,
    OFFER_SEARCH_FIELDS,
    ApplicationFilter,
    OfferFilter,
)
from tenant_apps.applications.models import Application, Offer, OfferTier
from tenant_apps.applications.selectors import (
    APPLICATION_READ_MODEL,
    OFFER_READ_MODEL,
    OFFER_TIER_READ_MODEL,
    application_output,
    offer_output,
    offer_tier_output,
)
from tenant_apps.applications.serializers import (
    ApplicationCreateInput,
    ApplicationOutput,
    BulkMoveInput,
    BulkMoveOutput,
    MoveInput,
    OfferChangeInput,
    OfferInput,
    OfferOutput,
)
from tenant_apps.kit.exports import (
    ExportSchema,
    export_parameters,
    export_request,
    export_response,
)
from tenant_apps.kit.files import private_pdf_response, refuse_oversized_request
from tenant_apps.kit.filters import QuietDjangoFilterBackend
from tenant_apps.kit.permissions import ALL, STAFF, STAFF_AND_RECRUITER, STUDENT, ActionRoles
from tenant_apps.kit.viewsets import ReadModelViewSet, paginated_rows
from tenant_apps.students.selectors import student_of


@extend_schema_view(
    list=extend_schema(responses=ApplicationOutput(many=True)),
    retrieve=extend_schema(responses=ApplicationOutput),
    create=extend_schema(request=ApplicationCreateInput, responses={201: ApplicationOutput}),
    restore=extend_schema(responses=ApplicationOutput),
)
class ApplicationViewSet(ReadModelViewSet):
    """Applications to drives. A student applies for themself and may withdraw; staff and
    recruiters (their company's drives) move applicants through the stages, one at a time or
    many at once."""

    queryset = Application.objects.all()
    serializer_class = ApplicationOutput  # documents the output; rows are shaped in selectors
    filterset_class = ApplicationFilter
    search_fields = APPLICATION_SEARCH_FIELDS
    ordering_fields = APPLICATION_ORDERING_FIELDS
    lookup_value_regex = r"\d+"
    http_method_names = ["get", "post", "delete", "options"]
    action_roles = {
        "list": ALL,
        "retrieve": ALL,
        "create": STUDENT,
        "withdraw": STUDENT,
        "move": STAFF_AND_RECRUITER,
        "bulk_move": STAFF_AND_RECRUITER,
        "*": STAFF,  # destroy, restore
    }

    def get_base_queryset(self):
        return applications_for(self.request.user)

    read_model = APPLICATION_READ_MODEL
    datacache_models = (
        "applications.Application",
        "drives.Drive",
        "companies.Company",
        "companies.Recruiter",
        "students.Student",
        "accounts.User",
    )

    def to_output(self, row):
        return application_output(row)

    def perform_destroy(self, instance):
        services.application_delete(application=instance)

    def perform_restore(self, instance):
        services.application_restore(application=instance)

    def create(self, request, *args, **kwargs):
        data = ApplicationCreateInput(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        student = student_of(request.user)
        if student is None:
            raise ValidationError({"drive": ["Create your profile (students/me/) first."]})
        application = services.application_create(student=student, **data.validated_data)
        return Response(self.output_for(application.pk), status=status.HTTP_201_CREATED)

    @extend_schema(request=MoveInput, responses=ApplicationOutput)
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        """Staff or the drive's recruiters: `shortlisted`, `in_process`, `offered`, `rejected`."""
        data = MoveInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.application_move(
            application=self.get_object(), actor=request.user, **data.validated_data
        )
        return Response(self.output_for(pk))

    @extend_schema(request=BulkMoveInput, responses=BulkMoveOutput)
    @action(detail=False, methods=["post"], url_path="bulk-move")
    def bulk_move(self, request):
        """Moves many applications at once, all or nothing (e.g. shortlist 200 applicants)."""
        data = BulkMoveInput(data=request.data)
        data.is_valid(raise_exception=True)
        moved = services.applications_bulk_move(
            scope=self.get_base_queryset(),
            ids=data.validated_data["applications"],
            status=data.validated_data["status"],
            note=data.validated_data["note"],
            actor=request.user,
        )
        return Response({"moved": moved, "status": data.validated_data["status"]})

    @extend_schema(request=None, responses=ApplicationOutput)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        services.application_withdraw(application=self.get_object(), actor=request.user)
        return Response(self.output_for(pk))


@extend_schema_view(
    list=extend_schema(responses=OfferOutput(many=True)),
    retrieve=extend_schema(responses=OfferOutput),
    create=extend_schema(
        request={"multipart/form-data": OfferInput, "application/json": OfferInput},
        responses={201: OfferOutput},
    ),
    partial_update=extend_schema(
        request={"multipart/form-data": OfferChangeInput, "application/json": OfferChangeInput},
        responses=OfferOutput,
    ),
    restore=extend_schema(responses=OfferOutput),
)
class OfferViewSet(ReadModelViewSet):
    """Offers. Staff make them on `offered` applications; the student accepts or declines before
    expiry, within the college's placement policy; recruiters read their company's."""

    queryset = Offer.objects.all()
    serializer_class = OfferOutput  # documents the output; rows are shaped in selectors
    filterset_class = OfferFilter
    search_fields = OFFER_SEARCH_FIELDS
    ordering_fields = OFFER_ORDERING_FIELDS
    lookup_value_regex = r"\d+"
    output_is_timeless = False  # see to_output: it reads the clock
    action_roles = {
        "list": ALL,
        "retrieve": ALL,
        "letter": ALL,
        "accept": STUDENT,
        "decline": STUDENT,
        "*": STAFF,  # create, partial_update, destroy, restore
    }

    def get_base_queryset(self):
        return offers_for(self.request.user)

    read_model = OFFER_READ_MODEL
    datacache_models = (
        "applications.Offer",
        "applications.Application",
        "drives.Drive",
        "companies.Company",
        "companies.Recruiter",
        "students.Student",
        "accounts.User",
    )

    def to_output(self, row):
        return offer_output(row)

    def perform_content_negotiation(self, request, force=False):
        return super().perform_content_negotiation(request, force=True)  # the letter is a file

    def perform_destroy(self, instance):
        services.offer_delete(offer=instance)

    def perform_restore(self, instance):
        services.offer_restore(offer=instance)

    def create(self, request, *args, **kwargs):
        refuse_oversized_request(request)
        data = OfferInput(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        offer = services.offer_create(**data.validated_data)
        return Response(self.output_for(offer.pk), status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        offer = self.get_object()
        refuse_oversized_request(request)
        data = OfferChangeInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.offer_update(offer=offer, **data.validated_data)
        return Response(self.output_for(offer.pk))

    @extend_schema(request=None, responses=OfferOutput)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        services.offer_accept(offer=self.get_object(), actor=request.user)
        return Response(self.output_for(pk))

    @extend_schema(request=None, responses=OfferOutput)
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        services.offer_decline(offer=self.get_object(), actor=request.user)
        return Response(self.output_for(pk))

    @extend_schema(responses={(200, "application/pdf"): OpenApiResponse(description="The PDF.")})
    @action(detail=True, methods=["get"])
    def letter(self, request, pk=None):
        offer = self.get_object()
        if not offer.letter:
            raise NotFound("This offer has no letter.")
        return private_pdf_response(offer.letter, filename=f"offer-{offer.pk}.pdf")


@extend_schema_view(
    get=extend_schema(
        parameters=export_parameters(APPLICANT_EXPORT_COLUMNS, APPLICANT_EXPORT_DEFAULT),
    )
)
class DriveApplicantsExportApi(generics.ListAPIView):
    """Staff, and the recruiters of the drive's company: the drive's applicants as a CSV
    (streamed) or XLSX file, with the `columns` the company asks for (`resume` is the API path
    of the résumé, empty without one), optionally only some `status`es, by roll number."""

    queryset = Application.objects.none()
    serializer_class = ApplicationOutput  # unused: the rows go to a file
    permission_classes = [ActionRoles]
    action_roles = {"*": ALL}  # the drive's scope first (404), then the role (403)
    filter_backends = [QuietDjangoFilterBackend]
    filterset_class = ApplicantExportFilter
    pagination_class = None
    schema = ExportSchema()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        drive = get_object_or_404(drives_for(self.request.user).alive(), pk=self.kwargs["pk"])
        if self.request.user.role not in STAFF_AND_RECRUITER:
            raise PermissionDenied("Only the placement office and the company export applicants.")
        return drive_applicants(drive)

    def perform_content_negotiation(self, request, force=False):
        # `format` names the file's format here, not a renderer; errors answer JSON.
        return super().perform_content_negotiation(request, force=True)

    def get(self, request, *args, **kwargs):
        queryset = self.get_queryset()
        file_format, columns = export_request(
            request.query_params, columns=APPLICANT_EXPORT_COLUMNS, default=APPLICANT_EXPORT_DEFAULT
        )
        return export_response(
            self.filter_queryset(queryset),
            columns,
            file_format=file_format,
            filename=f"drive-{self.kwargs['pk']}-applicants",
        )


# --- Offer tiers ---------------------------------------------------------------------------------


class OfferTierInput(serializers.Serializer):
    id = serializers.IntegerField(required=False, help_text="An existing tier, to keep it")
    name = serializers.CharField(max_length=100)
    min_ctc = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        min_value=0,
        allow_null=True,
        required=False,
        help_text="Where the tier's CTC band starts; null: drives are put in it by name only",
    )


class OfferTiersInput(serializers.Serializer):
    tiers = OfferTierInput(many=True, max_length=20, help_text="Lowest first; replaces the list.")


class OfferTierOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    rank = serializers.IntegerField(help_text="1: the lowest tier")
    min_ctc = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)


class OfferTiersOutput(serializers.Serializer):
    tiers = OfferTierOutput(many=True, help_text="Lowest first")


class OfferTiersApi(generics.ListAPIView):
    """The college's offer tiers, lowest first (everybody reads them). The admin replaces the
    whole list with `PUT` (`{"tiers": [{id?, name, min_ctc}]}`, lowest first): a student placed
    in a tier may apply only to drives of higher tiers, and accepting an offer of a higher tier
    releases the accepted one. No tiers: no rule. The old `one_offer_policy` and
    `dream_ctc_threshold` of `settings/` are derived from these."""

    queryset = OfferTier.objects.order_by("rank", "id")
    serializer_class = OfferTierOutput
    permission_classes = [ActionRoles]
    action_roles = {"*": ALL}
    http_method_names = ["get", "put", "options"]

    def get_permissions(self):
        if self.request.method == "PUT":
            return [IsCollegeAdmin()]
        return super().get_permissions()

    def get(self, request, *args, **kwargs):  # the list, through the read model
        queryset = self.filter_queryset(self.get_queryset())
        page = paginated_rows(self, queryset, OFFER_TIER_READ_MODEL)
        return self.get_paginated_response([offer_tier_output(row) for row in page])

    @extend_schema(request=OfferTiersInput, responses=OfferTiersOutput)
    def put(self, request, *args, **kwargs):
        data = OfferTiersInput(data=request.data)
        data.is_valid(raise_exception=True)
        saved = tiers.tiers_replace(tiers=data.validated_data["tiers"], actor=request.user)
        return Response({"tiers": OfferTierOutput(saved, many=True).data})
