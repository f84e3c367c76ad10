"""The signed-in person's own account: profile, password, two-factor authentication."""

from django.shortcuts import render

from core.web.decorators import page


@page()
def account(request):
    return render(request, "web/account.html", {})


@page(otp_setup=True)
def account_security(request):
    return render(request, "web/account_security.html", {})
