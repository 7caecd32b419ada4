#!/usr/bin/env python3
"""S3 upload benchmark: 1 GiB in 8 MiB parts to moto_server, by Roost (`roost s3 cp`) and by
boto3's upload_file with the same part size and concurrency, in one invocation.

usage: .venv/bin/python scripts/bench-s3.py ROOST_BINARY [SIZE_MIB]

Prints MB/s for both, the ratio, and Roost's peak RSS, also as BENCH lines:
  BENCH s3.upload.mb_per_s V MB/s, s3.upload.ratio_vs_boto3 V x, s3.upload.peak_rss_mb V MB
(plus s3.upload.boto3_mb_per_s). Roost's RSS should stay near part size × concurrency (32 MiB)
plus the binary's own footprint, whatever the file size.
"""
import os
import subprocess
import sys
import tempfile
import time

import boto3
from boto3.s3.transfer import TransferConfig

roost = sys.argv[1]
size_mib = int(sys.argv[2]) if len(sys.argv) > 2 else 1024
part_mib, concurrency = 8, 4  # Roost's defaults (S3Configuration); boto3 is given the same
root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

moto = subprocess.Popen([sys.executable, f"{root}/Tests/servers/moto_server.py"], stdout=subprocess.PIPE,
                        stderr=subprocess.DEVNULL, text=True)
try:
    port = int(moto.stdout.readline().split()[1])
    endpoint = f"http://127.0.0.1:{port}"
    s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                      aws_access_key_id="bench", aws_secret_access_key="bench")
    s3.create_bucket(Bucket="roost-bench")
    with tempfile.TemporaryDirectory() as folder:
        path = f"{folder}/upload.bin"
        with open(path, "wb") as f:
            block = os.urandom(1 << 20)
            for _ in range(size_mib):
                f.write(block)
        size_mb = size_mib * 1024 * 1024 / 1e6

        environment = dict(os.environ, ROOST_S3_ENDPOINT=endpoint, ROOST_S3_PATH_STYLE="true", ROOST_S3_REGION="us-east-1",
                           AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench", AWS_EC2_METADATA_DISABLED="true")
        started = time.monotonic()
        child = subprocess.Popen([roost, "s3", "cp", path, "s3://roost-bench/roost.bin"], env=environment, cwd=root,
                                 stdout=subprocess.DEVNULL)
        _, status, usage = os.wait4(child.pid, 0)
        roost_seconds = time.monotonic() - started
        if status != 0:
            sys.exit(f"roost s3 cp failed with status {status}")
        peak_rss_mb = usage.ru_maxrss / 1024
        roost_cpu = usage.ru_utime + usage.ru_stime
        s3.delete_object(Bucket="roost-bench", Key="roost.bin")

        config = TransferConfig(multipart_threshold=16 << 20, multipart_chunksize=part_mib << 20, max_concurrency=concurrency)
        started = time.monotonic()
        s3.upload_file(path, "roost-bench", "boto3.bin", Config=config)
        boto_seconds = time.monotonic() - started
        s3.delete_object(Bucket="roost-bench", Key="boto3.bin")
finally:
    moto.kill()

roost_rate, boto_rate = size_mb / roost_seconds, size_mb / boto_seconds
print(f"upload {size_mib} MiB in {part_mib} MiB parts, {concurrency} at once, to moto_server:")
print(f"  roost  {roost_rate:8.1f} MB/s  ({roost_seconds:.1f} s, {roost_cpu:.1f} s CPU, peak RSS {peak_rss_mb:.0f} MB)")
print(f"  boto3  {boto_rate:8.1f} MB/s  ({boto_seconds:.1f} s)")
print(f"  ratio  {roost_rate / boto_rate:.2f}x")
print(f"BENCH s3.upload.mb_per_s {roost_rate:.1f} MB/s")
print(f"BENCH s3.upload.boto3_mb_per_s {boto_rate:.1f} MB/s")
print(f"BENCH s3.upload.ratio_vs_boto3 {roost_rate / boto_rate:.2f} x")
print(f"BENCH s3.upload.peak_rss_mb {peak_rss_mb:.0f} MB")
