#!/usr/bin/python3
"""Checks lava/*.yaml before a lab sees them. A job is validated against
LAVA's own job schema and a test definition against LAVA's own test
definition schema (Debian's lava-common, lava_common.schemas: the checks
the LAVA server runs on submission, action by action). On top of them,
what the schemas cannot know: a job must name its device_type (optional
for LAVA, whose multinode jobs give it per role) and have deploy, boot and
test actions, and its git test definitions must point at a test
definition of this tree; a test definition must have a description and
run steps (both optional for LAVA), its ./ scripts must be executable
files of the tree, and every parameter must be used by a step.
One line per problem, status 1.

Run it with the Python that Debian's lava-common is installed for
(/usr/bin/python3): a python3 of one's own does not see it."""
import os
import sys

import yaml

try:
    import voluptuous
    from lava_common.schemas import validate as validate_job
    from lava_common.schemas.test.testdef import validate as validate_testdef
except ImportError as e:
    sys.exit(f"lava/check.py: {e} (make deps installs lava-common; run this with /usr/bin/python3)")

problems = []


def bad(path, what):
    problems.append(f"{path}: {what}")


def schema(path, what, validate, doc):
    """LAVA's schema on doc: one line per error it finds."""
    try:
        validate(doc)
    except voluptuous.MultipleInvalid as e:
        for err in e.errors:
            bad(path, f"LAVA {what} schema: {err}")
    except voluptuous.Invalid as e:
        bad(path, f"LAVA {what} schema: {e}")


def check_testdef(path, doc, root):
    schema(path, "test definition", validate_testdef, doc)
    meta = doc.get("metadata")
    desc = meta.get("description") if isinstance(meta, dict) else None
    if not isinstance(desc, str) or not desc.strip():
        bad(path, "metadata.description missing or empty")
    steps = (doc.get("run") or {}).get("steps") if isinstance(doc.get("run"), dict) else None
    if not isinstance(steps, list) or not steps:
        return bad(path, "run.steps must be a non-empty list")
    for i, step in enumerate(steps):
        word = step.split()[0] if isinstance(step, str) and step.split() else ""
        if word.startswith("./"):
            script = os.path.join(root, word[2:])
            if not os.access(script, os.X_OK):
                bad(path, f"run.steps[{i}]: {word} is not an executable file of the tree")
    params = doc.get("params", {})
    for name in params if isinstance(params, dict) else []:
        if not any(f"${{{name}}}" in s or f"${name}" in s for s in steps if isinstance(s, str)):
            bad(path, f"params.{name} is not used by any run step")


def check_job(path, doc, root):
    schema(path, "job", validate_job, doc)
    if not isinstance(doc.get("device_type"), str) or not doc["device_type"]:
        bad(path, "device_type missing")
    actions = doc.get("actions")
    if not isinstance(actions, list):
        return
    kinds = [next(iter(a)) for a in actions if isinstance(a, dict) and a]
    for kind in ("deploy", "boot", "test"):
        if kind not in kinds:
            bad(path, f"no {kind} action")
    for a in actions:
        test = a.get("test") if isinstance(a, dict) else None
        defs = test.get("definitions") if isinstance(test, dict) else None
        for d in defs if isinstance(defs, list) else []:
            if not isinstance(d, dict) or d.get("from") != "git":
                continue
            if not os.path.isfile(os.path.join(root, str(d.get("path", "")))):
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
        print(f"lava: {len(paths)} files ok (LAVA's schemas and this tree's rules)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
