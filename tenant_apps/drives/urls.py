from django.urls import path
from rest_framework.routers import SimpleRouter

from tenant_apps.drives.apis import (
    DriveEligibleStudentsApi,
    DriveStudentListApi,
    DriveStudentListEntryApi,
    DriveViewSet,
)

router = SimpleRouter()
router.register("drives", DriveViewSet, basename="drive")

urlpatterns = [
    path(
        "drives/<int:pk>/eligible-students/",
        DriveEligibleStudentsApi.as_view(),
        name="drive-eligible-students",
    ),
    path("drives/<int:pk>/student-list/", DriveStudentListApi.as_view(), name="drive-student-list"),
    path(
        "drives/<int:pk>/student-list/<int:entry>/",
        DriveStudentListEntryApi.as_view(),
        name="drive-student-list-entry",
    ),
    *router.urls,
]
