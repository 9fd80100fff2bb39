"""What sync remembers between runs, in its own SQLite file (`sync.sqlite3`) beside the tasks.

- the account (URL and user; the password is in the keyring, never here);
- each list ↔ calendar pair with the calendar's sync token, and the list's id in the task store
  (a list renamed here keeps its id, so sync renames its calendar rather than making another);
- each synced task: its calendar, href, UID and ETag, the server's iCalendar text as last seen
  (so an update changes only the fields the app owns) and the fields as last synced: the base of
  the three-way merge;
- the last run's time and result, and the conflicts it resolved.

Pending local changes need no table of their own: a task whose fields differ from its base, a
task with no row here, and a row whose task is gone are the pending changes. So an edit is
pending the moment its own transaction commits, whoever made it, and a crash cannot lose one.
"""

import json
from collections import namedtuple
from pathlib import Path
from typing import Any

from app.common.database import open_database, transaction

FILE_NAME = "sync.sqlite3"

SCHEMA_V1 = """
CREATE TABLE account (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    url        TEXT NOT NULL,
    username   TEXT NOT NULL,
    allow_http INTEGER NOT NULL DEFAULT 0,
    home_url   TEXT
);
CREATE TABLE calendars (
    url        TEXT PRIMARY KEY,
    list_key   TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    sync_token TEXT
);
CREATE TABLE items (
    task_id      INTEGER PRIMARY KEY,
    calendar_url TEXT NOT NULL,
    href         TEXT NOT NULL UNIQUE,
    uid          TEXT NOT NULL,
    etag         TEXT,            -- NULL until the server has acknowledged the first upload
    ical         TEXT,            -- the server's object as last seen (NULL before the upload)
    base         TEXT CHECK (base IS NULL OR json_valid(base))
);
CREATE INDEX items_by_calendar ON items (calendar_url);
CREATE INDEX items_by_uid ON items (uid);
CREATE TABLE runs (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    at       TEXT NOT NULL,
    ok       INTEGER NOT NULL,
    summary  TEXT NOT NULL
);
CREATE TABLE conflicts (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    at       TEXT NOT NULL,
    task_id  INTEGER NOT NULL,
    title    TEXT NOT NULL,
    field    TEXT NOT NULL,
    kept     TEXT,
    lost     TEXT,
    winner   TEXT NOT NULL CHECK (winner IN ('local', 'server'))
);
"""

# The list's id in the task store; NULL for pairs made before it was kept (filled at the next
# sync from the list's name).
SCHEMA_V2 = "ALTER TABLE calendars ADD COLUMN list_id INTEGER;"

MIGRATIONS = [SCHEMA_V1, SCHEMA_V2]

Account = namedtuple("Account", ("url", "username", "allow_http", "home_url"))
CalendarPair = namedtuple("CalendarPair", ("url", "list_key", "name", "sync_token", "list_id"))
Item = namedtuple("Item", ("task_id", "calendar_url", "href", "uid", "etag", "ical", "base"))
Run = namedtuple("Run", ("at", "ok", "summary"))
class Conflict(namedtuple("Conflict", ("at", "task_id", "title", "field", "kept", "lost",
                                       "winner"))):
    __slots__ = ()

    @property
    def sentence(self) -> str:
        """How it was resolved, for people: the status bar's tooltip and `sync status`."""
        side = "this computer's" if self.winner == "local" else "the server's"
        return (f"Conflict on '{self.title}': both sides changed the {self.field}; kept "
                f"{side} newer {self.kept!r} and replaced {self.lost!r}.")


def _item(row: tuple[Any, ...]) -> Item:
    task_id, calendar_url, href, uid, etag, ical, base = row
    return Item(task_id, calendar_url, href, uid, etag, ical, json.loads(base) if base else None)


class SyncState:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._conn = open_database(self.path, MIGRATIONS)

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> "SyncState":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the account ------------------------------------------------------------------------

    def account(self) -> Account | None:
        row = self._conn.execute(
            "SELECT url, username, allow_http, home_url FROM account").fetchone()
        return Account(row[0], row[1], bool(row[2]), row[3]) if row else None

    def save_account(self, account: Account) -> None:
        """A new account starts from nothing: the old one's calendars and items are forgotten."""
        with transaction(self._conn):
            self._forget_all()
            self._conn.execute(
                "INSERT INTO account (id, url, username, allow_http, home_url) "
                "VALUES (1, ?, ?, ?, ?)",
                (account.url, account.username, int(account.allow_http), account.home_url))

    def remove_account(self) -> bool:
        with transaction(self._conn):
            had: bool = self._conn.execute("SELECT count(*) FROM account").fetchone()[0] > 0
            self._forget_all()
        return had

    def _forget_all(self) -> None:
        for table in ("account", "calendars", "items", "runs", "conflicts"):
            self._conn.execute(f"DELETE FROM {table}")

    # -- calendars --------------------------------------------------------------------------

    def calendars(self) -> list[CalendarPair]:
        return [CalendarPair(*row) for row in self._conn.execute(
            "SELECT url, list_key, name, sync_token, list_id FROM calendars ORDER BY name")]

    def save_calendar(self, pair: CalendarPair) -> None:
        with transaction(self._conn):
            self._conn.execute(
                "INSERT INTO calendars (url, list_key, name, sync_token, list_id) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (url) DO UPDATE SET "
                "list_key = excluded.list_key, name = excluded.name, "
                "list_id = excluded.list_id", pair)

    def set_sync_token(self, calendar_url: str, token: str | None) -> None:
        with transaction(self._conn):
            self._conn.execute("UPDATE calendars SET sync_token = ? WHERE url = ?",
                               (token, calendar_url))

    def readdress_calendar(self, old: str, new: str) -> None:
        """The server lists a paired calendar under another form of its URL: the pair and its
        items take the server's form (their object names stay), so requests go where it says."""
        with transaction(self._conn):
            self._conn.execute("UPDATE calendars SET url = ? WHERE url = ?", (new, old))
            before, after = old.rstrip("/") + "/", new.rstrip("/") + "/"
            self._conn.execute(
                "UPDATE items SET href = ? || substr(href, length(?) + 1) "
                "WHERE calendar_url = ? AND substr(href, 1, length(?)) = ?",
                (after, before, old, before, before))
            self._conn.execute("UPDATE items SET calendar_url = ? WHERE calendar_url = ?",
                               (new, old))

    def forget_calendar(self, calendar_url: str) -> None:
        with transaction(self._conn):
            self._conn.execute("DELETE FROM items WHERE calendar_url = ?", (calendar_url,))
            self._conn.execute("DELETE FROM calendars WHERE url = ?", (calendar_url,))

    # -- items ------------------------------------------------------------------------------

    _ITEM = "SELECT task_id, calendar_url, href, uid, etag, ical, base FROM items"

    def items(self, calendar_url: str | None = None) -> list[Item]:
        if calendar_url is None:
            return [_item(row) for row in self._conn.execute(self._ITEM)]
        return [_item(row) for row in self._conn.execute(
            self._ITEM + " WHERE calendar_url = ?", (calendar_url,))]

    def item_by_href(self, href: str) -> Item | None:
        row = self._conn.execute(self._ITEM + " WHERE href = ?", (href,)).fetchone()
        return _item(row) if row else None

    def item_by_uid(self, uid: str) -> Item | None:
        row = self._conn.execute(self._ITEM + " WHERE uid = ?", (uid,)).fetchone()
        return _item(row) if row else None

    def item_by_task(self, task_id: int) -> Item | None:
        row = self._conn.execute(self._ITEM + " WHERE task_id = ?", (task_id,)).fetchone()
        return _item(row) if row else None

    def save_item(self, item: Item) -> None:
        with transaction(self._conn):
            self._save_item(item)

    def save_items(self, items: list[Item]) -> None:
        with transaction(self._conn):
            for item in items:
                self._save_item(item)

    def _save_item(self, item: Item) -> None:
        self._conn.execute(
            "INSERT OR REPLACE INTO items (task_id, calendar_url, href, uid, etag, ical, base) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (*item[:6], json.dumps(item.base) if item.base is not None else None))

    def forget_item(self, task_id: int) -> None:
        with transaction(self._conn):
            self._conn.execute("DELETE FROM items WHERE task_id = ?", (task_id,))

    # -- runs and conflicts ------------------------------------------------------------------

    def last_run(self) -> Run | None:
        row = self._conn.execute("SELECT at, ok, summary FROM runs").fetchone()
        return Run(row[0], bool(row[1]), row[2]) if row else None

    def record_run(self, run: Run) -> None:
        with transaction(self._conn):
            self._conn.execute("INSERT OR REPLACE INTO runs (id, at, ok, summary) "
                               "VALUES (1, ?, ?, ?)", (run.at, int(run.ok), run.summary))

    def record_conflict(self, conflict: Conflict) -> None:
        with transaction(self._conn):
            self._conn.execute(
                "INSERT INTO conflicts (at, task_id, title, field, kept, lost, winner) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (conflict.at, conflict.task_id, conflict.title, conflict.field,
                 json.dumps(conflict.kept), json.dumps(conflict.lost), conflict.winner))

    def conflicts(self, limit: int = 20) -> list[Conflict]:
        rows = self._conn.execute(
            "SELECT at, task_id, title, field, kept, lost, winner FROM conflicts "
            "ORDER BY id DESC LIMIT ?", (limit,))
        return [Conflict(row[0], row[1], row[2], row[3], json.loads(row[4]),
                         json.loads(row[5]), row[6]) for row in rows]


