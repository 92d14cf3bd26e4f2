"""Thin task: slips of cases that missed an agenda cut-off, written by `service.forecasting.slip_events`."""

from service.forecasting import slip_events
from workers.app import celery_app
from workers.runtime import now, worker_engine


@celery_app.task(name="forecast.missed_cutoffs")
def missed_cutoffs() -> dict[str, int]:
    return slip_events.sweep_missed_cutoffs(worker_engine(), now())
