"""The provisioning test: provision.yml, the aws_ec2 inventory and teardown.yml against a moto_server
that this test starts on a free loopback port. Prints one "ok NAME" or "FAIL NAME" line per check
and exits non-zero if any failed."""
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import boto3
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

HERE = Path(__file__).resolve().parent
ANSIBLE_DIR = HERE.parent
FLEET = "roost-test"
SSH_CIDR = "198.51.100.0/24"
failures = 0


def check(name, condition, detail=""):
    global failures
    print(f"ok {name}" if condition else f"FAIL {name}")
    if not condition:
        failures += 1
        for line in str(detail).splitlines()[-20:]:
            print(f"    {line}")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_moto():
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{url}/moto-api/", timeout=1)
            return server, url
        except OSError:
            if server.poll() is not None:
                raise RuntimeError("moto_server exited")
            time.sleep(0.2)
    server.kill()
    raise RuntimeError("moto_server did not start within 30 s")


def main():
    server, url = start_moto()
    env = dict(os.environ, AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_REGION="us-east-1",
               ANSIBLE_CONFIG=str(ANSIBLE_DIR / "ansible.cfg"), ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0")
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_URL"):
        env.pop(name, None)
    ec2 = boto3.client("ec2", endpoint_url=url, region_name="us-east-1",
                       aws_access_key_id="testing", aws_secret_access_key="testing")
    iam = boto3.client("iam", endpoint_url=url, region_name="us-east-1",
                       aws_access_key_id="testing", aws_secret_access_key="testing")
    work = Path(tempfile.mkdtemp(prefix="roost-provision."))
    public_key = ed25519.Ed25519PrivateKey.generate().public_key().public_bytes(
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH).decode()
    try:
        run_checks(url, env, ec2, iam, public_key, work)
    finally:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(work, ignore_errors=True)
    return 1 if failures else 0


def playbook(playbook_name, env, url, public_key, log, **extra):
    """Runs a playbook against moto; returns (succeeded, changed count, output)."""
    extra_vars = {"aws_endpoint_url": url, "roost_ssh_public_key": public_key, **extra}
    result = subprocess.run(
        ["ansible-playbook", "-i", "localhost,", str(ANSIBLE_DIR / playbook_name),
         "-e", f"@{HERE / 'moto-vars.yml'}", "-e", json.dumps(extra_vars)],
        env=env, capture_output=True, text=True)
    output = result.stdout + result.stderr
    log.write_text(output)
    recap = re.search(r"^localhost\s+: ok=\d+\s+changed=(\d+)", output, re.MULTILINE)
    return result.returncode == 0, int(recap.group(1)) if recap else -1, output


def summary(instances):
    """What a failure report needs of instances: id, role, subnet."""
    return [(i["InstanceId"], next((t["Value"] for t in i["Tags"] if t["Key"] == "roost_role"), None), i["SubnetId"])
            for i in instances]


def fleet_instances(ec2, role=None):
    filters = [{"Name": "tag:roost_fleet", "Values": [FLEET]},
               {"Name": "instance-state-name", "Values": ["pending", "running"]}]
    if role:
        filters.append({"Name": "tag:roost_role", "Values": [role]})
    return [i for r in ec2.describe_instances(Filters=filters)["Reservations"] for i in r["Instances"]]


def group(ec2, name):
    groups = ec2.describe_security_groups(Filters=[{"Name": "group-name", "Values": [f"{FLEET}-{name}"]}])
    return groups["SecurityGroups"][0] if groups["SecurityGroups"] else None


def run_checks(url, env, ec2, iam, public_key, work):
    converge = lambda count, log: playbook("provision.yml", env, url, public_key, work / log, roost_worker_count=count)

    ok, changed, output = converge(3, "provision-3.log")
    check("provision.yml creates the fleet", ok and changed > 0, output)
    vpcs = ec2.describe_vpcs(Filters=[{"Name": "tag:roost_fleet", "Values": [FLEET]}])["Vpcs"]
    subnets = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [v["VpcId"] for v in vpcs]}])["Subnets"] if vpcs else []
    check("it creates the VPC and its subnets", len(vpcs) == 1 and len(subnets) == 2, (vpcs, subnets))

    groups = {name: group(ec2, name) for name in ("scheduler", "worker", "kafka", "postgres")}
    check("it creates a security group per role", all(groups.values()), list(groups))
    if all(groups.values()):
        ids = {name: g["GroupId"] for name, g in groups.items()}
        worker_in = groups["worker"]["IpPermissions"]
        check("nothing reaches workers but SSH from the allowed range",
              [(p.get("FromPort"), p.get("ToPort"), [r["CidrIp"] for r in p.get("IpRanges", [])],
                p.get("UserIdGroupPairs", [])) for p in worker_in] == [(22, 22, [SSH_CIDR], [])], worker_in)
        pg_sources = sorted(pair["GroupId"] for p in groups["postgres"]["IpPermissions"] if p.get("FromPort") == 5432
                            for pair in p.get("UserIdGroupPairs", []))
        pg_ranges = [r for p in groups["postgres"]["IpPermissions"] if p.get("FromPort") == 5432 for r in p.get("IpRanges", [])]
        check("PostgreSQL is reached only from the scheduler and workers",
              pg_sources == sorted([ids["scheduler"], ids["worker"]]) and not pg_ranges, groups["postgres"])
        egress = {(p.get("FromPort"), tuple(sorted(x["GroupId"] for x in p.get("UserIdGroupPairs", []))))
                  for p in groups["worker"]["IpPermissionsEgress"]}
        check("workers reach PostgreSQL, Kafka and HTTPS (S3) only",
              {(5432, (ids["postgres"],)), (9092, (ids["kafka"],)), (443, ())} <= egress
              and all(port in (80, 443, 5432, 9092) for port, _ in egress), groups["worker"]["IpPermissionsEgress"])

    workers = fleet_instances(ec2, "roost_worker")
    check("it launches 3 tagged workers", len(workers) == 3, [i["InstanceId"] for i in workers])
    check("workers are spread over both subnets", len({i["SubnetId"] for i in workers}) == 2, summary(workers))
    everyone = fleet_instances(ec2)
    check("one scheduler, one Kafka and one PostgreSQL host",
          sorted(t["Value"] for i in everyone for t in i["Tags"] if t["Key"] == "roost_role")
          == ["kafka", "postgres", "roost_scheduler"] + ["roost_worker"] * 3, summary(everyone))
    check("IMDSv2 is required on every instance",
          everyone and all(i.get("MetadataOptions", {}).get("HttpTokens") == "required" for i in everyone),
          [i.get("MetadataOptions") for i in everyone])
    profile = f"{FLEET}-instance"
    check("workers and scheduler use the instance profile, the others none",
          all(i.get("IamInstanceProfile", {}).get("Arn", "").endswith(f"/{profile}") == (role in ("roost_worker", "roost_scheduler"))
              for i in everyone for role in [next(t["Value"] for t in i["Tags"] if t["Key"] == "roost_role")]),
          [(i["InstanceId"], i.get("IamInstanceProfile")) for i in everyone])
    policy = iam.get_role_policy(RoleName=profile, PolicyName="roost-lake")["PolicyDocument"]
    check("the instance role allows the lake bucket only",
          {r for s in policy["Statement"] for r in ([s["Resource"]] if isinstance(s["Resource"], str) else s["Resource"])}
          == {f"arn:aws:s3:::{FLEET}-lake", f"arn:aws:s3:::{FLEET}-lake/*"}, policy)

    ok, changed, output = converge(3, "provision-3-again.log")
    check("run twice with the same count, it reports no change", ok and changed == 0, output)

    ok, _, output = converge(5, "provision-5.log")
    check("scaled to 5, exactly 5 workers run", ok and len(fleet_instances(ec2, "roost_worker")) == 5, output)
    ok, _, output = converge(2, "provision-2.log")
    check("scaled to 2, exactly 2 workers run", ok and len(fleet_instances(ec2, "roost_worker")) == 2, output)
    check("scaling leaves the other roles alone", len(fleet_instances(ec2)) == 5, summary(fleet_instances(ec2)))

    inventory = subprocess.run(
        ["ansible-inventory", "-i", str(ANSIBLE_DIR / "inventory" / "aws_ec2.yml"), "--list"],
        env=dict(env, AWS_ENDPOINT_URL=url, ROOST_FLEET=FLEET), capture_output=True, text=True)
    groups_listed = {}
    if inventory.returncode == 0:
        listed = json.loads(inventory.stdout)
        groups_listed = {g: sorted(listed.get(g, {}).get("hosts", []))
                         for g in ("roost_scheduler", "roost_worker", "kafka", "postgres")}
    expected = {role: sorted(i["InstanceId"] for i in fleet_instances(ec2, role))
                for role in ("roost_scheduler", "roost_worker", "kafka", "postgres")}
    check("the aws_ec2 inventory lists the instances in their role groups", groups_listed == expected,
          f"{inventory.stderr}\nlisted {groups_listed}\nexpected {expected}")

    ssm = boto3.client("ssm", endpoint_url=url, region_name="us-east-1",
                       aws_access_key_id="testing", aws_secret_access_key="testing")
    stored = {"database_owner_password": "o-1", "database_scheduler_password": "s-2",
              "database_worker_password": "w-3", "twitter_bearer_token": "t-4"}
    for name, value in stored.items():
        ssm.put_parameter(Name=f"/{FLEET}/{name}", Value=value, Type="SecureString")
    lookup = subprocess.run(
        ["ansible", "-i", "localhost,", "localhost", "-m", "ansible.builtin.assert",
         "-a", json.dumps({"that": [f"roost_secrets == {stored!r}"], "quiet": True}),
         "-e", json.dumps({"roost_secrets_source": "ssm", "roost_fleet": FLEET, "aws_endpoint_url": url,
                           "ansible_python_interpreter": sys.executable})],
        cwd=ANSIBLE_DIR, env=env, capture_output=True, text=True)
    check("with roost_secrets_source=ssm, secrets come from SSM Parameter Store", lookup.returncode == 0,
          lookup.stdout + lookup.stderr)

    ok, _, output = playbook("teardown.yml", env, url, public_key, work / "teardown.log")
    check("teardown.yml removes the fleet", ok and not fleet_instances(ec2)
          and not ec2.describe_vpcs(Filters=[{"Name": "tag:roost_fleet", "Values": [FLEET]}])["Vpcs"]
          and not any(g["GroupName"].startswith(f"{FLEET}-") for g in ec2.describe_security_groups()["SecurityGroups"]),
          output)


if __name__ == "__main__":
    sys.exit(main())
