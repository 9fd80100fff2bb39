"""Titles people type (a task's, a conversation's): one line, each failing with one sentence."""

from app.common.errors import UserError


def one_line_title(value: object, *, noun: str, limit: int) -> str:
    """The title on one line with its whitespace collapsed; UserError if empty or too long."""
    if not isinstance(value, str) or not value.strip():
        raise UserError(f"A {noun} needs a title.")
    cleaned = " ".join(value.split())
    if len(cleaned) > limit:
        raise UserError(f"A {noun} title can be at most {limit} characters.")
    return cleaned
