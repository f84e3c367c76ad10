"""Password hashing: Argon2id with the parameters OWASP recommends for a web login.

Django's defaults (100 MiB of memory, 8 lanes) cost a sign-in about 0.8 s of CPU and 100 MiB of
a web worker's memory on our machines, for every attempt: a handful of concurrent logins could
exhaust a worker, and the login throttle would be the cheaper part of a password-guessing
attack. OWASP's first recommended setting (19 MiB, 2 passes, 1 lane) keeps Argon2id's memory
hardness against GPU cracking at a cost a web request can afford. Existing hashes made with
other parameters keep verifying and are re-hashed with these at their owner's next sign-in
(Django's `must_update`)."""

from django.contrib.auth.hashers import Argon2PasswordHasher


class WebArgon2PasswordHasher(Argon2PasswordHasher):
    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1
