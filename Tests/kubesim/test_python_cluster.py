"""The official `kubernetes` Python client against kubesim simulating a cluster from a profile:
scheduling, Deployments, quota admission and injected faults, as a client sees them."""

import json
import pathlib
import subprocess
import tempfile
import time

import pytest
from kubernetes import client, config
from kubernetes.client.rest import ApiException

from test_python_client import TOKEN, kubesim_binary

PROFILE = """
name: py-cluster
cloud: eks
region: us-east-1
zones: [us-east-1a, us-east-1b]
nodePools:
- name: general
  count: 2
  instanceType: m6i.xlarge
  cpu: "4"
  memory: 16Gi
- name: gpu
  count: 1
  instanceType: g5.xlarge
  cpu: "4"
  memory: 16Gi
  labels: {nvidia.com/gpu.product: NVIDIA-A10G}
  extendedResources: {nvidia.com/gpu: "1"}
  taints: [{key: nvidia.com/gpu, value: present, effect: NoSchedule}]
"""


@pytest.fixture
def cluster():
    with tempfile.TemporaryDirectory() as directory:
        kubeconfig = pathlib.Path(directory) / "kubeconfig"
        profile = pathlib.Path(directory) / "profile.yaml"
        profile.write_text(PROFILE)
        process = subprocess.Popen(
            [str(kubesim_binary()), "--port", "0", "--token", TOKEN, "--kubeconfig", str(kubeconfig),
             "--profile", str(profile)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            first_line = process.stdout.readline()
            assert first_line.startswith("kubesim listening on https://127.0.0.1:"), first_line + process.stderr.read()
            yield config.new_client_from_config(config_file=str(kubeconfig))
        finally:
            process.terminate()
            process.wait(timeout=10)


def eventually(read, predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    value = read()
    while not predicate(value):
        assert time.monotonic() < deadline, f"timed out; last value: {value}"
        time.sleep(0.05)
        value = read()
    return value


def container(cpu="250m", gpus=None):
    limits = {"nvidia.com/gpu": str(gpus)} if gpus else None
    return client.V1Container(name="main", image="model:1",
                              resources=client.V1ResourceRequirements(requests={"cpu": cpu}, limits=limits))


def test_profile_nodes_are_ready_with_gpu_capacity(cluster):
    nodes = client.CoreV1Api(cluster).list_node().items
    assert len(nodes) == 3
    assert all(any(c.type == "Ready" and c.status == "True" for c in n.status.conditions) for n in nodes)
    gpu = [n for n in nodes if n.metadata.labels.get("nvidia.com/gpu.product") == "NVIDIA-A10G"]
    assert len(gpu) == 1
    assert gpu[0].status.allocatable["nvidia.com/gpu"] == "1"
    assert gpu[0].spec.taints[0].key == "nvidia.com/gpu"
    assert gpu[0].metadata.labels["eks.amazonaws.com/nodegroup"] == "gpu"


def test_deployment_pods_are_scheduled_and_reported_available(cluster):
    apps = client.AppsV1Api(cluster)
    core = client.CoreV1Api(cluster)
    deployment = client.V1Deployment(
        metadata=client.V1ObjectMeta(name="model"),
        spec=client.V1DeploymentSpec(
            replicas=3,
            selector=client.V1LabelSelector(match_labels={"app": "model"}),
            template=client.V1PodTemplateSpec(
                metadata=client.V1ObjectMeta(labels={"app": "model"}),
                spec=client.V1PodSpec(containers=[container()]))))
    apps.create_namespaced_deployment("default", deployment)
    ready = eventually(lambda: apps.read_namespaced_deployment("model", "default"),
                       lambda d: d.status.available_replicas == 3)
    assert ready.status.ready_replicas == 3
    assert ready.status.updated_replicas == 3
    assert ready.status.observed_generation == 1
    assert {c.type: c.status for c in ready.status.conditions}["Available"] == "True"

    pods = core.list_namespaced_pod("default", label_selector="app=model").items
    assert len(pods) == 3
    general = {n.metadata.name for n in core.list_node(label_selector="eks.amazonaws.com/nodegroup=general").items}
    for pod in pods:
        assert pod.status.phase == "Running"
        assert pod.spec.node_name in general
        assert pod.status.pod_ip
        assert pod.metadata.owner_references[0].kind == "ReplicaSet"

    apps.patch_namespaced_deployment("model", "default", {"spec": {"replicas": 1}})
    eventually(lambda: apps.read_namespaced_deployment("model", "default"),
               lambda d: d.status.replicas == 1 and d.status.observed_generation == 2)
    assert len(core.list_namespaced_pod("default", label_selector="app=model").items) == 1


def test_a_pod_that_fits_nowhere_stays_pending_with_the_schedulers_reason(cluster):
    core = client.CoreV1Api(cluster)
    pod = client.V1Pod(metadata=client.V1ObjectMeta(name="needs-gpu"),
                       spec=client.V1PodSpec(containers=[container(gpus=1)]))
    core.create_namespaced_pod("default", pod)
    pending = eventually(lambda: core.read_namespaced_pod("needs-gpu", "default"),
                         lambda p: any(c.type == "PodScheduled" for c in (p.status.conditions or [])))
    assert pending.status.phase == "Pending"
    condition = next(c for c in pending.status.conditions if c.type == "PodScheduled")
    assert condition.status == "False"
    assert condition.reason == "Unschedulable"
    assert condition.message.startswith(
        "0/3 nodes are available: 1 node(s) had untolerated taint {nvidia.com/gpu: present}, 2 Insufficient nvidia.com/gpu.")


def test_quota_admission_rejects_with_403_api_exception(cluster):
    core = client.CoreV1Api(cluster)
    core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name="team-a")))
    core.create_namespaced_resource_quota("team-a", client.V1ResourceQuota(
        metadata=client.V1ObjectMeta(name="team-a-quota"),
        spec=client.V1ResourceQuotaSpec(hard={"requests.cpu": "1", "pods": "5"})))
    core.create_namespaced_pod("team-a", client.V1Pod(
        metadata=client.V1ObjectMeta(name="small"), spec=client.V1PodSpec(containers=[container("750m")])))
    with pytest.raises(ApiException) as refused:
        core.create_namespaced_pod("team-a", client.V1Pod(
            metadata=client.V1ObjectMeta(name="big"), spec=client.V1PodSpec(containers=[container("500m")])))
    assert refused.value.status == 403
    status = json.loads(refused.value.body)
    assert status["reason"] == "Forbidden"
    assert status["message"] == ('pods "big" is forbidden: exceeded quota: team-a-quota, requested: requests.cpu=500m, '
                                 'used: requests.cpu=750m, limited: requests.cpu=1')
    quota = eventually(lambda: core.read_namespaced_resource_quota("team-a-quota", "team-a"),
                       lambda q: q.status and q.status.used and q.status.used.get("pods") == "1")
    assert quota.status.used["requests.cpu"] == "750m"
    assert quota.status.hard == {"requests.cpu": "1", "pods": "5"}


def test_injected_throttling_is_honoured_by_the_clients_retry_after(cluster):
    """urllib3 under the official client retries a 429 that carries Retry-After, after waiting."""
    core = client.CoreV1Api(cluster)
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {TOKEN}"}
    rule = {"action": "throttle", "verbs": ["list"], "resources": ["pods"], "retryAfterSeconds": 1, "count": 1}
    added = cluster.call_api("POST", cluster.configuration.host + "/kubesim/faults", header_params=headers, body=rule)
    assert added.status == 201
    started = time.monotonic()
    assert core.list_namespaced_pod("default").items == []
    assert time.monotonic() - started >= 1.0
    remaining = cluster.call_api("GET", cluster.configuration.host + "/kubesim/faults", header_params=headers)
    assert json.loads(remaining.read())["items"] == []


def test_injected_server_errors_reach_the_client_as_api_exceptions(cluster):
    core = client.CoreV1Api(cluster)
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {TOKEN}"}
    rule = {"action": "error", "status": 500, "verbs": ["create"], "resources": ["pods"], "count": 1}
    cluster.call_api("POST", cluster.configuration.host + "/kubesim/faults", header_params=headers, body=rule)
    pod = client.V1Pod(metadata=client.V1ObjectMeta(name="web"), spec=client.V1PodSpec(containers=[container()]))
    with pytest.raises(ApiException) as failed:
        core.create_namespaced_pod("default", pod)
    assert failed.value.status == 500
    assert json.loads(failed.value.body)["reason"] == "InternalError"
    assert core.create_namespaced_pod("default", pod).metadata.name == "web"
