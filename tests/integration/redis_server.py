"""A throwaway Redis server for the tests: redis-server in the foreground on a free
loopback port, without persistence."""

import shutil
import socket
import subprocess
import time

from sinchfn_testlib import START_TIMEOUT, STOP_TIMEOUT, free_port


_INCOMPLETE = object()


def _parse_reply(data: bytes):
    """Parse one RESP reply that is not an array, or return _INCOMPLETE."""
    line, separator, rest = data.partition(b"\r\n")
    if not separator:
        return _INCOMPLETE
    kind, text = line[:1], line[1:].decode()
    if kind == b":":
        return int(text)
    if kind == b"$":
        length = int(text)
        if length < 0:
            return None
        return rest[:length] if len(rest) >= length + 2 else _INCOMPLETE
    return text


class RedisServer:
    """A redis-server in the foreground on a free loopback port, without persistence."""

    def __init__(self, root):
        self.root = root
        self.port = free_port()
        self.process = None

    def ping(self):
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def command(self, *args):
        """Send one command and return its reply: an int for an integer reply, bytes for a
        bulk string, None for a missing value and str for a status or error line."""
        request = b"*%d\r\n" % len(args) + b"".join(b"$%d\r\n%s\r\n" % (len(arg.encode()), arg.encode())
                                                      for arg in args)
        with socket.create_connection(("127.0.0.1", self.port), timeout=START_TIMEOUT) as sock:
            sock.sendall(request)
            reply = b""
            while True:
                chunk = sock.recv(4096)
                if not chunk:
                    raise RuntimeError(f"redis-server closed the connection after {reply!r}")
                reply += chunk
                parsed = _parse_reply(reply)
                if parsed is not _INCOMPLETE:
                    return parsed

    def start(self):
        executable = shutil.which("redis-server")
        if not executable:
            raise RuntimeError("redis-server is not installed; bin/sinchfn test installs it (Debian redis-server)")
        with open(self.root / "redis.log", "wb") as log:
            self.process = subprocess.Popen([executable, "--port", str(self.port), "--bind", "127.0.0.1",
                                             "--save", "", "--appendonly", "no", "--dir", str(self.root)],
                                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"redis-server exited with status {self.process.returncode}:\n"
                                   f"{(self.root / 'redis.log').read_text(errors='replace')}")
            if self.ping():
                return
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"redis-server did not answer PING on 127.0.0.1:{self.port} within {START_TIMEOUT} s")

    def stop(self):
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=STOP_TIMEOUT)
