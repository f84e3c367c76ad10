"""gunicorn, configured from the environment (see README, "Deployment").

WEB_CONCURRENCY / GUNICORN_WORKERS  worker processes (default 2 x CPUs + 1)
GUNICORN_THREADS                    threads per worker (default 1; >1 selects gthread)
GUNICORN_WORKER_CLASS               sync | gthread (default: from the threads)
GUNICORN_TIMEOUT                    seconds before a silent worker is killed and replaced (30)
GUNICORN_GRACEFUL_TIMEOUT           seconds a worker has to finish on restart or deploy (30)
GUNICORN_KEEPALIVE                  seconds to keep an idle proxy connection (5)
GUNICORN_MAX_REQUESTS               recycle a worker after so many requests (1000, jittered)
PORT                                listening port (8000)
"""

import multiprocessing
import os


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


bind = f"0.0.0.0:{_int('PORT', 8000)}"
workers = _int("WEB_CONCURRENCY", _int("GUNICORN_WORKERS", 2 * multiprocessing.cpu_count() + 1))
threads = _int("GUNICORN_THREADS", 1)
worker_class = os.environ.get("GUNICORN_WORKER_CLASS") or ("gthread" if threads > 1 else "sync")
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)
max_requests = _int("GUNICORN_MAX_REQUESTS", 1000)
max_requests_jitter = max_requests // 10
# Heartbeat files on tmpfs: a container's overlay filesystem can stall workers.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108
# The app writes one access-log line per request (core.observability): none from gunicorn.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
if os.environ.get("LOG_FORMAT", "json") == "json":
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "json": {"()": "core.observability.log_formatter", "log": "server", "fmt": "json"}
        },
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
        "loggers": {
            "gunicorn.error": {"handlers": ["console"], "level": "INFO", "propagate": False}
        },
    }
