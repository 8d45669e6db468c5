#!/usr/bin/env python3
"""Transcription aid (not part of the product): extract verbatim pieces from a seed page.

usage:
  seedtool.py errors SEED            -> YAML error rows (status, code, description, solution, group)
  seedtool.py examples SEED          -> every numbered code block that looks like JSON, de-numbered
  seedtool.py denumber 'TEXT'        -> de-number one numbered block
  seedtool.py code SEED [go|java]    -> the Go and/or Java sample, one source line per line

Comparing a page with the spec is `cargo run -p codegen -- audit SEED`; this script only
extracts verbatim text for transcription.
"""
import json, re, sys

def denumber(text):
    text = text.strip()
    # blocks start with "1" and carry sequential line numbers " 2 ", " 3 ", ...
    if not text.startswith("1"):
        return None
    pos, n, lines = 1, 2, []
    start = 1
    while True:
        m = re.compile(r"(?:^|\s)%d(?=\s|$|[\"{}\[\]a-zA-Z@/])" % n).search(text, pos)
        if not m:
            lines.append(text[start:])
            break
        lines.append(text[start:m.start()])
        start = m.end()
        pos = m.end()
        n += 1
    # trailing empty line marker
    return "\n".join(l.strip() for l in lines).strip() + "\n"

def yq(s):
    return json.dumps(s, ensure_ascii=False)

def errors(path):
    group = None
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\n")
        if line.startswith("公共错误码"): group = "common"
        if line.startswith("业务错误码"): group = "business"
        m = re.match(r"^(\d{3}) \| ([A-Z_0-9]+) \| (.*?) \| (.*?) \|\s*$", line)
        if m:
            st, code, d, sol = m.groups()
            print(f"  - {{status: {st}, code: {code}, description: {yq(d.strip())}, solution: {yq(sol.strip())}, group: {group}}}")

def examples(path):
    for i, line in enumerate(open(path, encoding="utf-8"), 1):
        s = line.strip()
        if s.startswith("1{") or s.startswith("1curl") or s.startswith("1["):
            body = denumber(s)
            print(f"---- line {i}")
            print(body)
            if s.startswith("1curl"):
                m = re.search(r"-d '(\{.*\})'", body, re.S)
                if m:
                    try: json.loads(m.group(1)); print("(curl body: valid JSON)")
                    except Exception as e: print("(curl body: INVALID JSON)", e)
            else:
                try: json.loads(body); print("(valid JSON)")
                except Exception as e: print("(INVALID JSON)", e)

def code(path, langs):
    for line in open(path, encoding="utf-8"):
        s = line.strip()
        if "go" in langs and s.startswith("1package main"): print(denumber(s))
        if "java" in langs and s.startswith("1package com"): print(denumber(s))

def usage(msg):
    sys.stderr.write("error: %s\n%s" % (msg, __doc__))
    sys.exit(2)

if __name__ == "__main__":
    args = sys.argv[1:]
    if len(args) < 2:
        usage("missing command or argument")
    cmd, arg = args[0], args[1]
    if cmd == "errors": errors(arg)
    elif cmd == "examples": examples(arg)
    elif cmd == "denumber": print(denumber(arg))
    elif cmd == "code":
        langs = args[2:] or ["java", "go"]
        bad = [l for l in langs if l not in ("go", "java")]
        if bad: usage("unknown language %s (go or java)" % ", ".join(bad))
        code(arg, langs)
    else: usage("unknown command %r" % cmd)
