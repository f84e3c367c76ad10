from django.urls import path
from rest_framework.routers import SimpleRouter

from tenant_apps.applications.apis import (
    ApplicationViewSet,
    DriveApplicantsExportApi,
    OfferTiersApi,
    OfferViewSet,
)

router = SimpleRouter()
router.register("applications", ApplicationViewSet, basename="application")
router.register("offers", OfferViewSet, basename="offer")

urlpatterns = [
    path("offer-tiers/", OfferTiersApi.as_view(), name="offer-tiers"),
    path(
        "drives/<int:pk>/applicants/export/",
        DriveApplicantsExportApi.as_view(),
        name="drive-applicants-export",
    ),
    *router.urls,
]
