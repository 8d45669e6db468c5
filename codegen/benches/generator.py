#!/usr/bin/env python3
"""Time and peak memory of `codegen generate` over the spec scaled K times.

    python3 codegen/benches/generator.py [-n RUNS] [--progenitor] [K ...]   (default K: 1 10 14 50)

For each K, codegen/benches/scale-spec.py writes the spec copied K times (renamed families, so K times
the operations) to target/generator-bench/spec-K, and the release `codegen` binary generates
the whole crate from it into target/generator-bench/out-K, RUNS times (default 3). The table
gives operations, the median wall and CPU seconds, the peak resident memory of the generator
process (from wait4, like `/usr/bin/time -v`'s "Maximum resident set size") and CPU
milliseconds per operation: flat per-operation cost means generation is linear.

With `--progenitor`, `cargo progenitor` is timed the same way on the equivalent OpenAPI
(`codegen openapi` of the scaled spec, lowered as codegen/benches/progenitor_input.py says); its output
goes to target/generator-bench and is never committed. Install it with
`cargo install cargo-progenitor`. Needs python3 and cargo only.
"""
import argparse
import json
import os
import pathlib
import shutil
import statistics
import subprocess
import sys
import time

from progenitor_input import progenitor_input

ROOT = pathlib.Path(__file__).resolve().parents[2]


def run(cmd, cwd):
    """Wall s, CPU s (user + sys) and peak RSS MiB of one process, via wait4."""
    start = time.monotonic()
    with open(os.devnull, "wb") as null:
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=null, stderr=subprocess.PIPE)
        # stderr is small on success; read it before reaping so a chatty failure cannot block.
        err = proc.stderr.read()
        _, status, ru = os.wait4(proc.pid, 0)
    wall = time.monotonic() - start
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"failed: {' '.join(map(str, cmd))}\n{err.decode(errors='replace')[-4000:]}")
    return wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    # 75 operations today. Issue #13 asks for K = 1, 10, 50; K = 14 (1,050 operations) is the
    # size at which it compares generation with progenitor.
    ap.add_argument("ks", nargs="*", type=int, default=[1, 10, 14, 50])
    ap.add_argument("-n", "--runs", type=int, default=3)
    ap.add_argument("--progenitor", action="store_true")
    a = ap.parse_args()
    if a.progenitor and shutil.which("cargo-progenitor") is None:
        sys.exit("--progenitor needs `cargo install cargo-progenitor`")

    subprocess.run(["cargo", "build", "-q", "--release", "-p", "codegen"], cwd=ROOT, check=True)
    meta = json.loads(subprocess.run(["cargo", "metadata", "--format-version", "1", "--no-deps"],
                                     cwd=ROOT, check=True, capture_output=True).stdout)
    target = pathlib.Path(meta["target_directory"])
    codegen = target / "release" / "codegen"
    work = target / "generator-bench"
    work.mkdir(parents=True, exist_ok=True)

    rows = []
    for k in a.ks:
        spec = work / f"spec-{k}"
        ops = int(subprocess.run([sys.executable, str(ROOT / "codegen" / "benches" / "scale-spec.py"), str(k), str(spec)],
                                 check=True, capture_output=True, text=True).stdout.strip())
        out = work / f"out-{k}"
        cmds = [("codegen generate", [codegen, "generate", "--spec", spec, "--out", out])]
        if a.progenitor:
            doc = subprocess.run([codegen, "openapi", "--spec", spec], cwd=ROOT, check=True,
                                 capture_output=True).stdout
            lowered = work / f"openapi-{k}.json"
            lowered.write_text(json.dumps(progenitor_input(json.loads(doc))), encoding="utf-8")
            pout = work / f"progenitor-{k}"
            cmds.append(("cargo progenitor", ["cargo", "progenitor", "-i", lowered, "-o", pout,
                                              "-n", "progenitor-out", "-v", "0.1.0"]))
        samples = {name: [] for name, _ in cmds}
        for _ in range(a.runs):
            for name, cmd in cmds:
                shutil.rmtree(out, ignore_errors=True)
                if a.progenitor:
                    shutil.rmtree(work / f"progenitor-{k}", ignore_errors=True)
                samples[name].append(run(cmd, ROOT))
        for name, _ in cmds:
            s = samples[name]
            wall = statistics.median(x[0] for x in s)
            cpu = statistics.median(x[1] for x in s)
            rss = max(x[2] for x in s)
            rows.append((name, k, ops, wall, cpu, rss, 1000 * cpu / ops))

    rustc = subprocess.run(["rustc", "--version"], capture_output=True, text=True).stdout.strip()
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                          text=True).stdout.strip()
    print(f"generator over the spec scaled K times; release; {rustc}; {head}; median of {a.runs} runs")
    print(f"{'command':<18}{'K':>4}{'ops':>7}{'wall s':>9}{'cpu s':>9}{'peak MiB':>10}{'cpu ms/op':>11}")
    for name, k, ops, wall, cpu, rss, per in rows:
        print(f"{name:<18}{k:>4}{ops:>7}{wall:>9.2f}{cpu:>9.2f}{rss:>10.0f}{per:>11.2f}")


if __name__ == "__main__":
    main()
