"""A server object's fields made to fit the task store, so that what a less careful client wrote
(a title over the store's limit, notes over it, too many or too long categories) is stored
safely instead of stopping every sync.

Nothing is dropped that fits somewhere: a cut title is kept whole in the notes, and categories
the store cannot hold are listed there. The fitted fields are what the merge compares with and
keeps as its base, so the server's copy is never rewritten for this: only a field changed here
is ever uploaded.
"""

from app.common.errors import UserError
from app.common.titles import strip_controls
from app.sync.vtodo import Fields
from app.tasks import validate

UNTITLED = "(untitled)"


def fit(fields: Fields) -> tuple[Fields, list[str]]:
    """The fields as the store will take them, and what had to change (phrases like "its title
    was cut to 500 characters"), empty when they fit as they are."""
    changes, extras = [], []
    title = " ".join(strip_controls(fields["title"].replace("\0", "")).split()) or UNTITLED
    if len(title) > validate.MAX_TITLE:
        extras.append(f"Full title: {title}")
        title = title[:validate.MAX_TITLE - 1].rstrip() + "…"
        changes.append(f"its title was cut to {validate.MAX_TITLE} characters (the whole "
                       "title is in its notes)")
    tags, left_out = _fitting_tags(fields["tags"])
    if left_out:
        extras.append("Categories: " + ", ".join(left_out))
        changes.append(f"{len(left_out)} of its categories are in its notes (a task holds "
                       f"{validate.MAX_TAGS}, each up to {validate.MAX_TAG} characters)")
    notes = fields["notes"].replace("\0", "")
    extra = "\n\n".join(extras)
    room = validate.MAX_NOTES - (len(extra) + 2 if extra else 0)
    if len(notes) > room:
        notes = notes[:max(room, 0)]
        changes.append(f"its notes were cut to {validate.MAX_NOTES:,} characters")
    notes = "\n\n".join(part for part in (notes, extra) if part)[:validate.MAX_NOTES]
    return {**fields, "title": title, "notes": notes, "tags": sorted(tags)}, changes


def _fitting_tags(categories: list[str]) -> tuple[list[str], list[str]]:
    """The categories the store keeps (as it spells them), and those it cannot."""
    kept: list[str] = []
    left_out = []
    for category in categories:
        try:
            cleaned = list(validate.tags([*kept, category]))
        except UserError:  # too long, a comma, or a NUL
            left_out.append(category)
            continue
        if len(cleaned) > validate.MAX_TAGS:
            left_out.append(category)
        else:
            kept = cleaned
    return kept, left_out
