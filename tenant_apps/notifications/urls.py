from django.urls import path

from tenant_apps.notifications import apis, pages

urlpatterns = [
    path(
        "notifications/preferences/",
        apis.PreferencesApi.as_view(),
        name="notification-preferences",
    ),
]

# On the college host's root, next to the other pages that e-mailed links open.
page_urlpatterns = [
    path("notifications/unsubscribe/", pages.unsubscribe, name="notifications-unsubscribe"),
]
