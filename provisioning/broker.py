"""Mosquitto credentials and ACLs: the password file (Mosquitto's own PBKDF2-SHA512
format, what ``mosquitto_passwd`` writes), the ACL file, and a reload without restart
(SIGHUP makes Mosquitto re-read both)."""

from __future__ import annotations

import base64
import hashlib
import logging
import os
import re
import secrets
import signal
import subprocess
from pathlib import Path

from protocol import topics

logger = logging.getLogger(__name__)
HUB_USER = "smartcare-hub"
_BLOCK = re.compile(r"^# device (?P<id>\S+) site (?P<site>\S+)$")


def hash_password(password: str, iterations: int = 101) -> str:
    """``$7$<iterations>$<salt>$<hash>``, as Mosquitto 2 stores passwords."""
    salt = secrets.token_bytes(12)
    digest = hashlib.pbkdf2_hmac("sha512", password.encode(), salt, iterations)
    return f"$7${iterations}${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"


def new_password() -> str:
    return secrets.token_urlsafe(24)


def _write(path: Path, text: str, mode: int = 0o600) -> None:
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "w") as fh:
        fh.write(text)
    os.replace(tmp, path)


class BrokerFiles:
    """The password file and the ACL file of one broker."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.passwd = folder / "passwd"
        self.acl = folder / "acl"

    def init(self) -> str:
        """Create both files with the hub's account; answers the hub's broker password."""
        self.folder.mkdir(parents=True, exist_ok=True)
        password = new_password()
        self._set_password(HUB_USER, password)
        if not self.acl.exists():
            _write(self.acl, self._hub_acl(), 0o644)
        return password

    # passwords
    def _read_passwords(self) -> dict[str, str]:
        if not self.passwd.exists():
            return {}
        out = {}
        for line in self.passwd.read_text().splitlines():
            if ":" in line:
                user, hashed = line.split(":", 1)
                out[user] = hashed
        return out

    def _set_password(self, user: str, password: str | None) -> None:
        entries = self._read_passwords()
        if password is None:
            entries.pop(user, None)
        else:
            entries[user] = hash_password(password)
        # mosquitto must read it; it holds hashes only
        _write(self.passwd, "".join(f"{u}:{h}\n" for u, h in sorted(entries.items())), 0o644)

    # ACL
    @staticmethod
    def _hub_acl() -> str:
        return (
            f"# the hub's ingest and publisher\nuser {HUB_USER}\n"
            f"topic read {topics.ATTENDANCE_FILTER}\n"
            f"topic read {topics.STATUS_FILTER}\n"
            f"topic write {topics.PREFIX}/devices/+/ack\n"
            f"topic readwrite {topics.PREFIX}/sites/+/gallery\n\n"
        )

    @staticmethod
    def _device_acl(device_id: str, site_id: str) -> str:
        # a device publishes only under its own devices/{id}/ and reads only its own ack
        # and its site's gallery
        return (
            f"# device {device_id} site {site_id}\nuser {device_id}\n"
            f"topic write {topics.attendance(device_id)}\n"
            f"topic write {topics.status(device_id)}\n"
            f"topic read {topics.ack(device_id)}\n"
            f"topic read {topics.gallery(site_id)}\n\n"
        )

    def devices(self) -> dict[str, str]:
        """device id -> site id, from the ACL file."""
        found = {}
        if self.acl.exists():
            for line in self.acl.read_text().splitlines():
                m = _BLOCK.match(line)
                if m:
                    found[m.group("id")] = m.group("site")
        return found

    def _blocks_without(self, device_id: str) -> str:
        text = self.acl.read_text() if self.acl.exists() else self._hub_acl()
        blocks = [b for b in text.split("\n\n") if b.strip()]
        keep = [b for b in blocks if not b.startswith(f"# device {device_id} site ")]
        return "\n\n".join(keep) + "\n\n"

    def add_device(self, device_id: str, site_id: str) -> str:
        """A broker credential and ACL block for the device; answers its password."""
        password = new_password()
        self._set_password(device_id, password)
        _write(
            self.acl, self._blocks_without(device_id) + self._device_acl(device_id, site_id), 0o644
        )
        return password

    def remove_device(self, device_id: str) -> None:
        self._set_password(device_id, None)
        _write(self.acl, self._blocks_without(device_id), 0o644)


def reload_broker(pid_file: Path | None = None, command: str | None = None) -> bool:
    """Make Mosquitto re-read its password and ACL files (no restart): SIGHUP to the pid in
    ``pid_file``, or run ``command`` (e.g. ``docker compose kill -s HUP mosquitto``)."""
    if command:
        result = subprocess.run(command, shell=True, check=False)
        return result.returncode == 0
    if pid_file and pid_file.exists():
        pid = int(pid_file.read_text().strip())
        os.kill(pid, signal.SIGHUP)
        logger.info("sent SIGHUP to mosquitto (pid %s)", pid)
        return True
    logger.warning("broker not reloaded: give --broker-pid-file or --broker-reload")
    return False
