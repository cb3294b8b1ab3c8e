"""Entry points: APScheduler jobs, the scheduler, bootstrap, notifications, retention, observability."""
