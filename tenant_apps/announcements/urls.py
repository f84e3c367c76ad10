from rest_framework.routers import SimpleRouter

from tenant_apps.announcements.apis import AnnouncementViewSet

router = SimpleRouter()
router.register("announcements", AnnouncementViewSet, basename="announcement")

urlpatterns = router.urls
