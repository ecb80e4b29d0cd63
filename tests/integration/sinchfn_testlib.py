"""Helpers of the integration tests: paths, building function objects, writing
httpd.conf, running Apache in the foreground and raw HTTP/1.1 exchanges.

Every server listens on 127.0.0.1 only, on a port picked by the kernel.
"""

import json
import os
import shlex
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

APACHE = "/usr/sbin/apache2"
APACHE_MODULES = Path("/usr/lib/apache2/modules")
MPMS = ["event", "prefork"]

# Bounded waits, in seconds. No test asserts on durations, so a slow machine only makes
# the run longer, up to these limits.
START_TIMEOUT = 10.0
STOP_TIMEOUT = 10.0
# Bounds of starting and stopping Apache under SINCHFN_APACHE_WRAPPER (valgrind is slow).
WRAPPED_TIMEOUT = 120.0
LOG_TIMEOUT = 3.0
SOCKET_TIMEOUT = 5.0


def source_dir() -> Path:
    """Return the source tree: $SINCHFN_SOURCE_DIR, else the tree holding this file."""
    configured = os.environ.get("SINCHFN_SOURCE_DIR")
    if configured:
        return Path(configured).resolve()
    return Path(__file__).resolve().parents[2]


def peer_case(relative_path: str) -> Path:
    """Return a file of the Sinch SDK reference vectors kept in tests/vectors, or
    raise FileNotFoundError naming the path when it is absent."""
    path = source_dir() / "tests" / "vectors" / relative_path
    if not path.is_file():
        raise FileNotFoundError(f"the reference vector {path} is missing; the tests expect the Sinch SDK vectors "
                                f"in {path.parent}")
    return path


def callback_body(relative_path: str) -> bytes:
    """Return the body of a callback payload vector: its raw_body, else its payload as
    compact JSON."""
    vector = json.loads(peer_case(relative_path).read_text())
    if isinstance(vector.get("raw_body"), str):
        return vector["raw_body"].encode()
    return json.dumps(vector["payload"], separators=(",", ":")).encode()


def module_path() -> Path:
    """Return the mod_sinchfn.so under test: $SINCHFN_MODULE, else the tree's build."""
    configured = os.environ.get("SINCHFN_MODULE")
    if configured:
        return Path(configured).resolve()
    return source_dir() / ".libs" / "mod_sinchfn.so"


def make_shared_dir(prefix: str) -> Path:
    """Create a directory under /tmp that the Apache `User` (www-data) can traverse.

    pytest's tmp_path lives below a mode 0700 directory, so it is not used for anything
    Apache children read.
    """
    path = Path(tempfile.mkdtemp(prefix=prefix))
    path.chmod(0o755)
    return path


def copy_function(source: Path, destination: Path) -> Path:
    """Copy a function directory without any function.so it may hold."""
    shutil.copytree(source, destination, ignore=shutil.ignore_patterns("function.so", ".function.so.*"))
    destination.chmod(0o755)
    return destination


def build_function(directory: Path) -> None:
    """Compile directory/*.c into directory/function.so with `sinchfn build`."""
    result = subprocess.run([str(source_dir() / "bin" / "sinchfn"), "build", str(directory)],
                            capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        raise RuntimeError(f"sinchfn build {directory} failed with exit status {result.returncode}:\n"
                           f"{result.stdout}{result.stderr}")


def free_port() -> int:
    """Return a loopback port that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def config_header(root: Path, port: int, mpm: str, modules=(), log_level="warn sinchfn:debug",
                  load_sinchfn: bool = True) -> str:
    """Return the server-level part of an httpd.conf: paths, listener, MPM and modules.

    modules names extra modules as the file stem after mod_, e.g. "auth_basic".
    load_sinchfn=False leaves mod_sinchfn out, for a server that only proxies.
    """
    user_lines = "User www-data\nGroup www-data\n" if os.geteuid() == 0 else ""
    load_lines = "".join(f"LoadModule {name}_module {APACHE_MODULES / ('mod_' + name + '.so')}\n"
                         for name in ("authz_core", *modules))
    sinchfn_line = f'LoadModule sinchfn_module "{module_path()}"\n' if load_sinchfn else ""
    return (
        f'ServerRoot "{root}"\n'
        "ServerName 127.0.0.1\n"
        f"Listen 127.0.0.1:{port}\n"
        f'PidFile "{root}/httpd.pid"\n'
        f'DefaultRuntimeDir "{root}"\n'
        f"{user_lines}"
        f"LoadModule mpm_{mpm}_module {APACHE_MODULES / ('mod_mpm_' + mpm + '.so')}\n"
        f"{load_lines}"
        f'{sinchfn_line}'
        f'ErrorLog "{root}/error.log"\n'
        f"LogLevel {log_level}\n"
        "AllowEncodedSlashes NoDecode\n"
        "StartServers 2\n"
        "Timeout 5\n"
        "KeepAliveTimeout 2\n"
        "GracefulShutdownTimeout 5\n"
    )


def apache_environment() -> dict:
    """Return the environment of Apache processes: this process's, plus LD_PRELOAD set to
    SINCHFN_APACHE_PRELOAD when that is set (`make check-asan` preloads the ASan runtime)."""
    environment = dict(os.environ)
    if os.environ.get("SINCHFN_APACHE_PRELOAD"):
        environment["LD_PRELOAD"] = os.environ["SINCHFN_APACHE_PRELOAD"]
    return environment


def apache_command(conf: Path) -> list:
    """Return the command that runs Apache in the foreground: `apache2 -DFOREGROUND`, or,
    when SINCHFN_APACHE_WRAPPER is set, that command prefix (e.g. valgrind and its
    options) followed by `apache2 -X`, one process without children."""
    wrapper = shlex.split(os.environ.get("SINCHFN_APACHE_WRAPPER", ""))
    if wrapper:
        return [*wrapper, APACHE, "-f", str(conf), "-X"]
    return [APACHE, "-f", str(conf), "-DFOREGROUND"]


def start_stop_timeout(default: float) -> float:
    return WRAPPED_TIMEOUT if os.environ.get("SINCHFN_APACHE_WRAPPER") else default


def config_test(conf: Path) -> subprocess.CompletedProcess:
    """Run `apache2 -t -f CONF` and return its result, stdout and stderr merged."""
    return subprocess.run([APACHE, "-t", "-f", str(conf)], env=apache_environment(), stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, timeout=30)


class ApacheServer:
    """One Apache parent process started with -DFOREGROUND from a generated config."""

    def __init__(self, root: Path, port: int, mpm: str, config_text: str):
        self.root = root
        self.port = port
        self.mpm = mpm
        self.conf = root / "httpd.conf"
        self.error_log = root / "error.log"
        self.console_log = root / "console.log"
        self.base_url = f"http://127.0.0.1:{port}"
        self.process = None
        self.conf.write_text(config_text, encoding="utf-8")

    def url(self, path: str) -> str:
        return self.base_url + path

    def start(self, preexec_fn=None) -> None:
        """Start Apache and wait until the port accepts connections. preexec_fn runs in
        the Apache parent before exec, e.g. to set a resource limit."""
        checked = config_test(self.conf)
        if checked.returncode != 0:
            raise RuntimeError(f"apache2 -t rejected {self.conf}:\n{checked.stdout}")
        # The prefork MPM stops its children with a SIGTERM to its whole process group,
        # so Apache gets its own session instead of sharing pytest's group.
        with open(self.console_log, "wb") as console:
            self.process = subprocess.Popen(apache_command(self.conf),
                                            env=apache_environment(), stdout=console, stderr=subprocess.STDOUT,
                                            start_new_session=True, preexec_fn=preexec_fn)
        deadline = time.monotonic() + start_stop_timeout(START_TIMEOUT)
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"apache2 exited with status {self.process.returncode} while starting:\n"
                                   f"{self.console_log.read_text(errors='replace')}{self.log_text()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"apache2 did not accept connections on 127.0.0.1:{self.port} within "
                           f"{start_stop_timeout(START_TIMEOUT)} s:\n{self.log_text()}")

    def stop(self) -> None:
        """Stop Apache with SIGTERM and wait for the parent to exit."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=start_stop_timeout(STOP_TIMEOUT))
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=STOP_TIMEOUT)

    def graceful(self) -> subprocess.CompletedProcess:
        """Run `apache2 -f CONF -k graceful`."""
        return subprocess.run([APACHE, "-f", str(self.conf), "-k", "graceful"], env=apache_environment(),
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=30)

    def log_text(self) -> str:
        try:
            return self.error_log.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def log_size(self) -> int:
        """Return the error log's size, an offset for log_since()."""
        try:
            return self.error_log.stat().st_size
        except FileNotFoundError:
            return 0

    def log_since(self, offset: int) -> str:
        with open(self.error_log, "rb") as log:
            log.seek(offset)
            return log.read().decode(errors="replace")

    def wait_for_log(self, text: str, offset: int, timeout: float = LOG_TIMEOUT) -> str:
        """Wait until the error log past offset contains a line with text, and return
        that line, or "" when the wait timed out."""
        deadline = time.monotonic() + timeout
        while True:
            for line in self.log_since(offset).splitlines():
                if text in line:
                    return line
            if time.monotonic() >= deadline:
                return ""
            time.sleep(0.05)


# ---- raw HTTP/1.1 ----

@dataclass
class RawResponse:
    status: int
    reason: str
    headers: dict = field(default_factory=dict)  # lower-case name -> list of values
    body: bytes = b""

    def header(self, name: str):
        values = self.headers.get(name.lower())
        return values[0] if values else None


def connect(port: int, timeout: float = SOCKET_TIMEOUT) -> socket.socket:
    return socket.create_connection(("127.0.0.1", port), timeout=timeout)


def read_until_close(sock: socket.socket, timeout: float = SOCKET_TIMEOUT) -> bytes:
    """Read until the server closes the connection or timeout seconds pass."""
    deadline = time.monotonic() + timeout
    chunks = []
    while time.monotonic() < deadline:
        sock.settimeout(max(0.05, deadline - time.monotonic()))
        try:
            chunk = sock.recv(65536)
        except socket.timeout:
            break
        except ConnectionResetError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)


def read_head(sock: socket.socket, timeout: float = SOCKET_TIMEOUT) -> bytes:
    """Read until the end of one response head (CR LF CR LF) or timeout seconds pass."""
    deadline = time.monotonic() + timeout
    data = b""
    while b"\r\n\r\n" not in data and time.monotonic() < deadline:
        sock.settimeout(max(0.05, deadline - time.monotonic()))
        try:
            chunk = sock.recv(1)
        except socket.timeout:
            break
        if not chunk:
            break
        data += chunk
    return data


def exchange(port: int, payload: bytes, timeout: float = SOCKET_TIMEOUT) -> bytes:
    """Send payload on a new connection and return everything the server sends until it
    closes the connection. Requests in payload should carry `Connection: close`."""
    with connect(port, timeout) as sock:
        sock.sendall(payload)
        return read_until_close(sock, timeout)


def _dechunk(data: bytes):
    body = b""
    while True:
        line, _, data = data.partition(b"\r\n")
        size = int(line.split(b";")[0], 16)
        if size == 0:
            # The last chunk is followed by optional trailer fields and an empty line.
            if data.startswith(b"\r\n"):
                return body, data[2:]
            _, _, data = data.partition(b"\r\n\r\n")
            return body, data
        body += data[:size]
        data = data[size + 2:]


def parse_responses(data: bytes):
    """Split the bytes of one or more HTTP/1.1 responses (not to HEAD) into RawResponse
    values, skipping interim 100 Continue responses."""
    responses = []
    while data:
        head, separator, data = data.partition(b"\r\n\r\n")
        if not separator:
            raise ValueError(f"incomplete response head: {head!r}")
        lines = head.decode("latin-1").split("\r\n")
        _, status, reason = (lines[0].split(" ", 2) + [""])[:3]
        response = RawResponse(int(status), reason)
        for line in lines[1:]:
            name, _, value = line.partition(":")
            response.headers.setdefault(name.strip().lower(), []).append(value.strip())
        if response.status == 100:
            continue
        if response.header("content-length") is not None:
            length = int(response.header("content-length"))
            response.body, data = data[:length], data[length:]
        elif (response.header("transfer-encoding") or "").lower() == "chunked":
            response.body, data = _dechunk(data)
        elif response.status in (204, 304):
            response.body = b""
        else:
            response.body, data = data, b""
        responses.append(response)
    return responses


def parse_response(data: bytes) -> RawResponse:
    """Parse exactly one final HTTP/1.1 response."""
    responses = parse_responses(data)
    if len(responses) != 1:
        raise ValueError(f"expected one response, got {len(responses)}: {data[:500]!r}")
    return responses[0]


def chunk(data: bytes) -> bytes:
    """Encode data as one chunk of a chunked body."""
    return b"%x\r\n%s\r\n" % (len(data), data)


# ---- the sinchfn command ----

def sinchfn_command() -> str:
    return str(source_dir() / "bin" / "sinchfn")


def run_sinchfn(*args, cwd=None, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run `sinchfn ARGS` and return its result with text stdout and stderr."""
    return subprocess.run([sinchfn_command(), *map(str, args)], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout)


class DevServer:
    """`sinchfn dev DIR --port PORT` in the background, its terminal output in a file."""

    def __init__(self, directory: Path, port: int, output: Path):
        self.directory = directory
        self.port = port
        self.output = output
        self.base_url = f"http://127.0.0.1:{port}"
        self.process = None

    def url(self, path: str) -> str:
        return self.base_url + path

    def start(self) -> None:
        """Start the dev server and wait until the port accepts connections. The command
        builds the module and the function first, so the wait is longer than Apache's."""
        if os.environ.get("SINCHFN_APACHE_PRELOAD"):
            # `sinchfn dev` starts its own Apache, without the sanitizer runtime that an
            # ASan build of the module needs preloaded; the module's request path is
            # covered by the servers the other tests start.
            pytest.skip("sinchfn dev starts Apache without the preloaded sanitizer runtime")
        with open(self.output, "wb") as output:
            self.process = subprocess.Popen([sinchfn_command(), "dev", str(self.directory), "--port", str(self.port)],
                                            stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + START_TIMEOUT + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"sinchfn dev exited with status {self.process.returncode}:\n{self.text()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"sinchfn dev did not listen on 127.0.0.1:{self.port}:\n{self.text()}")

    def stop(self) -> None:
        """Stop the command with SIGTERM; it stops Apache before it exits."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=STOP_TIMEOUT + 5)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=STOP_TIMEOUT)

    def text(self) -> str:
        try:
            return self.output.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def wait_for_output(self, text: str, offset: int = 0, timeout: float = LOG_TIMEOUT) -> bool:
        """Wait until the output past offset characters contains text."""
        deadline = time.monotonic() + timeout
        while True:
            if text in self.text()[offset:]:
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.05)
