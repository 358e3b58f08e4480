from __future__ import annotations

from typing import TYPE_CHECKING

from chorus_common.startup import run_service

from chorus_ingest.settings import IngestSettings

if TYPE_CHECKING:
    from fastapi import FastAPI


def build_app(settings: IngestSettings) -> FastAPI:
    from chorus_ingest.app import create_app  # after the settings are known to be valid

    return create_app(settings)


def warm_up(_settings: IngestSettings) -> None:
    from chorus_signals import warm_up

    warm_up()  # load the language models before the first request, not during it


def main() -> None:
    run_service(IngestSettings, build_app, prepare=warm_up)


if __name__ == "__main__":
    main()
