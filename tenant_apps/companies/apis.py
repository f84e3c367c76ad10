from core.api.permissions import IsCollegeStaff
from tenant_apps.companies.models import Company
from tenant_apps.companies.serializers import CompanySerializer
from tenant_apps.kit.readmodel import ReadModel
from tenant_apps.kit.viewsets import ReadModelViewSet

COMPANY_COLUMNS = CompanySerializer.Meta.fields
COMPANY_READ_MODEL = ReadModel(Company, lambda queryset: queryset.values(*COMPANY_COLUMNS))


class CompanyViewSet(ReadModelViewSet):
    """Companies: the placement office's. Written through the serializer; read (and kept in the
    data cache until a company changes) through the read model."""

    queryset = Company.objects.all()
    serializer_class = CompanySerializer
    permission_classes = [IsCollegeStaff]
    filterset_fields = ["industry"]
    search_fields = ["name", "industry", "description"]
    ordering_fields = ["name", "created_at"]
    read_model = COMPANY_READ_MODEL
    datacache_models = ("companies.Company",)

    def get_base_queryset(self):
        return Company.all_objects.all()

    def to_output(self, row):
        return {name: row[name] for name in COMPANY_COLUMNS}
