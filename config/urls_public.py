"""The root domain: onboarding, plans, billing webhook, operator console and platform API."""

from django.urls import include, path

from config.urls_common import common_urlpatterns, handler400, handler403, handler404, handler500  # noqa: F401
from core.accounts.urls import auth_urlpatterns

api_v1 = [
    *auth_urlpatterns,
]

urlpatterns = [
    *common_urlpatterns(urlconf="config.urls_public", title="Placemate platform API"),
    path("api/v1/", include(api_v1)),
]
