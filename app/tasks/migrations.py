"""Schema migrations, applied in order at open; PRAGMA user_version records how many ran.

Append a new script to MIGRATIONS for every schema change; never edit one that has shipped.
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

MIGRATIONS: list[str] = [SCHEMA_V1]
SCHEMA_VERSION = len(MIGRATIONS)
