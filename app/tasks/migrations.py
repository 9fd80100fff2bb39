"""Schema migrations, applied in order at open; PRAGMA user_version records how many ran.

Append a new script to MIGRATIONS for every schema change; never edit one that has shipped. A
step may be a function of the connection instead (a repair SQL alone cannot say); what it returns,
if anything, is a sentence the user is shown once.
"""

import sqlite3
from collections.abc import Callable

SCHEMA_V1 = """
CREATE TABLE tasks (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    title        TEXT NOT NULL CHECK (length(trim(title)) > 0),
    notes        TEXT NOT NULL DEFAULT '',
    due          TEXT,
    -- What lists sort and filter by: epoch seconds of the instant, local midnight for a day,
    -- and +infinity for no due date, so "soonest first, undated last" is a plain index scan.
    due_key      REAL NOT NULL DEFAULT 9e999,
    due_has_time INTEGER NOT NULL DEFAULT 0,
    priority     INTEGER NOT NULL DEFAULT 0 CHECK (priority BETWEEN 0 AND 3),
    status       TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done')),
    tags         TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(tags)),
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    completed_at TEXT
);
CREATE INDEX tasks_by_status_due ON tasks (status, due_key, priority DESC);
CREATE INDEX tasks_by_due ON tasks (due_key, priority DESC);

-- One row per tag so a tag filter is an index lookup; triggers keep it in step with tasks.tags.
CREATE TABLE task_tags (
    tag     TEXT NOT NULL COLLATE NOCASE,
    task_id INTEGER NOT NULL,
    PRIMARY KEY (tag, task_id)
) WITHOUT ROWID;

CREATE VIRTUAL TABLE tasks_fts USING fts5(
    title, notes, tags, content='tasks', content_rowid='id',
    tokenize='unicode61 remove_diacritics 2'
);

CREATE TRIGGER tasks_after_insert AFTER INSERT ON tasks BEGIN
    INSERT INTO tasks_fts (rowid, title, notes, tags) VALUES (new.id, new.title, new.notes, new.tags);
    INSERT OR IGNORE INTO task_tags (tag, task_id) SELECT value, new.id FROM json_each(new.tags);
END;
CREATE TRIGGER tasks_after_delete AFTER DELETE ON tasks BEGIN
    INSERT INTO tasks_fts (tasks_fts, rowid, title, notes, tags)
        VALUES ('delete', old.id, old.title, old.notes, old.tags);
    DELETE FROM task_tags WHERE task_id = old.id;
END;
CREATE TRIGGER tasks_after_update AFTER UPDATE OF title, notes, tags ON tasks BEGIN
    INSERT INTO tasks_fts (tasks_fts, rowid, title, notes, tags)
        VALUES ('delete', old.id, old.title, old.notes, old.tags);
    INSERT INTO tasks_fts (rowid, title, notes, tags) VALUES (new.id, new.title, new.notes, new.tags);
    DELETE FROM task_tags WHERE task_id = old.id;
    INSERT OR IGNORE INTO task_tags (tag, task_id) SELECT value, new.id FROM json_each(new.tags);
END;
"""  # noqa: E501 (a migration that has shipped is never edited, not even re-wrapped)

# History and trash (issue 13). Every change to a task is a row in `history`, written in the
# transaction of the change; the changes one action made (an agent's answer, an import, a bulk
# action in the window) share a step. Snapshots are a task's public fields as JSON (`trashed_at`
# added while it is in the trash; NULL where it did not exist), so undo is "put back `before`".
SCHEMA_V2 = """
CREATE TABLE history_steps (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    at              TEXT NOT NULL,
    origin          TEXT NOT NULL,
    conversation_id TEXT
);
CREATE INDEX history_steps_by_conversation ON history_steps (conversation_id)
    WHERE conversation_id IS NOT NULL;

CREATE TABLE history (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    step      INTEGER NOT NULL REFERENCES history_steps (id) ON DELETE CASCADE,
    task_id   INTEGER NOT NULL,
    action    TEXT NOT NULL,
    before    TEXT CHECK (before IS NULL OR json_valid(before)),
    after     TEXT CHECK (after IS NULL OR json_valid(after)),
    reverts   INTEGER,  -- for an undo or redo: the change it reverts
    undone_by INTEGER   -- set while a later undo or redo has reverted this change
);
CREATE INDEX history_by_task ON history (task_id, id);
CREATE INDEX history_by_step ON history (step);
-- Undo and redo look for the newest change nobody reverted: only those are in this index.
CREATE INDEX history_live ON history (id) WHERE undone_by IS NULL;

CREATE TABLE trash (
    id         INTEGER PRIMARY KEY,  -- the task's own id, which AUTOINCREMENT never hands out again
    trashed_at TEXT NOT NULL,
    task       TEXT NOT NULL CHECK (json_valid(task))
);
CREATE INDEX trash_by_time ON trash (trashed_at);

-- The triggers clear a task's tags by task_id on every delete and tag change; without this
-- index each was a scan of every tag row (~7 ms a task at 100k tasks: 3.5 s to undo 500 adds).
CREATE INDEX task_tags_by_task ON task_tags (task_id);
"""

# The task model (issue 14): lists, subtasks, repeat rules and reminders apart from the due.
# Every task is in one list (Inbox, id 1, cannot be removed); `parent_id` makes it a subtask;
# `repeat` is an RFC 5545 RRULE; `remind_at` an instant with its offset and `remind_key` its
# epoch seconds (+infinity for none) so the reminders find the next one with an index scan;
# `uid` is iCalendar's UID.
# No REFERENCES on the new columns: SQLite refuses them in ALTER TABLE with a non-NULL default,
# so the store checks lists and parents itself.
SCHEMA_V3 = """
CREATE TABLE lists (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    name       TEXT NOT NULL UNIQUE COLLATE NOCASE CHECK (length(trim(name)) > 0),
    created_at TEXT NOT NULL
);
INSERT INTO lists (id, name, created_at)
    VALUES (1, 'Inbox', strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now'));
ALTER TABLE tasks ADD COLUMN list_id INTEGER NOT NULL DEFAULT 1;
ALTER TABLE tasks ADD COLUMN parent_id INTEGER;
ALTER TABLE tasks ADD COLUMN repeat TEXT;
ALTER TABLE tasks ADD COLUMN repeat_after_done INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tasks ADD COLUMN remind_at TEXT;
ALTER TABLE tasks ADD COLUMN remind_before INTEGER;
ALTER TABLE tasks ADD COLUMN remind_key REAL NOT NULL DEFAULT 9e999;
-- iCalendar's UID: kept from an imported file, made up for our own tasks; export and re-import
-- (and CalDAV later) recognise a task by it.
ALTER TABLE tasks ADD COLUMN uid TEXT;
UPDATE tasks SET uid = lower(hex(randomblob(16))) || '@task-assistant';
CREATE UNIQUE INDEX tasks_by_uid ON tasks (uid);
CREATE INDEX tasks_by_list ON tasks (list_id, status, due_key);
CREATE INDEX tasks_by_parent ON tasks (parent_id) WHERE parent_id IS NOT NULL;
CREATE INDEX tasks_by_reminder ON tasks (remind_key) WHERE remind_at IS NOT NULL;
"""

# The zone a due's wall-clock time and its repeat rule belong to: an IANA name kept from an
# imported event's TZID (RFC 5545 evaluates a rule in its DTSTART's zone), NULL for the user's
# own zone (every due a person types, and every day without a time).
SCHEMA_V4 = """
ALTER TABLE tasks ADD COLUMN due_zone TEXT;
"""

# The task tree's invariant where every write lands (issue 20): no task under itself or its own
# subtasks, at most MAX_DEPTH (3) levels. Checked by SQLite inside the write transaction, so two
# processes re-parenting at once, an undo, an import or a sync write cannot slip past it.
# Triggers may not use WITH, and need not: at most 3 levels means the chain above the new parent
# and the levels below the task are a fixed number of lookups, which end on a damaged file too.
# The message starts with "task tree:" so the store can turn it into a sentence.
_TREE_CHECK = """
    SELECT RAISE(ABORT, 'task tree: cycle') WHERE new.parent_id = new.id
        OR new.id IN (SELECT parent_id FROM tasks WHERE id = new.parent_id)
        OR new.id IN (SELECT above.parent_id FROM tasks AS parent
                      JOIN tasks AS above ON above.id = parent.parent_id
                      WHERE parent.id = new.parent_id);
    SELECT RAISE(ABORT, 'task tree: too deep') WHERE
        -- the new parent's level (1 at the top; 3 or more means nothing fits under it) ...
        1 + EXISTS (SELECT 1 FROM tasks WHERE id = new.parent_id AND parent_id IS NOT NULL)
          + EXISTS (SELECT 1 FROM tasks AS parent JOIN tasks AS above
                    ON above.id = parent.parent_id
                    WHERE parent.id = new.parent_id AND above.parent_id IS NOT NULL)
        -- ... and the levels the task brings with it (itself, subtasks, sub-subtasks)
        + 1 + EXISTS (SELECT 1 FROM tasks WHERE parent_id = new.id AND id != new.id)
          + EXISTS (SELECT 1 FROM tasks AS child JOIN tasks AS grandchild
                    ON grandchild.parent_id = child.id
                    WHERE child.parent_id = new.id AND child.id != new.id)
        > 3;
"""
TREE_TRIGGERS = (
    "CREATE TRIGGER tasks_tree_on_insert BEFORE INSERT ON tasks WHEN new.parent_id IS NOT NULL "
    f"BEGIN {_TREE_CHECK} END",
    "CREATE TRIGGER tasks_tree_on_update BEFORE UPDATE OF parent_id ON tasks "
    f"WHEN new.parent_id IS NOT NULL BEGIN {_TREE_CHECK} END",
)

# Every task in a loop of parents (A under B under A, or a task under itself), found by walking
# up from each subtask; UNION (not UNION ALL) so the walk ends on a loop.
_IN_A_LOOP = """
WITH RECURSIVE above(start, id) AS (
    SELECT id, parent_id FROM tasks WHERE parent_id IS NOT NULL
    UNION SELECT above.start, tasks.parent_id FROM above JOIN tasks ON tasks.id = above.id
        WHERE tasks.parent_id IS NOT NULL)
"""


def repair_parent_loops(conn: sqlite3.Connection) -> str | None:
    """A file written before the tree was checked may hold a loop of parents, which hid its
    tasks and hung every walk down the tree. Each loop is broken at its newest link (the task
    in it changed last stands on its own); returns the sentence saying so, once."""
    looped = conn.execute(
        f"{_IN_A_LOOP}, looped AS (SELECT tasks.id, tasks.updated_at FROM tasks "
        "JOIN above ON above.start = tasks.id AND above.id = tasks.id) "
        "SELECT looped.id FROM looped WHERE NOT EXISTS (SELECT 1 FROM looped AS other "
        "JOIN above ON above.start = looped.id AND above.id = other.id "
        "WHERE (other.updated_at, other.id) > (looped.updated_at, looped.id)) "
        "ORDER BY looped.id").fetchall()
    for (task_id,) in looped:
        conn.execute("UPDATE tasks SET parent_id = NULL WHERE id = ?", (task_id,))
    if not looped:
        return None
    ids = ", ".join(str(task_id) for task_id, in looped)
    plural = "s" if len(looped) != 1 else ""
    return (f"Repaired the task file: {len(looped)} loop{plural} of subtasks (a task under its "
            f"own subtask) {'were' if plural else 'was'} broken; task{plural} {ids} now "
            f"stand{'' if plural else 's'} on {'their' if plural else 'its'} own.")


def repair_then_check_the_tree(conn: sqlite3.Connection) -> str | None:
    notice = repair_parent_loops(conn)
    for trigger in TREE_TRIGGERS:
        conn.execute(trigger)
    return notice




# Routines (app/routines): in this file so they share its transactions, its privacy and its
# backups. `rule` is an RRULE with its time of day (BYHOUR, BYMINUTE), stepped in local
# wall-clock time; `since` is when it was added, turned on or rescheduled (no occurrence before
# it ever runs); `last_run` the occurrence a process claimed, in the same transaction that
# checked it, so two processes never run the same one.
SCHEMA_V6 = """
CREATE TABLE routines (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    name              TEXT NOT NULL UNIQUE COLLATE NOCASE
                      CHECK (length(trim(name)) BETWEEN 1 AND 80),
    prompt            TEXT NOT NULL CHECK (length(trim(prompt)) BETWEEN 1 AND 4000),
    rule              TEXT NOT NULL CHECK (rule LIKE 'FREQ=%'),
    enabled           INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    since             TEXT NOT NULL,
    last_run          TEXT,
    last_conversation TEXT,
    last_outcome      TEXT,
    created_at        TEXT NOT NULL
);
"""


def repair_list_names(conn: sqlite3.Connection) -> None:
    """List names stored before they were cleaned (issue 20) lose their control and bidi
    characters; a name that then matches another list's gets its id ("Work (7)"), and one left
    empty becomes "List 7", so no list is merged or lost."""
    from app.tasks.validate import MAX_LIST_NAME, clean_list_name

    for list_id, name in conn.execute("SELECT id, name FROM lists ORDER BY id").fetchall():
        cleaned = clean_list_name(name)[:MAX_LIST_NAME] or f"List {list_id}"
        if cleaned == name:
            continue
        taken = conn.execute("SELECT 1 FROM lists WHERE name = ? AND id != ?",
                             (cleaned, list_id)).fetchone()
        if taken:
            cleaned = f"{cleaned[:MAX_LIST_NAME - 12]} ({list_id})"
        conn.execute("UPDATE lists SET name = ? WHERE id = ?", (cleaned, list_id))


# A script, or a function given the connection (it may return a sentence for the user).
Migration = str | Callable[[sqlite3.Connection], str | None]
MIGRATIONS: list[Migration] = [SCHEMA_V1, SCHEMA_V2, SCHEMA_V3, SCHEMA_V4,
                               repair_then_check_the_tree, SCHEMA_V6, repair_list_names]
SCHEMA_VERSION = len(MIGRATIONS)
