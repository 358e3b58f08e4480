"""The development identity provider: `tools/oidc` (npm `oidc-provider`) started on a port.

`chorus run` starts one whose users are the demo directory's members; the tests start their
own. It needs `node` and `npm`; its packages are installed by `npm ci` on first use.
"""

from __future__ import annotations

import json
import select
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Self

from chorus_cli.npm import npm_ci

ROOT = Path(__file__).resolve().parents[4]
TOOL = ROOT / "tools" / "oidc"
DEFAULT_AUDIENCE = "urn:chorus:api"


class DevIdPError(RuntimeError):
    """The identity provider could not be installed or started."""


@dataclass(frozen=True)
class IdPUser:
    sub: str
    email: str
    password: str
    name: str | None = None


@dataclass(frozen=True)
class IdPClient:
    client_id: str
    redirect_uris: tuple[str, ...]
    post_logout_redirect_uris: tuple[str, ...] = ()
    client_secret: str | None = None
    # Tokens this client gets carry this audience instead of the provider's (another tenant).
    audience: str | None = None
    access_token_ttl: int | None = None


def install() -> None:
    """`npm ci` in tools/oidc unless its packages are there already."""
    try:
        npm_ci(TOOL, TOOL / "node_modules" / "oidc-provider", "the development identity provider")
    except RuntimeError as exc:
        raise DevIdPError(str(exc)) from None


@dataclass
class DevIdP:
    """One running provider; ``issuer`` is its URL (``http://127.0.0.1:PORT``)."""

    port: int
    workdir: Path
    users: list[IdPUser]
    clients: list[IdPClient]
    audience: str = DEFAULT_AUDIENCE
    access_token_ttl: int = 600
    signing_alg: str = "RS256"
    keys_file: Path | None = None
    _proc: subprocess.Popen[str] | None = field(default=None, init=False, repr=False)

    @property
    def issuer(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def config(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "audience": self.audience,
            "access_token_ttl": self.access_token_ttl,
            "signing_alg": self.signing_alg,
            "keys_file": str(self.keys_file or self.workdir / "idp-keys.json"),
            "clients": [
                {k: list(v) if isinstance(v, tuple) else v for k, v in vars(c).items() if v}
                for c in self.clients
            ],
            "users": [{k: v for k, v in vars(u).items() if v} for u in self.users],
        }

    def start(self, timeout: float = 30.0) -> Self:
        install()
        node = shutil.which("node")
        if node is None:
            raise DevIdPError("node is needed to run the development identity provider")
        self.workdir.mkdir(parents=True, exist_ok=True)
        path = self.workdir / "idp-config.json"
        path.write_text(json.dumps(self.config()), encoding="utf-8")
        path.chmod(0o600)
        with (self.workdir / "idp.log").open("a", encoding="utf-8") as log:
            self._proc = subprocess.Popen(
                [node, str(TOOL / "server.mjs"), str(path)],
                stdout=subprocess.PIPE,
                stderr=log,
                text=True,
            )
        assert self._proc.stdout is not None
        # The provider prints one line once it listens; wait for it, never beyond ``timeout``.
        ready, _, _ = select.select([self._proc.stdout], [], [], timeout)
        line = self._proc.stdout.readline() if ready else ""
        if not line.startswith("ready "):
            self.stop()
            raise DevIdPError(f"identity provider did not start (see {self.workdir}/idp.log)")
        return self

    def rotate_keys(self) -> None:
        """Restart with fresh signing keys (new ``kid``s): a key rotation."""
        self.stop()
        (self.keys_file or self.workdir / "idp-keys.json").unlink(missing_ok=True)
        self.start()

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
