"""Settings for the load test (load.sh): the benchmark settings (local, no DEBUG, the floor route)
with production's logging, since writing a JSON access line per request is part of the cost."""

from config.settings.base import logging_config
from deploy.bench.settings import *  # noqa: F403

LOGGING = logging_config(level="INFO", fmt="json")
