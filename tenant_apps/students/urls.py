from rest_framework.routers import SimpleRouter

from tenant_apps.students.apis import SkillViewSet, StudentViewSet

router = SimpleRouter()
router.register("students", StudentViewSet, basename="student")
router.register("skills", SkillViewSet, basename="skill")

urlpatterns = router.urls
