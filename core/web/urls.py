from django.urls import path
from django.views.generic import RedirectView

from core.web import account, pages

app_name = "web"
urlpatterns = [
    path("", pages.home, name="home"),
    path("sign-in/", pages.sign_in, name="sign-in"),
    path("sign-in/code/", pages.sign_in_code, name="sign-in-code"),
    path("sign-out/", pages.sign_out, name="sign-out"),
    path("forgot-password/", pages.forgot_password, name="forgot-password"),
    # Stripe sends the placement head back here after Checkout and the portal (billing services)
    path(
        "billing/",
        RedirectView.as_view(pattern_name="office:billing", query_string=True),
        name="billing-return",
    ),
    path("account/", account.account, name="account"),
    path("account/password/", account.account_password, name="account-password"),
    path("account/security/", account.account_security, name="account-security"),
    path("account/security/setup/", account.account_security_setup, name="account-security-setup"),
    path(
        "account/security/confirm/",
        account.account_security_confirm,
        name="account-security-confirm",
    ),
    path(
        "account/security/disable/",
        account.account_security_disable,
        name="account-security-disable",
    ),
    path(
        "account/security/recovery-codes/",
        account.account_security_recovery,
        name="account-security-recovery",
    ),
]
