"""A past moment as a person says it: "today 14:05", "yesterday 09:12", "Mon 30 Nov 14:05"."""

from datetime import datetime, timedelta

from app.common import clock


def moment_words(stamp: str | datetime) -> str:
    """In the user's own zone and measured against the app's clock; the year only when it is
    not this year's."""
    moment = (datetime.fromisoformat(stamp) if isinstance(stamp, str) else stamp).astimezone()
    now = clock.now()
    day = moment.astimezone(now.tzinfo).date()
    time = f"{moment:%H:%M}"
    if day == now.date():
        return f"today {time}"
    if day == now.date() - timedelta(days=1):
        return f"yesterday {time}"
    year = "" if day.year == now.year else f" {day.year}"
    return f"{moment:%a} {day.day} {moment:%b}{year} {time}"
