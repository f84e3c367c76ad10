"""Settings for the drive rush (rush.sh): the benchmark settings with the sign-in throttles of
one client address relaxed, since every student of the rush signs in from the benchmark's one
address (on a campus they come from many). Nothing else changes: same hasher, same lockout, same
per-account throttles."""

from deploy.bench.settings import *  # noqa: F403
from deploy.bench.settings import REST_FRAMEWORK

AUTH_ADDRESS_RATE = "1000000/min"
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": {
        **REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
        "auth": AUTH_ADDRESS_RATE,
    },
}
