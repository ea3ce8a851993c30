#!/usr/bin/env python3
"""Counts the public functions of the library (src/, without src/bin and
#[cfg(test)] code) and how many carry a rustdoc example (a ``` fence in the
doc comment right above them).

A public function is a `pub fn` (not `pub(crate)`), or a method declared in
a `pub trait` (such as `Figure::save`). Functions of private modules that
are not re-exported are counted too: the count is an upper bound on the
public API.

    python3 .ci/doc_examples.py [SRC_DIR] [-v]    # -v lists those without one
"""
import os
import re
import sys

root = next((a for a in sys.argv[1:] if not a.startswith("-")), "src")
total = with_example = 0
missing = []
for dirpath, _, files in os.walk(root):
    if os.sep + "bin" in dirpath:
        continue
    for name in sorted(files):
        if not name.endswith(".rs"):
            continue
        path = os.path.join(dirpath, name)
        lines = open(path, encoding="utf-8").read().split("\n")
        in_test = False
        in_trait = False
        for i, line in enumerate(lines):
            s = line.strip()
            if s.startswith("#[cfg(test)]"):
                in_test = True
            if re.match(r"pub trait \w+", line):
                in_trait = True
            elif in_trait and line.startswith("}"):
                in_trait = False
            m = re.match(r"pub(?!\()\s+(const\s+)?(unsafe\s+)?fn\s+(\w+)", s)
            if not m and in_trait:
                m = re.match(r"()()fn\s+(\w+)", s)
            if not m or in_test:
                continue
            doc = []
            j = i - 1
            while j >= 0 and (lines[j].strip().startswith("///") or lines[j].strip().startswith("#[")):
                doc.append(lines[j])
                j -= 1
            total += 1
            if any("```" in d for d in doc):
                with_example += 1
            else:
                missing.append(f"{path}:{i + 1}: {m.group(3)}")
print(f"public functions: {total}, with a rustdoc example: {with_example}")
if "-v" in sys.argv:
    print("\n".join(missing))
