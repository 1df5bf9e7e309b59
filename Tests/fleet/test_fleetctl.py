"""fleetctl, the operators' CLI, against fleetd on its embedded simulated fleet."""
import json
import os
import subprocess
import time
import uuid

from fleet_harness import build_dir, fleetd  # noqa: F401 (fixture)


def fleetctl(fleetd, *args, timeout=30):
    environment = dict(os.environ, FLEETCTL_SERVER=fleetd.address)
    return subprocess.run([os.path.join(build_dir(), "fleetctl"), *args], capture_output=True, text=True,
                          timeout=timeout, env=environment)


def test_capacity_prints_a_table_of_every_cluster(fleetd):
    out = fleetctl(fleetd, "capacity")
    assert out.returncode == 0, out.stderr
    header, *rows = out.stdout.strip().splitlines()
    assert header.split()[:4] == ["CLUSTER", "CLOUD", "REGION", "HEALTH"]
    assert sorted(row.split()[0] for row in rows) == ["aks-westeurope", "eks-us-east-1", "gke-us-central1", "onprem-dc1"]
    assert all("HEALTHY" in row for row in rows)


def test_deploy_get_list_serve_and_delete(fleetd):
    name = f"cli-{uuid.uuid4().hex[:6]}"
    common = ["--team", "ml-research", "--image", "registry.example/llm:1", "--cpu", "2", "--memory", "8Gi",
              "--gpu", "nvidia-tesla-a100=1"]
    dry = fleetctl(fleetd, "deploy", name, *common, "--dry-run")
    assert dry.returncode == 0 and "Nothing was written" in dry.stdout, dry.stdout + dry.stderr

    deployed = fleetctl(fleetd, "deploy", name, *common, "--replicas", "2", "-o", "json")
    assert deployed.returncode == 0, deployed.stderr
    answer = json.loads(deployed.stdout)
    deployment = answer["deployment"]
    assert deployment["state"] == "DEPLOYMENT_STATE_PLACED" and deployment["cluster"] in {"gke-us-central1", "eks-us-east-1"}

    def ready():
        got = json.loads(fleetctl(fleetd, "get", deployment["id"], "-o", "json").stdout)
        return got.get("readyReplicas") == 2
    deadline = time.monotonic() + 15
    while not ready():
        assert time.monotonic() < deadline, "the deployment never became ready"
        time.sleep(0.2)

    listed = fleetctl(fleetd, "list", "--team", "ml-research")
    assert listed.returncode == 0 and deployment["id"] in listed.stdout and "RUNNING" in listed.stdout

    served = fleetctl(fleetd, "serve", deployment["id"])
    assert served.returncode == 0 and f"http://{name}.ml-research.{deployment['cluster']}.fleet.local/" in served.stdout

    deleted = fleetctl(fleetd, "delete", deployment["id"])
    assert deleted.returncode == 0, deleted.stderr


def test_watch_prints_one_json_object_per_update(fleetd):
    out = fleetctl(fleetd, "watch", "--for", "2s", "-o", "json")
    assert out.returncode == 0, out.stderr
    updates = [json.loads(line) for line in out.stdout.strip().splitlines()]
    assert updates[0]["kind"] == "CAPACITY_UPDATE_KIND_SNAPSHOT" and len(updates[0]["clusters"]) == 4


def test_errors_print_every_field_violation_and_exit_non_zero(fleetd):
    out = fleetctl(fleetd, "deploy", "Bad_Name", "--team", "ml-research", "--image", "x", "--cpu", "1", "--memory", "1Gi",
                   "--schedule", "0 3 * * *")
    assert out.returncode == 1
    assert "INVALID_ARGUMENT" in out.stderr
    assert "name:" in out.stderr and "schedule:" in out.stderr


def test_bad_arguments_and_an_unreachable_server_fail_fast(fleetd):
    assert fleetctl(fleetd, "deploy", "x", "--cpu", "lots").returncode == 64
    started = time.monotonic()
    environment = dict(os.environ, FLEETCTL_SERVER="127.0.0.1:1")
    out = subprocess.run([os.path.join(build_dir(), "fleetctl"), "capacity"], capture_output=True, text=True, timeout=30, env=environment)
    assert out.returncode == 1 and "cannot connect" in out.stderr
    assert time.monotonic() - started < 10
