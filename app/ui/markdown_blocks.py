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
