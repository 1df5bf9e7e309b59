"""Two fleetd replicas on the same clusters elect one leader through a Lease in the
management cluster. The other stands by (health NOT_SERVING, Fleet calls UNAVAILABLE)
until the leader dies, then takes over with the fleet's state recovered from the clusters."""
import json
import os
import subprocess
import tempfile
import time
import uuid

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from fleet_harness import ConfiguredFleetd, Kubesim, fleet_stubs, kubectl_binary  # noqa: F401 (fixture)

LEASE_SECONDS = 3


@pytest.fixture(scope="module")
def cluster():
    directory = tempfile.mkdtemp(prefix="fleetd-election-")
    sim = Kubesim("onprem-dc1", directory, uuid.uuid4().hex)
    config = os.path.join(directory, "fleetd.yaml")
    with open(config, "w") as out:
        out.write("clusters:\n")
        out.write(f"  - {{name: onprem-dc1, cloud: onprem, region: dc1, kubeconfig: {sim.kubeconfig}, "
                  "context: kubesim, ingressDomain: dc1.example}\n")
        out.write("teams:\n  - name: ml-research\n")
        out.write(f"leaderElection: {{leaseDurationSeconds: {LEASE_SECONDS}, renewDeadlineSeconds: 2, retryPeriodSeconds: 1}}\n")
    yield config, sim
    sim.stop()


def fleet_health(address):
    with grpc.insecure_channel(address) as channel:
        reply = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(service="fleet.v1.Fleet"), timeout=5)
        return reply.status


def wait_until_serving(address, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if fleet_health(address) == health_pb2.HealthCheckResponse.SERVING:
            return time.monotonic()
        time.sleep(0.1)
    pytest.fail(f"{address} did not start serving the Fleet API within {seconds} s")


def lease_holder(sim):
    out = subprocess.run([kubectl_binary(), "--kubeconfig", sim.kubeconfig, "get", "lease", "fleetd-leader",
                          "-n", "fleetd-system", "-o", "json"], capture_output=True, text=True, timeout=60, check=True)
    return json.loads(out.stdout)["spec"].get("holderIdentity", "")


def deploy_request(pb, name):
    return pb.DeployRequest(
        request_id=f"election-{name}", name=name, team="ml-research", kind=pb.WORKLOAD_KIND_SERVING,
        image="registry.example/serve:1", replicas=1, resources=pb.Resources(cpu_millis=100, memory_bytes=1 << 28))


def test_one_replica_leads_the_other_stands_by_and_takes_over_when_the_leader_dies(cluster, fleet_stubs):
    config, sim = cluster
    pb, rpc = fleet_stubs.pb, fleet_stubs.rpc
    leader = ConfiguredFleetd(config)
    standby = None
    try:
        wait_until_serving(leader.address, 30)
        first_holder = lease_holder(sim)
        assert first_holder

        standby = ConfiguredFleetd(config)
        assert fleet_health(standby.address) == health_pb2.HealthCheckResponse.NOT_SERVING
        with grpc.insecure_channel(standby.address) as channel:
            with pytest.raises(grpc.RpcError) as refused:
                rpc.FleetStub(channel).Deploy(deploy_request(pb, "refused"), timeout=10)
        assert refused.value.code() == grpc.StatusCode.UNAVAILABLE
        assert "standing by" in refused.value.details()

        with grpc.insecure_channel(leader.address) as channel:
            placed = rpc.FleetStub(channel).Deploy(deploy_request(pb, "kept"), timeout=30).deployment
        assert placed.state == pb.DEPLOYMENT_STATE_PLACED

        # SIGKILL: the leader cannot release the Lease, so the standby waits out its duration.
        leader.kill()
        killed = time.monotonic()
        took_over = wait_until_serving(standby.address, 30)
        assert took_over - killed >= LEASE_SECONDS - 1, "took the Lease before it could have expired"
        assert lease_holder(sim) not in ("", first_holder)
        with grpc.insecure_channel(standby.address) as channel:
            recovered = rpc.FleetStub(channel).GetDeployment(pb.GetDeploymentRequest(id=placed.id), timeout=30)
        assert recovered.state in (pb.DEPLOYMENT_STATE_PLACED, pb.DEPLOYMENT_STATE_RUNNING)
        assert recovered.cluster == placed.cluster

        # A leader stopped gracefully gives the Lease up on its way out.
        standby.stop()
        standby = None
        assert lease_holder(sim) == ""
    finally:
        if leader.process.poll() is None:
            leader.kill()
        if standby:
            standby.stop()
