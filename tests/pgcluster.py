"""A throwaway PostgreSQL cluster in a temporary directory, for the publish tests and the bench.

initdb + pg_ctl from Debian's `postgresql` package (its binaries live under
/usr/lib/postgresql/<version>/bin, not on PATH), listening only on a private Unix socket in the
cluster's directory, with password authentication (scram-sha-256) so a wrong password is
really refused. PostgreSQL refuses to run as root: when we are root, the cluster's directory is
handed to `nobody` and the server runs as that user (subprocess's `user=`/`group=`); the client
connects over the socket, whose permissions let anyone in.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

USER = "gitmem"
PASSWORD = "s3cret-gitmem"
DATABASE = "gitmem"


def binaries() -> Path | None:
    """The directory holding initdb and pg_ctl (newest installed version), or None."""
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(found).resolve().parent
    versions = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: (
            int(Path(p).parent.parent.name) if Path(p).parent.parent.name.isdigit() else 0
        ),
    )
    return Path(versions[-1]).parent if versions else None


class Cluster:
    """`start()` it, use `url` (or `url_for(...)`), `stop()` it; the directory goes with it."""

    def __init__(self, bindir: Path, fsync: bool = False) -> None:
        self.bindir = bindir
        self.fsync = fsync
        self.root = Path(tempfile.mkdtemp(prefix="gitmem-pg-"))
        self.data = self.root / "data"
        self.socket_dir = self.root / "socket"
        self.log = self.root / "server.log"
        self._as: dict[str, int] = {}
        if os.geteuid() == 0:  # PostgreSQL will not run as root: run it as nobody
            import pwd

            nobody = pwd.getpwnam("nobody")
            self._as = {"user": nobody.pw_uid, "group": nobody.pw_gid}
        self.port = 5432

    def _run(self, *args: str) -> None:
        extra = {"extra_groups": []} if self._as else {}
        subprocess.run(
            [str(self.bindir / args[0]), *args[1:]],
            check=True,
            capture_output=True,
            cwd=self.root,
            **self._as,  # type: ignore[arg-type]
            **extra,  # type: ignore[arg-type]
        )

    def start(self) -> None:
        self.socket_dir.mkdir()
        pwfile = self.root / "pw"
        pwfile.write_text(PASSWORD + "\n")
        if self._as:
            for path in (self.root, self.socket_dir, pwfile):
                os.chown(path, self._as["user"], self._as["group"])
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            USER,
            f"--pwfile={pwfile}",
            "--auth=scram-sha-256",
            "-E",
            "UTF8",
            "--locale=C",
        )
        options = (
            f"-k {self.socket_dir} -c listen_addresses='' -p {self.port}"
            f" -c fsync={'on' if self.fsync else 'off'} -c max_connections=50"
        )
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "start")
        subprocess.run(
            [
                str(self.bindir / "psql"),
                "-q",
                "-c",
                f"CREATE DATABASE {DATABASE}",
                self.url_for(db="postgres"),
            ],
            check=True,
            capture_output=True,
        )

    def url_for(self, db: str = DATABASE, password: str = PASSWORD, user: str = USER) -> str:
        return f"postgresql://{user}:{password}@/{db}?host={self.socket_dir}&port={self.port}"

    @property
    def url(self) -> str:
        return self.url_for()

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        except subprocess.CalledProcessError:
            pass
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
