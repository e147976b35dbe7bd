"""docker-compose.yml, checked by reading it (no Docker engine here): its services, ports,
volumes, health checks and commands against the code's CLI, settings and the broker
configuration that provisioning generates."""

from __future__ import annotations

import re
import shlex
import tomllib
from pathlib import Path

import pytest
import yaml

from hub import create_app
from hub.config import HubSettings
from provisioning.cli import main as provision

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def _command(service) -> list[str]:
    cmd = service["command"]
    if cmd[:2] == ["sh", "-c"]:
        return shlex.split(cmd[2].replace("&&", ";").split(";")[-1].replace("exec ", ""))
    return cmd


def test_services_ports_and_volumes(compose):
    services = compose["services"]
    assert set(services) == {
        "mosquitto",
        "postgres",
        "hub-web",
        "hub-ingest",
        "hub-scheduler",
        "kiosk-sim",
    }
    assert services["mosquitto"]["ports"] == ["8883:8883"]  # TLS only, no 1883
    assert services["hub-web"]["ports"] == ["5000:5000"]
    assert "ports" not in services["postgres"]  # the database stays inside
    named = set(compose["volumes"])
    for name, service in services.items():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if not source.startswith((".", "/", "$")):
                assert source in named, (name, source)
    for name in ("mosquitto", "postgres", "hub-web"):
        assert services[name]["healthcheck"]["test"], name
    assert services["hub-ingest"]["deploy"]["replicas"] >= 2
    assert services["hub-ingest"]["environment"]["SMARTCARE_MQTT_SHARED"] == "true"
    for name in ("hub-web", "hub-ingest", "hub-scheduler"):
        depends = services[name]["depends_on"]
        assert all(v["condition"] == "service_healthy" for v in depends.values())


def test_commands_exist_in_the_code(compose, app):
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    hub_commands = set(app.cli.list_commands(None)) | {"run"}
    for name in ("hub-web", "hub-ingest", "hub-scheduler"):
        cmd = _command(compose["services"][name])
        assert cmd[0] in scripts and cmd[1] in hub_commands, cmd
    web = compose["services"]["hub-web"]["command"][2]
    assert web.startswith("smartcare-hub init-db &&")  # migrations before the server
    from hub.cli import cli

    run = cli.get_command(None, "run")
    options = {opt for p in run.params for opt in p.opts}
    for flag in re.findall(r"--[a-z-]+", web):
        assert flag in options, flag
    kiosk = compose["services"]["kiosk-sim"]["command"]
    assert kiosk[:2] == ["smartcare-kiosk", "run"] and "smartcare-kiosk" in scripts
    from edge_device.cli import main as kiosk_main

    with pytest.raises(SystemExit) as parsed:  # --help proves the flags parse
        kiosk_main([*kiosk[1:], "--help"])
    assert parsed.value.code == 0


def test_environment_names_are_real_settings(compose):
    fields = {f"SMARTCARE_{name.upper()}" for name in HubSettings.model_fields}
    anchor = compose["x-hub-env"]
    for name, service in compose["services"].items():
        env = service.get("environment", {})
        if isinstance(env, dict) and name.startswith("hub-"):
            for key in env:
                assert key in fields, (name, key)
    assert anchor["SMARTCARE_MQTT_URL"].startswith("mqtts://")
    assert "${POSTGRES_PASSWORD:?" in anchor["SMARTCARE_DATABASE_URL"]  # no password here


def test_broker_config_matches_the_mounts(compose, tmp_path, monkeypatch):
    """Render mosquitto.conf as the compose header says, and check that every path in it is
    inside what the mosquitto service mounts."""
    monkeypatch.setenv("SMARTCARE_DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    root = tmp_path / "provisioning"
    assert provision(["--root", str(root), "ca", "init", "--broker-host", "mosquitto"]) == 0
    out = tmp_path / "mosquitto.conf"
    assert (
        provision(
            [
                "--root",
                str(root),
                "broker",
                "config",
                "--paths-prefix",
                "/smartcare",
                "--data-dir",
                "/mosquitto/data",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    mounts = [v.split(":")[1] for v in compose["services"]["mosquitto"]["volumes"]]
    text = out.read_text()
    for key in (
        "password_file",
        "acl_file",
        "cafile",
        "certfile",
        "keyfile",
        "persistence_location",
    ):
        path = re.search(rf"^{key} (\S+)$", text, re.M).group(1)
        assert any(path.startswith(m) for m in mounts), (key, path)
    assert "listener 8883" in text and "allow_anonymous false" in text
    assert "max_queued_messages 0" in text
    # the broker certificate names the host the services use
    from cryptography import x509

    cert = x509.load_pem_x509_certificate((root / "pki" / "broker.crt").read_bytes())
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert "mosquitto" in names.get_values_for_type(x509.DNSName)


def test_app_builds_from_the_compose_environment(compose, monkeypatch, tmp_path):
    env = dict(compose["x-hub-env"])
    env["SMARTCARE_DATABASE_URL"] = f"sqlite:///{tmp_path / 'c.db'}"
    env["SMARTCARE_SECRET_KEY"] = "test"
    env["SMARTCARE_UPLOAD_DIR"] = str(tmp_path / "up")
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    app = create_app()
    assert app.config["MQTT_URL"].startswith("mqtts://smartcare-hub@mosquitto")
    assert app.config["MQTT_CLIENT_ID"].startswith("smartcare-hub-ingest-")
