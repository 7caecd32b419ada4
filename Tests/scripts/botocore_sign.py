#!/usr/bin/env python3
"""Signs requests with botocore's S3 SigV4 signer, for comparison with Roost's.

Reads a JSON list of requests from the file named by argv[1]; prints a JSON list of
{"canonical_request", "authorization"}. Each request has method, path and query (decoded),
headers ([[name, value]]), body_base64, region, timestamp (YYYYMMDDTHHMMSSZ), access_key,
secret_key and optional token.
"""
import base64
import datetime
import json
import sys
from unittest import mock
from urllib.parse import quote

from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials


def sign(spec):
    path = quote(spec["path"], safe="/-_.~")
    query = "&".join(f"{quote(n, safe='-_.~')}={quote(v, safe='-_.~')}" for n, v in spec["query"])
    url = f"http://{dict((n.lower(), v) for n, v in spec['headers'])['host']}{path}" + (f"?{query}" if query else "")
    request = AWSRequest(method=spec["method"], url=url, data=base64.b64decode(spec["body_base64"]))
    for name, value in spec["headers"]:
        request.headers[name] = value
    signer = S3SigV4Auth(Credentials(spec["access_key"], spec["secret_key"], spec.get("token")), "s3", spec["region"])
    now = datetime.datetime.strptime(spec["timestamp"], "%Y%m%dT%H%M%SZ")
    with mock.patch("botocore.auth.get_current_datetime", return_value=now):
        signer.add_auth(request)
        authorization = request.headers["Authorization"]
        del request.headers["Authorization"]
        canonical = signer.canonical_request(request)
    return {"canonical_request": canonical, "authorization": authorization}


with open(sys.argv[1]) as f:
    print(json.dumps([sign(spec) for spec in json.load(f)]))
