"""The one kind of error a user is shown: a plain sentence, never a traceback."""


class UserError(Exception):
    """Something the user can fix; `str(error)` is the whole message they see."""


ECHO_LIMIT = 80


def echo(value: object) -> str:
    """Input as an error sentence repeats it: at most ECHO_LIMIT characters, so a megabyte
    typed or sent by a program never comes back whole."""
    text = str(value)
    return text if len(text) <= ECHO_LIMIT else text[:ECHO_LIMIT - 1] + "…"
