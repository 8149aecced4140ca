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


def worker_task(job, keys_files):
    """The function each task runs: one `cdp spark worker ingest` per source in its partition."""
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
            done = subprocess.run(arguments, input=bytes(frames), capture_output=True)
            if done.returncode != 0:
                message = done.stderr.decode("utf-8", "replace").strip()
                raise WorkerFailed(f"cdp spark worker ingest --source {source} exited {done.returncode}: {message}")
            for line in done.stdout.decode("utf-8").splitlines():
                yield line

    return run


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
        lines = files.select("source", "path", "content", "batch").rdd.mapPartitions(worker_task(job, keys_files))
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
    fs, staged = hadoop_fs(spark, staging)
    _, target = hadoop_fs(spark, final)
    if not fs.rename(staged, target):
        raise SystemExit(f"cdp_spark: could not rename {staging} to {final}; the run's output stays in the staging folder")
    return final


def export(spark, job, run_id, to):
    """Writes a run's silver, quarantine and batches as JSON lines (one folder each), for comparing and reading."""
    base = f"{job['output'].rstrip('/')}/runs/{run_id}"
    for dataset in ["silver", "quarantine", "batches"]:
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
