"""Put Brian's example scripts (the ``examples/`` folder of Brian's source)
in ``tests/examples/brian_examples/``, for ``run.py``.

Usage::

    python tests/examples/get_examples.py                 # the installed brian2's release
    python tests/examples/get_examples.py --version 2.9.0
    python tests/examples/get_examples.py --sdist brian2-2.9.0.tar.gz
    python tests/examples/get_examples.py --git DIR --ref 2.9.0   # a clone of Brian's repository

By default pip downloads the source distribution of the installed brian2's
version from the package index (no build: ``--no-deps --no-binary brian2``
only fetches the archive; pip prepares its metadata, which needs the build
requirements as wheels). The release's examples are those of its git tag.
The scripts are Brian's, under Brian's licence (CeCILL 2.1, a copyleft licence); they
are not part of this repository (the folder's ``.gitignore`` keeps them out)
and ``SOURCE.txt`` there says where they came from.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
TARGET = os.path.join(HERE, "brian_examples")
#: what the folder keeps when it is refilled (ours, committed)
KEEP = ("README.md", ".gitignore")


def installed_version() -> str:
    from importlib.metadata import version
    return version("brian2")


def download_sdist(version: str, folder: str) -> str:
    """Path of brian2's source archive, downloaded by pip."""
    subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
                    "--no-binary", "brian2", f"brian2=={version}", "-d", folder], check=True)
    archives = [name for name in os.listdir(folder) if name.endswith(".tar.gz")]
    if len(archives) != 1:
        raise SystemExit(f"expected one source archive, got {archives}")
    return os.path.join(folder, archives[0])


def sha256(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def clear_target() -> None:
    os.makedirs(TARGET, exist_ok=True)
    for name in os.listdir(TARGET):
        if name in KEEP:
            continue
        path = os.path.join(TARGET, name)
        if os.path.isdir(path):
            shutil.rmtree(path)
        else:
            os.remove(path)


def extract_sdist(archive: str) -> int:
    """Copy the archive's ``examples/`` into the target; number of files."""
    count = 0
    with tarfile.open(archive) as tar:
        for member in tar.getmembers():
            parts = member.name.split("/")
            if len(parts) < 3 or parts[1] != "examples" or not member.isfile():
                continue
            destination = os.path.join(TARGET, *parts[2:])
            os.makedirs(os.path.dirname(destination), exist_ok=True)
            with tar.extractfile(member) as source, open(destination, "wb") as handle:
                shutil.copyfileobj(source, handle)
            count += 1
    return count


def extract_git(repository: str, ref: str) -> tuple[int, str]:
    """Copy ``examples/`` of ``ref`` in a git repository; (files, commit)."""
    commit = subprocess.run(["git", "-C", repository, "rev-parse", f"{ref}^{{commit}}"],
                            check=True, capture_output=True, text=True).stdout.strip()
    archive = subprocess.run(["git", "-C", repository, "archive", "--format=tar", commit,
                              "examples"], check=True, capture_output=True).stdout
    count = 0
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        for member in tar.getmembers():
            if not member.isfile() or os.path.basename(member.name) == ".gitignore":
                continue
            destination = os.path.join(TARGET, *member.name.split("/")[1:])
            os.makedirs(os.path.dirname(destination), exist_ok=True)
            with tar.extractfile(member) as source, open(destination, "wb") as handle:
                shutil.copyfileobj(source, handle)
            count += 1
    return count, commit


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--version", help="brian2 release (default: the installed one)")
    parser.add_argument("--sdist", help="a brian2 source archive (.tar.gz) to take them from")
    parser.add_argument("--git", help="a git repository of Brian to take them from")
    parser.add_argument("--ref", default=None, help="with --git: tag or commit "
                        "(default: the version)")
    args = parser.parse_args(argv)
    version = args.version or installed_version()
    clear_target()
    if args.git:
        count, commit = extract_git(args.git, args.ref or version)
        source = f"brian2 git repository, {args.ref or version} (commit {commit})"
    else:
        with tempfile.TemporaryDirectory() as scratch:
            archive = args.sdist or download_sdist(version, scratch)
            count = extract_sdist(archive)
            source = (f"brian2 source distribution {os.path.basename(archive)} "
                      f"(sha256 {sha256(archive)})")
    with open(os.path.join(TARGET, "SOURCE.txt"), "w") as handle:
        handle.write(f"examples/ of {source}\n")
    print(f"{count} files from {source} in {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
