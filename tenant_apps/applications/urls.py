from django.urls import path
from rest_framework.routers import SimpleRouter

from tenant_apps.applications.apis import (
    ApplicationViewSet,
    DriveApplicantsExportApi,
    OfferViewSet,
)

router = SimpleRouter()
router.register("applications", ApplicationViewSet, basename="application")
router.register("offers", OfferViewSet, basename="offer")

urlpatterns = [
    path(
        "drives/<int:pk>/applicants/export/",
        DriveApplicantsExportApi.as_view(),
        name="drive-applicants-export",
    ),
    *router.urls,
]
