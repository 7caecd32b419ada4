"""What the test servers share: a quiet HTTP/1.1 handler with `reply`; `serve`, which binds
127.0.0.1 on a free port, prints "PORT <n>" and serves until killed; and `exit_with_parent`."""
import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def exit_with_parent():
    """Exits when the test process that started this server is gone: servers shared by a whole
    test run are never stopped explicitly, and would otherwise outlive it (and hold its output)."""
    parent = os.getppid()

    def watch():
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(0)

    threading.Thread(target=watch, daemon=True).start()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, status, body, headers=()):
        body = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


def serve(handler):
    exit_with_parent()
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    print(f"PORT {server.server_address[1]}", flush=True)
    server.serve_forever()
