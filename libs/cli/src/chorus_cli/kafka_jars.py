"""Apache Kafka's jars, fetched by Maven from Maven Central and kept in a cache between runs.

`kafka_pom.xml` beside this file names the broker (`org.apache.kafka:kafka_2.13`) and the
logging it runs with; Maven resolves them (into ``~/.m2``, its own cache) and copies them
into ``$CHORUS_CACHE`` (default ``~/.cache/chorus``) under ``kafka-<version>-<pom hash>/libs``.
A later run finds that directory and starts no Maven at all.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

POM = Path(__file__).with_name("kafka_pom.xml")
_DONE = ".complete"


def kafka_version(pom: Path = POM) -> str:
    """The Kafka version the pom asks for."""
    found = re.search(r"<kafka\.version>([^<]+)</kafka\.version>", pom.read_text())
    if found is None:
        raise RuntimeError(f"{pom} names no <kafka.version>")
    return found.group(1).strip()


def cache_root() -> Path:
    return Path(os.environ.get("CHORUS_CACHE") or Path.home() / ".cache" / "chorus")


def java() -> str:
    """The machine's java (``$JAVA_HOME/bin/java`` first); Kafka 4 needs Java 17 or newer."""
    home = os.environ.get("JAVA_HOME")
    if home and (Path(home) / "bin" / "java").exists():
        return str(Path(home) / "bin" / "java")
    found = shutil.which("java")
    if found is None:
        raise RuntimeError("no `java` on PATH (Apache Kafka 4 needs Java 17+): install a JDK")
    return found


def kafka_libs(pom: Path = POM, *, timeout_s: float = 600.0) -> Path:
    """The directory of Kafka's jars (a classpath of ``<dir>/*``), fetched on first use."""
    digest = hashlib.sha256(pom.read_bytes()).hexdigest()[:10]
    home = cache_root() / f"kafka-{kafka_version(pom)}-{digest}"
    libs = home / "libs"
    if (home / _DONE).exists():
        return libs
    home.mkdir(parents=True, exist_ok=True)
    # One fetch at a time: parallel test sessions wait for the first one's jars.
    with open(home / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (home / _DONE).exists():
            return libs
        mvn = shutil.which("mvn")
        if mvn is None:
            raise RuntimeError("no `mvn` on PATH: Maven fetches Apache Kafka (install maven)")
        staging = Path(tempfile.mkdtemp(prefix="libs-", dir=home))
        result = subprocess.run(
            [
                mvn,
                "-q",
                "-B",
                "-f",
                str(pom),
                "dependency:copy-dependencies",
                f"-DoutputDirectory={staging}",
                "-DincludeScope=runtime",
            ],
            capture_output=True,
            text=True,
            timeout=timeout_s,
            check=False,
        )
        if result.returncode != 0 or not any(staging.glob("kafka_2.13-*.jar")):
            shutil.rmtree(staging, ignore_errors=True)
            output = (result.stdout + result.stderr)[-3000:]
            raise RuntimeError(f"Maven could not fetch Apache Kafka:\n{output}")
        with contextlib.suppress(FileNotFoundError):
            shutil.rmtree(libs)
        staging.rename(libs)
        (home / _DONE).write_text(kafka_version(pom) + "\n")
    return libs
