"""The placement head's billing page on the college host: plan, status, trial, usage against
every limit, and the way to Stripe (Checkout to subscribe or upgrade, the portal to manage).

The same reads as `GET billing/` and the same services as `POST billing/checkout/` and
`billing/portal/`, run from the college host as the API runs them. Stripe unreachable or not
configured is said plainly, never a server error."""

from django.contrib import messages
from django.db import connection
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST
from rest_framework.exceptions import ValidationError

from core.web.decorators import ADMIN, page
from shared_apps.billing import limits, services
from shared_apps.billing.apis import CheckoutInput, college_base_url
from shared_apps.billing.models import Plan, Subscription

LIMIT_NAMES = {
    "max_students": "Students",
    "max_active_drives": "Open drives",
    "max_staff": "Staff members",
    "storage_mb": "Storage (MB)",
}
METER_HIGH = 0.8  # share of a limit from which its meter warns
CHECKOUT_RETURNS = {
    "success": (messages.SUCCESS, "Thank you: your subscription is being confirmed by Stripe."),
    "cancelled": (messages.INFO, "Checkout was cancelled: nothing was charged."),
}


def _message(error: ValidationError) -> str:
    detail = error.detail
    if isinstance(detail, dict):
        return " ".join(str(m) for items in detail.values() for m in items)
    return " ".join(str(m) for m in detail)


def usage_rows(plan: Plan | None) -> list[dict]:
    """Every limit of `limits.USAGE` with what is used of it (as `GET billing/`)."""
    used = limits.usage()
    plan_limits = plan.limits if plan else {}
    rows = []
    for name in limits.USAGE:
        limit = plan_limits.get(name)
        rows.append(
            {
                "name": name,
                "label": LIMIT_NAMES.get(name, name),
                "used": used[name],
                "limit": limit,
                "high": round(limit * METER_HIGH) if limit else None,
                "full": limit is not None and used[name] >= limit,
            }
        )
    return rows


@page(roles=ADMIN)
@require_http_methods(["GET", "HEAD"])
def billing(request):
    college = connection.tenant
    returned = CHECKOUT_RETURNS.get(request.GET.get("checkout", ""))
    if returned:
        messages.add_message(request, *returned)
        return HttpResponseRedirect(reverse("office:billing"))
    plan = Plan.objects.filter(pk=college.plan_id).first()
    subscription = Subscription.objects.filter(college_id=college.pk).first()
    context = {
        "plan": plan,
        "status": college.status,
        "status_label": college.get_status_display(),
        "trial_ends_at": college.trial_ends_at,
        "subscription": subscription
        if subscription and subscription.stripe_subscription_id
        else None,
        "has_customer": bool(subscription and subscription.stripe_customer_id),
        "usage": usage_rows(plan),
        "plans": [
            {
                "plan": option,
                "features": ", ".join(
                    name.replace("_", " ") for name, on in option.features.items() if on
                ),
            }
            for option in Plan.objects.public()
            if option.is_paid
        ],
    }
    return render(request, "billing/pages/billing.html", context)


@page(roles=ADMIN)
@require_POST
def billing_checkout(request):
    """As `POST billing/checkout/`: off to Stripe Checkout for the chosen paid plan."""
    data = CheckoutInput(data={"plan": request.POST.get("plan", "")})
    try:
        data.is_valid(raise_exception=True)
        url = services.checkout_start(
            college=connection.tenant,
            plan=data.validated_data["plan"],
            email=request.user.email,
            base_url=college_base_url(request),
        )
    except ValidationError as error:
        messages.error(request, _message(error))
    except services.BillingUnavailable as error:  # Stripe unreachable, refusing, or unset
        messages.error(request, error.message)
    else:
        return HttpResponseRedirect(url)
    return HttpResponseRedirect(reverse("office:billing"))


@page(roles=ADMIN)
@require_POST
def billing_portal(request):
    """As `POST billing/portal/`: off to Stripe's portal (invoices, card, cancellation)."""
    try:
        url = services.portal_start(college=connection.tenant, base_url=college_base_url(request))
    except ValidationError as error:
        messages.error(request, _message(error))
    except services.BillingUnavailable as error:
        messages.error(request, error.message)
    else:
        return HttpResponseRedirect(url)
    return HttpResponseRedirect(reverse("office:billing"))
