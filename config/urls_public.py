"""The root domain: onboarding, plans, billing webhook, operator console and platform API."""

from django.contrib import admin
from django.urls import path

from config.urls_common import common_urlpatterns, handler400, handler403, handler404, handler500  # noqa: F401

urlpatterns = [
    *common_urlpatterns(urlconf="config.urls_public", title="Placemate platform API"),
    path("admin/", admin.site.urls),
]
