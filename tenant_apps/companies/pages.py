"""The placement office's pages of companies: the list (search, industry, recruiters and drives
counted), a company's page (its recruiters and its drives), creating and editing one. Input is
validated and saved by the API's `CompanySerializer`, as `companies/` does."""

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch, reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_http_methods
from rest_framework.exceptions import ValidationError

from core.accounts.models import Role
from core.web.decorators import OFFICE, page
from core.web.forms import attach_errors
from tenant_apps.access import drives_for
from tenant_apps.companies.apis import CompanyViewSet
from tenant_apps.companies.models import Company, Recruiter
from tenant_apps.companies.serializers import CompanySerializer
from tenant_apps.drives.models import DriveStatus
from tenant_apps.kit.pages import PER_PAGE, ordered, searched


def _url_or_none(name: str, *args, query: str = "") -> str | None:
    """A page of another area, when it is installed."""
    try:
        url = reverse(name, args=args)
    except NoReverseMatch:
        return None
    return f"{url}?{query}" if query else url


def companies_listed(params):
    """The alive companies with their counts, searched and ordered like the API's list."""
    queryset = Company.objects.annotate(
        recruiter_count=Count(
            "recruiters", filter=Q(recruiters__deleted_at__isnull=True), distinct=True
        ),
        drive_count=Count("drives", filter=Q(drives__deleted_at__isnull=True), distinct=True),
    )
    if params.get("industry"):
        queryset = queryset.filter(industry=params["industry"])
    queryset = searched(queryset, CompanyViewSet.search_fields, params.get("q", ""))
    return ordered(
        queryset, params.get("ordering", ""), CompanyViewSet.ordering_fields, ("name", "id")
    )


@page(roles=OFFICE)
@require_http_methods(["GET", "HEAD"])
def companies(request):
    context = {
        "page_obj": Paginator(companies_listed(request.GET), PER_PAGE).get_page(
            request.GET.get("page")
        ),
        "params": request.GET,
        "filtering": bool(request.GET.get("q") or request.GET.get("industry")),
    }
    htmx = getattr(request, "htmx", None)
    if htmx and not htmx.history_restore_request:
        response = render(request, "companies/pages/_companies_results.html", context)
    else:
        context["industries"] = (
            Company.objects.exclude(industry="")
            .order_by("industry")
            .values_list("industry", flat=True)
            .distinct()
        )
        response = render(request, "companies/pages/companies.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@page(roles=OFFICE)
@require_http_methods(["GET", "HEAD"])
def company(request, pk: int):
    found = get_object_or_404(Company.objects.all(), pk=pk)
    recruiters = (
        Recruiter.objects.filter(company=found).select_related("user").order_by("user__email")
    )
    drives = list(
        drives_for(request.user)
        .alive()
        .filter(company=found)
        .annotate(
            applicant_count=Count("applications", filter=Q(applications__deleted_at__isnull=True))
        )
        .order_by("-apply_by", "-pk")
    )
    for drive in drives:
        drive.page_url = _url_or_none("office:drive", drive.pk)
    invite_url = None
    if request.user.role == Role.ADMIN:  # the Members page is the placement head's
        invite_url = _url_or_none("office:members", query=f"company={found.pk}")
    context = {
        "company": found,
        "recruiters": recruiters,
        "drives": drives,
        "invite_url": invite_url,
        "statuses": dict(DriveStatus.choices),
    }
    return render(request, "companies/pages/company.html", context)


class CompanyForm(forms.Form):
    """What the office types; the API's `CompanySerializer` validates and saves it."""

    name = forms.CharField(label="Name", max_length=200)
    website = forms.CharField(
        label="Website",
        required=False,
        help_text="The full address, e.g. https://www.example.com",
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
    )
    industry = forms.CharField(label="Industry", max_length=100, required=False)
    description = forms.CharField(
        label="Description",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="What the office and recruiters should know: roles, locations, history.",
    )


def _saved(form: CompanyForm, instance: Company | None = None) -> Company | None:
    if not form.is_valid():
        return None
    serializer = CompanySerializer(instance, data=form.cleaned_data)
    if not serializer.is_valid():
        attach_errors(form, ValidationError(serializer.errors))
        return None
    return serializer.save()


@page(roles=OFFICE)
@require_http_methods(["GET", "HEAD", "POST"])
def company_new(request):
    form = CompanyForm(request.POST or None)
    if request.method == "POST":
        created = _saved(form)
        if created is not None:
            messages.success(request, f"{created.name} is added.")
            return HttpResponseRedirect(reverse("office:company", args=[created.pk]))
    return render(request, "companies/pages/company_form.html", {"form": form})


@page(roles=OFFICE)
@require_http_methods(["GET", "HEAD", "POST"])
def company_edit(request, pk: int):
    found = get_object_or_404(Company.objects.all(), pk=pk)
    initial = {
        "name": found.name,
        "website": found.website,
        "industry": found.industry,
        "description": found.description,
    }
    form = CompanyForm(request.POST or None, initial=initial)
    if request.method == "POST":
        saved = _saved(form, found)
        if saved is not None:
            messages.success(request, f"{saved.name} is saved.")
            return HttpResponseRedirect(reverse("office:company", args=[saved.pk]))
    context = {"form": form, "company": found}
    return render(request, "companies/pages/company_form.html", context)
