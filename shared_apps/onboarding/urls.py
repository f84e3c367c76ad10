from django.urls import path

from shared_apps.onboarding import apis, pages

api_urlpatterns = [
    path("signup/check-subdomain/", apis.CheckSubdomainApi.as_view(), name="signup-check"),
    path("signup/", apis.SignupApi.as_view(), name="signup-api"),
]

page_urlpatterns = [
    path("", pages.landing, name="landing"),
    path("signup/", pages.signup, name="signup"),
    path("signup/done/", pages.signup_done, name="signup-done"),
]
