"""The college's settings, as its admin changes them."""

from django.db import transaction

from core.accounts.hooks import hooks
from core.accounts.models import CollegeSettings

BRANDING_FIELDS = ("brand_name", "brand_color", "email_footer")


# the old placement policy: offer tiers now (tenant_apps.applications.tiers), read and written
# through the identity hooks
POLICY_FIELDS = ("one_offer_policy", "dream_ctc_threshold")


@transaction.atomic
def college_settings_update(*, college_settings: CollegeSettings, **changes) -> CollegeSettings:
    """The admin changes the college's settings. Setting a custom branding needs the plan
    feature `custom_branding` (`402 plan_limit_reached`); clearing it, or sending the stored
    value again, does not (a downgrade keeps what exists)."""
    if any(
        changes[name] and changes[name] != getattr(college_settings, name)
        for name in BRANDING_FIELDS
        if name in changes
    ):
        hooks.ensure_feature("custom_branding")
    policy = {name: changes.pop(name) for name in POLICY_FIELDS if name in changes}
    current = hooks.placement_policy()
    if any(current[name] != value for name, value in policy.items()):
        # only a change of the old fields rewrites the tiers (a form sending them back as they
        # are keeps tiers the office named itself)
        hooks.placement_policy_set(**{**current, **policy})
    for name, value in changes.items():
        setattr(college_settings, name, value)
    college_settings.save()
    return college_settings
