"""Task Assistant: a desktop chat assistant that manages your tasks with Gemini."""

__version__ = "0.1.0"
APP_NAME = "Task Assistant"
