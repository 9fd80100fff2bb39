"""The one kind of error a user is shown: a plain sentence, never a traceback."""


class UserError(Exception):
    """Something the user can fix; `str(error)` is the whole message they see."""
