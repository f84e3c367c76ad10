"""The student's applications (each with its timeline of stages) and offers: withdrawing, and
accepting or declining an offer after a confirmation that spells out what the placement policy
will do, computed by the same code the accept service runs."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from core.accounts.policies import college_settings
from core.api.errors import PlacemateError
from core.web.decorators import STUDENT, page
from tenant_apps.access import applications_for, offers_for
from tenant_apps.applications import services
from tenant_apps.applications.models import OPEN_STATUSES, ApplicationStatus, OfferStatus
from tenant_apps.applications.selectors import (
    APPLICATION_READ_MODEL,
    OFFER_READ_MODEL,
    offer_output,
    timeline,
)
from tenant_apps.applications.tiers import offer_tiers, tier_of
from tenant_apps.drives.eligibility import drive_ineligibility_reasons
from tenant_apps.kit.viewsets import PageRows

LABELS = dict(ApplicationStatus.choices)
TONES = {
    ApplicationStatus.SHORTLISTED: "info",
    ApplicationStatus.IN_PROCESS: "info",
    ApplicationStatus.OFFERED: "ok",
    ApplicationStatus.ACCEPTED: "ok",
    ApplicationStatus.REJECTED: "bad",
    ApplicationStatus.WITHDRAWN: "warn",
    ApplicationStatus.DECLINED: "warn",
}


def _shaped(row: dict) -> dict:
    stages = [{**stage, "label": LABELS[stage["status"]]} for stage in timeline(row)]
    return {
        **row,
        "label": LABELS[row["status"]],
        "tone": TONES.get(row["status"], ""),
        "stages": stages,
        "is_open": row["status"] in OPEN_STATUSES,
    }


@page(roles=STUDENT)
@require_http_methods(["GET", "HEAD"])
def applications(request):
    queryset = applications_for(request.user).alive().order_by("-created_at", "-id")
    status = request.GET.get("status", "")
    if status == "open":
        queryset = queryset.filter(status__in=OPEN_STATUSES)
    elif status == "closed":
        queryset = queryset.exclude(status__in=OPEN_STATUSES)
    page_obj = Paginator(PageRows(queryset, APPLICATION_READ_MODEL), 20).get_page(
        request.GET.get("page")
    )
    context = {
        "page_obj": page_obj,
        "rows": [_shaped(row) for row in page_obj],
        "status": status,
    }
    return render(request, "applications/student/applications.html", context)


def _back(request, default: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


@page(roles=STUDENT)
@require_POST
def application_withdraw(request, pk: int):
    application = get_object_or_404(
        applications_for(request.user).alive().select_related("drive"), pk=pk
    )
    try:
        services.application_withdraw(application=application, actor=request.user)
    except PlacemateError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Your application to {application.drive.title} is withdrawn.")
    return HttpResponseRedirect(_back(request, reverse("student:applications")))


# --- Offers ------------------------------------------------------------------------------------


@page(roles=STUDENT)
@require_http_methods(["GET", "HEAD"])
def offers(request):
    queryset = offers_for(request.user).alive().order_by("-created_at", "-id")
    page_obj = Paginator(PageRows(queryset, OFFER_READ_MODEL), 20).get_page(request.GET.get("page"))
    now = timezone.now()
    rows = [
        {
            **offer_output(row, now=now),
            "label": OfferStatus(row["status"]).label,
            "released_at": row["released_at"],
        }
        for row in page_obj
    ]
    context = {"page_obj": page_obj, "rows": rows}
    return render(request, "applications/student/offers.html", context)


def _offer(request, pk: int):
    return get_object_or_404(
        offers_for(request.user)
        .alive()
        .select_related("application__drive__company", "application__student"),
        pk=pk,
    )


@page(roles=STUDENT)
@require_http_methods(["GET", "HEAD", "POST"])
def offer_accept(request, pk: int):
    """GET: what accepting will do (the applications the placement policy withdraws, or why
    the policy refuses the offer); POST: accept."""
    offer = _offer(request, pk)
    if request.method == "POST":
        try:
            services.offer_accept(offer=offer, actor=request.user)
        except PlacemateError as error:
            messages.error(request, error.message)
            return HttpResponseRedirect(reverse("student:offer-accept", args=[offer.pk]))
        messages.success(
            request,
            f"You accepted the offer of {offer.application.drive.company.name}. Congratulations!",
        )
        return HttpResponseRedirect(reverse("student:offers"))
    application = offer.application
    withdrawn = list(
        services.applications_withdrawn_on_accept(application=application)
        .select_related("drive__company")
        .order_by("id")
    )
    refusals = drive_ineligibility_reasons(
        drive=application.drive,
        student=application.student,
        ctc=offer.ctc,
        codes={"placement_policy"},
    )
    released = list(
        services.accepted_released_on_accept(application=application)
        .select_related("drive__company")
        .order_by("id")
    )
    tiers = offer_tiers()
    tier = tier_of(tier_id=application.drive.offer_tier_id, ctc=offer.ctc, tiers=tiers)
    context = {
        "offer": offer,
        "tier": tier,
        "higher_tiers": [t.name for t in tiers if tier is not None and t.rank > tier.rank],
        "withdrawn": withdrawn,
        "released": released,
        "refusals": refusals,
        "policy": college_settings(),
        "answerable": offer.status == OfferStatus.PENDING and not offer.is_expired,
    }
    return render(request, "applications/student/offer_accept.html", context)


@page(roles=STUDENT)
@require_http_methods(["GET", "HEAD", "POST"])
def offer_decline(request, pk: int):
    offer = _offer(request, pk)
    if request.method == "POST":
        try:
            services.offer_decline(offer=offer, actor=request.user)
        except PlacemateError as error:
            messages.error(request, error.message)
            return HttpResponseRedirect(reverse("student:offers"))
        messages.success(
            request, f"You declined the offer of {offer.application.drive.company.name}."
        )
        return HttpResponseRedirect(reverse("student:offers"))
    context = {
        "offer": offer,
        "answerable": offer.status == OfferStatus.PENDING and not offer.is_expired,
    }
    return render(request, "applications/student/offer_decline.html", context)
