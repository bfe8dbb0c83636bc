#!/usr/bin/python3
"""docs/ADDING_A_KERNEL.md's code excerpts are still what the built examples say.

Each fenced block right after a line `<!-- excerpt: PATH -->` must appear in PATH (relative
to the workspace) as a run of whole lines, character for character. The files named are
the examples that //tests:adding_a_kernel_test builds and runs, so an excerpt that drifts
from them fails here. Blocks without the marker (formulas, one-line BUILD entries) are not
checked. Arguments: the doc, then every file it may name.
"""

import re
import sys

MARKER = re.compile(r"^<!-- excerpt: (\S+) -->$")


def excerpts(doc_lines):
    """Yields (doc line number, path, block text) for each marked block."""
    i = 0
    while i < len(doc_lines):
        marker = MARKER.match(doc_lines[i])
        i += 1
        if not marker:
            continue
        if i >= len(doc_lines) or not doc_lines[i].startswith("```"):
            yield i, marker.group(1), None
            continue
        start = i + 1
        end = start
        while end < len(doc_lines) and not doc_lines[end].startswith("```"):
            end += 1
        yield start + 1, marker.group(1), "".join(doc_lines[start:end])
        i = end + 1


def main():
    doc_path, *sources = sys.argv[1:]
    with open(doc_path, encoding="utf-8") as f:
        doc_lines = f.readlines()
    failures = []
    checked = 0
    for line, path, block in excerpts(doc_lines):
        where = f"{doc_path}:{line}"
        if block is None:
            failures.append(f"{where}: an excerpt marker without a code block right after it")
            continue
        if path not in sources:
            failures.append(f"{where}: {path} is not one of the files this test is given")
            continue
        with open(path, encoding="utf-8") as f:
            text = f.read()
        # A run of whole lines: the block starts a line of the file.
        if not block.strip() or ("\n" + block) not in ("\n" + text):
            failures.append(f"{where}: the excerpt is not in {path} as written")
            continue
        checked += 1
    for failure in failures:
        print("FAIL:", failure, file=sys.stderr)
    if checked == 0 and not failures:
        failures.append("no excerpt found")
        print("FAIL: no excerpt marker found in", doc_path, file=sys.stderr)
    print(f"{checked} excerpts match their files")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
