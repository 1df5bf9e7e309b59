"""Deploy, Serve, Reserve and WatchCapacity end to end: a stock grpcio client against
fleetd on its embedded simulated fleet, with the results checked by kubectl."""
import threading
import time
import uuid

import grpc
import pytest

from fleet_harness import fleet_stubs, fleetd  # noqa: F401 (fixtures)

A100 = "nvidia-tesla-a100"  # the GKE and EKS pools' accelerator label value
GPU_CLUSTERS = {"gke-us-central1", "eks-us-east-1"}


@pytest.fixture(scope="module")
def fleet(fleetd, fleet_stubs):
    channel = grpc.insecure_channel(fleetd.address)
    grpc.channel_ready_future(channel).result(timeout=10)
    yield fleet_stubs.rpc.FleetStub(channel)
    channel.close()


def unique(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def serving(pb, name, team="ml-research", gpus=1, replicas=1, accelerator=A100, **extra):
    return pb.DeployRequest(
        request_id=unique("req"), name=name, team=team, kind=pb.WORKLOAD_KIND_SERVING,
        image="registry.example/models/llm:1.0", replicas=replicas,
        resources=pb.Resources(cpu_millis=2000, memory_bytes=8 << 30, accelerator_type=accelerator, accelerator_count=gpus),
        **extra)


def wait_for(condition, timeout=15, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    pytest.fail(f"timed out waiting for {what}")


def status_details(error, stubs):
    """The google.rpc.Status from grpc-status-details-bin, as the gRPC error model sends it."""
    for key, value in error.trailing_metadata() or ():
        if key == "grpc-status-details-bin":
            status = stubs.status.Status()
            status.ParseFromString(value)
            return status
    pytest.fail(f"no grpc-status-details-bin in {error}")


def test_capacity_lists_four_healthy_clusters_with_accelerators(fleet, fleet_stubs):
    pb = fleet_stubs.pb
    capacity = fleet.GetCapacity(pb.GetCapacityRequest())
    names = {c.cluster for c in capacity.clusters}
    assert names == {"gke-us-central1", "aks-westeurope", "eks-us-east-1", "onprem-dc1"}
    for cluster in capacity.clusters:
        assert cluster.health == pb.CLUSTER_HEALTH_HEALTHY, cluster
        assert cluster.cpu_millis.allocatable > 0 and cluster.accelerators
        assert cluster.cpu_millis.free == cluster.cpu_millis.allocatable - cluster.cpu_millis.requested - cluster.cpu_millis.reserved
    gpu = fleet.GetCapacity(pb.GetCapacityRequest(filter=pb.CapacityFilter(accelerator_types=[A100])))
    assert {c.cluster for c in gpu.clusters} == GPU_CLUSTERS


def test_dry_run_explains_every_cluster_and_writes_nothing(fleet, fleet_stubs, fleetd):
    pb = fleet_stubs.pb
    name = unique("dry")
    answer = fleet.Deploy(serving(pb, name, dry_run=True))
    assert answer.dry_run and answer.deployment.cluster in GPU_CLUSTERS
    verdicts = {e.cluster: e for e in answer.evaluations}
    assert set(verdicts) == {"gke-us-central1", "aks-westeurope", "eks-us-east-1", "onprem-dc1"}
    assert [e.cluster for e in answer.evaluations if e.chosen] == [answer.deployment.cluster]
    for cluster in ("aks-westeurope", "onprem-dc1"):
        assert verdicts[cluster].reason == pb.REJECTION_REASON_NO_ACCELERATOR
        assert A100 in verdicts[cluster].message
    for context in GPU_CLUSTERS:
        assert not [d for d in fleetd.kubectl(context, "get", "deployments", "-A")["items"] if d["metadata"]["name"] == name]


def test_deploy_writes_a_labelled_deployment_whose_pods_run_on_matching_nodes(fleet, fleet_stubs, fleetd):
    pb = fleet_stubs.pb
    name = unique("llm")
    answer = fleet.Deploy(serving(pb, name, replicas=2, priority=pb.PRIORITY_HIGH))
    deployment = answer.deployment
    assert deployment.state == pb.DEPLOYMENT_STATE_PLACED and deployment.cluster in GPU_CLUSTERS
    context = deployment.cluster

    written = fleetd.kubectl(context, "get", "deployment", name, "-n", "ml-research")
    labels = written["metadata"]["labels"]
    assert labels["app.kubernetes.io/managed-by"] == "fleetd"
    assert labels["fleet.io/deployment-id"] == deployment.id
    assert labels["fleet.io/request-id"] == deployment.request_id
    assert labels["fleet.io/team"] == "ml-research" and labels["fleet.io/priority"] == "high"
    pod_spec = written["spec"]["template"]["spec"]
    assert pod_spec["priorityClassName"] == "fleet-high"
    assert A100 in pod_spec["nodeSelector"].values()
    assert {"key": "nvidia.com/gpu", "operator": "Exists"} in pod_spec["tolerations"]
    assert pod_spec["containers"][0]["resources"]["limits"]["nvidia.com/gpu"] == "1"

    def running_pods():
        pods = fleetd.kubectl(context, "get", "pods", "-n", "ml-research", "-l", f"fleet.io/deployment-id={deployment.id}")["items"]
        return pods if len(pods) == 2 and all(p["status"].get("phase") == "Running" for p in pods) else None
    pods = wait_for(running_pods, what="two running pods")
    nodes = {n["metadata"]["name"]: n for n in fleetd.kubectl(context, "get", "nodes")["items"]}
    for pod in pods:
        assert A100 in nodes[pod["spec"]["nodeName"]]["metadata"]["labels"].values()

    got = wait_for(lambda: (d := fleet.GetDeployment(pb.GetDeploymentRequest(id=deployment.id))).state == pb.DEPLOYMENT_STATE_RUNNING and d,
                   what="RUNNING")
    assert got.ready_replicas == 2


def test_a_retried_request_id_returns_the_first_answer_and_creates_nothing_twice(fleet, fleet_stubs, fleetd):
    pb = fleet_stubs.pb
    request = serving(pb, unique("retry"))
    first = fleet.Deploy(request)
    again = fleet.Deploy(request)
    assert again.replayed and again.deployment.id == first.deployment.id
    items = fleetd.kubectl(first.deployment.cluster, "get", "deployments", "-n", "ml-research",
                           "-l", f"fleet.io/request-id={request.request_id}")["items"]
    assert len(items) == 1


def test_serve_creates_a_service_and_an_ingress(fleet, fleet_stubs, fleetd):
    pb = fleet_stubs.pb
    name = unique("web")
    deployment = fleet.Deploy(serving(pb, name)).deployment
    served = fleet.Serve(pb.ServeRequest(deployment_id=deployment.id))
    assert served.endpoints == [f"http://{name}.ml-research.{deployment.cluster}.fleet.local/"]
    assert fleet.Serve(pb.ServeRequest(deployment_id=deployment.id)).endpoints == served.endpoints, "Serve is idempotent"
    service = fleetd.kubectl(deployment.cluster, "get", "service", name, "-n", "ml-research")
    assert service["spec"]["selector"] == {"fleet.io/deployment-id": deployment.id}
    ingress = fleetd.kubectl(deployment.cluster, "get", "ingress", name, "-n", "ml-research")
    assert ingress["spec"]["ingressClassName"] in {"gce", "alb"}
    assert ingress["spec"]["rules"][0]["host"] == f"{name}.ml-research.{deployment.cluster}.fleet.local"

    # Both are owned by the Deployment, so deleting the deployment removes them too.
    workload = fleetd.kubectl(deployment.cluster, "get", "deployment", name, "-n", "ml-research")
    for owned in (service, ingress):
        assert [(o["kind"], o["name"], o["uid"]) for o in owned["metadata"]["ownerReferences"]] == \
            [("Deployment", name, workload["metadata"]["uid"])]
    fleet.DeleteDeployment(pb.DeleteDeploymentRequest(id=deployment.id))

    def gone():
        listed = fleetd.kubectl(deployment.cluster, "get", "deployments,services,ingresses", "-n", "ml-research",
                                "-l", f"fleet.io/deployment-id={deployment.id}")
        return not listed["items"]
    wait_for(gone, what="the deployment, its service and its ingress to be deleted")


def test_serve_errors(fleet, fleet_stubs):
    pb = fleet_stubs.pb
    with pytest.raises(grpc.RpcError) as missing:
        fleet.Serve(pb.ServeRequest(deployment_id="dep-doesnotexist"))
    assert missing.value.code() == grpc.StatusCode.NOT_FOUND
    info = fleet_stubs.details.ResourceInfo()
    assert status_details(missing.value, fleet_stubs).details[0].Unpack(info)
    assert info.resource_name == "dep-doesnotexist"

    batch = serving(pb, unique("train"))
    batch.kind = pb.WORKLOAD_KIND_BATCH
    job = fleet.Deploy(batch).deployment
    with pytest.raises(grpc.RpcError) as not_serving:
        fleet.Serve(pb.ServeRequest(deployment_id=job.id))
    assert not_serving.value.code() == grpc.StatusCode.FAILED_PRECONDITION


def test_batch_and_scheduled_work_become_a_job_and_a_cronjob(fleet, fleet_stubs, fleetd):
    pb = fleet_stubs.pb
    batch = serving(pb, unique("finetune"), replicas=2)
    batch.kind = pb.WORKLOAD_KIND_BATCH
    job = fleet.Deploy(batch).deployment
    written = fleetd.kubectl(job.cluster, "get", "job", batch.name, "-n", "ml-research")
    assert written["spec"]["completions"] == 2 and written["spec"]["template"]["spec"]["restartPolicy"] == "Never"

    scheduled = serving(pb, unique("nightly"))
    scheduled.kind = pb.WORKLOAD_KIND_SCHEDULED
    scheduled.schedule = "0 3 * * *"
    cron = fleet.Deploy(scheduled).deployment
    written = fleetd.kubectl(cron.cluster, "get", "cronjob", scheduled.name, "-n", "ml-research")
    assert written["spec"]["schedule"] == "0 3 * * *"


INVALID = [
    ("name", lambda r: setattr(r, "name", "Not_A_Label")),
    ("replicas", lambda r: setattr(r, "replicas", 0)),
    ("resources.cpu_millis", lambda r: setattr(r.resources, "cpu_millis", -1)),
    # Amounts whose total over the replicas would overflow 64 bits.
    ("resources.cpu_millis", lambda r: (setattr(r.resources, "cpu_millis", 2**62), setattr(r, "replicas", 4))),
    ("resources.memory_bytes", lambda r: (setattr(r.resources, "memory_bytes", 2**63 - 1), setattr(r, "replicas", 2))),
    ("resources.accelerator_type", lambda r: setattr(r.resources, "accelerator_type", "gpu-from-the-future")),
    ("kind", lambda r: setattr(r, "kind", 0)),
    ("image", lambda r: setattr(r, "image", "")),
    ("schedule", lambda r: setattr(r, "schedule", "* * * * *")),
    ("constraints.clusters[0]", lambda r: r.constraints.clusters.append("nowhere")),
]


@pytest.mark.parametrize("field,break_it", INVALID, ids=[f for f, _ in INVALID])
def test_each_invalid_field_gets_invalid_argument_with_a_field_violation(fleet, fleet_stubs, field, break_it):
    pb = fleet_stubs.pb
    request = serving(pb, unique("bad"))
    break_it(request)
    with pytest.raises(grpc.RpcError) as error:
        fleet.Deploy(request)
    assert error.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    bad_request = fleet_stubs.details.BadRequest()
    assert status_details(error.value, fleet_stubs).details[0].Unpack(bad_request)
    assert [v.field for v in bad_request.field_violations] == [field]


def test_reservation_taints_its_nodes_and_takes_only_its_work(fleet, fleet_stubs, fleetd):
    pb = fleet_stubs.pb
    from google.protobuf import duration_pb2
    reservation = fleet.Reserve(pb.ReserveRequest(
        request_id=unique("rsv"), team="ml-platform", node_count=1,
        per_node=pb.Resources(cpu_millis=1000, memory_bytes=1 << 30, accelerator_type="NVIDIA-H100-80GB-HBM3", accelerator_count=8),
        duration=duration_pb2.Duration(seconds=3600),
        quota=pb.QuotaLimits(accelerators={"nvidia.com/gpu": 8})))
    assert reservation.state == pb.RESERVATION_STATE_ACTIVE and reservation.cluster == "onprem-dc1"
    (node_name,) = reservation.nodes

    def reserved_node():
        node = fleetd.kubectl("onprem-dc1", "get", "node", node_name)
        taints = node["spec"].get("taints", [])
        ok = node["metadata"]["labels"].get("fleet.io/reservation") == reservation.id and \
            {"key": "fleet.io/reservation", "value": reservation.id, "effect": "NoSchedule"} in taints
        return node if ok else None
    wait_for(reserved_node, what="the reservation's label and taint")
    quota = fleetd.kubectl("onprem-dc1", "get", "resourcequota", "fleet-quota", "-n", "ml-platform")
    assert quota["spec"]["hard"]["requests.nvidia.com/gpu"] == "8"

    inside = serving(pb, unique("reserved"), team="ml-platform", gpus=8, accelerator="NVIDIA-H100-80GB-HBM3", reservation_id=reservation.id)
    placed = fleet.Deploy(inside).deployment
    assert placed.cluster == "onprem-dc1"
    pods = wait_for(lambda: [p for p in fleetd.kubectl("onprem-dc1", "get", "pods", "-n", "ml-platform",
                                                        "-l", f"fleet.io/deployment-id={placed.id}")["items"]
                             if p["spec"].get("nodeName")], what="the reserved pod bound")
    assert pods[0]["spec"]["nodeName"] == node_name

    released = fleet.ReleaseReservation(pb.ReleaseReservationRequest(id=reservation.id))
    assert released.state == pb.RESERVATION_STATE_RELEASED
    wait_for(lambda: "fleet.io/reservation" not in fleetd.kubectl("onprem-dc1", "get", "node", node_name)["metadata"]["labels"],
             what="the reservation label removed")


def test_watch_capacity_sends_a_snapshot_then_deltas(fleet, fleet_stubs):
    pb = fleet_stubs.pb
    stream = fleet.WatchCapacity(pb.WatchCapacityRequest(filter=pb.CapacityFilter(clusters=["eks-us-east-1"])))
    first = next(stream)
    assert first.kind == pb.CAPACITY_UPDATE_KIND_SNAPSHOT and [c.cluster for c in first.clusters] == ["eks-us-east-1"]
    before = {a.type: a.devices.free for a in first.clusters[0].accelerators}["nvidia-a10g"]

    request = serving(pb, unique("watched"), accelerator="nvidia-a10g", gpus=1)
    request.constraints.clusters.append("eks-us-east-1")
    fleet.Deploy(request)
    seen = []

    def read():
        for update in stream:
            seen.append(update)
            free = {a.type: a.devices.free for c in update.clusters for a in c.accelerators}.get("nvidia-a10g")
            if update.kind == pb.CAPACITY_UPDATE_KIND_DELTA and free == before - 1:
                return
    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(timeout=15)
    stream.cancel()
    deltas = [u for u in seen if u.kind == pb.CAPACITY_UPDATE_KIND_DELTA]
    assert deltas, "no delta after a deploy"
    assert all(u.revision > first.revision for u in deltas)
    assert {a.type: a.devices.free for a in deltas[-1].clusters[0].accelerators}["nvidia-a10g"] == before - 1


def test_resuming_from_an_unknown_revision_gets_a_reset_snapshot(fleet, fleet_stubs):
    pb = fleet_stubs.pb
    stream = fleet.WatchCapacity(pb.WatchCapacityRequest(resume_revision=1))
    first = next(stream)
    stream.cancel()
    assert first.kind == pb.CAPACITY_UPDATE_KIND_SNAPSHOT and first.reset and len(first.clusters) == 4


def test_work_that_does_not_fit_queues_and_is_placed_when_room_frees(fleet, fleet_stubs):
    pb = fleet_stubs.pb
    # The TPU pool has 4 devices on one node in gke-us-central1.
    big = serving(pb, unique("tpu-a"), gpus=4, accelerator="tpu-v5-lite-podslice", team="search")
    first = fleet.Deploy(big).deployment
    assert first.state == pb.DEPLOYMENT_STATE_PLACED
    second = fleet.Deploy(serving(pb, unique("tpu-b"), gpus=4, accelerator="tpu-v5-lite-podslice", team="search")).deployment
    assert second.state == pb.DEPLOYMENT_STATE_QUEUED and second.queue_position == 1
    assert "do not fit" in second.message
    fleet.DeleteDeployment(pb.DeleteDeploymentRequest(id=first.id))
    placed = wait_for(lambda: (d := fleet.GetDeployment(pb.GetDeploymentRequest(id=second.id))).cluster and d,
                      what="the queued deployment placed")
    assert placed.cluster == "gke-us-central1"


def test_list_deployments_filters_and_pages(fleet, fleet_stubs):
    pb = fleet_stubs.pb
    team = "search"
    for _ in range(3):
        fleet.Deploy(serving(pb, unique("page"), team=team, gpus=1, accelerator="nvidia-a10g"))
    page = fleet.ListDeployments(pb.ListDeploymentsRequest(team=team, page_size=2))
    assert len(page.deployments) == 2 and page.next_page_token
    rest = fleet.ListDeployments(pb.ListDeploymentsRequest(team=team, page_size=100, page_token=page.next_page_token))
    ids = [d.id for d in page.deployments] + [d.id for d in rest.deployments]
    assert len(ids) == len(set(ids)) and all(d.team == team for d in rest.deployments)
    with pytest.raises(grpc.RpcError) as error:
        fleet.ListDeployments(pb.ListDeploymentsRequest(page_token="garbage"))
    assert error.value.code() == grpc.StatusCode.INVALID_ARGUMENT


def test_idle_watch_streams_get_heartbeats(fleet, fleet_stubs):
    pb = fleet_stubs.pb
    from google.protobuf import duration_pb2
    # aks-westeurope sees no deploys in these tests (nothing asks for its accelerators).
    stream = fleet.WatchCapacity(pb.WatchCapacityRequest(
        filter=pb.CapacityFilter(clusters=["aks-westeurope"]), heartbeat_interval=duration_pb2.Duration(seconds=1)))
    started = time.monotonic()
    assert next(stream).kind == pb.CAPACITY_UPDATE_KIND_SNAPSHOT
    heartbeat = next(stream)
    stream.cancel()
    assert heartbeat.kind == pb.CAPACITY_UPDATE_KIND_HEARTBEAT
    assert time.monotonic() - started < 4


def test_a_heartbeat_interval_below_one_second_is_refused(fleet, fleet_stubs):
    pb = fleet_stubs.pb
    from google.protobuf import duration_pb2
    stream = fleet.WatchCapacity(pb.WatchCapacityRequest(heartbeat_interval=duration_pb2.Duration(nanos=1000)))
    with pytest.raises(grpc.RpcError) as error:
        next(stream)
    assert error.value.code() == grpc.StatusCode.INVALID_ARGUMENT


def test_streamed_capacity_updates_count_as_sent_messages(fleet, fleet_stubs, fleetd):
    import urllib.request
    pb = fleet_stubs.pb
    sent = 'grpc_server_msg_sent_total{grpc_type="server_stream",grpc_service="fleet.v1.Fleet",grpc_method="WatchCapacity"}'

    def sent_so_far():
        text = urllib.request.urlopen(fleetd.metrics_url, timeout=10).read().decode()
        return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines() if line.startswith(sent))

    before = sent_so_far()
    stream = fleet.WatchCapacity(pb.WatchCapacityRequest(filter=pb.CapacityFilter(clusters=["eks-us-east-1"])))
    assert next(stream).kind == pb.CAPACITY_UPDATE_KIND_SNAPSHOT
    request = serving(pb, unique("counted"), accelerator="nvidia-a10g", gpus=1)
    request.constraints.clusters.append("eks-us-east-1")
    deployed = fleet.Deploy(request)
    received = 1
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        update = next(stream)
        received += 1
        if update.kind == pb.CAPACITY_UPDATE_KIND_DELTA:
            # Dated when the fleet manager recorded the change, moments ago.
            assert abs(update.time.seconds + update.time.nanos / 1e9 - time.time()) < 10
            break
    stream.cancel()
    fleet.DeleteDeployment(pb.DeleteDeploymentRequest(id=deployed.deployment.id))
    # The snapshot went out through the handler, the delta was pushed on the call's lane:
    # both are counted.
    assert sent_so_far() - before >= received


def test_prometheus_metrics_use_go_grpc_prometheus_names_and_describe_the_fleet(fleet, fleet_stubs, fleetd):
    import urllib.request
    pb = fleet_stubs.pb
    fleet.GetCapacity(pb.GetCapacityRequest())
    fleet.Deploy(serving(pb, unique("metered"), dry_run=True))
    with pytest.raises(grpc.RpcError):
        fleet.GetDeployment(pb.GetDeploymentRequest(id="dep-missing"))
    text = urllib.request.urlopen(fleetd.metrics_url, timeout=10).read().decode()
    lines = text.splitlines()

    def value(prefix):
        matches = [float(line.rsplit(" ", 1)[1]) for line in lines if line.startswith(prefix)]
        assert matches, f"no metric line starts with {prefix}"
        return matches[0]

    assert value('grpc_server_handled_total{grpc_type="unary",grpc_service="fleet.v1.Fleet",grpc_method="GetCapacity",grpc_code="OK"}') >= 1
    assert value('grpc_server_handled_total{grpc_type="unary",grpc_service="fleet.v1.Fleet",grpc_method="GetDeployment",grpc_code="NotFound"}') >= 1
    assert value('grpc_server_started_total{grpc_type="unary",grpc_service="fleet.v1.Fleet",grpc_method="Deploy"}') >= 1
    assert value('grpc_server_handling_seconds_count{grpc_type="unary",grpc_service="fleet.v1.Fleet",grpc_method="GetCapacity"}') >= 1
    assert value('fleet_cluster_health{cluster="onprem-dc1"}') == 1
    assert value('fleet_cluster_capacity{cluster="gke-us-central1",resource="nvidia-tesla-a100",state="allocatable"}') == 16
    assert value('fleet_queue_depth{priority="high"}') >= 0
    assert value("fleet_placement_duration_seconds_count") >= 1
    assert value('grpc_server_msg_sent_total{grpc_type="unary",grpc_service="fleet.v1.Fleet",grpc_method="GetCapacity"}') >= 1
    assert value('grpc_server_msg_received_total{grpc_type="unary",grpc_service="fleet.v1.Fleet",grpc_method="GetCapacity"}') >= 1
    assert urllib.request.urlopen(fleetd.metrics_url.replace("/metrics", "/metrics?x=1"), timeout=10).status == 200
    with pytest.raises(urllib.error.HTTPError) as missing:
        urllib.request.urlopen(fleetd.metrics_url.replace("/metrics", "/nothing"), timeout=10)
    assert missing.value.code == 404
