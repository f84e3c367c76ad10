from django.urls import path
from rest_framework.routers import SimpleRouter

from tenant_apps.drives.apis import DriveEligibleStudentsApi, DriveViewSet

router = SimpleRouter()
router.register("drives", DriveViewSet, basename="drive")

urlpatterns = [
    path(
        "drives/<int:pk>/eligible-students/",
        DriveEligibleStudentsApi.as_view(),
        name="drive-eligible-students",
    ),
    *router.urls,
]
