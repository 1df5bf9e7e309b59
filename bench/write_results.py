"""Writes bench/RESULTS.md from one bench/compare.sh run (called by compare.sh).

Usage: write_results.py OUT_DIR RESULTS_MD
OUT_DIR holds unary/ (run-peers.sh) and fanout/ (run-fanout.sh); the machine, versions and
commands come from the environment compare.sh exports. The previous results of RESULTS_MD move
under "History", newest first.
"""
import datetime
import os
import re
import statistics as st
import sys

OURS = "fleetd-echo"
OURS_ASYNC = "fleetd-echo-async"
MARKER = "<!-- history: older runs below, newest first -->"


def table_rows(path):
    """The rows of every Markdown table in a file, as dicts keyed by the table's header."""
    rows, header = [], None
    for line in open(path):
        line = line.strip()
        if not line.startswith("|"):
            header = None
            continue
        cells = [c.strip() for c in line.strip("|").split("|")]
        if header is None:
            header = cells
        elif not set("".join(cells)) <= set("-: "):
            rows.append(dict(zip(header, cells)))
    return rows


def number(text):
    m = re.match(r"[\d,.]+", text or "")
    return float(m[0].replace(",", "")) if m else None


def ratio(a, b, digits=2):
    return f"{a / b:.{digits}f}×" if a is not None and b else "–"


def unary_section(res):
    summary = os.path.join(res, "summary.md")
    if not os.path.exists(summary):
        return ["Not run (see the log in " + res + ")."]
    out = ["### Unary echo: run-peers.sh", "", "Command:", "", "```sh", os.environ["CMD_UNARY"], "```", ""]
    out += open(summary).read().rstrip().splitlines() + [""]
    rows = table_rows(summary)
    rps = {r["server"]: number(r.get("req/s c16 m32, median [min–max]")) for r in rows if "req/s c16 m32, median [min–max]" in r}
    p50 = {r["server"]: number(r.get("ping-pong p50 / p99 (µs)")) for r in rows if "ping-pong p50 / p99 (µs)" in r}
    eff = {r["server"]: number(r.get("req per server CPU-s")) for r in rows if "req per server CPU-s" in r}
    if OURS not in rps:
        return out + [f"{OURS} has no result in this run."]
    ours = [name for name in (OURS, OURS_ASYNC) if name in rps]
    for name in ours:
        out += [f"| {name} against | req/s (median, one pinned core) | req per server CPU-s | ping-pong p50 |",
                "|---|---|---|---|"]
        for peer in rps:
            if peer in ours:
                continue
            out.append(f"| {peer} | {rps[name]:,.0f} / {rps[peer]:,.0f} = **{ratio(rps[name], rps[peer])}** | "
                       f"{eff.get(name, 0):,.0f} / {eff.get(peer, 0):,.0f} = **{ratio(eff.get(name), eff.get(peer))}** | "
                       f"{p50.get(name, 0):.0f} / {p50.get(peer, 0):.0f} µs = {ratio(p50.get(name), p50.get(peer))} |")
        out.append("")
    out += ["| target | " + " | ".join(ours) + " |", "|---|" + "---|" * len(ours)]
    if "cpp-grpc" in rps:
        out.append("| req/s ≥ 4× C++ gRPC | " + " | ".join(ratio(rps[n], rps["cpp-grpc"]) for n in ours) + " |")
    if "nghttp2-c" in eff:
        out.append("| req per server CPU-s ≥ 0.5× the nghttp2 C ceiling | "
                   + " | ".join(ratio(eff.get(n), eff["nghttp2-c"]) for n in ours) + " |")
    if "nghttp2-c" in p50:
        out.append("| ping-pong p50 ≤ 1.1× the nghttp2 C ceiling | "
                   + " | ".join(ratio(p50.get(n), p50["nghttp2-c"]) for n in ours) + " |")
    if OURS_ASYNC in ours:
        out += ["", f"{OURS} registers Echo as a synchronous handler, which runs with no task; {OURS_ASYNC} is the "
                "same binary with `--async-echo`, an `async` handler that runs in a task of its own."]
    return out + [""]


def fanout_runs(res):
    runs = {}
    path = os.path.join(res, "results.txt")
    if not os.path.exists(path):
        return runs
    for line in open(path):
        kv = dict(f.split("=", 1) for f in line.split()[1:] if "=" in f and not f.startswith("label="))
        runs.setdefault((kv["server"], int(kv["n"])), []).append(kv)
    return runs


def fanout_section(res):
    summary = os.path.join(res, "summary.md")
    if not os.path.exists(summary):
        return ["Not run (see the log in " + res + ")."]
    out = ["### Streaming fan-out: run-fanout.sh", "", "Command:", "", "```sh", os.environ["CMD_FANOUT"], "```", ""]
    out += open(summary).read().rstrip().splitlines() + [""]
    runs = fanout_runs(res)

    def mean(server, n, key):
        rs = runs.get((server, n), [])
        return st.mean(float(r[key]) for r in rs) if rs else None

    ns = sorted({n for _, n in runs})
    peers = sorted({s for s, _ in runs if s != OURS})
    out += ["Ratios use the mean over reps. Delivered = received / expected; for p99 and memory, "
            "a ratio below 1 means fleetd-echo needs less.", "",
            "| N | fleetd-echo against | delivered | p99 latency | time-to-all p50 | RSS KiB / subscriber | server CPU |",
            "|---|---|---|---|---|---|---|"]
    for n in ns:
        if (OURS, n) not in runs:
            continue
        for peer in peers:
            if (peer, n) not in runs:
                out.append(f"| {n:,} | {peer} | no result | | | | |")
                continue
            cells = []
            for key, unit, fmt in (("completeness_pct", "%", "{:.1f}"), ("p99_ms", " ms", "{:.1f}"),
                                   ("tta_p50_ms", " ms", "{:.1f}"), ("kib_per_stream", "", "{:.1f}"),
                                   ("server_cpu_pct", "%", "{:.0f}")):
                a, b = mean(OURS, n, key), mean(peer, n, key)
                cells.append(f"{fmt.format(a)}{unit} / {fmt.format(b)}{unit} = **{ratio(a, b)}**")
            out.append(f"| {n:,} | {peer} | " + " | ".join(cells) + " |")
    out += ["", "| target at 10,000 subscribers, 100 ms | measured (each rep) |", "|---|---|"]
    rs = runs.get((OURS, 10000), [])
    if rs:
        out.append("| every tick reaches every subscriber | "
                   + " / ".join(f"{float(r['completeness_pct']):.2f}% delivered, "
                                f"{r['ticks_all']} of {r['ticks']} ticks reached all" for r in rs) + " |")
        out.append("| p99 delivery ≤ 100 ms | " + " / ".join(f"{float(r['p99_ms']):.1f} ms" for r in rs) + " |")
        out.append("| ≤ 10 KiB per subscriber | " + " / ".join(f"{float(r['kib_per_stream']):.2f} KiB" for r in rs) + " |")
    else:
        out.append("| (no fleetd-echo run at 10,000) | |")
    return out + [""]


def main():
    out_dir, results = sys.argv[1], sys.argv[2]
    env = os.environ
    now = datetime.datetime.now().strftime("%Y-%m-%d %H:%M")
    body = [
        f"## Run of {now} (commit {env.get('COMMIT', '?')})", "",
        f"Machine: {env.get('CPU_MODEL', '?')}, {env.get('CPU_COUNT', '?')} cores, kernel {env.get('KERNEL', '?')}. "
        f"Load average (1/5/15 min) at the start {env.get('LOAD_START', '?')}, at the end {env.get('LOAD_END', '?')}; "
        "each peer script also records its own below. Other work on this shared machine inflates every "
        "server's figures alike within one alternating run; compare within a run.", "",
        f"Versions: {env.get('SWIFT_VERSION', '?')}, libnghttp2 {env.get('NGHTTP2_VERSION', '?')}, "
        f"libgrpc++ {env.get('GRPCPP_VERSION', '?')} (C++ peer), {env.get('GRPC_SWIFT_VERSION', '?')} (Swift peer).", "",
        f"One command ran everything below: `{env.get('CMD_COMPARE', 'bench/compare.sh')}` (raw output in "
        f"`{out_dir}`). The server was built with:", "",
        "```sh", env.get("CMD_BUILD", ""), "```", "",
    ]
    body += unary_section(os.path.join(out_dir, "unary"))
    body += fanout_section(os.path.join(out_dir, "fanout"))

    title = ["# Benchmark results", "",
             "Written by `bench/compare.sh`: rpc-echo-server side by side with the peers in ../shared/peers, "
             "in one run, on this project's 2-core machine. Ratios are fleetd-echo's figure over the peer's.", ""]
    previous, history = [], []
    if os.path.exists(results):
        text = open(results).read()
        if MARKER in text:
            head, tail = text.split(MARKER, 1)
            previous = head.splitlines()
            history = tail.strip().splitlines()
            if history and history[0].startswith("## History"):
                history = history[1:]
        else:
            previous = text.splitlines()
        # Drop the previous title and preamble, keep its runs one heading level down.
        while previous and not previous[0].startswith("## "):
            previous.pop(0)
        previous = ["#" + l if l.startswith("#") else l for l in previous]
    lines = title + body + [MARKER, "", "## History", ""] + previous + [""] + history
    with open(results, "w") as f:
        f.write("\n".join(lines).rstrip() + "\n")


if __name__ == "__main__":
    main()
