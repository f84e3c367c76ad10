from allauth.account.utils import user_pk_to_url_str
from allauth.core import context as allauth_context
from dj_rest_auth import serializers as dj_rest_auth_serializers
from rest_framework import serializers

from core.accounts import throttling
from core.accounts.adapter import college_link
from core.accounts.models import INVITABLE_ROLE_CHOICES, CollegeSettings, Invitation, Role, User

USER_FIELDS = ["id", "email", "first_name", "last_name", "role", "is_2fa_enabled"]


class UserSerializer(serializers.ModelSerializer):
    is_2fa_enabled = serializers.BooleanField(read_only=True)

    class Meta:
        model = User
        fields = USER_FIELDS
        read_only_fields = ["id", "email", "role", "is_2fa_enabled"]


def user_output(user: User) -> dict:
    """`UserSerializer(user).data`, for `GET auth/user/`, the read every client makes first: a
    ModelSerializer builds its fields again for every instance (measured: a quarter of that
    request), where these are plain attributes (tests compare the two)."""
    return {
        "id": user.pk,
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "role": user.role,
        "is_2fa_enabled": bool(user.is_2fa_enabled),
    }


class LoginInput(serializers.Serializer):
    email = serializers.EmailField()
    password = serializers.CharField(trim_whitespace=False, max_length=128)


class TwoFactorVerifyInput(serializers.Serializer):
    otp_token = serializers.CharField(max_length=100)
    code = serializers.CharField(max_length=20)


class CodeInput(serializers.Serializer):
    code = serializers.CharField(max_length=20)


class RefreshInput(serializers.Serializer):
    refresh = serializers.CharField(required=False, help_text="Overrides the refresh_token cookie.")


class RegistrationInput(serializers.Serializer):
    email = serializers.EmailField()
    password1 = serializers.CharField(trim_whitespace=False, max_length=128)
    password2 = serializers.CharField(trim_whitespace=False, max_length=128)
    first_name = serializers.CharField(max_length=150)
    last_name = serializers.CharField(max_length=150, allow_blank=True, default="")

    def validate(self, attrs):
        if attrs["password1"] != attrs["password2"]:
            raise serializers.ValidationError({"password2": ["The two passwords differ."]})
        return attrs


class KeyInput(serializers.Serializer):
    key = serializers.CharField(max_length=200)


class InvitationAcceptInput(serializers.Serializer):
    key = serializers.CharField(max_length=200)
    password = serializers.CharField(trim_whitespace=False, max_length=128)
    first_name = serializers.CharField(max_length=150)
    last_name = serializers.CharField(max_length=150, allow_blank=True, default="")


class InvitationInput(serializers.Serializer):
    email = serializers.EmailField()
    role = serializers.ChoiceField(choices=INVITABLE_ROLE_CHOICES)
    company = serializers.IntegerField(required=False, allow_null=True, min_value=1)


class InvitationOutput(serializers.ModelSerializer):
    company = serializers.IntegerField(source="company_id", read_only=True, allow_null=True)

    class Meta:
        model = Invitation
        fields = ["id", "email", "role", "company", "created_at", "expires_at", "accepted_at"]


class MemberSerializer(serializers.ModelSerializer):
    """A college's user as its admin sees it."""

    class Meta:
        model = User
        fields = ["id", "email", "first_name", "last_name", "role", "is_active", "date_joined"]
        read_only_fields = ["id", "email", "date_joined"]

    def validate_role(self, value: str) -> str:
        if value in (Role.OPERATOR, Role.SUPPORT):
            raise serializers.ValidationError("Not a college role.")
        return value


class CollegeSettingsSerializer(serializers.ModelSerializer):
    # derived from the college's offer tiers (one tier: the one-offer policy; the second
    # tier's CTC band: the dream threshold); writing them sets the tiers they mean
    one_offer_policy = serializers.BooleanField(required=False)
    dream_ctc_threshold = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=0, allow_null=True, required=False
    )
    student_email_domains = serializers.ListField(
        # no inline flag: the pattern is published in the OpenAPI schema (ECMA-262 regex)
        child=serializers.RegexField(r"^[A-Za-z0-9.-]+\.[A-Za-z]{2,}$", max_length=253),
        max_length=50,
        required=False,
    )

    class Meta:
        model = CollegeSettings
        fields = [
            "self_signup_enabled",
            "student_email_domains",
            "require_2fa_for_staff",
            "one_offer_policy",
            "dream_ctc_threshold",
            "max_offers_per_student",
            "support_access_enabled",
            "brand_name",
            "brand_color",
            "email_footer",
        ]

    def validate_student_email_domains(self, value: list[str]) -> list[str]:
        return sorted({domain.lower() for domain in value})


class PasswordResetSerializer(dj_rest_auth_serializers.PasswordResetSerializer):
    """The reset link points at the college's own host; an address gets at most
    `AUTH_MAIL_RATE` reset mails, and the answer is the same either way (no enumeration)."""

    def save(self):
        if throttling.mail_allowed(purpose="password_reset", account=self.data["email"]):
            # allauth renders its mail within its request context, which the JSON endpoints'
            # middleware does not set up (core/middleware.py)
            with allauth_context.request_context(self.context["request"]):
                super().save()

    def get_email_options(self) -> dict:
        def url_generator(request, user, temp_key):

            return college_link(
                request, "password_reset", uid=user_pk_to_url_str(user), token=temp_key
            )

        return {"url_generator": url_generator}
