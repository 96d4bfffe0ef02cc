#!/usr/bin/env python3
"""Finds import circles between the modules of src/core and of src/js (issue: "no import circle").
Each file is a module; an edge A -> B is a `use super::B` / `use crate::core::B` / `super::B::`
path in A (test modules excluded). Prints the circles found and exits 1 if there is one."""
import pathlib, re, sys

root = pathlib.Path(__file__).resolve().parent.parent / "src"


def graph_nodes(files, nested):
    return set(files) | set(nested)

failed = False
for layer in ("core", "js"):
    # A module is a file, or a folder with mod.rs; a folder's other files are modules of their own,
    # named "folder/file", whose `super::` paths point at the folder's module.
    files = {p.stem: p for p in (root / layer).glob("*.rs") if p.stem != "mod"}
    files |= {d.name: d / "mod.rs" for d in (root / layer).iterdir() if (d / "mod.rs").is_file()}
    nested = {f"{p.parent.name}/{p.stem}": p for p in (root / layer).glob("*/*.rs") if p.stem != "mod"}
    graph = {}
    for name, path in (files | nested).items():
        text = path.read_text().split("#[cfg(test)]")[0]
        uses = set(re.findall(r"\bcrate::" + layer + r"::(\w+)", text))
        supers = set(re.findall(r"\bsuper::(\w+)", text))
        for group in re.findall(r"\bsuper::\{([^}]*)\}", text):
            supers |= set(re.findall(r"\w+", group))
        if path.name == "mod.rs":
            # A folder module's paths into its own files: `child::x` or `self::child::x`.
            uses |= {n for n in nested if n.startswith(name + "/") and re.search(r"\b" + n.split("/")[1] + r"::", text)}
        if name in nested:
            parent = name.split("/")[0]
            uses |= {f"{parent}/{u}" if f"{parent}/{u}" in nested else parent for u in supers}
        else:
            uses |= supers
        graph[name] = sorted(u for u in uses if u in graph_nodes(files, nested) and u != name)
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
    if "--graph" in sys.argv:
        for n in sorted(graph):
            print(f"  {n} -> {', '.join(graph[n])}")
    print(f"src/{layer}: {len(graph)} modules, {edges} imports, {len(cycles)} circles")
    for c in cycles:
        print("  circle: " + " -> ".join(c)); failed = True
sys.exit(1 if failed else 0)
