"""The Celery app and the whole beat schedule, each entry with why and when."""

from celery import Celery
from celery.schedules import crontab
from celery.signals import worker_ready

from service.config import Settings, get_settings
from workflows import calendar

# Every periodic job, in one place. Each job reads its work from the database and is safe to run twice, so a
# missed or doubled tick loses nothing: the next one catches up. Beat uses the Copenhagen time zone.
BEAT_SCHEDULE = {
    # So /readyz and operators can see that a worker is alive and reaches the database.
    "heartbeat": {"task": "workers.heartbeat.record_heartbeat", "schedule": 60.0},
    # Notifications written with each action (outbox) reach people's notices, and due mails go out, within
    # seconds; the outbox and the mail table hold everything while the broker or SMTP is down.
    "pump": {"task": "notify.pump", "schedule": 10.0},
    # Reminder rungs fall on days, but a deadline opened or extended today may have one due today: every minute
    # keeps reminders prompt, and the empty tick is one indexed query.
    "sweep-deadlines": {"task": "notify.sweep_deadlines", "schedule": 60.0},
    # One mail a working day per person with everything that waited overnight (quiet on weekends and holidays:
    # the job itself skips closing days).
    "daily-digest": {"task": "notify.daily_digest", "schedule": crontab(hour=7, minute=0, day_of_week="mon-fri")},
    # The reports each plan owes LBF for last year are opened early in January; the job runs daily because it
    # opens only what is owed and not there yet, so a day the worker was down costs nothing.
    "lbf-reports": {"task": "notify.lbf_reports", "schedule": crontab(hour=6, minute=30)},
    # A case not ready by the agenda cut-off of the meeting it was expected at has slipped to a later one; the job
    # writes that into its history once. Cut-offs fall on days, and the job looks back weeks, so daily is enough.
    "forecast-slips": {"task": "forecast.missed_cutoffs", "schedule": crontab(hour=6, minute=15)},
}


def make_celery(settings: Settings) -> Celery:
    """A Celery app for the settings: Redis in production, kombu's filesystem transport when embedded."""
    calendar.configure(settings.closed_days)
    app = Celery("boligsocial", include=["workers.heartbeat", "workers.notify", "workers.forecasts"])
    app.conf.update(
        broker_url=settings.broker,
        broker_transport_options=settings.broker_transport_options(),
        broker_connection_retry_on_startup=True,
        task_ignore_result=True,  # results live in the database (history, outbox), never in a backend
        task_acks_late=True,  # a task lost with its worker runs again; every task is idempotent
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        timezone=settings.timezone,
        beat_schedule=BEAT_SCHEDULE,
    )
    return app


celery_app = make_celery(get_settings())


@worker_ready.connect
def _announce(**_kwargs: object) -> None:
    """Send a heartbeat through the broker as soon as a worker is up, not a minute later."""
    celery_app.send_task("workers.heartbeat.record_heartbeat")
