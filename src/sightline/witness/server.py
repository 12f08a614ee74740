"""The witness over HTTP (standard library only): ``POST /add-checkpoint`` and the monitoring
endpoint ``GET /<origin hash>/checkpoint``. Put TLS in front of it (a reverse proxy or bastion):
the protocol authenticates checkpoints by their signatures, not the transport."""

from __future__ import annotations

import logging
import re
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from sightline.witness import protocol
from sightline.witness.core import Reply, Witness, text_reply

log = logging.getLogger("sightline.witness.http")

_MONITOR_PATH = re.compile(r"/([0-9a-f]{64})/checkpoint")


class WitnessServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], witness: Witness) -> None:
        self.witness = witness
        super().__init__(address, _Handler)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the spec asks; every reply has a length
    server_version = "sightline-witness"
    timeout = 30  # a client that stalls mid-request does not hold a thread for ever
    server: WitnessServer

    def do_POST(self) -> None:
        if self.path.split("?", 1)[0] != "/add-checkpoint":
            self._reply(text_reply(404, "not found"))
            return
        length_text = self.headers.get("Content-Length")
        if self.headers.get("Transfer-Encoding") or length_text is None:
            self._reply(text_reply(411, "send the request with a Content-Length"), close=True)
            return
        try:
            length = int(length_text)
        except ValueError:
            length = -1
        if not 0 <= length <= protocol.MAX_REQUEST_BYTES:
            self._reply(
                text_reply(413, f"a request body has at most {protocol.MAX_REQUEST_BYTES} bytes"), close=True
            )
            return
        data = self.rfile.read(length)
        try:
            reply = self.server.witness.add_checkpoint(data)
        except Exception:  # the witness must keep serving; the traceback goes to the log
            log.exception("add-checkpoint failed")
            reply = text_reply(500, "internal error")
        self._reply(reply)

    def do_GET(self) -> None:
        match = _MONITOR_PATH.fullmatch(self.path.split("?", 1)[0])
        if match is None:
            self._reply(text_reply(404, "not found"))
            return
        self._reply(self.server.witness.latest_note(match.group(1)))

    def _reply(self, reply: Reply, close: bool = False) -> None:
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        if close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(reply.body)

    def log_message(self, format: str, *args: Any) -> None:
        log.info("%s %s", self.address_string(), format % args)


def make_server(witness: Witness, host: str = "127.0.0.1", port: int = 0) -> WitnessServer:
    """A bound, not yet serving, witness server (port 0 picks a free port)."""
    return WitnessServer((host, port), witness)
