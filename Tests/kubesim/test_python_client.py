"""The official `kubernetes` Python client against kubesim, the simulated API server."""

import os
import pathlib
import subprocess
import tempfile

import pytest
from kubernetes import client, config, watch
from kubernetes.client.rest import ApiException

ROOT = pathlib.Path(__file__).resolve().parents[2]
TOKEN = "python-test-token"


def kubesim_binary() -> pathlib.Path:
    """KUBESIM_BIN, or the kubesim of the package's current `swift build`."""
    if "KUBESIM_BIN" in os.environ:
        return pathlib.Path(os.environ["KUBESIM_BIN"])
    bin_path = subprocess.run(["swift", "build", "--show-bin-path"], cwd=ROOT, check=True,
                              capture_output=True, text=True).stdout.strip()
    binary = pathlib.Path(bin_path) / "kubesim"
    assert binary.exists(), f"{binary} is missing: run swift build first"
    return binary


@pytest.fixture
def api_client():
    with tempfile.TemporaryDirectory() as directory:
        kubeconfig = pathlib.Path(directory) / "kubeconfig"
        process = subprocess.Popen(
            [str(kubesim_binary()), "--port", "0", "--token", TOKEN, "--kubeconfig", str(kubeconfig)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            first_line = process.stdout.readline()
            assert first_line.startswith("kubesim listening on https://127.0.0.1:"), first_line
            yield config.new_client_from_config(config_file=str(kubeconfig))
        finally:
            process.terminate()
            process.wait(timeout=10)


def pod_manifest(name):
    return client.V1Pod(
        metadata=client.V1ObjectMeta(name=name, labels={"app": "web"}),
        spec=client.V1PodSpec(containers=[client.V1Container(name="main", image="nginx:1.27")]))


def test_creates_lists_watches_and_deletes_pods(api_client):
    core = client.CoreV1Api(api_client)
    created = core.create_namespaced_pod("default", pod_manifest("web-1"))
    assert created.metadata.uid
    assert created.status.phase == "Pending"

    listed = core.list_namespaced_pod("default", label_selector="app=web")
    assert [pod.metadata.name for pod in listed.items] == ["web-1"]

    stream = watch.Watch().stream(
        core.list_namespaced_pod, "default", resource_version=listed.metadata.resource_version, timeout_seconds=5)
    core.patch_namespaced_pod("web-1", "default", {"metadata": {"labels": {"tier": "front"}}})
    core.delete_namespaced_pod("web-1", "default")
    seen = []
    for event in stream:
        seen.append((event["type"], event["object"].metadata.name))
        if len(seen) == 2:
            break
    assert seen == [("MODIFIED", "web-1"), ("DELETED", "web-1")]
    assert core.list_namespaced_pod("default").items == []


def test_creates_and_deletes_deployments_with_their_pods(api_client):
    apps = client.AppsV1Api(api_client)
    core = client.CoreV1Api(api_client)
    deployment = client.V1Deployment(
        metadata=client.V1ObjectMeta(name="model"),
        spec=client.V1DeploymentSpec(
            replicas=2,
            selector=client.V1LabelSelector(match_labels={"app": "model"}),
            template=client.V1PodTemplateSpec(
                metadata=client.V1ObjectMeta(labels={"app": "model"}),
                spec=client.V1PodSpec(containers=[client.V1Container(name="main", image="model:1")]))))
    created = apps.create_namespaced_deployment("default", deployment)
    assert created.metadata.generation == 1
    assert [d.metadata.name for d in apps.list_namespaced_deployment("default").items] == ["model"]

    owned = pod_manifest("model-abc")
    owned.metadata.owner_references = [client.V1OwnerReference(
        api_version="apps/v1", kind="Deployment", name="model", uid=created.metadata.uid, controller=True)]
    core.create_namespaced_pod("default", owned)

    apps.delete_namespaced_deployment("model", "default", propagation_policy="Background")
    assert apps.list_namespaced_deployment("default").items == []
    assert core.list_namespaced_pod("default").items == []


def test_errors_are_api_exceptions_with_status_and_reason(api_client):
    core = client.CoreV1Api(api_client)
    with pytest.raises(ApiException) as missing:
        core.read_namespaced_pod("missing", "default")
    assert missing.value.status == 404
    assert missing.value.reason == "Not Found"
    assert '"reason":"NotFound"' in missing.value.body

    core.create_namespaced_pod("default", pod_manifest("dup"))
    with pytest.raises(ApiException) as duplicate:
        core.create_namespaced_pod("default", pod_manifest("dup"))
    assert duplicate.value.status == 409
    assert '"reason":"AlreadyExists"' in duplicate.value.body

    stale = core.read_namespaced_pod("dup", "default")
    core.patch_namespaced_pod("dup", "default", {"metadata": {"labels": {"v": "2"}}})
    stale.metadata.labels = {"v": "3"}
    with pytest.raises(ApiException) as conflict:
        core.replace_namespaced_pod("dup", "default", stale)
    assert conflict.value.status == 409
    assert '"reason":"Conflict"' in conflict.value.body
