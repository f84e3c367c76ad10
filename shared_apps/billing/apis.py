from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny

from shared_apps.billing.models import Plan
from shared_apps.billing.serializers import PlanSerializer


class PlanListApi(ListAPIView):
    """The plans a college can choose, with their limits and features (public)."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    serializer_class = PlanSerializer
    pagination_class = None
    filter_backends: list = []

    def get_queryset(self):
        return Plan.objects.public()
