#!/usr/bin/env bash
# errors.sh — out of memory is one class everywhere: every error_set(…)
# whose text says "out of memory" is ERR_TEMP (lib/error.h says why).
# TAP: one line per source folder, naming each call that is not.
set -uo pipefail
cd "$(dirname "$0")/../.."

/usr/bin/python3 - <<'PYEOF'
import glob, re, sys

n = failed = 0
total = 0
for folder in sorted(d for d in glob.glob("bot/*/") ) + ["bot/"]:
    files = sorted(glob.glob(folder + "*.c")) if folder != "bot/" else ["bot/main.c"]
    bad = []
    for f in files:
        text = open(f, encoding="utf-8").read()
        for m in re.finditer(r"error_set\s*\((.*?)\)\s*[;:)]", text, re.S):
            call = m.group(0)
            if "out of memory" not in call:
                continue
            total += 1
            cls = re.search(r"ERR_[A-Z]+", call)
            if not cls or cls.group(0) != "ERR_TEMP":
                line = text[:m.start()].count("\n") + 1
                bad.append("%s:%d: %s" % (f, line, cls.group(0) if cls else "no class"))
    n += 1
    if bad:
        failed += 1
        print("not ok %d - %s: out of memory is ERR_TEMP" % (n, folder))
        for b in bad:
            print("#   " + b)
    else:
        print("ok %d - %s: out of memory is ERR_TEMP" % (n, folder))
n += 1
# the scan itself must see the calls, or every line above passes vacuously
print(("ok" if total >= 40 else "not ok") + " %d - the scan finds the out-of-memory errors (%d)" % (n, total))
failed += total < 40
print("1..%d" % n)
sys.exit(1 if failed else 0)
PYEOF
