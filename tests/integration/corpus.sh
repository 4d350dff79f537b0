#!/usr/bin/env bash
# corpus.sh — every real-world mail of ../shared/corpus/mail (Japanese
# charsets, broken MIME, bounces, auto-replies, written by real clients and
# servers) goes through the IMAP server and the bot: no crash, nothing left
# in the INBOX, each message stored once, every stored text valid UTF-8.
# (Which machine mail must not open a ticket is the next issue's test.)
set -uo pipefail
. "$(dirname "$0")/lib.sh"
make_bot corpus
trap 'rm -rf "$WORK"' EXIT
CORPUS=${IB_CORPUS:-$ROOT/../shared/corpus/mail}

if [ ! -d "$CORPUS" ]; then
	echo "1..0 # SKIP no corpus at $CORPUS"
	exit 0
fi
files=("$CORPUS"/*)
N=${#files[@]}
scripts/mailserver deliver "$BOT_ADDR" "${files[@]}" >/dev/null
is "$(mailbox "$BOT_ADDR" count INBOX)" "$N" "all $N corpus mails queued"

bot poll --once 2>"$WORK/poll.log"
ok $? "poll --once takes in the whole corpus without error"
is "$(mailbox "$BOT_ADDR" count INBOX)" 0 "nothing is left in the INBOX"
summary=$(grep -o '[0-9]* new tickets, .*' "$WORK/poll.log" | tail -1)
echo "# $summary"
db=$WORK/state/incidents.db
stored=$(sqlite3 "$db" "SELECT count(*) FROM messages")
distinct=$(sha256sum "${files[@]}" | cut -d' ' -f1 | sort -u | wc -l)
is "$stored" "$distinct" "every distinct mail is stored exactly once"
bad_utf8=$(sqlite3 "$db" "SELECT quote(body) FROM messages WHERE body IS NOT NULL" | $PY -c '
import sys
bad = 0
for line in sys.stdin.buffer:
    try: line.decode("utf-8")
    except UnicodeDecodeError: bad += 1
print(bad)')
is "$bad_utf8" 0 "every stored text is valid UTF-8"
raw_ok=$(sqlite3 "$db" "SELECT count(*) FROM messages WHERE length(raw) > 0 AND length(sha256) = 64")
is "$raw_ok" "$stored" "every message keeps its raw bytes and SHA-256"
bot tickets --json >/dev/null
ok $? "tickets --json works over the whole corpus"
for id in $(bot tickets --all --json | json '" ".join(t["id"] for t in j)'); do
	bot show "$id" --json >/dev/null || { echo "# show $id failed"; false; } || break
done
ok $? "show --json works for every ticket"
bot poll --once 2>/dev/null
is "$(sqlite3 "$db" "SELECT count(*) FROM messages")" "$stored" "a second run stores nothing more"
tap_done
