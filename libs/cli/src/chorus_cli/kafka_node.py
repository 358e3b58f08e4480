"""One Apache Kafka 4 KRaft node (broker and controller) as a JVM of the machine's java.

Its directory holds its config, its data and its log; killed or stopped, it starts again on
its data. chorus_cli.kafka_server builds nodes into a cluster and formats their storage.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from dataclasses import dataclass
from pathlib import Path

from chorus_cli.embedded import wait_for_port
from chorus_cli.kafka_jars import java

# A small heap and the serial collector: test brokers carry little, and the machine has few
# cores (the serial collector runs no background GC threads).
DEFAULT_JVM_OPTS: tuple[str, ...] = (
    "-Xms128m",
    "-Xmx512m",
    "-XX:+UseSerialGC",
    "-XX:TieredStopAtLevel=1",
    "-Djava.awt.headless=true",
)

LOG4J = """\
rootLogger.level = WARN
rootLogger.appenderRef.out.ref = OUT
appender.out.type = Console
appender.out.name = OUT
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = [%d] %p %m (%c)%n
logger.server.name = kafka.server.KafkaRaftServer
logger.server.level = INFO
"""


@dataclass
class KafkaNode:
    """One KRaft node (broker and controller); ``home`` holds its config, data and log."""

    node_id: int
    port: int
    controller_port: int
    home: Path
    libs: Path
    jvm_opts: tuple[str, ...] = DEFAULT_JVM_OPTS
    proc: subprocess.Popen[bytes] | None = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def config(self) -> Path:
        return self.home / "server.properties"

    @property
    def log_path(self) -> Path:
        return self.home / "kafka.log"

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def command(self, main: str, *args: str) -> list[str]:
        return [
            java(),
            *self.jvm_opts,
            f"-Dlog4j2.configurationFile={self.home / 'log4j2.properties'}",
            "-cp",
            f"{self.libs}/*",
            main,
            *args,
        ]

    def start(self) -> None:
        """Start the node's JVM on its data (formatted before); returns once it listens."""
        self.spawn()
        self.wait_listening()

    def spawn(self) -> None:
        """Start the JVM and return at once (a cluster's nodes listen once a quorum forms)."""
        if self.alive():
            return
        with open(self.log_path, "ab") as out:
            self.proc = subprocess.Popen(
                self.command("kafka.Kafka", str(self.config)),
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_listening(self) -> None:
        try:
            wait_for_port(self.port, timeout_s=90)
        except TimeoutError as exc:
            self.kill()
            raise RuntimeError(f"Kafka node {self.node_id} did not listen: {self.tail()}") from exc

    def kill(self) -> None:
        """SIGKILL: the node dies without a word, as in a crash (its data stays on disk)."""
        self.send_signal(signal.SIGKILL)
        if self.proc is not None:
            self.proc.wait(30)

    def stop(self, timeout_s: float = 60.0) -> None:
        """SIGTERM: a controlled shutdown (leadership handed over), then SIGKILL at the deadline."""
        if not self.alive():
            return
        self.send_signal(signal.SIGTERM)
        assert self.proc is not None
        try:
            self.proc.wait(timeout_s)
        except subprocess.TimeoutExpired:
            self.kill()

    def send_signal(self, sig: signal.Signals) -> None:
        if self.proc is not None and self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, sig)

    def tail(self, chars: int = 3000) -> str:
        return self.log_path.read_text(errors="replace")[-chars:] if self.log_path.exists() else ""
