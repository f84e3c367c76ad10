import django_filters

from tenant_apps.applications.models import Application, ApplicationStatus, Offer, OfferStatus


class ApplicationFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=ApplicationStatus.choices, distinct=False)
    drive = django_filters.NumberFilter(field_name="drive_id")
    student = django_filters.NumberFilter(field_name="student_id")
    company = django_filters.NumberFilter(field_name="drive__company_id")
    department = django_filters.CharFilter(field_name="student__department", lookup_expr="iexact")
    applied_after = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    applied_before = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = Application
        fields = [
            "status", "drive", "student", "company", "department", "applied_after",
            "applied_before",
        ]  # fmt: skip


APPLICATION_SEARCH_FIELDS = [
    "student__roll_number", "student__user__email", "student__user__first_name",
    "student__user__last_name", "drive__title", "drive__company__name",
]  # fmt: skip
APPLICATION_ORDERING_FIELDS = ["id", "created_at", "status_changed_at", "status"]


class OfferFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=OfferStatus.choices)
    application = django_filters.NumberFilter(field_name="application_id")
    student = django_filters.NumberFilter(field_name="application__student_id")
    drive = django_filters.NumberFilter(field_name="application__drive_id")
    company = django_filters.NumberFilter(field_name="application__drive__company_id")
    ctc_min = django_filters.NumberFilter(field_name="ctc", lookup_expr="gte")

    class Meta:
        model = Offer
        fields = ["status", "application", "student", "drive", "company", "ctc_min"]


OFFER_SEARCH_FIELDS = [
    "application__student__roll_number", "application__student__user__first_name",
    "application__student__user__last_name", "application__drive__title",
    "application__drive__company__name",
]  # fmt: skip
OFFER_ORDERING_FIELDS = ["id", "created_at", "ctc", "expires_at", "status"]
