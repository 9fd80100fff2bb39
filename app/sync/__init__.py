"""Two-way sync of the tasks with a CalDAV server (issue 15); Qt-free."""
