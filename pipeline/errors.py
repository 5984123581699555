"""The one error tree of ctsync.

Every error a user can meet is a ``CtsyncError``; the CLI turns it into one line on stderr and the
exit code it carries (a subclass without its own carries its parent's). "transient" marks the errors a
later run may cure::

    CtsyncError (exit 1)
    ├── UsageError (exit 2): bad input from the user, e.g. a malformed NCT ID or a missing file
    ├── RecordError (exit 1): one record could not be normalized or read; goes to the dead letters
    │   └── FieldError: one field's value cannot be read (inside the normalizer; becomes a RecordError)
    ├── UpstreamError (exit 3): ClinicalTrials.gov answered in a way a retry will not fix
    │   ├── UpstreamUnavailable (exit 3, transient): still failing after every retry
    │   ├── ClientError: a 4xx other than 429 (asking again will not help)
    │   │   ├── NotFound: 404, no such study (the fetcher settles it as "not found")
    │   │   └── BadRequest: 400, e.g. an ID the API refuses (the fetcher bisects the batch)
    │   └── Moved: a 3xx not followed; for a study, the record it was merged into
    ├── DatabaseBusy (exit 4, transient): another writer holds the database past --wait
    └── StorageError (exit 5): a local file or folder cannot be written (read-only, full, not a file)
        └── PublishError (exit 5): stored, but the analysts' copy could not be replaced
"""

from __future__ import annotations


class CtsyncError(Exception):
    """Base of every error ctsync reports to its user."""

    exit_code = 1


class UsageError(CtsyncError):
    """The user asked for something impossible: a malformed ID, a missing file, a bad option."""

    exit_code = 2


class RecordError(CtsyncError):
    """One study record cannot be read or normalized; the rest of its batch still lands."""

    def __init__(self, nct_id: str | None, field: str, reason: str) -> None:
        self.nct_id = nct_id
        self.field = field
        self.reason = reason
        super().__init__(f"{nct_id or 'record without NCT ID'}: {field}: {reason}")


class FieldError(RecordError, ValueError):
    """A value the normalizer cannot read, carrying the raw field's name; ``normalize`` turns it into the
    record's RecordError (the NCT ID is not known where a single field is read)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(None, field, message)
        self.args = (message,)

    def __str__(self) -> str:
        return self.reason


class UpstreamError(CtsyncError):
    """ClinicalTrials.gov gave an answer that retrying will not change."""

    exit_code = 3


class UpstreamUnavailable(UpstreamError):
    """ClinicalTrials.gov kept failing (429, 5xx, timeouts, cut-off bodies) through every retry."""


class DatabaseBusy(CtsyncError):
    """Another ctsync process holds the working database for writing longer than --wait allows."""

    exit_code = 4


class StorageError(CtsyncError):
    """A local file or folder ctsync must write cannot be: read-only, full, a folder where a file goes.

    The message names the path and what to do; nothing is left half-written under the name asked for.
    """

    exit_code = 5


class PublishError(StorageError):
    """The data is stored in the working database, but the published copy could not be replaced."""


class ClientError(UpstreamError):
    """ClinicalTrials.gov refused the request (a 4xx other than 429); asking again would not help."""

    def __init__(self, status: int, path: str, reason: str) -> None:
        self.status = status
        self.path = path
        self.reason = reason
        super().__init__(f"ClinicalTrials.gov answered {status} to GET {path}: {reason}")


class NotFound(ClientError):
    """404: no study (or resource) under this path."""


class BadRequest(ClientError):
    """400: the API refused the parameters, e.g. a malformed NCT ID in ``filter.ids``."""


class Moved(UpstreamError):
    """A 3xx the caller did not follow; for a study, ``location`` names the real record of an alias."""

    def __init__(self, status: int, path: str, location: str) -> None:
        self.status = status
        self.path = path
        self.location = location
        super().__init__(f"ClinicalTrials.gov answered {status} to GET {path}, moved to {location}")
