# The Celery app is loaded with Django, so that `shared_task`s bind to it and
# `transaction.on_commit(task.delay)` works in the web process too.
from .celery import app as celery_app

__all__ = ("celery_app",)
