"""Which list is which calendar, kept true through renames and deletions on either side.

Each run starts here, from one PROPFIND of the calendar home (it brings every calendar's display
name along, so following renames costs no request of its own):
- a list renamed here renames its calendar (PROPPATCH of its display name); a calendar renamed
  on the server renames its list, unless another list has that name already;
- a calendar deleted on the server is a deletion made on another device: its synced tasks go to
  the trash, its tasks never synced (or edited since) to Inbox, and its list is removed;
- a calendar new on the server becomes a list of its name (Inbox ↔ a calendar named Inbox,
  else the server's "Tasks"), and a list without a calendar gets one (MKCALENDAR).

Names cross in both directions cleaned (`_clean`): a calendar's name from another client may hold
bidi controls or run long, and XML cannot carry the control characters a list's name may hold.
The pair keeps each side's own spelling, so a cleaned name is never taken for a rename.

A list is followed by its id in the task store, which a rename keeps: a renamed list is never
taken for a new one (that would make a second calendar and upload every task again).
What happened that the counts don't say goes to `notes`, one sentence each.
"""

import re
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from app.common.titles import strip_controls
from app.sync.connection import SyncError, call
from app.sync.local import LocalTasks
from app.sync.merge import pending
from app.sync.state import CalendarPair, SyncState
from app.tasks.model import INBOX
from app.tasks.validate import MAX_LIST_NAME, list_name_key

if TYPE_CHECKING:  # caldav is imported when a sync needs it, not with this module
    from app.sync.counted_client import CountedClient

# A caldav calendar (or calendar set): its methods are typed as returning a value or a coroutine
# (one class serves sync and async clients), which no call here can be, so they are used as Any.
DavCalendar = Any

SERVER_DEFAULT = "Tasks"  # what many servers and phones call the task list they start with


class Pairing:
    def __init__(self, state: SyncState, local: LocalTasks, davclient: "CountedClient",
                 url: str) -> None:
        self.state = state
        self.local = local
        self.client = davclient
        self.url = url  # for error sentences
        self.notes: list[str] = []

    def pair(self) -> dict[CalendarPair, DavCalendar]:
        """Every paired calendar on the server, by its pair."""
        from caldav.collection import CalendarSet

        account = self.state.account()
        assert account is not None  # sync_now checked, under the sync lock
        home: DavCalendar = CalendarSet(self.client, url=account.home_url)
        # A calendar is known by its path, decoded: a proxy, another host name or port, or
        # %40 for @ in the listing is the same calendar, not a deletion and a new one.
        remote = {_path_of(str(calendar.url)): calendar
                  for calendar in call(home.get_calendars, self.url)}
        pairs = self.state.calendars()
        missing = [pair for pair in pairs if _path_of(pair.url) not in remote]
        if missing and len(missing) == len(pairs):
            self._all_missing(missing)
        for pair in pairs:
            if pair not in missing:
                calendar = remote[_path_of(pair.url)]
                if str(calendar.url) != pair.url:
                    self.state.readdress_calendar(pair.url, str(calendar.url))
                    pair = pair._replace(url=str(calendar.url))
                self._follow_renames(pair, calendar)
            elif len(missing) < len(pairs):
                self._missing(pair)
        self._pair_new(remote)
        self._make_missing(home, remote)
        return {pair: remote[_path_of(pair.url)] for pair in self.state.calendars()
                if _path_of(pair.url) in remote}

    def _list_of(self, pair: CalendarPair) -> tuple[int | None, str | None]:
        """The pair's list now: by its id, or by its name for a pair made before ids were kept;
        (None, None) when it was removed here."""
        names = self.local.list_names()
        if pair.list_id in names:
            return pair.list_id, names[pair.list_id]
        number = self.local.list_id(pair.list_key)
        return (number, names[number]) if number is not None else (None, None)

    # -- renames ------------------------------------------------------------------------------

    def _follow_renames(self, pair: CalendarPair, calendar: DavCalendar) -> None:
        number, list_name = self._list_of(pair)
        if number is None or list_name is None:
            return
        server_name = call(calendar.get_display_name, self.url) or pair.name
        renamed_here = list_name != pair.list_key
        renamed_there = server_name != pair.name
        if renamed_here and list_name != server_name:  # this side's name wins a double rename
            server_name = self._rename_calendar(calendar, pair.name, list_name,
                                                server_name if renamed_there else None)
        elif renamed_there and not renamed_here and list_name != INBOX \
                and _clean(server_name) not in ("", list_name):
            list_name = self._rename_list(list_name, _clean(server_name), number, pair.name)
        self.state.save_calendar(pair._replace(list_key=list_name, name=server_name,
                                               list_id=number))

    def _rename_calendar(self, calendar: DavCalendar, old: str, new: str,
                         theirs: str | None) -> str:
        """PROPPATCH the display name; returns the calendar's name afterwards."""
        from caldav.elements import dav

        try:
            call(calendar.set_properties, self.url, [dav.DisplayName(_clean(new))])
        except SyncError as error:
            if error.kind in ("offline", "certificate"):
                raise  # the run cannot go on; the rename is tried again at the next one
            self.notes.append(f"The server did not let calendar '{theirs or old}' be renamed "
                              f"'{new}' ({str(error).rstrip('.')}); it keeps its name.")
            return theirs or old
        if theirs is not None:
            self.notes.append(f"List '{old}' was renamed '{new}' here and '{theirs}' on the "
                              f"server: kept '{new}' on both.")
        else:
            self.notes.append(f"Renamed calendar '{old}' to '{_clean(new)}' on the server, as "
                              "its list was renamed here.")
        return _clean(new)

    def _rename_list(self, list_name: str, new: str, number: int, old_calendar: str) -> str:
        """The list follows its calendar's new name; returns the list's name afterwards."""
        clash = self.local.list_id(new)
        if clash is not None and clash != number:
            self.notes.append(f"Calendar '{old_calendar}' was renamed '{new}' on the server, "
                              f"but a list '{new}' is here already: list '{list_name}' keeps "
                              "its name.")
            return list_name
        self.local.rename_list(list_name, new)
        self.notes.append(f"List '{list_name}' renamed '{new}', as its calendar was renamed on "
                          "the server.")
        return new

    # -- a calendar deleted on the server ------------------------------------------------------

    def _all_missing(self, pairs: list[CalendarPair]) -> None:
        """No paired calendar is listed: far likelier an account replaced, a server moved or a
        listing gone wrong than every list deleted on purpose, so nothing goes to the trash and
        the pairs stay (a calendar listed again is synced on as before)."""
        self.notes.append(f"None of the {_calendars(len(pairs))} synced with this app "
                          f"{'is' if len(pairs) == 1 else 'are'} on the server any more, so "
                          "nothing was moved to the trash: if the server was replaced or its "
                          "calendars deleted on purpose, remove the sync account and add it "
                          "again to upload your lists anew.")

    def _missing(self, pair: CalendarPair) -> None:
        """A calendar the listing lacks is deleted only when the server says so for its own URL
        (404 or 410); one that still answers (a listing cut short, a share revoked for now)
        keeps its list, and is synced again once it is listed."""
        if _gone(self.client, pair.url, self.url):
            self._deleted_on_server(pair)
        else:
            self.notes.append(f"Calendar '{pair.name}' was not in the server's list of "
                              "calendars but still answers, so list "
                              f"'{self._list_of(pair)[1] or pair.list_key}' is kept and was "
                              "left out of this sync.")

    def _deleted_on_server(self, pair: CalendarPair) -> None:
        """Its synced tasks (unchanged here since) go to the trash, with undo; the others are
        kept in Inbox, for an edit made here must not be lost to a deletion made there."""
        _, list_name = self._list_of(pair)
        if list_name is None:  # its list was removed here as well
            self.state.forget_calendar(pair.url)
            return
        tasks = self.local.all()
        synced = {item.task_id for item in self.state.items(pair.url)
                  if item.task_id in tasks and tasks[item.task_id]["list"] == list_name
                  and not pending(item, tasks[item.task_id], self.local.names)}
        kept = self.local.set_aside(list_name, synced)
        self.state.forget_calendar(pair.url)
        sentence = f"Calendar '{pair.name}' was deleted on the server: "
        if synced:
            sentence += f"its {_tasks(len(synced))} {'is' if len(synced) == 1 else 'are'} in " \
                        "the trash"
        else:
            sentence += "it had no synced tasks"
        if kept:
            sentence += f"; {_tasks(kept)} added or changed here since the last sync " \
                        f"{'is' if kept == 1 else 'are'} kept in Inbox"
        if list_name == INBOX:
            sentence += "; Inbox gets a new calendar"
        self.notes.append(sentence + ".")

    # -- calendars and lists new on either side ------------------------------------------------

    def _pair_new(self, remote: dict[str, DavCalendar]) -> None:
        """Each task calendar new on the server ↔ the list of its name (made when missing)."""
        known = self.state.calendars()
        known_paths = {_path_of(pair.url) for pair in known}
        new = {}
        for path, calendar in remote.items():
            if path not in known_paths and _holds_tasks(calendar, self.url):
                new[path] = call(calendar.get_display_name, self.url) or \
                    str(calendar.url).rstrip("/").split("/")[-1]
        taken = {list_name_key(pair.list_key) for pair in known}
        names = set(new.values())
        for path, name in sorted(new.items(), key=lambda each: each[1] != INBOX):
            key = _clean(name) or SERVER_DEFAULT
            if list_name_key(INBOX) not in taken and (name == INBOX or (name == SERVER_DEFAULT
                                                                       and INBOX not in names)):
                key = INBOX
            base, tries = key, 1
            while list_name_key(key) in taken:  # cut to fit, so each try is a new name
                suffix = " (server)" if tries == 1 else f" (server {tries})"
                key, tries = base[:MAX_LIST_NAME - len(suffix)] + suffix, tries + 1
            taken.add(list_name_key(key))
            number = self.local.add_list(key)
            # An existing list matched whatever its case keeps its own name ("work" for a
            # calendar "Work"): the key is what its tasks say, or every one would be "moved".
            key = self.local.list_names()[number]
            self.state.save_calendar(CalendarPair(str(remote[path].url), key, name, None,
                                                  number))

    def _make_missing(self, home: DavCalendar, remote: dict[str, DavCalendar]) -> None:
        """A list without a calendar gets one, named like it."""
        paired = {pair.list_id for pair in self.state.calendars()}
        for number, list_name in self.local.list_names().items():
            if number not in paired:
                made = call(home.make_calendar, self.url, name=_clean(list_name),
                            supported_calendar_component_set=["VTODO"])
                self.state.save_calendar(CalendarPair(str(made.url), list_name,
                                                      _clean(list_name), None, number))
                remote[_path_of(str(made.url))] = made


def _clean(name: str) -> str:
    """A name safe as a list's and in XML: one line, no control or bidi characters, at most
    MAX_LIST_NAME characters ("" when nothing is left)."""
    return " ".join(strip_controls(name or "").split())[:MAX_LIST_NAME].strip()


def _path_of(url: str) -> str:
    return re.sub("/+", "/", unquote(urlsplit(url).path)).rstrip("/")


def _gone(davclient: "CountedClient", calendar_url: str, url: str) -> bool:
    """A depth-0 PROPFIND of the calendar itself: True only when the server says it is not
    there (404 or 410, or a multistatus of nothing but 404s)."""
    response = call(davclient.propfind, url, calendar_url, ["{DAV:}resourcetype"], 0)
    return response.status in (404, 410) or (response.status == 207
                                              and response.all_responses_not_found())


def _calendars(count: int) -> str:
    return f"{count} calendar{'s' if count != 1 else ''}"


def _holds_tasks(calendar: DavCalendar, url: str) -> bool:
    return "VTODO" in call(calendar.get_supported_components, url)


def _tasks(count: int) -> str:
    return f"{count} task{'s' if count != 1 else ''}"
