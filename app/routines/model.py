"""A routine as the store keeps it."""

from collections import namedtuple

Routine = namedtuple("Routine", ("id", "name", "prompt", "rule", "enabled", "since", "last_run",
                                 "last_conversation", "last_outcome", "builtin"),
                     defaults=(False,))
