#!/usr/bin/env bash
# config-doc.sh — every section and key the configuration parser knows
# (the CFG_* option tables of bot/config/) is shown in the documented
# example conf/incident-bot.conf and named in incident-bot.conf(5), so an
# admin who reads either finds it (issue 15: commands { } was only in the
# man page).  The keywords file's own keys (conf/keywords.conf) are not
# the configuration's and are left out.  TAP, one line per key.
set -uo pipefail
cd "$(dirname "$0")/../.."

n=0
failed=0
ok() {
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed + 1)); fi
}

# the option tables, without config_policy.c's keywords-file part
keys=$( { cat bot/config/config.c; sed '/---- the keywords file ----/,$d' bot/config/config_policy.c; } |
	grep -oE 'CFG_[A-Z_]+\("[a-z_0-9]+"' | sed -E 's/.*\("//; s/"$//' | sort -u)
[ -n "$keys" ]
ok $? "the option tables of bot/config/ are found"
for k in $keys; do
	# `key = …`, `key { …` or `key "name" { …`, commented out or not, alone or inline
	grep -qE "(^|[[:space:]#{])$k[[:space:]]*(=|\\{|\")" conf/incident-bot.conf
	ok $? "conf/incident-bot.conf shows $k"
	grep -qE "(^|[^a-z_])$k([^a-z_]|$)" conf/incident-bot.conf.5
	ok $? "incident-bot.conf(5) names $k"
done
echo "1..$n"
[ "$failed" -eq 0 ]
