#!/usr/bin/env bash
# security-outboxcap.sh — the outbox is capped per recipient (issue 14,
# point 11): while the relay takes nothing, at most 200 mails wait for one
# address; each one more is not queued but an event on its ticket, and the
# admins are told (once an hour), their notice let through the cap.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
make_bot seccap
trap 'rm -rf "$WORK"' EXIT

T0="2026-11-25T10:00:00+09:00"
db() { sqlite3 "$WORK/state/incidents.db" "$1"; }
# a relay that is down: nothing leaves, everything waits
sed -i "s|url           = \"smtp://127.0.0.1:$IB_SMTP_PORT\"|url           = \"smtp://127.0.0.1:9\"|" "$CONF"
mkdir -p "$WORK/in"
$PY - "$WORK/in" "$BOT_ADDR" "$REPORTER" <<'PYEOF'
import sys
out, bot, frm = sys.argv[1:]
for i in range(205):
    with open(f"{out}/{i:04d}.eml", "w") as f:
        f.write(f"From: {frm}\r\nTo: {bot}\r\nSubject: report {i}\r\nMessage-ID: <cap-{i}@example.com>\r\n"
                f"Date: Wed, 25 Nov 2026 10:00:00 +0900\r\n\r\nreport number {i}\r\n")
PYEOF
scripts/mailserver deliver "$BOT_ADDR" "$WORK"/in/*.eml >/dev/null
poll_at 0
is "$(bot tickets --json | json 'len(j)')" 205 "205 reports while the relay is down: 205 tickets"
is "$(db "SELECT count(*) FROM outbox WHERE rcpt = '$ADMIN1' AND kind = 'alarm'")" 200 \
	"at most 200 alarms wait for one admin"
is "$(db "SELECT count(*) FROM events WHERE kind = 'mail-held' AND detail LIKE 'alarm to $ADMIN1 %'")" 5 \
	"... the 5 more are events on their tickets"
is "$(db "SELECT count(*) FROM outbox WHERE kind = 'trouble' AND rcpt = '$ADMIN1'")" 1 \
	"the admins are told (their notice passes the cap)"
like "$(db "SELECT subject FROM outbox WHERE kind = 'trouble' LIMIT 1")" "上限" "... it says the cap was reached"
send_mail "$REPORTER" "$BOT_ADDR" "one more" "another report" >/dev/null
poll_at 600
is "$(db "SELECT count(*) FROM events WHERE kind = 'mail-held' AND detail LIKE 'alarm to $ADMIN1 %'")" 6 \
	"ten minutes later the cap holds another alarm"
is "$(db "SELECT count(*) FROM outbox WHERE kind = 'trouble' AND rcpt = '$ADMIN1'")" 1 \
	"... and the admins are not told again within the hour"
tap_done
