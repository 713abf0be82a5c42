"""o2o: online-to-offline marketing measurement, from Python.

The core is the Rust library ``o2o-core``; this package only translates. Arrow data crosses
without copies through the Arrow PyCapsule interface, so pyarrow, polars and pandas objects all
work:

>>> import pyarrow as pa, o2o
>>> o2o.normalize(pa.array([" Ann@Example.com"]), "email").to_pylist()
['ann@example.com']

* :func:`normalize`, :func:`hash`, :func:`pseudonymize`: over whole arrays; hashing and
  pseudonyms are consent-gated (a ``consent`` array, or ``permit=True``).
* :class:`Store`: the Parquet event store (ingest, resolve, attribute, report, forget).
* :mod:`o2o.uplift`: the uplift statistics with keyword arguments.
* :mod:`o2o.spark`: the same pipeline on Apache Spark.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Union

import pyarrow as pa

from . import _o2o, uplift
from .errors import (
    AnalysisError,
    ConsentError,
    InvalidInput,
    MapError,
    O2OError,
    StoreError,
)

__version__: str = _o2o.__version__

__all__ = [
    "normalize",
    "hash",
    "pseudonymize",
    "simulate",
    "Store",
    "uplift",
    "O2OError",
    "InvalidInput",
    "ConsentError",
    "MapError",
    "StoreError",
    "AnalysisError",
]

PathLike = Union[str, "os.PathLike[str]"]
Rules = Union[None, str, Dict[str, Any], "os.PathLike[str]"]


def _arrow(values: Any, what: str) -> Any:
    """An object the native module can read through the PyCapsule interface."""
    if hasattr(values, "__arrow_c_array__") or hasattr(values, "__arrow_c_stream__"):
        return values
    # pandas Series/Index, numpy arrays, lists: through pyarrow (no copy for Arrow-backed data).
    try:
        return pa.array(values, type=pa.bool_() if what == "consent" and _all_bool(values) else None)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError) as e:
        raise InvalidInput(
            f"{what}: cannot be read as an Arrow array ({e})", kind="invalid_input", field=what
        ) from None


def _all_bool(values: Any) -> bool:
    try:
        return all(v is None or isinstance(v, bool) for v in values)
    except TypeError:
        return False


def normalize(
    values: Any,
    kind: str,
    platform: str = "meta",
    *,
    default_country: Optional[str] = None,
    ip_truncate: bool = False,
    phone: str = "valid",
    errors: str = "null",
) -> pa.Array:
    """Normalise every value by ``platform``'s rules (``meta``, ``google`` or ``tiktok``).

    ``kind`` is an identifier kind (``email``, ``phone``, ``first_name``, …). Invalid values
    become null (``errors="null"``) or raise :class:`InvalidInput` naming the row
    (``errors="raise"``). Returns a ``pyarrow`` string array of the same length.
    """
    return pa.array(
        _o2o.normalize(
            _arrow(values, "values"),
            kind,
            platform,
            default_country=default_country,
            ip_truncate=ip_truncate,
            phone=phone,
            errors=errors,
        )
    )


def hash(  # noqa: A001 - the issue's name for it
    values: Any,
    kind: str,
    platform: str = "meta",
    *,
    consent: Any = None,
    permit: bool = False,
    default_country: Optional[str] = None,
    ip_truncate: bool = False,
    phone: str = "valid",
    errors: str = "null",
) -> pa.Array:
    """Normalise and SHA-256 every value for upload to an ad platform (lowercase hex).

    Consent-gated: ``consent`` is an array with one entry per value, either IAB TCF v2.2 TC
    strings or booleans of a marketing opt-in; rows the consent gate refuses come out null. Or
    ``permit=True`` states that every value was consented elsewhere. Neither raises
    :class:`ConsentError`. A value that is already a SHA-256 passes through lowercased.
    """
    return pa.array(
        _o2o.hash(
            _arrow(values, "values"),
            kind,
            platform,
            consent=None if consent is None else _arrow(consent, "consent"),
            permit=permit,
            default_country=default_country,
            ip_truncate=ip_truncate,
            phone=phone,
            errors=errors,
        )
    )


def pseudonymize(
    values: Any,
    kind: str,
    key: str,
    platform: str = "meta",
    *,
    consent: Any = None,
    permit: bool = False,
    default_country: Optional[str] = None,
    ip_truncate: bool = False,
    phone: str = "valid",
    errors: str = "null",
) -> pa.Array:
    """Keyed HMAC-SHA256 pseudonyms ``KEY_ID:HEX`` of every value, for o2o's own linking.

    ``key`` is one line of a key file, ``KEY_ID:HEX_SECRET`` (``o2o keygen``). Consent-gated
    like :func:`hash` (the operation is linking identity).
    """
    return pa.array(
        _o2o.pseudonymize(
            _arrow(values, "values"),
            kind,
            key,
            platform,
            consent=None if consent is None else _arrow(consent, "consent"),
            permit=permit,
            default_country=default_country,
            ip_truncate=ip_truncate,
            phone=phone,
            errors=errors,
        )
    )


def simulate(path: PathLike, *, customers: int = 20_000, seed: int = 42, days: int = 28) -> int:
    """Write a simulated campaign into the event store at ``path`` (``o2o simulate --store``)
    with its ground truth in ``path/truth.json``. Returns the number of events."""
    return int(_o2o.simulate(os.fspath(path), customers=customers, seed=seed, days=days))


def _rules_json(rules: Rules) -> Optional[str]:
    """Rules as JSON text: a dict, JSON text, or the path of a rules file."""
    if rules is None:
        return None
    if isinstance(rules, dict):
        return json.dumps(rules)
    if isinstance(rules, os.PathLike):
        return Path(rules).read_text(encoding="utf-8")
    if isinstance(rules, str):
        if rules.lstrip().startswith("{"):
            return rules
        return Path(rules).read_text(encoding="utf-8")
    raise InvalidInput(
        f"rules: expected a dict, JSON text or a path, got {type(rules).__name__}",
        kind="invalid_input",
        field="rules",
    )


def _map_toml(map: Union[str, "os.PathLike[str]"]) -> str:  # noqa: A002
    """A source map as TOML text: the text itself, or the path of a map file."""
    if isinstance(map, os.PathLike):
        return Path(map).read_text(encoding="utf-8")
    if isinstance(map, str):
        if "\n" in map or "[" in map:
            return map
        return Path(map).read_text(encoding="utf-8")
    raise InvalidInput(
        f"map: expected TOML text or the path of a map file, got {type(map).__name__}",
        kind="invalid_input",
        field="map",
    )


class Store:
    """The Parquet event store at ``path`` (``docs/ingest.md``), created by the first ingest.

    Each method opens the store for as long as it runs; writers take the store's lock, as the
    ``o2o`` command does, so a notebook and a scheduled ``o2o ingest`` never write at once.
    """

    def __init__(self, path: PathLike, *, timezone: Optional[str] = None) -> None:
        if not isinstance(path, (str, os.PathLike)):
            raise InvalidInput(
                f"path: expected a directory path, got {type(path).__name__}",
                kind="invalid_input",
                field="path",
            )
        self.path = Path(path)
        self._native = _o2o.Store(os.fspath(path), timezone)

    def __repr__(self) -> str:
        return f"o2o.Store({str(self.path)!r})"

    def ingest(
        self,
        map: Union[str, "os.PathLike[str]"],  # noqa: A002 - the issue's name for it
        files: Union[PathLike, Iterable[PathLike]],
        *,
        max_rejected: float = 5.0,
        hmac_key_file: Optional[Union[str, os.PathLike]] = None,
    ) -> Dict[str, Any]:
        """Append ``files`` (CSV, NDJSON or Parquet, as the source map says) to the store.

        ``map`` is a source map: TOML text or the path of a ``.toml`` file. Returns
        ``{"files": [per-file report], "rejected": [{file, line, field, reason}]}``. Bad rows are
        reported and the good ones kept; a file with more than ``max_rejected`` % bad rows is
        refused whole, and a run that stores nothing raises :class:`StoreError` (the report is
        in the exception's ``details``).

        With ``hmac_key_file`` (a ``KEY_ID:HEX`` key file, as ``o2o keygen`` writes) the store
        keeps every linking identifier as its keyed pseudonym (docs/privacy.md, "At rest"); a
        store made so needs the same key for every later ingest.
        """
        if isinstance(files, (str, os.PathLike)):
            files = [files]
        paths: List[str] = []
        for f in files:
            if not isinstance(f, (str, os.PathLike)):
                raise InvalidInput(
                    f"files: expected paths, got {type(f).__name__}",
                    kind="invalid_input",
                    field="files",
                )
            paths.append(os.fspath(f))
        key = None if hmac_key_file is None else os.fspath(hmac_key_file)
        return json.loads(self._native._ingest(_map_toml(map), paths, max_rejected, key))

    def resolve(self, rules: Rules = None) -> pa.Table:
        """Resolve the store's identifiers into profiles (``o2o resolve --store``): a table of
        ``profile``, ``kind``, ``value``, one row per identifier, in profile-id order."""
        return pa.table(self._native._resolve(_rules_json(rules)))

    def attribute(
        self,
        model: str,
        *,
        order: int = 1,
        rules: Rules = None,
        lookback: Optional[str] = None,
        half_life_days: float = 7.0,
        position_ends: float = 0.4,
        walks: Optional[int] = None,
        seed: int = 0,
        start: Optional[str] = None,
        end: Optional[str] = None,
        population: Optional[str] = None,
        visit_window_secs: Optional[int] = None,
    ) -> Dict[str, Any]:
        """Credit store visits to channels (``o2o attribute --store``): ``model`` is ``first``,
        ``last``, ``last-non-direct``, ``linear``, ``position``, ``time-decay``, ``markov``,
        ``shapley`` or ``incremental``. Check-ins of one person at one store within
        ``visit_window_secs`` (default two hours) are one visit; ``start``/``end`` (dates in the
        store's time zone) and ``population`` (``customers``, ``assigned`` or ``all``; default
        ``customers`` for ``incremental``, ``all`` otherwise) choose what is counted. Returns a
        dict with ``channels``, the ``period``, ``population`` and ``visits`` it covered, and
        ``measure``: ``credited`` (a split of observed visits, not an effect) or
        ``observational_incremental``."""
        return json.loads(
            self._native._attribute(
                model,
                order,
                _rules_json(rules),
                lookback,
                half_life_days,
                position_ends,
                walks,
                seed,
                start,
                end,
                population,
                visit_window_secs,
            )
        )

    def report(
        self,
        *,
        start: Optional[str] = None,
        end: Optional[str] = None,
        rules: Rules = None,
        window_days: int = 28,
        confidence: float = 0.95,
        correction: str = "holm",
    ) -> Dict[str, Any]:
        """The measurement report (``o2o report --store --json``) as a dict: visits, each
        campaign against its holdout, KPIs. ``start``/``end`` are days ``YYYY-MM-DD`` in the
        store's time zone."""
        return json.loads(
            self._native._report(start, end, _rules_json(rules), window_days, confidence, correction)
        )

    def forget(self, ids: Union[str, Iterable[str]], *, rules: Rules = None) -> Dict[str, Any]:
        """Erase people from the store (``o2o forget``): ``ids`` are ``kind:value`` identifiers
        or profile ids. Returns the receipt (counts, never a value)."""
        if isinstance(ids, str):
            ids = [ids]
        ids = list(ids)
        for n, i in enumerate(ids):
            if not isinstance(i, str):
                raise InvalidInput(
                    f"ids[{n}]: expected a string, got {type(i).__name__}",
                    kind="invalid_input",
                    field="ids",
                    row=n,
                )
        return json.loads(self._native._forget(ids, _rules_json(rules)))
