"""A virus scanner for uploaded files, spoken to in ClamAV's daemon protocol (clamd).

Off unless the council gives an address (`CPC_CLAMD_ADDRESS`: `host:port` for TCP or
`unix:/path/to/clamd.sock`). The file is sent with INSTREAM: the command `zINSTREAM\\0`, the
content in chunks each led by its length as four big-endian bytes, then a zero length; clamd
answers `stream: OK` or `stream: <signature> FOUND`. When a scanner is configured and cannot
be reached, or answers anything else, the upload is refused (fail closed): a file nobody
checked is not kept.
"""

from __future__ import annotations

import logging
import socket
import struct
from dataclasses import dataclass

from engine.documents.upload_checks import FileRefused

CHUNK = 64 * 1024
MAX_REPLY = 4096
log = logging.getLogger(__name__)


class VirusFound(FileRefused):
    pass


class ScannerUnavailable(FileRefused):
    pass


def parse_address(value: str) -> tuple[str, str | tuple[str, int]]:
    """('unix', path) or ('tcp', (host, port)); ValueError saying what is expected."""
    value = value.strip()
    if value.startswith("unix:"):
        path = value[len("unix:") :]
        if not path.startswith("/"):
            raise ValueError(f"must be unix:/absolute/path or host:port, not {value!r}")
        return "unix", path
    host, _, port = value.rpartition(":")
    host = host.strip("[]")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"must be host:port (such as 127.0.0.1:3310) or unix:/path, not {value!r}")
    return "tcp", (host, int(port))


@dataclass(frozen=True)
class Clamd:
    address: str
    timeout: float = 30.0

    def _connect(self) -> socket.socket:
        family, where = parse_address(self.address)
        if family == "unix":
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.settimeout(self.timeout)
            try:
                sock.connect(where)
            except OSError:
                sock.close()
                raise
            return sock
        return socket.create_connection(where, timeout=self.timeout)

    def reply(self, content: bytes) -> str:
        """clamd's answer for this content; OSError if it cannot be had."""
        with self._connect() as sock:
            sock.sendall(b"zINSTREAM\0")
            for start in range(0, len(content), CHUNK):
                chunk = content[start : start + CHUNK]
                sock.sendall(struct.pack(">I", len(chunk)) + chunk)
            sock.sendall(struct.pack(">I", 0))
            answer = b""
            while b"\0" not in answer and len(answer) < MAX_REPLY:
                received = sock.recv(MAX_REPLY)
                if not received:
                    break
                answer += received
        return answer.split(b"\0", 1)[0].decode("utf-8", "replace").strip()

    def check(self, content: bytes) -> None:
        """Nothing if clamd says the content is clean; `VirusFound` or `ScannerUnavailable`."""
        try:
            answer = self.reply(content)
        except OSError as exc:
            log.warning("virus scanner at %s not reachable: %s", self.address, exc)
            raise ScannerUnavailable(
                "The file could not be checked for viruses because the scanner is not "
                "answering, so it has not been saved. Try again in a few minutes; if it keeps "
                "happening, tell the service desk."
            ) from exc
        if answer == "stream: OK":
            return
        if answer.startswith("stream: ") and answer.endswith(" FOUND"):
            signature = answer[len("stream: ") : -len(" FOUND")]
            log.warning("virus scanner refused an upload: %s", signature)
            raise VirusFound(
                f"The virus scanner found something harmful in this file ({signature}), so it "
                "has not been saved. Do not send it on; ask your IT service to check the "
                "computer it came from."
            )
        log.warning("virus scanner at %s answered %r", self.address, answer[:200])
        raise ScannerUnavailable(
            "The virus scanner could not check this file, so it has not been saved. "
            "Try again; if it keeps happening, tell the service desk."
        )


def scanner(address: str | None, timeout: float = 30.0) -> Clamd | None:
    """The configured scanner, or None when the council has not switched one on."""
    return Clamd(address, timeout) if address else None
