"""The one error catalog: every error the library (and the service on top of it) reports, with a stable code.

Each class carries its `code`, the string a program matches on; the message is for people. There is no HTTP
here: the service maps these classes to statuses in one place (`server/http_errors.py`).

    DeclutterError
    ├── BadInput                 bad_request             the request or the page is unusable as given
    │   ├── TooLarge             too_large               over the size limit
    │   ├── UnsupportedType      unsupported_media_type  a body type that is not HTML or JSON
    │   └── NotAPage             not_a_page              binary bytes (an image, a program), not a page
    ├── NoArticle                no_article              a page with no article text in it
    ├── HostileInput             (abstract)              input that would cost unbounded time or memory
    │   ├── TooManyElements      too_many_elements
    │   ├── TooManyAttributes    too_many_attributes
    │   ├── TooDeep              too_deep
    │   └── TooManyEntities      too_many_entities
    ├── FetchError               (abstract)              the guarded fetcher could not, or would not, fetch
    │   ├── FetchDisabled        fetch_disabled
    │   ├── BadUrl               bad_url
    │   ├── BlockedAddress       blocked_address
    │   ├── BlockedPort          blocked_port
    │   ├── NotHtml              not_html
    │   ├── UpstreamError        upstream_error
    │   │   ├── HostNotFound     host_not_found
    │   │   ├── UpstreamStatus   upstream_status
    │   │   ├── TooManyRedirects too_many_redirects
    │   │   └── BadRedirect      bad_redirect
    │   └── UpstreamTimeout      upstream_timeout
    ├── Unauthorized             unauthorized            the service's API token is missing or wrong
    └── LimitError               (abstract)              the service's worker limits
        ├── ExtractionTimeout    timeout
        ├── ServerBusy           busy
        ├── OutOfMemory          out_of_memory
        └── WorkerFailed         worker_failed
"""

from __future__ import annotations


class DeclutterError(Exception):
    """An error the caller can act on: a stable `code` and a message for people."""

    code = "error"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __reduce__(self):  # errors cross the worker pool's pipe by pickling
        return type(self), (self.message,)


class BadInput(DeclutterError):
    code = "bad_request"


class TooLarge(BadInput):
    code = "too_large"


class UnsupportedType(BadInput):
    code = "unsupported_media_type"


class NotAPage(BadInput):
    code = "not_a_page"


class NoArticle(DeclutterError):
    code = "no_article"


class HostileInput(DeclutterError):
    """Input refused because it would cost unbounded time or memory (limits in `Options`)."""


class TooManyElements(HostileInput):
    code = "too_many_elements"


class TooManyAttributes(HostileInput):
    code = "too_many_attributes"


class TooDeep(HostileInput):
    code = "too_deep"


class TooManyEntities(HostileInput):
    code = "too_many_entities"


class FetchError(DeclutterError):
    """The guarded fetcher could not, or would not, fetch the page."""


class FetchDisabled(FetchError):
    code = "fetch_disabled"


class BadUrl(FetchError):
    code = "bad_url"


class BlockedAddress(FetchError):
    code = "blocked_address"


class BlockedPort(FetchError):
    code = "blocked_port"


class NotHtml(FetchError):
    code = "not_html"


class UpstreamError(FetchError):
    code = "upstream_error"


class HostNotFound(UpstreamError):
    code = "host_not_found"


class UpstreamStatus(UpstreamError):
    code = "upstream_status"


class TooManyRedirects(UpstreamError):
    code = "too_many_redirects"


class BadRedirect(UpstreamError):
    code = "bad_redirect"


class UpstreamTimeout(FetchError):
    code = "upstream_timeout"


class Unauthorized(DeclutterError):
    code = "unauthorized"


class LimitError(DeclutterError):
    """A limit of the service's worker pool: time, workers, memory."""


class ExtractionTimeout(LimitError):
    code = "timeout"


class ServerBusy(LimitError):
    code = "busy"


class OutOfMemory(LimitError):
    """The page needs more memory than a worker may take; the same page would fail again."""

    code = "out_of_memory"


class WorkerFailed(LimitError):
    code = "worker_failed"


def catalog() -> dict[str, type[DeclutterError]]:
    """Every concrete error by its code (abstract groups have none of their own)."""
    found, todo = {}, [DeclutterError]
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if "code" in vars(cls) and cls is not DeclutterError:
            found[cls.code] = cls
    return found
