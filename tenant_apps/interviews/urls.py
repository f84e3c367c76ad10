from rest_framework.routers import SimpleRouter

from tenant_apps.interviews.apis import InterviewViewSet

router = SimpleRouter()
router.register("interviews", InterviewViewSet, basename="interview")

urlpatterns = router.urls
