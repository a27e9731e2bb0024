#!/usr/bin/env python3
"""Checks lava/*.yaml with a real YAML parser (python3-yaml) and the fields
LAVA needs before it accepts them: for a test definition metadata.format,
metadata.name, metadata.description and run.steps (a list of strings whose
scripts exist and are executable); for a job, job_name, device_type,
timeouts.job and deploy, boot and test actions whose git definitions point
at a test definition in this tree. One line per problem, status 1."""
import os
import sys

import yaml

TESTDEF_FORMAT = "Lava-Test Test Definition 1.0"
problems = []


def bad(path, what):
    problems.append(f"{path}: {what}")


def check_testdef(path, doc, root):
    meta = doc.get("metadata")
    if not isinstance(meta, dict):
        return bad(path, "no metadata mapping")
    if meta.get("format") != TESTDEF_FORMAT:
        bad(path, f"metadata.format must be '{TESTDEF_FORMAT}'")
    for key in ("name", "description"):
        if not isinstance(meta.get(key), str) or not meta[key].strip():
            bad(path, f"metadata.{key} missing or empty")
    steps = (doc.get("run") or {}).get("steps")
    if not isinstance(steps, list) or not steps:
        return bad(path, "run.steps must be a non-empty list")
    for i, step in enumerate(steps):
        if not isinstance(step, str):
            bad(path, f"run.steps[{i}] is not a string")
            continue
        word = step.split()[0]
        if word.startswith("./"):
            script = os.path.join(root, word[2:])
            if not os.access(script, os.X_OK):
                bad(path, f"run.steps[{i}]: {word} is not an executable file of the tree")
    params = doc.get("params", {})
    if not isinstance(params, dict):
        bad(path, "params must be a mapping")
    for name in params:
        if not any(f"${{{name}}}" in s or f"${name}" in s for s in steps if isinstance(s, str)):
            bad(path, f"params.{name} is not used by any run step")


def check_job(path, doc, root):
    for key in ("job_name", "device_type"):
        if not isinstance(doc.get(key), str) or not doc[key]:
            bad(path, f"{key} missing")
    if not (doc.get("timeouts") or {}).get("job"):
        bad(path, "timeouts.job missing")
    actions = doc.get("actions")
    if not isinstance(actions, list):
        return bad(path, "actions must be a list")
    kinds = [next(iter(a)) for a in actions if isinstance(a, dict) and a]
    for kind in ("deploy", "boot", "test"):
        if kind not in kinds:
            bad(path, f"no {kind} action")
    for a in actions:
        test = a.get("test") if isinstance(a, dict) else None
        for d in (test or {}).get("definitions", []):
            for key in ("repository", "from", "path", "name"):
                if key not in d:
                    bad(path, f"test definition without {key}")
            if d.get("from") == "git" and not os.path.isfile(os.path.join(root, d.get("path", ""))):
                bad(path, f"test definition path {d.get('path')} is not in the tree")


def main(paths):
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    for path in paths:
        try:
            with open(path, encoding="utf-8") as f:
                doc = yaml.safe_load(f)
        except (OSError, yaml.YAMLError) as e:
            bad(path, f"cannot parse: {e}".replace("\n", " "))
            continue
        if not isinstance(doc, dict):
            bad(path, "not a YAML mapping")
        elif "metadata" in doc:
            check_testdef(path, doc, root)
        elif "actions" in doc:
            check_job(path, doc, root)
        else:
            bad(path, "neither a test definition (metadata) nor a job (actions)")
    for p in problems:
        print(p, file=sys.stderr)
    if not problems:
        print(f"lava: {len(paths)} files ok")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
