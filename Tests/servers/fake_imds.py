#!/usr/bin/env python3
"""A fake EC2 instance metadata service (IMDSv2 only). Prints "PORT <n>" once it listens.

PUT /latest/api/token (with X-aws-ec2-metadata-token-ttl-seconds) returns a token; the
credential paths need it in X-aws-ec2-metadata-token, else 401. Each credentials fetch returns
a new key id (ASIAFAKE1, ASIAFAKE2, …) expiring argv[1] seconds later (default 3600).
GET /__fetches__ returns how many credential documents were served.
"""
import datetime
import json
import sys
import threading

import serving

lifetime = int(sys.argv[1]) if len(sys.argv) > 1 else 3600
TOKEN = "fake-imds-token"
ROLE = "roost-worker"
fetches = 0
lock = threading.Lock()


class IMDS(serving.Handler):
    def do_PUT(self):
        if self.path == "/latest/api/token" and self.headers.get("X-aws-ec2-metadata-token-ttl-seconds"):
            return self.reply(200, TOKEN)
        self.reply(400, "bad token request")

    def do_GET(self):
        global fetches
        if self.path == "/__fetches__":
            return self.reply(200, str(fetches))
        if self.headers.get("X-aws-ec2-metadata-token") != TOKEN:
            return self.reply(401, "")
        if self.path == "/latest/meta-data/iam/security-credentials/":
            return self.reply(200, ROLE)
        if self.path == f"/latest/meta-data/iam/security-credentials/{ROLE}":
            with lock:
                fetches += 1
                n = fetches
            expiration = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=lifetime)
            return self.reply(200, json.dumps({
                "Code": "Success", "Type": "AWS-HMAC", "AccessKeyId": f"ASIAFAKE{n}", "SecretAccessKey": f"secret{n}",
                "Token": f"token{n}", "Expiration": expiration.strftime("%Y-%m-%dT%H:%M:%SZ"),
            }))
        self.reply(404, "")


serving.serve(IMDS)
