from rest_framework.routers import SimpleRouter

from tenant_apps.companies.apis import CompanyViewSet

router = SimpleRouter()
router.register("companies", CompanyViewSet, basename="company")

urlpatterns = router.urls
