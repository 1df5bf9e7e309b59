"""Fixtures for the tests that drive fleetd's servers with stock grpcio clients.

The servers are the real executables from `swift build`, on real loopback sockets. The
client stubs are generated from the standard .proto files by grpcio-tools at test time.
"""
import importlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

import grpc
import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
GRPC_PROTO = "/usr/share/grpc-proto"


def build_dir():
    """Where the executables are: FLEETD_BIN_DIR, or `swift build --show-bin-path`."""
    if os.environ.get("FLEETD_BIN_DIR"):
        return os.environ["FLEETD_BIN_DIR"]
    out = subprocess.run(["swift", "build", "--show-bin-path"], cwd=ROOT, check=True,
                         capture_output=True, text=True)
    return out.stdout.strip()


class RunningServer:
    """A server executable started on a free port; its output goes to a log file."""

    def __init__(self, executable, *args):
        self.log = tempfile.NamedTemporaryFile(prefix=os.path.basename(executable) + "-", suffix=".log",
                                               delete=False)
        self.process = subprocess.Popen([os.path.join(build_dir(), executable), "--port", "0", *args],
                                        stdout=subprocess.PIPE, stderr=self.log, text=True)
        line = self.process.stdout.readline()
        match = re.search(r"listening on [\d.]+:(\d+)", line)
        if not match:
            self.process.kill()
            raise RuntimeError(f"{executable} did not start: {line!r}; log {self.log.name}")
        self.port = int(match.group(1))
        self.address = f"127.0.0.1:{self.port}"

    def alive(self):
        return self.process.poll() is None

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@pytest.fixture(scope="session")
def stubs():
    """Python modules generated from grpc.testing and grpc.reflection.v1 with grpcio-tools."""
    from grpc_tools import protoc
    import grpc_tools
    out = tempfile.mkdtemp(prefix="fleetd-stubs-")
    well_known = os.path.join(os.path.dirname(grpc_tools.__file__), "_proto")

    def generate(include, files):
        rc = protoc.main(["protoc", f"-I{include}", f"-I{well_known}", f"--python_out={out}",
                          f"--grpc_python_out={out}", *files])
        assert rc == 0, f"grpcio-tools could not generate stubs for {files}"

    generate(GRPC_PROTO, ["grpc/testing/empty.proto", "grpc/testing/messages.proto", "grpc/testing/test.proto"])
    # grpcio already owns the Python module grpc.reflection, so the v1 reflection stubs get a
    # module name of their own; the proto package, and so the wire, stays grpc.reflection.v1.
    renamed = os.path.join(out, "src", "fleetd_stubs")
    os.makedirs(renamed)
    shutil.copy(os.path.join(GRPC_PROTO, "grpc/reflection/v1/reflection.proto"),
                os.path.join(renamed, "reflection_v1.proto"))
    generate(os.path.join(out, "src"), ["fleetd_stubs/reflection_v1.proto"])
    # The grpc.testing modules live under grpc/..., inside grpcio's own package namespace.
    grpc.__path__.append(os.path.join(out, "grpc"))
    sys.path.insert(0, out)
    try:
        yield {
            "empty": importlib.import_module("grpc.testing.empty_pb2"),
            "messages": importlib.import_module("grpc.testing.messages_pb2"),
            "test": importlib.import_module("grpc.testing.test_pb2_grpc"),
            "reflection": importlib.import_module("fleetd_stubs.reflection_v1_pb2"),
            "reflection_grpc": importlib.import_module("fleetd_stubs.reflection_v1_pb2_grpc"),
        }
    finally:
        grpc.__path__.remove(os.path.join(out, "grpc"))
        sys.path.remove(out)


def serve(executable, *args):
    """For fixtures: a server that must still be alive when the tests are done with it."""
    server = RunningServer(executable, *args)
    yield server
    assert server.alive(), f"{executable} died during the tests; log {server.log.name}"
    server.stop()


@pytest.fixture(scope="session")
def interop_server():
    yield from serve("interop-server")


@pytest.fixture()
def channel(interop_server):
    with grpc.insecure_channel(interop_server.address) as ch:
        grpc.channel_ready_future(ch).result(timeout=10)
        yield ch
