"""Queueing a Celery task from a request without ever waiting on a dead broker."""


def publish(task, *, args: list | tuple, **options) -> None:
    """Queue `task(*args)`: run it right here when Celery runs tasks eagerly (tests, development
    without Redis), else publish with a single connection attempt, so that a dead broker costs
    the request a refused connection, not the seconds of kombu's reconnection loop. Raises when
    the broker is unreachable: what a lost publish means is the caller's to decide."""
    app = task.app
    if app.conf.task_always_eager:
        task.apply_async(args=args, **options)
        return
    with app.producer_or_acquire() as producer:
        producer.connection.ensure_connection(max_retries=0)
        task.apply_async(args=args, producer=producer, retry=False, **options)
