"""Checks an installed copy of the app runs (`task-assistant --self-test`)."""
