"""When things are due: dates in words, natural dates, elapsed time, reminders and repeat rules."""
