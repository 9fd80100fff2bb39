"""caldav's client, counting the HTTP requests it sends: a sync's summary reports them.

Its own module because it subclasses caldav's client, and caldav is imported only when a sync
needs it (app/sync/connection.py imports this module then)."""

from collections.abc import Mapping

from caldav.davclient import DAVClient
from caldav.response import DAVResponse


class CountedClient(DAVClient):
    requests_made = 0

    def _sync_request(self, url: str, method: str = "GET", body: str = "",
                      headers: Mapping[str, str] | None = None) -> DAVResponse:
        # Each call sends exactly one request (its 401 retry calls it again): every request
        # caldav's client makes, and only those, passes here.
        self.requests_made += 1
        # caldav annotates `headers` as a Mapping while its own default is None:
        return super()._sync_request(url, method, body, headers)  # type: ignore[arg-type]
