"""Settings shared by every service (pydantic-settings, read from the environment)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr, ValidationInfo, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from chorus_common.addresses import (
    check_database_url,
    check_host,
    parse_bootstrap,
    parse_origins,
)
from chorus_common.priority import parse_cpus
from chorus_common.secrets_check import url_password, weakness

DEV_TOKEN_SECRET = "chorus-development-secret-change-me-0123456789"
# The least estimated entropy of a production secret (secrets_check): 32 random hex
# characters score 90 bits or more, a 64-character one about 250; 12 random characters of a
# database password 30 or more.
TOKEN_SECRET_BITS = 80.0
DATABASE_PASSWORD_BITS = 28.0
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
# Signature algorithms an OpenID provider's access tokens may use: public-key ones only (a
# shared-secret algorithm would let anyone holding the provider's "public" key mint tokens).
OIDC_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512")

# The smallest value of each number setting. Checked by a validator, not Field(ge=...): a
# service that redeclares a field to change its default would drop Field constraints, while
# validators are inherited by field name.
AT_LEAST: dict[str, float] = {
    "port": 1,
    "kafka_linger_ms": 0,
    "kafka_fetch_max_wait_ms": 0,
    "kafka_max_batch_bytes": 1,
    "kafka_session_timeout_ms": 1,
    "kafka_heartbeat_interval_ms": 1,
    "kafka_max_poll_records": 1,
    "kafka_consume_gather_ms": 0,
    "topic_partitions": 1,
    "topic_replication_factor": 1,
    "max_body_bytes": 1,
    "rate_limit_per_minute": 1,
    "outbox_poll_seconds": 0.001,
    "dependency_wait_seconds": 0,
}


class CommonSettings(BaseSettings):
    """Environment variables every service understands; services subclass to add their own."""

    # Inputs stay out of validation errors: they hold secrets (a database URL's password).
    model_config = SettingsConfigDict(
        env_prefix="", extra="ignore", frozen=True, hide_input_in_errors=True
    )

    service_name: str = "chorus"
    environment: Literal["development", "test", "production"] = "development"
    host: str = "127.0.0.1"
    port: int = 8000
    database_url: str = ""
    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    # auto: on wherever the broker grants it, off only on the embedded broker (outside
    # production); see chorus_common.messaging.bus.capabilities.
    kafka_enable_idempotence: Literal["auto"] | bool = "auto"
    kafka_acks: Literal["all", "1", "0"] = "all"
    # 0: a relay's events leave at once (aiokafka still batches what queues behind an
    # in-flight request); latency over webhook throughput, see docs/performance.md.
    kafka_linger_ms: int = 0
    kafka_fetch_max_wait_ms: int = 20
    # Producer batch per partition. aiokafka's 16 KiB default holds ~8 case events: the relay
    # then waits for a broker round trip every few records. Below the brokers' 1 MB default
    # message.max.bytes.
    kafka_max_batch_bytes: int = 524_288
    kafka_session_timeout_ms: int = 6000
    kafka_heartbeat_interval_ms: int = 1000
    kafka_max_poll_records: int = 500
    # A consumer that fetched fewer than max_poll_records waits this long for more before
    # handling them (0: handle at once): fewer, larger batches for a bounded added latency.
    kafka_consume_gather_ms: int = 0
    kafka_compression: Literal["none", "gzip", "lz4", "zstd", "snappy"] = "none"
    topic_partitions: int = 4
    topic_replication_factor: int = 1
    # Checked even when unset: the development default is refused in production.
    token_secret: SecretStr = Field(default=SecretStr(DEV_TOKEN_SECRET), validate_default=True)
    token_issuer: str = "chorus"
    # Sign-in with the organization's OpenID provider (chorus_common.oidc); empty: off.
    oidc_issuer: str = ""
    oidc_audience: str = "urn:chorus:api"
    oidc_algorithms: str = "RS256,ES256"
    oidc_leeway_seconds: float = Field(default=30.0, ge=0, le=300)
    oidc_timeout_seconds: float = Field(default=5.0, gt=0, le=60)
    # The router owns the directory: the other services ask it who a token's member is
    # (chorus_common.members). Empty: no directory (outside production only).
    router_url: str = "http://127.0.0.1:8002"
    directory_timeout_seconds: float = Field(default=5.0, gt=0, le=60)
    log_level: str = "INFO"
    log_json: bool = True
    max_body_bytes: int = 1_048_576
    rate_limit_per_minute: int = 6000
    # Browser origins allowed to call the API (CORS), exact and comma-separated:
    # "https://console.example.com,http://127.0.0.1:8080". Empty: no CORS headers at all.
    cors_allow_origins: str = ""
    # FastAPI's own OpenTelemetry instrumentation. Off: no request asks the OpenTelemetry API
    # for providers we never configure; on, it traces once an OpenTelemetry SDK is configured.
    http_otel: bool = False
    outbox_poll_seconds: float = 1.0
    # Consumers relay the events a batch staged before fetching the next batch (instead of
    # leaving it to the relay task, which runs only once the next unit of work yields).
    outbox_relay_after_batch: bool = True
    # SQLite: checkpoint the WAL from a background thread this often instead of inline in
    # the commit that fills it (0 = SQLite's inline auto-checkpoint every 1,000 pages).
    sqlite_checkpoint_seconds: float = Field(default=0.5, ge=0)
    # Freeze what start-up built out of the cyclic GC and collect its first generation less
    # often (chorus_common.startup.tune_gc); off: the interpreter's defaults.
    gc_tune: bool = True
    # SQLite (chorus_common.persistence.sqlite_fast): one trip to the driver's thread per
    # statement, and bulk writes as plain tuples; off: SQLAlchemy's aiosqlite adapter for all.
    sqlite_fast_path: bool = True
    consumer_enabled: bool = True
    migrate_on_start: bool = True
    # Start-up retries an unreachable database or broker (each) with back-off for this long,
    # then exits naming it; SIGTERM stops the wait at once. See chorus_common.dependencies.
    dependency_wait_seconds: float = 60.0
    # Lower CPU priority (0-19) when the services share a machine's cores: the services off
    # the routing path (analytics, responder) default to 10. See chorus_common.priority.
    cpu_nice: int = Field(default=0, ge=0, le=19)
    # Pin the process to these CPUs ("0", "1,3", "0-2"; empty: the scheduler's choice). `chorus
    # run` gives ingest and the router a core each. See chorus_common.priority.
    cpu_affinity: str = Field(default="", pattern=r"^\s*(\d+(-\d+)?(\s*,\s*\d+(-\d+)?)*)?\s*$")

    @field_validator(*AT_LEAST)
    @classmethod
    def _at_least(cls, value: float, info: ValidationInfo) -> float:
        low = AT_LEAST[str(info.field_name)]
        if value < low:
            raise ValueError(f"must be at least {low:g}")
        if info.field_name == "port" and value > 65535:
            raise ValueError("must be at most 65535")
        return value

    @field_validator("kafka_bootstrap_servers")
    @classmethod
    def _bootstrap_is_host_port_list(cls, value: str) -> str:
        parse_bootstrap(value)
        return value

    @field_validator("database_url")
    @classmethod
    def _database_url_names_a_supported_database(cls, value: str) -> str:
        return check_database_url(value) if value else value  # empty: the SQLite default

    @field_validator("host")
    @classmethod
    def _host_is_an_address(cls, value: str) -> str:
        return check_host(value)

    @field_validator("log_level")
    @classmethod
    def _log_level_is_known(cls, value: str) -> str:
        if value.upper() not in LOG_LEVELS:
            raise ValueError(f"expected one of {', '.join(LOG_LEVELS)}")
        return value.upper()

    @field_validator("cors_allow_origins")
    @classmethod
    def _cors_origins_are_exact(cls, value: str) -> str:
        parse_origins(value)
        return value

    @field_validator("cpu_affinity")
    @classmethod
    def _cpu_ranges_run_forwards(cls, value: str) -> str:
        parse_cpus(value)  # a range such as "3-1" is refused here, not at start-up
        return value

    @model_validator(mode="after")
    def _refuse_production_without_idempotence(self) -> CommonSettings:
        if self.environment == "production" and self.kafka_enable_idempotence is False:
            raise ValueError(
                "KAFKA_ENABLE_IDEMPOTENCE=false is refused when ENVIRONMENT=production "
                "(leave it auto, or true)"
            )
        return self

    @field_validator("oidc_algorithms")
    @classmethod
    def _oidc_algorithms_are_asymmetric(cls, value: str) -> str:
        names = [a.strip() for a in value.split(",") if a.strip()]
        bad = [a for a in names if a not in OIDC_ALGORITHMS]
        if not names or bad:
            raise ValueError(
                f"{', '.join(bad) or 'nothing'} refused: expected some of "
                f"{', '.join(OIDC_ALGORITHMS)} (public-key algorithms only)"
            )
        return ",".join(names)

    @field_validator("oidc_issuer")
    @classmethod
    def _oidc_issuer_is_a_url(cls, value: str, info: ValidationInfo) -> str:
        value = value.strip()
        secure = value.startswith("https://") or (
            value.startswith("http://") and info.data.get("environment") != "production"
        )
        if value and not secure:
            raise ValueError("must be the provider's https:// URL (http:// outside production)")
        return value

    @model_validator(mode="after")
    def _production_has_a_directory(self) -> CommonSettings:
        if self.oidc_issuer and self.oidc_issuer == self.token_issuer:
            raise ValueError("OIDC_ISSUER must differ from TOKEN_ISSUER (whose tokens are HS256)")
        if self.environment == "production" and not self.router_url.strip():
            raise ValueError(
                "ROUTER_URL is required when ENVIRONMENT=production: tokens naming a member "
                "are checked against the router's directory"
            )
        return self

    @field_validator("token_secret")
    @classmethod
    def _token_secret_unguessable_in_production(
        cls, value: SecretStr, info: ValidationInfo
    ) -> SecretStr:
        if info.data.get("environment") == "production":
            why = weakness(value.get_secret_value(), min_length=32, min_bits=TOKEN_SECRET_BITS)
            if why is not None:
                raise ValueError(
                    f"TOKEN_SECRET {why}: set at least 32 random characters "
                    "(openssl rand -hex 32) when ENVIRONMENT=production"
                )
        return value

    @field_validator("database_url")
    @classmethod
    def _database_password_unguessable_in_production(cls, value: str, info: ValidationInfo) -> str:
        password = url_password(value)
        if info.data.get("environment") == "production" and password is not None:
            why = weakness(password, min_length=12, min_bits=DATABASE_PASSWORD_BITS)
            if why is not None:
                raise ValueError(
                    f"DATABASE_URL: its password {why}: set a random one "
                    "when ENVIRONMENT=production"
                )
        return value

    def cors_origins(self) -> tuple[str, ...]:
        """CORS_ALLOW_ORIGINS as a tuple of origins (empty: CORS off)."""
        return parse_origins(self.cors_allow_origins)

    def oidc_algorithm_list(self) -> list[str]:
        return self.oidc_algorithms.split(",")

    def effective_database_url(self) -> str:
        """DATABASE_URL, or the embedded default: one SQLite file per service under var/."""
        return self.database_url or f"sqlite+aiosqlite:///var/{self.service_name}.db"
