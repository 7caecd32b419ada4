#!/usr/bin/env python3
"""A small HTTP/1.1 server for RoostHTTP's tests. Binds 127.0.0.1 on a free port and prints
"PORT <n>" on stdout once it listens.

  /echo         any method: the request body back, and a JSON header X-Echo with the method,
                query, headers and the client's port (which tells connections apart)
  /bytes?n=N    N bytes of the pattern i % 251
  /status/N     status N, body "status N", header X-Mixed-Case
  /slow?s=S     waits S seconds, then 200; stops early when the client hangs up
  /active       how many /slow requests are waiting now
  /drop         closes the connection without a response
"""
import select
import threading
import json
import socket
import sys
import time

import serving
from urllib.parse import parse_qs, urlsplit


active = 0
active_lock = threading.Lock()


class Handler(serving.Handler):
    def read_body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            body = b""
            while True:
                size = int(self.rfile.readline().strip().split(b";")[0], 16)
                if size == 0:
                    self.rfile.readline()
                    return body
                body += self.rfile.read(size)
                self.rfile.readline()
        return self.rfile.read(int(self.headers.get("Content-Length", 0)))


    def handle_any(self):
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        body = self.read_body()
        if url.path == "/echo":
            report = {
                "method": self.command, "path": url.path, "query": url.query, "client_port": self.client_address[1],
                "headers": {k.lower(): v for k, v in self.headers.items()},
            }
            self.reply(200, body, [("X-Echo", json.dumps(report))])
        elif url.path == "/bytes":
            n = int(query["n"][0])
            self.reply(200, bytes(i % 251 for i in range(n)))
        elif url.path.startswith("/status/"):
            status = int(url.path.rsplit("/", 1)[1])
            self.reply(status, f"status {status}".encode(), [("X-Mixed-Case", "yes"), ("Set-Cookie", "a=1"), ("Set-Cookie", "b=2")])
        elif url.path == "/slow":
            self.slow(float(query["s"][0]))
        elif url.path == "/active":
            self.reply(200, str(active).encode())
        elif url.path == "/drop":
            self.connection.shutdown(socket.SHUT_RDWR)
            self.close_connection = True
        else:
            self.reply(404, b"no such path")

    def slow(self, seconds):
        global active
        with active_lock:
            active += 1
        try:
            deadline = time.time() + seconds
            while time.time() < deadline:
                readable, _, _ = select.select([self.connection], [], [], 0.05)
                if readable and not self.connection.recv(1, socket.MSG_PEEK):
                    self.close_connection = True
                    return
            self.reply(200, b"slow")
        finally:
            with active_lock:
                active -= 1

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = do_PATCH = handle_any


serving.serve(Handler)
