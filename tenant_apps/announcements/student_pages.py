"""The student's notices from the placement office: the list (the unread ones marked), and one
notice, which opening marks read (the office counts it)."""

from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_http_methods

from core.web.decorators import STUDENT, page
from tenant_apps.access import announcements_for
from tenant_apps.announcements import services
from tenant_apps.announcements.models import AnnouncementRecipient
from tenant_apps.announcements.selectors import (
    ANNOUNCEMENT_READ_MODEL,
    read_marks,
)
from tenant_apps.kit.pages import page_of
from tenant_apps.students.selectors import student_of


@page(roles=STUDENT)
@require_http_methods(["GET", "HEAD"])
def announcements(request):
    queryset = announcements_for(request.user).alive()
    if request.GET.get("show") == "unread":
        unread = AnnouncementRecipient.objects.filter(
            student__user_id=request.user.pk, read_at__isnull=True
        )
        queryset = queryset.filter(pk__in=unread.values("announcement_id"))
    page_obj = page_of(request, queryset.order_by("-id"), ANNOUNCEMENT_READ_MODEL)
    rows = list(page_obj)
    read = read_marks(user=request.user, ids=[row["id"] for row in rows])
    context = {
        "page_obj": page_obj,
        "rows": [{**row, "read_at": read.get(row["id"])} for row in rows],
        "show": request.GET.get("show", ""),
    }
    return render(request, "announcements/student/announcements.html", context)


@page(roles=STUDENT)
@require_http_methods(["GET", "HEAD"])
def announcement(request, pk: int):
    found = get_object_or_404(announcements_for(request.user).alive(), pk=pk)
    student = student_of(request.user)
    if student is not None and request.method == "GET":
        services.announcement_mark_read(announcement=found, student=student)
    (row,) = ANNOUNCEMENT_READ_MODEL.rows([found.pk])
    return render(request, "announcements/student/announcement.html", {"notice": row})
