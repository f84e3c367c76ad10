"""The page that unsubscribe links open, on the college's host, without signing in: GET asks,
POST confirms. The signed token is the authority (bound to this college and one user), so the
POST needs no CSRF token: mail clients' one-click unsubscribe (RFC 8058) posts it directly."""

from django.db import connection
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods
from rest_framework.exceptions import ValidationError

from tenant_apps.notifications import services
from tenant_apps.notifications.models import Category


@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request):
    token = request.POST.get("token") or request.GET.get("token", "")
    context = {"college": connection.tenant, "token": token}
    try:
        if request.method == "POST":
            user, category = services.unsubscribe(token=token)
            context["done"] = True
        else:
            user, category = services.unsubscribe_user(token)
    except ValidationError:
        context["error"] = "This unsubscribe link is invalid or has expired."
        return render(request, "notifications/unsubscribe.html", context, status=400)
    context.update(user=user, category_label=Category(category).label)
    return render(request, "notifications/unsubscribe.html", context)
