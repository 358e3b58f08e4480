from __future__ import annotations

from typing import TYPE_CHECKING

from chorus_common.startup import run_service

from chorus_responder.settings import ResponderSettings

if TYPE_CHECKING:
    from fastapi import FastAPI


def build_app(settings: ResponderSettings) -> FastAPI:
    from chorus_responder.app import create_app  # after the settings are known to be valid

    return create_app(settings)


def main() -> None:
    run_service(ResponderSettings, build_app)


if __name__ == "__main__":
    main()
