"""A throwaway PostgreSQL server for the integration tests: initdb into a scratch
directory, then pg_ctl start on a free loopback port, run as a non-root user because
PostgreSQL refuses to run as root. Authentication is `trust` on 127.0.0.1 only."""

import os
import pwd
import shutil
import subprocess
from pathlib import Path

from sinchfn_testlib import free_port

POSTGRES_BIN = Path("/usr/lib/postgresql/15/bin")
DATABASE = "sinchfn"
DATABASE_USER = "sinchfn"
COMMAND_TIMEOUT = 60


def missing_reason():
    """Return why PostgreSQL cannot run here, or None when it can."""
    for name in ("initdb", "pg_ctl", "postgres"):
        if not (POSTGRES_BIN / name).is_file():
            return f"{POSTGRES_BIN / name} is missing; install the Debian package postgresql"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "the user postgres is missing; install the Debian package postgresql"
    if not shutil.which("psql"):
        return "psql is missing; install the Debian package postgresql-client"
    return None


class PostgresServer:
    def __init__(self, root: Path):
        self.root = root
        self.data = root / "data"
        self.port = free_port()
        self.owner = "postgres" if os.geteuid() == 0 else None

    def _run(self, command):
        if self.owner:
            command = ["runuser", "-u", self.owner, "--", *command]
        return subprocess.run(command, capture_output=True, text=True, timeout=COMMAND_TIMEOUT, check=False)

    def _check(self, command, what):
        result = self._run(command)
        if result.returncode != 0:
            raise RuntimeError(f"{what} failed with exit status {result.returncode}:\n{result.stdout}{result.stderr}")
        return result

    def start(self):
        self.root.mkdir(mode=0o755)
        if self.owner:
            shutil.chown(self.root, self.owner, self.owner)
        self._check([str(POSTGRES_BIN / "initdb"), "-D", str(self.data), "-U", DATABASE_USER, "-A", "trust",
                     "-E", "UTF8", "--no-sync"], "initdb")
        options = f"-h 127.0.0.1 -p {self.port} -k {self.root} -F"
        self._check([str(POSTGRES_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.root / "postgres.log"),
                     "-o", options, "-w", "-t", "30", "start"], "pg_ctl start")
        self._check(["psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", DATABASE_USER, "-d", "postgres",
                     "-c", f"CREATE DATABASE {DATABASE}"], "CREATE DATABASE")

    def query(self, sql):
        """Run SQL with psql and return its unaligned output."""
        return self._check(["psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", DATABASE_USER, "-d", DATABASE,
                            "-At", "-c", sql], f"psql {sql!r}").stdout

    def stop(self):
        if self.data.is_dir():
            self._run([str(POSTGRES_BIN / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop"])

    def dbd_params(self):
        return f"host=127.0.0.1 port={self.port} dbname={DATABASE} user={DATABASE_USER}"
