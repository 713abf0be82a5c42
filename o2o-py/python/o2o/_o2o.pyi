"""Type stubs of the native module (o2o-py/src). Use the documented wrappers in ``o2o``."""

from typing import Any, List, Optional, Sequence, Tuple

__version__: str

class ArrowArray:
    """An Arrow array exported through the Arrow PyCapsule interface."""

    def __arrow_c_array__(self, requested_schema: Optional[object] = None) -> Tuple[object, object]: ...
    def __len__(self) -> int: ...

class ArrowTable:
    """A table exported through the Arrow PyCapsule interface (readable once)."""

    def __arrow_c_stream__(self, requested_schema: Optional[object] = None) -> object: ...

class Store:
    def __init__(self, path: str, timezone: Optional[str] = None) -> None: ...
    @property
    def path(self) -> str: ...
    def _ingest(self, map_toml: str, files: List[str], max_rejected: float = 5.0, hmac_key_file: Optional[str] = None) -> str: ...
    def _resolve(self, rules_json: Optional[str] = None) -> ArrowTable: ...
    def _attribute(
        self,
        model_name: str,
        order: int = 1,
        rules_json: Optional[str] = None,
        lookback: Optional[str] = None,
        half_life_days: float = 7.0,
        position_ends: float = 0.4,
        walks: Optional[int] = None,
        seed: int = 0,
        start: Optional[str] = None,
        end: Optional[str] = None,
        population: Optional[str] = None,
        visit_window_secs: Optional[int] = None,
    ) -> str: ...
    def _report(
        self,
        start: Optional[str] = None,
        end: Optional[str] = None,
        rules_json: Optional[str] = None,
        window_days: int = 28,
        confidence: float = 0.95,
        correction: str = "holm",
    ) -> str: ...
    def _forget(self, ids: List[str], rules_json: Optional[str] = None) -> str: ...

def normalize(
    values: Any,
    kind: str,
    platform: str = "meta",
    *,
    default_country: Optional[str] = None,
    ip_truncate: bool = False,
    phone: str = "valid",
    errors: str = "null",
) -> ArrowArray: ...
def hash(
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
) -> ArrowArray: ...
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
) -> ArrowArray: ...
def simulate(path: str, customers: int = 20000, seed: int = 42, days: int = 28) -> int: ...
def compare_proportions(
    *,
    test_successes: int,
    test_trials: int,
    control_successes: int,
    control_trials: int,
    alpha: float = 0.05,
    alternative: str = "two-sided",
) -> str: ...
def power_proportions(
    *, baseline: float, mde_relative: float, alpha: float = 0.05, power: float = 0.8,
    ratio: float = 1.0, alternative: str = "two-sided",
) -> str: ...
def mde_proportions(
    *, baseline: float, n_per_group: float, alpha: float = 0.05, power: float = 0.8,
    ratio: float = 1.0, alternative: str = "two-sided",
) -> str: ...
def welch_ttest(
    *, test: Sequence[float], control: Sequence[float], alpha: float = 0.05,
    alternative: str = "two-sided",
) -> str: ...
def mann_whitney_u(
    *, test: Sequence[float], control: Sequence[float], alternative: str = "two-sided",
    method: str = "auto",
) -> str: ...
def cuped(
    *, test: Sequence[Tuple[float, float]], control: Sequence[Tuple[float, float]],
    alpha: float = 0.05, alternative: str = "two-sided",
) -> str: ...
def adjust_p_values(*, p_values: Sequence[float], alpha: float = 0.05, method: str = "holm") -> str: ...
def incrementality(
    *, exposed: Tuple[int, int, float, float], holdout: Tuple[int, int, float, float],
    spend: float, alpha: float = 0.05,
) -> str: ...
def solve_n_ttest(
    *, effect: float, alpha: float = 0.05, power: float = 0.8, ratio: float = 1.0,
    alternative: str = "two-sided",
) -> float: ...
