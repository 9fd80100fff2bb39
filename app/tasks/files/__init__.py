"""Tasks in and out of files: iCalendar, Todoist CSV, JSON and CSV."""
