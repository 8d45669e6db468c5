#!/usr/bin/env python3
"""Writes a copy of spec/ scaled K times, for benchmarking the generator at size.

    python3 codegen/benches/scale-spec.py K OUT_DIR [--spec spec]

Copy 1 is the spec as it is; copies 2..K add every family again under a renamed id
(`favor` -> `favor_k2`, feature `favor-k2`), with the `family:` line of each file rewritten
notification event types suffixed (`COUPON.USE` -> `COUPON.USE.K2`) and operation paths
prefixed (`/v3/…` -> `/v3/k2/…`), so the copies do not collide, in the crate or in the OpenAPI
document. The result has K times the operations, types and notifications of the spec. Prints
the number of operations written. Needs only the Python standard library (the YAML is
rewritten line by line, not parsed).
"""
import argparse
import pathlib
import re
import shutil
import sys


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("k", type=int, help="number of copies (1 = the spec as it is)")
    ap.add_argument("out", type=pathlib.Path, help="directory to write (replaced)")
    ap.add_argument("--spec", type=pathlib.Path, default=None, help="spec root (default: <repo>/spec)")
    a = ap.parse_args()
    if a.k < 1:
        ap.error("K must be at least 1")
    spec = a.spec or pathlib.Path(__file__).resolve().parents[2] / "spec"
    families_text = (spec / "families.yaml").read_text(encoding="utf-8")
    families = re.findall(r"^  ([a-z][a-z0-9_]*):\s*$", families_text, re.M)
    if not families:
        print(f"no families found in {spec / 'families.yaml'}", file=sys.stderr)
        return 1

    if a.out.exists():
        shutil.rmtree(a.out)
    a.out.mkdir(parents=True)
    for extra in spec.iterdir():
        if extra.is_file() and extra.name != "families.yaml":
            shutil.copy(extra, a.out / extra.name)

    # families.yaml: the original block, then one renamed block per family per extra copy.
    blocks = re.split(r"(?m)^(?=  [a-z][a-z0-9_]*:\s*$)", families_text)
    head, fam_blocks = blocks[0], blocks[1:]
    out = [head] + fam_blocks
    for k in range(2, a.k + 1):
        for block in fam_blocks:
            block = re.sub(r"^  ([a-z][a-z0-9_]*):", rf"  \1_k{k}:", block, count=1, flags=re.M)
            block = re.sub(r"^(    feature:\s*)(\S+)", rf"\1\2-k{k}", block, count=1, flags=re.M)
            out.append(block if block.endswith("\n") else block + "\n")
    (a.out / "families.yaml").write_text("".join(out), encoding="utf-8")

    operations = 0
    for k in range(1, a.k + 1):
        for fam in families:
            src = spec / fam
            if not src.is_dir():
                continue
            dst_id = fam if k == 1 else f"{fam}_k{k}"
            dst = a.out / dst_id
            dst.mkdir()
            for f in sorted(src.glob("*.yaml")):
                text = f.read_text(encoding="utf-8")
                if k > 1:
                    text = re.sub(rf"(?m)^family:\s*{fam}\s*$", f"family: {dst_id}", text)
                    text = re.sub(
                        r"(?m)^(\s+event_type:\s*)([A-Z0-9_.]+)\s*$", rf"\1\2.K{k}", text
                    )
                    text = re.sub(r"(?m)^(    path:\s*)/v3/", rf"\1/v3/k{k}/", text)
                operations += len(re.findall(r"(?m)^  [a-z][a-z0-9_]*:\s*$", section(text, "operations")))
                (dst / f.name).write_text(text, encoding="utf-8")
    print(operations)
    return 0


def section(text: str, key: str) -> str:
    """The lines of a top-level `key:` block."""
    m = re.search(rf"(?ms)^{key}:\s*$(.*?)(?=^\S|\Z)", text)
    return m.group(1) if m else ""


if __name__ == "__main__":
    sys.exit(main())
