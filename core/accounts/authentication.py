from dj_rest_auth.jwt_auth import JWTCookieAuthentication
from drf_spectacular.extensions import OpenApiAuthenticationExtension

from core.accounts import policies
from core.accounts.tokens import OTP_CLAIM


class TenantJWTAuthentication(JWTCookieAuthentication):
    """`Authorization: Bearer` or the `access_token` cookie (then CSRF is enforced on unsafe
    methods); tokens must belong to this host (see tokens.py). Enforces the 2FA policy: staff
    of a college that requires it, and every operator, get `403 otp_required` until their
    login went through a second factor, except on views marked `otp_setup_allowed`."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is None:
            return None
        user, token = result
        view = request.parser_context.get("view") if request.parser_context else None
        if not getattr(view, "otp_setup_allowed", False) and not token.get(OTP_CLAIM, False):
            policies.ensure_second_factor(user)
        return user, token

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'


class TenantJWTAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = TenantJWTAuthentication
    name = ["jwtCookie", "jwtBearer"]

    def get_security_definition(self, auto_schema):
        return [
            {"type": "apiKey", "in": "cookie", "name": "access_token"},
            {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
        ]
