from django.urls import path
from rest_framework.routers import SimpleRouter

from shared_apps.console.apis import MetricsApi, TenantViewSet

router = SimpleRouter()
router.register("platform/tenants", TenantViewSet, basename="platform-tenant")

urlpatterns = [
    path("platform/metrics/", MetricsApi.as_view(), name="platform-metrics"),
    *router.urls,
]
