"""Who sees which rows of a college: every role scope (`*_for(user)`), and the resolvers of
ids read from input (`*_of(user, pk)`).

A scope is the queryset of the rows `user` may see, deleted ones included (callers add
`.alive()`): staff see every row, a recruiter the rows of their company's drives, a student
their own (and the drives open to them). An id taken from a request or a form is resolved
through the caller's scope, so that a row the caller may not see (a draft, another company's,
one hidden from a student) answers exactly like a row that does not exist. Views, serializers
and workspace pages read through here, never through a model's manager."""

from collections.abc import Callable

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from rest_framework import serializers

from core.accounts.models import Role, User
from tenant_apps.announcements.models import Announcement
from tenant_apps.applications.models import OPEN_STATUSES, Application, Offer
from tenant_apps.assessments.models import Assessment, AssessmentStatus, Attempt
from tenant_apps.drives.eligibility import eligible_drives_condition
from tenant_apps.drives.models import Drive, DriveStatus, accepting_applications
from tenant_apps.interviews.models import SCHEDULABLE, Interview, InterviewSlot
from tenant_apps.kit.expressions import AnyOf
from tenant_apps.kit.permissions import STAFF
from tenant_apps.students.models import Student
from tenant_apps.students.selectors import student_of


def recruiter_company(user: User, path: str = "company") -> Q:
    """Rows whose company (at `path`) is the one `user` recruits for."""
    return Q(**{f"{path}__recruiters__user": user, f"{path}__recruiters__deleted_at__isnull": True})


# --- Scopes ------------------------------------------------------------------------------------


def drives_for(user: User) -> QuerySet[Drive]:
    """The drives `user` may see, deleted ones included: staff all; a recruiter their company's;
    a student the open drives they are eligible for, and those they applied to."""
    queryset = Drive.all_objects.all()
    if user.role in STAFF:
        return queryset
    if user.role == Role.RECRUITER:
        return queryset.filter(recruiter_company(user))
    if user.role == Role.STUDENT:
        student = student_of(user)
        if student is None:
            return queryset.none()
        # Two index scans OR-ed in a bitmap: the open drives (status, apply_by), filtered by the
        # student's terms, and the drives of the student's applications, an array computed
        # once (an EXISTS per drive would make PostgreSQL read every drive).
        applied = Application.objects.filter(student=student).order_by().values("drive_id")
        return queryset.filter(
            (accepting_applications() & eligible_drives_condition(student=student))
            | Q(AnyOf(F("pk"), ArraySubquery(applied)))
        ).exclude(status=DriveStatus.DRAFT)
    return queryset.none()


def students_for(user: User) -> QuerySet[Student]:
    """The students `user` may see, deleted ones included: staff all, a student their own
    profile, a recruiter those who applied to one of their company's drives."""
    queryset = Student.all_objects.all()
    if user.role in STAFF:
        return queryset
    if user.role == Role.STUDENT:
        return queryset.filter(user_id=user.pk)
    if user.role == Role.RECRUITER:
        applied = applications_for(user).alive().filter(student=OuterRef("pk"))
        return queryset.filter(Exists(applied))
    return queryset.none()


def applications_for(user: User) -> QuerySet[Application]:
    """The applications `user` may see, deleted ones included: staff all, a recruiter those to
    their company's drives, a student their own."""
    queryset = Application.all_objects.all()
    if user.role in STAFF:
        return queryset
    if user.role == Role.RECRUITER:
        return queryset.filter(recruiter_company(user, "drive__company"))
    if user.role == Role.STUDENT:
        return queryset.filter(student__user_id=user.pk)
    return queryset.none()


def offers_for(user: User) -> QuerySet[Offer]:
    queryset = Offer.all_objects.all()
    if user.role in STAFF:
        return queryset
    if user.role == Role.RECRUITER:
        return queryset.filter(recruiter_company(user, "application__drive__company"))
    if user.role == Role.STUDENT:
        return queryset.filter(application__student__user_id=user.pk)
    return queryset.none()


def interviews_for(user: User) -> QuerySet[Interview]:
    """Staff all; a recruiter those of their company's drives; a student their own schedule."""
    queryset = Interview.all_objects.all()
    if user.role in STAFF:
        return queryset
    if user.role == Role.RECRUITER:
        return queryset.filter(recruiter_company(user, "application__drive__company"))
    if user.role == Role.STUDENT:
        return queryset.filter(student__user_id=user.pk)
    return queryset.none()


def slots_for(user: User) -> QuerySet[InterviewSlot]:
    """Staff all; a recruiter the slots of their company's drives; a student the slots they may
    pick: of rounds the office opened to students, of drives where their application can be
    scheduled."""
    queryset = InterviewSlot.all_objects.all()
    if user.role in STAFF:
        return queryset
    if user.role == Role.RECRUITER:
        return queryset.filter(recruiter_company(user, "round__drive__company"))
    if user.role == Role.STUDENT:
        mine = Application.objects.filter(
            drive_id=OuterRef("round__drive_id"), student__user_id=user.pk, status__in=SCHEDULABLE
        )
        return queryset.filter(
            Exists(mine),
            round__scheduling__students_pick=True,
            round__scheduling__deleted_at__isnull=True,
        )
    return queryset.none()


def announcements_for(user: User) -> QuerySet[Announcement]:
    """Staff all; a student those posted to them; recruiters none."""
    queryset = Announcement.all_objects.all()
    if user.role in STAFF:
        return queryset
    if user.role == Role.STUDENT:
        return queryset.filter(
            recipients__student__user_id=user.pk, recipients__deleted_at__isnull=True
        )
    return queryset.none()


def assessments_for(user: User) -> QuerySet[Assessment]:
    """Staff all; a recruiter those of their company's drives; a student the published ones
    open to them (not tied to a drive, or tied to a drive they have an open application to),
    and those they attempted."""
    queryset = Assessment.all_objects.all()
    if user.role in STAFF:
        return queryset
    if user.role == Role.RECRUITER:
        return queryset.filter(recruiter_company(user, "drive__company"))
    if user.role == Role.STUDENT:
        student = student_of(user)
        if student is None:
            return queryset.none()
        applied = Application.objects.filter(
            student=student, drive=OuterRef("drive_id"), status__in=OPEN_STATUSES
        )
        attempted = Attempt.objects.filter(student=student, assessment=OuterRef("pk"))
        return queryset.filter(
            Q(status=AssessmentStatus.PUBLISHED)
            & (Q(drive__isnull=True) | Q(Exists(applied)) | Q(Exists(attempted)))
        )
    return queryset.none()


def attempts_for(user: User) -> QuerySet[Attempt]:
    """Staff all; a recruiter those at their company's drives' assessments; a student their own."""
    queryset = Attempt.all_objects.all()
    if user.role in STAFF:
        return queryset
    if user.role == Role.RECRUITER:
        return queryset.filter(recruiter_company(user, "assessment__drive__company"))
    if user.role == Role.STUDENT:
        return queryset.filter(student__user_id=user.pk)
    return queryset.none()


def visible_drives(user: User) -> QuerySet[Drive]:
    """The drives a student browses on their pages: every open drive accepting applications
    (with their verdict: eligible or why not), and the drives of their scope (those they
    applied to). The API shows only `drives_for` (the eligible ones)."""
    return Drive.objects.filter(
        accepting_applications() | Q(pk__in=drives_for(user).values("pk"))
    ).exclude(status=DriveStatus.DRAFT)


# --- Ids read from input ------------------------------------------------------------------------


class InScope(serializers.PrimaryKeyRelatedField):
    """A primary key read from a request, resolved through the caller's scope
    (`scope(request.user)`): a row the caller may not see (a draft, another company's, one
    hidden from a student) answers exactly like a missing one: 400, `validation_error`,
    "Invalid pk". `model` only documents the field (OpenAPI)."""

    def __init__(self, model, scope: Callable[[User], QuerySet], **kwargs):
        self.scope = scope
        super().__init__(queryset=model.objects.none(), **kwargs)

    def get_queryset(self) -> QuerySet:
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return self.queryset
        return self.scope(user)


def drives_to_apply_to(user: User) -> QuerySet[Drive]:
    """The drives `user` may name when applying: those of their scope, alive, not drafts."""
    return drives_for(user).alive().exclude(status=DriveStatus.DRAFT)


def applications_alive_for(user: User) -> QuerySet[Application]:
    return applications_for(user).alive()
