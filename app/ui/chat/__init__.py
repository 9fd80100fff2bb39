"""The chat: conversations, the transcript, the composer and quick ask."""
