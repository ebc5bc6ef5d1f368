"""The Celery app: webhook deliveries, messages and scheduled jobs, on any number of workers.

Started with `celery -A vetclinic worker --beat` (`make worker`); its configuration is the
`CELERY_*` settings (vetclinic/settings/base.py). With `CELERY_BROKER_URL` unset the tasks run
eagerly in the web process, after the commit of the change that queued them.

Nothing is lost when a worker dies mid-task: messages are acknowledged only once a task has
finished (`CELERY_TASK_ACKS_LATE`) and are given back to the broker when the worker process is
lost (`CELERY_TASK_REJECT_ON_WORKER_LOST`); every task is idempotent (it reads what is still
due from the database), and beat's periodic sweep queues again whatever is due and was not
done, whatever happened to its message.
"""

import os

from celery import Celery

# As manage.py: `make worker` is the companion of `make run`; production sets it explicitly.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vetclinic.settings.dev")

app = Celery("vetclinic")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
