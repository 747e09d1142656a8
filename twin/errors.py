"""The specific exceptions of twin.

Every error a user can cause by what they hand us is a :class:`TwinError`: the CLI prints its
message on one line and exits with status 2, the API turns it into an
``application/problem+json`` response. Anything else is a bug.
"""

from __future__ import annotations


class TwinError(Exception):
    """Base class of every error a user can cause; ``str(error)`` is one clear sentence."""

    #: HTTP status the API answers with for this error.
    http_status: int = 400


class BadIfcFile(TwinError):
    """The file cannot be read as an IFC model (missing, empty, not STEP, truncated, corrupt)."""

    http_status = 422


class UnsupportedSchema(BadIfcFile):
    """The file is IFC, but in a schema twin does not read (only IFC2X3, IFC4 and IFC4X3)."""


class GlobalIdConflict(TwinError):
    """A GlobalId in the file already belongs to an object of another model in the ledger."""

    http_status = 409


class StaleRecord(TwinError):
    """Someone else changed the record since it was read (its row_version moved on)."""

    http_status = 409


class NotAuthenticated(TwinError):
    """No valid credentials: log in first."""

    http_status = 401


class Forbidden(TwinError):
    """The caller's role may not do this."""

    http_status = 403


class InvalidUser(TwinError):
    """An account that cannot be created as asked."""

    http_status = 422


class NotFound(TwinError):
    """A record asked for by key does not exist."""

    http_status = 404


class DatabaseError(TwinError):
    """The database cannot be reached or is not in a usable state."""

    http_status = 503
