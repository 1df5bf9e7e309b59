"""Fleet end-to-end harness: fleetd on its embedded simulated fleet, driven by
a stock grpcio client with stubs generated from Proto/ at test time, and checked with
kubectl against the simulated clusters."""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def build_dir():
    out = subprocess.run(["swift", "build", "--show-bin-path"], cwd=ROOT, check=True,
                         capture_output=True, text=True)
    return out.stdout.strip()


def kubectl_binary():
    venv = os.path.join(ROOT, ".venv", "bin", "kubectl")
    found = venv if os.path.exists(venv) else shutil.which("kubectl")
    if not found:
        pytest.fail("kubectl is needed for the end-to-end tests (scripts/install-deps.sh installs it)")
    return found


class Fleetd:
    """fleetd started on a free port with its embedded simulated fleet."""

    def __init__(self):
        self.directory = tempfile.mkdtemp(prefix="fleetd-e2e-")
        self.kubeconfig = os.path.join(self.directory, "kubeconfig")
        self.log = open(os.path.join(self.directory, "fleetd.log"), "w")
        self.process = subprocess.Popen(
            [os.path.join(build_dir(), "fleetd"), "--listen", "127.0.0.1:0", "--metrics-listen", "127.0.0.1:0",
             "--write-kubeconfig", self.kubeconfig],
            stdout=subprocess.PIPE, stderr=self.log, text=True)
        line = self.process.stdout.readline()
        match = re.search(r"listening on [\d.]+:(\d+)", line)
        if not match:
            self.process.kill()
            raise RuntimeError(f"fleetd did not start: {line!r}; log in {self.log.name}")
        self.address = f"127.0.0.1:{match.group(1)}"
        metrics = re.search(r"metrics on (http://\S+)", line)
        self.metrics_url = metrics.group(1) if metrics else None

    def kubectl(self, context, *args):
        """kubectl's parsed JSON output for `args` in the simulated cluster `context`."""
        out = subprocess.run([kubectl_binary(), "--kubeconfig", self.kubeconfig, "--context", context, *args, "-o", "json"],
                             capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, f"kubectl {' '.join(args)} failed: {out.stderr}"
        return json.loads(out.stdout)

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@pytest.fixture(scope="session")
def fleet_stubs():
    """fleet.v1 and google.rpc Python modules generated with grpcio-tools."""
    from grpc_tools import protoc
    import grpc_tools
    out = tempfile.mkdtemp(prefix="fleet-stubs-")
    well_known = os.path.join(os.path.dirname(grpc_tools.__file__), "_proto")
    files = ["fleet/v1/fleet.proto", "google/rpc/status.proto", "google/rpc/error_details.proto"]
    rc = protoc.main(["protoc", f"-I{os.path.join(ROOT, 'Proto')}", f"-I{well_known}",
                      f"--python_out={out}", f"--grpc_python_out={out}", *files])
    assert rc == 0, "grpcio-tools could not generate the fleet.v1 stubs"
    sys.path.insert(0, out)
    from fleet.v1 import fleet_pb2, fleet_pb2_grpc
    from google.rpc import error_details_pb2, status_pb2
    return type("Stubs", (), {"pb": fleet_pb2, "rpc": fleet_pb2_grpc, "status": status_pb2, "details": error_details_pb2})


@pytest.fixture(scope="module")
def fleetd():
    server = Fleetd()
    yield server
    server.stop()


class Kubesim:
    """A SIMULATED Kubernetes cluster (the kubesim executable) with a built-in profile,
    in its own process, so that it outlives the fleetd it serves."""

    def __init__(self, profile, directory, token):
        self.profile = profile
        self.kubeconfig = os.path.join(directory, f"{profile}.kubeconfig")
        self.log = open(os.path.join(directory, f"{profile}.log"), "w")
        self.process = subprocess.Popen(
            [os.path.join(build_dir(), "kubesim"), "--port", "0", "--token", token, "--profile", profile,
             "--kubeconfig", self.kubeconfig],
            stdout=subprocess.PIPE, stderr=self.log, text=True)
        line = self.process.stdout.readline()
        match = re.search(r"listening on (https://[\d.]+:\d+)", line)
        if not match:
            self.process.kill()
            raise RuntimeError(f"kubesim did not start: {line!r}")
        self.url = match.group(1)

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=20)


class ConfiguredFleetd(Fleetd):
    """fleetd with a configuration file naming separately running clusters."""

    def __init__(self, config_path):
        self.directory = os.path.dirname(config_path)
        self.log = open(os.path.join(self.directory, "fleetd.log"), "a")
        self.process = subprocess.Popen(
            [os.path.join(build_dir(), "fleetd"), "--config", config_path, "--listen", "127.0.0.1:0", "--metrics-listen", "127.0.0.1:0"],
            stdout=subprocess.PIPE, stderr=self.log, text=True)
        line = self.process.stdout.readline()
        match = re.search(r"listening on [\d.]+:(\d+)", line)
        if not match:
            self.process.kill()
            raise RuntimeError(f"fleetd did not start: {line!r}; log in {self.log.name}")
        self.address = f"127.0.0.1:{match.group(1)}"

    def kill(self):
        self.process.kill()
        self.process.wait()
