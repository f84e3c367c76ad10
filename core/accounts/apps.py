from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "core.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from rest_framework_simplejwt.exceptions import InvalidToken

        from core import datacache  # noqa: F401  (notices writes on every connection)
        from core.api.codes import ErrorCode
        from core.api.exceptions import register_drf_code

        register_drf_code(InvalidToken, ErrorCode.TOKEN_INVALID)
