"""The quick-ask shortcut as text: Qt's portable key text ("Ctrl+Alt+Space"), read without Qt.

The setting, the CLI and every backend (X11, the portal, Windows, macOS) read the same parsed
form, so "what the user typed" and "what is grabbed" cannot drift apart. Only what every
backend can grab is accepted: one key (a letter, a digit, F1–F24 or a named key) with at least
one modifier (a bare F-key is allowed too: it types nothing).
"""

from typing import Any, NamedTuple

OFF = "none"
MODIFIERS = ("Ctrl", "Alt", "Shift", "Meta")  # Qt's order in portable text; Meta is Super/Win/Cmd
_MODIFIER_ALIASES = {"ctrl": "Ctrl", "control": "Ctrl", "alt": "Alt", "shift": "Shift",
                     "meta": "Meta", "super": "Meta", "win": "Meta", "cmd": "Meta"}
# Qt's portable names of the keys outside letters, digits and F-keys that a shortcut may use.
NAMED_KEYS = ("Space", "Return", "Enter", "Tab", "Backspace", "Esc", "Insert", "Del", "Home",
              "End", "PgUp", "PgDown", "Left", "Up", "Right", "Down", "Print", "Pause")
_NAMED = {name.lower(): name for name in NAMED_KEYS} | {"escape": "Esc", "delete": "Del",
                                                         "pageup": "PgUp", "pagedown": "PgDown"}
FUNCTION_KEYS = tuple(f"F{number}" for number in range(1, 25))
MAX_LENGTH = 60


class Shortcut(NamedTuple):
    modifiers: frozenset[str]  # a subset of MODIFIERS
    key: str  # "A"…"Z", "0"…"9", "F1"…"F24" or one of NAMED_KEYS

    @property
    def text(self) -> str:
        return "+".join([*(name for name in MODIFIERS if name in self.modifiers), self.key])


def parse(text: str) -> Shortcut | None:
    """The shortcut `text` names, or None for "none" (turned off); ValueError("must …")."""
    if not isinstance(text, str) or not text.strip() or len(text) > MAX_LENGTH:
        raise ValueError(_HOW)
    text = text.strip()
    if text.lower() == OFF:
        return None
    *modifier_words, key_word = [word.strip() for word in text.split("+")]
    if key_word == "" and text.endswith("+"):  # "Ctrl++": the plus key itself is not grabbable
        raise ValueError(_HOW)
    modifiers = set()
    for word in modifier_words:
        name = _MODIFIER_ALIASES.get(word.lower())
        if name is None or name in modifiers:
            raise ValueError(_HOW)
        modifiers.add(name)
    key = _key(key_word)
    if key is None:
        raise ValueError(_HOW)
    if not modifiers and key not in FUNCTION_KEYS:
        raise ValueError("needs Ctrl, Alt, Shift or Meta with that key (a key alone would stop "
                         "typing it anywhere else)")
    return Shortcut(frozenset(modifiers), key)


def _key(word: str) -> str | None:
    if len(word) == 1 and word.isascii() and word.isalnum():
        return word.upper()
    if word.upper() in FUNCTION_KEYS:
        return word.upper()
    return _NAMED.get(word.lower())


_HOW = ("must be keys like Ctrl+Alt+Space (Ctrl, Alt, Shift or Meta, then a letter, a digit, "
        "F1–F24 or a key such as Space), or none to turn it off")


def check(value: Any) -> str:
    """The setting's check: the normalised text ("ctrl+alt+j" -> "Ctrl+Alt+J")."""
    shortcut = parse(value)
    return OFF if shortcut is None else shortcut.text
