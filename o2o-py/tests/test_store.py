"""o2o.Store: ingest, resolve, attribute, report, forget on the event store."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import o2o


def test_ingest_example_exports(tmp_path: Path, maps: Path):
    store = o2o.Store(tmp_path / "st")
    r = store.ingest(maps / "wifi.toml", [maps / "wifi.csv"])
    assert r["files"][0]["stored"] > 0
    # Again: nothing new (deduplicated by record key).
    again = store.ingest(str(maps / "wifi.toml"), maps / "wifi.csv")
    assert again["files"][0]["stored"] == 0
    assert again["files"][0]["duplicates"] == r["files"][0]["stored"]
    # The store is plain Parquet: any reader opens it.
    parts = list((tmp_path / "st" / "events").rglob("*.parquet"))
    assert parts and pq.read_table(parts[0]).num_rows > 0


def test_ingest_keeps_good_rows_and_names_bad_ones(tmp_path: Path, maps: Path):
    store = o2o.Store(tmp_path / "st")
    r = store.ingest((maps / "pos.toml").read_text(), [maps / "pos.csv"], max_rejected=100)
    assert r["files"][0]["stored"] > 0
    for bad in r["rejected"]:
        assert bad["line"] >= 1 and bad["reason"]


def test_bad_map_raises_map_error_with_line(tmp_path: Path, maps: Path):
    store = o2o.Store(tmp_path / "st")
    with pytest.raises(o2o.MapError) as e:
        store.ingest("[source]\nname = \"x\"\nformat = 3\n", [maps / "wifi.csv"])
    assert e.value.kind == "bad_map"
    assert e.value.line == 3
    with pytest.raises(o2o.MapError) as e:
        store.ingest("[source]\nname = \"x\"\nformat = \"csv\"\nproduces = \"checkin\"\n[fields]\nnope = \"a\"\n", [maps / "wifi.csv"])
    assert e.value.kind == "bad_map"


def test_wrong_map_for_the_file_stores_nothing_and_raises(tmp_path: Path, maps: Path):
    store = o2o.Store(tmp_path / "st")
    with pytest.raises(o2o.StoreError) as e:
        store.ingest(maps / "pos.toml", [maps / "wifi.csv"])
    assert e.value.kind == "ingest"
    assert e.value.field == "map"
    assert "receipt_id" in str(e.value)


def test_a_file_over_the_bad_row_limit_is_refused_whole(tmp_path: Path, maps: Path):
    store = o2o.Store(tmp_path / "st")
    with pytest.raises(o2o.StoreError) as e:
        store.ingest(maps / "pos.toml", [maps / "pos.csv"], max_rejected=0)
    assert e.value.kind == "refused"
    report = e.value.details["files"][0]
    assert report["file"].endswith("pos.csv") and report["stored"] == 0
    assert e.value.details["rejected"]
    assert not list((tmp_path / "st" / "events").rglob("*.parquet"))


def test_missing_file_and_wrong_types(tmp_path: Path, maps: Path):
    store = o2o.Store(tmp_path / "st")
    with pytest.raises(o2o.StoreError) as e:
        store.ingest(maps / "wifi.toml", [tmp_path / "absent.csv"])
    assert e.value.kind == "io"
    with pytest.raises(o2o.InvalidInput):
        store.ingest(maps / "wifi.toml", [3])  # type: ignore[list-item]
    with pytest.raises(o2o.InvalidInput):
        o2o.Store(42)  # type: ignore[arg-type]
    with pytest.raises(o2o.StoreError) as e:
        o2o.Store(tmp_path / "nothing-here").resolve()
    assert e.value.kind == "not_a_store"


def test_resolve_attribute_report(sim_store: Path):
    store = o2o.Store(sim_store)
    profiles = store.resolve()
    assert isinstance(profiles, pa.Table)
    assert profiles.column_names == ["profile", "kind", "value"]
    assert profiles.num_rows > 1000
    assert all(p.startswith("p") and len(p) == 17 for p in profiles["profile"].to_pylist()[:50])
    credit = store.attribute("last")
    assert credit["channels"]
    total = sum(c["conversions"] for c in credit["channels"])
    markov = store.attribute("markov", order=1)
    assert abs(sum(c["conversions"] for c in markov["channels"]) - total) < 1e-6 * max(total, 1)
    report = store.report()
    assert isinstance(report, dict) and report
    # Visits, counted as the report counts them, in the period and population stated.
    assert credit["measure"] == "credited" and credit["population"] == "all"
    # Visits with no touch before them are counted but credit no channel.
    assert 0 < total <= credit["visits"]
    assert credit["visits"] <= credit["checkins"]
    customers = store.attribute("last", population="customers")
    assert customers["population"] == "customers" and customers["visits"] <= credit["visits"]
    first_day = credit["period"]["from"]
    one_day = store.attribute("last", start=first_day, end=first_day)
    assert one_day["period"] == {"from": first_day, "to": first_day}
    assert one_day["visits"] <= credit["visits"]
    whole = store.attribute("last", start=first_day, end=credit["period"]["to"])
    assert whole["channels"] == credit["channels"]


def test_resolve_rules_as_dict_json_or_bad(sim_store: Path):
    store = o2o.Store(sim_store)
    strict = store.resolve({"hub_threshold": {"ip": 1}})
    assert strict.num_rows > 0
    with pytest.raises(o2o.InvalidInput) as e:
        store.resolve('{"hub_threshold": {"ip": "many"}}')
    assert e.value.field == "rules"
    with pytest.raises(o2o.InvalidInput):
        store.resolve(3)  # type: ignore[arg-type]


def test_attribute_bad_population(sim_store: Path):
    with pytest.raises(o2o.InvalidInput) as e:
        o2o.Store(sim_store).attribute("last", population="everyone")
    assert e.value.field == "population"


def test_attribute_bad_model(sim_store: Path):
    with pytest.raises(o2o.InvalidInput) as e:
        o2o.Store(sim_store).attribute("magic")
    assert e.value.field == "model"


def test_forget(sim_store_copy: Path):
    store = o2o.Store(sim_store_copy)
    profiles = store.resolve()
    pid = profiles["profile"][0].as_py()
    n_before = sum(1 for p in profiles["profile"].to_pylist() if p == pid)
    receipt = store.forget([pid])
    assert receipt["identifiers_erased"] == n_before
    assert pid not in store.resolve()["profile"].to_pylist()
    assert "@" not in json.dumps(receipt)
    with pytest.raises(o2o.InvalidInput) as e:
        store.forget(["not an id"])
    assert e.value.row == 0
