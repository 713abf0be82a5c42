"""o2o on Apache Spark: the same pipeline, with the same results, on data larger than one
machine (``docs/scale.md``).

Spark moves the rows; the core decides, as on one machine:

* :func:`hash_column` / :func:`normalize_column`: normalisation and hashing as Arrow batch
  functions (``mapInArrow``) over a DataFrame column, consent-gated like :func:`o2o.hash`.
* :func:`resolve`: identity resolution. Each event's linking identifiers come from the core
  (``mapInArrow``); the hub guard's counts are group-bys over the whole data; the remaining
  links are cut into connected components on DataFrames (large-star/small-star); then groups
  of whole components are resolved by the core (``applyInArrow``), since rules and limits act
  only inside a component. Profile ids are the single-machine resolver's.
* :meth:`Resolution.attribute`: journeys per profile and the path table as group-bys, the
  model run by the core on the aggregated table.
* :func:`holdout_arms` and :func:`uplift_by_campaign`: per-campaign holdout readouts as
  group-bys, the statistics by the core.
* :func:`read_events`, :func:`read_table`: the event store's Parquet layout, as written by
  ``o2o ingest`` (``events/day=…/*.parquet``); :func:`write_events`, :func:`write_table`: a
  store written from Spark in that same layout, which ``o2o`` and :class:`o2o.Store` read.

Needs ``pyspark`` 4 and Java 17 or later.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Any, Dict, Iterator, List, Optional

import pyarrow as pa
import pyarrow.compute  # noqa: F401 (pa.compute)
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T

from . import _o2o, _rules_json, Rules
from .errors import InvalidInput

__all__ = [
    "session",
    "read_events",
    "read_table",
    "normalize_column",
    "hash_column",
    "connected_components",
    "resolve",
    "Resolution",
    "local_resolution",
    "holdout_arms",
    "local_holdout_arms",
    "uplift_by_campaign",
    "write_table",
    "write_events",
    "resolve_store",
]

EVENT = "_event"


def session(master: str = "local[2]", *, partitions: int = 8, app: str = "o2o") -> SparkSession:
    """A Spark session for o2o: ``master`` (``local[2]`` runs on this machine), ``partitions``
    shuffle partitions, times in UTC, and the executors' Python the one running this (so that
    they import the same ``o2o``). On a cluster, pass its master URL or build the session
    yourself with ``o2o`` installed on the executors (``docs/scale.md``)."""
    import sys

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    s = (
        SparkSession.builder.master(master)
        .appName(app)
        .config("spark.sql.shuffle.partitions", str(partitions))
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .getOrCreate()
    )
    s.sparkContext.setLogLevel("ERROR")
    return s


def read_table(spark: SparkSession, store: str, table: str = "events") -> DataFrame:
    """One table of the event store at ``store`` (``events``, ``assignments``, ``spend``,
    ``consent``, ``customers``), read with Spark's Parquet reader."""
    path = os.path.join(_local(store), table)
    return spark.read.parquet(path)


def _local(store: Any) -> str:
    """``store`` with a relative local path made absolute from this process's working directory
    (the JVM resolves relative paths from its own, which may differ); URIs as they are."""
    store = os.fspath(store)
    return store if "://" in store else os.path.abspath(store)


def read_events(spark: SparkSession, store: str) -> DataFrame:
    """The store's touchpoints and check-ins, each numbered in a column ``_event`` in the
    store's own order (its Parquet files in path order, then their rows), the order in which
    ``o2o`` reads them: journeys break ties of time by it, and :func:`write_events` keeps it."""
    # Checkpointed: every later step reads the numbered events once more, not the Parquet.
    return _numbered(spark, read_table(spark, store, "events")).localCheckpoint()


def _path_key(path: str) -> List[str]:
    """A file path compared component by component, as the store's reader sorts its files."""
    return path.split("/")


def _numbered(spark: SparkSession, df: DataFrame) -> DataFrame:
    """``df`` (a store table read by Spark) with ``_event``: the rank of its file among the
    table's files in path order, times 2^32, plus its row in the file."""
    df = df.withColumn("_o2o_file", F.col("_metadata.file_path")).withColumn(
        "_o2o_row", F.col("_metadata.row_index")
    )
    files = sorted((r[0] for r in df.select("_o2o_file").distinct().collect()), key=_path_key)
    rank = spark.createDataFrame(list(zip(files, range(len(files)))), "_o2o_file string, _o2o_rank long")
    return (
        df.join(F.broadcast(rank), "_o2o_file")
        .withColumn(EVENT, F.col("_o2o_rank") * F.lit(1 << 32) + F.col("_o2o_row"))
        .drop("_o2o_file", "_o2o_row", "_o2o_rank")
    )


_SCHEMAS: Dict[str, pa.Schema] = {}


def _conform(t: Any, table: str = "events") -> pa.Table:
    """A batch from Spark in the store's own column types: Spark reads Parquet's unsigned
    integers as wider signed ones (and ``UINT64`` as a decimal) and fixed-size binaries as
    plain ones; cast back where the store's schema says otherwise, and leave out what cannot
    be cast (the core reads it as absent)."""
    if table not in _SCHEMAS:
        _SCHEMAS[table] = pa.table(_o2o.table_schema(table)).schema
    schema = _SCHEMAS[table]
    t = pa.table(t) if not isinstance(t, pa.Table) else t
    cols, names = [], []
    for name in t.column_names:
        col = t.column(name)
        i = schema.get_field_index(name)
        if i >= 0 and col.type != schema.field(i).type:
            try:
                col = col.cast(schema.field(i).type)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                continue
        cols.append(col)
        names.append(name)
    return pa.Table.from_arrays(cols, names=names)


_TABLES = ("events", "spend", "consent", "assignments", "customers")


def write_table(
    df: DataFrame, store: str, table: str = "events", *, timezone: str = "UTC",
    source: str = "spark", file: str = "o2o.spark",
) -> List[Dict[str, Any]]:
    """Write the records of ``df`` into the ``table`` of the event store at ``store`` (created,
    with local days in ``timezone``, when absent), in the layout ``o2o ingest`` writes: the
    same Parquet columns and types, ``day=`` partitions, record keys and manifest, so that
    ``o2o`` and :class:`o2o.Store` read it as any store.

    ``df`` has the table's columns (as :func:`read_table` reads them; columns the table lacks
    are ignored). Each Spark task writes its share through the core's writer; the parts are
    moved into the store, and recorded as one ingest per source, only when every task is done.
    Records keep their ``record_key`` (a store's own, so that records copied from one store to
    another dedupe as they did); a record without one is keyed by its source and content.
    Records whose key the store or the write already has are dropped and counted, as ``o2o
    ingest`` drops an export ingested twice. ``source`` and ``file`` name records that have no
    ``source`` / ``file`` column. Returns one report per source (``stored``, ``duplicates``).

    The store is a directory that the driver and every executor see (a local path in local
    mode, a shared file system on a cluster).
    """
    if table not in _TABLES:
        raise InvalidInput(
            f"table: `{table}` is not a store table ({', '.join(_TABLES)})",
            kind="invalid_input", field="table",
        )
    store = os.path.abspath(os.fspath(store))
    if "source" not in df.columns:
        df = df.withColumn("source", F.lit(source))
    if "file" not in df.columns:
        df = df.withColumn("file", F.lit(file))
    if "line" not in df.columns:
        df = df.withColumn("line", F.lit(0).cast("long"))
    if "record_key" not in df.columns:
        keyed = T.StructType(list(df.schema.fields) + [T.StructField("record_key", T.BinaryType(), False)])

        def fill(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
            for b in batches:
                keys = pa.table(_o2o.fill_record_keys(_conform(pa.Table.from_batches([b]), table), table))
                yield b.append_column("record_key", keys.column("record_key").combine_chunks())

        df = df.mapInArrow(fill, keyed)
    # The same record twice is written once (a store's keys are unique per source).
    df = df.dropDuplicates(["source", "record_key"])
    if EVENT in df.columns:
        # In the order the events were read (from a store: its own order), so that the new
        # store lists them alike: ranges of that order in task order, each task's part of a day
        # after the earlier tasks' (parts are named by source number, then task); sources
        # numbered in the order of their first record.
        df = df.orderBy(EVENT)
        firsts = df.groupBy("source").agg(F.min(EVENT).alias("first")).collect()
        sources = [r["source"] for r in sorted(firsts, key=lambda r: (r["first"], r["source"]))]
    else:
        sources = sorted(r["source"] for r in df.select("source").distinct().collect())
    writer = _o2o.StoreWriter(store, timezone, sources)
    try:
        seqs = writer.seqs_json()
        holding = os.path.join(store, ".staging", f"spark-{os.getpid()}-{id(writer):x}")

        def stage(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
            from pyspark import TaskContext

            ctx = TaskContext.get()
            task = ctx.partitionId() if ctx is not None else 0
            w = _o2o.TaskWriter(store, holding, task, table, seqs)
            for b in batches:
                w.write(_conform(pa.Table.from_batches([b]), table))
            yield pa.RecordBatch.from_pydict({"staged": [w.finish()]})

        staged = df.mapInArrow(stage, "staged string").collect()
        tasks: List[Any] = []
        for r in staged:
            tasks.extend(json.loads(r["staged"]))
        return json.loads(writer.commit(holding, json.dumps(tasks), file))
    finally:
        writer.close()


def write_events(df: DataFrame, store: str, **kw: Any) -> List[Dict[str, Any]]:
    """Write touchpoints and check-ins (the ``events`` table) into the store at ``store``:
    :func:`write_table` with ``table="events"``."""
    return write_table(df, store, "events", **kw)


def _column_fn(df: DataFrame, column: str, out: str, call: Any) -> DataFrame:
    if column not in df.columns:
        raise InvalidInput(f"{column}: no such column", kind="invalid_input", field="column")
    schema = T.StructType(
        [f for f in df.schema.fields if f.name != out] + [T.StructField(out, T.StringType(), True)]
    )

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for b in batches:
            result = pa.array(call(b))
            cols = [b.column(i) for i, n in enumerate(b.schema.names) if n != out]
            names = [n for n in b.schema.names if n != out]
            yield pa.RecordBatch.from_arrays(cols + [result], names=names + [out])

    return df.mapInArrow(run, schema)


def normalize_column(
    df: DataFrame, column: str, kind: str, platform: str = "meta", *, out: Optional[str] = None,
    default_country: Optional[str] = None, ip_truncate: bool = False, phone: str = "valid",
) -> DataFrame:
    """``df`` with ``out`` (default ``column``) the normalised values of ``column``."""
    out = out or column

    def call(b: pa.RecordBatch) -> Any:
        return _o2o.normalize(
            b.column(b.schema.get_field_index(column)), kind, platform,
            default_country=default_country, ip_truncate=ip_truncate, phone=phone,
        )

    return _column_fn(df, column, out, call)


def hash_column(
    df: DataFrame, column: str, kind: str, platform: str = "meta", *, out: Optional[str] = None,
    consent: Optional[str] = None, permit: bool = False, default_country: Optional[str] = None,
    ip_truncate: bool = False, phone: str = "valid",
) -> DataFrame:
    """``df`` with ``out`` (default ``<column>_sha256``) the SHA-256 for upload of ``column``.

    Consent-gated like :func:`o2o.hash`: ``consent`` names a column (booleans of an opt-in, or
    TC strings) or ``permit=True`` states that every row was consented.
    """
    out = out or f"{column}_sha256"
    if consent is not None and consent not in df.columns:
        raise InvalidInput(f"{consent}: no such column", kind="invalid_input", field="consent")

    def call(b: pa.RecordBatch) -> Any:
        c = None if consent is None else b.column(b.schema.get_field_index(consent))
        return _o2o.hash(
            b.column(b.schema.get_field_index(column)), kind, platform, consent=c, permit=permit,
            default_country=default_country, ip_truncate=ip_truncate, phone=phone,
        )

    return _column_fn(df, column, out, call)


def connected_components(edges: DataFrame, max_rounds: int = 64) -> DataFrame:
    """Connected components of an undirected graph of ``long`` node ids, by the large-star /
    small-star iteration (Kiveris et al., *Connected Components in MapReduce and Beyond*,
    SoCC 2014): ``edges`` has columns ``src`` and ``dst``; the result has ``node`` and
    ``component`` (the smallest node id of its component) for every node of an edge."""
    e = edges.select(F.col("src").cast("long"), F.col("dst").cast("long"))
    e = e.where(F.col("src") != F.col("dst")).distinct().localCheckpoint()
    sig = _signature(e)
    for _ in range(max_rounds):
        # Large star: every node links its larger neighbours to the smallest of its
        # neighbourhood (itself included).
        both = e.select(F.col("src").alias("u"), F.col("dst").alias("v")).union(
            e.select(F.col("dst").alias("u"), F.col("src").alias("v"))
        )
        m = both.groupBy("u").agg(F.least(F.min("v"), F.first("u")).alias("m"))
        large = (
            both.join(m, "u").where(F.col("v") > F.col("u"))
            .select(F.col("v").alias("src"), F.col("m").alias("dst"))
        )
        # Small star: every node links itself and its smaller neighbours to the smallest.
        o = large.select(
            F.greatest("src", "dst").alias("u"), F.least("src", "dst").alias("v")
        )
        ms = o.groupBy("u").agg(F.min("v").alias("m"))
        small = o.join(ms, "u").select(F.col("v").alias("src"), F.col("m").alias("dst")).union(
            ms.select(F.col("u").alias("src"), F.col("m").alias("dst"))
        )
        nxt = small.where(F.col("src") != F.col("dst")).distinct().localCheckpoint()
        # Converged when a round changes no edge: the same number of edges with the same sum
        # of 64-bit edge hashes (one pass; a change that keeps both is vanishingly unlikely,
        # and the next round would find it).
        nsig = _signature(nxt)
        e = nxt
        if nsig == sig:
            break
        sig = nsig
    else:
        raise RuntimeError(f"connected components did not converge in {max_rounds} rounds")
    comp = e.select(F.col("src").alias("node"), F.col("dst").alias("component"))
    roots = e.select(F.col("dst").alias("node"), F.col("dst").alias("component"))
    return comp.union(roots).distinct()


def _signature(e: DataFrame) -> tuple:
    """The number of edges and the sum of their hashes (as a decimal, so it cannot overflow)."""
    r = e.agg(
        F.count("*").alias("n"),
        F.sum(F.xxhash64("src", "dst").cast("decimal(38,0)")).alias("h"),
    ).first()
    return (r["n"], r["h"])


def _star_edges(keys: DataFrame) -> DataFrame:
    """Events sharing a key, as edges from each event to the smallest event of the key."""
    first = keys.groupBy("key").agg(F.min(EVENT).alias("dst"))
    return keys.join(first, "key").select(F.col(EVENT).alias("src"), "dst")


def _hubs(keys: DataFrame, rules: Dict[str, Any], links: Optional[DataFrame] = None) -> DataFrame:
    """Keys the hub guard certainly shares, from global counts.

    An identifier of a guarded kind is shared when it is seen with more than its threshold of
    distinct identifiers of one higher-priority kind, those linked among themselves by stronger
    evidence counting once. Here stronger identifiers count once per connected component of the
    stronger links (all of them, a superset of those the core uses), so the count is never above
    the core's: a key over the threshold here is over it on one machine too. Keys whose raw
    count is within the threshold are never shared, so only the others are checked.

    ``keys`` are the rows that may be counted (they certainly link on one machine); ``links``
    (default ``keys``) every row that may link, whose stronger rows (and joining keys, ranked
    -1) make the components, a superset of the core's stronger links.
    """
    links = keys if links is None else links
    rank = {k: i for i, k in enumerate(rules["priority"])}
    found: Optional[DataFrame] = None
    for kind, threshold in sorted(rules["hub_threshold"].items(), key=lambda kv: rank.get(kv[0], 99)):
        if kind not in rank:
            continue
        r = rank[kind]
        x = keys.where(F.col("kind") == kind).select(EVENT, F.col("key").alias("x"))
        stronger = keys.where((F.col("rank") < r) & (F.col("rank") >= 0))
        pairs = x.join(stronger.select(EVENT, F.col("kind").alias("j"), F.col("key").alias("y")), EVENT)
        raw = pairs.groupBy("x", "j").agg(F.countDistinct("y").alias("n")).where(F.col("n") > threshold)
        candidates = raw.select("x").distinct()
        if candidates.isEmpty():
            continue
        comps = connected_components(_star_edges(links.where(F.col("rank") < r)))
        # An event whose stronger identifiers are alone in their component has no edge.
        ev_comp = stronger.select(EVENT).distinct().join(
            comps.select(F.col("node").alias(EVENT), "component"), EVENT, "left"
        ).select(EVENT, F.coalesce("component", EVENT).alias("component"))
        counted = (
            pairs.join(candidates, "x")
            .join(ev_comp, EVENT)
            .groupBy("x", "j")
            .agg(F.countDistinct("component").alias("n"))
            .where(F.col("n") > threshold)
            .select(F.col("x").alias("key"))
            .distinct()
        )
        found = counted if found is None else found.union(counted)
    if found is None:
        return keys.sparkSession.createDataFrame([], "key long")
    return found.distinct().localCheckpoint()


@dataclass
class Resolution:
    """What :func:`resolve` found: DataFrames over the same events."""

    #: ``profile``, ``kind``, ``value``: one row per identifier.
    profiles: DataFrame
    #: ``_event``, ``profile``: each event's profile (null when it links none).
    events: DataFrame
    #: ``path`` (channels joined by ``\\x1f``), ``conversions``, ``revenue``, ``nulls``:
    #: the journeys' path table, aggregated.
    paths: DataFrame
    #: ``profile``, ``visits`` (check-ins of one store within two hours are one visit),
    #: ``revenue``: each profile's outcome.
    outcomes: DataFrame
    #: ``key``: the identifiers the hub guard shares (64-bit keys).
    hubs: DataFrame
    #: ``_event``, ``component``.
    components: DataFrame

    def attribute(self, model: str, *, order: int = 1) -> Dict[str, Any]:
        """Credit per channel by ``model`` (``first``, ``last``, ``linear``, ``position``,
        ``markov``, ``shapley``) on the aggregated path table, as on one machine."""
        rows = self.paths.orderBy("path").collect()
        return json.loads(
            _o2o.attribute_paths(
                [r["path"] for r in rows],
                [float(r["conversions"]) for r in rows],
                [float(r["revenue"]) for r in rows],
                [float(r["nulls"]) for r in rows],
                model,
                order,
            )
        )


_RESOLVED = T.StructType(
    [
        T.StructField("what", T.StringType(), False),
        T.StructField(EVENT, T.LongType(), True),
        T.StructField("profile", T.StringType(), True),
        T.StructField("kind", T.StringType(), True),
        T.StructField("value", T.StringType(), True),
        T.StructField("path", T.StringType(), True),
        T.StructField("conversions", T.DoubleType(), True),
        T.StructField("revenue", T.DoubleType(), True),
        T.StructField("nulls", T.DoubleType(), True),
    ]
)


def resolve(
    events: DataFrame,
    rules: Rules = None,
    *,
    lookback: Optional[str] = None,
    groups: Optional[int] = None,
    cut_hubs: bool = True,
) -> Resolution:
    """Resolve the identities of ``events`` (from :func:`read_events`) on Spark.

    ``rules`` are the identity rules (a dict, JSON text or a file), ``lookback`` the journeys'
    lookbacks as for :meth:`o2o.Store.attribute`. Components are resolved in ``groups``
    ``applyInArrow`` calls (default: the session's shuffle partitions); a giant component is one
    core call on one executor. With ``cut_hubs`` the identifiers the hub guard shares are
    taken out of the components first (they link nothing), which keeps a store IP seen by
    thousands from making one component of them all.
    """
    spark = events.sparkSession
    rj = _rules_json(rules)
    compiled = json.loads(_o2o.rules_json(rj))
    if EVENT not in events.columns:
        events = events.withColumn(EVENT, F.monotonically_increasing_id()).localCheckpoint()
    key_schema = "_event long, kind string, rank int, key long, linked boolean"

    def keys_of(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for b in batches:
            yield from pa.table(_o2o.link_keys(_conform(pa.Table.from_batches([b])), rj)).to_batches()

    keys = events.mapInArrow(keys_of, key_schema).localCheckpoint()
    hubs = (
        _hubs(keys.where(F.col("linked")), compiled)
        if cut_hubs
        else spark.createDataFrame([], "key long")
    )
    hub_keys: List[int] = [r["key"] for r in hubs.collect()]
    linking = keys.join(hubs, "key", "left_anti")
    comps = connected_components(_star_edges(linking))
    ev_comp = (
        events.select(EVENT)
        .join(comps.select(F.col("node").alias(EVENT), "component"), EVENT, "left")
        .select(EVENT, F.coalesce("component", EVENT).alias("component"))
        .localCheckpoint()
    )
    n_groups = groups or int(spark.conf.get("spark.sql.shuffle.partitions", "200"))
    grouped = events.join(ev_comp, EVENT).withColumn(
        "_group", F.pmod(F.xxhash64("component"), F.lit(n_groups))
    ).drop("component")
    hub_b = spark.sparkContext.broadcast(hub_keys)

    def resolve_group(table: pa.Table) -> pa.Table:
        return pa.table(
            _o2o.resolve_groups(_conform(table.drop_columns(["_group"])), rj, hub_b.value, lookback)
        )

    resolved = grouped.groupBy("_group").applyInArrow(resolve_group, _RESOLVED).localCheckpoint()
    return _resolution(resolved, hubs, ev_comp)


_RECORD_TABLES = ("consent", "customers", "assignments")
# Numbered after the events and the record tables: the rows of the links file of `o2o match
# --store`, then (in a keyed store) the kept platform hashes.
_LINKS_BASE = 4 << 58
_ALIASES_BASE = 5 << 58
_EXTRA_COLUMNS = {
    "links": ["a", "b", "waterfall"],
    "aliases": ["platform", "hash", "kind", "pseudonym"],
}


def _strings(t: pa.Table) -> pa.Table:
    """``t`` with its text columns as Arrow ``string`` (Spark may hand over ``large_string``)."""
    cols = [
        c.cast(pa.string()) if pa.types.is_large_string(c.type) else c for c in t.columns
    ]
    return pa.Table.from_arrays(cols, names=t.column_names)


def resolve_store(
    spark: SparkSession,
    store: str,
    rules: Rules = None,
    *,
    lookback: Optional[str] = None,
    groups: Optional[int] = None,
    cut_hubs: bool = True,
) -> Resolution:
    """Resolve the event store at ``store`` on Spark as ``o2o resolve --store`` resolves it:
    with the store's record-level rules (``docs/privacy.md``, "Consent from records") —
    hashed identifiers joined to the raw ones they hash (in a keyed store, through the platform
    hashes kept at ingest), records of one click id joined, consent from consent records and
    through the person, customer, consent and assignment records as observations — and the
    scored links of ``o2o match --store``. The rules are the core's (``resolve_records``, then
    the links), run per group of connected components of all the records; the components also
    join records on the hashes and click ids the rules join them on and on the two ends of each
    scored link, so that each group holds everything its rules read. Other arguments as
    :func:`resolve`.
    """
    rj = _rules_json(rules)
    compiled = json.loads(_o2o.rules_json(rj))
    store = _local(store)
    # A keyed store's identifiers are pseudonyms under its key (checked against the rules as
    # on one machine); `None` for a plain store.
    key_id = _o2o.store_key_id(store, rj)
    events = read_events(spark, store)
    records: Dict[str, DataFrame] = {}
    for i, table in enumerate(_RECORD_TABLES):
        if os.path.isdir(os.path.join(store, table)):
            # Numbered after the events, table by table, in the store's order.
            records[table] = _numbered(spark, read_table(spark, store, table)).withColumn(
                EVENT, F.col(EVENT) + F.lit((i + 1) << 58)
            )
    extra: Dict[str, DataFrame] = {}
    links_file = os.path.join(store, "links", "match.parquet")
    if os.path.isfile(links_file):
        extra["links"] = _numbered(spark, spark.read.parquet(links_file)).withColumn(
            EVENT, F.col(EVENT) + F.lit(_LINKS_BASE)
        )
    aliases_dir = os.path.join(store, "aliases")
    if key_id is not None and os.path.isdir(aliases_dir) and any(
        f.endswith(".parquet") for f in os.listdir(aliases_dir)
    ):
        extra["aliases"] = _numbered(
            spark, spark.read.parquet(os.path.join(aliases_dir, "*.parquet"))
        ).withColumn(EVENT, F.col(EVENT) + F.lit(_ALIASES_BASE))
    hashed_kinds = F.exists("identifiers", lambda x: x["kind"].endswith("_sha256"))
    hashed = any(
        df.where(hashed_kinds).limit(1).count() > 0 for df in [events, *records.values()]
    )
    key_schema = "_event long, kind string, rank int, key long, linked boolean"

    def keys_fn(table: str) -> Any:
        def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
            for b in batches:
                t = pa.Table.from_batches([b])
                t = _strings(t) if table in _EXTRA_COLUMNS else _conform(t, table)
                yield from pa.table(_o2o.store_link_keys(t, table, rj, hashed, key_id)).to_batches()

        return run

    keys = events.mapInArrow(keys_fn("events"), key_schema)
    for table, df in records.items():
        keys = keys.union(df.mapInArrow(keys_fn(table), key_schema))
    if "links" in extra:
        keys = keys.union(extra["links"].mapInArrow(keys_fn("links"), key_schema))
    if "aliases" in extra:
        # Only the kept hashes some record carries join anything: the others stay out.
        alias_keys = extra["aliases"].mapInArrow(keys_fn("aliases"), key_schema)
        carried = keys.where(F.col("kind") == "sha").select("key").distinct()
        used = alias_keys.where(F.col("kind") == "sha").join(carried, "key", "left_semi").select(EVENT).distinct()
        extra["aliases"] = extra["aliases"].join(used, EVENT, "left_semi")
        keys = keys.union(alias_keys.join(used, EVENT, "left_semi"))
    keys = keys.localCheckpoint()
    if cut_hubs:
        # Counted: identifiers of events linking on their own consent, except those with a
        # consent or customer record that denies linking (on one machine such an identifier
        # may be left out of an event), so never more than the core counts.
        is_record = (F.col(EVENT) >= F.lit(1 << 58)) & (F.col(EVENT) < F.lit(_LINKS_BASE))
        denied = keys.where(is_record & ~F.col("linked")).select("key").distinct()
        counted = keys.where(
            (F.col(EVENT) < F.lit(1 << 58)) & F.col("linked") & (F.col("rank") >= 0)
        ).join(denied, "key", "left_anti")
        hubs = _hubs(counted, compiled, links=keys)
    else:
        hubs = spark.createDataFrame([], "key long")
    hub_keys: List[int] = [r["key"] for r in hubs.collect()]
    linking = keys.join(hubs, "key", "left_anti")
    comps = connected_components(_star_edges(linking))
    n_groups = groups or int(spark.conf.get("spark.sql.shuffle.partitions", "200"))
    node_comp = comps.select(F.col("node").alias(EVENT), "component")

    def grouped(df: DataFrame) -> DataFrame:
        return (
            df.join(node_comp, EVENT, "left")
            .withColumn("_group", F.pmod(F.xxhash64(F.coalesce("component", EVENT)), F.lit(n_groups)))
            .drop("component")
        )

    ev_comp = (
        events.select(EVENT)
        .join(node_comp, EVENT, "left")
        .select(EVENT, F.coalesce("component", EVENT).alias("component"))
        .localCheckpoint()
    )
    ge = grouped(events)
    recs: Optional[DataFrame] = None
    for table, df in [*records.items(), *extra.items()]:
        if table in _EXTRA_COLUMNS:
            df = df.select(EVENT, *_EXTRA_COLUMNS[table])
        df = df.withColumn("_table", F.lit(table))
        recs = df if recs is None else recs.unionByName(df, allowMissingColumns=True)
    if recs is None:
        recs = spark.createDataFrame([], "_event long, _table string")
    gr = grouped(recs)
    if hub_keys and any(t in records for t in ("consent", "customers")):
        gr = gr.withColumn("_copy", F.lit(False)).unionByName(
            _hub_record_copies(keys, hubs, node_comp, records, n_groups), allowMissingColumns=True
        )
    hub_b = spark.sparkContext.broadcast(hub_keys)

    def resolve_group(ev: pa.Table, rec: pa.Table) -> pa.Table:
        def part(table: str) -> Optional[pa.Table]:
            if "_table" not in rec.column_names or not rec.num_rows:
                return None
            return rec.filter(pa.compute.equal(rec.column("_table"), table))

        parts = []
        for table in _RECORD_TABLES:
            t = part(table)
            parts.append(_conform(t, table) if t is not None else pa.table({EVENT: pa.array([], pa.int64())}))
        more: Dict[str, Any] = {}
        for table, cols in _EXTRA_COLUMNS.items():
            t = part(table)
            if t is not None and t.num_rows:
                # In the store's order: the first kept hash of a value wins, as on one machine.
                more[table] = _strings(t.select([EVENT, *cols])).sort_by(EVENT)
        return pa.table(
            _o2o.resolve_store_groups(
                _conform(ev.drop_columns(["_group"])), *parts, rj, hub_b.value, lookback,
                links=more.get("links"), aliases=more.get("aliases"), key_id=key_id,
            )
        )

    resolved = (
        ge.groupBy("_group").cogroup(gr.groupBy("_group")).applyInArrow(resolve_group, _RESOLVED)
    ).localCheckpoint()
    return _resolution(resolved, hubs, ev_comp)


def _hub_record_copies(
    keys: DataFrame, hubs: DataFrame, node_comp: DataFrame, records: Dict[str, DataFrame], n_groups: int
) -> DataFrame:
    """Copies of the consent and customer records that carry a shared identifier, one for
    every other group holding a record with that identifier (``_group`` that group, ``_copy``
    true). A shared identifier links nothing and is cut out of the components, but its consent
    records still give consent to the events carrying it (docs/privacy.md, "Consent from
    records"): each group gets them, and the core keeps only the shared identifiers of a copy."""
    group_of = F.pmod(F.xxhash64(F.coalesce("component", EVENT)), F.lit(n_groups))
    held = (
        keys.join(hubs, "key", "left_semi")
        .select(EVENT, "key")
        .join(node_comp, EVENT, "left")
        .select(EVENT, "key", group_of.alias("_group"))
    )
    is_record = (F.col(EVENT) >= F.lit(1 << 58)) & (F.col(EVENT) < F.lit(3 << 58))
    own = held.where(is_record).select(F.col(EVENT).alias("_rec"), "key", F.col("_group").alias("_own"))
    targets = (
        own.join(held.select("key", "_group").distinct(), "key")
        .where(F.col("_group") != F.col("_own"))
        .select("_rec", "_group")
        .distinct()
    )
    copies: Optional[DataFrame] = None
    for table in ("consent", "customers"):
        if table not in records:
            continue
        df = (
            records[table]
            .withColumn("_table", F.lit(table))
            .join(targets, F.col(EVENT) == F.col("_rec"))
            .drop("_rec")
            .withColumn("_copy", F.lit(True))
        )
        copies = df if copies is None else copies.unionByName(df, allowMissingColumns=True)
    assert copies is not None
    return copies


def _resolution(resolved: DataFrame, hubs: DataFrame, ev_comp: DataFrame) -> Resolution:
    profiles = resolved.where(F.col("what") == "profile").select("profile", "kind", "value")
    ev = resolved.where(F.col("what") == "event").select(EVENT, "profile")
    paths = (
        resolved.where(F.col("what") == "path")
        .groupBy("path")
        .agg(
            F.sum("conversions").alias("conversions"),
            F.sum("revenue").alias("revenue"),
            F.sum("nulls").alias("nulls"),
        )
    )
    outcomes = resolved.where(F.col("what") == "outcome").select(
        "profile", F.col("conversions").alias("visits"), "revenue"
    )
    return Resolution(
        profiles=profiles, events=ev, paths=paths, outcomes=outcomes, hubs=hubs, components=ev_comp
    )


def local_resolution(
    events: pa.Table, rules: Rules = None, *, lookback: Optional[str] = None
) -> Dict[str, pa.Table]:
    """The single-machine reference: the same core call on every event at once (no Spark).
    ``events`` has the store's event columns and ``_event``. Returns ``profiles``, ``events``
    and ``paths`` tables shaped as :class:`Resolution`'s."""
    t = pa.table(_o2o.resolve_groups(_conform(events), _rules_json(rules), [], lookback))
    what = t.column("what").to_pylist()

    def rows(kind: str, cols: List[str]) -> pa.Table:
        mask = pa.array([w == kind for w in what])
        return t.filter(mask).select(cols)

    return {
        "profiles": rows("profile", ["profile", "kind", "value"]),
        "events": rows("event", [EVENT, "profile"]),
        "paths": rows("path", ["path", "conversions", "revenue", "nulls"]),
        "outcomes": rows("outcome", ["profile", "conversions", "revenue"]).rename_columns(
            ["profile", "visits", "revenue"]
        ),
    }


def holdout_arms(assignments: DataFrame, resolution: "Resolution") -> DataFrame:
    """Per campaign and group (``target``/``holdout``) of the store's ``assignments`` table:
    the holdout arm (customers, conversions, revenue mean and standard deviation) computed by
    the core over the arm's customers in profile order. A customer is the profile their
    assigned identifiers resolve to; they converted when they have a store visit, and their
    revenue is the sum of its values (summed by the core in a fixed order)."""
    ids = assignments.select(
        "campaign", "group", F.explode("identifiers").alias("id")
    ).select("campaign", "group", F.col("id.kind").alias("kind"), F.col("id.value").alias("value"))
    assigned = (
        ids.join(resolution.profiles, ["kind", "value"])
        .select("campaign", "group", "profile")
        .distinct()
    )
    joined = assigned.join(resolution.outcomes, "profile", "left").select(
        "campaign", "group", "profile",
        (F.coalesce("visits", F.lit(0.0)) > 0).alias("converted"),
        F.coalesce("revenue", F.lit(0.0)).alias("revenue"),
    )
    return joined.groupBy("campaign", "group").applyInArrow(_arm_of_group, _ARM)


_ARM = T.StructType(
    [
        T.StructField("campaign", T.StringType(), True),
        T.StructField("group", T.StringType(), True),
        T.StructField("customers", T.LongType(), False),
        T.StructField("conversions", T.LongType(), False),
        T.StructField("revenue_mean", T.DoubleType(), False),
        T.StructField("revenue_sd", T.DoubleType(), False),
    ]
)


def _arm_of_group(table: pa.Table) -> pa.Table:
    t = table.sort_by("profile")
    arm = json.loads(
        _o2o.holdout_arm(t.column("converted").to_pylist(), t.column("revenue").to_pylist())
    )
    return pa.table(
        {
            "campaign": pa.array([t.column("campaign")[0].as_py()], pa.string()),
            "group": pa.array([t.column("group")[0].as_py()], pa.string()),
            "customers": pa.array([arm["customers"]], pa.int64()),
            "conversions": pa.array([arm["conversions"]], pa.int64()),
            "revenue_mean": pa.array([arm["revenue_mean"]], pa.float64()),
            "revenue_sd": pa.array([arm["revenue_sd"]], pa.float64()),
        }
    )


def local_holdout_arms(assignments: pa.Table, local: Dict[str, pa.Table]) -> pa.Table:
    """The single-machine reference of :func:`holdout_arms`, on :func:`local_resolution`'s
    tables and the store's assignments read with pyarrow."""
    prof = {(k, v): p for p, k, v in zip(*(local["profiles"].column(c).to_pylist() for c in ("profile", "kind", "value")))}
    out = {p: (n, r) for p, n, r in zip(*(local["outcomes"].column(c).to_pylist() for c in ("profile", "visits", "revenue")))}
    members: Dict[tuple, set] = {}
    for camp, grp, ids in zip(*(assignments.column(c).to_pylist() for c in ("campaign", "group", "identifiers"))):
        for i in ids:
            p = prof.get((i["kind"], i["value"]))
            if p is not None:
                members.setdefault((camp, grp), set()).add(p)
    rows = []
    for (camp, grp), ps in members.items():
        ordered = sorted(ps)
        conv = [out.get(p, (0.0, 0.0))[0] > 0 for p in ordered]
        rev = [out.get(p, (0.0, 0.0))[1] for p in ordered]
        arm = json.loads(_o2o.holdout_arm(conv, rev))
        rows.append({"campaign": camp, "group": grp, **arm})
    return pa.Table.from_pylist(rows)


def uplift_by_campaign(arms: Any, spend: Optional[Dict[str, float]] = None, *, alpha: float = 0.05) -> Dict[str, Any]:
    """The core's incrementality readout of every campaign of :func:`holdout_arms` (a Spark
    DataFrame) or :func:`local_holdout_arms` (a pyarrow Table)."""
    from . import uplift

    rows = [r.asDict() for r in arms.collect()] if isinstance(arms, DataFrame) else arms.to_pylist()
    by: Dict[Any, Dict[str, Any]] = {}
    for r in rows:
        by.setdefault(r["campaign"], {})[r["group"]] = r
    spend = spend or {}
    out: Dict[str, Any] = {}
    for campaign, g in sorted(by.items(), key=lambda kv: str(kv[0])):
        if "target" not in g or "holdout" not in g:
            continue
        arm = [
            (int(a["customers"]), int(a["conversions"]), float(a["revenue_mean"]), float(a["revenue_sd"]))
            for a in (g["target"], g["holdout"])
        ]
        out[str(campaign)] = uplift.incrementality(
            exposed=arm[0], holdout=arm[1], spend=float(spend.get(campaign, 0.0)), alpha=alpha
        )
    return out
