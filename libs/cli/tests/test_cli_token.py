"""`chorus token create --member X` asks the router's directory before minting."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from chorus_cli.main import main
from chorus_common.auth import verify_token
from chorus_common.embedded import free_port
from chorus_common.settings import DEV_TOKEN_SECRET
from chorus_router.app import create_app
from chorus_router.settings import RouterSettings

from tests.support.fixtures import FAST_KAFKA_ENV, auth
from tests.support.serve import served

pytestmark = pytest.mark.integration


async def _token(capsys: Any, *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = await asyncio.to_thread(main, ["token", "create", *argv])
    out, err = capsys.readouterr()
    return code, out.strip(), err


async def test_a_member_token_needs_the_member_in_the_directory(
    memory_broker, sqlite_url, capsys
) -> None:
    app = create_app(RouterSettings(database_url=sqlite_url, **FAST_KAFKA_ENV), bus=memory_broker)
    async with served(app) as router:
        code, out, err = await _token(capsys, "--role", "agent", "--member", "alice",
                                      "--router-url", router)  # fmt: skip
        assert (code, out) == (1, "")
        assert "has no member 'alice'" in err and "no token minted" in err
        code, out, _ = await _token(capsys, "--role", "agent", "--member", "lena",
                                    "--team", "legal", "--router-url", router)  # fmt: skip
        assert code == 0
        assert verify_token(DEV_TOKEN_SECRET, out).member_id == "lena"
        async with httpx.AsyncClient(base_url=router) as client:
            await client.delete("/v1/members/lena", headers=auth("admin"))
        code, out, err = await _token(capsys, "--role", "agent", "--member", "lena",
                                      "--router-url", router)  # fmt: skip
        assert (code, out) == (1, "") and "deactivated" in err


async def test_an_unreachable_router_is_said_and_the_token_still_minted(capsys) -> None:
    nowhere = f"http://127.0.0.1:{free_port()}"
    code, out, err = await _token(capsys, "--role", "agent", "--member", "alice",
                                  "--router-url", nowhere)  # fmt: skip
    assert code == 0 and verify_token(DEV_TOKEN_SECRET, out).member_id == "alice"
    assert f"could not check member 'alice': the router at {nowhere} did not answer" in err
