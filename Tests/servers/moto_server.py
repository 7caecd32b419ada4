#!/usr/bin/env python3
"""moto's S3 (and IAM) on a free loopback port; prints "PORT <n>" once it listens.

With --request-log FILE, every request appends "METHOD PATH START END" to FILE (time.monotonic
seconds), for the S3 benchmark's split of an upload into its phases.

With --auth, signature checking is on: the first three requests (made here through boto3)
create an IAM user, an access key and an allow-all policy, printed as
"CREDENTIALS <key id> <secret>"; every later request must be signed with that key.
"""
import json
import os
import sys
import threading
import time

auth = "--auth" in sys.argv
if auth:
    os.environ["INITIAL_NO_AUTH_ACTION_COUNT"] = "3"

from moto.server import ThreadedMotoServer  # noqa: E402  (reads the setting above on import)

import serving  # noqa: E402

serving.exit_with_parent()

if "--request-log" in sys.argv:
    from werkzeug.serving import WSGIRequestHandler

    request_log = open(sys.argv[sys.argv.index("--request-log") + 1], "a", buffering=1)
    log_lock = threading.Lock()
    run_wsgi = WSGIRequestHandler.run_wsgi

    def logged_run_wsgi(handler):
        started = time.monotonic()
        try:
            return run_wsgi(handler)
        finally:
            with log_lock:
                request_log.write(f"{handler.command} {handler.path} {started} {time.monotonic()}\n")

    WSGIRequestHandler.run_wsgi = logged_run_wsgi

server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
server.start()
_, port = server.get_host_and_port()

if auth:
    import boto3

    iam = boto3.client("iam", endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1",
                       aws_access_key_id="bootstrap", aws_secret_access_key="bootstrap")
    iam.create_user(UserName="roost")
    key = iam.create_access_key(UserName="roost")["AccessKey"]
    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    iam.put_user_policy(UserName="roost", PolicyName="everything", PolicyDocument=json.dumps(policy))
    print(f"CREDENTIALS {key['AccessKeyId']} {key['SecretAccessKey']}", flush=True)

print(f"PORT {port}", flush=True)
threading.Event().wait()
