"""What the app does on the desktop besides its window: reminders and start on login (no Qt)."""
