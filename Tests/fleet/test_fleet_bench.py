"""fleet-bench against a real fleetd on its embedded simulated fleet: short runs whose JSON
reports must show work done and no errors, and clear, quick failures for bad input."""
import json
import os
import socket
import subprocess

from fleet_harness import build_dir, fleetd  # noqa: F401 (fixture)


def fleet_bench(*args, timeout=120):
    return subprocess.run([os.path.join(build_dir(), "fleet-bench"), *args],
                          capture_output=True, text=True, timeout=timeout)


def test_unary_mix_runs_with_no_errors(fleetd, tmp_path):
    out = tmp_path / "unary.json"
    run = fleet_bench("unary", "--server", fleetd.address, "--rate", "200", "--duration", "2s", "--warmup", "500ms",
                      "--mix", "deploy-dry-run=50,get-capacity=30,list-deployments=20,deploy-delete=10",
                      "--connections", "2", "--server-pid", str(fleetd.process.pid), "--json", str(out))
    assert run.returncode == 0, run.stderr
    report = json.loads(out.read_text())
    assert report["mode"] == "unary" and report["pacing"] == "open-loop"
    assert report["total"]["ok"] > 0 and report["total"]["throughput"] > 0
    assert report["total"]["errorCount"] == 0, report["total"]["errors"]
    rows = {row["name"]: row for row in report["operations"]}
    for name in ("deploy-dry-run", "get-capacity", "list-deployments", "deploy-delete"):
        assert rows[name]["ok"] > 0 and rows[name]["errorCount"] == 0, rows[name]
        latency = rows[name]["latencyMicros"]
        assert 0 < latency["p50"] <= latency["p90"] <= latency["p99"] <= latency["p999"] <= latency["max"]
    assert sum(report["deploysByCluster"].values()) == rows["deploy-delete"]["ok"]
    assert report["serverUsage"]["cpuSeconds"] > 0 and report["serverUsage"]["rssBytesEnd"] > 0
    assert "| operation | ok | errors | ops/s | p50 | p90 | p99 | p99.9 | max |" in run.stdout
    assert "fleet-bench: 1s" in run.stderr, "no progress line"


def test_closed_loop_spread_over_clusters(fleetd, tmp_path):
    out = tmp_path / "closed.json"
    run = fleet_bench("unary", "--server", fleetd.address, "--closed-loop", "--concurrency", "8", "--duration", "2s",
                      "--warmup", "0s", "--mix", "deploy-delete", "--spread-clusters", "--json", str(out))
    assert run.returncode == 0, run.stderr
    report = json.loads(out.read_text())
    assert report["total"]["ok"] > 0 and report["total"]["errorCount"] == 0, report["total"]
    assert len(report["deploysByCluster"]) == 4, report["deploysByCluster"]


def test_watch_delivers_every_change(fleetd, tmp_path):
    out = tmp_path / "watch.json"
    run = fleet_bench("watch", "--server", fleetd.address, "--subscribers", "20", "--connections", "2",
                      "--change-rate", "10", "--duration", "2s", "--grace", "1s",
                      "--server-pid", str(fleetd.process.pid), "--json", str(out))
    assert run.returncode == 0, run.stderr
    report = json.loads(out.read_text())
    assert report["changes"]["attributed"] > 0, report["changes"]
    assert report["driverErrors"] == {} and report["subscriberErrors"] == {}
    assert report["delivery"]["expected"] == report["changes"]["attributed"] * 20
    assert report["delivery"]["completeness"] == 1.0, report["delivery"]
    assert report["deliveryLatencyMicros"]["count"] == report["delivery"]["delivered"]
    assert report["memory"]["rssWithStreamsBytes"] > 0
    assert "| measure | count |" in run.stdout


def test_unreachable_server_fails_clearly():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    for mode in (["unary", "--rate", "10"], ["watch"]):
        run = fleet_bench(mode[0], "--server", f"127.0.0.1:{port}", *mode[1:], "--duration", "1s", timeout=30)
        assert run.returncode != 0
        assert f"cannot reach 127.0.0.1:{port}" in run.stderr, run.stderr


def test_bad_arguments_fail_clearly():
    for args, reason in [(["unary", "--server", "127.0.0.1:1"], "choose --rate N"),
                         (["unary", "--server", "x", "--rate", "1"], "is not HOST:PORT"),
                         (["unary", "--server", "127.0.0.1:1", "--rate", "1", "--mix", "bogus=1"], "is not an operation"),
                         (["watch", "--server", "127.0.0.1:1", "--subscribers", "0"], "--subscribers must be at least 1")]:
        run = fleet_bench(*args, timeout=30)
        assert run.returncode != 0, args
        assert reason in run.stderr, run.stderr
