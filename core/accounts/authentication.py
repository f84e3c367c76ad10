from dj_rest_auth.jwt_auth import JWTCookieAuthentication
from django.db.models import Exists, OuterRef
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken
from rest_framework_simplejwt.settings import api_settings

from core import datacache
from core.accounts import policies
from core.accounts.models import TOTPDevice, User
from core.accounts.services.sessions import SESSION_ENDED
from core.accounts.tokens import OTP_CLAIM, is_current
from core.compiled import CompiledQuery

# What a request needs of its user, cached while the users and 2FA devices tables are unchanged
# (core/datacache.py): every field but the password hash and `last_login` (a sign-in's write,
# which leaves cached entries in place), and whether the user has a confirmed authenticator
# (`is_2fa_enabled`, which `auth/user` shows: read with the row, not by a query of its own). The
# instance is built as Django builds a row with deferred fields, so a save() writes only these
# fields and reading the others fetches them.
CACHED_USER_FIELDS = tuple(
    field.attname
    for field in User._meta.concrete_fields
    if field.attname not in ("password", "last_login")
)
USER_TABLES = (User._meta.db_table, TOTPDevice._meta.db_table)


def user_key(user_id: int) -> str:
    return f"auth-user:v2:{user_id}"  # v2: the row and the 2FA state


def _user_with_second_factor(user_id: int):
    confirmed = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
    return (
        User.objects.filter(pk=user_id)
        .annotate(two_factor=Exists(confirmed))
        .values_list(*CACHED_USER_FIELDS, "two_factor")
    )


# compiled once (core/compiled.py): the cold path of every authenticated request
_STORED_USER = CompiledQuery(_user_with_second_factor, -20_261_201)


def stored_user(user_id: int) -> tuple | None:
    """The cached fields of the user and whether they have a confirmed device, in one query."""
    return _STORED_USER.first(user_id)


def cached_user(values: tuple) -> User:
    user = User.from_db("default", CACHED_USER_FIELDS, values[:-1])
    user.__dict__["is_2fa_enabled"] = values[-1]  # the cached_property, already known
    return user


class TenantJWTAuthentication(JWTCookieAuthentication):
    """`Authorization: Bearer` or the `access_token` cookie (then CSRF is enforced on unsafe
    methods); tokens must belong to this host (see tokens.py). Enforces the 2FA policy: staff
    of a college that requires it, and every operator, get `403 otp_required` until their
    login went through a second factor, except on views marked `otp_setup_allowed`."""

    def authenticate(self, request):
        self.request = request  # DRF makes an authenticator per request
        result = super().authenticate(request)
        if result is None:
            return None
        user, token = result
        view = self._view()
        if not getattr(view, "otp_setup_allowed", False) and not token.get(OTP_CLAIM, False):
            policies.ensure_second_factor(user, request.datacache)
        return user, token

    def _view(self):
        context = self.request.parser_context
        return context.get("view") if context else None

    def get_user(self, validated_token):
        """The token's user, from the data cache when no write to users happened since it was
        stored (a role change, a deactivation or a deletion is one: it is seen at once).

        One Redis round trip reads it together with the college's settings and whatever the
        view will look up (`datacache_keys(request, user_id)`, e.g. a list's cached page); the
        snapshot stays on the request as `request.datacache`."""
        try:
            user_id = int(validated_token[api_settings.USER_ID_CLAIM])
        except (KeyError, TypeError, ValueError) as error:
            raise InvalidToken("Token contained no recognizable user identification") from error
        key = user_key(user_id)
        view_keys = getattr(self._view(), "datacache_keys", None)
        extra = view_keys(self.request, user_id) if view_keys is not None else {}
        snapshot = datacache.read(
            {key: USER_TABLES, policies.SETTINGS_CACHE_KEY: policies.SETTINGS_TABLES, **extra}
        )
        self.request.datacache = snapshot
        values = datacache.cached(key, lambda: stored_user(user_id), snapshot, USER_TABLES)
        if values is None:
            raise AuthenticationFailed("User not found", code="user_not_found")
        user = cached_user(values)
        if not user.is_active:
            raise AuthenticationFailed("User is inactive", code="user_inactive")
        if not is_current(validated_token, user):  # signed out, password changed, demoted...
            raise InvalidToken(SESSION_ENDED)
        return user

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
