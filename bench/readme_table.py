#!/usr/bin/env python3
"""The bench/README.md table from one or more make bench runs.

usage: bench/readme_table.py reports/bench/run1/results.json [more results.json ...]

Prints Markdown: the machine and the load of each run, then one row per
figure (median, and its ratio to the pipe round trip of the same rounds),
one row per goal (value and met / NOT met) and per other ratio, one column
per run. Nothing is computed here that the bench did not compute: the
values are read from results.json as they are.
"""
import json
import sys


def fmt_ns(ns, per_second):
    if per_second:
        return "%.1f/s" % (1e9 / ns if ns else 0)
    if ns < 1e3:
        return "%.0f ns" % ns
    if ns < 1e6:
        return "%.2f us" % (ns / 1e3)
    return "%.2f ms" % (ns / 1e6)


def fmt_ratio(x):
    return "%.3fx" % x if x < 0.1 else "%.2fx" % x if x < 100 else "%.0fx" % x


def figure_cell(fig):
    if fig is None:
        return "-"
    if "skipped" in fig:
        return "skipped"
    cell = fmt_ns(fig["median"], "per_second_median" in fig)
    if "ratio_median" in fig:
        cell += " (%s)" % fmt_ratio(fig["ratio_median"])
    return cell


def main(paths):
    if not paths:
        sys.stderr.write(__doc__)
        return 2
    runs = []
    for p in paths:
        try:
            with open(p) as f:
                runs.append(json.load(f))
        except (OSError, ValueError) as e:
            sys.stderr.write("%s: %s\n" % (p, e))
            return 2
    env = [r["environment"] for r in runs]
    e0 = env[0]
    print("Machine: %s, %d CPUs, kernel %s, CPUID faulting %s; %d rounds per run%s."
          % (e0["cpu_model"], e0["cpus_online"], e0["kernel"],
             "available" if e0.get("cpuid_faulting_available") else "absent",
             e0["rounds"], "; SCHED_FIFO" if e0.get("sched_fifo") else ""))
    print()
    head = "| | " + " | ".join("run %d" % (i + 1) for i in range(len(runs))) + " |"
    print(head)
    print("|---" * (len(runs) + 1) + "|")
    print("| load average at start / end | "
          + " | ".join("%s / %s" % (e["loadavg_start"].split()[0], e["loadavg_end"].split()[0])
                       for e in env) + " |")
    names = []
    for r in runs:
        for fig in r["figures"]:
            if fig["name"] not in [n for n, _ in names]:
                names.append((fig["name"], fig["label"]))
    by_name = [{fig["name"]: fig for fig in r["figures"]} for r in runs]
    for name, label in names:
        print("| %s (`%s`) | %s |" % (label, name,
                                       " | ".join(figure_cell(b.get(name)) for b in by_name)))
    goals = [g["goal"] for g in runs[0]["goals"]]
    for i, what in enumerate(goals):
        cells = []
        for r in runs:
            g = r["goals"][i]
            cells.append("%s: %s" % (fmt_ratio(g["value"]), "met" if g["met"] else "NOT met")
                         if g["measured"] else "not measured")
        print("| **goal** %s %s | %s |" % (what, runs[0]["goals"][i]["limit"], " | ".join(cells)))
    for i, o in enumerate(runs[0].get("other_ratios", [])):
        cells = [fmt_ratio(r["other_ratios"][i]["value"]) if r["other_ratios"][i]["measured"]
                 else "not measured" for r in runs]
        print("| %s | %s |" % (o["what"], " | ".join(cells)))
    print()
    print("Cells: median over the rounds (in brackets: the median per-round ratio to the"
          " pipe round trip measured around it).")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
