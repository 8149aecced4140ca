#!/usr/bin/env python3
"""Builds the `enterprise_cdp` wheel that `cdp workflow export --databricks` names in each python_wheel_task.

The wheel holds one `cdp` binary and a launcher: its console-script entry point `cdp` runs that binary with the
task's parameters and exits with its status, which is how Databricks' python_wheel_task calls a named entry
point. Nothing is downloaded; the wheel is written with the standard library (PEP 427: a zip with
`*.dist-info/{METADATA,WHEEL,entry_points.txt,RECORD}`).

    swift build -c release --static-swift-stdlib --product cdp
    python3 scripts/databricks/build_wheel.py --cdp .build/release/cdp --out dist/

The platform tag is the build machine's: `manylinux_<glibc>_<arch>` with the glibc this machine has, because
the binary needs at least that glibc; pip on an older system refuses the wheel rather than installing a binary
that cannot start. A binary that links Swift's runtime dynamically runs only where that runtime is installed:
the script says so (build with --static-swift-stdlib for a cluster).
"""

import argparse
import base64
import hashlib
import os
import platform
import re
import subprocess
import sys
import zipfile

PACKAGE = "enterprise_cdp"
ENTRY_POINT = "cdp"

LAUNCHER = '''"""Runs the cdp binary shipped in this wheel (see scripts/databricks/build_wheel.py in Enterprise CDP)."""

import os
import stat
import subprocess
import sys


def binary():
    """The bundled cdp, made executable when the installer dropped the mode bits."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "bin", "cdp")
    if not os.access(path, os.X_OK):
        os.chmod(path, os.stat(path).st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return path


def main():
    """The entry point `cdp`: the task's parameters are cdp's arguments; cdp's exit status is the task's."""
    completed = subprocess.run([binary()] + sys.argv[1:])
    sys.exit(completed.returncode)


if __name__ == "__main__":
    main()
'''


def record_hash(data):
    digest = hashlib.sha256(data).digest()
    return "sha256=" + base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def platform_tag():
    machine = platform.machine().lower()
    libc, version = platform.libc_ver()
    if sys.platform.startswith("linux") and libc == "glibc" and version:
        major, minor = version.split(".")[:2]
        return f"manylinux_{major}_{minor}_{machine}"
    return f"{sys.platform}_{machine}".replace("-", "_").replace(".", "_")


def default_version():
    """0.0.0+g<commit> inside a git checkout (PEP 440 local version), else 0.0.0."""
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True).stdout.strip()
        return f"0.0.0+g{commit}" if commit else "0.0.0"
    except (OSError, subprocess.CalledProcessError):
        return "0.0.0"


def links_swift_runtime(path):
    """Whether the ELF file names libswiftCore as a needed library (readelf when present, else its bytes)."""
    try:
        dynamic = subprocess.run(["readelf", "-d", path], capture_output=True, text=True, check=True).stdout
        return "libswiftCore.so" in dynamic
    except (OSError, subprocess.CalledProcessError):
        with open(path, "rb") as file:
            return b"libswiftCore.so" in file.read()


def build(cdp, out, version):
    if not re.fullmatch(r"[0-9]+(\.[0-9]+)*([a-z]+[0-9]+)?(\+[a-z0-9.]+)?", version):
        raise SystemExit(f"build_wheel: --version {version!r} is not a PEP 440 version (e.g. 1.2.0 or 0.0.0+g7a3dccf)")
    if not os.path.isfile(cdp) or not os.access(cdp, os.X_OK):
        raise SystemExit(f"build_wheel: {cdp} is not an executable cdp binary; build it first: swift build -c release --static-swift-stdlib --product cdp")
    with open(cdp, "rb") as file:
        binary = file.read()
    if binary[:4] != b"\x7fELF":
        raise SystemExit(f"build_wheel: {cdp} is not an ELF binary; Databricks clusters run Linux")
    if links_swift_runtime(cdp):
        print(f"build_wheel: warning: {cdp} links Swift's runtime dynamically, so the wheel runs only where Swift is "
              "installed; for a cluster build it with --static-swift-stdlib", file=sys.stderr)

    tag = f"py3-none-{platform_tag()}"
    dist_info = f"{PACKAGE}-{version}.dist-info"
    files = {
        f"{PACKAGE}/__init__.py": LAUNCHER.encode(),
        f"{PACKAGE}/bin/cdp": binary,
        f"{dist_info}/METADATA": (
            "Metadata-Version: 2.1\n"
            f"Name: {PACKAGE}\n"
            f"Version: {version}\n"
            "Summary: Enterprise CDP's cdp, to run a workflow's steps as Databricks python_wheel_tasks\n"
            "Requires-Python: >=3.8\n").encode(),
        f"{dist_info}/WHEEL": (
            "Wheel-Version: 1.0\n"
            "Generator: enterprise-cdp build_wheel.py\n"
            "Root-Is-Purelib: false\n"
            f"Tag: {tag}\n").encode(),
        f"{dist_info}/entry_points.txt": f"[console_scripts]\n{ENTRY_POINT} = {PACKAGE}:main\n".encode(),
    }
    os.makedirs(out, exist_ok=True)
    wheel = os.path.join(out, f"{PACKAGE}-{version}-{tag}.whl")
    temporary = wheel + ".partial"
    record = [f"{name},{record_hash(data)},{len(data)}" for name, data in files.items()] + [f"{dist_info}/RECORD,,"]
    with zipfile.ZipFile(temporary, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in list(files.items()) + [(f"{dist_info}/RECORD", ("\n".join(record) + "\n").encode())]:
            entry = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            executable = name.endswith("/bin/cdp")
            entry.external_attr = ((0o100755 if executable else 0o100644) << 16)
            entry.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(entry, data)
    os.replace(temporary, wheel)
    return wheel


def main():
    parser = argparse.ArgumentParser(description="Build the enterprise_cdp wheel for Databricks python_wheel_tasks.")
    parser.add_argument("--cdp", required=True, help="the cdp binary to ship (build it with --static-swift-stdlib)")
    parser.add_argument("--out", default="dist", help="the folder to write the wheel into (default: dist)")
    parser.add_argument("--version", default=None, help="the wheel's version (default: 0.0.0+g<commit>)")
    arguments = parser.parse_args()
    print(build(arguments.cdp, arguments.out, arguments.version or default_version()))


if __name__ == "__main__":
    main()
