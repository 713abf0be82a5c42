"""o2o.Store.ingest(hmac_key_file=...): a keyed store resolves into the same people as a plain
one and keeps pseudonyms, not values; a bad or another key is an O2OError with its kind."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import o2o

SECRET = "4f9a0c7e12d85b36e9a1f04c7d2b6e8135c9a7f0e4b2d61803f7c5a9e1b4d260"
EXPORTS = ["customers", "crm_consent", "pos", "wifi", "orders"]


def key_file(path: Path, key_id: str = "k1", secret: str = SECRET) -> Path:
    path.write_text(f"{key_id}:{secret}\n")
    os.chmod(path, 0o600)
    return path


def ingest_examples(store: o2o.Store, maps: Path, **kw) -> None:
    for name in EXPORTS:
        store.ingest(maps / f"{name}.toml", [maps / f"{name}.csv"], max_rejected=60, **kw)


def test_keyed_ingest_gives_as_many_profiles_as_a_plain_one(tmp_path: Path, maps: Path):
    plain = o2o.Store(tmp_path / "plain")
    keyed = o2o.Store(tmp_path / "keyed")
    ingest_examples(plain, maps)
    ingest_examples(keyed, maps, hmac_key_file=key_file(tmp_path / "store.key"))
    a = plain.resolve().to_pylist()
    b = keyed.resolve().to_pylist()
    assert len({r["profile"] for r in a}) == len({r["profile"] for r in b}) > 1
    # The same identifiers per kind, the keyed ones as pseudonyms of the key `k1`.
    kinds = lambda rows: sorted(r["kind"] for r in rows)  # noqa: E731
    assert kinds(a) == kinds(b)
    emails = [r["value"] for r in b if r["kind"] == "email"]
    assert emails and all(v.startswith("k1:") for v in emails)
    assert not any("@" in r["value"] for r in b)


def test_a_bad_key_file_raises_invalid_input_naming_the_argument(tmp_path: Path, maps: Path):
    store = o2o.Store(tmp_path / "st")
    bad = tmp_path / "bad.key"
    bad.write_text("not a key\n")
    os.chmod(bad, 0o600)
    for path in [bad, tmp_path / "absent.key"]:
        with pytest.raises(o2o.InvalidInput) as e:
            store.ingest(maps / "wifi.toml", [maps / "wifi.csv"], hmac_key_file=path)
        assert isinstance(e.value, o2o.O2OError)
        assert e.value.kind == "invalid_input"
        assert e.value.field == "hmac_key_file"
    # Nothing was stored under a key that did not load.
    assert store.ingest(maps / "wifi.toml", [maps / "wifi.csv"])["files"][0]["stored"] > 0


def test_another_key_or_none_on_a_keyed_store_raises_store_error_naming_the_key_id(
    tmp_path: Path, maps: Path
):
    store = o2o.Store(tmp_path / "st")
    ingest_examples(store, maps, hmac_key_file=key_file(tmp_path / "store.key"))
    other = key_file(tmp_path / "other.key", "k2", SECRET[::-1])
    # Another secret under the store's key id: its pseudonyms would find nobody.
    same_id = key_file(tmp_path / "same-id.key", "k1", SECRET[::-1])
    for kw in [{"hmac_key_file": other}, {"hmac_key_file": same_id}, {}]:
        with pytest.raises(o2o.StoreError) as e:
            store.ingest(maps / "customers.toml", [maps / "customers.csv"], **kw)
        assert e.value.kind == "key"
        assert "`k1`" in str(e.value)
        assert SECRET not in str(e.value) and SECRET[::-1] not in str(e.value)
