"""Fixtures of the browser tests; they live in e2e_support so tests can import its helpers by a
module name no other folder's conftest shares."""

from e2e_support import browser, empty_server, live_server, viewer_dist, viewer_page  # noqa: F401
