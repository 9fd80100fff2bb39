"""Where streamed markdown can be cut into finished blocks (pure text logic, no Qt).

A block is finished once a blank line follows it outside a code fence: nothing that arrives
later can change how it renders (a fence changes everything until it closes, so its blank
lines do not count). The window renders finished blocks as markdown and shows only the
unfinished tail as plain text, so each part of a long answer is parsed once, not per delta.
"""

import re

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


class FinishedBlocks:
    """Scans appended text once, remembering the fence state between calls."""

    def __init__(self) -> None:
        self.text = ""
        self.finished = 0      # text[:finished] is made of complete blocks
        self._scanned = 0      # every complete line before this index has been looked at
        self._fence: str | None = None  # the opening fence while inside a code block

    def append(self, delta: str) -> None:
        self.text += delta
        while (end := self.text.find("\n", self._scanned)) != -1:
            self._look_at(self.text[self._scanned:end], end + 1)
            self._scanned = end + 1

    def _look_at(self, line: str, after: int) -> None:
        match = _FENCE.match(line)
        if self._fence is None:
            if match:
                self._fence = match.group(1)
            elif not line.strip():
                self.finished = after
        elif match and match.group(1)[0] == self._fence[0] \
                and len(match.group(1)) >= len(self._fence) and not line.strip()[
                    len(match.group(1)):].strip():
            self._fence = None
            self.finished = after  # a closed fence is a whole block by itself


class FenceSplitter:
    """Routes streamed markdown line by line: prose, or the inside of a fenced code block, so
    each code block can get a widget of its own (its own horizontal scroll, a Copy button).

    `feed()` and `end()` return events: ("prose", text), ("code_start", language),
    ("code", text), ("code_end", ""). A partial last line is held back only while it could
    still turn out to be a fence; otherwise it is passed on at once, so text streams smoothly.
    """

    def __init__(self) -> None:
        self.text = ""
        self._pending = ""             # the unfinished last line not yet passed on
        self._passed = 0               # how much of _pending was passed on already
        self._fence: str | None = None

    def feed(self, delta: str) -> list[tuple[str, str]]:
        self.text += delta
        self._pending += delta
        events: list[tuple[str, str]] = []
        while (end := self._pending.find("\n")) != -1:
            line = self._pending[:end + 1]
            events += self._line(line, self._passed)
            self._pending = self._pending[end + 1:]
            self._passed = 0
        if self._pending and not _could_be_fence(self._pending):
            kind = "code" if self._fence else "prose"
            events.append((kind, self._pending[self._passed:]))
            self._passed = len(self._pending)
        return [event for event in events if event[0] != "code" and event[0] != "prose"
                or event[1]]

    def end(self) -> list[tuple[str, str]]:
        events = []
        if self._pending:
            events += self._line(self._pending, self._passed)
            self._pending, self._passed = "", 0
        if self._fence is not None:
            self._fence = None
            events.append(("code_end", ""))
        return events

    def _line(self, line: str, passed: int) -> list[tuple[str, str]]:
        match = _FENCE.match(line)
        if self._fence is None:
            if match and not passed:
                self._fence = match.group(1)
                return [("code_start", line.strip()[len(match.group(1)):].strip().split(" ")[0])]
            return [("prose", line[passed:])]
        marker = match.group(1) if match else ""
        if (match and marker[0] == self._fence[0] and len(marker) >= len(self._fence)
                and not line.strip()[len(marker):].strip() and not passed):
            self._fence = None
            return [("code_end", "")]
        return [("code", line[passed:])]


def _could_be_fence(partial: str) -> bool:
    """Could this unfinished line still become a fence line ("``", "  ~~~py")?"""
    stripped = partial.lstrip(" ")
    return len(partial) - len(stripped) <= 3 and (not stripped or stripped[0] in "`~")
