"""Dates as people type them, read against a fixed moment (a Wednesday) in the local zone."""

from datetime import date, datetime, timedelta

import pytest

from app.common import clock
from app.common.errors import UserError
from app.tasks.when.natural_dates import read_due

WEDNESDAY = datetime(2026, 3, 4, 10, 0).astimezone()  # any Wednesday morning
EVENING = WEDNESDAY.replace(hour=18, minute=30)


def on(text, moment=WEDNESDAY):
    return read_due(text, now=moment)


def test_iso_and_the_two_plain_words_need_no_parser():
    assert on("2026-11-27").iso == "2026-11-27"
    assert on("2026-11-27T17:00:00+01:00").iso == "2026-11-27T17:00:00+01:00"
    assert on("tomorrow").iso == "2026-03-05"


def test_a_day_stays_a_day_and_a_time_makes_a_date_time():
    assert (on("in 3 days").iso, on("in 3 days").has_time) == ("2026-03-07", False)
    tomorrow_five = on("tomorrow 5pm")
    assert tomorrow_five.has_time
    assert datetime.fromisoformat(tomorrow_five.iso) == datetime(2026, 3, 5, 17, 0).astimezone()
    assert datetime.fromisoformat(on("in 2 hours").iso) == WEDNESDAY + timedelta(hours=2)


def test_friday_is_the_coming_one_and_next_friday_is_next_weeks():
    """The documented decision: on a Wednesday, "friday" is in 2 days, "next friday" in 9."""
    assert on("friday").iso == "2026-03-06"
    assert on("this friday").iso == "2026-03-06"
    assert on("next friday").iso == "2026-03-13"
    assert on("on friday").iso == "2026-03-06"
    assert on("next fri at 9am").iso[:16] == "2026-03-13T09:00"


def test_the_coming_weekday_is_never_today_and_next_counts_from_next_monday():
    friday = datetime(2026, 3, 6, 10, 0).astimezone()
    sunday = datetime(2026, 3, 8, 10, 0).astimezone()
    assert on("friday", friday).iso == "2026-03-13"
    assert on("friday", sunday).iso == on("next friday", sunday).iso == "2026-03-13"


def test_month_days_and_month_ends():
    assert on("dec 24").iso == "2026-12-24"
    assert on("dec 24", datetime(2026, 12, 25, 9, 0).astimezone()).iso == "2027-12-24"
    assert on("end of month").iso == "2026-03-31"
    assert on("end of month", datetime(2028, 2, 10, 9, 0).astimezone()).iso == "2028-02-29"
    assert on("end of the month 17:00").iso[:16] == "2026-03-31T17:00"


def test_a_time_alone_is_todays_while_ahead_and_tomorrows_once_passed():
    assert on("5pm").iso[:16] == "2026-03-04T17:00"
    assert on("5pm", EVENING).iso[:16] == "2026-03-05T17:00"
    assert on("today 5pm", EVENING).iso[:16] == "2026-03-04T17:00"  # said so: stays today
    assert on("4 mar 2026 5pm", EVENING).iso[:16] == "2026-03-04T17:00"  # the date is written


def test_the_apps_own_date_words_read_back_as_the_same_date():
    """What the editor shows ("Wed 4 Mar 2026 09:00") is read as that date, not as the coming
    weekday its label names."""
    assert on("Fri 11 Dec 2026").iso == "2026-12-11"
    assert on("Thu 11 Dec 2025").iso == "2025-12-11"  # a past year stays past
    assert on("Wed 4 Mar 2026 09:00", EVENING).iso[:16] == "2026-03-04T09:00"  # passed today
    assert on("friday, december 11 2026").iso == "2026-12-11"
    assert on("friday 5pm").iso[:16] == "2026-03-06T17:00"  # a weekday alone still counts


def test_the_default_moment_is_the_apps_clock():
    assert read_due("in 3 days").iso == (clock.today() + timedelta(days=3)).isoformat()
    assert date.fromisoformat(read_due("friday").iso).weekday() == 4


def test_the_system_locales_language_is_read_too(monkeypatch):
    monkeypatch.setenv("LC_ALL", "de_DE.UTF-8")
    assert on("morgen").iso == "2026-03-05"
    assert on("tomorrow").iso == "2026-03-05"


def test_a_locale_dateparser_does_not_know_falls_back_to_english(monkeypatch):
    monkeypatch.setenv("LC_ALL", "xx_YY.UTF-8")
    assert on("in 3 days").iso == "2026-03-07"


@pytest.mark.parametrize("text", ["whenever", "the blue moon", "   "])
def test_text_that_is_no_date_is_one_sentence(text):
    with pytest.raises(UserError, match="date") as error:
        on(text)
    assert str(error.value).count(".") <= 2 and "\n" not in str(error.value)


def test_a_time_typed_at_that_very_time_of_day_stays_a_time():
    """dateparser reads "tomorrow 10am" at 10:00 as a day; a written time is a time."""
    assert on("tomorrow 10am").iso[:16] == "2026-03-05T10:00"
    assert on("friday 10:00").iso[:16] == "2026-03-06T10:00"


def test_the_2nd_is_the_next_day_with_that_number():
    assert on("the 2nd").iso == "2026-04-02"  # on Wednesday 4 March
    assert on("on the 4th").iso == "2026-03-04"  # today is the 4th
    assert on("by the 21st at 5pm").iso[:16] == "2026-03-21T17:00"
    assert on("the 31st", datetime(2026, 4, 4, 10, 0).astimezone()).iso == "2026-05-31"
    assert on("the 2nd of may").iso == "2026-05-02"
