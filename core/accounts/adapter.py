from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings

from core.accounts.tokens import current_host
from core.links import workspace_url


def college_link(request, page: str, **params: str) -> str:
    """A link to one of the college's own pages, on its host (the port of the request kept,
    for development servers)."""
    return workspace_url(
        settings.FRONTEND_PATHS[page], host=current_host(), request=request, **params
    )


class AccountAdapter(DefaultAccountAdapter):
    """allauth underneath our API: links point at the college's own host, sign-up is ours."""

    def get_email_confirmation_url(self, request, emailconfirmation) -> str:
        return college_link(request, "verify_email", key=emailconfirmation.key)

    def is_open_for_signup(self, request) -> bool:
        return False  # students sign up through the API, under the college's rules

    def add_message(self, request, *args, **kwargs) -> None:
        # JSON endpoints have no message storage (core/middleware.py): nobody would show it
        if hasattr(request, "_messages"):
            super().add_message(request, *args, **kwargs)
