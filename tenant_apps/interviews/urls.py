from rest_framework.routers import SimpleRouter

from tenant_apps.interviews.apis import InterviewSlotViewSet, InterviewViewSet

router = SimpleRouter()
router.register("interviews", InterviewViewSet, basename="interview")
router.register("interview-slots", InterviewSlotViewSet, basename="interview-slot")

urlpatterns = router.urls
