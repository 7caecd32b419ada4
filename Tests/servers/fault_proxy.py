#!/usr/bin/env python3
"""A fault-injecting HTTP proxy in front of another server (argv[1]: its port). Prints
"PORT <n>" once it listens.

POST /__faults__ with a JSON list of rules replaces the rules; GET /__faults__ returns
{"hits": n}, the faults served so far. A rule:
  {"method": "PUT", "match": "partNumber=3", "times": 2,
   "action": "status", "status": 503, "code": "SlowDown"}   (an S3-style XML error)
  {"method": "GET", "match": "/key", "times": 1, "action": "drop"}   (close without answer)
  {"method": "PUT", "match": "/b/", "times": 99, "action": "delay", "seconds": 0.3}   (then forward)
"match" is a substring of the path and query. Other requests are forwarded unchanged.
"""
import http.client
import json
import socket
import sys
import threading
import time

import serving

upstream_port = int(sys.argv[1])
rules = []
hits = 0
lock = threading.Lock()


def take_fault(method, target):
    global hits
    with lock:
        for rule in rules:
            if rule["times"] > 0 and rule.get("method", method) == method and rule.get("match", "") in target:
                rule["times"] -= 1
                hits += 1
                return rule
    return None


class Proxy(serving.Handler):
    def handle_any(self):
        global rules
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.path.startswith("/__faults__"):
            if self.command == "POST":
                with lock:
                    rules = json.loads(body)
            with lock:
                return self.reply(200, json.dumps({"hits": hits}).encode())
        fault = take_fault(self.command, self.path)
        if fault and fault["action"] == "drop":
            self.connection.shutdown(socket.SHUT_RDWR)
            self.close_connection = True
            return
        if fault and fault["action"] == "delay":
            time.sleep(fault["seconds"])
            fault = None
        if fault:
            error = f"<Error><Code>{fault['code']}</Code><Message>injected {fault['code']}</Message><RequestId>fault-{hits}</RequestId></Error>"
            return self.reply(fault["status"], error.encode(), [("Content-Type", "application/xml")])
        connection = http.client.HTTPConnection("127.0.0.1", upstream_port)
        connection.request(self.command, self.path, body=body, headers=dict(self.headers.items()))
        response = connection.getresponse()
        payload = response.read()
        skip = {"transfer-encoding", "connection", "content-length"}
        self.reply(response.status, payload, [(k, v) for k, v in response.getheaders() if k.lower() not in skip])
        connection.close()

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = handle_any


serving.serve(Proxy)
