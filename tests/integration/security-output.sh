#!/usr/bin/env bash
# security-output.sh — bounded output (issue 14, V6/V7, point 10): every
# mail the bot queues is at most 256 KB, its text cut in bytes with a note;
# a refused 1 MB command mail is a small notice, and a flood of forged
# commands one notice per sender and ticket per 10 minutes with a count of
# the rest; a one-line 20 MB report still alarms the admins (a real relay
# refuses a 28 MB mail), within 128 MB of memory.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
make_bot secout
trap 'rm -rf "$WORK"' EXIT

T0="2026-11-25T10:00:00+09:00"
db() { sqlite3 "$WORK/state/incidents.db" "$1"; }
MAX=262144
raw() {	# raw FILE FROM SUBJECT BODY-FILE: a mail around a body file
	{ printf 'From: %s\r\nTo: %s\r\nSubject: %s\r\nMessage-ID: <%s-%s@example.com>\r\nDate: Wed, 25 Nov 2026 10:00:00 +0900\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n' \
		"$2" "$BOT_ADDR" "$3" "$(basename "$1")" "$RANDOM"; cat "$4"; printf '\r\n'; } >"$1"
}

# --- a one-line 20 MB report
$PY -c 'import sys; sys.stdout.write("不正アクセスの報告です。" + "A" * (20 * 1024 * 1024))' >"$WORK/big.txt"
raw "$WORK/big.eml" "$REPORTER" "巨大な報告" "$WORK/big.txt"
scripts/mailserver deliver "$BOT_ADDR" "$WORK/big.eml" >/dev/null
/usr/bin/time -f '%M' -o "$WORK/rss" "$BOT" -c "$CONF" --now "$(at 0)" poll --once 2>>"$WORK/poll.log"
ok $? "poll takes in a one-line 20 MB report"
id=$(bot tickets --json | json 'j[0]["id"]')
is "$(db "SELECT max(length(data)) <= $MAX FROM outbox")" 1 "every mail it causes is at most 256 KB"
wait_for 10 has_mail "$ADMIN1" 1
like "$(subjects "$ADMIN1")" "$id" "the admins get the alarm (not refused by a relay for its size)"
like "$(mailbox "$ADMIN1" body "$(mailbox "$ADMIN1" list INBOX | grep "$id" | head -1 | cut -f1)")" \
	"AAAA(…)" "... quoting an excerpt of the report cut in bytes, marked (…)"
rss=$(cat "$WORK/rss")
# under a sanitizer (scripts/check-asan) or valgrind the memory is theirs
sanitized=$([ -n "${ASAN_OPTIONS:-}" ] || [ "${IB_VALGRIND:-0}" = 1 ] && echo 1 || echo 0)
if [ "$sanitized" = 1 ]; then
	ok 0 "... peak memory under 128 MB # SKIP under a sanitizer (${rss} KB)"
else
	ok "$([ "$rss" -lt 131072 ]; echo $?)" "... peak memory under 128 MB (${rss} KB)"
fi

# --- a refused 1 MB command mail
$PY -c 'import sys; sys.stdout.write("/note " + "x" * (1024 * 1024))' >"$WORK/cmd.txt"
raw "$WORK/cmd.eml" "$ADMIN1" "[$id] forged" "$WORK/cmd.txt"
scripts/mailserver deliver "$BOT_ADDR" "$WORK/cmd.eml" >/dev/null
poll_at 60
n=$(db "SELECT count(*) FROM outbox WHERE kind = 'command-refused'")
is "$n" 2 "a forged 1 MB command mail: one notice to each admin"
is "$(db "SELECT max(length(data)) <= $MAX FROM outbox WHERE kind = 'command-refused'")" 1 "... each at most 256 KB"
wait_for 10 eval '[ "$(subjects "$ADMIN2" | grep -c "コマンドを実行しませんでした")" -ge 1 ]'
like "$(mailbox "$ADMIN2" body "$(mailbox "$ADMIN2" list INBOX | grep "コマンドを実行しませんでした" | head -1 | cut -f1)")" \
	"バイトだけを載せました" "... its text cut in bytes with a note saying where the whole is"

# --- a flood of forged commands: one notice per sender and ticket per 10 minutes
for i in 1 2 3 4 5 6 7 8 9 10; do
	printf '/close force 偽物 %s\r\n' "$i" >"$WORK/f.txt"
	raw "$WORK/f$i.eml" "$BOSS" "[$id] forged $i" "$WORK/f.txt"
done
scripts/mailserver deliver "$BOT_ADDR" "$WORK"/f{1,2,3,4,5,6,7,8,9,10}.eml >/dev/null
poll_at 120
is "$(db "SELECT count(*) FROM outbox WHERE kind = 'command-refused'")" 4 \
	"10 forged command mails from one sender: one more notice per admin, not ten"
is "$(db "SELECT count(*) FROM events WHERE kind = 'command-refused'")" 11 "... every refusal is still an audit event"
printf '/close force 偽物 11\r\n' >"$WORK/f.txt"
raw "$WORK/f11.eml" "$BOSS" "[$id] forged 11" "$WORK/f.txt"
scripts/mailserver deliver "$BOT_ADDR" "$WORK/f11.eml" >/dev/null
poll_at 800
is "$(db "SELECT count(*) FROM outbox WHERE kind = 'command-refused'")" 6 "ten minutes later: the next notice"
wait_for 10 eval '[ "$(subjects "$ADMIN2" | grep -c "コマンドを実行しませんでした")" -ge 3 ]'
last=$(mailbox "$ADMIN2" list INBOX | grep "コマンドを実行しませんでした" | tail -1 | cut -f1)
like "$(mailbox "$ADMIN2" body "$last")" "ほかに 9 件を拒否" "... counting the 9 held back"
is "$(bot tickets --json | json 'j[0]["status"]')" new "... and the ticket is untouched"

# --- point 10: a 1 MB header line and 10,000 command lines in one mail
$PY -c 'import sys; sys.stdout.write("".join("/note %d\r\n" % i for i in range(10000)))' >"$WORK/many.txt"
raw "$WORK/many.eml" "$ADMIN2" "[$id] $($PY -c 'print("x" * (1024 * 1024))')" "$WORK/many.txt"
before=$(db "SELECT count(*) FROM outbox WHERE kind = 'command-refused'")
scripts/mailserver deliver "$BOT_ADDR" "$WORK/many.eml" >/dev/null
/usr/bin/time -f '%M' -o "$WORK/rss2" "$BOT" -c "$CONF" --now "$(at 900)" poll --once 2>>"$WORK/poll.log"
ok $? "a mail with a 1 MB header line and 10,000 command lines is taken in"
is "$(db "SELECT count(*) FROM outbox WHERE kind = 'command-refused'")" $((before + 2)) \
	"... refused with one notice (to each admin)"
is "$(db "SELECT count(*) FROM events WHERE kind = 'note'")" 0 "... and none of its commands ran"
if [ "$sanitized" = 1 ]; then
	ok 0 "... within 128 MB # SKIP under a sanitizer ($(cat "$WORK/rss2") KB)"
else
	ok "$([ "$(cat "$WORK/rss2")" -lt 131072 ]; echo $?)" "... within 128 MB ($(cat "$WORK/rss2") KB)"
fi
tap_done
