import time

import pytest


@pytest.fixture
def fresh_minute():
    """Start a throttle test early in a one-minute window.

    The throttles count in fixed windows of their period; a test that spends its whole budget
    must not see a counter reset half way because the clock crossed a minute boundary on a busy
    machine. Waits at most 20 seconds, only when fewer than that remain in the current minute."""
    remaining = 60 - time.time() % 60
    if remaining < 20:
        time.sleep(remaining + 0.05)
