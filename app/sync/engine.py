"""One two-way sync: the server's changes first, then the local ones, each safe to interrupt.

Per calendar, the server's changes come from one sync-collection REPORT (RFC 6578) from the
stored token; caldav falls back to a full listing where a server has no sync tokens. Objects
whose ETag differs from the one stored are fetched in calendar-multiget batches and merged
three-way into the task, field by field. Then every pending local change is uploaded: a new
task gets its UID and href recorded before the PUT (If-None-Match), so a retry after a crash
finds it instead of making a second one; an update or delete carries If-Match, and a 412 means
fetch, merge and try again.

A server object is untrusted: one over MAX_OBJECT is not parsed, one this app cannot store as it
is gets stored safely (app/sync/fit.py), and one it cannot store at all (unreadable, refused by
the store) is skipped, named in the summary and left as it is on the server; the run goes on.
Two objects with one UID (in two calendars, say) stay two tasks. A run stops after RUN_SECONDS,
keeping what it did: the next run goes on from there.

Nothing here asks the user anything or touches Qt: the CLI and the window's worker thread run
the same `Sync.run()`.
"""

import re
import time
import uuid
from collections import namedtuple
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from app.common.errors import UserError
from app.common.titles import printable
from app.sync import vtodo
from app.sync.connection import SyncError, call
from app.sync.fit import fit
from app.sync.local import LocalTasks
from app.sync.merge import changed, merge, pending
from app.sync.pairing import DavCalendar, Pairing
from app.sync.state import CalendarPair, Conflict, Item, SyncState
from app.sync.vtodo import Fields
from app.tasks.when.dates import timestamp

if TYPE_CHECKING:  # caldav is imported when a sync needs it, not with this module
    import icalendar

    from app.sync.counted_client import CountedClient

# A caldav calendar object (a VTODO on the server), typed as Any for DavCalendar's reason.
DavObject = Any

MULTIGET_BATCH = 250
RETRIES = 3  # 412s in a row on one task before leaving it for the next sync
MAX_OBJECT = 1_000_000  # characters; a task with the longest notes the store takes is ~100k
RUN_SECONDS = 30 * 60  # a first sync of 5,000 tasks takes a few minutes on a slow server


class Summary(namedtuple("Summary", ("sent", "received", "conflicts", "requests", "notes",
                                     "skipped"), defaults=((), 0))):
    """The counts, and `notes`: one sentence for each thing they don't say (a calendar renamed
    or deleted on either side, a server object skipped or stored cut)."""

    def line(self) -> str:
        text = f"↑ {self.sent} sent, ↓ {self.received} received"
        if self.conflicts:
            text += f", {self.conflicts} conflict{'s' if self.conflicts != 1 else ''} merged"
        if self.skipped:
            text += f", {self.skipped} skipped"
        return text

    def report(self) -> str:
        """The line, then each note on a line of its own."""
        return "\n".join((self.line(), *self.notes))


class Sync:
    def __init__(self, state: SyncState, local: LocalTasks, davclient: "CountedClient",
                 url: str) -> None:
        self.state = state
        self.local = local
        self.client = davclient
        self.url = url  # for error sentences
        self.sent = self.received = self.conflicts = 0
        self._orphans: list[tuple[int, str]] = []
        self._arrived: set[str] = set()  # UIDs of tasks new here in this run
        self._touched: set[str] = set()  # calendars this run uploaded to or deleted from
        # each calendar's changes, by its URL: (token, objects to fetch, hrefs deleted)
        self._listings: dict[str, tuple[str, list[DavObject], set[str]]] = {}
        self._gone: set[str] = set()  # hrefs the server no longer has, in any calendar
        self._skipped: dict[str, str] = {}  # a sentence for each object left on the server
        self._notes: list[str] = []
        # (title, due) → local tasks never synced
        self._unsynced: dict[tuple[str, str | None], list[int]] | None = None
        self._deadline = time.monotonic() + RUN_SECONDS
        local.uid_of = self._uid_of
        local.task_of = self._task_of

    def _uid_of(self, task_id: int) -> str | None:
        item = self.state.item_by_task(task_id)
        return item.uid if item else None

    def _task_of(self, uid: str) -> int | None:
        item = self.state.item_by_uid(uid)
        return item.task_id if item else None

    def run(self) -> Summary:
        self.local.begin_run()
        pairing = Pairing(self.state, self.local, self.client, self.url)
        calendars = pairing.pair()
        # Every calendar is listed before any object is taken: an object whose UID is known
        # under another href is a move only when that href is gone (from any calendar).
        for pair, calendar in calendars.items():
            self._list(pair, calendar)
        for pair, calendar in calendars.items():
            self._pull(pair, calendar)
        self._adopt_orphans()
        self._push({pair.url: calendar for pair, calendar in calendars.items()})
        self._outdate_made_up_tokens()
        return Summary(self.sent, self.received, self.conflicts, self.client.requests_made,
                       (*pairing.notes, *self._notes, *self._skipped.values()),
                       len(self._skipped))

    def _check_time(self) -> None:
        """Between two objects: every one taken so far is stored with its ETag, so stopping
        here loses nothing (a calendar's token is kept only once all of it is taken)."""
        if time.monotonic() > self._deadline:
            raise SyncError(f"The sync stopped after {RUN_SECONDS // 60} minutes; what it did "
                            "is kept, and the next sync goes on from there.", "server")

    def _outdate_made_up_tokens(self) -> None:
        """caldav's "fake-" token describes the calendar as this run found it, before its own
        uploads and deletions; kept, it would make the next run believe nothing changed since
        and miss deletions made meanwhile. A token no listing can match forces a full one."""
        for pair in self.state.calendars():
            if pair.url in self._touched and str(pair.sync_token).startswith("fake-"):
                self.state.set_sync_token(pair.url, "fake-outdated")

    # -- the server's changes -----------------------------------------------------------------

    def _list(self, pair: CalendarPair, calendar: DavCalendar) -> None:
        """What changed in the calendar since its token (one REPORT); what the server no longer
        has goes to `_gone`."""
        result = call(calendar.get_objects_by_sync_token, self.url,
                      sync_token=pair.sync_token, load_objects=False)
        token = str(result.sync_token)
        # Where the server has no sync tokens caldav lists everything and makes up a "fake-"
        # token from it; the same fake token back means nothing changed (and an empty list).
        complete = pair.sync_token is None or (token.startswith("fake-")
                                               and token != pair.sync_token)
        stored = {item.href: item for item in self.state.items(pair.url)}
        deleted = {str(url) for url in result.deleted_urls}
        listed: set[str] = set()
        unloaded: list[DavObject] = []
        for obj in result:
            href = str(obj.url)
            if href in deleted:
                continue
            listed.add(href)
            item = stored.get(href)
            if item is not None and item.etag is not None and item.etag == obj.etag:
                continue  # our own upload, or nothing new
            # Always fetched raw with multiget: the objects of caldav's full-listing fallback
            # come through its search, whose copies are not the server's exact text.
            unloaded.append(obj)
        if complete:  # a full listing: whatever it lacks was deleted on the server
            deleted |= {href for href, item in stored.items()
                        if href not in listed and item.etag is not None}
        self._gone |= deleted
        self._listings[pair.url] = (token, unloaded, deleted)

    def _pull(self, pair: CalendarPair, calendar: DavCalendar) -> None:
        token, unloaded, deleted = self._listings.pop(pair.url)
        loaded: list[DavObject] = []
        for start in range(0, len(unloaded), MULTIGET_BATCH):
            self._check_time()
            batch = [obj.url for obj in unloaded[start:start + MULTIGET_BATCH]]
            loaded += call(calendar.multiget, self.url, batch)
        skipped = len(self._skipped)
        for obj in loaded:
            self._check_time()
            self._take_remote(pair, str(obj.url), obj.etag, obj.data)
        for href in deleted:
            item = self.state.item_by_href(href)
            if item is not None:
                self._take_remote_deletion(item)
        if len(self._skipped) == skipped:  # else the old token lists the skipped ones again
            self.state.set_sync_token(pair.url, token)

    def _take_remote(self, pair: CalendarPair, href: str, etag: str | None, text: str) -> None:
        """One server object into the store, as safely as it fits; one that cannot be stored
        is skipped and named, and its item (if any) keeps its old ETag, so nothing of ours is
        uploaded over it or deletes it."""
        if len(text or "") > MAX_OBJECT:
            self._skip(pair, href, None, f"it is over {MAX_OBJECT // 1_000_000} MB")
            return
        try:
            _, todo = vtodo.parse(text)
            remote, uid = vtodo.read(todo), vtodo.uid_of(todo)
        except vtodo.NotATask:
            return  # an event in a mixed calendar: not a task
        except Exception:  # another client's object, beyond what icalendar reads
            self._skip(pair, href, None, "it could not be read as a task")
            return
        remote, cut = fit(remote)
        try:
            self._store_remote(pair, href, etag, text, todo, remote, uid)
        except SyncError:
            raise  # the server or the network: the run cannot go on
        except UserError as error:  # the store refused it even fitted
            self._skip(pair, href, remote["title"], f"the task store refused it ({error})")
            return
        if cut:
            self._notes.append(f"Task '{_short(remote['title'])}' from calendar "
                               f"'{_short(pair.name)}': " + "; ".join(cut) + ".")

    def _skip(self, pair: CalendarPair, href: str, title: str | None, reason: str) -> None:
        name = unquote(href.rstrip("/").rsplit("/", 1)[-1])
        what = f"'{_short(name)}'" + (f" ('{_short(title)}')" if title else "")
        self._skipped[href] = (f"Skipped {what} in calendar '{_short(pair.name)}': "
                               f"{reason}; it is left as it is on the server.")

    def _store_remote(self, pair: CalendarPair, href: str, etag: str | None, text: str,
                      todo: "icalendar.Todo", remote: Fields, uid: str) -> None:
        item = self.state.item_by_href(href)
        if item is None:
            item = self.state.item_by_uid(uid)
            if item is not None and item.href not in self._gone:  # not a move: a second copy
                other = {each.url: each.name for each in self.state.calendars()}.get(
                    item.calendar_url, item.calendar_url)
                self._notes.append(f"UID '{_short(uid)}' is in calendar '{_short(pair.name)}' "
                                   f"and in calendar '{_short(other)}': kept as two tasks.")
                item = None
        if item is None:
            matched = self._match(remote)
            task_id = matched or self.local.add(remote, pair.list_key, uid)
            item = Item(task_id, pair.url, href, uid, etag, text, None)
            if matched is not None:  # a task of our own: merged field by field
                self._merge_into_local(item, self._present(task_id), remote, todo)
            else:  # made from the server's copy: nothing of ours to weigh against it by date
                self.state.save_item(item._replace(base=self._held(task_id, remote)))
            self._arrived.add(uid)
            self.received += 1
            return
        item = item._replace(calendar_url=pair.url, href=href)
        local = self.local.get(item.task_id)
        if local is None:  # deleted here, changed there: the change wins, the task comes back
            task_id = self.local.bring_back(item.task_id, remote, pair.list_key, uid)
            if task_id != item.task_id:
                self.state.forget_item(item.task_id)
            self.state.save_item(item._replace(task_id=task_id, etag=etag, ical=text,
                                               base=self._held(task_id, remote)))
            self.received += 1
            return
        if local["list"] != pair.list_key:  # moved to another calendar on the phone
            self.local.move(item.task_id, pair.list_key)
        if item.base is not None and not changed(item.base, remote, self.local.names):
            self.state.save_item(item._replace(etag=etag, ical=text))
            return
        self._merge_into_local(item._replace(etag=etag, ical=text), local, remote, todo)
        self.received += 1

    def _merge_into_local(self, item: Item, local: Fields, remote: Fields,
                          todo: "icalendar.Todo") -> None:
        """Merge and write the local side; what the merge kept from here is uploaded by the push,
        which finds it differing from the new base (the server's fields)."""
        names = self.local.names
        newer = vtodo.later_than(local.get("updated_at"), vtodo.modified_at(todo))
        merged = merge(item.base, local, remote, names, local_is_newer=newer)
        lost_here = [each.field for each in merged.conflicts if each.winner == "local"]
        if lost_here:  # the server's losing value passes through, so the history keeps it too
            self.local.apply(item.task_id, remote, lost_here)
            local = self._present(item.task_id)
        to_write = changed(local, merged.fields, names)
        if to_write:
            self.local.apply(item.task_id, merged.fields, to_write)
        for conflict in merged.conflicts:
            self.conflicts += 1
            self.state.record_conflict(Conflict(timestamp(), item.task_id, merged.fields["title"],
                                                conflict.field, conflict.kept, conflict.lost,
                                                conflict.winner))
        self.state.save_item(item._replace(base=self._held(item.task_id, remote, merged.fields)))

    def _present(self, task_id: int) -> Fields:
        """A task this run has just written to, so it is there."""
        fields = self.local.get(task_id)
        assert fields is not None, f"task {task_id} is gone mid-write"
        return fields

    def _held(self, task_id: int, remote: Fields, wanted: Fields | None = None) -> Fields:
        """The new base: the server's fields, except where the store could not take the value
        it was given (a repeat rule without a due date, a parent not synced yet). There the
        base is what the store holds, so that is not mistaken for a change made here and
        uploaded over the server's value."""
        wanted = wanted or remote
        held = self.local.get(task_id) or wanted
        if held["parent"] != wanted["parent"] and wanted["parent"]:
            self._orphans.append((task_id, wanted["parent"]))  # the parent may come later
        # A repeating task completed elsewhere was moved on by the store (next due, open): that
        # is news for the server, so its old values stay the base and the push sends the new.
        moved_on = wanted["status"] == "done" and held["status"] == "open" and held["repeat"]
        return {name: held[name] if held[name] != wanted[name] and not
                (moved_on and name in ("status", "due", "remind_at")) else remote[name]
                for name in self.local.names}

    def _adopt_orphans(self) -> None:
        """Subtasks that arrived before their parent get it once every calendar is read, and
        so do those synced in an earlier run whose parent has only now arrived (the server's
        copy still names it; their base has no parent, so nothing uploaded it as removed)."""
        if self._arrived:
            for each in self.state.items():
                parent_uid = _related_parent(each.ical)
                if parent_uid in self._arrived and each.base and not each.base["parent"]:
                    self._orphans.append((each.task_id, parent_uid))
        for task_id, parent_uid in self._orphans:
            item = self.state.item_by_task(task_id)
            local = self.local.get(task_id)
            if item is None or local is None or self._task_of(parent_uid) is None:
                continue
            if local["parent_id"] is not None:  # a parent chosen here is never overwritten
                continue
            self.local.apply(task_id, {**local, "parent": parent_uid}, ["parent"])
            # A parent the store refuses (a cycle, too deep) stays unset here, and so in the
            # base: otherwise the push would upload its removal over the server's copy.
            held = self._present(task_id)["parent"]
            self.state.save_item(item._replace(base={**item.base, "parent": held}))
        self._orphans.clear()
        self._arrived.clear()

    def _match(self, remote: Fields) -> int | None:
        """On a first sync, a local task never synced with the same title and due date is the
        same task: it is linked, not duplicated. The tasks never synced are indexed once per
        run (a first sync of thousands of tasks on both sides would otherwise be quadratic);
        a task linked leaves the index."""
        if self._unsynced is None:
            synced = {item.task_id for item in self.state.items()}
            self._unsynced = {}
            for task_id, fields in self.local.all().items():
                if task_id not in synced:
                    key = (fields["title"], fields["due"])
                    self._unsynced.setdefault(key, []).append(task_id)
        candidates = self._unsynced.get((remote["title"], remote["due"]))
        return candidates.pop(0) if candidates else None

    def _take_remote_deletion(self, item: Item) -> None:
        local = self.local.get(item.task_id)
        self.state.forget_item(item.task_id)
        if local is None:
            return  # deleted on both sides
        if item.base is not None and not changed(item.base, local, self.local.names):
            self.local.delete(item.task_id)
            self.received += 1
        # else: edited here since: the task stays, and the push uploads it as a new object

    # -- local changes ------------------------------------------------------------------------

    def _push(self, calendars: dict[str, DavCalendar]) -> None:
        by_list = {pair.list_key: pair.url for pair in self.state.calendars()}
        tasks = self.local.all()
        items = {item.task_id: item for item in self.state.items()}
        new = [task_id for task_id, local in tasks.items()
               if task_id not in items and local["list"] in by_list]
        for task_id in new:  # every UID first: a new subtask names its parent by it
            items[task_id] = self._assign(task_id, tasks[task_id], by_list[tasks[task_id]["list"]])
        if new:
            tasks = self.local.all()
        for task_id, local in tasks.items():
            item = items.pop(task_id, None)
            target = by_list.get(local["list"])
            if item is None or target is None or item.calendar_url not in calendars:
                continue
            if item.calendar_url != target and target in calendars:
                item = self._move(calendars[item.calendar_url], item, target)
                if item is None:
                    continue
            if pending(item, local, self.local.names):
                self._check_time()
                self._upload(calendars[item.calendar_url], item, local)
        pairs = {pair.url: pair for pair in self.state.calendars()}
        for item in items.values():  # synced before, gone here now
            if item.task_id not in tasks and item.calendar_url in calendars:
                if self.local.never_had(item.task_id) and item.ical:
                    self._take_back(pairs[item.calendar_url], item)
                else:
                    self._delete_remote(calendars[item.calendar_url], item)

    def _take_back(self, pair: CalendarPair, item: Item) -> None:
        """A task this store has no trace of (a restored backup predates it) was not deleted
        here: it comes back from the server's copy instead of being deleted there."""
        self.state.forget_item(item.task_id)
        self._take_remote(pair, item.href, item.etag, item.ical)

    def _assign(self, task_id: int, local: Fields, calendar_url: str) -> Item:
        """The UID and href are chosen and stored before the upload, so an upload cut off by a
        crash is retried under the same name and can never become a second copy."""
        uid = local.get("uid") or f"{uuid.uuid4()}@task-assistant"
        name = uuid.uuid5(uuid.NAMESPACE_URL, uid)  # a safe file name whatever the UID holds
        item = Item(task_id, calendar_url, calendar_url.rstrip("/") + f"/{name}.ics", uid,
                    None, None, None)
        self.state.save_item(item)
        return item

    def _move(self, old_calendar: DavCalendar, item: Item, target: str) -> Item | None:
        """Moved to another list here: deleted from the old calendar (If-Match), uploaded to the
        new one under the same UID."""
        if item.etag is not None and not self._delete_remote(old_calendar, item, forget=False):
            return None  # changed there meanwhile: merged in, moved at the next sync
        name = item.href.rstrip("/").split("/")[-1]
        moved = item._replace(calendar_url=target, href=target.rstrip("/") + "/" + name,
                              etag=None, base=None)
        self.state.save_item(moved)
        return moved

    def _upload(self, calendar: DavCalendar, item: Item, local: Fields) -> None:
        from caldav.lib import error as dav

        for _ in range(RETRIES):
            names = changed(item.base, local, self.local.names)
            if item.ical:
                calendar_object, todo = vtodo.parse(item.ical)
            else:
                calendar_object, todo = vtodo.new_object(item.uid)
            vtodo.write(todo, local, names)
            text = calendar_object.to_ical().decode()
            obj = _resource(calendar, item.href, text, item.etag)
            try:
                call(_save, self.url, obj, item.etag is None)
            except (dav.ETagMismatchError, dav.ConsistencyError, dav.PutError):
                task_id, calendar_url = item.task_id, item.calendar_url
                refetched = self._refetch(calendar, item)
                if refetched is None:  # deleted there meanwhile; edited here, so it goes up anew
                    now = self.local.get(task_id)
                    if now is None:
                        return
                    item, local = self._assign(task_id, now, calendar_url), now
                    continue
                now = self.local.get(refetched.task_id)
                if now is None or not changed(refetched.base, now, self.local.names):
                    return
                item, local = refetched, now
                continue
            self.state.save_item(item._replace(etag=obj.etag, ical=text,
                                               base=_base_of(local, self.local.names)))
            self._touched.add(item.calendar_url)
            self.sent += 1
            return

    def _refetch(self, calendar: DavCalendar, item: Item) -> Item | None:
        """After a 412: the server's current version, merged in; None if it is gone."""
        from caldav.lib.url import URL

        found = call(calendar.multiget, self.url, [URL.objectify(item.href)])
        if not found or not found[0].data:
            self._take_remote_deletion(item)
            return None
        self._take_remote(self._pair(item.calendar_url), item.href, found[0].etag, found[0].data)
        return self.state.item_by_href(item.href)

    def _pair(self, url: str) -> CalendarPair:
        return next(pair for pair in self.state.calendars() if pair.url == url)

    def _delete_remote(self, calendar: DavCalendar, item: Item, forget: bool = True) -> bool:
        """DELETE with If-Match; False when the server's copy changed since (it is merged in
        instead, and a task deleted here comes back)."""
        from caldav.lib import error as dav

        if item.etag is not None:
            obj = _resource(calendar, item.href, None, item.etag)
            try:
                call(obj.delete, self.url, if_match=True, precondition="etag")
            except dav.NotFoundError:
                pass  # already gone there too
            except dav.ETagMismatchError:
                self._refetch(calendar, item)
                return False
            self._touched.add(item.calendar_url)
            self.sent += 1
        if forget:
            self.state.forget_item(item.task_id)
        return True


def _resource(calendar: DavCalendar, href: str, text: str | None,
              etag: str | None) -> DavObject:
    from caldav.calendarobjectresource import Todo  # (caldav.Todo, where mypy can see it)
    from caldav.elements import dav

    return Todo(calendar.client, url=href, data=text, parent=calendar,
                props={dav.GetEtag.tag: etag} if etag else None)


def _save(obj: DavObject, new: bool) -> DavObject:
    if new:  # If-None-Match: * — an upload retried after a crash cannot make a second copy
        return obj.save(no_overwrite=True, increase_seqno=False)
    return obj.save(increase_seqno=False, precondition="etag")


def _short(text: str) -> str:
    """Another client's text, safe for a terminal and one line long."""
    text = printable(" ".join(str(text).split()))
    return text if len(text) <= 80 else text[:79] + "…"


def _base_of(local: Fields, names: Iterable[str]) -> Fields:
    return {name: local[name] for name in names}


_RELATED_TO = re.compile(r"^RELATED-TO(;[^:\r\n]*)?:(.*)$", re.MULTILINE)


def _related_parent(ical: str | None) -> str | None:
    """The parent UID a stored server copy names, read without parsing the whole object (a
    run looks through every item when tasks arrive); folded lines (RFC 5545 3.1: a long UID,
    or parameters, past 75 octets) are unfolded first."""
    for match in _RELATED_TO.finditer(re.sub(r"\r?\n[ \t]", "", ical or "")):
        parameters = (match.group(1) or "").upper()
        if "RELTYPE=" not in parameters or "RELTYPE=PARENT" in parameters:
            return match.group(2).strip()
    return None
