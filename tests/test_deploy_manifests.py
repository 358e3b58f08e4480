"""Deployment files match the code: services, ports, commands, env vars and probe paths."""

from __future__ import annotations

import importlib
import importlib.util
from pathlib import Path
from typing import Any

import pytest
import yaml
from chorus_cli.main import build_parser
from chorus_cli.procs import SERVICES

pytestmark = pytest.mark.unit
DEPLOY = Path(__file__).resolve().parent.parent / "deploy"


def _settings_fields(service: str) -> set[str]:
    mod = importlib.import_module(f"chorus_{service}.settings")
    settings = mod.get_settings()
    return {name.upper() for name in type(settings).model_fields}


def _routes(service: str) -> set[str]:
    app_mod = importlib.import_module(f"chorus_{service}.app")
    settings = importlib.import_module(f"chorus_{service}.settings").get_settings()
    app = app_mod.create_app(settings)
    return set(app.openapi()["paths"])


def _compose() -> dict[str, Any]:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())


def _k8s() -> list[dict[str, Any]]:
    docs: list[dict[str, Any]] = []
    for f in sorted((DEPLOY / "k8s").glob("*.yaml")):
        docs += [d for d in yaml.safe_load_all(f.read_text()) if d]
    return docs


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_compose_runs_each_service_on_its_port_with_known_settings(service: str) -> None:
    spec = _compose()["services"][service]
    assert spec["command"] == ["python", "-m", f"chorus_{service}"]
    assert importlib.util.find_spec(f"chorus_{service}.__main__") is not None
    env = spec["environment"]
    assert int(env["PORT"]) == SERVICES[service]
    assert spec["ports"] == [f"{SERVICES[service]}:{SERVICES[service]}"]
    unknown = set(env) - _settings_fields(service)
    assert not unknown, f"compose sets variables {service} does not read: {unknown}"
    probe = " ".join(spec["healthcheck"]["test"])
    assert f":{SERVICES[service]}/readyz" in probe
    assert "/readyz" in _routes(service)


def test_compose_kafka_is_three_kraft_brokers_with_rf3_and_min_isr_2() -> None:
    services = _compose()["services"]
    brokers = [n for n in services if n.startswith("kafka-")]
    assert len(brokers) == 3
    for name in brokers:
        env = services[name]["environment"]
        assert env["KAFKA_PROCESS_ROLES"] == "broker,controller"
        assert int(env["KAFKA_DEFAULT_REPLICATION_FACTOR"]) == 3
        assert int(env["KAFKA_MIN_INSYNC_REPLICAS"]) == 2
    env = services["router"]["environment"]
    assert env["KAFKA_ENABLE_IDEMPOTENCE"] == "true"
    assert env["KAFKA_ACKS"] == "all"
    assert services["topics"]["command"] == ["chorus", "topics"]


def test_cli_commands_used_by_deploy_jobs_exist() -> None:
    parser = build_parser()
    for argv in (["topics"], ["migrate", "--service", "router"]):
        args = parser.parse_args(argv)
        assert callable(args.func)


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_k8s_deployment_probes_ports_and_env_match_the_code(service: str) -> None:
    docs = _k8s()
    dep = next(
        d
        for d in docs
        if d["kind"] == "Deployment" and d["metadata"]["name"] == f"chorus-{service}"
    )
    container = dep["spec"]["template"]["spec"]["containers"][0]
    port = SERVICES[service]
    assert container["command"] == ["python", "-m", f"chorus_{service}"]
    assert container["ports"][0]["containerPort"] == port
    assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": port}
    assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": port}
    assert {"/readyz", "/healthz", "/metrics"} <= _routes(service)
    assert container["resources"]["requests"]["cpu"]
    fields = _settings_fields(service)
    assert {e["name"] for e in container["env"]} <= fields
    config = next(d for d in docs if d["kind"] == "ConfigMap")
    assert set(config["data"]) <= fields, set(config["data"]) - fields
    assert dep["spec"]["replicas"] <= int(config["data"]["TOPIC_PARTITIONS"])
    pdbs = [
        d
        for d in docs
        if d["kind"] == "PodDisruptionBudget" and d["metadata"]["name"] == f"chorus-{service}"
    ]
    assert (
        pdbs
        and pdbs[0]["spec"]["selector"]["matchLabels"] == dep["spec"]["selector"]["matchLabels"]
    )
    svc = next(
        d for d in docs if d["kind"] == "Service" and d["metadata"]["name"] == f"chorus-{service}"
    )
    assert svc["spec"]["ports"][0]["targetPort"] == port


def test_k8s_migration_job_migrates_every_service() -> None:
    job = next(
        d for d in _k8s() if d["kind"] == "Job" and d["metadata"]["name"] == "chorus-migrate"
    )
    commands = [c["command"] for c in job["spec"]["template"]["spec"]["initContainers"]]
    assert sorted(commands) == sorted(["chorus", "migrate", "--service", s] for s in SERVICES)


def test_dockerfile_copies_paths_that_exist() -> None:
    root = DEPLOY.parent
    for line in (DEPLOY / "docker" / "Dockerfile").read_text().splitlines():
        if line.startswith("COPY ") and "--from" not in line:
            for src in line.split()[1:-1]:
                assert (root / src).exists(), src


def test_prometheus_scrapes_every_compose_service_and_grafana_paths_match_compose() -> None:
    compose = _compose()["services"]
    prom = yaml.safe_load((DEPLOY / "prometheus" / "prometheus.yml").read_text())
    targets = {
        t for job in prom["scrape_configs"] for sc in job["static_configs"] for t in sc["targets"]
    }
    assert targets == {f"{name}:{port}" for name, port in SERVICES.items()}
    assert set(SERVICES) <= set(compose)
    mounts = dict(v.split(":")[:2] for v in compose["grafana"]["volumes"])
    provider = yaml.safe_load(
        (DEPLOY / "grafana" / "provisioning" / "dashboards" / "chorus.yaml").read_text()
    )
    assert provider["providers"][0]["options"]["path"] == mounts["./grafana/dashboards"]
    # Rule files are relative to prometheus.yml, which compose mounts with its directory.
    prom_mount = dict(v.split(":")[:2] for v in compose["prometheus"]["volumes"])["./prometheus"]
    config_arg = next(a for a in compose["prometheus"]["command"] if "--config.file=" in a)
    assert config_arg == f"--config.file={prom_mount}/prometheus.yml"
    for rule_file in prom["rule_files"]:
        assert not rule_file.startswith("/"), rule_file
        assert (DEPLOY / "prometheus" / rule_file).exists()
