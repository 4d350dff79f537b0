#!/usr/bin/env bash
# makefile.sh — the build's promises (issue 15): a builder's CFLAGS (make
# CFLAGS=-O0, Debian's dpkg-buildflags) replaces only the builder's part,
# never the flags the code needs; `make install` neither rebuilds nor
# removes the tree's bot/incident-bot, `make -n install` changes nothing,
# and the installed binary looks for its templates and keywords where they
# were installed.  TAP.
set -uo pipefail
cd "$(dirname "$0")/../.."

n=0
failed=0
ok() {	# ok STATUS DESCRIPTION
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed + 1)); fi
}
has_all() {	# has_all TEXT WORD...: every WORD is a word of TEXT
	local text=" $1 " w missing=()
	shift
	for w in "$@"; do
		case "$text" in *" $w "*) ;; *) missing+=("$w") ;; esac
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	echo "#   missing: ${missing[*]}"
	echo "#   in: $(head -c 600 <<<"$1")"
	return 1
}

required=(-std=c11 -D_GNU_SOURCE -pthread -Wall -Wextra -Werror -MMD -MP -Ibot)

# -B -n: the commands make would run, as if every object were out of date.
line=$(make -s -B -n CFLAGS=-O0 bot/lib/buf.o | grep -- ' -c ')
has_all "$line" "${required[@]}" -O0
ok $? "make CFLAGS=-O0: a compile line keeps every required flag and takes -O0"
line=$(make -s -B -n CFLAGS=-O0 tests/unit/lib/test_clock.o | grep -- ' -c ')
has_all "$line" "${required[@]}" -Itests/unit -O0
ok $? "make CFLAGS=-O0: a unit test's compile line keeps its -Itests/unit"
line=$(make -s -B -n CFLAGS=-O0 SAN=1 bot/lib/buf.o | grep -- ' -c ')
has_all "$line" "${required[@]}" -fsanitize=address,undefined
ok $? "make CFLAGS=-O0 SAN=1: the sanitizers stay"
line=$(make -s -B -n LDFLAGS=-Wl,-O1 SAN=1 bot/incident-bot | grep -- ' -o bot/incident-bot ')
has_all "$line" -Wl,-O1 -fsanitize=address,undefined -pthread
ok $? "make LDFLAGS=... SAN=1: the link line keeps the sanitizers and -pthread"
line=$(CFLAGS="-O1 -g -fstack-protector-strong" make -s -B -n bot/lib/buf.o | grep -- ' -c ')
has_all "$line" "${required[@]}" -fstack-protector-strong
ok $? "CFLAGS from the environment (dpkg-buildflags) are used with the required flags"

# `make install` against the tree's build: built with the same SAN as it
# (check-asan runs this in its SAN=1 copy).
# (grep -c, not -q: an early exit of grep kills nm with SIGPIPE, and
# pipefail would take that for "no sanitizer")
san=0
[ "$(nm bot/incident-bot 2>/dev/null | grep -c __asan_init)" -gt 0 ] && san=1
before=$(sha256sum bot/incident-bot bot/libincident.a bot/config/config.o 2>&1)
dest=$(mktemp -d /tmp/ib-makefile-XXXXXX)
trap 'rm -rf "$dest"' EXIT

make -s -n SAN=$san install DESTDIR="$dest" PREFIX=/usr >/dev/null 2>&1
after=$(sha256sum bot/incident-bot bot/libincident.a bot/config/config.o 2>&1)
[ "$before" = "$after" ] && [ -z "$(ls -A "$dest")" ]
ok $? "make -n install changes nothing: the tree's binary, library and objects stay, nothing is installed"

make -s SAN=$san install DESTDIR="$dest" PREFIX=/usr >"$dest.log" 2>&1
rc=$?
[ $rc -eq 0 ] || sed 's/^/#   /' "$dest.log" | tail -20
rm -f "$dest.log"
ok $rc "make install DESTDIR=... PREFIX=/usr succeeds"
after=$(sha256sum bot/incident-bot bot/libincident.a bot/config/config.o 2>&1)
[ "$before" = "$after" ]
ok $? "... and leaves the tree's bot/incident-bot, library and objects as they were"
missing=()
for f in usr/bin/incident-bot usr/share/incident-bot/templates/ack.txt \
	usr/share/incident-bot/templates/digest.html usr/share/incident-bot/keywords.conf \
	usr/share/incident-bot/incident-bot.conf usr/share/incident-bot/incident-bot.service \
	usr/share/man/man1/incident-bot.1 usr/share/man/man5/incident-bot.conf.5; do
	[ -e "$dest/$f" ] || missing+=("$f")
done
[ ${#missing[@]} -eq 0 ] || echo "#   missing: ${missing[*]}"
ok ${#missing[@]} "it installs the binary, templates, keywords, example configuration, unit and man pages"
grep -qa '/usr/share/incident-bot/templates' "$dest/usr/bin/incident-bot" &&
	grep -qa '/usr/share/incident-bot/keywords.conf' "$dest/usr/bin/incident-bot" &&
	! grep -qa "$PWD/templates" "$dest/usr/bin/incident-bot"
ok $? "the installed binary looks for its templates and keywords under /usr/share/incident-bot"
grep -qa "$PWD/templates" bot/incident-bot
ok $? "the tree's binary still looks in the tree's templates/"
grep -qx 'ExecStart=/usr/bin/incident-bot -c /etc/incident-bot/incident-bot.conf run' \
	"$dest/usr/share/incident-bot/incident-bot.service"
ok $? "the installed unit starts the installed binary (PREFIX/bin)"

echo "1..$n"
[ "$failed" -eq 0 ]
