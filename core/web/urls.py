from django.urls import path

from core.web import account, pages

app_name = "web"
urlpatterns = [
    path("", pages.home, name="home"),
    path("sign-in/", pages.sign_in, name="sign-in"),
    path("sign-in/code/", pages.sign_in_code, name="sign-in-code"),
    path("sign-out/", pages.sign_out, name="sign-out"),
    path("forgot-password/", pages.forgot_password, name="forgot-password"),
    path("account/", account.account, name="account"),
    path("account/security/", account.account_security, name="account-security"),
]
