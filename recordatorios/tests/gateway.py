"""A real HTTP gateway on loopback for the channel tests: records what it receives and
answers with the statuses it is told to (200 with an id by default)."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


class Pasarela:
    def __init__(self):
        self.recibidos = []  # (path, headers, body bytes)
        self.respuestas = []  # statuses to answer, in order; then 200
        self.demora = 0.0  # seconds each answer takes (a slow gateway: the window sweeps overlap in)
        self._lock = threading.Lock()
        pasarela = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                time.sleep(pasarela.demora)
                with pasarela._lock:
                    pasarela.recibidos.append((self.path, dict(self.headers), body))
                    n = len(pasarela.recibidos)
                    status = pasarela.respuestas.pop(0) if pasarela.respuestas else 200
                answer = json.dumps({"id": f"gw-{n}", "sid": f"SM{n}"} if status == 200 else {"error": "x"})
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(answer.encode())

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def json(self):
        return [json.loads(body) for _, _, body in self.recibidos]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def pasarela():
    gateway = Pasarela()
    yield gateway
    gateway.close()
