"""The root domain's server-rendered pages: plans, the sign-up form, its result."""

from django.conf import settings
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods
from rest_framework.exceptions import ValidationError

from shared_apps.billing.models import Plan
from shared_apps.onboarding.forms import SignupForm
from tenants.models import College
from tenants.services import college_host, college_signup


def landing(request):
    return render(request, "onboarding/landing.html", {"plans": Plan.objects.public()})


@require_http_methods(["GET", "POST"])
def signup(request):
    form = SignupForm(request.POST or None, initial={"plan": request.GET.get("plan", Plan.TRIAL)})
    if request.method == "POST" and form.is_valid():
        try:
            college = college_signup(fields=form.cleaned_data, request=request)
        except ValidationError as exc:
            for field, messages in exc.detail.items():
                for message in messages:
                    form.add_error(field if field in form.fields else None, str(message))
        else:
            return redirect(f"{reverse('signup-done')}?subdomain={college.subdomain}")
    context = {"form": form, "platform_domain": settings.PLATFORM_DOMAIN}
    return render(request, "onboarding/signup.html", context)


def signup_done(request):
    college = College.objects.filter(subdomain=request.GET.get("subdomain", "")).first()
    if college is None or college.is_public:
        return redirect("signup")
    port = request.get_port()
    suffix = f":{port}" if port not in ("80", "443") else ""
    url = f"{request.scheme}://{college_host(college.subdomain)}{suffix}/"
    return render(request, "onboarding/done.html", {"college": college, "url": url})
