"""`task-assistant` on the command line: `main.py` parses, one file per command does the work."""
