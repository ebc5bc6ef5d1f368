"""Local-day arithmetic in the clinic's zone (TIME_ZONE)."""

import datetime

from django.utils import timezone


def start_of_local_day(day: datetime.date) -> datetime.datetime:
    """Midnight of `day` in the clinic's zone, as an aware date-time."""
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=timezone.get_current_timezone())


def local_day_range(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """[start, end) of the local day `day`: 23 or 25 hours long on DST changes."""
    return start_of_local_day(day), start_of_local_day(day + datetime.timedelta(days=1))
