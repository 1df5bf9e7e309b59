#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test: the committed generated code is
# checked for freshness, then the Swift suites, then the Python suites that drive the real
# servers with stock grpcio clients over real sockets.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
scripts/gen-protos.sh --check
swift build --build-tests
swift test --skip-build
.venv/bin/python -m pytest -q Tests/interop Tests/kubesim Tests/fleet
