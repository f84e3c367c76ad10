"""The workspace on a college host: the shell's pages (sign-in, account) and each app's pages,
mounted by audience: the placement office under /office/, students under /me/, recruiters under
/recruiter/."""

from django.urls import include, path

from shared_apps.billing import page_urls as billing
from tenant_apps.administration import page_urls as administration
from tenant_apps.analytics import page_urls as analytics
from tenant_apps.announcements import page_urls as announcements
from tenant_apps.applications import page_urls as applications
from tenant_apps.assessments import page_urls as assessments
from tenant_apps.companies import page_urls as companies
from tenant_apps.drives import page_urls as drives
from tenant_apps.interviews import page_urls as interviews
from tenant_apps.notifications import page_urls as notifications
from tenant_apps.students import page_urls as students

PLACEMENT_APPS = (
    analytics, students, companies, drives, applications, interviews, assessments, notifications,
    announcements, administration,
)  # fmt: skip

office = [p for app in (*PLACEMENT_APPS, billing) for p in app.office_urlpatterns]
student = [p for app in PLACEMENT_APPS for p in app.student_urlpatterns]
recruiter = [p for app in PLACEMENT_APPS for p in app.recruiter_urlpatterns]

urlpatterns = [
    path("", include("core.web.urls")),
    path("office/", include((office, "office"))),
    path("me/", include((student, "student"))),
    path("recruiter/", include((recruiter, "recruiter"))),
]
