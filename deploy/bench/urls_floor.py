from django.urls import path

from core.api.views import healthz

urlpatterns = [path("floor/healthz", healthz)]
