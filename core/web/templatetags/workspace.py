"""Numbers and times for people: amounts in lakhs and crores for colleges that count in rupees,
dates in the college's time zone (activated per request by the page decorator)."""

from datetime import date
from decimal import Decimal, InvalidOperation

from django import template
from django.db import connection
from django.utils.html import format_html

register = template.Library()

SYMBOLS = {"INR": "₹", "USD": "$", "EUR": "€", "GBP": "£"}


def college_currency() -> str:
    return getattr(getattr(connection, "tenant", None), "currency", "") or "INR"


def indian_grouping(whole: int) -> str:
    """12,34,56,789: the last three digits, then groups of two."""
    digits = str(abs(whole))
    head, tail = digits[:-3], digits[-3:]
    groups = []
    while len(head) > 2:
        groups.insert(0, head[-2:])
        head = head[:-2]
    if head:
        groups.insert(0, head)
    grouped = ",".join([*groups, tail]) if groups else tail
    return ("-" if whole < 0 else "") + grouped


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


@register.filter
def money(value, short: bool = True):
    """`₹12.5 L`, `₹1.2 Cr` (short) or `₹12,50,000` for INR; `$120,000` otherwise."""
    amount = _decimal(value)
    if amount is None:
        return "—"
    currency = college_currency()
    symbol = SYMBOLS.get(currency, currency + " ")
    if currency == "INR":
        if short and abs(amount) >= 10_000_000:
            return f"{symbol}{amount / 10_000_000:.2f}".rstrip("0").rstrip(".") + " Cr"
        if short and abs(amount) >= 100_000:
            return f"{symbol}{amount / 100_000:.2f}".rstrip("0").rstrip(".") + " L"
        return f"{symbol}{indian_grouping(int(amount))}"
    return f"{symbol}{int(amount):,}"


@register.filter
def money_full(value):
    return money(value, short=False)


@register.filter
def percent(value, digits: int = 1):
    number = _decimal(value)
    if number is None:
        return "—"
    return f"{number * 100:.{digits}f}%" if number <= 1 else f"{number:.{digits}f}%"


@register.simple_tag(takes_context=True)
def sort_link(context, field: str, label: str):
    """A column heading that orders the list by `field` (again: the other way round), keeping
    the other query parameters; `aria-sort` tells which column orders the list."""
    request = context["request"]
    current = request.GET.get("ordering", "")
    descending = current == field
    params = request.GET.copy()
    params["ordering"] = f"-{field}" if descending else field
    params.pop("page", None)
    state = ""
    if current in (field, f"-{field}"):
        state = "descending" if current.startswith("-") else "ascending"
    return format_html(
        '<a href="?{}"{}>{}{}</a>',
        params.urlencode(),
        format_html(' aria-sort="{}"', state) if state else "",
        label,
        {"ascending": " ▲", "descending": " ▼"}.get(state, ""),
    )


@register.simple_tag
def college_name() -> str:
    """The current college's name (mails rendered by libraries that only know the host)."""
    tenant = getattr(connection, "tenant", None)
    if tenant is None or tenant.schema_name == "public":
        return "Placemate"
    return tenant.name


@register.filter
def month_year(value):
    """ "May 2025" for a date or an ISO date string (profiles keep dates as JSON strings)."""
    if not value:
        return ""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value[:10])
        except ValueError:
            return value
    return f"{value:%b %Y}"
