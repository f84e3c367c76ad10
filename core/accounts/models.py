import time
from binascii import unhexlify

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.validators import MinValueValidator, RegexValidator
from django.db import connection, models
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.functional import cached_property
from django_otp.models import Device, TimestampMixin
from django_otp.oath import TOTP
from django_tenants.utils import schema_context

from core.accounts import crypto
from core.accounts.hooks import hooks


class Role(models.TextChoices):
    ADMIN = "admin", "Placement head"
    COORDINATOR = "coordinator", "Coordinator"
    RECRUITER = "recruiter", "Recruiter"
    STUDENT = "student", "Student"
    OPERATOR = "operator", "Platform operator"
    SUPPORT = "support", "Placemate support (read-only)"


# The one meaning of staff: a college's placement office (admins and coordinators). Everything
# else derives from it: `User.is_college_staff`, the viewsets' `STAFF` (tenant_apps/kit).
# `User.is_staff` is Django's own flag (its admin site), set from the role on save.
STAFF_ROLES = frozenset({Role.ADMIN, Role.COORDINATOR})
# The roles of a college's people; only its admins get Django's admin (is_staff, is_superuser).
COLLEGE_ROLES = frozenset({Role.ADMIN, Role.COORDINATOR, Role.RECRUITER, Role.STUDENT})
INVITABLE_ROLES = (Role.ADMIN, Role.COORDINATOR, Role.RECRUITER)
INVITABLE_ROLE_CHOICES = [(role.value, role.label) for role in INVITABLE_ROLES]


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("Users need an e-mail address.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        extra.setdefault("role", Role.OPERATOR)
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, email: str):
        return self.get(email__iexact=email)


class User(AbstractBaseUser, PermissionsMixin):
    """One user model in every schema: operators in `public`, a college's people in its schema.

    `is_staff` means access to the Django admin of the schema the user lives in."""

    email = models.EmailField(unique=True)  # stored lower-cased (see save)
    first_name = models.CharField(max_length=150, blank=True)
    last_name = models.CharField(max_length=150, blank=True)
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.STUDENT)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)
    # Lockout: consecutive failed passwords or codes, and until when the account is locked.
    failed_login_count = models.PositiveSmallIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)
    # Every token carries the version it was minted under; raising it ends every session of
    # the user at once (logout, password change or reset, deactivation, role change). It is
    # read with the user from the data cache, so checking it costs no query.
    token_version = models.PositiveIntegerField(default=0)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["email"]
        indexes = [
            # sign-in, invitations and imports look addresses up case-insensitively (iexact)
            models.Index(Upper("email"), name="user_email_upper_idx"),
        ]

    def __str__(self) -> str:
        return self.email

    def save(self, *args, **kwargs):
        self.email = self.email.lower()
        if self.role in COLLEGE_ROLES:  # Django's admin flags follow the role, always
            self.is_staff = self.is_superuser = self.role == Role.ADMIN
            update_fields = kwargs.get("update_fields")
            if update_fields is not None and "role" in update_fields:
                kwargs["update_fields"] = {*update_fields, "is_staff", "is_superuser"}
        super().save(*args, **kwargs)

    def get_session_auth_hash(self) -> str:
        # Django admin sessions end with the tokens: the version is part of the session's hash.
        return salted_hmac(
            "core.accounts.User.get_session_auth_hash",
            f"{self.password}:{self.token_version}",
            algorithm="sha256",
        ).hexdigest()

    @property
    def is_college_staff(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def is_locked(self) -> bool:
        return self.locked_until is not None and self.locked_until > timezone.now()

    @cached_property
    def is_2fa_enabled(self) -> bool:
        return TOTPDevice.objects.filter(user=self, confirmed=True).exists()

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self) -> str:
        return self.first_name


class CollegeSettings(models.Model):
    """The workspace's policies; one row per schema (`CollegeSettings.load()`)."""

    self_signup_enabled = models.BooleanField(default=False)
    student_email_domains = models.JSONField(default=list, blank=True)
    require_2fa_for_staff = models.BooleanField(default=False)
    # Placement policy: the offer tiers (tenant_apps.applications.tiers; the old one-offer
    # policy and dream threshold are derived from them) and how many offers a student may
    # accept in the season (released ones count; empty: no maximum).
    max_offers_per_student = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1)]
    )
    # Platform operators may open a read-only support session on this college's admin.
    support_access_enabled = models.BooleanField(default=True)
    # Branding of the college's mail (plan feature `custom_branding`): the name shown instead
    # of the college's, the accent colour, and a footer under every notification.
    brand_name = models.CharField(max_length=100, blank=True)
    brand_color = models.CharField(
        max_length=7,
        blank=True,
        validators=[RegexValidator(r"^(#[0-9A-Fa-f]{6})?$", "Use a colour like #1a2b3c.")],
    )
    email_footer = models.TextField(max_length=1000, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "college settings"

    def __str__(self) -> str:
        return "College settings"

    @classmethod
    def load(cls) -> "CollegeSettings":
        instance = cls.objects.get_or_create(pk=1)[0]
        instance._schema_name = connection.schema_name
        return instance

    # The old placement policy, derived from the college's offer tiers (identity hooks), in
    # the schema the row was read from.
    @property
    def one_offer_policy(self) -> bool:
        return self._placement_policy()["one_offer_policy"]

    @property
    def dream_ctc_threshold(self):
        return self._placement_policy()["dream_ctc_threshold"]

    def _placement_policy(self) -> dict:
        schema_name = getattr(self, "_schema_name", connection.schema_name)
        if schema_name == connection.schema_name:
            return hooks.placement_policy()
        with schema_context(schema_name):
            return hooks.placement_policy()

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._schema_name = connection.schema_name
        return instance

    def allows_student_email(self, email: str) -> bool:
        domain = email.rsplit("@", 1)[-1].lower()
        return domain in {d.lower().lstrip("@") for d in self.student_email_domains}


class Invitation(models.Model):
    """An admin invites staff or a recruiter by e-mail; the key is stored hashed."""

    email = models.EmailField()
    role = models.CharField(max_length=20, choices=INVITABLE_ROLE_CHOICES)
    # A recruiter's company (tenant_apps.companies); no FK: this table lives in every schema.
    company_id = models.BigIntegerField(null=True, blank=True)
    key_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} ({self.role})"

    @property
    def is_usable(self) -> bool:
        return self.accepted_at is None and self.expires_at > timezone.now()


class LoginChallenge(models.Model):
    """The second step of a login with 2FA: a short-lived, single-use `otp_token`.

    Stored (hashed) in the college's own schema, so it means nothing on any other host."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Login challenge of user {self.user_id}"


class TOTPDevice(TimestampMixin, Device):
    """A TOTP authenticator whose secret is encrypted at rest (django-otp keeps it in clear).

    The encryption key comes from settings (OTP_ENCRYPTION_KEY or one derived from SECRET_KEY),
    so a database dump does not yield working secrets. Attempts are limited by the account
    lockout and the sign-in throttles, not by a per-device delay."""

    encrypted_key = models.TextField()
    step = models.PositiveSmallIntegerField(default=30)
    digits = models.PositiveSmallIntegerField(default=6)
    tolerance = models.PositiveSmallIntegerField(default=1)
    last_t = models.BigIntegerField(default=-1)  # no token is accepted twice

    class Meta(Device.Meta):
        verbose_name = "TOTP device"

    @classmethod
    def for_new_secret(cls, *, user, hex_key: str, name: str = "Authenticator") -> "TOTPDevice":
        return cls(user=user, name=name, confirmed=False, encrypted_key=crypto.encrypt(hex_key))

    @property
    def hex_key(self) -> str:
        return crypto.decrypt(self.encrypted_key)

    @property
    def bin_key(self) -> bytes:
        return unhexlify(self.hex_key.encode())

    def verify_token(self, token) -> bool:
        try:
            token = int(str(token).strip())
        except ValueError:
            return False
        totp = TOTP(self.bin_key, self.step, 0, self.digits, 0)
        totp.time = time.time()
        if not totp.verify(token, self.tolerance, self.last_t + 1):
            return False
        self.last_t = totp.t()
        self.set_last_used_timestamp(commit=False)
        self.save()
        return True


class RecoveryCodeDevice(Device):
    """Ten one-time recovery codes, stored as keyed hashes."""

    class Meta(Device.Meta):
        verbose_name = "recovery codes"

    def verify_token(self, token) -> bool:
        code_hash = crypto.hash_code(crypto.normalize_code(str(token)))
        used = self.codes.filter(code_hash=code_hash, used_at__isnull=True).update(
            used_at=timezone.now()
        )
        return bool(used)


class RecoveryCode(models.Model):
    device = models.ForeignKey(RecoveryCodeDevice, on_delete=models.CASCADE, related_name="codes")
    code_hash = models.CharField(max_length=64)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return "used recovery code" if self.used_at else "recovery code"
