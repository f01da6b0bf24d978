#!/usr/bin/env python3
"""contrib/bench/report.py OUTDIR: turns OUTDIR/results.tsv (lines of
round, backend, tool, workload, value, unit) and OUTDIR/meta.json into
results.md (tables laid out like the seed's), results.json (medians,
ratios, every sample) and chart.svg (grouped bars drawn by gnuplot).
Medians over rounds; imgmount/guestmount ratios are taken per round, then
their median.  The OS image row (workload osimage) has its own table: the
automatic mount against imgmount -m (their difference, per round, then
the median) and against guestmount -i, with issue 29's targets."""
import collections
import json
import math
import os
import statistics
import subprocess
import sys

BACKEND_NAMES = {"kvm": "KVM", "tcg": "TCG", "uml": "UML", "host": "host"}
# Workloads through the mount, in table order: (key, label, MB moved or None)
MOUNT_WORKLOADS = [
    ("startup", "start-up (mountpoint usable)", None),
    ("cp", "cp {file} MB in, until fsync returns", "file_mb"),
    ("cat", "cat {file} MB out, cold caches", "file_mb"),
    ("rsync-in", "rsync -a tree in ({files} files, {tree} MB), until unmounted", "tree_mb"),
    ("find-ls", "find -ls over the tree, cold caches", None),
    ("rsync-out", "rsync -a tree out", "tree_mb"),
    ("rt-median", "getxattr through the mount, one at a time, median of {rt} (ms)", None),
    ("rt-parallel", "getxattr from 32 threads, {rt} each: wall time per call (ms)", None),
    ("rsync-in-4", "4 rsync -a of the tree in at once, each its own copy, until unmounted", None),
    ("parallel-peak-rss", "daemon peak RSS after those 4 rsyncs (MB)", None),
    ("unmount", "unmount after reading (nothing to flush), until the daemon is gone", None),
    ("fsync-median", "4 KB write + fsync, median of {samples} (ms)", None),
    ("fsync-p99", "4 KB write + fsync, p99 of {samples} (ms)", None),
    ("peak-rss", "daemon peak RSS after cp + fsync test (MB)", None),
    ("mem-peak-rss", "imgmount peak RSS while {mem} MB are copied into an image of {mem_image} MB (MB; round 1)", None),
    ("mem-copy", "that copy of {mem} MB, until fsync returns (round 1)", "mem_mb"),
]
SEED_WORKLOADS = [
    ("startup", "start-up: guestfish `run` (the appliance launch)"),
    ("upload", "upload {upload} MB + sync"),
    ("upload-no-write", "upload-no-write (to a null device node)"),
    ("write-no-upload", "write-no-upload (fill {upload} MB + sync)"),
]
# The bars of the chart: workloads in seconds (fsync shown in seconds too).
CHART_WORKLOADS = [("startup", "start-up"), ("cp", "cp {file} MB in"), ("cat", "cat {file} MB (cold)"),
                   ("rsync-in", "rsync {files} files in"), ("rsync-out", "rsync out"),
                   ("find-ls", "find -ls (cold)"), ("fsync-median", "fsync 4K (median)")]
# The OS image row (workloads osimage, osimage-unmount): its tools, and the
# targets of issue 29 (same run): the automatic mount ready within
# OSIMAGE_TARGET_MINUS_M seconds of the explicit -m one (every backend), and
# at most OSIMAGE_TARGET_OVER_GUESTMOUNT times guestmount -i on TCG.
OSIMAGE_TOOLS = [("imgmount", "imgmount (automatic)"),
                 ("imgmount-m", "imgmount -m /dev/vg0/root -m /dev/sda1:/boot"),
                 ("guestmount", "guestmount -i")]
OSIMAGE_TARGET_MINUS_M = 1.0
OSIMAGE_TARGET_OVER_GUESTMOUNT = {"tcg": 0.3}
TOOL_ORDER = ["imgmount", "imgmount:sandbox-off", "imgmount:none", "imgmount:unsafe", "guestmount",
              "fuse2fs", "loop"]
# What the sandbox costs (issue 27): imgmount over imgmount --sandbox=off.
NO_SANDBOX = "imgmount:sandbox-off"
HOST_TOOLS = ("fuse2fs", "loop")


def load(outdir):
    samples = collections.defaultdict(dict)   # (backend, tool, workload) -> {round: value}
    units = {}
    with open(os.path.join(outdir, "results.tsv")) as f:
        for line in f:
            rnd, backend, tool, workload, value, unit = line.rstrip("\n").split("\t")
            samples[(backend, tool, workload)][int(rnd)] = float(value)
            units[workload] = unit
    with open(os.path.join(outdir, "meta.json")) as f:
        meta = json.load(f)
    return samples, units, meta


def medians_and_ratios(samples):
    medians = {k: statistics.median(v.values()) for k, v in samples.items()}
    ratios = {}
    for (backend, tool, workload), mine in samples.items():
        if not tool.startswith("imgmount"):
            continue
        theirs = samples.get((backend, "guestmount", workload), {})
        per_round = [mine[r] / theirs[r] for r in mine if theirs.get(r)]
        if per_round:
            ratios[(backend, tool, workload)] = statistics.median(per_round)
        if tool == "imgmount":
            bare = samples.get((backend, NO_SANDBOX, workload), {})
            per_round = [mine[r] / bare[r] for r in mine if bare.get(r)]
            if per_round:
                ratios[(backend, "sandbox-cost", workload)] = statistics.median(per_round)
    return medians, ratios


def osimage_figures(samples, ratios, backends):
    """Per backend that ran the OS image row: the median over rounds of
    automatic minus -m (seconds), the median ratio automatic/guestmount -i,
    the targets and whether they are met."""
    figures = {}
    for b in backends:
        auto = samples.get((b, "imgmount", "osimage"), {})
        explicit = samples.get((b, "imgmount-m", "osimage"), {})
        if not auto and not explicit and (b, "guestmount", "osimage") not in samples:
            continue
        diffs = [auto[r] - explicit[r] for r in auto if r in explicit]
        minus_m = statistics.median(diffs) if diffs else None
        auto_find = samples.get((b, "imgmount", "osimage-find"), {})
        explicit_find = samples.get((b, "imgmount-m", "osimage-find"), {})
        find_diffs = [auto_find[r] - explicit_find[r] for r in auto_find if r in explicit_find]
        find_minus_m = statistics.median(find_diffs) if find_diffs else None
        over_gm = ratios.get((b, "imgmount", "osimage"))
        target_gm = OSIMAGE_TARGET_OVER_GUESTMOUNT.get(b)
        figures[b] = {
            "automatic_minus_m_s": minus_m, "target_automatic_minus_m_s": OSIMAGE_TARGET_MINUS_M,
            "automatic_minus_m_met": None if minus_m is None else minus_m <= OSIMAGE_TARGET_MINUS_M,
            "finding_automatic_minus_m_s": find_minus_m,
            "automatic_over_guestmount": over_gm, "target_automatic_over_guestmount": target_gm,
            "automatic_over_guestmount_met": None if over_gm is None or target_gm is None else over_gm <= target_gm,
        }
    return figures


def osimage_markdown(medians, figures, meta):
    def verdict(met):
        return "" if met is None else ": met" if met else ": missed"
    out = ["## The OS image: mounted whole, seconds until `cat /etc/hostname` works", "",
           "A Debian system (%s): mmdebstrap --variant=minbase bookworm; GPT; /boot ext2 labelled BOOT "
           "on partition 1; / ext4 labelled ROOTFS on LVM vg0/root; fstab by LABEL=.  Read-only mounts, "
           "one at a time, host caches warm; \"ready\": the mount command has returned and "
           "`cat /etc/hostname` works.  Targets (issue 29): automatic within %g s of -m on every backend; "
           "automatic at most %s." % (
               meta.get("os_image") or "os-image.sh", OSIMAGE_TARGET_MINUS_M,
               ", ".join("%gx guestmount -i on %s" % (v, BACKEND_NAMES.get(k, k)) for k, v in OSIMAGE_TARGET_OVER_GUESTMOUNT.items())),
           "",
           "| backend | | " + " | ".join(label for _, label in OSIMAGE_TOOLS) +
           " | automatic - (-m), s | automatic / guestmount -i |",
           "|---|---|" + "---:|" * (len(OSIMAGE_TOOLS) + 2)]
    for b, fig in figures.items():
        name = BACKEND_NAMES.get(b, b)
        minus_m, over_gm = fig["automatic_minus_m_s"], fig["automatic_over_guestmount"]
        out.append("| %s | ready | %s | %s | %s |" % (
            name, " | ".join(fmt(medians.get((b, t, "osimage"))) for t, _ in OSIMAGE_TOOLS),
            "-" if minus_m is None else "%.1f (target <= %g%s)" % (
                minus_m, fig["target_automatic_minus_m_s"], verdict(fig["automatic_minus_m_met"])),
            "-" if over_gm is None else "%.2f" % over_gm if fig["target_automatic_over_guestmount"] is None else
            "%.2f (target <= %g%s)" % (over_gm, fig["target_automatic_over_guestmount"],
                                       verdict(fig["automatic_over_guestmount_met"]))))
        if any((b, t, "osimage-find") in medians for t, _ in OSIMAGE_TOOLS):
            find_minus_m = fig.get("finding_automatic_minus_m_s")
            out.append("| %s | of which finding and mounting the filesystems (imgmount -v) | %s | %s | |" % (
                name, " | ".join(fmt(medians.get((b, t, "osimage-find"))) for t, _ in OSIMAGE_TOOLS),
                "-" if find_minus_m is None else "%.1f" % find_minus_m))
        if any((b, t, "osimage-unmount") in medians for t, _ in OSIMAGE_TOOLS):
            out.append("| %s | unmount, until the appliance has let go of the image | %s | | |" % (
                name, " | ".join(fmt(medians.get((b, t, "osimage-unmount"))) for t, _ in OSIMAGE_TOOLS)))
    out.append("")
    return out


# Issue 26's targets (imgmount-agent), per backend, from the same run:
# (label, how the figure is made, comparison, {backend: target}, unit).
AGENT_TARGETS = [
    ("getxattr through the mount, one at a time (median, ms)", "rt", "<=", {"uml": 0.4, "tcg": 0.25}, "ms"),
    ("getxattr from 32 threads, wall time per call (ms)", "rt-par", "<=", {"uml": 0.15, "tcg": 0.05}, "ms"),
    ("rsync -a in, until unmounted: imgmount / guestmount", "rsync-in", "<=", {"uml": 0.25, "tcg": 0.25}, "x"),
    ("rsync -a in, until unmounted: imgmount / fuse2fs", "rsync-in-fuse2fs", "<", {"uml": 1.0, "tcg": 1.0}, "x"),
    ("find -ls, cold: imgmount / guestmount", "find-ls", "<=", {"uml": 0.25, "tcg": 0.25}, "x"),
    ("rsync -a out: imgmount / guestmount", "rsync-out", "<=", {"uml": 0.4, "tcg": 0.4}, "x"),
    ("4 rsyncs in at once / 4 times one alone", "parallel", "<=", {"uml": 0.5, "tcg": 0.5}, "x"),
    ("cp in until fsync: its rate / write-no-upload's", "cp-rate", ">=", {"uml": 0.8, "tcg": 0.8}, "x"),
    ("4 KB write + fsync, median (ms)", "fsync", "<=", {"uml": 40, "tcg": 20}, "ms"),
    ("the seed's upload (guestfish), MB/s", "upload", ">=", {"uml": 50}, "MB/s"),
    ("the seed's upload-no-write (guestfish), MB/s", "upload-no-write", ">=", {"uml": 100}, "MB/s"),
    ("daemon peak RSS under the 4 rsyncs (MB)", "rss", "<", {"uml": 64, "tcg": 64}, "MB"),
]


def agent_figure(kind, b, medians, ratios, meta):
    """One figure of AGENT_TARGETS for backend B, or None if not measured."""
    m = lambda tool, key, backend=b: medians.get((backend, tool, key))
    def quotient(x, y):
        return x / y if x is not None and y else None
    if kind == "rt":
        return m("imgmount", "rt-median")
    if kind == "rt-par":
        return m("imgmount", "rt-parallel")
    if kind in ("rsync-in", "find-ls", "rsync-out"):
        return ratios.get((b, "imgmount", kind))
    if kind == "rsync-in-fuse2fs":
        return quotient(m("imgmount", "rsync-in"), m("fuse2fs", "rsync-in", "host"))
    if kind == "parallel":
        one = m("imgmount", "rsync-in")
        return quotient(m("imgmount", "rsync-in-4"), 4 * one if one else None)
    if kind == "cp-rate":
        cp, wnu = m("imgmount", "cp"), m("guestfish", "write-no-upload")
        return quotient(quotient(meta["file_mb"], cp), quotient(meta["upload_mb"], wnu))
    if kind == "fsync":
        return m("imgmount", "fsync-median")
    if kind in ("upload", "upload-no-write"):
        return quotient(meta["upload_mb"], m("guestfish", kind))
    if kind == "rss":
        return m("imgmount", "parallel-peak-rss")
    return None


def agent_targets(medians, ratios, meta, backends):
    """{backend: [{label, value, target, op, met}]} for the backends that
    ran imgmount."""
    ops = {"<=": lambda v, t: v <= t, "<": lambda v, t: v < t, ">=": lambda v, t: v >= t}
    out = {}
    for b in backends:
        if not any(k[0] == b and k[1] == "imgmount" for k in medians):
            continue
        rows = []
        for label, kind, op, targets, unit in AGENT_TARGETS:
            if b not in targets:
                continue
            value = agent_figure(kind, b, medians, ratios, meta)
            rows.append({"label": label, "value": value, "target": targets[b], "op": op, "unit": unit,
                         "met": None if value is None else ops[op](value, targets[b])})
        if any(row["value"] is not None for row in rows):
            out[b] = rows
    return out


def agent_targets_markdown(targets):
    backends = list(targets)
    labels = []
    for b in backends:
        labels += [row["label"] for row in targets[b] if row["label"] not in labels]
    out = ["## Issue 26's targets (imgmount-agent), from this run", "",
           "Each cell: the figure, the target, and whether it is met; '-': not measured in this run.", "",
           "| target | " + " | ".join(BACKEND_NAMES.get(b, b) for b in backends) + " |",
           "|---|" + "---|" * len(backends)]
    for label in labels:
        cells = []
        for b in backends:
            row = next((r for r in targets[b] if r["label"] == label), None)
            if row is None:
                cells.append("")
            elif row["value"] is None:
                cells.append("- (target %s %g)" % (row["op"], row["target"]))
            else:
                cells.append("%s (target %s %g): %s" % (
                    "%.2f" % row["value"] if row["value"] < 10 else "%.1f" % row["value"],
                    row["op"], row["target"], "met" if row["met"] else "missed"))
        out.append("| %s | %s |" % (label, " | ".join(cells)))
    out.append("")
    return out


def fmt(value, mb=None):
    if value is None:
        return "-"
    text = "%.1f" % value if value >= 1 else "%.2f" % value
    if mb and value > 0:
        text += " (%.0f MB/s)" % (mb / value) if mb / value >= 10 else " (%.1f MB/s)" % (mb / value)
    return text


def words(meta):
    return {"file": meta["file_mb"], "files": meta["tree_files"], "tree": meta["tree_mb"],
            "samples": meta["fsync_samples"], "rt": meta.get("rt_calls", 0), "mem": meta["mem_mb"], "mem_image": meta["mem_image_mb"], "upload": meta["upload_mb"]}


def markdown(samples, medians, ratios, meta, has_chart, osimage):
    backends = [b for b in meta["backends"].split(",")]
    present = {k[1] for k in samples}
    tools = [t for t in TOOL_ORDER if t in present]
    host_tools = [t for t in HOST_TOOLS if t in present]
    appliance_tools = [t for t in tools if t not in host_tools]
    w = words(meta)
    out = ["# imgmount benchmarks", "",
           "%s; %s; %s." % (meta["date"], meta["machine"], meta["versions"]),
           "Medians of %d round(s), interleaved; ratios imgmount/guestmount are taken per round, "
           "then their median (below 1: imgmount is faster).  Run time %d min." %
           (meta["rounds"], round(meta["run_seconds"] / 60)), ""]
    if any(k[1] == "guestfish" for k in samples):
        out += ["## The seed's tests (guestfish, 1 GB ext2 image), seconds", "",
                "This machine is a VM whose KVM does not work: the seed's \"virtualized\" case, "
                "with TCG for the seed's KVM column.  (The seed's tests/c-api row, libguestfs's own "
                "test suite, is not reproduced.)" if "kvm" not in backends else
                "(The seed's tests/c-api row, libguestfs's own test suite, is not reproduced.)", "",
                "| test | " + " | ".join(BACKEND_NAMES.get(b, b) for b in backends) + " |",
                "|---|" + "---:|" * len(backends)]
        for key, label in SEED_WORKLOADS:
            mb = meta["upload_mb"] if key != "startup" else None
            out.append("| %s | %s |" % (label.format(**w), " | ".join(
                fmt(medians.get((b, "guestfish", key)), mb) for b in backends)))
        for tool in appliance_tools:
            if any((b, tool, "startup") in medians for b in backends):
                out.append("| start-up: %s (mountpoint usable) | %s |" % (tool, " | ".join(
                    fmt(medians.get((b, tool, "startup"))) for b in backends)))
        out.append("")
    for b in backends:
        if not any((b, t, key) in medians for t in appliance_tools for key, _, _ in MOUNT_WORKLOADS):
            continue
        cols = appliance_tools + (["imgmount/guestmount"] if "guestmount" in tools and "imgmount" in tools else []) \
            + (["imgmount/sandbox-off"] if NO_SANDBOX in tools and "imgmount" in tools else []) \
            + ["%s (ref.)" % t for t in host_tools]
        out += ["## Through the mount, %s backend (ext4 image of %d MB unless said), seconds unless said" %
                (BACKEND_NAMES.get(b, b), meta["image_mb"]), "",
                "| workload | " + " | ".join(cols) + " |", "|---|" + "---:|" * len(cols)]
        for key, label, mbkey in MOUNT_WORKLOADS:
            if not any((bb, t, key) in medians for t in tools for bb in (b, "host")):
                continue
            mb = meta[mbkey] if mbkey else None
            cells = [fmt(medians.get((b, t, key)), mb) for t in appliance_tools]
            if "imgmount/guestmount" in cols:
                ratio = ratios.get((b, "imgmount", key))
                cells.append("%.2f" % ratio if ratio is not None else "-")
            if "imgmount/sandbox-off" in cols:
                ratio = ratios.get((b, "sandbox-cost", key))
                cells.append("%.2f" % ratio if ratio is not None else "-")
            cells += [fmt(medians.get(("host", t, key)), mb) for t in host_tools]
            out.append("| %s | %s |" % (label.format(**w), " | ".join(cells)))
        out.append("")
    targets = agent_targets(medians, ratios, meta, backends)
    if targets:
        out += agent_targets_markdown(targets)
    if osimage:
        out += osimage_markdown(medians, osimage, meta)
    if has_chart:
        out += ["![seconds per workload, per tool and backend](chart.svg)", ""]
    return "\n".join(out)


def as_json(samples, medians, ratios, units, meta, osimage):
    tree = {"meta": meta, "results": {}}
    if osimage:
        tree["osimage"] = osimage
    targets = agent_targets(medians, ratios, meta, meta["backends"].split(","))
    if targets:
        tree["agent_targets"] = targets
    for (backend, tool, workload), values in sorted(samples.items()):
        entry = {"median": medians[(backend, tool, workload)], "unit": units[workload],
                 "rounds": {str(r): v for r, v in sorted(values.items())}}
        if (backend, tool, workload) in ratios:
            entry["ratio_to_guestmount"] = ratios[(backend, tool, workload)]
        tree["results"].setdefault(backend, {}).setdefault(tool, {})[workload] = entry
    return tree


def write_chart_data(path, rows):
    """rows: [(block name, [(label, [value or None, ...]), ...]), ...], one
    gnuplot data block (index) each."""
    with open(path, "w") as f:
        for name, lines in rows:
            f.write("# %s\n" % name)
            for label, values in lines:
                f.write('"%s" %s\n' % (label, " ".join(
                    "%.4f" % max(v, 0.0001) if v is not None else "NaN" for v in values)))
            f.write("\n\n")


def chart(outdir, medians, meta):
    """One panel of grouped bars per backend (workload by tool), and one for
    the seed's guestfish tests (test by backend); seconds, log scale.
    Returns whether there was anything to draw."""
    backends = [b for b in meta["backends"].split(",")
                if any(k[0] == b and k[1] != "guestfish" for k in medians)]
    seed_backends = [b for b in meta["backends"].split(",") if (b, "guestfish", "startup") in medians]
    present = {k[1] for k in medians if k[1] != "guestfish"}
    tools = [t for t in TOOL_ORDER if t in present]
    blocks = []
    for b in backends:
        lines = []
        for key, label in CHART_WORKLOADS:
            values = [medians.get(("host" if t in HOST_TOOLS else b, t, key)) for t in tools]
            if key.startswith("fsync"):
                values = [v / 1000 if v is not None else None for v in values]
            if any(v is not None for v in values):
                lines.append((label.format(**words(meta)), values))
        if lines:
            blocks.append((b, lines))
    if seed_backends:
        blocks.append(("seed", [(label.split(" (")[0].split(": ")[-1].replace("`", "").format(upload=meta["upload_mb"]),
                                 [medians.get((b, "guestfish", key)) for b in seed_backends])
                                for key, label in SEED_WORKLOADS]))
    if not blocks:
        return False
    dat = os.path.join(outdir, "chart.dat")
    write_chart_data(dat, blocks)
    # A colour for every tool and backend: zip would drop the last keys
    # silently if the list ran short (it did once TOOL_ORDER grew).
    palette = ["#1f77b4", "#6baed6", "#c6dbef", "#9ecae1", "#d62728", "#7f7f7f", "#bcbd22",
               "#2ca02c", "#ff7f0e", "#9467bd"]
    keys = TOOL_ORDER + ["kvm", "tcg", "uml"]
    assert len(palette) >= len(keys), "a colour for each tool and backend"
    colors = dict(zip(keys, palette))

    def plot(index, series):
        return "plot " + ", ".join("'%s' index %d using %d:xtic(1) title '%s' lc rgb '%s'" %
                                   (dat, index, i + 2, title, colors[key])
                                   for i, (key, title) in enumerate(series))

    tool_series = [(t, t + (" (ref.)" if t in HOST_TOOLS else "")) for t in tools]
    gp = ["set terminal svg size %d,560 dynamic font 'sans,12' background '#ffffff'" % (520 * len(blocks)),
          "set output '%s'" % os.path.join(outdir, "chart.svg"),
          "set multiplot layout 1,%d title 'seconds, median of %d round(s); log scale, lower is better'" %
          (len(blocks), meta["rounds"]),
          "set style data histogram", "set style histogram cluster gap 1",
          "set style fill solid 0.9 border -1", "set boxwidth 0.9",
          "set logscale y", "set format y '%g'", "set grid ytics",
          "set ylabel 'seconds'", "set xtics rotate by -35 nomirror", "set bmargin 9",
          "set key top right font 'sans,10'", "set datafile missing 'NaN'"]
    for i, (name, lines) in enumerate(blocks):
        low = min(v for _, values in lines for v in values if v is not None)
        gp.append("set yrange [%g:*]" % 10 ** math.floor(math.log10(max(low, 0.0001))))
        if name == "seed":
            gp += ["set title \"the seed's tests (guestfish, %d MB)\"" % meta["upload_mb"],
                   plot(i, [(b, BACKEND_NAMES[b]) for b in seed_backends])]
        else:
            gp += ["set title 'through the mount, %s backend'" % BACKEND_NAMES.get(name, name),
                   plot(i, tool_series)]
    gp.append("unset multiplot")
    script = os.path.join(outdir, "chart.gp")
    with open(script, "w") as f:
        f.write("\n".join(gp) + "\n")
    subprocess.run(["gnuplot", script], check=True)
    return True


def main():
    outdir = os.path.abspath(sys.argv[1])
    samples, units, meta = load(outdir)
    medians, ratios = medians_and_ratios(samples)
    has_chart = chart(outdir, medians, meta)
    osimage = osimage_figures(samples, ratios, meta["backends"].split(","))
    with open(os.path.join(outdir, "results.md"), "w") as f:
        f.write(markdown(samples, medians, ratios, meta, has_chart, osimage))
    with open(os.path.join(outdir, "results.json"), "w") as f:
        json.dump(as_json(samples, medians, ratios, units, meta, osimage), f, indent=1)


main()
