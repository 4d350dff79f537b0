#!/usr/bin/env bash
# package.sh — the Debian package (issue 15), on this machine: built with
# `make deb` from a copy of the tree, lintian without errors, installed with
# dpkg (the binary, templates, keywords, the conffile, the unit, the man
# pages; the system user with /var/lib/incident-bot 0700), then as that
# user `check-config --connect` and one `poll --once` against the test
# servers with a configuration in /etc/incident-bot, as an admin writes it.
# A purge leaves only what the admin chose to keep: by default the incident
# records in /var/lib/incident-bot and their user (policy 8(4)); with
# incident-bot/purge-state preseeded true, nothing.
#
# Skipped (TAP SKIP) only where dpkg-buildpackage cannot run: not root, or
# the tools or Build-Depends missing (scripts/install-deps installs them).
# The package is installed machine-wide: one run at a time (a lock), and
# it is purged when the script ends, whatever happens.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)

skip() { echo "1..0 # SKIP $*"; exit 0; }
[ "$(id -u)" -eq 0 ] || skip "not root: dpkg-buildpackage -b and dpkg -i need root here"
for tool in dpkg-buildpackage dh fakeroot lintian runuser; do
	command -v "$tool" >/dev/null 2>&1 || skip "$tool is not installed (scripts/install-deps)"
done
(cd "$ROOT" && dpkg-checkbuilddeps >/dev/null 2>&1) ||
	skip "the Build-Depends of debian/control are not installed (scripts/install-deps)"

. "$ROOT/tests/integration/lib.sh"

exec 9>/tmp/ib-package.lock
flock -w 600 9 || { echo "Bail out! another package.sh held /tmp/ib-package.lock for 10 minutes"; exit 2; }

PKG=incident-bot
STATE=/var/lib/incident-bot
ETC=/etc/incident-bot
as_bot() { (cd / && runuser -u incident-bot -- "$@"); }

if dpkg-query -W -f='${db:Status-Status}' "$PKG" 2>/dev/null | grep -q installed; then
	ok 1 "the package $PKG is not installed on this machine before the test (the test would replace it)"
	tap_done
	exit 1
fi
# a state folder or user left by someone else is theirs: do not touch it
if [ -e "$STATE" ] || getent passwd incident-bot >/dev/null; then
	ok 1 "no $STATE and no user incident-bot before the test (they are someone's records)"
	tap_done
	exit 1
fi

make_bot package
cleanup() {
	dpkg --purge "$PKG" >/dev/null 2>&1
	echo "$PKG $PKG/purge-state boolean true" | debconf-set-selections 2>/dev/null
	# the records this test made (never others': the checks above)
	rm -rf "$STATE"
	getent passwd incident-bot >/dev/null && deluser --quiet --system incident-bot >/dev/null 2>&1
	getent group incident-bot >/dev/null && delgroup --quiet --system incident-bot >/dev/null 2>&1
	echo "$PKG $PKG/purge-state boolean false" | debconf-set-selections 2>/dev/null
	echo PURGE | debconf-communicate "$PKG" >/dev/null 2>&1
	rm -rf "$WORK"
}
trap cleanup EXIT

# --- build: make deb in a copy (its `debian/rules clean` would clean this tree)
mkdir -p "$WORK/src"
tar -C "$ROOT" --exclude=./.git --exclude=./tests/out --exclude=./state --exclude=./build \
	--exclude='*.o' --exclude='*.d' --exclude='*.a' -cf - . | tar -C "$WORK/src" -xf -
# the unit tests ran already (make check); a package build runs them too unless told
DEB_BUILD_OPTIONS="nocheck parallel=2" make -C "$WORK/src" deb >"$WORK/build.log" 2>&1
rc=$?
[ $rc -eq 0 ] || tail -20 "$WORK/build.log" | sed 's/^/#   /'
ok $rc "make deb builds the package"
deb=$(ls "$WORK"/${PKG}_*_"$(dpkg --print-architecture)".deb 2>/dev/null | head -1)
[ -n "$deb" ]
ok $? "... and leaves ${PKG}_VERSION_ARCH.deb beside the source tree"

lintian "$WORK"/${PKG}_*.changes >"$WORK/lintian.log" 2>&1
errors=$(grep -c '^E: ' "$WORK/lintian.log")
[ "$errors" -eq 0 ] || grep '^E: ' "$WORK/lintian.log" | sed 's/^/#   /'
is "$errors" 0 "lintian reports no errors"
grep -E '^[WI]: ' "$WORK/lintian.log" | sed 's/^/# lintian: /'

contents=$(dpkg-deb -c "$deb" | awk '{ print $6 }')
for f in ./usr/bin/incident-bot ./usr/share/incident-bot/templates/ack.txt \
	./usr/share/incident-bot/templates/draft.txt ./usr/share/incident-bot/keywords.conf \
	./etc/incident-bot/incident-bot.conf ./lib/systemd/system/incident-bot.service \
	./usr/share/man/man1/incident-bot.1.gz ./usr/share/man/man5/incident-bot.conf.5.gz; do
	like "$contents" "$f" "the package holds ${f#.}"
done
is "$(dpkg-deb -f "$deb" Depends | grep -c adduser)" 1 "it depends on adduser (its user is made at install)"

# --- install
dpkg -i "$deb" >"$WORK/install.log" 2>&1
rc=$?
[ $rc -eq 0 ] || sed 's/^/#   /' "$WORK/install.log"
ok $rc "dpkg -i installs it"
is "$(dpkg-query -W -f='${db:Status-Status}' "$PKG")" installed "... and dpkg counts it installed"
like "$(dpkg-query -W -f='${Conffiles}' "$PKG")" "$ETC/incident-bot.conf" \
	"/etc/incident-bot/incident-bot.conf is a conffile"
user=$(getent passwd incident-bot)
uid=$(cut -d: -f3 <<<"$user")
[ -n "$uid" ] && [ "$uid" -lt 1000 ]
ok $? "a system user incident-bot is created (uid ${uid:-none})"
is "$(cut -d: -f6,7 <<<"$user")" "$STATE:/usr/sbin/nologin" "... with home $STATE and no login shell"
is "$(stat -c '%a %U:%G' "$STATE" 2>&1)" "700 incident-bot:incident-bot" "$STATE is 0700, the user's own"
is "$(stat -c '%a %U:%G' "$ETC" 2>&1)" "750 root:incident-bot" "$ETC is 0750 root:incident-bot (the user reads, only root writes)"
is "$(grep '^ExecStart=' /lib/systemd/system/incident-bot.service)" \
	"ExecStart=/usr/bin/incident-bot -c /etc/incident-bot/incident-bot.conf run" \
	"the unit starts the installed binary"
# (the files, not `man -w`: a minimal machine has no man-db)
[ -f /usr/share/man/man1/incident-bot.1.gz ] && [ -f /usr/share/man/man5/incident-bot.conf.5.gz ]
ok $? "incident-bot(1) and incident-bot.conf(5) are installed"
like "$(cat "$ETC/incident-bot.conf")" 'database  = "/var/lib/incident-bot/incidents.db"' \
	"the packaged configuration keeps the database in $STATE"
out=$(as_bot incident-bot check-config 2>&1)
like "$out" "secret file /etc/incident-bot/secrets/imap" \
	"check-config on the packaged configuration reads /etc/incident-bot and names what the admin must add"

# --- configure as an admin does: the test servers, secrets mode 600 of the user
write_conf "$ETC/certs/ca.pem" imaps "$IB_IMAPS_PORT" |
	sed -e 's|^database .*|database  = "/var/lib/incident-bot/incidents.db"|' -e '/^templates /d' \
	>"$ETC/incident-bot.conf"
install -d -m 755 "$ETC/certs"
install -m 644 "$IB_CA" "$ETC/certs/ca.pem"
install -d -m 700 -o incident-bot -g incident-bot "$ETC/secrets"
install -m 600 -o incident-bot -g incident-bot "$IB_MAIL_DIR/secrets/password" "$ETC/secrets/imap"
install -m 600 -o incident-bot -g incident-bot "$IB_MAIL_DIR/secrets/password" "$ETC/secrets/smtp"

out=$(as_bot incident-bot check-config --connect 2>&1)
rc=$?
[ $rc -eq 0 ] || sed 's/^/#   /' <<<"$out"
ok $rc "as incident-bot: check-config --connect (the default /etc/incident-bot/incident-bot.conf, the installed templates)"

send_mail "$REPORTER" "$BOT_ADDR" "パッケージ試験: 不審なメール" "不審な添付ファイル付きのメールを開いてしまいました。" >/dev/null
wait_for 20 has_mail "$BOT_ADDR" 1
out=$(as_bot incident-bot poll --once 2>&1)
rc=$?
[ $rc -eq 0 ] || sed 's/^/#   /' <<<"$out"
ok $rc "as incident-bot: poll --once"
id=$(as_bot incident-bot tickets --json | json 'j[0]["id"]' 2>/dev/null)
like "$id" "INC-" "... opens a ticket"
wait_for 20 has_mail "$REPORTER" 1
like "$(subjects "$REPORTER")" "[$id]" "... and the reporter receives its acknowledgement"
is "$(stat -c '%U' "$STATE/incidents.db" 2>&1)" incident-bot "the database is in $STATE, the user's"

# --- purge, keeping the records (the default)
files=$(dpkg -L "$PKG" | while read -r f; do [ -f "$f" ] && echo "$f"; done)
dpkg --purge "$PKG" >"$WORK/purge.log" 2>&1
rc=$?
[ $rc -eq 0 ] || sed 's/^/#   /' "$WORK/purge.log"
ok $rc "dpkg --purge"
left=$(for f in $files; do [ -e "$f" ] && echo "$f"; done)
is "$left" "" "no file of the package is left"
left=$(ls -d "$ETC" /usr/share/incident-bot /usr/share/doc/incident-bot \
	/etc/systemd/system/*incident-bot* /var/lib/systemd/deb-systemd-helper-enabled/*incident-bot* 2>/dev/null)
is "$left" "" "nor its configuration folder (the admin's secrets with it), share and doc folders, or unit links"
[ -f "$STATE/incidents.db" ] && getent passwd incident-bot >/dev/null
ok $? "the incident records in $STATE and their user stay (policy 8(4); purge-state false, the default)"
is "$(ls -A "$STATE" | sort | tr '\n' ' ')" "$(cd "$STATE" && ls -A | grep -E '^(incidents\.db.*|command-token)$' | sort | tr '\n' ' ')" \
	"... and nothing else is there but the database and the reply-token key"

# --- the admin chose to remove them: preseeded, installed again, purged
echo "$PKG $PKG/purge-state boolean true" | debconf-set-selections
dpkg -i "$deb" >"$WORK/install2.log" 2>&1
ok $? "installed again over the kept records"
is "$(stat -c '%a %U' "$STATE" "$STATE/incidents.db" 2>&1 | tr '\n' ' ')" "700 incident-bot 600 incident-bot " \
	"... which it finds owned by the same user and private (0700, 0600: issue 14 V8), as they were"
dpkg --purge "$PKG" >"$WORK/purge2.log" 2>&1
ok $? "dpkg --purge with incident-bot/purge-state true"
[ ! -e "$STATE" ] && ! getent passwd incident-bot >/dev/null && ! getent group incident-bot >/dev/null
ok $? "... removes $STATE, the user and its group: nothing is left"
left=$(ls -d "$ETC" /usr/bin/incident-bot /usr/share/incident-bot /lib/systemd/system/incident-bot.service 2>/dev/null)
is "$left" "" "... nor anything of the package"

tap_done
