"""Settings for the drive rush (rush.sh): the benchmark settings with the sign-in throttles of
one client address relaxed, since every student of the rush signs in from the benchmark's one
address (on a campus they come from many). Nothing else changes: same hasher, same lockout, same
per-account throttles.

`RUSH_HASHER=md5` (bench only, never a real setting) hashes the students' passwords with Django's
MD5 hasher instead of Argon2id, to measure what the rest of the rush costs without the hash: its
tables are labelled so (rush.sh prints the hasher), and the headline is the real hasher's. A
sign-in under it rehashes the password with MD5 (Django upgrades hashes to the first hasher),
which the other benchmarks' settings cannot check: seed the database again (or give those users
an Argon2 hash) before running speed.sh on it."""

import os

from deploy.bench.settings import *  # noqa: F403
from deploy.bench.settings import PASSWORD_HASHERS, REST_FRAMEWORK

AUTH_ADDRESS_RATE = "1000000/min"
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": {
        **REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
        "auth": AUTH_ADDRESS_RATE,
    },
}
RUSH_HASHER = os.environ.get("RUSH_HASHER", "argon2")
if RUSH_HASHER == "md5":  # load_prepare.py gives the students MD5 hashes; Argon2 ones still verify
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
elif RUSH_HASHER != "argon2":
    raise ValueError(f"RUSH_HASHER is argon2 (the default) or md5, not {RUSH_HASHER!r}")
