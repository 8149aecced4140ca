"""Enterprise CDP on Apache Spark: the driver of a `cdp spark` job.

    spark-submit [--master URL] [--files /path/to/cdp] cdp_spark.py run --job job.json
    spark-submit cdp_spark.py export --job job.json --run RUN_ID --to DIR     # a run's datasets as JSON lines
    (run takes --export DIR to do the same as it finishes)

`cdp spark plan` writes job.json beside this file; `cdp spark run` submits both. The division of work:

* Spark reads each source's files from their URIs (`binaryFile`: the bytes as stored), places each source's
  files in one task, in file-name order, and writes the results as Parquet.
* Every check is the engine's own: each task starts `cdp spark worker ingest --source NAME` and pipes the files
  through it (a JSON header line per file, then its bytes); the worker parses, standardises and validates with the
  embedded ingest's code and prints silver and quarantine rows as JSON lines. Nothing here judges a row.
* A reference rule (an order's customer must exist) reads the referenced source's current keys: sources run in
  waves, a source after those it references, and the driver hands each worker the keys it needs as a file
  (SparkContext.addFile), taken from the silver rows the earlier wave wrote.

Output, under the job's output URI:

    runs/RUN_ID/bronze/source=S/batch=B/       each landed file: name, sha256, bytes, content
    runs/RUN_ID/silver/source=S/batch=B/       one row per valid record: lineage, values (JSON), warnings (JSON)
    runs/RUN_ID/quarantine/source=S/batch=B/   one row per held record: lineage, fields and failures (JSON)
    runs/RUN_ID/batches/                        one row per file: source, batch, file, sha256, bytes, row counts
    runs/RUN_ID/candidates/                     every candidate pair: both records, the rule that formed it, the
                                                comparison levels, weight and probability under the run's model
    runs/RUN_ID/links/                          the hard-identifier links (records sharing an email, phone, CRM id)
    runs/RUN_ID/clusters/                       every current customer and its golden cluster (the cluster's label:
                                                the number of its first record in the canonical order)
    runs/RUN_ID/model/                          the model (m, u, prior) and what each training session gave, as JSON
    runs/RUN_ID/golden/                         one row per golden id: its values by survivorship (JSON, as the embedded
                                                lake stores them), member count, retired_run for one no cluster kept
    runs/RUN_ID/golden_members/                 every current customer and its golden id

Matching follows the ingest, again with every judgement in the engine (`cdp spark worker match-keys|stitch|compare|
score` on the executors, `train` and `cluster` on the driver): see run_match.

A run writes into runs/_staging-RUN_ID and renames it to runs/RUN_ID when every dataset is written: a run's
output is there whole or not at all (the rename is atomic on local disks and HDFS; on object storage it is a
copy, see README).
"""

import argparse
import datetime
import hashlib
import itertools
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid

from pyspark import SparkFiles
from pyspark.sql import SparkSession
from pyspark.sql import types as T

ROW_FIELDS = [
    T.StructField("kind", T.StringType()),
    T.StructField("source", T.StringType()),
    T.StructField("batch", T.StringType()),
    T.StructField("file", T.StringType()),
    T.StructField("line", T.LongType()),
    T.StructField("source_key", T.StringType()),
    T.StructField("content_hash", T.LongType()),
    T.StructField("record_offset", T.LongType()),
    T.StructField("record_length", T.LongType()),
    # Nested JSON kept as its text: values (silver), warnings, fields and failures as the embedded lake stores them.
    T.StructField("values", T.StringType()),
    T.StructField("warnings", T.StringType()),
    T.StructField("fields", T.StringType()),
    T.StructField("failures", T.StringType()),
    T.StructField("read", T.LongType()),
    T.StructField("unchanged", T.LongType()),
    T.StructField("silver", T.LongType()),
    T.StructField("quarantined", T.LongType()),
    T.StructField("warned", T.LongType()),
]
ROW_SCHEMA = T.StructType(ROW_FIELDS)
SILVER_COLUMNS = ["source", "batch", "file", "line", "source_key", "content_hash", "record_offset", "record_length", "values", "warnings"]
QUARANTINE_COLUMNS = ["source", "batch", "file", "line", "source_key", "content_hash", "record_offset", "record_length", "fields", "failures"]
BATCH_COUNTS = ["read", "unchanged", "silver", "quarantined", "warned"]


class WorkerFailed(RuntimeError):
    """A `cdp spark worker` exited with an error: its message names the source, the file and what to do."""


def waves(sources):
    """Sources in stages: a source comes after every source of the job its reference rules name (as the
    workflow orders the embedded ingest), and otherwise as early as it can."""
    names = {s["name"] for s in sources}
    done, remaining, result = set(), list(sources), []
    while remaining:
        ready = [s for s in remaining if all(r in done or r not in names for r in s["references"])]
        if not ready:
            cycle = ", ".join(s["name"] for s in remaining)
            raise SystemExit(f"cdp_spark: the reference rules of {cycle} name each other in a cycle; no order can run them")
        result.append(ready)
        done.update(s["name"] for s in ready)
        remaining = [s for s in remaining if s["name"] not in done]
    return result


def worker_task(job, keys_files, releases_file=None):
    """The function each task runs: one `cdp spark worker ingest` per source in its partition. With `releases_file`
    (shipped with addFile), each held row a steward fixed and released in the lake is checked with their values."""
    cdp = job["cdp"]
    shipped = job.get("cdp_shipped", False)
    today = job["today"]
    configuration = job["configuration"]
    folders = {s["name"]: s["folder"] for s in job["sources"]}
    references = {s["name"]: s["references"] for s in job["sources"]}

    def run(rows):
        executable = SparkFiles.get(os.path.basename(cdp)) if shipped else cdp
        if shipped and not os.access(executable, os.X_OK):
            os.chmod(executable, 0o755)
        # The workspace's configuration, written where this task can read it: an executor has no workspace.
        workspace = tempfile.mkdtemp(prefix="cdp-spark-worker-")
        for relative, text in configuration.items():
            path = os.path.join(workspace, relative)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8") as handle:
                handle.write(text)
        for source, files in itertools.groupby(rows, key=lambda row: row.source):
            frames = bytearray()
            for row in files:
                content = bytes(row.content)
                name = folders[source] + os.path.basename(row.path)
                header = {"batch": row.batch, "file": name, "bytes": len(content)}
                frames += json.dumps(header, ensure_ascii=False).encode("utf-8") + b"\n" + content
            arguments = [executable, "spark", "worker", "ingest", "-w", workspace, "--source", source, "--today", today]
            for target in references[source]:
                arguments += ["--reference-keys", f"{target}={SparkFiles.get(keys_files[target])}"]
            if releases_file:
                arguments += ["--releases", SparkFiles.get(releases_file)]
            done = subprocess.run(arguments, input=bytes(frames), capture_output=True)
            if done.returncode != 0:
                message = done.stderr.decode("utf-8", "replace").strip()
                raise WorkerFailed(f"cdp spark worker ingest --source {source} exited {done.returncode}: {message}")
            for line in done.stdout.decode("utf-8").splitlines():
                yield line

    return run


def executable_of(job):
    cdp = job["cdp"]
    shipped = job.get("cdp_shipped", False)
    executable = SparkFiles.get(os.path.basename(cdp)) if shipped else cdp
    if shipped and not os.access(executable, os.X_OK):
        os.chmod(executable, 0o755)
    return executable


def worker_folder(job):
    """The workspace's configuration, written where this task can read it: an executor has no workspace."""
    workspace = tempfile.mkdtemp(prefix="cdp-spark-worker-")
    for relative, text in job["configuration"].items():
        path = os.path.join(workspace, relative)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)
    return workspace


def run_stage(job, stage, data, *options, executable=None):
    """Runs `cdp spark worker STAGE` over `data` (bytes) and returns its output lines."""
    workspace = worker_folder(job)
    arguments = [executable or executable_of(job), "spark", "worker", stage, "-w", workspace, *options]
    started = time.monotonic()
    done = subprocess.run(arguments, input=data, capture_output=True)
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip()
        raise WorkerFailed(f"cdp spark worker {stage} exited {done.returncode}: {message}")
    if os.environ.get("CDP_SPARK_TIMINGS"):
        print(f"cdp_spark: worker {stage}: {len(data)} bytes in, {time.monotonic() - started:.1f} s", file=sys.stderr, flush=True)
    return done.stdout.decode("utf-8").splitlines()


def stage_task(job, stage, *options, files=()):
    """A function for mapPartitions: the partition's JSON lines through `cdp spark worker STAGE`."""

    def run(lines):
        data = "\n".join(lines).encode("utf-8")
        if not data:
            return iter(())
        extra = list(options)
        for flag, name in files:
            extra += [flag, SparkFiles.get(name)]
        return iter(run_stage(job, stage, data, *extra))

    return run


def local_cdp(job):
    """The cdp the driver runs itself: the one that submitted the job, or the shipped copy."""
    if not job.get("cdp_shipped", False):
        return job["cdp"]
    return executable_of(job)


DECISIONS_SCHEMA = ("kind string, n long, a_source string, a_key string, b_source string, b_key string, decision string, "
                    "source string, source_key string, golden long, attribute string, value string")


def decisions_path(job):
    """The decisions file `cdp spark run` or `cdp spark plan` wrote beside job.json (a relative name is beside it), or None."""
    path = job.get("decisions")
    if not path:
        return None
    if not os.path.isabs(path):
        path = os.path.join(os.path.dirname(os.path.abspath(job["_path"])), path)
    return path


def released_records(spark, job, folder, run_id):
    """The lake's released records (the decisions file's `release` lines) in a file shipped to the executors with
    addFile, for the ingest workers; its name, or None when there are none."""
    path = decisions_path(job)
    if not path:
        return None
    with open(path, encoding="utf-8") as handle:
        lines = [line for line in handle.read().splitlines() if line.startswith('{"kind":"release"')]
    if not lines:
        return None
    releases = os.path.join(folder, f"releases-{run_id}.jsonl")
    with open(releases, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    spark.sparkContext.addFile(releases)
    return os.path.basename(releases)


def steward_decisions(spark, job):
    """The lake's steward decisions, overrides and golden ids (`cdp spark run` writes them beside job.json: see
    SparkDecisions), as one DataFrame by `kind`, or None when the job has none. The driver reads the file and hands
    its lines to Spark: executors need not see the driver's files. One line per customer (its golden id) passes
    through the driver's memory."""
    path = decisions_path(job)
    if not path:
        return None
    with open(path, encoding="utf-8") as handle:
        lines = [line for line in handle.read().splitlines() if line]
    sc = spark.sparkContext
    return spark.read.schema(DECISIONS_SCHEMA).json(sc.parallelize(lines or ["{}"], max(1, sc.defaultParallelism))) \
        .where("kind IS NOT NULL").cache()


def run_match(spark, job, staging, run_id):
    """Matching on Spark, the embedded engine's `MatchPipeline` stage by stage:

    1. The current silver customers (the latest row of each source and key) are numbered in the canonical order
       (source, then key, byte order), the order every tie of the embedded match follows.
    2. `match-keys` (executors) gives each record its blocking key per rule, its hard-identifier groups and its
       term-frequency values; Spark counts the values (term frequencies are the whole set's) and joins each rule's
       blocks of 2..max_block_size records into pairs; a pair belongs to the first rule that forms it, and the later
       rules that form it too train on it (at most training_limit per rule).
    3. `stitch` (executors) links the records of each group sharing a hard identifier.
    4. `compare` (executors) gives every candidate pair, overlap pair and the seeded random pairs (`random-pairs`, on
       the driver) their comparison pattern; each pair goes to a part by its hash, with the records the part's pairs
       name; Spark counts the patterns.
    5. `train` (driver) estimates u, m and the prior from the counts and the linked records; the model is shipped to
       the executors, and `score` weighs every candidate pair with the whole set's term frequencies.
    6. `cluster` (driver) clusters the strong edges (links and pairs at or above the auto-merge weight) with the
       records they name: the link table and those records pass through the driver's memory.
    """
    from pyspark.sql import functions as F
    from pyspark.sql import Window

    matching = job.get("matching")
    customers = job.get("customer_sources") or []
    if not matching or not customers:
        return
    sc = spark.sparkContext
    # Each shuffle's partition is one worker process: Spark's default of 200 partitions starts 200 of them per stage
    # for a sample. Unless the job sets it, two partitions per core.
    if not sc.getConf().contains("spark.sql.shuffle.partitions"):
        spark.conf.set("spark.sql.shuffle.partitions", str(max(2, 2 * sc.defaultParallelism)))
    started = time.monotonic()

    def progress(step):
        print(f"cdp_spark: match: {step} ({time.monotonic() - started:.1f} s)", file=sys.stderr, flush=True)

    comparisons = len(matching["comparisons"])
    silver = spark.read.parquet(f"{staging}/silver").where(F.col("source").isin(customers))
    latest = Window.partitionBy("source", "source_key").orderBy(F.col("file").desc(), F.col("line").desc())
    current = silver.withColumn("_n", F.row_number().over(latest)).where("_n = 1").select("source", "source_key", "values")
    numbered = current.orderBy("source", "source_key").rdd.zipWithIndex() \
        .map(lambda pair: (pair[1], pair[0].source, pair[0].source_key, pair[0]["values"]))
    records = spark.createDataFrame(numbered, "record long, source string, source_key string, values string").cache()
    count = records.count()
    if count == 0:
        return
    progress(f"{count} current customers numbered")
    steward = steward_decisions(spark, job)
    # Decisions between two current customers, by record number (others are left out, as the embedded match leaves them).
    numbers = lambda side: records.select(F.col("source").alias(f"{side}_source"), F.col("source_key").alias(f"{side}_key"),
                                          F.col("record").alias(side))
    if steward is not None:
        decided = steward.where("kind = 'decision'").join(numbers("a"), ["a_source", "a_key"]).join(numbers("b"), ["b_source", "b_key"]) \
            .select("n", "a", "b", "decision").cache()
    else:
        decided = spark.createDataFrame([], "n long, a long, b long, decision string")
    decided_lines = decided.select(F.lit("decision").alias("kind"), "n", "a", "b", "decision")
    decided_records = decided.select(F.col("a").alias("record")).unionByName(decided.select(F.col("b").alias("record")))

    keys = spark.read.schema("record long, keys array<string>, stitch array<struct<identifier:int,group:string>>, tf array<string>") \
        .json(records.toJSON().mapPartitions(stage_task(job, "match-keys"))).cache()

    # Blocking: each rule's blocks of 2..max_block_size records, their pairs to the first rule forming them.
    members = keys.select("record", F.posexplode("keys").alias("rule", "key")).where("key IS NOT NULL")
    blocks = members.groupBy("rule", "key").count().where(f"count >= 2 AND count <= {int(matching['max_block_size'])}")
    blocked = members.join(blocks.select("rule", "key"), ["rule", "key"])
    x, y = blocked.alias("x"), blocked.alias("y")
    formed = x.join(y, (F.col("x.rule") == F.col("y.rule")) & (F.col("x.key") == F.col("y.key")) & (F.col("x.record") < F.col("y.record"))) \
        .select(F.col("x.rule").alias("rule"), F.col("x.record").alias("a"), F.col("y.record").alias("b"))
    first = formed.groupBy("a", "b").agg(F.min("rule").alias("first"))
    candidates = first.select(F.col("first").alias("rule"), "a", "b")
    by_pair = Window.partitionBy("rule").orderBy("a", "b")
    overlap = formed.join(first, ["a", "b"]).where("rule > first").select("rule", "a", "b") \
        .withColumn("_n", F.row_number().over(by_pair)).where(f"_n <= {int(matching['training_limit'])}").drop("_n")

    progress(f"{keys.count()} records keyed")
    # The seeded random pairs u is estimated on (each draw counts, repeats included).
    draws = run_stage(job, "random-pairs", b"", "--records", str(count), executable=local_cdp(job))
    random = spark.read.schema("draw long, a long, b long").json(sc.parallelize(draws, max(1, sc.defaultParallelism)))

    to_compare = candidates.select(F.concat(F.lit("c:"), F.col("rule").cast("string")).alias("tag"), "a", "b") \
        .unionByName(overlap.select(F.concat(F.lit("o:"), F.col("rule").cast("string")).alias("tag"), "a", "b")) \
        .unionByName(random.select(F.concat(F.lit("r:"), F.col("draw").cast("string")).alias("tag"), "a", "b"))
    # Each pair goes to a part by its hash, with the records the part's pairs name (once per part, not per pair).
    parts = int(spark.conf.get("spark.sql.shuffle.partitions"))
    placed = to_compare.withColumn("part", F.pmod(F.xxhash64("tag", "a", "b"), F.lit(parts)))
    needed = placed.select("part", F.col("a").alias("record")).unionByName(placed.select("part", F.col("b").alias("record"))).distinct()
    compare_in = needed.join(records, "record").select("part", F.to_json(F.struct("record", "source", "source_key", "values")).alias("line")) \
        .unionByName(placed.select("part", F.to_json(F.struct("tag", "a", "b")).alias("line"))) \
        .repartition(parts, "part")
    compared = spark.read.schema("tag string, a long, b long, pattern long") \
        .json(compare_in.rdd.map(lambda row: row.line).mapPartitions(stage_task(job, "compare"))) \
        .withColumn("kind", F.split("tag", ":")[0]).withColumn("rule", F.split("tag", ":")[1].cast("int")).cache()

    progress(f"{compared.count()} pairs compared")
    # Hard-identifier links, group by group.
    groups = keys.select("record", F.explode("stitch").alias("s")).select("record", "s.identifier", "s.group")
    shared = groups.groupBy("identifier", "group").count().where("count >= 2").select("identifier", "group")
    stitch_in = groups.join(shared, ["identifier", "group"]).join(records, "record") \
        .repartition("identifier", "group").sortWithinPartitions("identifier", "group", "record")
    links = spark.read.schema("a long, b long, identifier string") \
        .json(stitch_in.toJSON().mapPartitions(stage_task(job, "stitch"))).distinct().cache()

    progress(f"{links.count()} links")
    # Training on the driver: pattern counts, links, and the linked records.
    histograms = compared.groupBy("kind", "rule", "pattern").count()
    linked = links.select(F.col("a").alias("record")).unionByName(links.select(F.col("b").alias("record"))).distinct()
    trained_on = linked.unionByName(decided_records).distinct()
    model_folder = tempfile.mkdtemp(prefix="cdp-spark-model-")
    model_path = os.path.join(model_folder, f"model-{run_id}.json")
    training = os.path.join(model_folder, "training.jsonl")
    with open(training, "w", encoding="utf-8") as handle:
        for row in histograms.toLocalIterator():
            kind = {"c": "candidate", "o": "overlap", "r": "random"}[row.kind]
            rule = "" if kind == "random" else f',"rule":{row.rule}'
            handle.write(f'{{"kind":"{kind}"{rule},"pattern":{row.pattern},"count":{row["count"]}}}\n')
        for line in links.select(F.lit("link").alias("kind"), "a", "b", "identifier").toJSON().toLocalIterator():
            handle.write(line + "\n")
        for line in decided_lines.toJSON().toLocalIterator():
            handle.write(line + "\n")
        for line in records.join(trained_on, "record").select(F.lit("record").alias("kind"), "record", "source", "source_key", "values") \
                .toJSON().toLocalIterator():
            handle.write(line + "\n")
    with open(training, "rb") as handle:
        trained = run_stage(job, "train", handle.read(), "--records", str(count), executable=local_cdp(job))
    with open(model_path, "w", encoding="utf-8") as handle:
        handle.write("\n".join(trained) + "\n")
    sc.addFile(model_path)
    progress("model trained")

    # Scoring: each candidate pair with the whole set's count of its first record's term-frequency values.
    values = keys.select("record", F.posexplode("tf").alias("c", "value")).where("value IS NOT NULL")
    counted = values.join(values.groupBy("c", "value").count(), ["c", "value"]) \
        .groupBy("record").agg(F.map_from_entries(F.collect_list(F.struct("c", "count"))).alias("m"))
    score_in = compared.where("kind = 'c'").select("a", "b", "rule", "pattern") \
        .join(counted.withColumnRenamed("record", "a"), "a", "left") \
        .select("a", "b", "rule", "pattern", F.array(*[F.col("m")[F.lit(c)] for c in range(comparisons)]).alias("tf"))
    scored = spark.read.schema("a long, b long, rule int, pattern long, weight double, probability double") \
        .json(score_in.toJSON().mapPartitions(stage_task(job, "score", "--records", str(count), files=[("--model", os.path.basename(model_path))]))) \
        .cache()
    rule_names = F.array(*[F.lit(name) for name in matching["rules"]])
    levels = F.array(*[F.shiftright("pattern", 4 * c).bitwiseAND(15).cast("int") for c in range(comparisons)])
    named = lambda prefix: records.select(F.col("record").alias(prefix), F.col("source").alias(f"{prefix}_source"), F.col("source_key").alias(f"{prefix}_key"))
    scored.join(named("a"), "a").join(named("b"), "b") \
        .select("a_source", "a_key", "b_source", "b_key", "a", "b", "rule", rule_names[F.col("rule")].alias("rule_name"), "pattern",
                levels.alias("levels"), "weight", "probability") \
        .write.parquet(f"{staging}/candidates")
    links.join(named("a"), "a").join(named("b"), "b") \
        .select("a_source", "a_key", "b_source", "b_key", "a", "b", "identifier").write.parquet(f"{staging}/links")
    spark.createDataFrame([(run_id, "\n".join(trained))], "run string, model string").write.parquet(f"{staging}/model")

    progress("candidates scored and written")
    # Clustering on the driver: the strong edges and the records they name.
    strong = scored.where(F.col("weight") >= F.lit(float(matching["auto_merge_weight"]))).select("a", "b", "weight")
    ends = strong.select(F.col("a").alias("record")).unionByName(strong.select(F.col("b").alias("record"))).unionByName(linked) \
        .unionByName(decided_records).distinct()
    edges = os.path.join(model_folder, "edges.jsonl")
    with open(edges, "w", encoding="utf-8") as handle:
        for line in links.select(F.lit("link").alias("kind"), "a", "b", "identifier").toJSON().toLocalIterator():
            handle.write(line + "\n")
        for row in strong.toLocalIterator():
            handle.write(json.dumps({"kind": "pair", "a": row.a, "b": row.b, "weight": row.weight}) + "\n")
        for line in decided_lines.toJSON().toLocalIterator():
            handle.write(line + "\n")
        for line in records.join(ends, "record").select(F.lit("record").alias("kind"), "record", "source", "source_key", "values") \
                .toJSON().toLocalIterator():
            handle.write(line + "\n")
    with open(edges, "rb") as handle:
        clustered = run_stage(job, "cluster", handle.read(), executable=local_cdp(job))
    labels = spark.read.schema("record long, cluster long").json(sc.parallelize(clustered or ["{}"], max(1, sc.defaultParallelism))) \
        .where("record IS NOT NULL")
    clustered = records.join(labels, "record", "left").withColumn("cluster", F.coalesce("cluster", "record")).cache()
    clustered.select("source", "source_key", "record", "cluster").write.parquet(f"{staging}/clusters")
    progress("clusters written")
    run_golden(spark, job, staging, run_id, clustered, model_folder, steward)
    progress("golden records written")
    for frame in [clustered, scored, compared, links, keys, records]:
        frame.unpersist()


def previous_golden(spark, job, run_id):
    """The golden records of the latest earlier run under the job's output (the one renamed into place last), or None:
    golden ids stay stable from run to run as in the embedded lake."""
    output = job["output"].rstrip("/")
    fs, runs = hadoop_fs(spark, f"{output}/runs")
    if not fs.exists(runs):
        return None
    done = []
    for status in fs.listStatus(runs):
        name = status.getPath().getName()
        if name.startswith("_") or name == run_id:
            continue
        _, success = hadoop_fs(spark, f"{output}/runs/{name}/golden/_SUCCESS")
        if fs.exists(success):
            done.append((status.getModificationTime(), name))
    if not done:
        return None
    return f"{output}/runs/{max(done)[1]}"


def run_golden(spark, job, staging, run_id, clustered, scratch, steward=None):
    """Golden records, as the embedded match keeps them:

    1. Ids: each cluster claims the previous golden ids of its records (the lake's, when `cdp spark run` handed them
       over with the steward's decisions; else the latest earlier run's `golden_members`),
       Spark counts the votes and `golden-ids` (driver) grants the claims by `GoldenIDAssignment`'s rule; the clusters
       granted none are numbered from the next id (past every id ever given, retired ones included) in order of their
       first record. With no earlier run the ids are 1, 2, … in that order: the embedded lake's on the same input.
    2. Values: `golden` (executors) applies survivorship per cluster, every member of a cluster in one partition.
    2b. A steward's override (from the lake) goes with the cluster that kept its golden id, and wins survivorship.
    3. The previous run's golden records that no cluster kept stay in `golden`, retired (`retired_run`), as the
       lake keeps them, so an id is never given twice.
    """
    from pyspark.sql import functions as F

    sc = spark.sparkContext
    previous = previous_golden(spark, job, run_id)
    clusters = clustered.select("cluster").distinct()
    lake_ids = steward.where("kind = 'golden'") if steward is not None else None
    if lake_ids is not None and lake_ids.limit(1).count() > 0:
        before = None
        members_before = lake_ids.select("source", "source_key", F.col("golden").alias("previous"))
        next_id = steward.where("kind = 'next_golden'").agg(F.max("golden")).first()[0] or 1
    elif previous:
        before = spark.read.parquet(f"{previous}/golden").select("golden_id", "attributes", "retired_run")
        members_before = spark.read.parquet(f"{previous}/golden_members").select("source", "source_key", F.col("golden_id").alias("previous"))
        next_id = (before.agg(F.max("golden_id")).first()[0] or 0) + 1
    else:
        members_before = None
    if members_before is not None:
        votes = clustered.join(members_before, ["source", "source_key"]).groupBy("cluster", "previous").count()
        claims = os.path.join(scratch, "claims.jsonl")
        with open(claims, "w", encoding="utf-8") as handle:
            for row in votes.toLocalIterator():
                handle.write(f'{{"cluster":{row.cluster},"golden":{row.previous},"votes":{row["count"]}}}\n')
        with open(claims, "rb") as handle:
            kept = run_stage(job, "golden-ids", handle.read(), executable=local_cdp(job))
    else:
        before, next_id, kept = None, 1, []
    granted = spark.read.schema("cluster long, golden long").json(sc.parallelize(kept or ["{}"], max(1, sc.defaultParallelism))) \
        .where("cluster IS NOT NULL")
    fresh = clusters.join(granted, "cluster", "left_anti").orderBy("cluster").rdd.zipWithIndex() \
        .map(lambda pair: (pair[0].cluster, next_id + pair[1]))
    ids = granted.unionByName(spark.createDataFrame(fresh, "cluster long, golden long"))
    members = clustered.join(ids, "cluster").cache()
    members.select("source", "source_key", "record", "cluster", F.col("golden").alias("golden_id")).write.parquet(f"{staging}/golden_members")

    parts = int(spark.conf.get("spark.sql.shuffle.partitions"))
    golden_in = members.select("cluster", F.to_json(F.struct("record", "source", "source_key", "values", "cluster", "golden")).alias("line"))
    if steward is not None:
        overrides = steward.where("kind = 'override'").join(ids, "golden") \
            .select("cluster", F.to_json(F.struct(F.col("golden").alias("override"), "attribute", "value")).alias("line"))
        golden_in = golden_in.unionByName(overrides)
    golden_in = golden_in.repartition(parts, "cluster").sortWithinPartitions("cluster")
    golden = spark.read.schema("golden long, cluster long, members long, attributes string") \
        .json(golden_in.rdd.map(lambda row: row.line).mapPartitions(stage_task(job, "golden")))
    current = golden.select(F.col("golden").alias("golden_id"), "cluster", F.col("members").alias("member_count"), "attributes",
                            F.lit(None).cast("string").alias("retired_run"))
    if before is not None:
        # Retired golden records keep their last values; member_count 0, as the lake keeps them.
        retired = before.join(current.select("golden_id"), "golden_id", "left_anti") \
            .select("golden_id", F.lit(None).cast("long").alias("cluster"), F.lit(0).cast("long").alias("member_count"), "attributes",
                    F.coalesce("retired_run", F.lit(run_id)).alias("retired_run"))
        current = current.unionByName(retired)
    current.write.parquet(f"{staging}/golden")
    members.unpersist()


def hadoop_fs(spark, uri):
    jvm = spark.sparkContext._jvm
    path = jvm.org.apache.hadoop.fs.Path(uri)
    return path.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration()), path


def run_job(spark, job, run_id):
    sc = spark.sparkContext
    output = job["output"].rstrip("/")
    staging = f"{output}/runs/_staging-{run_id}"
    final = f"{output}/runs/{run_id}"
    keys_folder = tempfile.mkdtemp(prefix="cdp-spark-keys-")
    keys_files = {}
    sha = lambda content: hashlib.sha256(bytes(content)).hexdigest()
    from pyspark.sql import functions as F

    sha256 = F.udf(sha, T.StringType())
    releases_file = released_records(spark, job, keys_folder, run_id)
    for wave in waves(job["sources"]):
        files = None
        for source in wave:
            frame = (spark.read.format("binaryFile").load(source["input"])
                     .select(F.lit(source["name"]).alias("source"), "path", "length", "content"))
            files = frame if files is None else files.unionByName(frame)
        files = files.withColumn("sha256", sha256("content")).withColumn("batch", F.substring("sha256", 1, 16))
        files = files.repartition(max(1, len(wave)), "source").sortWithinPartitions("source", "path").cache()
        missing = {s["name"] for s in wave} - {row.source for row in files.select("source").distinct().collect()}
        if missing:
            raise SystemExit("cdp_spark: no file matches the input of " + ", ".join(
                f"{name} ({next(s['input'] for s in wave if s['name'] == name)})" for name in sorted(missing)))
        lines = files.select("source", "path", "content", "batch").rdd.mapPartitions(worker_task(job, keys_files, releases_file))
        rows = spark.read.schema(ROW_SCHEMA).json(lines).cache()
        folder_of = F.create_map(*itertools.chain.from_iterable((F.lit(s["name"]), F.lit(s["folder"])) for s in wave))
        bronze = files.select("source", "batch", F.concat(folder_of[F.col("source")], F.regexp_extract("path", r"[^/]*$", 0)).alias("file"),
                              "path", "sha256", F.col("length").alias("bytes"), "content")
        bronze.write.mode("append").partitionBy("source", "batch").parquet(f"{staging}/bronze")
        rows.where("kind = 'silver'").select(*SILVER_COLUMNS).write.mode("append").partitionBy("source", "batch").parquet(f"{staging}/silver")
        rows.where("kind = 'quarantine'").select(*QUARANTINE_COLUMNS).write.mode("append").partitionBy("source", "batch").parquet(f"{staging}/quarantine")
        batches = rows.where("kind = 'batch'").select("source", "batch", "file", *BATCH_COUNTS)
        batches.join(bronze.select("source", "batch", "sha256", "bytes"), ["source", "batch"]).withColumn("run", F.lit(run_id)) \
            .write.mode("append").parquet(f"{staging}/batches")
        # The keys later waves' reference rules read: the current silver keys of each source in this wave.
        for source in wave:
            name = source["name"]
            if not any(name in s["references"] for s in job["sources"]):
                continue
            keys = spark.read.parquet(f"{staging}/silver").where(F.col("source") == name).select("source_key").distinct()
            path = os.path.join(keys_folder, f"keys-{name}-{run_id}.txt")
            with open(path, "w", encoding="utf-8") as handle:
                for row in keys.toLocalIterator():
                    handle.write(row.source_key + "\n")
            sc.addFile(path)
            keys_files[name] = os.path.basename(path)
        rows.unpersist()
        files.unpersist()
    run_match(spark, job, staging, run_id)
    fs, staged = hadoop_fs(spark, staging)
    _, target = hadoop_fs(spark, final)
    if not fs.rename(staged, target):
        raise SystemExit(f"cdp_spark: could not rename {staging} to {final}; the run's output stays in the staging folder")
    return final


def export(spark, job, run_id, to):
    """Writes a run's datasets as JSON lines (one folder each): what `cdp spark import` reads, and for comparing."""
    base = f"{job['output'].rstrip('/')}/runs/{run_id}"
    fs, _ = hadoop_fs(spark, base)
    # bronze's content is binary, which Spark writes in JSON as base64: `cdp spark import` lands the files from it.
    for dataset in ["bronze", "silver", "quarantine", "batches", "candidates", "links", "clusters", "model", "golden", "golden_members"]:
        _, path = hadoop_fs(spark, f"{base}/{dataset}")
        if dataset in ["bronze", "silver", "quarantine", "batches"] or fs.exists(path):
            spark.read.parquet(f"{base}/{dataset}").coalesce(1).write.mode("overwrite").json(os.path.join(to, dataset))


def main(argv):
    parser = argparse.ArgumentParser(prog="cdp_spark.py", description="Enterprise CDP's Spark driver (see the module's text).")
    parser.add_argument("command", choices=["run", "export"])
    parser.add_argument("--job", required=True, help="job.json, as `cdp spark plan` writes it")
    parser.add_argument("--run", help="the run id (run: default a new one; export: the run to export)")
    parser.add_argument("--to", help="export: the folder to write JSON lines into")
    parser.add_argument("--export", help="run: also write the run's silver, quarantine and batches as JSON lines into this folder")
    arguments = parser.parse_args(argv)
    with open(arguments.job, encoding="utf-8") as handle:
        job = json.load(handle)
    job["_path"] = arguments.job
    # Partition folders hold text (source names, batch ids of hex digits): never let Spark read them as numbers.
    spark = (SparkSession.builder.appName(f"cdp {job.get('workspace_name', '')}".strip())
             .config("spark.sql.sources.partitionColumnTypeInference.enabled", "false").getOrCreate())
    # WARN would print a stack trace for every glob (Spark looks for a streaming sink's metadata folder first).
    spark.sparkContext.setLogLevel("ERROR")
    try:
        if arguments.command == "run":
            run_id = arguments.run or datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ-") + uuid.uuid4().hex[:6]
            final = run_job(spark, job, run_id)
            if arguments.export:
                export(spark, job, run_id, arguments.export)
            print(json.dumps({"run": run_id, "output": final}))
        else:
            if not arguments.run or not arguments.to:
                raise SystemExit("cdp_spark: export needs --run RUN_ID and --to DIR")
            export(spark, job, arguments.run, arguments.to)
    finally:
        spark.stop()


if __name__ == "__main__":
    main(sys.argv[1:])
