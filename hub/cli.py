"""``smartcare-hub``: run the hub and set it up."""

from __future__ import annotations

import logging
import sys
from datetime import date

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext
from pydantic import ValidationError

from hub.access import ALL_ROLES, PATIENT, ROLE_LABELS

logger = logging.getLogger(__name__)


def _create_app():
    from hub import create_app

    return create_app()


cli = FlaskGroup(
    create_app=_create_app,
    add_default_commands=True,
    help="SmartCare hub: web application, MQTT ingest and scheduler.",
)


@click.command("init-db")
@with_appcontext
def init_db() -> None:
    """Create or upgrade the database schema to the newest migration."""
    from flask_migrate import upgrade

    upgrade()
    click.echo(f"database ready: {_safe_url(current_app.config['SQLALCHEMY_DATABASE_URI'])}")


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@click.command("create-user")
@click.option("--role", type=click.Choice(ALL_ROLES), required=True)
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.option("--specialisation", default=None, help="Doctors: specialisation")
@click.option("--date-of-birth", default=None, help="Patients: YYYY-MM-DD")
@click.option("--sex", default="other", type=click.Choice(["female", "male", "other"]))
@with_appcontext
def create_user(
    role: str,
    email: str,
    name: str,
    password_stdin: bool,
    specialisation: str | None,
    date_of_birth: str | None,
    sex: str,
) -> None:
    """Create an account (active at once)."""
    from hub.auth import services
    from hub.auth.models import ACTIVE
    from hub.errors.exceptions import ServiceError

    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        if role == PATIENT:
            if not date_of_birth:
                raise click.UsageError("--date-of-birth is needed for a patient")
            patient = services.register_patient(
                name=name,
                email=email,
                password=password,
                sex=sex,
                phone=None,
                date_of_birth=date.fromisoformat(date_of_birth),
            )
            patient.user.status = ACTIVE
            from hub.extensions import db

            db.session.commit()
            click.echo(f"patient {email} created, health ID {patient.health_id}")
        else:
            user = services.create_staff(
                name=name, email=email, role=role, password=password, specialisation=specialisation
            )
            click.echo(f"{role} {user.email} created (id {user.id})")
    except ServiceError as exc:
        detail = "; ".join(f"{k}: {v}" for k, v in exc.fields.items())
        raise click.ClickException(f"{exc.message} {detail}".strip()) from None


@click.command("seed-demo")
@with_appcontext
def seed_demo() -> None:
    """Create demo accounts for every role (new random passwords each run) and print them."""
    from hub.demo import seed

    logins = seed()
    click.echo("\nDemo logins (passwords are new on every seed):")
    for role, email, password in logins:
        click.echo(f"  {ROLE_LABELS[role]:<26} {email:<32} {password}")
    click.echo("")


@cli.command("run")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--workers", default=1, show_default=True, type=int)
@click.option("--threads", default=8, show_default=True, type=int)
@click.option("--no-ingest", is_flag=True, help="Serve the web only (ingest runs elsewhere).")
def run(host: str, port: int, workers: int, threads: int, no_ingest: bool) -> None:
    """Web server (gunicorn) + MQTT ingest + scheduler. Without SMARTCARE_MQTT_URL an
    embedded broker starts on a loopback port of its own."""
    import os
    import subprocess

    from hub.broker import free_port
    from hub.server import serve

    child = None
    if not no_ingest:
        env = dict(os.environ)
        args = [sys.executable, "-m", "hub.cli", "ingest", "--with-scheduler"]
        if not env.get("SMARTCARE_MQTT_URL"):
            broker_port = free_port()
            env["SMARTCARE_MQTT_URL"] = f"mqtt://127.0.0.1:{broker_port}"
            env["SMARTCARE_MQTT_PROTOCOL"] = "v311"  # amqtt speaks MQTT 3.1.1
            args += ["--embedded-broker-port", str(broker_port)]
            os.environ.update(
                {k: env[k] for k in ("SMARTCARE_MQTT_URL", "SMARTCARE_MQTT_PROTOCOL")}
            )
            click.echo(f"embedded MQTT broker: {env['SMARTCARE_MQTT_URL']}")
        child = subprocess.Popen(args, env=env)
    try:
        serve(host=host, port=port, workers=workers, threads=threads)
    finally:
        if child is not None:
            child.terminate()
            child.wait(15)


@click.command("ingest")
@click.option("--with-scheduler", is_flag=True, help="Also run the scheduled jobs.")
@click.option(
    "--embedded-broker-port",
    type=int,
    default=None,
    help="Start the embedded broker on this loopback port first.",
)
@with_appcontext
def ingest(with_scheduler: bool, embedded_broker_port: int | None) -> None:
    """Run the MQTT ingest (and optionally the scheduler) until SIGTERM/SIGINT."""
    import signal
    import threading

    from hub.ingest.service import IngestService

    app = current_app._get_current_object()
    if embedded_broker_port:
        from hub.broker import EmbeddedBroker

        EmbeddedBroker(embedded_broker_port).start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *a: stop.set())
    signal.signal(signal.SIGINT, lambda *a: stop.set())
    service = IngestService(app)
    service.start()
    scheduler = None
    if with_scheduler:
        from hub.scheduler import start_scheduler

        scheduler = start_scheduler(app)
    try:
        while not stop.wait(1.0):
            pass
    finally:
        if scheduler is not None:
            scheduler.shutdown(wait=False)
        service.stop()
        logger.info("ingest stopped: %d committed, %d refused", service.committed, service.rejected)


@click.command("scheduler")
@with_appcontext
def scheduler() -> None:
    """Run the scheduled jobs until SIGTERM/SIGINT (each slot runs once across processes)."""
    import signal
    import threading

    from hub.scheduler import start_scheduler

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *a: stop.set())
    signal.signal(signal.SIGINT, lambda *a: stop.set())
    running = start_scheduler(current_app._get_current_object())
    try:
        while not stop.wait(1.0):
            pass
    finally:
        running.shutdown(wait=False)


@click.group("jobs")
def jobs() -> None:
    """Scheduled jobs: list them, or run one at once."""


@jobs.command("list")
def jobs_list() -> None:
    from hub.scheduler import JOBS

    for name, (fn, trigger) in JOBS.items():
        when = ", ".join(f"{k}={v}" for k, v in trigger.items())
        click.echo(f"{name:<28} {when:<32} {(fn.__doc__ or '').strip().splitlines()[0]}")


@jobs.command("run")
@click.argument("name")
@with_appcontext
def jobs_run(name: str) -> None:
    from hub.scheduler import JOBS, run_job

    if name not in JOBS:
        raise click.ClickException(f"no job {name!r}; see `smartcare-hub jobs list`")
    result = run_job(current_app._get_current_object(), name, scheduled=False)
    click.echo(f"{name}: {result}")


#: Set-up commands, also reachable as ``flask --app hub <command>`` and from tests.
APP_COMMANDS = (init_db, create_user, seed_demo, ingest, scheduler, jobs)


def init_app(app) -> None:
    for command in APP_COMMANDS:
        app.cli.add_command(command)


def main() -> None:
    from hub.config import HubSettings

    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        HubSettings()
    except ValidationError as exc:
        click.echo("Configuration error:", err=True)
        for err in exc.errors():
            name = "SMARTCARE_" + "_".join(str(p) for p in err["loc"]).upper()
            click.echo(f"  {name}: {err['msg']}", err=True)
        sys.exit(2)
    cli.main(prog_name="smartcare-hub")


if __name__ == "__main__":
    main()
