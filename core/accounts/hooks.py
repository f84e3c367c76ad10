"""What identity needs from the layers above it, filled in by those layers.

`core` is installed in every schema and imports none of `shared_apps`, `tenants` or
`tenant_apps`; yet inviting a member takes a seat of the college's plan, branding is a plan
feature and a recruiter belongs to one of the college's companies. Each of those apps registers
its part here in its `AppConfig.ready()`: billing the plan checks, companies the recruiters.
Where nobody registered (the public schema has no companies), the defaults say so: no plan
limits, and no company exists."""

from collections.abc import Callable
from dataclasses import dataclass


def _no_limit(*args, **kwargs) -> None:
    return None


def _no_placement_policy() -> dict:
    return {"one_offer_policy": False, "dream_ctc_threshold": None}


def _no_placement_policy_set(**policy) -> None:
    raise LookupError("No app keeps a placement policy in this schema.")


def _no_company(company_id: int) -> bool:
    return False


def _no_recruiters(*, user, company_id: int) -> None:
    raise LookupError("No app links recruiters to companies in this schema.")


@dataclass
class Hooks:
    # ensure_room_for(limit, *, adding=1, used=None): raise when the plan has no room
    ensure_room_for: Callable[..., None] = _no_limit
    # ensure_feature(feature): raise when the plan lacks it
    ensure_feature: Callable[[str], None] = _no_limit
    company_exists: Callable[[int], bool] = _no_company
    # recruiter_attach(*, user, company_id): make the user a recruiter of that company
    recruiter_attach: Callable[..., None] = _no_recruiters
    # the old placement policy's fields, derived from the college's offer tiers (read) and
    # turned into them (write: placement_policy_set(one_offer_policy=..., dream_ctc_threshold=...))
    placement_policy: Callable[[], dict] = _no_placement_policy
    placement_policy_set: Callable[..., None] = _no_placement_policy_set


hooks = Hooks()


def register(**functions: Callable) -> None:
    """Called from an upper app's `ready()`: `register(company_exists=...)`."""
    for name, function in functions.items():
        if not hasattr(hooks, name):
            raise TypeError(f"Unknown identity hook {name!r}.")
        setattr(hooks, name, function)
