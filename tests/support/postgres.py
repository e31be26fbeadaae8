"""A throwaway PostgreSQL cluster for tests: real server binaries, a temporary folder, no Docker.

``initdb`` and ``pg_ctl`` refuse to run as root, and CI runs the tests as root. So, as root,
the cluster belongs to a system user ``pgtest`` (made if missing) and the binaries run through
``runuser``; pytest itself stays root. As any other user the binaries run directly.

Authentication (pg_hba.conf): the Unix socket trusts everyone; over TCP on 127.0.0.1 the
superuser ``postgres`` is trusted and every other role must give its password
(SCRAM-SHA-256), so tests can check logins, wrong passwords and revoked roles.
"""

from __future__ import annotations

import contextlib
import glob
import itertools
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path

import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo

SERVICE_USER = "pgtest"
SUPERUSER = "postgres"
LOCALHOST = "127.0.0.1"
INSTALL_HINT = ("PostgreSQL server binaries (initdb, pg_ctl) were not found. Install Debian's "
                "`postgresql` package (`apt-get install postgresql`; `make system-deps` does it).")

PG_HBA = f"""\
# Written by tests/support/postgres.py
local all all                 trust
host  all {SUPERUSER} {LOCALHOST}/32 trust
host  all all       {LOCALHOST}/32 scram-sha-256
"""


class PostgresMissing(RuntimeError):
    """The PostgreSQL server binaries are not installed."""


class ClusterError(RuntimeError):
    """The cluster could not be made, started or stopped; the message ends with its log."""


def find_bindir() -> Path:
    """The newest /usr/lib/postgresql/<version>/bin, else ``pg_config --bindir``."""
    candidates = []
    for path in glob.glob("/usr/lib/postgresql/*/bin"):
        match = re.fullmatch(r"/usr/lib/postgresql/(\d+)(?:\.(\d+))?/bin", path)
        if match and _has_server(Path(path)):
            candidates.append(((int(match.group(1)), int(match.group(2) or 0)), Path(path)))
    if candidates:
        return max(candidates)[1]
    pg_config = shutil.which("pg_config")
    if pg_config:
        result = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True)
        path = Path(result.stdout.strip())
        if result.returncode == 0 and _has_server(path):
            return path
    for name in ("initdb", "pg_ctl"):
        found = shutil.which(name)
        if found and _has_server(Path(found).parent):
            return Path(found).parent
    raise PostgresMissing(INSTALL_HINT)


def _has_server(bindir: Path) -> bool:
    return all((bindir / name).is_file() for name in ("initdb", "pg_ctl", "postgres"))


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((LOCALHOST, 0))
        return probe.getsockname()[1]


def _ensure_service_user() -> pwd.struct_passwd:
    try:
        return pwd.getpwnam(SERVICE_USER)
    except KeyError:
        pass
    result = subprocess.run(["useradd", "--system", "--no-create-home", SERVICE_USER],
                            capture_output=True, text=True)
    try:  # a parallel run may have made it in the meantime (useradd exits 9)
        return pwd.getpwnam(SERVICE_USER)
    except KeyError:
        raise ClusterError(f"could not create the system user {SERVICE_USER!r}: "
                           f"{result.stderr.strip()}") from None


class Cluster:
    """A PostgreSQL cluster in a temporary folder, started on a free port.

    ``Cluster()`` runs initdb and starts the server; ``close()`` stops it (immediate mode)
    and removes the folder. Also usable as a context manager.
    """

    _names = itertools.count(1)

    def __init__(self, bindir: Path | None = None, *, start: bool = True) -> None:
        self.bindir = Path(bindir) if bindir else find_bindir()
        self.as_root = os.geteuid() == 0
        self._owner = _ensure_service_user() if self.as_root else None
        # As root the service user must reach the folder: /tmp is world-searchable, while
        # TMPDIR may point inside /root.
        parent = "/tmp" if self.as_root else None
        self.base = Path(tempfile.mkdtemp(prefix="wb-pg-", dir=parent))
        self.datadir = self.base / "data"
        self.socket_dir = self.base / "sock"
        self.logfile = self.base / "server.log"
        self.port = free_port()
        self._closed = False
        try:
            self.socket_dir.mkdir()
            if self._owner is not None:
                for path in (self.base, self.socket_dir):
                    os.chown(path, self._owner.pw_uid, self._owner.pw_gid)
            os.chmod(self.base, 0o700)
            self._run("initdb", "-D", str(self.datadir), "-A", "trust", "--no-sync",
                      "-U", SUPERUSER, "-E", "UTF8", "--no-locale")
            self._write_config()
            if start:
                self.start()
        except BaseException:
            self.close()
            raise

    # -- the server process ------------------------------------------------------------

    def _command(self, program: str, *args: str) -> list[str]:
        command = [str(self.bindir / program), *args]
        if self._owner is not None:
            command = ["runuser", "-u", SERVICE_USER, "--", *command]
        return command

    def _run(self, program: str, *args: str, timeout: float = 120) -> str:
        result = subprocess.run(self._command(program, *args), capture_output=True, text=True,
                                timeout=timeout, cwd=self.base)
        if result.returncode != 0:
            raise ClusterError(f"{program} {' '.join(args)} failed ({result.returncode}):\n"
                               f"{result.stdout}{result.stderr}{self._log_tail()}")
        return result.stdout

    def _log_tail(self, lines: int = 30) -> str:
        try:
            text = self.logfile.read_text(errors="replace")
        except OSError:
            return ""
        return "\n--- server log ---\n" + "\n".join(text.splitlines()[-lines:])

    def _write_config(self) -> None:
        (self.datadir / "pg_hba.conf").write_text(PG_HBA)
        with open(self.datadir / "postgresql.conf", "a") as conf:
            conf.write("\n# tests/support/postgres.py\n"
                       f"listen_addresses = '{LOCALHOST}'\n"
                       f"unix_socket_directories = '{self.socket_dir}'\n"
                       "max_connections = 100\n"
                       "fsync = off\n"
                       # A restart must keep every commit it acknowledged (fsync off is
                       # safe while the machine itself does not crash).
                       "synchronous_commit = on\n"
                       "full_page_writes = off\n"
                       "password_encryption = 'scram-sha-256'\n"
                       "shared_buffers = '32MB'\n")

    @property
    def running(self) -> bool:
        """Whether the postmaster of postmaster.pid is alive."""
        try:
            pid = int((self.datadir / "postmaster.pid").read_text().split("\n", 1)[0])
            os.kill(pid, 0)
        except (OSError, ValueError):
            return False
        return True

    def start(self) -> None:
        """Start the server and wait until it accepts connections (a taken port: another)."""
        for attempt in range(3):
            try:
                self._run("pg_ctl", "-w", "-t", "60", "-D", str(self.datadir),
                          "-l", str(self.logfile), "-o", f"-p {self.port} -k {self.socket_dir}",
                          "start")
                return
            except ClusterError as error:
                if attempt == 2 or "could not bind" not in str(error):
                    raise
                self.port = free_port()

    def stop(self, mode: str = "fast") -> None:
        if mode not in ("smart", "fast", "immediate"):
            raise ValueError(f"unknown shutdown mode {mode!r}")
        self._run("pg_ctl", "-w", "-t", "60", "-D", str(self.datadir), "-m", mode, "stop")

    def restart(self, mode: str = "immediate") -> None:
        """Stop (``immediate`` = as after a crash: recovery on the next start) and start."""
        self.stop(mode)
        self.start()

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if (self.datadir / "postmaster.pid").exists():
            with contextlib.suppress(Exception):
                self.stop("immediate")
        shutil.rmtree(self.base, ignore_errors=True)

    def __enter__(self) -> Cluster:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- connections and databases --------------------------------------------------------

    def conninfo(self, dbname: str = "postgres", user: str = SUPERUSER,
                 password: str | None = None, host: str | None = None) -> str:
        """A libpq conninfo; ``host`` is the socket folder unless given (e.g. 127.0.0.1)."""
        params = dict(host=host or str(self.socket_dir), port=self.port, dbname=dbname,
                      user=user, connect_timeout=10)
        if password is not None:
            params["password"] = password
        return make_conninfo(**params)

    def _admin(self) -> psycopg.Connection:
        return psycopg.connect(self.conninfo("postgres"), autocommit=True)

    def create_database(self) -> str:
        """A fresh, uniquely named database owned by the superuser; returns its name."""
        name = f"wb_test_{next(self._names)}_{uuid.uuid4().hex[:8]}"
        with self._admin() as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return name

    def drop_database(self, name: str) -> None:
        with self._admin() as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
                         .format(sql.Identifier(name)))
