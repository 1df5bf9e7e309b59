"""Every object KubeBackend's fleet adapter writes validates, in strict mode, against the
official Kubernetes schemas (PyPI kubernetes-validate) of the version kubesim's OpenAPI
data comes from.

The objects come from the Swift test ManifestExportTests, which drives each write path
(Deployment, Job, CronJob, Service, Ingress, PriorityClass, Namespace, ConfigMap, Node
and ResourceQuota updates) against an in-process simulated cluster and saves each request
body, exactly as sent, into $KUBEBACKEND_MANIFEST_DIR.
"""

import json
import os
import pathlib
import subprocess
import tempfile

import kubernetes_validate
import pytest

from test_python_client import ROOT, kubesim_binary

KUBERNETES_VERSION = "1.33.0"
EXPECTED_KINDS = {"Namespace", "PriorityClass", "Deployment", "Job", "CronJob", "Service", "Ingress", "Node",
                  "ResourceQuota", "ConfigMap"}


def scratch_path() -> pathlib.Path:
    """The SwiftPM scratch path of the build that made kubesim (the folder above its bin
    path that holds workspace-state.json), so that the test bundle of the same build runs."""
    for folder in kubesim_binary().resolve().parents:
        if (folder / "workspace-state.json").exists():
            return folder
    raise AssertionError(f"no SwiftPM scratch path above {kubesim_binary()}")


@pytest.fixture(scope="module")
def manifests():
    with tempfile.TemporaryDirectory() as directory:
        env = dict(os.environ, KUBEBACKEND_MANIFEST_DIR=directory)
        result = subprocess.run(
            ["swift", "test", "--scratch-path", str(scratch_path()), "--skip-build", "--filter", "ManifestExportTests"],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
        assert result.returncode == 0, f"ManifestExportTests failed:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
        files = sorted(pathlib.Path(directory).glob("*.json"))
        yield [(path.name, json.loads(path.read_text())) for path in files]


def test_every_written_kind_was_exported(manifests):
    assert {manifest["kind"] for _, manifest in manifests} == EXPECTED_KINDS


def test_every_manifest_validates_strictly_against_the_official_schemas(manifests):
    problems = []
    for name, manifest in manifests:
        try:
            kubernetes_validate.validate(manifest, KUBERNETES_VERSION, strict=True)
        except kubernetes_validate.ValidationError as error:
            problems.append(f"{name}: {'.'.join(str(part) for part in error.path)}: {error.message}")
    assert not problems, "\n".join(problems)


def test_strict_validation_catches_an_unknown_field(manifests):
    # The check itself must be able to fail: an unknown field in a real manifest is refused.
    name, manifest = next((name, manifest) for name, manifest in manifests if manifest["kind"] == "Deployment")
    broken = json.loads(json.dumps(manifest))
    broken["spec"]["replica"] = 2
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES_VERSION, strict=True)
