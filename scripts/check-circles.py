#!/usr/bin/env python3
"""No circles between source files (issue 12's "no circles").

Reads the symbols each built object defines and the ones it uses (nm) and
fails when some files call each other round in a circle: a.c uses b.c and
b.c uses a.c, or longer.  Such files are one module in two places; the
fix is to move what both need below both.  Usage: check-circles.py OBJ...
"""
import subprocess
import sys
from collections import defaultdict


def symbols(obj):
    defined, used = set(), set()
    out = subprocess.run(["nm", "-g", obj], check=True, capture_output=True, text=True).stdout
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] in "TDBRC":
            defined.add(parts[2])
        elif len(parts) == 2 and parts[0] == "U":
            used.add(parts[1])
    return defined, used


def circles(graph, nodes):
    """Tarjan's strongly connected components with more than one file."""
    index, low, stack, on, found, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in nodes:
        if v not in index:
            visit(v)
    return found


def main(objs):
    if not objs:
        print("check-circles: no objects given", file=sys.stderr)
        return 2
    owner, uses = {}, {}
    for o in objs:
        defined, used = symbols(o)
        uses[o] = used
        for s in defined:
            owner[s] = o
    graph = defaultdict(set)
    for o, used in uses.items():
        for s in used:
            if s in owner and owner[s] != o:
                graph[o].add(owner[s])
    bad = circles(graph, sorted(objs))
    for comp in bad:
        names = [c.rsplit("/obj/", 1)[-1][:-2] + ".c" for c in comp]
        print("circles: these files use each other: " + ", ".join(names), file=sys.stderr)
        for a in comp:
            for b in comp:
                if b in graph[a]:
                    syms = sorted(s for s in uses[a] if owner.get(s) == b)
                    print("  %s uses %s: %s" % (a, b, " ".join(syms[:8])), file=sys.stderr)
    if bad:
        return 1
    print("circles: none among %d files" % len(objs))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
