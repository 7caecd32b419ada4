#!/usr/bin/env python3
"""S3 upload benchmark: 1 GiB in 8 MiB parts to moto_server, by Roost (`roost s3 cp`) and by
boto3's upload_file with the same part size and concurrency, in one invocation.

usage: .venv/bin/python scripts/bench-s3.py ROOST_BINARY [SIZE_MIB] [ROUNDS]

Prints MB/s for both, the ratio, and Roost's peak RSS, also as BENCH lines:
  BENCH s3.upload.mb_per_s V MB/s, s3.upload.ratio_vs_boto3 V x, s3.upload.peak_rss_mb V MB
(plus s3.upload.boto3_mb_per_s). Roost's RSS should stay near part size × concurrency (32 MiB)
plus the binary's own footprint, whatever the file size.

Fairness: each upload gets a fresh moto_server (moto keeps every part and object in its own
process, so a second upload to the same server would meet a different server), whose spill files
go to /dev/shm when it exists (moto writes every part over 5 MiB to a temporary file, which on the
shared disk made disk writeback part of the figure). The file is on disk and in the page cache
before the first upload, and each tool uploads it once untimed before the timed rounds. Uploads alternate (Roost, boto3, boto3, Roost, …: ROUNDS of each, 5 by
default) and the median of each is reported: on the shared machine single runs swing by 2–3×.
Both sign the payload's SHA-256 (over http boto3 does not use UNSIGNED-PAYLOAD) and send
x-amz-checksum-crc32 with every part.

Each upload is also split, from moto's request log, into its parts phase (CreateMultipartUpload
to the last part's response: what the client drives) and moto's CompleteMultipartUpload (moto
alone concatenating the GiB while the client waits; the noisiest half of the figure), printed
with BENCH s3.upload.parts_ratio_vs_boto3 (boto3's parts-phase seconds over Roost's).
"""
import os
import statistics
import subprocess
import sys
import tempfile
import time

import boto3
from boto3.s3.transfer import TransferConfig

roost = sys.argv[1]
size_mib = int(sys.argv[2]) if len(sys.argv) > 2 else 1024
rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 5
part_mib, concurrency = 8, 4  # Roost's defaults (S3Configuration); boto3 is given the same
root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
size_mb = size_mib * 1024 * 1024 / 1e6


class Moto:
    """A fresh moto_server for one upload, with its bucket, logging its requests to `request_log`."""

    def __init__(self, request_log):
        self.request_log = request_log

    def __enter__(self):
        environment = dict(os.environ)
        if os.path.isdir("/dev/shm"):
            environment["TMPDIR"] = "/dev/shm"
        self.process = subprocess.Popen([sys.executable, f"{root}/Tests/servers/moto_server.py", "--request-log", self.request_log],
                                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=environment)
        self.endpoint = f"http://127.0.0.1:{int(self.process.stdout.readline().split()[1])}"
        self.s3 = boto3.client("s3", endpoint_url=self.endpoint, region_name="us-east-1",
                               aws_access_key_id="bench", aws_secret_access_key="bench")
        self.s3.create_bucket(Bucket="roost-bench")
        return self

    def __exit__(self, *_):
        self.process.kill()
        self.process.wait()

    def phases(self):
        """Seconds of the parts phase (CreateMultipartUpload's start to the last part's response)
        and of CompleteMultipartUpload, from moto's request log."""
        create_start, parts_end, complete = None, 0.0, None
        with open(self.request_log) as log:
            for line in log:
                method, path, start, end = line.split()
                if method == "POST" and path.endswith("?uploads"):
                    create_start = float(start)
                elif method == "PUT" and "uploadId=" in path:
                    parts_end = max(parts_end, float(end))
                elif method == "POST" and "uploadId=" in path:
                    complete = float(end) - float(start)
        return parts_end - create_start, complete


def upload_with_roost(path, request_log):
    """Seconds, peak RSS (MB), CPU seconds of `roost s3 cp` and the upload's phases (`Moto.phases`)."""
    with Moto(request_log) as moto:
        environment = dict(os.environ, ROOST_S3_ENDPOINT=moto.endpoint, ROOST_S3_PATH_STYLE="true",
                           ROOST_S3_REGION="us-east-1", AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench",
                           AWS_EC2_METADATA_DISABLED="true")
        started = time.monotonic()
        child = subprocess.Popen([roost, "s3", "cp", path, "s3://roost-bench/roost.bin"], env=environment, cwd=root,
                                 stdout=subprocess.DEVNULL)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.monotonic() - started
        if status != 0:
            sys.exit(f"roost s3 cp failed with status {status}")
    return seconds, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime, moto.phases()


def upload_with_boto3(path, request_log):
    """Seconds and phases."""
    with Moto(request_log) as moto:
        config = TransferConfig(multipart_threshold=16 << 20, multipart_chunksize=part_mib << 20,
                                max_concurrency=concurrency)
        started = time.monotonic()
        moto.s3.upload_file(path, "roost-bench", "boto3.bin", Config=config)
        seconds = time.monotonic() - started
    return seconds, moto.phases()


with tempfile.TemporaryDirectory() as folder:
    path = f"{folder}/upload.bin"
    with open(path, "wb") as f:
        block = os.urandom(1 << 20)
        for _ in range(size_mib):
            f.write(block)
        f.flush()
        os.fsync(f.fileno())
    with open(path, "rb") as f:
        while f.read(8 << 20):
            pass

    # One untimed upload by each tool first: the first two uploads after the file is written
    # ran slower for either tool, and the first one is always Roost's.
    upload_with_boto3(path, f"{folder}/warm-up-boto3.log")
    upload_with_roost(path, f"{folder}/warm-up-roost.log")
    roost_runs, boto_runs = [], []
    for round_number in range(rounds):
        order = ["roost", "boto3"] if round_number % 2 == 0 else ["boto3", "roost"]
        for tool in order:
            request_log = f"{folder}/{tool}-{round_number}.log"
            if tool == "roost":
                roost_runs.append(upload_with_roost(path, request_log))
            else:
                boto_runs.append(upload_with_boto3(path, request_log))

roost_seconds = statistics.median(seconds for seconds, _, _, _ in roost_runs)
roost_cpu = statistics.median(cpu for _, _, cpu, _ in roost_runs)
boto_seconds = statistics.median(seconds for seconds, _ in boto_runs)
peak_rss_mb = max(rss for _, rss, _, _ in roost_runs)
roost_rate, boto_rate = size_mb / roost_seconds, size_mb / boto_seconds
roost_parts, roost_complete = (statistics.median(phases[i] for *_, phases in roost_runs) for i in (0, 1))
boto_parts, boto_complete = (statistics.median(phases[i] for _, phases in boto_runs) for i in (0, 1))
print(f"upload {size_mib} MiB in {part_mib} MiB parts, {concurrency} at once, to moto_server, median of {rounds}:")
print(f"  roost  {roost_rate:8.1f} MB/s  ({roost_seconds:.1f} s, {roost_cpu:.1f} s CPU, peak RSS {peak_rss_mb:.0f} MB;"
      f" all runs {', '.join(f'{size_mb / s:.0f}' for s, _, _, _ in roost_runs)} MB/s)")
print(f"  boto3  {boto_rate:8.1f} MB/s  ({boto_seconds:.1f} s; all runs {', '.join(f'{size_mb / s:.0f}' for s, _ in boto_runs)} MB/s)")
print(f"  ratio  {roost_rate / boto_rate:.2f}x")
print(f"  parts phase    roost {roost_parts:.2f} s, boto3 {boto_parts:.2f} s ({boto_parts / roost_parts:.2f}x);"
      f" CompleteMultipartUpload (moto alone) roost {roost_complete:.2f} s, boto3 {boto_complete:.2f} s;"
      f" all runs {', '.join(f'{p:.2f}+{c:.2f}' for *_, (p, c) in roost_runs)} / {', '.join(f'{p:.2f}+{c:.2f}' for _, (p, c) in boto_runs)} s")
print(f"BENCH s3.upload.mb_per_s {roost_rate:.1f} MB/s")
print(f"BENCH s3.upload.boto3_mb_per_s {boto_rate:.1f} MB/s")
print(f"BENCH s3.upload.ratio_vs_boto3 {roost_rate / boto_rate:.2f} x")
print(f"BENCH s3.upload.parts_ratio_vs_boto3 {boto_parts / roost_parts:.2f} x")
print(f"BENCH s3.upload.peak_rss_mb {peak_rss_mb:.0f} MB")
