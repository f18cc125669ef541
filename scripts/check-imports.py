#!/usr/bin/env python3
"""Checks that llt-runtime's modules import each other without cycles.

Reads every `llt-runtime/src/*.rs` (and `src/<module>/*.rs` of modules split
into folders), collects the modules each one names through `crate::...`
paths (in `use` lines, grouped imports and inline paths, comments and doc
comments excluded), resolves names the crate root re-exports
(`crate::Clock` is `clock`), and fails listing each cycle it finds.

Usage: scripts/check-imports.py [-v] [CRATE_SRC_DIR]   (default llt-runtime/src;
-v prints the whole graph)
"""
import os
import re
import sys

args = [a for a in sys.argv[1:] if not a.startswith("-")]
src = args[0] if args else os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "llt-runtime", "src")
src = os.path.normpath(src)


def strip_comments(text):
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    return "\n".join(line.split("//", 1)[0] for line in text.splitlines())


def module_files():
    files = {}
    for name in os.listdir(src):
        path = os.path.join(src, name)
        if name.endswith(".rs"):
            files.setdefault(name[:-3], []).append(path)
        elif os.path.isdir(path):
            for sub in os.listdir(path):
                if sub.endswith(".rs"):
                    files.setdefault(name, []).append(os.path.join(path, sub))
    return files


files = module_files()
modules = set(files) - {"lib"}
lib = strip_comments(open(os.path.join(src, "lib.rs")).read())

# Names re-exported at the crate root: `pub use module::{A, B}` or `pub use module::A`.
reexports = {}
for module, names in re.findall(r"pub use (\w+)::\{([^}]*)\}", lib):
    for name in re.findall(r"\w+", names):
        reexports[name] = module
for module, name in re.findall(r"pub use (\w+)::(\w+);", lib):
    reexports[name] = module


def deps_of(module):
    deps = set()
    for path in files[module]:
        text = strip_comments(open(path).read())
        for group in re.findall(r"crate::\{([^;]*?)\};", text, flags=re.S):
            # Top-level names of a grouped import: the part before `::` or `,`.
            depth, token, names = 0, "", []
            for ch in group:
                if ch == "{":
                    depth += 1
                elif ch == "}":
                    depth -= 1
                elif depth == 0 and ch == ",":
                    names.append(token)
                    token = ""
                    continue
                token += ch
            names.append(token)
            for name in names:
                first = re.match(r"\s*(\w+)", name)
                if first:
                    deps.add(first.group(1))
        deps.update(re.findall(r"crate::(\w+)", text))
    resolved = set()
    for name in deps:
        target = name if name in modules else reexports.get(name)
        if target and target != module:
            resolved.add(target)
    return resolved


graph = {m: deps_of(m) for m in sorted(modules)}

cycles = []
state = {}
stack = []


def visit(m):
    state[m] = "open"
    stack.append(m)
    for d in sorted(graph[m]):
        if state.get(d) == "open":
            cycles.append(stack[stack.index(d):] + [d])
        elif d not in state:
            visit(d)
    stack.pop()
    state[m] = "done"


for m in graph:
    if m not in state:
        visit(m)

if "-v" in sys.argv or cycles:
    for m, d in graph.items():
        print(f"  {m} -> {', '.join(sorted(d)) or '(nothing)'}")
if cycles:
    print(f"import cycles in {src}:")
    for cycle in cycles:
        print("  " + " -> ".join(cycle))
    sys.exit(1)
print(f"no import cycles among {len(graph)} modules of {os.path.relpath(src)}")
