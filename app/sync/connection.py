"""Talking to the CalDAV server: the URL rules, discovery, and every failure as one sentence.

The password is passed to caldav's client object only; it never reaches argv, a file or a log
line (caldav logs requests at DEBUG, which the app never turns on, and `redact` knows the
password from the moment it is read).
"""

import ipaddress
from collections.abc import Callable
from typing import TYPE_CHECKING, ParamSpec, TypeVar
from urllib.parse import urlsplit, urlunsplit

from app.common.errors import UserError

if TYPE_CHECKING:  # caldav is imported when a sync needs it, not with this module
    from caldav.collection import Principal

    from app.sync.counted_client import CountedClient

Params = ParamSpec("Params")
Result = TypeVar("Result")

TIMEOUT = 20  # seconds per request: a slow server on a phone tether still answers


class SyncError(UserError):
    """A sync that could not run; `kind` says which state the window shows."""

    def __init__(self, message: str, kind: str) -> None:
        super().__init__(message)
        self.kind = kind  # "offline", "refused" (user name or password), "certificate", "server"


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_url(text: str, *, allow_http: bool = False) -> str:
    """The server's URL, normalised (https:// added to a bare host); UserError if unusable.

    Plain http is refused for any host but this machine's unless `allow_http`: the password
    would cross the network readable by anyone on it.
    """
    text = (text or "").strip()
    if not text:
        raise UserError("Give the CalDAV server's address, like https://cloud.example.com.")
    if "://" not in text:
        text = "https://" + text
    try:
        parts = urlsplit(text)
        host = parts.hostname
        _ = parts.port  # a malformed port raises here
    except ValueError:
        host = None
    if parts.scheme not in ("http", "https") or not host or any(c.isspace() for c in text):
        raise UserError(f"'{text}' is not a server address: use one like "
                        "https://cloud.example.com/remote.php/dav.")
    if parts.username or parts.password:
        raise UserError("Leave the user name and password out of the address: give the user "
                        "with --user, and the password when asked.")
    if parts.scheme == "http" and not is_loopback(host) and not allow_http:
        raise UserError(f"{host} would be reached over plain http, which sends the password "
                        "readable to the network: use https, or pass --allow-http if you "
                        "really mean it.")
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", parts.query, ""))


def is_bare_host(url: str) -> bool:
    return urlsplit(url).path in ("", "/")


def client(url: str, username: str, password: str) -> "CountedClient":
    """A caldav client; no request is made yet. `client.requests_made` counts them."""
    from app.sync.counted_client import CountedClient

    made = CountedClient(url=url, username=username, password=password, timeout=TIMEOUT,
                         enable_rfc6764=False)
    # Every object the app creates has a fresh random UID, so caldav's search for that UID
    # before each If-None-Match upload (a REPORT per new task) can never find one: skip it.
    features = made.features
    assert features is not None  # typed optional, but the constructor always makes one
    # (caldav leaves set_feature unannotated)
    features.set_feature("save.no-uid-conflict", {"support": "full"})  # type: ignore[no-untyped-call]
    return made


def discover(url: str, username: str,
             password: str) -> tuple["CountedClient", "Principal"]:
    """The account's principal, following /.well-known/caldav when given a bare host (RFC 6764).

    Returns (client, principal)."""
    candidates = [url]
    if is_bare_host(url):
        candidates.insert(0, url.rstrip("/") + "/.well-known/caldav")
    for candidate in candidates:
        davclient = client(candidate, username, password)
        try:
            return davclient, call(davclient.principal, url)
        except SyncError as error:
            if error.kind != "server":
                raise  # offline, refused or a bad certificate: another path will not help
    raise SyncError(f"{host_of(url)} does not look like a CalDAV server: no calendar account was "
                    "found there. Check the address (Nextcloud's is "
                    "https://HOST/remote.php/dav).", "server")


def host_of(url: str) -> str:
    return urlsplit(url).hostname or url


def call(function: Callable[Params, Result], url: str, /, *args: Params.args,
         **kwargs: Params.kwargs) -> Result:
    """Run one caldav call, turning its failures into a SyncError sentence; the answers the
    engine handles itself (412, 404, "already exists") pass through as caldav raised them."""
    from caldav.lib import error as dav

    try:
        return function(*args, **kwargs)
    except (SyncError, dav.ETagMismatchError, dav.NotFoundError, dav.ConsistencyError):
        raise
    except Exception as error:
        if isinstance(error, dav.PutError) and "412" in str(error):
            raise
        sentence = describe(error, url)
        if sentence is None:
            raise  # not a failure of the server or the network: a bug, for the crash log
        raise sentence from None


def describe(error: Exception, url: str) -> SyncError | None:
    from caldav.lib import error as dav

    host = host_of(url)
    names = " ".join(kind.__name__ for kind in type(error).__mro__)
    text = str(error)
    if "SSLError" in names or "CERTIFICATE" in text.upper():
        return SyncError(f"The certificate of {host} could not be verified, so nothing was "
                         "sent: check the address, or the server's certificate.", "certificate")
    if isinstance(error, dav.AuthorizationError) and ("401" in text or "Unauthorized" in text):
        return SyncError(f"{host} refused the user name or password: check them (Nextcloud and "
                         "Fastmail want an app password).", "refused")
    if isinstance(error, dav.AuthorizationError):
        return SyncError(f"{host} does not allow this account to do that ({_short(text)}).",
                         "refused")
    if any(name in names for name in ("ConnectionError", "Timeout", "ConnectTimeout",
                                      "NewConnectionError", "MaxRetryError", "OSError")):
        return SyncError(f"Can't reach {host}: it may be offline, or the address is wrong.",
                         "offline")
    if isinstance(error, dav.DAVError):
        return SyncError(f"{host} answered with an error ({_short(text)}).", "server")
    return None


def _short(text: str) -> str:
    from app.common.redact import redact

    line = redact(text).strip().splitlines()[0] if text.strip() else "no details"
    return line if len(line) <= 120 else line[:117] + "..."
