"""Thin tasks: each takes no objects, only delegates to a plain function in `service.notify.jobs`, and is safe to
run twice (the database's ledgers and conditional updates make a repeat do nothing)."""

from service.config import get_settings
from service.notify import jobs
from workers.app import celery_app
from workers.runtime import now, worker_engine


@celery_app.task(name="notify.pump")
def pump() -> dict[str, int]:
    return jobs.pump(worker_engine(), get_settings(), now())


@celery_app.task(name="notify.sweep_deadlines")
def sweep_deadlines() -> dict[str, int]:
    return jobs.sweep_deadlines(worker_engine(), get_settings(), now())


@celery_app.task(name="notify.daily_digest")
def daily_digest() -> dict[str, int]:
    return jobs.daily_digest(worker_engine(), get_settings(), now())


@celery_app.task(name="notify.lbf_reports")
def lbf_reports() -> dict[str, int]:
    return jobs.lbf_reports(worker_engine(), get_settings(), now())
