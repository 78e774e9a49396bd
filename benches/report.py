#!/usr/bin/env python3
"""Prints the medians criterion recorded for each bench group, and each figure's ratio to the
raw-tokio baseline of the same group measured in the same run.

Usage: cargo bench --bench tell --bench ask --bench spawn --bench fan_in && python3 benches/report.py
"""
import json
import pathlib
import sys

root = pathlib.Path(__file__).resolve().parent.parent / "target" / "criterion"
if not root.is_dir():
    sys.exit(f"no criterion results under {root}: run cargo bench first")


def fmt(ns):
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("µs", 1e3)):
        if ns >= scale:
            return f"{ns / scale:.3g} {unit}"
    return f"{ns:.3g} ns"


print(f"{'workload':<28} {'variant':<18} {'median':>10} {'vs raw':>8}")
for group in sorted(p for p in root.iterdir() if p.is_dir() and p.name != "report"):
    medians = {}
    for est in sorted(group.glob("**/new/estimates.json")):
        variant = str(est.parent.parent.relative_to(group))
        medians[variant] = json.loads(est.read_text())["median"]["point_estimate"]
    throughput = group.name.startswith(("A_", "D_"))
    for variant, median in sorted(medians.items()):
        base = medians.get(variant.replace("actors", "raw", 1))
        shown = ""
        if variant.startswith("actors") and base:
            shown = f"{base / median:.2f}x" if throughput else f"{median / base:.2f}x"
        print(f"{group.name:<28} {variant:<18} {fmt(median):>10} {shown:>8}")
print("\nThroughput workloads (tell, fan_in) show raw time / actors time (higher is better);")
print("latency and spawn workloads show actors time / raw time (lower is better).")
