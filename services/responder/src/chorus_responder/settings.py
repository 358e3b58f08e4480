"""Responder settings."""

from __future__ import annotations

from chorus_common.settings import CommonSettings


class ResponderSettings(CommonSettings):
    service_name: str = "responder"
    port: int = 8003


def get_settings() -> ResponderSettings:
    return ResponderSettings()
