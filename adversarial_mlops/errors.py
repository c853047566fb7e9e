"""The project's exception hierarchy: what an error means travels with its type.

Every error a user can cause or fix derives from ``AdversarialMlopsError``; its message names
the problem and the fix. The faces read the meaning from the type, never from the message:
the CLI prints any of them as one line and exits 2, the REST API answers with the class's
``http_status``. Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations


class AdversarialMlopsError(Exception):
    """An error whose message tells the user what to fix."""

    http_status: int = 500


class InvalidInputError(AdversarialMlopsError, ValueError):
    """Configuration, data or a request value is invalid (HTTP 422)."""

    http_status = 422


class NotFoundError(AdversarialMlopsError, LookupError):
    """Something named does not exist (yet): a model version, a stored asset value (HTTP 404)."""

    http_status = 404


class ConflictError(AdversarialMlopsError):
    """The request clashes with the current state: a loop already running, a model already
    champion, a registry that fails its integrity check (HTTP 409)."""

    http_status = 409


class UnavailableError(AdversarialMlopsError):
    """A needed service or model cannot be used right now (HTTP 503)."""

    http_status = 503
