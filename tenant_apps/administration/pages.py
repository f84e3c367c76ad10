"""The placement head's pages over the college itself: its settings, its people (members and
invitations) and its audit log.

Each goes through what its endpoint uses: `CollegeSettingsSerializer` and
`college_settings_update` (`PATCH settings/`), `MemberSerializer` and `member_update`
and `invitation_create` (`users/`, `users/invite/`), `audit_entries` and the audit log's
FilterSet (`audit-log/`). Nothing here decides a rule."""

from datetime import datetime, time, timedelta

from auditlog.models import LogEntry
from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.http import HttpResponseRedirect, QueryDict
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.views.decorators.http import require_http_methods, require_POST
from rest_framework.exceptions import ValidationError

from core.accounts import services
from core.accounts.models import (
    INVITABLE_ROLE_CHOICES,
    CollegeSettings,
    Invitation,
    Role,
    TOTPDevice,
    User,
)
from core.accounts.selectors import pending_invitations
from core.accounts.serializers import CollegeSettingsSerializer, InvitationInput, MemberSerializer
from core.api.errors import PlacemateError
from core.audit.apis import AuditEntryFilter
from core.audit.selectors import action_name, audit_entries, logged_models
from core.web.decorators import ADMIN, page
from core.web.forms import attach_errors
from shared_apps.billing.limits import current_plan
from shared_apps.billing.models import Plan
from tenant_apps.applications.models import OfferTier
from tenant_apps.applications.tiers import tiers_replace
from tenant_apps.companies.models import Company, Recruiter

COLLEGE_ROLES = [
    (r.value, r.label) for r in (Role.ADMIN, Role.COORDINATOR, Role.RECRUITER, Role.STUDENT)
]
MEMBER_SEARCH_FIELDS = ["email", "first_name", "last_name"]
MEMBER_ORDERING_FIELDS = ["email", "date_joined"]
BRANDING_FEATURE = "custom_branding"
PER_PAGE = 20


def searched(queryset: QuerySet, text: str, fields: list[str]) -> QuerySet:
    """Every word of `text` in one of `fields`, as DRF's `SearchFilter` of the endpoints."""
    for word in text.split():
        condition = Q()
        for field in fields:
            condition |= Q(**{f"{field}__icontains": word})
        queryset = queryset.filter(condition)
    return queryset


def page_of(request, queryset: QuerySet):
    return Paginator(queryset, PER_PAGE).get_page(request.GET.get("page"))


def flat_errors(error: ValidationError) -> ValidationError:
    """A serializer's errors with a list's item errors (`{0: [...]}`) folded into its field."""
    if not isinstance(error.detail, dict):
        return error
    detail = {}
    for field, messages_ in error.detail.items():
        if isinstance(messages_, dict):
            messages_ = [str(m) for items in messages_.values() for m in items]
        detail[field] = messages_
    return ValidationError(detail)


# --- Settings ------------------------------------------------------------------------------------


class SettingsForm(forms.Form):
    one_offer_policy = forms.BooleanField(
        label="One offer per student",
        required=False,
        help_text="A student who accepts an offer cannot apply further, and their other open "
        "applications are withdrawn (except dream drives).",
    )
    dream_ctc_threshold = forms.DecimalField(
        label="Dream CTC threshold",
        required=False,
        min_value=0,
        decimal_places=2,
        max_digits=12,
        help_text="Drives and offers at or above this CTC stay open to placed students. Empty: "
        "no dream drives. These two write the offer tiers Regular and Dream; name your own "
        "tiers on the offer tiers page.",
    )
    max_offers_per_student = forms.IntegerField(
        label="Most offers a student may accept",
        required=False,
        min_value=1,
        help_text="In the season, offers released for a higher tier included. Empty: no maximum.",
    )
    self_signup_enabled = forms.BooleanField(
        label="Students may sign up themselves", required=False
    )
    student_email_domains = forms.CharField(
        label="Allowed student e-mail domains",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One per line, e.g. students.example.edu. Only these addresses may sign up.",
    )
    require_2fa_for_staff = forms.BooleanField(
        label="Require two-factor authentication for the placement office",
        required=False,
        help_text="Admins and coordinators must set up an authenticator app before anything else.",
    )
    support_access_enabled = forms.BooleanField(
        label="Let Placemate support open a read-only session when you ask for help",
        required=False,
    )
    brand_name = forms.CharField(
        label="Brand name",
        required=False,
        max_length=100,
        help_text="Shown instead of the college's name.",
    )
    brand_color = forms.CharField(
        label="Brand colour",
        required=False,
        max_length=7,
        widget=forms.TextInput(attrs={"placeholder": "#1a2b3c"}),
        help_text="A colour like #1a2b3c, used in the e-mails.",
    )
    email_footer = forms.CharField(
        label="E-mail footer",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Printed under every notification e-mail.",
    )

    POLICY = ("one_offer_policy", "dream_ctc_threshold", "max_offers_per_student")
    SIGN_UP = ("self_signup_enabled", "student_email_domains")
    SECURITY = ("require_2fa_for_staff", "support_access_enabled")
    BRANDING = ("brand_name", "brand_color", "email_footer")

    def __init__(self, *args, branding: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not branding:
            for name in self.BRANDING:
                del self.fields[name]

    def _group(self, names):
        return [self[name] for name in names if name in self.fields]

    @property
    def policy_fields(self):
        return self._group(self.POLICY)

    @property
    def sign_up_fields(self):
        return self._group(self.SIGN_UP)

    @property
    def security_fields(self):
        return self._group(self.SECURITY)

    @property
    def branding_fields(self):
        return self._group(self.BRANDING)

    def changes(self) -> dict:
        """The serializer's input: domains as a list, an empty threshold as none."""
        data = dict(self.cleaned_data)
        data["student_email_domains"] = data["student_email_domains"].split()
        return data


def _settings_initial(college_settings: CollegeSettings) -> dict:
    data = CollegeSettingsSerializer(college_settings).data
    data["student_email_domains"] = "\n".join(data["student_email_domains"])
    return data


def branding_plan() -> Plan | None:
    """The first public plan that has custom branding (to say which plan to move to)."""
    return Plan.objects.public().filter(features__custom_branding=True).first()


@page(roles=ADMIN)
@require_http_methods(["GET", "HEAD", "POST"])
def settings_page(request):
    college_settings = CollegeSettings.load()
    plan = current_plan()
    branding = plan is None or bool(plan.features.get(BRANDING_FEATURE, False))
    form = SettingsForm(
        request.POST or None, initial=_settings_initial(college_settings), branding=branding
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            serializer = CollegeSettingsSerializer(
                college_settings, data=form.changes(), partial=True
            )
            try:
                serializer.is_valid(raise_exception=True)
                services.college_settings_update(
                    college_settings=college_settings, **serializer.validated_data
                )
            except ValidationError as error:
                attach_errors(form, flat_errors(error))
            except PlacemateError as error:
                attach_errors(form, error)
            else:
                messages.success(request, "The settings are saved.")
                return HttpResponseRedirect(reverse("office:settings"))
    context = {
        "form": form,
        "branding": branding,
        "branding_plan": None if branding else branding_plan(),
        "plan": plan,
    }
    return render(request, "administration/pages/settings.html", context, status=status)


# --- Offer tiers ---------------------------------------------------------------------------------


class TierRowForm(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(label="Name", max_length=100, required=False)
    min_ctc = forms.DecimalField(
        label="CTC from",
        required=False,
        min_value=0,
        decimal_places=2,
        max_digits=12,
        help_text="Empty: drives are put in this tier by name only.",
    )


TierFormSet = forms.formset_factory(TierRowForm, extra=2, max_num=20)


@page(roles=ADMIN)
@require_http_methods(["GET", "HEAD", "POST"])
def offer_tiers_page(request):
    """The college's offer tiers, lowest first, through the same service as the API's `PUT
    offer-tiers/`: a row left without a name is dropped."""

    initial = list(OfferTier.objects.order_by("rank").values("id", "name", "min_ctc"))
    formset = TierFormSet(request.POST or None, initial=initial, prefix="tiers")
    status = 200
    if request.method == "POST":
        status = 400
        if formset.is_valid():
            rows = [
                {key: value for key, value in row.items() if value is not None or key != "id"}
                for row in formset.cleaned_data
                if row.get("name", "").strip()
            ]
            try:
                tiers_replace(tiers=rows, actor=request.user)
            except ValidationError as error:
                formset._non_form_errors = formset.error_class(
                    [str(m) for items in error.detail.values() for m in items]
                )
            else:
                messages.success(request, "The offer tiers are saved.")
                return HttpResponseRedirect(reverse("office:offer-tiers"))
    return render(
        request, "administration/pages/offer_tiers.html", {"formset": formset}, status=status
    )


# --- Members -------------------------------------------------------------------------------------


class InviteForm(forms.Form):
    email = forms.EmailField(label="E-mail address")
    role = forms.ChoiceField(label="Role", choices=INVITABLE_ROLE_CHOICES, initial=Role.COORDINATOR)
    company = forms.TypedChoiceField(
        label="Company (recruiters)",
        required=False,
        coerce=int,
        empty_value=None,
        help_text="The company whose drives a recruiter sees.",
    )

    def __init__(self, *args, companies: list[tuple[int, str]] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if companies is None:
            companies = list(Company.objects.order_by("name", "pk").values_list("pk", "name"))
        self.fields["company"].choices = [("", "No company"), *companies]


class MemberFilterForm(forms.Form):
    q = forms.CharField(
        label="Search",
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Name or e-mail"}),
    )
    role = forms.ChoiceField(
        label="Role", required=False, choices=[("", "All roles"), *COLLEGE_ROLES]
    )
    is_active = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("", "Active and inactive"), ("true", "Active"), ("false", "Deactivated")],
    )


def members_of(params: QueryDict):
    """The college's people narrowed as `users/` narrows them, with whether 2FA is on and a
    recruiter's company: one query for any number of rows."""
    queryset = User.objects.exclude(role__in=[Role.OPERATOR, Role.SUPPORT])
    if params.get("role"):
        queryset = queryset.filter(role=params["role"])
    if params.get("is_active") in ("true", "false"):
        queryset = queryset.filter(is_active=params["is_active"] == "true")
    queryset = searched(queryset, params.get("q", ""), MEMBER_SEARCH_FIELDS)
    ordering = params.get("ordering", "")
    if ordering.lstrip("-") not in MEMBER_ORDERING_FIELDS:
        ordering = "email"
    return queryset.annotate(
        two_factor=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)),
        company_name=Subquery(
            Recruiter.objects.filter(user=OuterRef("pk")).values("company__name")[:1]
        ),
    ).order_by(ordering, "pk")


def _members_page(request, *, invite_form=None, status: int = 200):
    company = request.GET.get("company", "")
    names = list(Company.objects.order_by("name", "pk").values_list("pk", "name"))
    if invite_form is None:
        initial = {"role": Role.RECRUITER, "company": company} if company.isdigit() else {}
        invite_form = InviteForm(initial=initial, companies=names)
    companies = dict(names)
    invitations = [
        {"invitation": invitation, "company": companies.get(invitation.company_id)}
        for invitation in pending_invitations()
    ]
    context = {
        "filter_form": MemberFilterForm(request.GET),
        "page_obj": page_of(request, members_of(request.GET)),
        "invite_form": invite_form,
        "invitations": invitations,
        "roles": COLLEGE_ROLES,
        "back_query": request.GET.urlencode(),
    }
    template = "administration/pages/members.html"
    if request.htmx and request.htmx.target == "members-list":
        template = "administration/pages/_members_list.html"
    return render(request, template, context, status=status)


@page(roles=ADMIN)
@require_http_methods(["GET", "HEAD"])
def members(request):
    return _members_page(request)


@page(roles=ADMIN)
@require_POST
def member_invite(request):
    """As `users/invite/`: a recruiter needs a company of this college, an address with an
    account is refused, a staff invitation needs a seat of the plan."""
    form = InviteForm(request.POST)
    if form.is_valid():
        data = InvitationInput(data={k: v for k, v in form.cleaned_data.items() if v is not None})
        try:
            data.is_valid(raise_exception=True)
            invitation = services.invitation_create(
                request=request,
                email=data.validated_data["email"],
                role=data.validated_data["role"],
                company_id=data.validated_data.get("company"),
                invited_by=request.user,
            )
        except (ValidationError, PlacemateError) as error:
            attach_errors(form, error)
        else:
            messages.success(request, f"Invitation sent to {invitation.email}.")
            return HttpResponseRedirect(reverse("office:members"))
    return _members_page(request, invite_form=form, status=400)


@page(roles=ADMIN)
@require_POST
def member_update(request, pk: int):
    """As `PATCH users/{id}/`: a new role, or deactivate / reactivate (never oneself)."""
    member = get_object_or_404(User.objects.exclude(role__in=[Role.OPERATOR, Role.SUPPORT]), pk=pk)
    changes = {}
    if request.POST.get("role"):
        changes["role"] = request.POST["role"]
    if request.POST.get("is_active") in ("true", "false"):
        changes["is_active"] = request.POST["is_active"] == "true"
    serializer = MemberSerializer(member, data=changes, partial=True)
    try:
        serializer.is_valid(raise_exception=True)
        services.member_update(
            request=request, member=member, actor=request.user, **serializer.validated_data
        )
    except ValidationError as error:
        messages.error(request, f"{member.email}: " + _messages_of(error))
    else:
        messages.success(request, _member_change_message(member, changes))
    return HttpResponseRedirect(reverse("office:members") + _back_query(request))


@page(roles=ADMIN)
@require_POST
def invitation_revoke(request, pk: int):
    """As `POST users/invitations/{id}/revoke/`: the link stops working, the seat is free."""
    invitation = get_object_or_404(Invitation.objects.filter(accepted_at__isnull=True), pk=pk)
    try:
        services.invitation_revoke(request=request, invitation=invitation, actor=request.user)
    except PlacemateError as error:
        messages.error(request, f"{invitation.email}: {error.message}")
    else:
        messages.success(request, f"The invitation of {invitation.email} is withdrawn.")
    return HttpResponseRedirect(reverse("office:members") + "#pending-invitations")


def _messages_of(error: ValidationError) -> str:
    detail = error.detail
    if isinstance(detail, dict):
        return " ".join(str(m) for items in detail.values() for m in items)
    return " ".join(str(m) for m in detail)


def _member_change_message(member: User, changes: dict) -> str:
    if "is_active" in changes:
        state = "reactivated" if changes["is_active"] else "deactivated"
        return f"{member.email} is {state}."
    if "role" in changes:
        return f"{member.email} is now {member.get_role_display()}."
    return "Nothing changed."


def _back_query(request) -> str:
    back = request.POST.get("back", "")
    return f"?{back}" if back and not back.startswith(("/", "?")) else ""


# --- Audit log -----------------------------------------------------------------------------------

AUDIT_ACTIONS = [
    ("", "All actions"),
    ("create", "Created"),
    ("update", "Changed"),
    ("delete", "Deleted"),
    ("restore", "Restored"),
    ("security", "Security events"),
]


class AuditFilterForm(forms.Form):
    q = forms.CharField(
        label="Search",
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "What was changed"}),
    )
    model = forms.ChoiceField(label="Kind of record", required=False)
    actor = forms.IntegerField(label="Who", required=False, min_value=1, widget=forms.Select)
    action = forms.ChoiceField(label="Action", required=False, choices=AUDIT_ACTIONS)
    since = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label="Until", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        models = logged_models()
        self.fields["model"].choices = [
            ("", "All records"),
            *((m, m.replace("_", " ")) for m in models),
        ]
        actors = (
            User.objects.exclude(role=Role.STUDENT).order_by("email").values_list("pk", "email")
        )
        # a student is chosen by following their name in the log (`?actor=<id>`)
        self.fields["actor"].widget.choices = [("", "Anybody"), *actors]

    def filter_params(self) -> QueryDict:
        """The audit log FilterSet's parameters: days of the college become its times."""
        params = QueryDict(mutable=True)
        data = self.cleaned_data
        for name in ("model", "action"):
            if data.get(name):
                params[name] = data[name]
        if data.get("actor") is not None:
            params["actor"] = str(data["actor"])
        if data.get("since"):
            params["since"] = _midnight(data["since"]).isoformat()
        if data.get("until"):
            params["until"] = _midnight(data["until"] + timedelta(days=1)).isoformat()
        return params


def _midnight(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def audit_rows(entries) -> list[dict]:
    return [
        {
            "entry": entry,
            # whom a security event was about, when not the actor (an invitation's address)
            "about": (entry.additional_data or {}).get("invited", ""),
            "action": action_name(entry),
            "label": action_name(entry).replace("_", " "),
            "security": entry.action == LogEntry.Action.ACCESS,
            "changes": [
                (field, values[0] if len(values) > 0 else "", values[1] if len(values) > 1 else "")
                for field, values in (entry.changes_dict or {}).items()
                if isinstance(values, list | tuple) and len(set(map(str, values))) > 1
            ],
        }
        for entry in entries
    ]


class CappedPaginator(Paginator):
    """Counts the log's entries up to `CAP` (the pages say "more than 10000"): a college's log
    grows by the hundred thousand, and counting all of it on every page costs more than the
    page. Past the cap, the filters (dates, who, what) narrow it."""

    CAP = 10_000
    capped = False

    @cached_property
    def count(self) -> int:
        counted = self.object_list.order_by()[: self.CAP + 1].count()
        self.capped = counted > self.CAP
        return min(counted, self.CAP)


@page(roles=ADMIN)
@require_http_methods(["GET", "HEAD"])
def audit(request):
    form = AuditFilterForm(request.GET or None)
    queryset = audit_entries()
    if form.is_bound and form.is_valid():
        filterset = AuditEntryFilter(form.filter_params(), queryset=queryset)
        queryset = searched(filterset.qs, form.cleaned_data.get("q", ""), ["object_repr"])
    page_obj = CappedPaginator(queryset, PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "filter_form": form,
        "page_obj": page_obj,
        "rows": audit_rows(page_obj.object_list),
        "filtered": form.is_bound,
    }
    template = "administration/pages/audit.html"
    if request.htmx and request.htmx.target == "audit-list":
        template = "administration/pages/_audit_list.html"
    return render(request, template, context)
