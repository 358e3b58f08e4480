"""One request of a command to a service's API: the JSON answer, or why there is none."""

from __future__ import annotations

import sys
from typing import Any

import httpx

UNREACHABLE = 2
REFUSED = 1


def call_api(
    client: httpx.Client,
    method: str,
    path: str,
    *,
    token: str,
    command: str,
    service: str,
    body: dict[str, Any] | None = None,
) -> dict[str, Any] | int:
    """The service's JSON answer (``client`` is closed after); else, said in one line on
    stderr, the exit code: UNREACHABLE when the service cannot be reached, REFUSED when it
    answers with an error."""
    try:
        with client:
            r = client.request(
                method, path, json=body, headers={"Authorization": f"Bearer {token}"}
            )
    except httpx.HTTPError as exc:
        where = str(client.base_url).rstrip("/")
        print(f"chorus {command}: cannot reach {service} at {where}: {exc}", file=sys.stderr)
        return UNREACHABLE
    if r.status_code >= 300:
        print(f"chorus {command}: {service} refused ({r.status_code}): {r.text}", file=sys.stderr)
        return REFUSED
    answer: dict[str, Any] = r.json()
    return answer
