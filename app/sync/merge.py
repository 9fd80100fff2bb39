"""The three-way merge, field by field, against the version both sides last agreed on.

A field changed on one side only takes that side's value, so different fields changed on the
phone and here both survive. A field changed on both sides to different values is a conflict:
the newer change wins, and the losing value is reported so it can be kept in the history.
"""

from collections import namedtuple
from collections.abc import Iterable
from typing import Any

from app.sync.state import Item

FieldConflict = namedtuple("FieldConflict", ("field", "kept", "lost", "winner"))
Merged = namedtuple("Merged", ("fields", "conflicts"))


def merge(base: dict[str, Any] | None, local: dict[str, Any], remote: dict[str, Any],
          names: Iterable[str], *,
          local_is_newer: bool) -> Merged:
    """`base` None (never synced: the first sync of an existing store, or a lost reply) counts
    every difference as changed on both sides."""
    merged = dict(local)
    conflicts = []
    for name in names:
        mine, theirs = local.get(name), remote.get(name)
        if mine == theirs:
            continue
        before = base.get(name) if base is not None else object()
        if mine == before:
            merged[name] = theirs
        elif theirs == before:
            merged[name] = mine
        else:
            winner = "local" if local_is_newer else "server"
            kept, lost = (mine, theirs) if local_is_newer else (theirs, mine)
            merged[name] = kept
            conflicts.append(FieldConflict(name, kept, lost, winner))
    return Merged(merged, conflicts)


def pending(item: Item | None, fields: dict[str, Any] | None, names: Iterable[str]) -> bool:
    """Whether the server has yet to see this task as it is here: never synced (no `item`),
    never acknowledged (no ETag), or a field differs from the version last synced. A task gone
    here (`fields` None) with an item is a pending deletion."""
    if item is None or fields is None:
        return True
    return item.etag is None or bool(changed(item.base, fields, names))


def changed(old: dict[str, Any] | None, new: dict[str, Any], names: Iterable[str]) -> list[str]:
    """The names whose values differ (all of them when there is no old version)."""
    if old is None:
        return list(names)
    return [name for name in names if old.get(name) != new.get(name)]
