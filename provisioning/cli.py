"""``smartcare-provision``: CA and broker set-up, device identities and bundles, revocation.

Everything lives under one provisioning root (``--root``, or SMARTCARE_PROVISION_ROOT,
default ./provisioning-data): keep it on the admin's machine, backed up, never in git.
The hub is reached through its database (SMARTCARE_DATABASE_URL).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from datetime import UTC, datetime
from pathlib import Path

from protocol import generate_key, load_private_key, private_key_pem, public_key_b64, public_key_pem
from provisioning.broker import HUB_USER, BrokerFiles, reload_broker
from provisioning.pki import create_ca, issue_server_cert, write_secret

TEMPLATES = Path(__file__).resolve().parents[1] / "firmware_config"


class Root:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.pki = path / "pki"
        self.hub = path / "hub"
        self.broker = BrokerFiles(path / "broker")
        self.hub_key = self.hub / "hub_signing_key.pem"

    def require(self) -> None:
        if not (self.pki / "ca.crt").exists():
            raise SystemExit(f"{self.path}: no CA yet; run `smartcare-provision ca init` first")


def _hub_app():
    from hub import create_app

    return create_app()


def ca_init(root: Root, args: argparse.Namespace) -> int:
    if (root.pki / "ca.crt").exists() and not args.force:
        print(
            f"{root.pki / 'ca.crt'} exists; pass --force to replace the whole CA", file=sys.stderr
        )
        return 1
    root.pki.mkdir(parents=True, exist_ok=True)
    ca_key, ca_crt = create_ca(root.pki)
    hosts = args.broker_host or ["localhost", "127.0.0.1"]
    issue_server_cert(root.pki, ca_key, ca_crt, hosts)
    if not root.hub_key.exists():
        write_secret(root.hub_key, private_key_pem(generate_key()))
    key = load_private_key(root.hub_key)
    (root.hub / "hub_public_key.pem").write_bytes(public_key_pem(key))
    hub_password = root.broker.init()
    write_secret(root.hub / "mqtt_password", hub_password.encode())
    print(
        f"CA, broker certificate for {', '.join(hosts)}, hub signing key and broker "
        f"accounts are in {root.path}"
    )
    print(f"hub: SMARTCARE_HUB_KEY_FILE={root.hub_key}")
    print(
        f"hub: SMARTCARE_MQTT_URL=mqtts://{HUB_USER}:<{root.hub / 'mqtt_password'}>@"
        f"{hosts[0]}:8883  SMARTCARE_MQTT_CA_FILE={root.pki / 'ca.crt'}"
    )
    return 0


def broker_config(root: Root, args: argparse.Namespace) -> int:
    """Render mosquitto.conf for this root (paths as the broker will see them)."""
    root.require()
    base = Path(args.paths_prefix) if args.paths_prefix else root.path
    text = (
        (TEMPLATES / "mosquitto" / "mosquitto.conf.template")
        .read_text()
        .format(
            passwd=base / "broker" / "passwd",
            acl=base / "broker" / "acl",
            data_dir=f"{args.data_dir.rstrip('/')}/",
            log_dest=args.log_dest,
            port=args.port,
            ca=base / "pki" / "ca.crt",
            cert=base / "pki" / "broker.crt",
            key=base / "pki" / "broker.key",
        )
    )
    out = Path(args.out)
    out.write_text(text)
    print(f"wrote {out}")
    return 0


def kiosk_toml(
    device_id: str, site_id: str, broker_url: str, backend: str, model_dir: str | None
) -> str:
    model = f'model_dir = "{model_dir}"\n' if model_dir else ""
    made = datetime.now(UTC).strftime("%Y-%m-%d")
    return f"""# SmartCare kiosk {device_id} (made by smartcare-provision {made})
# Field reference: firmware_config/KIOSK_CONFIG.md
device_id = "{device_id}"
site_id = "{site_id}"
direction = "auto"
source = "picamera2"

[mqtt]
url = "{broker_url}"
password_file = "secrets/mqtt_password"
ca_file = "ca.crt"

[keys]
device_key_file = "secrets/device_key.pem"
hub_public_key_file = "hub_public_key.pem"

[storage]
data_dir = "/var/lib/smartcare-kiosk"

[recognition]
backend = "{backend}"
{model}"""


def device_create(root: Root, args: argparse.Namespace) -> int:
    root.require()
    from hub.devices.services import register
    from hub.errors.exceptions import ServiceError

    out = Path(args.out)
    known = root.broker.devices()
    if (args.id in known or (out.exists() and any(out.iterdir()))) and not args.rotate:
        print(
            f"device {args.id} exists (or {out} is not empty); pass --rotate to issue new "
            "keys and credentials",
            file=sys.stderr,
        )
        return 1
    key = generate_key()
    app = _hub_app()
    with app.app_context():
        try:
            register(args.id, args.site, public_key_b64(key), name=args.name, rotate=args.rotate)
        except ServiceError as exc:
            print(f"hub refused the device: {exc.message}", file=sys.stderr)
            return 1
    password = root.broker.add_device(args.id, args.site)
    secrets_dir = out / "secrets"
    write_secret(secrets_dir / "device_key.pem", private_key_pem(key))
    write_secret(secrets_dir / "mqtt_password", password.encode())
    os.chmod(secrets_dir, 0o700)
    shutil.copy(root.pki / "ca.crt", out / "ca.crt")
    shutil.copy(root.hub / "hub_public_key.pem", out / "hub_public_key.pem")
    backend, model_dir = "dlib", None
    if args.model_pack:
        pack = Path(args.model_pack)
        if not pack.is_dir():
            print(f"{pack} is not a model pack directory", file=sys.stderr)
            return 1
        shutil.copytree(pack, out / "models" / pack.name, dirs_exist_ok=True)
        backend, model_dir = "insightface", f"models/{pack.name}"
    broker_url = f"mqtts://{args.id}@{args.broker_host}:{args.broker_port}"
    (out / "kiosk.toml").write_text(kiosk_toml(args.id, args.site, broker_url, backend, model_dir))
    reload_broker(args.broker_pid_file and Path(args.broker_pid_file), args.broker_reload)
    print(
        f"device {args.id} (site {args.site}) {'rotated' if args.rotate else 'created'}: "
        f"bundle in {out} (secrets mode 0600)"
    )
    return 0


def device_revoke(root: Root, args: argparse.Namespace) -> int:
    from hub.devices.services import revoke
    from hub.errors.exceptions import ServiceError

    app = _hub_app()
    with app.app_context():
        try:
            revoke(args.id)
        except ServiceError as exc:
            print(exc.message, file=sys.stderr)
            return 1
    root.broker.remove_device(args.id)
    reloaded = reload_broker(
        args.broker_pid_file and Path(args.broker_pid_file), args.broker_reload
    )
    print(
        f"device {args.id} revoked in the hub; broker credential removed"
        + ("" if reloaded else " (reload the broker to refuse its login)")
    )
    return 0


def device_list(root: Root, args: argparse.Namespace) -> int:
    from hub.devices.models import Device
    from hub.devices.services import is_online
    from hub.extensions import db

    app = _hub_app()
    with app.app_context():
        from datetime import timedelta

        offline = timedelta(minutes=app.config["DEVICE_OFFLINE_MINUTES"])
        rows = db.session.scalars(db.select(Device).order_by(Device.device_id)).all()
        print(
            f"{'device':<20} {'site':<14} {'state':<9} {'last seen (UTC)':<20} "
            f"{'version':<10} {'outbox':>6}"
        )
        for d in rows:
            state = (
                d.status
                if d.status == "revoked"
                else ("online" if is_online(d, offline) else "offline")
            )
            seen = d.last_seen_at.strftime("%Y-%m-%d %H:%M:%S") if d.last_seen_at else "never"
            print(
                f"{d.device_id:<20} {d.site_id:<14} {state:<9} {seen:<20} "
                f"{d.version or '-':<10} {d.outbox_depth if d.outbox_depth is not None else '-':>6}"
            )
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="smartcare-provision", description=__doc__)
    parser.add_argument(
        "--root", default=os.environ.get("SMARTCARE_PROVISION_ROOT", "provisioning-data")
    )
    sub = parser.add_subparsers(dest="area", required=True)

    ca = sub.add_parser("ca", help="the private CA").add_subparsers(dest="action", required=True)
    init = ca.add_parser("init", help="CA, broker certificate, hub signing key, broker accounts")
    init.add_argument(
        "--broker-host",
        action="append",
        help="broker DNS name or IP (repeat); default localhost, 127.0.0.1",
    )
    init.add_argument("--force", action="store_true")

    broker = sub.add_parser("broker").add_subparsers(dest="action", required=True)
    conf = broker.add_parser("config", help="render mosquitto.conf")
    conf.add_argument("--out", default="mosquitto.conf")
    conf.add_argument("--port", type=int, default=8883)
    conf.add_argument("--data-dir", default="/var/lib/mosquitto")
    conf.add_argument("--log-dest", default="stdout")
    conf.add_argument(
        "--paths-prefix",
        default=None,
        help="where the broker sees this root (e.g. /smartcare in a container)",
    )

    device = sub.add_parser("device").add_subparsers(dest="action", required=True)
    reload_args = argparse.ArgumentParser(add_help=False)
    reload_args.add_argument("--broker-pid-file", default=None)
    reload_args.add_argument(
        "--broker-reload",
        default=None,
        help="command that reloads the broker, e.g. 'docker compose kill -s HUP mosquitto'",
    )
    create = device.add_parser("create", parents=[reload_args])
    create.add_argument("--id", required=True)
    create.add_argument("--site", required=True)
    create.add_argument("--out", required=True)
    create.add_argument("--name", default=None)
    create.add_argument("--rotate", action="store_true", help="replace an existing identity")
    create.add_argument("--broker-host", default="localhost")
    create.add_argument("--broker-port", type=int, default=8883)
    create.add_argument(
        "--model-pack",
        default=None,
        help="an InsightFace model pack directory to put in the bundle",
    )
    revoke = device.add_parser("revoke", parents=[reload_args])
    revoke.add_argument("id")
    device.add_parser("list")

    args = parser.parse_args(argv)
    root = Root(Path(args.root))
    handlers = {
        ("ca", "init"): ca_init,
        ("broker", "config"): broker_config,
        ("device", "create"): device_create,
        ("device", "revoke"): device_revoke,
        ("device", "list"): device_list,
    }
    return handlers[(args.area, args.action)](root, args)


def entry() -> None:
    sys.exit(main())


if __name__ == "__main__":
    entry()
