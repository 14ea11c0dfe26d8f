"""Server-side fetch of a page by URL (placeholder until the guarded fetcher lands)."""

from .errors import ApiError


def fetch_page(url, config):
    raise ApiError("Fetching pages by URL is not available yet; send the page's HTML.", status=501,
                   code="not_implemented")
