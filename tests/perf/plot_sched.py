#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Plot PktSched throughput (Mpps) against the number of queues, as SVG.

Reads bench_sched output (the "bench: sched.<policy>.q<N> value=.. unit=Mpps
baseline=.." lines; other lines are ignored) from the files given, or stdin,
and writes one SVG: a line per policy, and rte_sched (the baseline of each
line, averaged over the policies' runs at that size). With several runs in
the input, each point is the median of its values. Needs only Python 3.

    build/tests/perf/bench_sched <EAL args> -- > sched.txt
    tests/perf/plot_sched.py sched.txt -o doc/img/sched_mpps.svg
"""
import argparse
import math
import re
import statistics
import sys

LINE = re.compile(r"^bench: sched\.(\w+)\.q(\d+)(k?) value=([\d.]+) unit=Mpps "
                  r"baseline=([\d.]+)")
COLOURS = {"wfq": "#1f77b4", "wf2q": "#ff7f0e", "drr": "#2ca02c",
           "rte_sched": "#7f7f7f"}
W, H, ML, MR, MT, MB = 640, 400, 70, 130, 40, 60


def parse(files):
    """{series: {queues: [values]}} from bench output."""
    data = {}
    for f in files:
        for line in f:
            m = LINE.match(line.strip())
            if not m:
                continue
            pol, n, k, v, base = m.groups()
            nq = int(n) * (1024 if k else 1)
            data.setdefault(pol, {}).setdefault(nq, []).append(float(v))
            data.setdefault("rte_sched", {}).setdefault(nq, []).append(
                float(base))
    return {s: {q: statistics.median(v) for q, v in pts.items()}
            for s, pts in data.items()}


def svg(series, title):
    qs = sorted({q for pts in series.values() for q in pts})
    top = max(v for pts in series.values() for v in pts.values())
    top = 10 ** math.ceil(math.log10(top)) if top > 0 else 1
    if top / 2 >= max(v for pts in series.values() for v in pts.values()):
        top /= 2
    lx0, lx1 = math.log2(qs[0]), math.log2(qs[-1])

    def x(q):
        span = (lx1 - lx0) or 1
        return ML + (math.log2(q) - lx0) / span * (W - ML - MR)

    def y(v):
        return H - MB - v / top * (H - MT - MB)

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" '
           f'height="{H}" font-family="sans-serif" font-size="12">',
           f'<rect width="{W}" height="{H}" fill="white"/>',
           f'<text x="{W / 2}" y="22" text-anchor="middle" '
           f'font-size="14">{title}</text>',
           f'<line x1="{ML}" y1="{H - MB}" x2="{W - MR}" y2="{H - MB}" '
           'stroke="black"/>',
           f'<line x1="{ML}" y1="{MT}" x2="{ML}" y2="{H - MB}" '
           'stroke="black"/>']
    for i in range(6):
        v = top * i / 5
        out.append(f'<line x1="{ML - 4}" y1="{y(v):.1f}" x2="{W - MR}" '
                   f'y2="{y(v):.1f}" stroke="#ddd"/>')
        out.append(f'<text x="{ML - 8}" y="{y(v) + 4:.1f}" '
                   f'text-anchor="end">{v:g}</text>')
    for q in qs:
        label = f"{q // 1024}K" if q >= 1024 else str(q)
        out.append(f'<text x="{x(q):.1f}" y="{H - MB + 18}" '
                   f'text-anchor="middle">{label}</text>')
    out.append(f'<text x="{(ML + W - MR) / 2}" y="{H - 15}" '
               'text-anchor="middle">queues (all backlogged, 64 B)</text>')
    out.append(f'<text x="18" y="{(MT + H - MB) / 2}" text-anchor="middle" '
               f'transform="rotate(-90 18 {(MT + H - MB) / 2})">'
               'Mpps (enqueue+dequeue pairs, one lcore)</text>')
    for i, (name, pts) in enumerate(sorted(series.items())):
        colour = COLOURS.get(name, "black")
        dash = ' stroke-dasharray="6 4"' if name == "rte_sched" else ""
        path = " ".join(f"{x(q):.1f},{y(v):.1f}"
                        for q, v in sorted(pts.items()))
        out.append(f'<polyline points="{path}" fill="none" '
                   f'stroke="{colour}" stroke-width="2"{dash}/>')
        for q, v in sorted(pts.items()):
            out.append(f'<circle cx="{x(q):.1f}" cy="{y(v):.1f}" r="3" '
                       f'fill="{colour}"/>')
        ly = MT + 10 + 20 * i
        out.append(f'<line x1="{W - MR + 15}" y1="{ly}" x2="{W - MR + 40}" '
                   f'y2="{ly}" stroke="{colour}" stroke-width="2"{dash}/>')
        out.append(f'<text x="{W - MR + 46}" y="{ly + 4}">{name}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="*", help="bench output (default stdin)")
    ap.add_argument("-o", "--output", default="-", help="SVG file ('-')")
    ap.add_argument("--title", default="PktSched vs rte_sched")
    args = ap.parse_args()
    files = [open(f) for f in args.files] or [sys.stdin]
    series = parse(files)
    if not series:
        sys.exit("plot_sched: no 'bench: sched.<policy>.q<N>' lines")
    text = svg(series, args.title)
    if args.output == "-":
        sys.stdout.write(text)
    else:
        with open(args.output, "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
