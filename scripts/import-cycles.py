#!/usr/bin/env python3
"""Finds import circles between the modules of src/core and of src/js (issue: "no import circle").
Each file is a module; an edge A -> B is a `use super::B` / `use crate::core::B` / `super::B::`
path in A (test modules excluded). Prints the circles found and exits 1 if there is one."""
import pathlib, re, sys

root = pathlib.Path(__file__).resolve().parent.parent / "src"
failed = False
for layer in ("core", "js"):
    files = {p.stem: p for p in (root / layer).glob("*.rs") if p.stem != "mod"}
    graph = {}
    for name, path in files.items():
        text = path.read_text().split("#[cfg(test)]")[0]
        uses = set(re.findall(r"\bsuper::(\w+)", text))
        if layer == "core":
            uses |= set(re.findall(r"\bcrate::core::(\w+)", text))
        else:
            uses |= set(re.findall(r"\bcrate::js::(\w+)", text))
        graph[name] = sorted(u for u in uses if u in files and u != name)
    seen, stack, cycles = {}, [], []
    def visit(n):
        seen[n] = "open"; stack.append(n)
        for m in graph[n]:
            if seen.get(m) == "open":
                cycles.append(stack[stack.index(m):] + [m])
            elif m not in seen:
                visit(m)
        stack.pop(); seen[n] = "done"
    for n in sorted(graph):
        if n not in seen:
            visit(n)
    edges = sum(len(v) for v in graph.values())
    print(f"src/{layer}: {len(graph)} modules, {edges} imports, {len(cycles)} circles")
    for c in cycles:
        print("  circle: " + " -> ".join(c)); failed = True
sys.exit(1 if failed else 0)
