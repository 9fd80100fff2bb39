"""Titles people type (a task's, a conversation's): one line, each failing with one sentence.

Text shown on a terminal goes through `printable`: control characters and bidi overrides in
a title must never move the cursor, recolour the screen or reorder an approval prompt.
"""

import re

from app.common.errors import UserError

# Bidirectional embeddings, overrides and isolates, and the marks: they reorder what follows.
BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_UNSAFE = re.compile(f"[\\x00-\\x1f\\x7f-\\x9f{BIDI_CONTROLS}]")


def refuse_nul(value: str, what: str) -> None:
    if "\0" in value:
        raise UserError(f"{what} cannot contain a NUL character (\\0).")


def strip_controls(value: str) -> str:
    """`value` without control characters and bidi controls (whitespace becomes a space)."""
    return _UNSAFE.sub(lambda match: " " if match.group().isspace() else "", value)


def one_line_title(value: object, *, noun: str, limit: int) -> str:
    """The title on one line with its whitespace collapsed and control and bidi characters
    removed; UserError if empty, too long or holding a NUL."""
    if not isinstance(value, str) or not value.strip():
        raise UserError(f"A {noun} needs a title.")
    refuse_nul(value, f"A {noun} title")
    cleaned = " ".join(strip_controls(value).split())
    if not cleaned:
        raise UserError(f"A {noun} needs a title.")
    if len(cleaned) > limit:
        raise UserError(f"A {noun} title can be at most {limit} characters.")
    return cleaned


def printable(text: str, *, keep_lines: bool = False) -> str:
    """`text` safe for a terminal: each control or bidi character shown as its escape
    (`keep_lines`: newlines and tabs stay, for an answer's paragraphs)."""
    def escape(match: re.Match[str]) -> str:
        char: str = match.group()
        if keep_lines and char in "\n\t":
            return char
        return char.encode("unicode_escape").decode("ascii")

    return _UNSAFE.sub(escape, text)
