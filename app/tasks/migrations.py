"""Schema migrations, applied in order at open; PRAGMA user_version records how many ran.

Append a new script to MIGRATIONS for every schema change; never edit one that has shipped.
A step SQL cannot say simply is a function of the connection, run in the same transaction.
"""

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
"""

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


def repair_list_names(conn) -> None:
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


MIGRATIONS: list = [SCHEMA_V1, SCHEMA_V2, SCHEMA_V3, SCHEMA_V4, repair_list_names]
SCHEMA_VERSION = len(MIGRATIONS)
