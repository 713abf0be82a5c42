"""Exceptions raised by o2o.

Every error of the core reaches Python as a subclass of :class:`O2OError`, carrying the core's
error ``kind`` (a stable name such as ``"invalid_value"`` or ``"consent_missing"``) and, when the
core names them, the ``line`` of the input file, the ``field`` (map key, column or argument) and
the ``row`` of an input array (0-based). Messages never echo a personal value.
"""

from __future__ import annotations

from typing import Any, Optional

__all__ = [
    "O2OError",
    "InvalidInput",
    "ConsentError",
    "MapError",
    "StoreError",
    "AnalysisError",
]


class O2OError(Exception):
    """Base class of every o2o error."""

    kind: str
    line: Optional[int]
    field: Optional[str]
    row: Optional[int]
    details: Any

    def __init__(
        self,
        message: str,
        *,
        kind: str = "error",
        line: Optional[int] = None,
        field: Optional[str] = None,
        row: Optional[int] = None,
        details: Any = None,
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.line = line
        self.field = field
        self.row = row
        self.details = details


class InvalidInput(O2OError, ValueError):
    """An argument of the wrong type, shape or value (also a ``ValueError``)."""


class ConsentError(O2OError):
    """No consent was given for an operation that needs it, or the consent gate refused it."""


class MapError(O2OError, ValueError):
    """A source map (TOML) that cannot be read or compiled."""


class StoreError(O2OError):
    """The event store could not be read or written, or refused a file."""


class AnalysisError(O2OError):
    """Identity resolution, attribution, uplift or measurement refused the data."""
