"""o2o.spark in local mode (local[2]): the same results as on one machine, to the bit where the
arithmetic is the same (profiles, event profiles, hashes, credited visits, holdout arms), on a
simulated campaign of 20,000 customers and on graphs built to stress the components: a giant
component (a chain of people linked through shared emails) and hub identifiers (store IPs
seen with hundreds of people)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pyarrow as pa
import pyarrow.dataset as ds
import pytest

import o2o


def _spark_missing() -> str:
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return "pyspark is not installed"
    if shutil.which("java") is None:
        return "java is not installed"
    v = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr
    try:
        major = int(v.split('"')[1].split(".")[0])
    except (IndexError, ValueError):
        return f"cannot read the Java version ({v.strip()[:60]})"
    return "" if major >= 17 else f"Java {major} (Spark 4 needs 17 or later)"


_missing = _spark_missing()
if _missing and os.environ.get("O2O_REQUIRE_ALL"):
    raise RuntimeError(f"o2o.spark tests cannot run: {_missing} (O2O_REQUIRE_ALL is set)")
pytestmark = pytest.mark.skipif(bool(_missing), reason=f"o2o.spark: {_missing}")

MODELS = ["first", "last", "linear", "position", "markov"]
# The simulated campaign's size (the 20,000; smaller while iterating).
CUSTOMERS = int(os.environ.get("O2O_SPARK_CUSTOMERS", "20000"))


@pytest.fixture(scope="module")
def spark():
    from o2o import spark as osp

    s = osp.session("local[2]", partitions=4, app="o2o-tests")
    yield s
    s.stop()


@pytest.fixture(scope="module")
def campaign(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("spark") / "store"
    o2o.simulate(d, customers=CUSTOMERS, seed=42)
    return d


def _rows(t: pa.Table, cols: list[str]) -> list[tuple]:
    return sorted(zip(*(t.column(c).to_pylist() for c in cols)))


def _credits(c: dict) -> dict:
    return {x["channel"]: (x["conversions"], x["value"]) for x in c["channels"]}


def _same_credit(a: dict, b: dict) -> None:
    ca, cb = _credits(a), _credits(b)
    assert ca.keys() == cb.keys()
    for ch in ca:
        # Conversions are sums of whole journeys: the same bits whatever the order of adding.
        assert ca[ch][0] == cb[ch][0], ch
        # Values are sums of purchase amounts, added per path in Spark's order: equal to the
        # last few bits (relative 1e-12), not bit for bit.
        assert ca[ch][1] == pytest.approx(cb[ch][1], rel=1e-12, abs=1e-9), ch


@pytest.fixture(scope="module")
def resolved(spark, campaign: Path):
    from o2o import spark as osp

    events = osp.read_events(spark, str(campaign))
    res = osp.resolve(events)
    local = osp.local_resolution(events.drop("day").toArrow())
    # The record key joins Spark's events to the local run's: both number events by `_event`,
    # from the same checkpointed DataFrame.
    return events, res, local


def test_profiles_identical_to_single_machine(resolved, campaign: Path):
    _, res, local = resolved
    spark_profiles = _rows(res.profiles.toArrow(), ["profile", "kind", "value"])
    assert spark_profiles == _rows(local["profiles"], ["profile", "kind", "value"])
    # And to the store's own resolver (`o2o resolve --store`, o2o.Store.resolve).
    store_profiles = _rows(o2o.Store(campaign).resolve(), ["profile", "kind", "value"])
    assert spark_profiles == store_profiles
    assert len({p for p, _, _ in spark_profiles}) > CUSTOMERS // 2
    # The hub guard's counts found shared identifiers, and they were cut out of the components.
    assert res.hubs.count() > 0


def test_event_profiles_identical(resolved):
    _, res, local = resolved
    assert _rows(res.events.toArrow(), ["_event", "profile"]) == _rows(local["events"], ["_event", "profile"])


def test_credited_visits_per_model_identical(resolved, campaign: Path):
    from o2o import _o2o
    import json

    _, res, local = resolved
    p = local["paths"].sort_by("path")
    for model in MODELS:
        on_spark = res.attribute(model)
        one = json.loads(
            _o2o.attribute_paths(
                p.column("path").to_pylist(), p.column("conversions").to_pylist(),
                p.column("revenue").to_pylist(), p.column("nulls").to_pylist(), model, 1,
            )
        )
        _same_credit(on_spark, one)
        assert sum(c["conversions"] for c in on_spark["channels"]) > 100
        # The single machine's visits: `o2o.Store.attribute` (as `o2o attribute --store`).
        _same_credit(on_spark, o2o.Store(campaign).attribute(model, population="all"))


def test_uplift_per_campaign_identical(spark, resolved, campaign: Path):
    from o2o import spark as osp

    _, res, local = resolved
    assignments = osp.read_table(spark, str(campaign), "assignments")
    arms = osp.holdout_arms(assignments, res)
    local_arms = osp.local_holdout_arms(ds.dataset(campaign / "assignments", partitioning="hive").to_table(), local)
    a = osp.uplift_by_campaign(arms)
    b = osp.uplift_by_campaign(local_arms)
    assert a and a == b
    assert _rows(arms.toArrow(), ["campaign", "group", "customers", "conversions", "revenue_mean", "revenue_sd"]) == _rows(
        local_arms, ["campaign", "group", "customers", "conversions", "revenue_mean", "revenue_sd"]
    )


def test_hashes_identical(spark, resolved):
    from o2o import spark as osp

    events, _, _ = resolved
    ids = events.selectExpr("explode(identifiers) as id").selectExpr(
        "id.value as value", "id.kind as kind"
    ).where("kind = 'email'").limit(20_000)
    # Every other row's opt-in is withheld: the gate must null exactly those.
    ids = ids.selectExpr("value", "(hash(value) % 2 = 0) as opt_in")
    hashed = osp.hash_column(ids, "value", "email", "google", consent="opt_in").toArrow()
    local = o2o.hash(hashed.column("value"), "email", "google", consent=hashed.column("opt_in"))
    assert hashed.column("value_sha256").to_pylist() == local.to_pylist()
    assert any(v is None for v in local.to_pylist()) and any(v for v in local.to_pylist())
    normal = osp.normalize_column(ids, "value", "email", out="normalised").toArrow()
    assert normal.column("normalised").to_pylist() == o2o.normalize(normal.column("value"), "email").to_pylist()


def _stress_store(tmp: Path) -> Path:
    """Check-ins building a giant component and hub IPs (docs: identity.md, hub guard)."""
    people = 3_000
    rows = ["ts,store,card,email,ip,opt_in"]
    t = 1_772_359_200
    for i in range(people):
        # A chain: person i's second visit carries the next person's email (a typo'd email
        # shared along the chain), so every card ends in one component.
        rows.append(f"{t + i},S1,C{i:05d},p{i}@example.com,,Y")
        rows.append(f"{t + i + 1},S1,C{i:05d},p{(i + 1) % people}@example.com,,Y")
        # Hub IPs: 30 store IPs, each seen with about 100 distinct cards of people outside the
        # chain (inside it, all cards are one group of stronger evidence and count once).
        rows.append(f"{t + i + 2},S{i % 30},H{i:05d},,10.0.{i % 30}.1,Y")
    # A few small families sharing a home IP (not hubs under a threshold of 3).
    for f in range(50):
        for m in range(2):
            rows.append(f"{t + f},S2,F{f:03d}{m},,192.168.{f}.7,Y")
    csv = tmp / "stress.csv"
    csv.write_text("\n".join(rows) + "\n")
    store = tmp / "stress-store"
    o2o.Store(store).ingest(
        """
[source]
name = "stress"
format = "csv"
produces = "checkin"
[fields]
timestamp = { column = "ts", unit = "s" }
store = "store"
method = { value = "pos_purchase" }
[identifiers]
loyalty_card = "card"
email = "email"
ip = "ip"
[consent]
granted = { column = "opt_in", values = ["Y"] }
""",
        [csv],
    )
    return store


@pytest.mark.parametrize("rules", [None, {"hub_threshold": {"ip": 3}}])
def test_giant_component_and_hubs_identical(spark, tmp_path: Path, rules):
    from o2o import spark as osp

    store = _stress_store(tmp_path)
    events = osp.read_events(spark, str(store))
    res = osp.resolve(events, rules)
    local = osp.local_resolution(events.drop("day").toArrow(), rules)
    profiles = _rows(res.profiles.toArrow(), ["profile", "kind", "value"])
    assert profiles == _rows(local["profiles"], ["profile", "kind", "value"])
    assert _rows(res.events.toArrow(), ["_event", "profile"]) == _rows(local["events"], ["_event", "profile"])
    # No store IP is in a profile: the hub guard shares them all, on both sides.
    assert not any(v.startswith("10.0.") for _, k, v in profiles if k == "ip")
    # The 30 store IPs are shared and cut; the chain stays one component of all 3,000 cards.
    assert res.hubs.count() >= 30
    sizes = res.components.groupBy("component").count().orderBy("count", ascending=False).first()
    assert sizes["count"] >= 6_000


def _o2o_cli() -> str:
    """The `o2o` command of this checkout (built by `cargo build -p o2o-cli`), or on PATH."""
    root = Path(__file__).resolve().parents[2]
    for p in (os.environ.get("O2O_BIN"), root / "target" / "debug" / "o2o", shutil.which("o2o")):
        if p and Path(p).is_file():
            return str(p)
    return ""


def _copy_store(spark, original: Path, copy: Path) -> dict:
    """Every table of `original`, read by Spark and written by Spark into `copy`."""
    import json

    from o2o import spark as osp

    tz = json.loads((original / "o2o-store.json").read_text())["timezone"]
    reports = {"events": osp.write_events(osp.read_events(spark, str(original)), str(copy), timezone=tz)}
    for table in ("spend", "consent", "assignments", "customers"):
        if (original / table).exists():
            reports[table] = osp.write_table(osp.read_table(spark, str(original), table), str(copy), table)
    return reports


def test_store_written_by_spark_reads_the_same(spark, campaign: Path, tmp_path: Path):
    """Events (and every other table) read by Spark from a store and written by Spark into a new
    directory give the same profiles and credit as the original, through o2o.Store and the CLI;
    writing them again adds nothing (record keys dedupe, as for `o2o ingest`)."""
    import json

    from o2o import spark as osp

    copy = tmp_path / "copy"
    reports = _copy_store(spark, campaign, copy)
    original_events = pa.table(ds.dataset(campaign / "events", partitioning="hive").to_table())
    assert sum(r["stored"] for r in reports["events"]) == original_events.num_rows
    assert all(r["duplicates"] == 0 for r in reports["events"])
    # The same Parquet columns and types as the store o2o wrote.
    a = ds.dataset(campaign / "events", partitioning="hive").schema
    b = ds.dataset(copy / "events", partitioning="hive").schema
    assert a == b
    keys = lambda d: sorted(ds.dataset(d / "events", partitioning="hive").to_table(columns=["record_key"]).column(0).to_pylist())
    assert keys(copy) == keys(campaign)
    # Read back by the single machine: the same people and the same credit.
    cols = ["profile", "kind", "value"]
    assert _rows(o2o.Store(copy).resolve(), cols) == _rows(o2o.Store(campaign).resolve(), cols)
    for model in ("last", "markov"):
        assert o2o.Store(copy).attribute(model) == o2o.Store(campaign).attribute(model)
    # And by the command line.
    cli = _o2o_cli()
    if cli:
        outs = [
            subprocess.run([cli, "resolve", "--store", str(d)], capture_output=True, text=True, check=True).stdout
            for d in (campaign, copy)
        ]
        assert outs[0] == outs[1] and outs[0]
    # Written again: every record is a duplicate, nothing is added.
    again = osp.write_events(osp.read_events(spark, str(campaign)), str(copy))
    assert sum(r["stored"] for r in again) == 0
    assert sum(r["duplicates"] for r in again) == original_events.num_rows
    manifest = json.loads((copy / "o2o-store.json").read_text())
    assert manifest["format"] == "o2o-store" and manifest["ingests"]


def test_write_table_keys_records_without_keys(spark, tmp_path: Path):
    """Records built in Spark, without a source or key: keyed by content, identical ones once."""
    from o2o import spark as osp

    rows = [
        ("checkin", "2026-03-01 10:00:00", "S1", "pos_purchase", [("loyalty_card", "C1")]),
        ("checkin", "2026-03-01 10:00:00", "S1", "pos_purchase", [("loyalty_card", "C1")]),
        ("checkin", "2026-03-02 11:00:00", "S2", "pos_purchase", [("loyalty_card", "C2")]),
    ]
    df = spark.createDataFrame(
        rows, "type string, ts string, store string, method string, identifiers array<struct<kind:string,value:string>>"
    ).selectExpr("type", "to_timestamp(ts) AS timestamp", "store", "method", "identifiers")
    out = tmp_path / "built"
    reports = osp.write_events(df, str(out))
    assert [(r["source"], r["stored"]) for r in reports] == [("spark", 2)]
    assert sorted(d.name for d in (out / "events").iterdir()) == ["day=2026-03-01", "day=2026-03-02"]
    # The single machine opens it (no consent: nothing links, so no profile, but no error).
    assert ds.dataset(out / "events", partitioning="hive").count_rows() == 2
    assert o2o.Store(out).resolve().num_rows == 0
    with pytest.raises(o2o.InvalidInput):
        osp.write_table(df, str(out), "nonsense")


@pytest.fixture(scope="module")
def exports_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store ingested from the simulator's raw exports: hashed identifiers (ad platforms'
    exposure files), click ids (search clicks and GA4), consent records, customer accounts and
    holdout assignments, as a retailer's store holds them."""
    import json

    cli = _o2o_cli()
    if not cli:
        pytest.skip("the o2o command is not built (cargo build -p o2o-cli)")
    d = tmp_path_factory.mktemp("exports")
    subprocess.run(
        [cli, "simulate", "--customers", "3000", "--seed", "11", "--exports", str(d / "exports")],
        check=True, capture_output=True,
    )
    planted = json.loads((d / "exports" / "planted.json").read_text())
    store = o2o.Store(d / "store")
    for f in planted["files"]:
        store.ingest(d / "exports" / f["map"], d / "exports" / f["file"], max_rejected=50.0)
    return d / "store"


def test_store_rules_identical_to_o2o_resolve_store(spark, exports_store: Path):
    """`resolve_store` applies the store's record-level rules: the same profiles as `o2o resolve
    --store` (o2o.Store.resolve) and the same profile for every event as the core's resolution of
    the whole store at once."""
    from o2o import spark as osp

    res = osp.resolve_store(spark, str(exports_store))
    cols = ["profile", "kind", "value"]
    assert _rows(res.profiles.toArrow(), cols) == _rows(o2o.Store(exports_store).resolve(), cols)
    # Every event's profile: the same core call over all the store's records at once.
    events = osp.read_events(spark, str(exports_store))
    tables = {}
    for i, t in enumerate(("consent", "customers", "assignments")):
        if (exports_store / t).exists():
            tables[t] = osp._conform(osp._numbered(spark, osp.read_table(spark, str(exports_store), t)).toArrow(), t)
        else:
            tables[t] = pa.table({"_event": pa.array([], pa.int64())})
    whole = pa.table(
        o2o._o2o.resolve_store_groups(
            osp._conform(events.drop("day").toArrow()), tables["consent"], tables["customers"], tables["assignments"]
        )
    )
    whole_events = whole.filter(pa.compute.equal(whole.column("what"), "event"))
    assert _rows(res.events.toArrow(), ["_event", "profile"]) == _rows(whole_events, ["_event", "profile"])
    # The rules acted: hashed identifiers, customers and consent records change the people
    # against resolving the events with their own consent alone.
    plain = osp.local_resolution(events.drop("day").toArrow())
    assert _rows(plain["profiles"], cols) != _rows(res.profiles.toArrow(), cols)


_FIRST = ["anna", "bruno", "chloe", "david", "emma", "felix", "giulia", "hugo", "ines", "jonas",
          "karin", "lucas", "maria", "nadia", "oscar", "paula", "quentin", "rosa", "sven", "tara"]
_LAST = ["nguyen", "tran", "le", "pham", "hoang", "huynh", "phan", "vu", "vo", "dang", "bui",
         "do", "ho", "ngo", "duong", "ly", "martin", "bernard", "dubois", "thomas", "robert",
         "richard", "petit", "durand", "leroy", "moreau", "simon", "laurent", "lefebvre", "michel"]


def _people_store(tmp: Path) -> Path:
    """A store of 300 CRM customers with names, birth dates and zips, each visiting a store,
    and 100 of them known a second time under their email with a typo in the first name (as
    a second sign-up): exact identifiers never join the two, only `o2o match --store` can."""
    customers = ["id,email,first,last,dob,zip,opt_in,signed_up"]
    visits = ["ts,store,crm,email,opt_in"]
    t = 1_772_359_200
    for i in range(300):
        first, last = _FIRST[i % 20], _LAST[(i * 7) % 30]
        dob = f"{1950 + i % 50}-{1 + i % 12:02d}-{1 + (i * 5) % 28:02d}"
        zip_ = f"{70000 + (i * 37) % 900}"
        customers.append(f"crm-r{i},,{first},{last},{dob},{zip_},Y,2026-01-01")
        visits.append(f"{t + i * 60},S{i % 5},crm-r{i},,Y")
        if i % 3 == 0:
            typo = first[:-1] + ("e" if first[-1] != "e" else "a")
            customers.append(f",d{i}@example.com,{typo},{last},{dob},{zip_},Y,2026-01-02")
            visits.append(f"{t + i * 60 + 30},S{i % 5},,d{i}@example.com,Y")
    (tmp / "customers.csv").write_text("\n".join(customers) + "\n")
    (tmp / "visits.csv").write_text("\n".join(visits) + "\n")
    store = o2o.Store(tmp / "people-store")
    store.ingest(
        """
[source]
name = "crm"
format = "csv"
produces = "customer"
[fields]
timestamp = { column = "signed_up", format = "%Y-%m-%d" }
[identifiers]
external_id = "id"
email = "email"
first_name = "first"
last_name = "last"
date_of_birth = "dob"
zip = "zip"
[consent]
granted = { column = "opt_in", values = ["Y"] }
""",
        [tmp / "customers.csv"],
    )
    store.ingest(
        """
[source]
name = "pos"
format = "csv"
produces = "checkin"
[fields]
timestamp = { column = "ts", unit = "s" }
store = "store"
method = { value = "pos_purchase" }
[identifiers]
external_id = "crm"
email = "email"
[consent]
granted = { column = "opt_in", values = ["Y"] }
""",
        [tmp / "visits.csv"],
    )
    return tmp / "people-store"


# Settings for matching _people_store's customers (`o2o match --store --settings`): the
# duplicates differ from their originals by a typo in the first name, so blocking is on last
# name, birth date or zip, and the first name is compared by Jaro-Winkler.
MATCH_SETTINGS = """
link_type = "dedupe_only"
threshold = 3.0            # match weight (log2 odds): a probability of about 0.89

# Only pairs that agree exactly on one of these are compared.
[[blocking_rules]]
on = ["last_name"]
[[blocking_rules]]
on = ["date_of_birth"]
[[blocking_rules]]
on = ["zip"]

[[comparisons]]
field = "first_name"
levels = [{ kind = "exact" }, { kind = "jaro_winkler", threshold = 0.88 }]

[[comparisons]]
field = "last_name"
levels = [{ kind = "exact" }, { kind = "jaro_winkler", threshold = 0.9 }]

[[comparisons]]
field = "date_of_birth"
levels = [{ kind = "exact" }, { kind = "date", within_days = 31 }]

[[comparisons]]
field = "zip"
levels = [{ kind = "exact" }]

[training]
probability_two_random_records_match = 0.002
"""


def test_scored_links_of_o2o_match_store_identical(spark, tmp_path: Path):
    """The pairs `o2o match --store` stores join people on Spark as on one machine: the same
    profiles as `o2o.Store.resolve` and the same profile for every event, and some profiles are
    joined by a scored link alone."""
    from o2o import spark as osp

    cli = _o2o_cli()
    if not cli:
        pytest.skip("the o2o command is not built (cargo build -p o2o-cli)")
    store = _people_store(tmp_path)
    cols = ["profile", "kind", "value"]
    unmatched = _rows(o2o.Store(store).resolve(), cols)
    settings = tmp_path / "match.toml"
    settings.write_text(MATCH_SETTINGS)
    subprocess.run([cli, "match", "--store", str(store), "--settings", str(settings)], check=True, capture_output=True)
    assert (store / "links" / "match.parquet").is_file()
    one = _rows(o2o.Store(store).resolve(), cols)
    # The links joined people that no identifier joins: fewer profiles than without them.
    assert len({p for p, _, _ in one}) < len({p for p, _, _ in unmatched})
    res = osp.resolve_store(spark, str(store))
    assert _rows(res.profiles.toArrow(), cols) == one
    assert _rows(res.events.toArrow(), ["_event", "profile"]) == _store_event_profiles(spark, store)


def _store_event_profiles(spark, store: Path, aliases: bool = True) -> list:
    """Each event's profile by the core's resolution of the whole store at once (records, links
    and, in a keyed store, kept platform hashes in one call), `(_event, profile)` sorted.
    ``aliases=False`` leaves the kept platform hashes out."""
    from o2o import spark as osp

    events = osp.read_events(spark, str(store))
    tables = {}
    for t in ("consent", "customers", "assignments"):
        if (store / t).exists():
            tables[t] = osp._conform(osp._numbered(spark, osp.read_table(spark, str(store), t)).toArrow(), t)
        else:
            tables[t] = pa.table({"_event": pa.array([], pa.int64())})
    more = {}
    links = store / "links" / "match.parquet"
    if links.is_file():
        more["links"] = osp._strings(osp._numbered(spark, spark.read.parquet(str(links))).toArrow())
    key_id = o2o._o2o.store_key_id(str(store))
    if aliases and key_id is not None and (store / "aliases").is_dir():
        more["aliases"] = osp._strings(
            osp._numbered(spark, spark.read.parquet(str(store / "aliases" / "*.parquet"))).toArrow()
        ).sort_by("_event")
    whole = pa.table(
        o2o._o2o.resolve_store_groups(
            osp._conform(events.drop("day").toArrow()), tables["consent"], tables["customers"],
            tables["assignments"], key_id=key_id, **more,
        )
    )
    whole_events = whole.filter(pa.compute.equal(whole.column("what"), "event"))
    return _rows(whole_events, ["_event", "profile"])


def test_keyed_store_identical(spark, tmp_path: Path):
    """A store ingested with a key (identifiers kept as keyed pseudonyms, platform hashes kept
    in `aliases/`) resolves on Spark as on one machine: hashed identifiers of the ad platforms'
    exports join their people through the kept hashes."""
    import hashlib
    import json

    from o2o import spark as osp

    cli = _o2o_cli()
    if not cli:
        pytest.skip("the o2o command is not built (cargo build -p o2o-cli)")
    subprocess.run(
        [cli, "simulate", "--customers", "1000", "--seed", "13", "--exports", str(tmp_path / "exports")],
        check=True, capture_output=True,
    )
    key = tmp_path / "store.key"
    # A fixed secret for the test (a real one comes from `o2o keygen`).
    key.write_text("k1:" + hashlib.sha256(b"o2o.spark keyed store test").hexdigest() + "\n")
    key.chmod(0o600)
    store = o2o.Store(tmp_path / "keyed")
    for f in json.loads((tmp_path / "exports" / "planted.json").read_text())["files"]:
        ex = tmp_path / "exports"
        store.ingest(ex / f["map"], ex / f["file"], max_rejected=50.0, hmac_key_file=key)
    keyed = tmp_path / "keyed"
    assert any((keyed / "aliases").glob("*.parquet"))
    cols = ["profile", "kind", "value"]
    one = _rows(o2o.Store(keyed).resolve(), cols)
    # Identifiers are pseudonyms under the key, never values.
    assert one and all(v.startswith("k1:") for _, k, v in one if k in ("email", "phone", "loyalty_card"))
    res = osp.resolve_store(spark, str(keyed))
    assert _rows(res.profiles.toArrow(), cols) == one
    events = _store_event_profiles(spark, keyed)
    assert _rows(res.events.toArrow(), ["_event", "profile"]) == events
    # The kept hashes joined hashed identifiers to people: without them, fewer events have one.
    with_profile = lambda rows: sum(1 for _, p in rows if p is not None)
    assert with_profile(events) > with_profile(_store_event_profiles(spark, keyed, aliases=False))



def _hub_consent_store(tmp: Path) -> Path:
    """40 people seen at a store with the store's IP (check-ins with their own consent: the IP
    is shared by the hub guard), the same IP on 40 devices' visits that carry no consent of
    their own, and a consent record on that IP: the devices take their consent from it."""
    t = 1_772_359_200
    pos = ["ts,store,card,ip,opt_in"]
    web = ["ts,store,device,ip"]
    for i in range(40):
        pos.append(f"{t + 10 + i},S1,C{i:03d},10.9.9.9,Y")
        web.append(f"{t + 100 + i},S1,6f1c2a4e-0000-4000-8000-{i:012d},10.9.9.9")
    (tmp / "pos.csv").write_text("\n".join(pos) + "\n")
    (tmp / "web.csv").write_text("\n".join(web) + "\n")
    (tmp / "consent.csv").write_text(f"ts,ip,opt_in\n{t},10.9.9.9,Y\n")
    store = o2o.Store(tmp / "hub-store")
    checkin = """
[source]
name = "{name}"
format = "csv"
produces = "checkin"
[fields]
timestamp = {{ column = "ts", unit = "s" }}
store = "store"
method = {{ value = "pos_purchase" }}
[identifiers]
{ids}
"""
    store.ingest(
        checkin.format(name="pos", ids='loyalty_card = "card"\nip = "ip"')
        + '[consent]\ngranted = { column = "opt_in", values = ["Y"] }\n',
        [tmp / "pos.csv"],
    )
    store.ingest(checkin.format(name="web", ids='device_id = "device"\nip = "ip"'), [tmp / "web.csv"])
    store.ingest(
        """
[source]
name = "crm_consent"
format = "csv"
produces = "consent"
[fields]
timestamp = { column = "ts", unit = "s" }
[identifiers]
ip = "ip"
[consent]
granted = { column = "opt_in", values = ["Y"] }
""",
        [tmp / "consent.csv"],
    )
    return tmp / "hub-store"


def test_consent_record_on_a_hub_identifier_identical(spark, tmp_path: Path):
    """A consent record on an identifier the hub guard shares reaches the events carrying it
    on Spark as on one machine, while the shared identifier stays out of the components."""
    from pyspark.sql import functions as F

    from o2o import spark as osp

    store = _hub_consent_store(tmp_path)
    cols = ["profile", "kind", "value"]
    one = _rows(o2o.Store(store).resolve(), cols)
    # On one machine the devices took their consent from the IP's record: 40 device profiles,
    # and the shared IP in none.
    assert sum(1 for _, k, _ in one if k == "device_id") == 40
    assert not any(k == "ip" for _, k, _ in one)
    res = osp.resolve_store(spark, str(store))
    assert _rows(res.profiles.toArrow(), cols) == one
    assert _rows(res.events.toArrow(), ["_event", "profile"]) == _store_event_profiles(spark, store)
    # The IP is shared and cut: no component holds the people it was seen with.
    assert res.hubs.count() == 1
    assert res.components.groupBy("component").count().agg(F.max("count")).first()[0] == 1



def test_scale_doc_runs_as_a_script(spark, tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    """docs/scale.md's Python blocks (`resolve`, `resolve_store`, `write_events`, …) run, one
    after the other, as one plain script, on the simulated store they make."""
    import re
    import runpy

    doc = Path(__file__).resolve().parents[2] / "docs" / "scale.md"
    cells = re.findall(r"```python\n(.*?)```", doc.read_text(encoding="utf-8"), flags=re.S)
    script = "\n\n".join(cells)
    assert "resolve_store(" in script and "write_events(" in script
    (tmp_path / "scale.py").write_text(script, encoding="utf-8")
    partitions = spark.conf.get("spark.sql.shuffle.partitions")
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        runpy.run_path(str(tmp_path / "scale.py"), run_name="__main__")
    finally:
        os.chdir(cwd)
        # The script's session is this module's (getOrCreate): give back its settings.
        spark.conf.set("spark.sql.shuffle.partitions", partitions)
    out = capsys.readouterr().out
    assert "same people as one machine: True" in out
    assert re.search(r"^[1-9][0-9]* profiles$", out, flags=re.M)
    assert re.search(r"^[1-9][0-9]* identifiers in profiles without tv$", out, flags=re.M)
