#!/usr/bin/env bash
# kill.sh — a kill at any instant loses nothing and duplicates nothing:
# a backlog of reports is taken in by `poll --once` runs that are killed
# with SIGKILL at varied moments, then one run finishes the job.  Every
# report must be a ticket exactly once, nothing may stay in the INBOX, and
# every acknowledgement must be sent.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
make_bot kill
trap 'rm -rf "$WORK"' EXIT
N=${IB_KILL_REPORTS:-120}

# Small batches, so that kills land between commits as well as inside them;
# one reporter sends all the reports, so lift the per-sender answer limit.
sed -i 's/^timezone .*/&\nfetch_batch = 10/' "$CONF"
printf 'limits {\n  replies_per_sender_per_hour = 1000\n}\n' >>"$CONF"

mkdir -p "$WORK/mail"
$PY - "$WORK/mail" "$N" "$REPORTER" "$BOT_ADDR" <<'PYEOF'
import sys
from email.message import EmailMessage
out, n, frm, to = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
for i in range(n):
    m = EmailMessage()
    m["From"], m["To"] = frm, to
    m["Subject"] = f"報告 {i:04d}: 不審なメール"
    m["Date"] = "Wed, 25 Nov 2026 10:00:00 +0900"
    m["Message-ID"] = f"<kill-{i}@example.com>"
    m.set_content(f"これは {i} 番目の報告です。\n" * 5)
    open(f"{out}/{i:04d}.eml", "wb").write(bytes(m))
PYEOF
scripts/mailserver deliver "$BOT_ADDR" "$WORK"/mail/*.eml >/dev/null
is "$(mailbox "$BOT_ADDR" count INBOX)" "$N" "$N reports queued in the INBOX"

kills=0
for delay in 0.05 0.1 0.15 0.2 0.3 0.05 0.4 0.1 0.25 0.5; do
	"$BOT" -c "$CONF" poll --once >/dev/null 2>>"$WORK/kill.log" &
	pid=$!
	sleep "$delay"
	if kill -KILL "$pid" 2>/dev/null; then
		kills=$((kills + 1))
	fi
	wait "$pid" 2>/dev/null
done
echo "# $kills runs were killed mid-way"
bot poll --once 2>"$WORK/final.log"
ok $? "a final run finishes without error"
bot poll --once 2>/dev/null	# anything a kill left unsent

is "$(mailbox "$BOT_ADDR" count INBOX)" 0 "nothing is stuck in the INBOX"
is "$(mailbox "$BOT_ADDR" count Processed)" "$N" "every report is in Processed exactly once"
tickets=$(bot tickets --json)
is "$(echo "$tickets" | json 'len(j)')" "$N" "$N tickets, one per report"
is "$(echo "$tickets" | json 'len(set(t["subject"] for t in j))')" "$N" "no report was ticketed twice"
is "$(echo "$tickets" | json 'len(set(t["id"] for t in j))')" "$N" "ticket IDs are unique"
pending=$(sqlite3 "$WORK/state/incidents.db" "SELECT count(*) FROM outbox WHERE state <> 'sent'")
is "$pending" 0 "every queued mail was sent"
acks=$(sqlite3 "$WORK/state/incidents.db" "SELECT count(*) FROM outbox WHERE kind = 'ack'")
is "$acks" "$N" "one acknowledgement queued per ticket"
# At most once per Message-ID at the server, unless a kill fell between the
# server's 250 and the bot's record of it; then the resend has the same ID.
received=$(mailbox "$REPORTER" count INBOX)
distinct=$(for u in $(mailbox "$REPORTER" list INBOX | cut -f1); do
	mailbox "$REPORTER" headers "$u" INBOX | grep -i '^Message-ID:'; done | sort -u | wc -l)
is "$distinct" "$N" "the reporter holds every acknowledgement"
echo "# acknowledgements received: $received for $N distinct Message-IDs"
ok $((received - distinct > kills)) "resends (if any) are bounded by the kills and reuse the Message-ID"
tap_done
