#!/usr/bin/env python3
"""KubeBackend's list decoding side by side with the official Python client's.

Generates (once) a 5,000-node NodeList and a 50,000-pod PodList served by kubesim, then
decodes each file in a fresh process with `kube-bench decode` and with
`kubernetes.client.ApiClient().deserialize` (UTF-8 text, json.loads, then the
V1NodeList/V1PodList models, as the client decodes every response), and prints a table: median time over the
runs, peak resident memory the decode added, and Python's figure over Swift's.

    .venv/bin/python bench/KubeBench/decode_compare.py --bench .build-sim/release/kube-bench [--dir /tmp/kube-bench]

With --cpu N both sides are pinned to that core (taskset).
"""

import argparse
import json
import os
import pathlib
import subprocess
import sys
import time

CASES = [("nodes.json", "nodes", "V1NodeList", "NodeList, 5,000 nodes"),
         ("pods.json", "pods", "V1PodList", "PodList, 50,000 pods")]


def resident(field):
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    return 0


def python_decode(path, type_name, iterations):
    """Runs in its own process: one decode for peak memory, then timed ones."""
    from kubernetes import client

    api = client.ApiClient()

    def decode(raw):
        # As ApiClient.response_deserialize does: bytes to text, then json.loads and the models.
        return api.deserialize(raw.decode("utf-8"), type_name, "application/json")

    data = pathlib.Path(path).read_bytes()
    before = resident("VmRSS")
    start = time.perf_counter()
    items = len(decode(data).items)
    first = time.perf_counter() - start
    peak = resident("VmHWM") - before
    times = [first]
    for _ in range(iterations):
        start = time.perf_counter()
        decode(data)
        times.append(time.perf_counter() - start)
    times.sort()
    print(json.dumps({"items": items, "bytes": len(data), "first_seconds": first,
                      "median_seconds": times[len(times) // 2], "peak_bytes": peak}))


def run_json(command, cpu):
    if cpu is not None:
        command = ["taskset", "-c", str(cpu)] + command
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bench", default=".build-sim/release/kube-bench")
    parser.add_argument("--dir", default="/tmp/kube-bench")
    parser.add_argument("--cpu", type=int)
    parser.add_argument("--swift-iterations", type=int, default=5)
    parser.add_argument("--python-iterations", type=int, default=2)
    parser.add_argument("--python-decode", nargs=2, metavar=("FILE", "TYPE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.python_decode:
        python_decode(args.python_decode[0], args.python_decode[1], args.python_iterations)
        return

    directory = pathlib.Path(args.dir)
    if not (directory / "pods.json").exists():
        subprocess.run([args.bench, "generate", "--dir", str(directory)], check=True)
    rows = []
    for file, kind, type_name, label in CASES:
        path = str(directory / file)
        swift = run_json([args.bench, "decode", path, "--kind", kind, "--iterations", str(args.swift_iterations)], args.cpu)
        python = run_json([sys.executable, __file__, "--python-iterations", str(args.python_iterations),
                           "--python-decode", path, type_name], args.cpu)
        assert swift["items"] == python["items"], (swift, python)
        rows.append((label, swift, python))

    print(f"{'list':<24}{'MB':>7}  {'Swift s':>9}{'Python s':>10}{'ratio':>8}  {'Swift peak MB':>14}{'Python peak MB':>15}{'ratio':>8}")
    for label, swift, python in rows:
        megabytes = swift["bytes"] / 1e6
        print(f"{label:<24}{megabytes:>7.1f}  {swift['median_seconds']:>9.3f}{python['median_seconds']:>10.3f}"
              f"{python['median_seconds'] / swift['median_seconds']:>7.1f}x  {swift['peak_bytes'] / 1e6:>14.0f}"
              f"{python['peak_bytes'] / 1e6:>15.0f}{python['peak_bytes'] / max(swift['peak_bytes'], 1):>7.1f}x")


if __name__ == "__main__":
    main()
