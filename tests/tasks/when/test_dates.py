from datetime import UTC, date, datetime

import pytest

from app.common.errors import UserError
from app.tasks.when.dates import Due, local_midnight


def test_a_day_sorts_from_its_local_midnight():
    due = Due.parse("2026-11-27")
    assert (due.iso, due.has_time) == ("2026-11-27", False)
    assert due.key == local_midnight(date(2026, 11, 27))


def test_an_instant_keeps_its_offset_and_sorts_by_the_instant():
    due = Due.parse("2026-11-27T17:00:00+01:00")
    assert due.iso == "2026-11-27T17:00:00+01:00"
    assert due.key == datetime(2026, 11, 27, 16, 0, tzinfo=UTC).timestamp()
    assert Due.parse("2026-11-27T16:00:00Z").key == due.key


def test_a_wall_clock_time_is_read_in_the_local_zone():
    due = Due.parse("2026-11-27T17:00")
    assert due.has_time
    assert due.key == datetime(2026, 11, 27, 17, 0).astimezone().timestamp()


def test_today_and_tomorrow_are_understood():
    assert Due.parse("tomorrow", today=date(2026, 12, 31)).iso == "2027-01-01"
    assert Due.parse("Today", today=date(2026, 2, 3)).iso == "2026-02-03"


@pytest.mark.parametrize("text", ["", "next friday", "2026-02-30", "27/11/2026",
                                  "2026-11-27T25:00"])
def test_what_is_not_a_date_is_one_clear_sentence(text):
    with pytest.raises(UserError, match="is not a date: use ISO 8601"):
        Due.parse(text)
