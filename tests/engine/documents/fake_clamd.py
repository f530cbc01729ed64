"""A stand-in for ClamAV's daemon: speaks INSTREAM on 127.0.0.1 (an ephemeral port) or a unix
socket, from a thread. A stream holding MARKER is "found"; anything else is OK."""

from __future__ import annotations

import contextlib
import socket
import struct
import threading

MARKER = b"FAKE-TEST-VIRUS-NOT-A-REAL-ONE"
SIGNATURE = "Fake.Test.Signature"


def _read_exactly(conn: socket.socket, count: int) -> bytes:
    data = b""
    while len(data) < count:
        received = conn.recv(count - len(data))
        if not received:
            raise ConnectionError("the client closed the stream early")
        data += received
    return data


class FakeClamd:
    def __init__(self, unix_path: str | None = None, answer: bytes | None = None):
        if unix_path:
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.sock.bind(unix_path)
            self.address = f"unix:{unix_path}"
        else:
            self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            self.sock.bind(("127.0.0.1", 0))
            self.address = f"127.0.0.1:{self.sock.getsockname()[1]}"
        self.sock.listen(4)
        self.sock.settimeout(0.1)  # so the thread sees `close` soon
        self._stop = threading.Event()
        self.answer = answer  # a fixed reply instead of judging the stream
        self.received: list[bytes] = []
        self.commands: list[bytes] = []
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return  # closed
            with conn, contextlib.suppress(OSError):
                conn.settimeout(5)
                self._one(conn)

    def _one(self, conn: socket.socket) -> None:
        self.commands.append(_read_exactly(conn, len(b"zINSTREAM\0")))
        content = b""
        while True:
            (length,) = struct.unpack(">I", _read_exactly(conn, 4))
            if length == 0:
                break
            content += _read_exactly(conn, length)
        self.received.append(content)
        if self.answer is not None:
            conn.sendall(self.answer)
        elif MARKER in content:
            conn.sendall(f"stream: {SIGNATURE} FOUND\0".encode())
        else:
            conn.sendall(b"stream: OK\0")

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.sock.close()


def unused_address() -> str:
    """An address on this machine where nothing listens."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return f"127.0.0.1:{port}"
