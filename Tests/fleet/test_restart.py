"""fleetd killed with SIGKILL while deploys are queued and writes are in flight, then
started again: every accepted request ends up placed exactly once."""
import collections
import json
import os
import signal
import subprocess
import tempfile
import threading
import time
import uuid

import grpc
import pytest

from fleet_harness import ConfiguredFleetd, Kubesim, fleet_stubs, kubectl_binary  # noqa: F401 (fixture)

PROFILES = {"onprem-dc1": ("onprem", "dc1"), "gke-us-central1": ("gke", "us-central1")}
H100 = "NVIDIA-H100-80GB-HBM3"  # onprem-dc1 has 16 of them on 2 nodes


@pytest.fixture(scope="module")
def clusters():
    directory = tempfile.mkdtemp(prefix="fleetd-restart-")
    token = uuid.uuid4().hex
    sims = {name: Kubesim(name, directory, token) for name in PROFILES}
    config = os.path.join(directory, "fleetd.yaml")
    with open(config, "w") as out:
        out.write("managementCluster: onprem-dc1\nclusters:\n")
        for name, (cloud, region) in PROFILES.items():
            out.write(f"  - {{name: {name}, cloud: {cloud}, region: {region}, kubeconfig: {sims[name].kubeconfig}, "
                      f"context: kubesim, ingressDomain: {name}.example}}\n")
        out.write("teams:\n  - name: ml-research\n")
    yield config, sims
    for sim in sims.values():
        sim.stop()


def deploy_request(pb, index):
    return pb.DeployRequest(
        request_id=f"restart-{index}", name=f"h100-job-{index}", team="ml-research", kind=pb.WORKLOAD_KIND_SERVING,
        image="registry.example/train:1", replicas=1,
        resources=pb.Resources(cpu_millis=1000, memory_bytes=1 << 30, accelerator_type=H100, accelerator_count=4))


def objects_by_request(sims):
    """request-id -> number of Deployments carrying it, over every cluster."""
    counts = collections.Counter()
    for sim in sims.values():
        out = subprocess.run([kubectl_binary(), "--kubeconfig", sim.kubeconfig, "get", "deployments", "-A",
                              "-l", "app.kubernetes.io/managed-by=fleetd", "-o", "json"],
                             capture_output=True, text=True, timeout=60, check=True)
        for item in json.loads(out.stdout)["items"]:
            counts[item["metadata"]["labels"]["fleet.io/request-id"]] += 1
    return counts


def test_sigkill_with_queued_and_in_flight_deploys_places_each_accepted_request_once(clusters, fleet_stubs):
    config, sims = clusters
    pb = fleet_stubs.pb
    first = ConfiguredFleetd(config)
    stub = fleet_stubs.rpc.FleetStub(grpc.insecure_channel(first.address))
    accepted = {}
    lock = threading.Lock()

    def send(index):
        try:
            answer = stub.Deploy(deploy_request(pb, index), timeout=10)
            with lock:
                accepted[answer.deployment.request_id] = answer.deployment
        except grpc.RpcError:
            pass  # in flight when fleetd died: not accepted

    threads = [threading.Thread(target=send, args=(i,)) for i in range(12)]
    for thread in threads:
        thread.start()
    # Let some answers arrive, then kill while others are still being placed or queued.
    deadline = time.monotonic() + 20
    while len(accepted) < 6 and time.monotonic() < deadline:
        time.sleep(0.005)
    first.kill()
    for thread in threads:
        thread.join()
    assert len(accepted) >= 6, "too few deploys were answered before the kill"
    states = collections.Counter(d.state for d in accepted.values())
    assert states[pb.DEPLOYMENT_STATE_QUEUED] > 0, "the test needs queued deploys at the kill"

    second = ConfiguredFleetd(config)
    try:
        stub = fleet_stubs.rpc.FleetStub(grpc.insecure_channel(second.address))
        for request_id, deployment in accepted.items():
            retry = stub.Deploy(deploy_request(pb, int(request_id.split("-")[1])))
            assert retry.replayed and retry.deployment.id == deployment.id, f"{request_id} was not remembered"

        # Free the H100s repeatedly until nothing accepted is still queued.
        placed_ever = set()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            counts = objects_by_request(sims)
            assert all(n == 1 for n in counts.values()), f"a request has two objects: {counts}"
            placed_ever |= set(counts)
            waiting = [r for r, d in accepted.items()
                       if stub.GetDeployment(pb.GetDeploymentRequest(id=d.id)).state == pb.DEPLOYMENT_STATE_QUEUED]
            if not waiting:
                break
            for request_id in counts:
                deployment = stub.ListDeployments(pb.ListDeploymentsRequest(team="ml-research", page_size=1000)).deployments
                for d in deployment:
                    if d.request_id == request_id and d.state != pb.DEPLOYMENT_STATE_DELETED:
                        stub.DeleteDeployment(pb.DeleteDeploymentRequest(id=d.id))
            time.sleep(0.3)
        assert set(accepted) <= placed_ever, f"accepted but never placed: {set(accepted) - placed_ever}"
    finally:
        second.stop()


def test_an_unreachable_cluster_shows_as_unhealthy_within_five_seconds(clusters, fleet_stubs):
    config, sims = clusters
    pb = fleet_stubs.pb
    fleetd = ConfiguredFleetd(config)
    frozen = sims["gke-us-central1"].process
    try:
        stub = fleet_stubs.rpc.FleetStub(grpc.insecure_channel(fleetd.address))
        stream = stub.WatchCapacity(pb.WatchCapacityRequest(filter=pb.CapacityFilter(clusters=["gke-us-central1"])))
        assert next(stream).clusters[0].health == pb.CLUSTER_HEALTH_HEALTHY
        os.kill(frozen.pid, signal.SIGSTOP)  # the API server stops answering, its sockets stay open
        stopped = time.monotonic()
        health = None
        for update in stream:
            if update.clusters:
                health = update.clusters[0].health
                if health == pb.CLUSTER_HEALTH_UNREACHABLE:
                    break
        assert health == pb.CLUSTER_HEALTH_UNREACHABLE
        assert time.monotonic() - stopped < 5
        answer = stub.Deploy(pb.DeployRequest(
            request_id="while-frozen", name="while-frozen", team="ml-research", kind=pb.WORKLOAD_KIND_SERVING,
            image="registry.example/x:1", replicas=1,
            resources=pb.Resources(cpu_millis=100, memory_bytes=1 << 20), dry_run=True))
        verdicts = {e.cluster: e for e in answer.evaluations}
        assert verdicts["gke-us-central1"].reason == pb.REJECTION_REASON_UNHEALTHY

        os.kill(frozen.pid, signal.SIGCONT)
        for update in stream:
            if update.clusters and update.clusters[0].health == pb.CLUSTER_HEALTH_HEALTHY:
                break
        stream.cancel()
    finally:
        os.kill(frozen.pid, signal.SIGCONT)
        fleetd.stop()
