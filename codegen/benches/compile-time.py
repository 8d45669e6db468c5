#!/usr/bin/env python3
"""Compile time of the generated crate, per cargo feature, with its dependencies already built.

    python3 codegen/benches/compile-time.py [-n RUNS] [--progenitor] [--only NAME ...]

Measures what a downstream build pays for `wechatpay-marketing` itself, the way issue #13 does
(`cargo clean -p wechatpay-marketing && cargo build -p wechatpay-marketing`, debug, the
workspace's dev profile), for:

- `all`: default features (every family),
- `<family>`: `--no-default-features --features <feature>`, one row per family of
  spec/families.yaml,
- `runtime`: `--no-default-features` (the hand-written runtime only).

With `--progenitor`, the same operations are also built as progenitor's output: the script
writes `codegen openapi`, lowers it for progenitor (see `progenitor_input`), runs
`cargo progenitor` into target/compile-time/progenitor (never committed) and builds that crate
with the same dev profile. Install the reference with `cargo install cargo-progenitor`.

Runs are interleaved (all configurations once, then again, RUNS times) so drift on a shared
machine hits them alike; the table gives the median wall and CPU (user + sys of the cargo
process tree) seconds, the min-max of wall, and each median's ratio to `all`. Quote medians
and ratios, not single runs. Needs python3, cargo, and nothing else.
"""
import argparse
import json
import os
import pathlib
import re
import shutil
import statistics
import subprocess
import sys
import time

from progenitor_input import progenitor_input

ROOT = pathlib.Path(__file__).resolve().parents[2]
CRATE = "wechatpay-marketing"


def sh(cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


def timed(cmd, cwd, env=None):
    """Wall and CPU seconds of one command (its whole process tree), via wait4."""
    start = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.monotonic() - start
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{err}")
    return wall, usage.ru_utime + usage.ru_stime


def families():
    text = (ROOT / "spec" / "families.yaml").read_text(encoding="utf-8")
    out = []
    for m in re.finditer(r"(?m)^  ([a-z][a-z0-9_]*):\s*\n((?:    .*\n?)*)", text):
        feat = re.search(r"(?m)^    feature:\s*(\S+)", m.group(2))
        out.append((m.group(1), feat.group(1) if feat else m.group(1)))
    return out


def prepare_progenitor(target_root):
    if shutil.which("cargo-progenitor") is None:
        sys.exit("--progenitor needs `cargo install cargo-progenitor`")
    work = target_root / "compile-time"
    work.mkdir(parents=True, exist_ok=True)
    raw = sh(["cargo", "run", "-q", "-p", "codegen", "--", "openapi"], cwd=ROOT, capture_output=True).stdout
    doc = progenitor_input(json.loads(raw))
    ops = sum(1 for p in doc["paths"].values() for m in p if m in ("get", "put", "post", "delete", "patch"))
    (work / "openapi-progenitor.json").write_text(json.dumps(doc), encoding="utf-8")
    out = work / "progenitor"
    if (out / "src").exists():
        shutil.rmtree(out / "src")
    sh(["cargo", "progenitor", "-i", str(work / "openapi-progenitor.json"), "-o", str(out),
        "-n", "progenitor-out", "-v", "0.1.0"], cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    manifest = out / "Cargo.toml"
    text = manifest.read_text(encoding="utf-8")
    if "[workspace]" not in text:
        # Its own workspace, and the same dev profile as ours (no debuginfo, deps at opt-level 1).
        text += '\n[workspace]\n\n[profile.dev]\ndebug = 0\n\n[profile.dev.package."*"]\nopt-level = 1\n'
        manifest.write_text(text, encoding="utf-8")
    return out, ops


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", "--runs", type=int, default=5, help="counted runs per configuration (default 5)")
    ap.add_argument("--progenitor", action="store_true", help="also build progenitor's output for the same operations")
    ap.add_argument("--only", nargs="*", default=None, help="configurations to run (all, runtime, a family id, progenitor)")
    a = ap.parse_args()

    meta = json.loads(sh(["cargo", "metadata", "--format-version", "1", "--no-deps"], cwd=ROOT,
                         capture_output=True).stdout)
    target_root = pathlib.Path(meta["target_directory"])

    configs = [("all", ROOT, ["-p", CRATE], CRATE)]
    for fam, feat in families():
        configs.append((fam, ROOT, ["-p", CRATE, "--no-default-features", "--features", feat], CRATE))
    configs.append(("runtime", ROOT, ["-p", CRATE, "--no-default-features"], CRATE))
    note = ""
    if a.progenitor:
        out, ops = prepare_progenitor(target_root)
        configs.append(("progenitor", out, [], "progenitor-out"))
        note = f"progenitor: cargo-progenitor output for the same {ops} operations"
    if a.only:
        configs = [c for c in configs if c[0] in a.only]

    env = dict(os.environ, CARGO_TERM_COLOR="never")
    # Dependencies first (not counted), and one warm-up build of each configuration.
    for name, cwd, args, pkg in configs:
        sh(["cargo", "build", "-q", *args], cwd=cwd, env=env)
    results = {c[0]: [] for c in configs}
    for _ in range(a.runs):
        for name, cwd, args, pkg in configs:
            sh(["cargo", "clean", "-q", "-p", pkg], cwd=cwd, env=env)
            results[name].append(timed(["cargo", "build", "-q", *args], cwd, env))

    rustc = sh(["rustc", "--version"], capture_output=True, text=True).stdout.strip()
    head = sh(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    print(f"crate compile time, dependencies built, dev profile; {rustc}; {head}; {a.runs} runs each, interleaved")
    if note:
        print(note)
    base = results.get("all")
    base_wall = statistics.median(w for w, _ in base) if base else None
    base_cpu = statistics.median(c for _, c in base) if base else None
    print(f"{'config':<16}{'wall s':>9}{'(min-max)':>16}{'cpu s':>9}{'wall/all':>10}{'cpu/all':>9}")
    for name, *_ in configs:
        walls = [w for w, _ in results[name]]
        cpus = [c for _, c in results[name]]
        mw, mc = statistics.median(walls), statistics.median(cpus)
        rw = f"{mw / base_wall:.2f}" if base_wall else "-"
        rc = f"{mc / base_cpu:.2f}" if base_cpu else "-"
        print(f"{name:<16}{mw:>9.2f}{f'({min(walls):.2f}-{max(walls):.2f})':>16}{mc:>9.2f}{rw:>10}{rc:>9}")


if __name__ == "__main__":
    main()
