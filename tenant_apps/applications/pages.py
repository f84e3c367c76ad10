"""The placement office's offer pages: the list (expiring offers stand out), making an offer on
an application with its letter (the same serializer, service and file checks as `POST offers/`)
and one offer with its letter."""

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from rest_framework.exceptions import ValidationError

from core.api.errors import PlacemateError
from core.web.decorators import OFFICE, page
from core.web.forms import attach_errors
from tenant_apps.access import applications_for, drives_for, offers_for
from tenant_apps.applications import services
from tenant_apps.applications.filters import (
    OFFER_ORDERING_FIELDS,
    OFFER_SEARCH_FIELDS,
    OfferFilter,
)
from tenant_apps.applications.models import ApplicationStatus, Offer, OfferStatus
from tenant_apps.applications.selectors import (
    APPLICATION_READ_MODEL,
    OFFER_READ_MODEL,
    offer_output,
)
from tenant_apps.applications.serializers import OfferChangeInput, OfferInput
from tenant_apps.kit.files import private_pdf_response, refuse_oversized_request
from tenant_apps.kit.pages import QuickSelect, filtered, ordered, page_of, searched

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"
EXPIRING_SOON = timedelta(hours=72)
DEFAULT_RESPONSE_TIME = timedelta(days=7)


def _with_urgency(row: dict, *, now) -> dict:
    """The API's output of an offer row, and whether a pending offer expires within 72 h."""
    output = offer_output(row, now=now)
    output["expiring_soon"] = (
        output["status"] == OfferStatus.PENDING
        and not output["is_expired"]
        and output["expires_at"] - now <= EXPIRING_SOON
    )
    return output


# --- The list -----------------------------------------------------------------------------------


class OfferFilterForm(forms.Form):
    q = forms.CharField(label="Search", required=False, widget=forms.TextInput({"type": "search"}))
    status = forms.ChoiceField(label="Status", required=False)
    drive = forms.TypedChoiceField(label="Drive", coerce=int, required=False, widget=QuickSelect)
    expiring = forms.BooleanField(label="Expiring within 72 h", required=False)

    def __init__(self, *args, drives: list[tuple], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", "Any status"), *OfferStatus.choices]
        self.fields["drive"].choices = [("", "All drives"), *drives]


@page(roles=OFFICE)
def offer_list(request):
    drives = [
        (drive["id"], f"{drive['title']} · {drive['company__name']}")
        for drive in drives_for(request.user)
        .alive()
        .order_by("-id")
        .values("id", "title", "company__name")
    ]
    form = OfferFilterForm(request.GET or None, drives=drives)
    now = timezone.now()
    offers = filtered(offers_for(request.user).alive(), OfferFilter, request.GET)
    offers = searched(offers, OFFER_SEARCH_FIELDS, request.GET.get("q", ""))
    if request.GET.get("expiring"):
        offers = offers.filter(
            status=OfferStatus.PENDING, expires_at__gt=now, expires_at__lte=now + EXPIRING_SOON
        )
    offers = ordered(offers, request.GET.get("ordering", ""), OFFER_ORDERING_FIELDS, ("-id",))
    page_obj = page_of(request, offers, OFFER_READ_MODEL)
    context = {
        "form": form,
        "page_obj": page_obj,
        "offers": [_with_urgency(row, now=now) for row in page_obj],
        "filtered": bool(request.GET.keys() - {"page", "ordering"}),
    }
    template = "applications/pages/offer_rows.html" if request.htmx else None
    return render(request, template or "applications/pages/offers.html", context)


# --- Making an offer ----------------------------------------------------------------------------


class OfferForm(forms.Form):
    application = forms.TypedChoiceField(label="Application", coerce=int, widget=QuickSelect)
    ctc = forms.DecimalField(
        label="CTC (per year)", help_text="In the college's currency, e.g. 1200000 for ₹12 L."
    )
    joining_date = forms.DateField(
        label="Joining date", required=False, widget=forms.DateInput({"type": "date"})
    )
    expires_at = forms.DateTimeField(
        label="Answer by",
        input_formats=[DATETIME_LOCAL],
        widget=forms.DateTimeInput({"type": "datetime-local"}, format=DATETIME_LOCAL),
        help_text="The student accepts or declines before this time (the college's time zone).",
    )
    letter = forms.FileField(
        label="Offer letter (PDF)",
        required=False,
        widget=forms.ClearableFileInput({"accept": "application/pdf"}),
    )

    def __init__(self, *args, applications: list[tuple], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["application"].choices = [("", "Choose an application"), *applications]


def _application_label(row: dict) -> str:
    return (
        f"{row['roll_number']} {row['first_name']} {row['last_name']} · {row['drive_title']} "
        f"({row['company_name']})"
    )


def _offerable(user, also: int | None) -> list[tuple]:
    """The choices: the 500 latest applications in the offered status without an offer yet,
    and `also` (the application the page was opened for, whatever its status: the service has
    the last word)."""
    scope = applications_for(user).alive()
    pending = scope.filter(status=ApplicationStatus.OFFERED).filter(
        ~Exists(Offer.objects.filter(application=OuterRef("pk")))
    )
    ids = list(pending.order_by("-status_changed_at", "-id").values_list("pk", flat=True)[:500])
    if also is not None and also not in ids:
        ids.insert(0, also)
    return [(row["id"], _application_label(row)) for row in APPLICATION_READ_MODEL.rows(ids)]


@page(roles=OFFICE)
def offer_new(request):
    wanted = request.POST.get("application") or request.GET.get("application") or ""
    application = None
    if wanted.isdigit():
        application = get_object_or_404(applications_for(request.user).alive(), pk=wanted)
    initial = {"expires_at": timezone.localtime() + DEFAULT_RESPONSE_TIME}
    if application is not None:
        initial.update(application=application.pk, ctc=application.drive.ctc)
    form = OfferForm(
        request.POST or None,
        request.FILES or None,
        initial=initial,
        applications=_offerable(request.user, application.pk if application else None),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        payload = {
            "application": data["application"],
            "ctc": str(data["ctc"]),
            "joining_date": data["joining_date"].isoformat() if data["joining_date"] else None,
            "expires_at": data["expires_at"].isoformat(),
        }
        if data["letter"]:
            payload["letter"] = data["letter"]
        try:
            refuse_oversized_request(request)
            serializer = OfferInput(data=payload, context={"request": request})
            serializer.is_valid(raise_exception=True)
            offer = services.offer_create(**serializer.validated_data)
        except (ValidationError, PlacemateError) as error:
            attach_errors(form, error)
            if data["letter"]:
                form.add_error("letter", "Choose the letter again: files are not kept.")
        else:
            messages.success(request, "The offer is made: the student has been notified.")
            return redirect("office:offer", pk=offer.pk)
    context = {"form": form, "application": application}
    return render(request, "applications/pages/offer_new.html", context)


# --- One offer ------------------------------------------------------------------------------------


class OfferChangeForm(forms.Form):
    expires_at = forms.DateTimeField(
        label="Answer by",
        input_formats=[DATETIME_LOCAL],
        widget=forms.DateTimeInput({"type": "datetime-local"}, format=DATETIME_LOCAL),
    )
    letter = forms.FileField(
        label="Replace the letter (PDF)",
        required=False,
        widget=forms.ClearableFileInput({"accept": "application/pdf"}),
    )


@page(roles=OFFICE)
def offer_detail(request, pk: int):
    """The offer; while it is pending, its expiry can move and its letter be replaced (the
    API's `PATCH offers/{id}/`)."""
    offer = get_object_or_404(offers_for(request.user).alive(), pk=pk)
    form = OfferChangeForm(
        request.POST or None,
        request.FILES or None,
        initial={"expires_at": timezone.localtime(offer.expires_at)},
    )
    if request.method == "POST" and form.is_valid():
        payload = {"expires_at": form.cleaned_data["expires_at"].isoformat()}
        if form.cleaned_data["letter"]:
            payload["letter"] = form.cleaned_data["letter"]
        try:
            refuse_oversized_request(request)
            serializer = OfferChangeInput(data=payload)
            serializer.is_valid(raise_exception=True)
            services.offer_update(offer=offer, **serializer.validated_data)
        except (ValidationError, PlacemateError) as error:
            attach_errors(form, error)
        else:
            messages.success(request, "The offer is updated.")
            return redirect("office:offer", pk=offer.pk)
    (row,) = OFFER_READ_MODEL.rows([offer.pk])
    context = {"offer": _with_urgency(row, now=timezone.now()), "form": form}
    return render(request, "applications/pages/offer.html", context)


@page(roles=OFFICE)
def offer_letter(request, pk: int):
    offer = get_object_or_404(offers_for(request.user).alive(), pk=pk)
    if not offer.letter:
        raise Http404("This offer has no letter.")
    return private_pdf_response(offer.letter, filename=f"offer-{offer.pk}.pdf")
