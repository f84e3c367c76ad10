from rest_framework.routers import SimpleRouter

from core.audit.apis import AuditLogViewSet

router = SimpleRouter()
router.register("audit-log", AuditLogViewSet, basename="audit-log")

urlpatterns = router.urls
