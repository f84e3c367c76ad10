"""Billing through Stripe: checkout and portal sessions, and the webhook that keeps each
college's subscription and status in step with Stripe."""

import logging
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import stripe
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from rest_framework.exceptions import ValidationError

from core.api.codes import ErrorCode
from core.api.errors import PlacemateError
from shared_apps.billing.models import Plan, StripeEvent, Subscription, SubscriptionStatusChange
from tenants.lifecycle import college_cancel, college_set_status
from tenants.models import College, CollegeStatus

logger = logging.getLogger("placemate.billing")

# Stripe subscription status → the college's status.
COLLEGE_STATUS_FOR = {
    "active": CollegeStatus.ACTIVE,
    "trialing": CollegeStatus.ACTIVE,
    "past_due": CollegeStatus.PAST_DUE,
    "unpaid": CollegeStatus.READ_ONLY,
    "canceled": CollegeStatus.READ_ONLY,
    "incomplete_expired": CollegeStatus.READ_ONLY,
}
# Statuses that billing does not override (an operator's decision, or the end of the road).
OUT_OF_BILLING = frozenset({CollegeStatus.SUSPENDED, CollegeStatus.CANCELLED})


class BillingUnavailable(PlacemateError):
    code = ErrorCode.BILLING_UNAVAILABLE
    message = "Payments are unavailable right now: nothing was charged, try again in a few minutes."


NOT_CONFIGURED = "Online payment is not set up on this platform yet: contact Placemate support."


@contextmanager
def stripe_reachable():
    """Stripe unreachable, refusing us or not configured: `503 billing_unavailable`, with a
    message the college's admin can act on, instead of a 500."""
    if not settings.STRIPE_SECRET_KEY:
        raise BillingUnavailable(NOT_CONFIGURED)
    try:
        yield
    except stripe.StripeError as exc:
        logger.warning("stripe call failed: %s", type(exc).__name__)
        raise BillingUnavailable() from exc


def stripe_client() -> stripe.StripeClient:
    return stripe.StripeClient(
        settings.STRIPE_SECRET_KEY or "sk_test_unset",
        base_addresses={"api": settings.STRIPE_API_BASE},
        max_network_retries=2,
    )


def plan_for(code: str | None = None, *, public_only: bool = True) -> Plan | None:
    """The plan of `code` (the trial when empty) a new college starts on; None if unknown."""
    plans = Plan.objects.filter(code=code or Plan.TRIAL)
    if public_only:
        plans = plans.filter(is_public=True)
    return plans.first()


def subscription_for(college: College) -> Subscription:
    return Subscription.objects.get_or_create(college=college)[0]


# --- College side ------------------------------------------------------------------------------


def customer_ensure(*, college: College, email: str) -> Subscription:
    """The college's Stripe customer, created once and reused."""
    with transaction.atomic():
        subscription = Subscription.objects.select_for_update().get(pk=subscription_for(college).pk)
        if subscription.stripe_customer_id:
            return subscription
        customer = stripe_client().v1.customers.create(
            params={
                "name": college.name,
                "email": email,
                "metadata": {"college_id": str(college.pk), "subdomain": college.subdomain},
            },
            options={"idempotency_key": f"customer-{college.pk}"},
        )
        subscription.stripe_customer_id = customer.id
        subscription.save(update_fields=["stripe_customer_id", "updated_at"])
        return subscription


def checkout_start(*, college: College, plan: Plan, email: str, base_url: str) -> str:
    """A Stripe Checkout session (subscription mode) for `plan`; returns its URL."""
    if not plan.is_paid:
        raise ValidationError({"plan": ["Choose a paid plan."]})
    with stripe_reachable():
        return _checkout_session(college=college, plan=plan, email=email, base_url=base_url)


def _checkout_session(*, college: College, plan: Plan, email: str, base_url: str) -> str:
    subscription = customer_ensure(college=college, email=email)
    metadata = {"college_id": str(college.pk), "plan": plan.code}
    back = f"{base_url}/billing/?checkout="
    session = stripe_client().v1.checkout.sessions.create(
        params={
            "mode": "subscription",
            "customer": subscription.stripe_customer_id,
            "line_items": [{"price": plan.stripe_price_id, "quantity": 1}],
            "success_url": back + "success&session_id={CHECKOUT_SESSION_ID}",
            "cancel_url": back + "cancelled",
            "client_reference_id": str(college.pk),
            "metadata": metadata,
            "subscription_data": {"metadata": metadata},
        }
    )
    return session.url


def portal_start(*, college: College, base_url: str) -> str:
    subscription = Subscription.objects.filter(college=college).first()
    if subscription is None or not subscription.stripe_customer_id:
        raise ValidationError(
            {"subscription": ["Subscribe first: there is no billing account yet."]}
        )
    with stripe_reachable():
        session = stripe_client().v1.billing_portal.sessions.create(
            params={
                "customer": subscription.stripe_customer_id,
                "return_url": f"{base_url}/billing/",
            }
        )
    return session.url


def plan_change(*, college: College, plan: Plan) -> None:
    """Switch plans: through Stripe when the college has a subscription, else locally."""
    subscription = Subscription.objects.filter(college=college).first()
    if subscription and subscription.stripe_subscription_id and plan.is_paid:
        client = stripe_client()
        current = client.v1.subscriptions.retrieve(subscription.stripe_subscription_id)
        item = current["items"]["data"][0]["id"]
        client.v1.subscriptions.update(
            subscription.stripe_subscription_id,
            params={
                "items": [{"id": item, "price": plan.stripe_price_id}],
                "metadata": {"college_id": str(college.pk), "plan": plan.code},
                "proration_behavior": "create_prorations",
            },
        )
    college.plan = plan
    college.save(update_fields=["plan", "updated_at"])  # drops the cached host resolution


# --- Webhook -----------------------------------------------------------------------------------


class WebhookRejected(Exception):
    """Bad signature, stale timestamp or unreadable payload: 400, nothing written."""


def webhook_event(*, payload: bytes, signature: str | None) -> stripe.Event:
    """The signed event, checked to have the shape every handler reads (a signed event can
    still be malformed: a test tool's, a new API version's)."""
    try:
        event = stripe.Webhook.construct_event(
            payload,
            signature or "",
            settings.STRIPE_WEBHOOK_SECRET,
            tolerance=settings.STRIPE_WEBHOOK_TOLERANCE,
        )
    except (ValueError, RecursionError, stripe.SignatureVerificationError) as exc:
        raise WebhookRejected(str(exc) or "unreadable payload") from exc
    body = event.to_dict()
    data = body.get("data")
    if not (
        isinstance(body.get("id"), str)
        and isinstance(body.get("type"), str)
        and isinstance(body.get("created"), int)
        and isinstance(data, dict)
        and isinstance(data.get("object"), dict)
    ):
        raise WebhookRejected("the event lacks id, type, created or data.object")
    return event


def webhook_process(*, event: stripe.Event) -> bool:
    """Apply `event` once. True if processed now, False if it had been already. A handler
    failure raises, and rolls back everything including the event's record, so Stripe retries."""
    with transaction.atomic():
        record, _created = StripeEvent.objects.select_for_update().get_or_create(
            id=event.id,
            defaults={
                "type": event.type,
                "created": _when(event.created),
                "payload": event.to_dict(),
            },
        )
        if record.processed_at is not None:
            return False
        handler = HANDLERS.get(event.type)
        if handler is not None:
            try:
                handler(event)
            except (KeyError, IndexError, TypeError, AttributeError, ValueError) as exc:
                # the object lacks what its type promises: nothing is applied (rolled back)
                logger.warning("stripe event %s is malformed: %r", event.id, exc)
                raise WebhookRejected(f"malformed {event.type} object") from exc
        record.processed_at = timezone.now()
        record.save(update_fields=["processed_at"])
        return True


def _when(timestamp: int | None) -> datetime | None:
    return datetime.fromtimestamp(timestamp, tz=UTC) if timestamp else None


def _subscription_of(obj) -> Subscription | None:
    """The subscription an event object belongs to, by Stripe customer (or our metadata)."""
    customer = obj.get("customer")
    found = None
    if customer:
        found = Subscription.objects.select_for_update().filter(stripe_customer_id=customer).first()
    college_id = (obj.get("metadata") or {}).get("college_id") or obj.get("client_reference_id")
    if found is None and college_id and str(college_id).isdigit():
        college = College.objects.filter(pk=int(college_id)).first()
        if college is not None:
            found, _ = Subscription.objects.select_for_update().get_or_create(college=college)
            if customer and not found.stripe_customer_id:
                found.stripe_customer_id = customer
    if found is None:
        logger.warning("stripe event for an unknown customer %s: acknowledged", customer)
    return found


def _is_stale(subscription: Subscription, event: stripe.Event) -> bool:
    at = _when(event.created)
    if subscription.state_as_of and at < subscription.state_as_of:
        logger.info("stripe event %s is older than the state it would change: kept only", event.id)
        return True
    subscription.state_as_of = at
    return False


def _apply_status(subscription: Subscription, stripe_status: str, event: stripe.Event) -> None:
    """Record Stripe's status and move the college accordingly (cache dropped by signals)."""
    previous = subscription.status
    subscription.status = stripe_status
    if stripe_status == "past_due":
        subscription.past_due_since = subscription.past_due_since or _when(event.created)
    elif stripe_status in ("active", "trialing"):
        subscription.past_due_since = None
        subscription.ended_at = None
    elif stripe_status == "canceled":
        subscription.ended_at = subscription.ended_at or _when(event.created)
    subscription.save()
    college = College.objects.select_for_update().get(pk=subscription.college_id)
    target = COLLEGE_STATUS_FOR.get(stripe_status)
    if target and college.status not in OUT_OF_BILLING and college.status != target:
        college_set_status(college=college, status=target, reason=f"Stripe: {stripe_status}")
    if previous != stripe_status:
        SubscriptionStatusChange.objects.create(
            subscription=subscription,
            from_status=previous,
            to_status=stripe_status,
            college_status=college.status,
            event_id=event.id,
        )


def _plan_for_price(price_id: str | None) -> Plan | None:
    code = next((code for code, price in settings.STRIPE_PRICES.items() if price == price_id), None)
    return Plan.objects.filter(code=code).first() if code else None


def _object(event: stripe.Event) -> dict:
    return event.to_dict()["data"]["object"]


def _fresh_subscription(obj: dict, event: stripe.Event) -> Subscription | None:
    """The subscription `obj` belongs to, or None when unknown or when `event` is older than
    the state already applied (then only what linked it to the customer is kept)."""
    subscription = _subscription_of(obj)
    if subscription is not None and _is_stale(subscription, event):
        subscription.save()
        return None
    return subscription


def _plan_set(subscription: Subscription, plan: Plan | None) -> None:
    if plan is None or plan.pk == subscription.plan_id:
        return
    subscription.plan = plan
    college = College.objects.get(pk=subscription.college_id)
    college.plan = plan
    college.save(update_fields=["plan", "updated_at"])  # drops the cached host resolution


def on_checkout_completed(event: stripe.Event) -> None:
    session = _object(event)
    subscription = _fresh_subscription(session, event)
    if subscription is None:
        return
    if session.get("subscription"):
        subscription.stripe_subscription_id = session["subscription"]
    _plan_set(
        subscription, Plan.objects.filter(code=(session.get("metadata") or {}).get("plan")).first()
    )
    if session.get("payment_status") in ("paid", "no_payment_required"):
        _apply_status(subscription, "active", event)
    else:
        subscription.save()


def on_subscription_changed(event: stripe.Event) -> None:
    obj = _object(event)
    subscription = _fresh_subscription(obj, event)
    if subscription is None:
        return
    subscription.stripe_subscription_id = obj.get("id") or subscription.stripe_subscription_id
    subscription.cancel_at_period_end = bool(obj.get("cancel_at_period_end"))
    items = (obj.get("items") or {}).get("data") or []
    period_end = obj.get("current_period_end")
    if period_end is None and items:
        period_end = items[0].get("current_period_end")
    subscription.current_period_end = _when(period_end)
    _plan_set(subscription, _plan_for_price(items[0]["price"]["id"]) if items else None)
    status = "canceled" if event.type == "customer.subscription.deleted" else obj.get("status")
    _apply_status(subscription, status or subscription.status, event)


def _on_invoice(stripe_status: str):
    def handle(event: stripe.Event) -> None:
        subscription = _fresh_subscription(_object(event), event)
        if subscription is not None:
            _apply_status(subscription, stripe_status, event)

    return handle


HANDLERS = {
    "checkout.session.completed": on_checkout_completed,
    "customer.subscription.created": on_subscription_changed,
    "customer.subscription.updated": on_subscription_changed,
    "customer.subscription.deleted": on_subscription_changed,
    "invoice.paid": _on_invoice("active"),
    "invoice.payment_failed": _on_invoice("past_due"),
}


# --- Periodic ----------------------------------------------------------------------------------


def billing_enforce(*, now=None) -> dict:
    """Past-due colleges beyond the grace period turn read-only; colleges whose subscription
    ended more than the retention period ago go down the cancellation path."""
    now = now or timezone.now()
    grace_over = Subscription.objects.filter(
        status="past_due",
        past_due_since__lt=now - timedelta(days=settings.BILLING_GRACE_DAYS),
        college__status=CollegeStatus.PAST_DUE,
    ).select_related("college")
    read_only = 0
    for subscription in grace_over:
        college_set_status(
            college=subscription.college, status=CollegeStatus.READ_ONLY, reason="Grace over"
        )
        read_only += 1
    ended = Subscription.objects.filter(
        status="canceled",
        ended_at__lt=now - timedelta(days=settings.COLLEGE_DATA_RETENTION_DAYS),
        college__status=CollegeStatus.READ_ONLY,
    ).select_related("college")
    cancelled = 0
    for subscription in ended:
        college_cancel(
            college=subscription.college, link_base=f"https://{settings.PLATFORM_DOMAIN}"
        )
        cancelled += 1
    return {"read_only": read_only, "cancelled": cancelled}
