"""Routines: a prompt the assistant runs on a schedule, with nobody at the keyboard (no Qt).

model.py what a routine is; when.py "every weekday at 8:00" as an RRULE and back in words;
schedule.py when one runs next and whether a missed one still runs; store.py the routines in
the task file; builtins.py the two offered ones; unattended.py one run as a conversation;
scheduler.py what the running app runs, and when it should look again.
"""
