from core.api.permissions import IsCollegeStaff
from core.api.viewsets import SoftDeleteModelViewSet
from tenant_apps.companies.models import Company
from tenant_apps.companies.serializers import CompanySerializer


class CompanyViewSet(SoftDeleteModelViewSet):
    queryset = Company.objects.all()
    serializer_class = CompanySerializer
    permission_classes = [IsCollegeStaff]
    filterset_fields = ["industry"]
    search_fields = ["name", "industry", "description"]
    ordering_fields = ["name", "created_at"]
