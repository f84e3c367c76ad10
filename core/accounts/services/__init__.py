"""Identity's writes, one module per concern; views only validate input and shape output.

- `login`: the password step with its throttles, the 2FA step of a login
- `lockout`: consecutive failures lock an account (in the database)
- `two_factor`: TOTP devices and recovery codes
- `sessions`: tokens handed out by a sign-in, and their revocation
- `registration`: self sign-up, a college's first admin, e-mail verification
- `members`: invitations and a college's members
- `passwords`: password rules
- `college_settings`: the college's settings

The names are re-exported here, so callers write `services.login_start(...)`."""

from core.accounts.services.college_settings import BRANDING_FIELDS, college_settings_update
from core.accounts.services.lockout import login_failure_register, login_failures_reset
from core.accounts.services.login import (
    LoginStart,
    login_challenge_complete,
    login_challenge_create,
    login_start,
    login_succeeded,
)
from core.accounts.services.members import (
    invitation_accept,
    invitation_create,
    invitation_revoke,
    member_update,
    staff_seats_used,
)
from core.accounts.services.passwords import (
    password_changed,
    password_reset_confirm,
    password_validate,
)
from core.accounts.services.registration import (
    college_admin_create,
    email_is_verified,
    email_mark_verified,
    email_verify,
    student_register,
    unverified_accounts_reclaim,
)
from core.accounts.services.sessions import (
    refresh_tokens_revoke_all,
    session_end,
    session_refresh,
    sessions_end_all,
)
from core.accounts.services.two_factor import (
    otpauth_uri,
    recovery_codes_regenerate,
    second_factor_match,
    totp_confirm,
    totp_setup,
    two_factor_disable,
)

__all__ = [
    "BRANDING_FIELDS",
    "LoginStart",
    "college_admin_create",
    "college_settings_update",
    "email_is_verified",
    "email_mark_verified",
    "email_verify",
    "invitation_accept",
    "invitation_create",
    "invitation_revoke",
    "login_challenge_complete",
    "login_challenge_create",
    "login_failure_register",
    "login_failures_reset",
    "login_start",
    "login_succeeded",
    "member_update",
    "otpauth_uri",
    "password_changed",
    "password_reset_confirm",
    "password_validate",
    "recovery_codes_regenerate",
    "refresh_tokens_revoke_all",
    "second_factor_match",
    "session_end",
    "session_refresh",
    "sessions_end_all",
    "staff_seats_used",
    "student_register",
    "totp_confirm",
    "totp_setup",
    "two_factor_disable",
    "unverified_accounts_reclaim",
]
