from rest_framework.routers import SimpleRouter

from tenant_apps.applications.apis import ApplicationViewSet, OfferViewSet

router = SimpleRouter()
router.register("applications", ApplicationViewSet, basename="application")
router.register("offers", OfferViewSet, basename="offer")

urlpatterns = router.urls
