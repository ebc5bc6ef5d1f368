import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ImproperlyConfigured

from citas.agenda import free_slots, parse_clinic_hours

T = datetime.time
MADRID = ZoneInfo("Europe/Madrid")


def test_parse_clinic_hours_ranges_lists_and_split_shifts():
    hours = parse_clinic_hours("0-4=09:00-14:00,16:00-20:00; 5=10:00-13:00")

    assert hours[0] == hours[4] == [(T(9), T(14)), (T(16), T(20))]
    assert hours[5] == [(T(10), T(13))]
    assert 6 not in hours


def test_parse_clinic_hours_day_list():
    assert set(parse_clinic_hours("0,2,4=08:00-12:00")) == {0, 2, 4}


@pytest.mark.parametrize(
    "value", ["lunes=09:00-18:00", "0-4=18:00-09:00", "7=09:00-10:00", "0-4=9-18", "4-0=09:00-10:00"]
)
def test_malformed_clinic_hours_are_refused(value):
    with pytest.raises(ImproperlyConfigured):
        parse_clinic_hours(value)


def slots(periods, *, busy=(), duracion=30, step=15, now=None, fecha=datetime.date(2031, 5, 5), tz=MADRID):
    now = now or datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
    found = free_slots(
        fecha=fecha,
        periods=periods,
        busy=list(busy),
        duracion=datetime.timedelta(minutes=duracion),
        step=datetime.timedelta(minutes=step),
        now=now,
        tz=tz,
    )
    return [(h.inicio.strftime("%H:%M"), h.fin.strftime("%H:%M")) for h in found]


def test_slots_follow_the_grid_from_each_period_start_and_fit_inside():
    assert slots([(T(9, 10), T(10, 0))], duracion=30, step=15) == [("09:10", "09:40"), ("09:25", "09:55")]


def test_busy_intervals_remove_overlapping_slots_but_not_adjacent_ones():
    busy = [(datetime.datetime(2031, 5, 5, 9, 30, tzinfo=MADRID), datetime.datetime(2031, 5, 5, 10, 0, tzinfo=MADRID))]

    assert slots([(T(9), T(11))], busy=busy, duracion=30, step=30) == [
        ("09:00", "09:30"),
        ("10:00", "10:30"),
        ("10:30", "11:00"),
    ]


def test_nothing_starts_before_now():
    now = datetime.datetime(2031, 5, 5, 9, 20, tzinfo=MADRID)

    assert slots([(T(9), T(10))], duracion=30, step=15, now=now) == [("09:30", "10:00")]


def test_slots_on_a_dst_day_last_exactly_their_duration():
    # 30 March 2031: clocks go from 02:00 to 03:00 in Madrid.
    found = free_slots(
        fecha=datetime.date(2031, 3, 30),
        periods=[(T(1, 0), T(4, 0))],
        busy=[],
        duracion=datetime.timedelta(minutes=60),
        step=datetime.timedelta(minutes=60),
        now=datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC),
        tz=MADRID,
    )

    assert [h.inicio.strftime("%H:%M") for h in found] == ["01:00", "03:00"]
    assert all(
        h.fin.astimezone(datetime.UTC) - h.inicio.astimezone(datetime.UTC) == datetime.timedelta(hours=1) for h in found
    )
