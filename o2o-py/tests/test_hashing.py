"""o2o.normalize / hash / pseudonymize over Arrow arrays from pyarrow, polars and pandas."""

from __future__ import annotations

import hashlib

import pyarrow as pa
import pytest

import o2o

KEY = "k1:" + "0123456789abcdef" * 4

# A TCF v2.2 TC string with every purpose consented (the core's own test fixture value is
# not needed: a denied/undecodable string must simply deny).
BAD_TC = "not-a-tc-string"


def sha(s: str) -> str:
    return hashlib.sha256(s.encode()).hexdigest()


def test_normalize_email_and_phone():
    out = o2o.normalize(pa.array([" Ann@Example.com ", None, "no-at-sign"]), "email")
    assert out.to_pylist() == ["ann@example.com", None, None]
    phones = o2o.normalize(["0912 345 678"], "phone", default_country="VN")
    assert phones.to_pylist() == ["84912345678"]


def test_normalize_raise_names_the_row_without_the_value():
    with pytest.raises(o2o.InvalidInput) as e:
        o2o.normalize(["a@b.com", "secret-not-an-email"], "email", errors="raise")
    assert e.value.row == 1
    assert e.value.kind == "invalid_value"
    assert e.value.field == "values"
    assert "secret-not-an-email" not in str(e.value)


def test_hash_with_permit_matches_sha256_of_normalised():
    out = o2o.hash(pa.array(["Ann@Example.com", "bad"]), "email", permit=True)
    assert out.to_pylist() == [sha("ann@example.com"), None]


def test_hash_passes_prehashed_through_lowercased():
    h = sha("ann@example.com").upper()
    assert o2o.hash([h], "email", permit=True).to_pylist() == [h.lower()]


def test_hash_without_consent_is_refused():
    with pytest.raises(o2o.ConsentError) as e:
        o2o.hash(pa.array(["ann@example.com"]), "email")
    assert e.value.kind == "consent_missing"
    assert e.value.field == "consent"


def test_hash_consent_column_gates_each_row():
    values = pa.array(["a@example.com", "b@example.com", "c@example.com"])
    consent = pa.array([True, False, None])
    out = o2o.hash(values, "email", consent=consent)
    assert out.to_pylist() == [sha("a@example.com"), None, None]
    # An undecodable TC string denies (fail closed).
    tcf = o2o.hash(["a@example.com"], "email", consent=[BAD_TC])
    assert tcf.to_pylist() == [None]


def test_consent_of_the_wrong_length_or_both_forms():
    with pytest.raises(o2o.InvalidInput) as e:
        o2o.hash(["a@example.com"], "email", consent=[True, True])
    assert e.value.field == "consent"
    with pytest.raises(o2o.InvalidInput):
        o2o.hash(["a@example.com"], "email", consent=[True], permit=True)


def test_polars_and_pandas_inputs():
    pl = pytest.importorskip("polars")
    pd = pytest.importorskip("pandas")
    s = pl.Series(["Ann@Example.com", None])
    assert o2o.hash(s, "email", permit=True).to_pylist() == [sha("ann@example.com"), None]
    ps = pd.Series(["Ann@Example.com", None])
    assert o2o.normalize(ps, "email").to_pylist() == ["ann@example.com", None]
    # Output goes back into polars without a copy through the same interface.
    back = pl.Series(o2o.normalize(s, "email"))
    assert back.to_list() == ["ann@example.com", None]


def test_chunked_and_large_string_arrays():
    chunked = pa.chunked_array([["A@x.com"], ["b@X.com", None]])
    assert o2o.normalize(chunked, "email").to_pylist() == ["a@x.com", "b@x.com", None]
    large = pa.array(["A@x.com"], type=pa.large_string())
    assert o2o.normalize(large, "email").to_pylist() == ["a@x.com"]


def test_platform_profiles_differ_where_the_platforms_do():
    g = o2o.normalize(["John.Doe@gmail.com"], "email", "google").to_pylist()
    m = o2o.normalize(["John.Doe@gmail.com"], "email", "meta").to_pylist()
    assert g == ["johndoe@gmail.com"]
    assert m == ["john.doe@gmail.com"]


def test_pseudonymize():
    out = o2o.pseudonymize(["Ann@Example.com", "x"], "email", KEY, permit=True).to_pylist()
    assert out[0].startswith("k1:") and len(out[0]) == 3 + 64
    assert out[1] is None
    again = o2o.pseudonymize(["ann@example.com"], "email", KEY, permit=True).to_pylist()
    assert again == out[:1]
    with pytest.raises(o2o.ConsentError):
        o2o.pseudonymize(["ann@example.com"], "email", KEY)


@pytest.mark.parametrize(
    "call",
    [
        lambda: o2o.normalize(pa.array([1, 2]), "email"),
        lambda: o2o.normalize(["a"], "not-a-kind"),
        lambda: o2o.normalize(["a"], "email", "bing"),
        lambda: o2o.normalize(["a"], "email", errors="ignore"),
        lambda: o2o.normalize(object(), "email"),
        lambda: o2o.pseudonymize(["a@b.com"], "email", "no-colon", permit=True),
        lambda: o2o.pseudonymize(["a@b.com"], "email", "k1:abcd", permit=True),
        lambda: o2o.hash(["a@b.com"], "email", consent=pa.array([1])),
    ],
)
def test_bad_input_raises_invalid_input(call):
    with pytest.raises(o2o.InvalidInput) as e:
        call()
    assert e.value.kind in ("invalid_input", "invalid_value")
    assert e.value.field


def test_wrong_python_types_are_type_errors_not_crashes():
    with pytest.raises((TypeError, o2o.O2OError)):
        o2o.normalize(["a"], 3)  # type: ignore[arg-type]
    with pytest.raises((TypeError, o2o.O2OError)):
        o2o.hash(["a"], "email", permit="yes")  # type: ignore[arg-type]
