"""The Celery app and the whole beat schedule, each entry with why and when."""

from celery import Celery
from celery.signals import worker_ready

from service.config import Settings, get_settings


def make_celery(settings: Settings) -> Celery:
    """A Celery app for the settings: Redis in production, kombu's filesystem transport when embedded."""
    app = Celery("boligsocial", include=["workers.heartbeat"])
    app.conf.update(
        broker_url=settings.broker,
        broker_transport_options=settings.broker_transport_options(),
        broker_connection_retry_on_startup=True,
        task_ignore_result=True,  # results live in the database (history, outbox), never in a backend
        task_acks_late=True,  # a task lost with its worker runs again; every task is idempotent
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        timezone=settings.timezone,
        beat_schedule={
            # So /readyz and operators can see that a worker is alive and reaches the database.
            "heartbeat": {"task": "workers.heartbeat.record_heartbeat", "schedule": 60.0},
        },
    )
    return app


celery_app = make_celery(get_settings())


@worker_ready.connect
def _announce(**_kwargs: object) -> None:
    """Send a heartbeat through the broker as soon as a worker is up, not a minute later."""
    celery_app.send_task("workers.heartbeat.record_heartbeat")
