"""Settings shared by every service (pydantic-settings, read from the environment)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr, ValidationInfo, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from chorus_common.addresses import check_database_url, check_host, parse_bootstrap
from chorus_common.priority import parse_cpus

DEV_TOKEN_SECRET = "chorus-development-secret-change-me-0123456789"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")

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

    model_config = SettingsConfigDict(env_prefix="", extra="ignore", frozen=True)

    service_name: str = "chorus"
    environment: Literal["development", "test", "production"] = "development"
    host: str = "127.0.0.1"
    port: int = 8000
    database_url: str = ""
    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    # auto: on wherever the broker grants it, off only on the embedded broker (outside
    # production); see chorus_common.bus.capabilities.
    kafka_enable_idempotence: Literal["auto"] | bool = "auto"
    kafka_acks: Literal["all", "1", "0"] = "all"
    # 0: a relay's events leave at once; aiokafka still batches what queues behind an
    # in-flight request. 5 ms cost 17 ms of p50 latency at 100 posts/s; it saves ~15 % of
    # the CPU of one-post webhooks (fewer, larger produce requests). See README.
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
    token_secret: SecretStr = SecretStr(DEV_TOKEN_SECRET)
    token_issuer: str = "chorus"
    log_level: str = "INFO"
    log_json: bool = True
    max_body_bytes: int = 1_048_576
    rate_limit_per_minute: int = 6000
    # FastAPI's own OpenTelemetry instrumentation. Off: every request otherwise asks the
    # OpenTelemetry API whether a tracer, meter or logger provider is set (~14 µs a request,
    # docs/performance.md, tenth pass); on, it traces once an OpenTelemetry SDK is configured.
    http_otel: bool = False
    outbox_poll_seconds: float = 1.0
    # Consumers relay the events a batch staged before fetching the next batch (instead of
    # leaving it to the relay task, which runs only once the next unit of work yields).
    outbox_relay_after_batch: bool = True
    # SQLite: checkpoint the WAL from a background thread this often instead of inline in
    # the commit that fills it (0 = SQLite's inline auto-checkpoint every 1,000 pages).
    sqlite_checkpoint_seconds: float = Field(default=0.5, ge=0)
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

    @model_validator(mode="after")
    def _refuse_default_secret_outside_development(self) -> CommonSettings:
        if self.environment == "production":
            secret = self.token_secret.get_secret_value()
            if secret == DEV_TOKEN_SECRET or len(secret) < 32:
                raise ValueError(
                    "TOKEN_SECRET must be set to a random value of at least 32 characters "
                    "when ENVIRONMENT=production"
                )
        return self

    def effective_database_url(self) -> str:
        """DATABASE_URL, or the embedded default: one SQLite file per service under var/."""
        return self.database_url or f"sqlite+aiosqlite:///var/{self.service_name}.db"
