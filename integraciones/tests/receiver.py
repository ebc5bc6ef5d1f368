"""A webhook receiver on loopback for the tests: records what it gets, answers the statuses given."""

import http.server
import threading


class Receiver:
    def __init__(self, statuses=(200,), delay=0.0, hold_first=0.0):
        self.statuses = list(statuses)
        self.delay = delay
        self.hold_first = hold_first  # seconds the first request is held before its answer
        self.requests = []  # (headers dict, body bytes)
        self.arrived = threading.Event()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.requests.append((dict(self.headers), body))
                receiver.arrived.set()
                delay = receiver.hold_first if len(receiver.requests) == 1 and receiver.hold_first else receiver.delay
                if delay:
                    threading.Event().wait(delay)
                status = receiver.statuses.pop(0) if len(receiver.statuses) > 1 else receiver.statuses[0]
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
