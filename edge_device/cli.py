"""``smartcare-kiosk``: run the kiosk, check recognition offline, validate a config."""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from pathlib import Path

from edge_device.config import ConfigError, load_config


def _validate(path: str) -> int:
    try:
        config = load_config(path)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2
    problems = []
    for label, file in (
        ("keys.device_key_file", config.keys.device_key_file),
        ("keys.hub_public_key_file", config.keys.hub_public_key_file),
        ("mqtt.ca_file", config.mqtt.ca_file),
        ("mqtt.password_file", config.mqtt.password_file),
    ):
        if file is not None and not Path(file).is_file():
            problems.append(f"  {label}: {file} does not exist")
    if problems:
        print(f"{path}: {len(problems)} problem(s)\n" + "\n".join(problems), file=sys.stderr)
        return 2
    print(
        f"{path}: OK (device {config.device_id}, site {config.site_id}, "
        f"backend {config.recognition.backend}, broker {config.mqtt.url})"
    )
    return 0


def _run(args: argparse.Namespace) -> int:
    from edge_device.app import KioskApp

    try:
        config = load_config(args.config)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2
    app = KioskApp(config, source=args.source, realtime=args.realtime, loop=args.loop)
    app.install_signal_handlers()
    app.start()
    try:
        app.run(max_frames=args.max_frames)
        if args.exit_when_done:
            drained = app.drain(args.drain_timeout)
            if not drained:
                logging.getLogger("edge_device").error(
                    "outbox not drained after %.0f s (%d events wait; they are kept)",
                    args.drain_timeout,
                    app.outbox.depth(),
                )
            return 0 if drained else 3
        while not app.stop_event.is_set():  # source ended: keep delivering until stopped
            app.watchdog.ping()
            time.sleep(0.5)
        return 0
    finally:
        app.stop()


def _recognize(args: argparse.Namespace) -> int:
    from faces.backends import load_backend
    from faces.enrol import gallery_from_folders
    from faces.recognize import recognize_images

    backend = load_backend(args.backend, args.model_dir)
    gallery, results = gallery_from_folders(backend, Path(args.gallery))
    for person, result in results.items():
        for photo, reason in result.rejected:
            print(f"gallery {person}/{photo} not enrolled: {reason}", file=sys.stderr)
    for line in recognize_images(backend, gallery, [Path(p) for p in args.images], args.threshold):
        print(json.dumps(line), flush=True)
    return 0


def _simulate(args: argparse.Namespace) -> int:
    from edge_device.simulate import simulate

    config = load_config(args.config)
    return simulate(
        config,
        staff=args.staff,
        events=args.events,
        rate=args.rate,
        drain_timeout=args.drain_timeout,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="smartcare-kiosk", description=__doc__)
    parser.add_argument("--validate-config", metavar="FILE", help="check a kiosk.toml and exit")
    parser.add_argument("-v", "--verbose", action="store_true")
    sub = parser.add_subparsers(dest="command")

    run = sub.add_parser("run", help="run the kiosk")
    run.add_argument("--config", required=True)
    run.add_argument("--source", help="picamera2, cv:N, file:PATH, dir:PATH or rtsp://...")
    run.add_argument("--realtime", action="store_true", help="play a file at its own frame rate")
    run.add_argument("--loop", action="store_true", help="play a file again and again")
    run.add_argument("--max-frames", type=int, default=None)
    run.add_argument(
        "--exit-when-done",
        action="store_true",
        help="when the source ends, wait for the hub's acks, then exit",
    )
    run.add_argument("--drain-timeout", type=float, default=60.0)

    rec = sub.add_parser("recognize", help="recognise faces in images against a folder gallery")
    rec.add_argument("--gallery", required=True, help="folder with one sub-folder per person")
    rec.add_argument("--backend", default="dlib")
    rec.add_argument("--model-dir", default=None)
    rec.add_argument("--threshold", type=float, default=None)
    rec.add_argument("images", nargs="+")

    sim = sub.add_parser(
        "simulate", help="emit signed test events through the real outbox and uplink (no camera)"
    )
    sim.add_argument("--config", required=True)
    sim.add_argument("--staff", action="append", required=True)
    sim.add_argument("--events", type=int, default=100)
    sim.add_argument("--rate", type=float, default=50.0, help="events per second")
    sim.add_argument("--drain-timeout", type=float, default=120.0)

    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if args.validate_config:
        return _validate(args.validate_config)
    if args.command == "run":
        return _run(args)
    if args.command == "recognize":
        return _recognize(args)
    if args.command == "simulate":
        return _simulate(args)
    parser.print_help()
    return 2


def entry() -> None:
    sys.exit(main())


if __name__ == "__main__":
    entry()
