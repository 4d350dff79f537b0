#!/usr/bin/env bash
# store-header.sh — every function of bot/store/store.h has its contract
# beside it (issue 15: half said nothing about return values or
# ownership): a comment right above it — or above the group of
# declarations it belongs to, with no blank line between — or at the end
# of its line.  TAP: one line per function.
set -uo pipefail
cd "$(dirname "$0")/../.."

/usr/bin/python3 - bot/store/store.h <<'PYEOF'
import re, sys

lines = open(sys.argv[1], encoding="utf-8").read().split("\n")
n = failed = 0
# a declaration starts at column 0 with a type and "name(" (typedefs and
# structs are not functions)
decl = re.compile(r"^(?:const\s+)?(?:int|void|char|bool|size_t)\s*\**\s*([a-z_0-9]+)\s*\(")
i = 0
while i < len(lines):
    m = decl.match(lines[i])
    if not m:
        i += 1
        continue
    name = m.group(1)
    j = i
    while ";" not in lines[j]:	# the whole declaration
        j += 1
    documented = "/*" in lines[j] or "/*" in lines[i]
    k = i - 1
    # walk up over the declarations of the same group
    while not documented and k >= 0:
        above = lines[k].rstrip()
        if above.endswith("*/"):
            documented = True
        elif above == "" or above.startswith("#") or above.startswith("}"):
            break
        k -= 1
    n += 1
    if not documented:
        failed += 1
    print("%s %d - store.h: %s has its contract beside it" % ("ok" if documented else "not ok", n, name))
    i = j + 1
ok = n >= 60
print("%s %d - store.h: the scan finds its functions (%d)" % ("ok" if ok else "not ok", n + 1, n))
print("1..%d" % (n + 1))
sys.exit(1 if failed or not ok else 0)
PYEOF
