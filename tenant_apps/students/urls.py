from django.urls import path
from rest_framework.routers import SimpleRouter

from tenant_apps.students.apis import (
    SkillViewSet,
    StudentExportApi,
    StudentImportApi,
    StudentImportJobApi,
    StudentViewSet,
)

router = SimpleRouter()
router.register("students", StudentViewSet, basename="student")
router.register("skills", SkillViewSet, basename="skill")

urlpatterns = [
    path("students/import/", StudentImportApi.as_view(), name="student-import"),
    path("students/import/<int:pk>/", StudentImportJobApi.as_view(), name="student-import-job"),
    path("students/export/", StudentExportApi.as_view(), name="student-export"),
    *router.urls,
]
