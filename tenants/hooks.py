"""What the colleges need from billing, filled in by billing's `AppConfig.ready()` (the pattern
of core/accounts/hooks.py): a new college starts on a plan, and plans are billing's. `tenants`
sits below `shared_apps` and imports none of it."""

from collections.abc import Callable
from dataclasses import dataclass


def _no_plan(code: str | None = None, *, public_only: bool = True) -> None:
    return None


@dataclass
class Hooks:
    # plan_for(code, *, public_only=True): the plan of that code (the trial's when `code` is
    # empty), only a public one if `public_only`; None when there is no such plan
    plan_for: Callable[..., object] = _no_plan


hooks = Hooks()


def register(**functions: Callable) -> None:
    """Called from an upper app's `ready()`: `register(plan_for=...)`."""
    for name, function in functions.items():
        if not hasattr(hooks, name):
            raise TypeError(f"Unknown college hook {name!r}.")
        setattr(hooks, name, function)
