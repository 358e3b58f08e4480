"""The Node packages a folder of the repository pins (package-lock.json), installed on first use."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path


def npm_ci(folder: Path, installed: Path, purpose: str) -> None:
    """`npm ci` in ``folder`` unless ``installed`` exists; RuntimeError when npm is missing."""
    if installed.exists():
        return
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError(f"npm is needed to install {purpose}")
    subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=folder,
        check=True,
        timeout=300,
    )
