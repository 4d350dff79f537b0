#!/usr/bin/env bash
# progress.sh — a long backlog shows its progress (issue 7): in a log file
# (or the journal) plain "intake:" log lines, first and last; on a terminal
# one line redrawn in place with "\r" and finished by the summary on its
# own line; a single new report shows no progress at all.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
make_bot progress
trap 'rm -rf "$WORK"' EXIT
N=300
printf 'fetch_batch = 20\n' >>"$CONF"

# backlog COUNT TAG: COUNT small reports into the bot's INBOX over one SMTP session.
backlog() {
	$PY - "$REPORTER" "$BOT_ADDR" "$1" "$2" <<'PYEOF'
import os, smtplib, ssl, sys
from email.message import EmailMessage
from email.utils import make_msgid, formatdate
frm, to, count, tag = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
ctx = ssl.create_default_context(cafile=os.environ["IB_CA"])
with smtplib.SMTP("127.0.0.1", int(os.environ["IB_SMTP_PORT"])) as s:
    s.starttls(context=ctx)
    for i in range(count):
        m = EmailMessage()
        m["From"], m["To"] = frm, to
        m["Subject"] = f"{tag} report {i}"
        m["Date"] = formatdate(localtime=True)
        m["Message-ID"] = make_msgid(domain="example.com")
        m.set_content(f"suspicious mail number {i}")
        s.send_message(m)
PYEOF
}
# no_glue FILE: no log line written right after a progress line without
# the line cleared first ("...(40%)2026-..." on one line).
no_glue() {
	! grep -aqP '[0-9]+/[0-9,]+ \([0-9]+%\)[^\r\n\033]*[0-9]{4}-[0-9]{2}-[0-9]{2}T' "$1"
}

# (a) stderr to a file: plain log lines.
backlog "$N" file
is "$(mailbox "$BOT_ADDR" count INBOX)" "$N" "(a backlog of $N reports waits)"
bot poll --once 2>"$WORK/file.log"
ok $? "poll --once takes in the backlog, stderr to a file"
is "$(mailbox "$BOT_ADDR" count INBOX)" 0 "... all of it"
intake=$(grep ' intake: ' "$WORK/file.log")
like "$(head -n1 <<<"$intake")" "info intake: $N messages waiting" "the first intake line says how many wait"
tail -n1 <<<"$intake" | grep -qE "info intake: $N messages in [0-9]+\.[0-9] s, [0-9.]+ msgs/s$"
ok $? "the last says how many in how long, at what rate"
is "$(grep -c $'\r' "$WORK/file.log")" 0 "... no \\r in the file"
is "$(grep -c $'\033' "$WORK/file.log")" 0 "... no terminal escapes"
is "$(grep -vcE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z (debug|info|warn|error) [a-z_]+: ' "$WORK/file.log")" 0 \
	"... every line a log line"

# (b) stderr on a terminal: one line redrawn in place.
backlog "$N" tty
script -qfec "$BOT -c $CONF poll --once" /dev/null </dev/null >"$WORK/tty.out"
ok $? "poll --once takes in the backlog on a terminal"
is "$(mailbox "$BOT_ADDR" count INBOX)" 0 "... all of it"
draws=$(grep -aoP '\r\033\[Kintake: [0-9,]+/300 \([0-9]+%\)' "$WORK/tty.out" | wc -l)
ok $((draws < 1)) "the progress line is drawn with \\r and cleared to the end ($draws draws)"
grep -aqP '\r\033\[Kintake: 0/300 \(0%\)' "$WORK/tty.out"
ok $? "... from 0/300 on"
# Redrawn at most 4 times a second: an intake faster than that shows only 0/300.
took=$(grep -aoP 'intake: 300 messages in \K[0-9.]+(?= s)' "$WORK/tty.out")
if [ "${took%.*}" -ge 1 ] 2>/dev/null; then
	grep -aqP '\r\033\[Kintake: [1-9][0-9,]*/300 \([0-9]+%\)' "$WORK/tty.out"
	ok $? "... and updated as the batches commit (intake took $took s)"
fi
grep -aqP '\033\[K[0-9T:-]+Z info intake: 300 messages in [0-9.]+ s, [0-9.]+ msgs/s\r?$' "$WORK/tty.out"
ok $? "... and replaced by the summary, ended by a newline"
is "$(tail -c1 "$WORK/tty.out" | od -An -c | tr -d ' ')" '\n' "the output ends with a newline"
no_glue "$WORK/tty.out"
ok $? "no log line is glued onto the progress line"
is "$(grep -ac 'messages waiting' "$WORK/tty.out")" 0 "... and no journal-style lines on a terminal"

# (c) one new report: no progress.
send_mail "$REPORTER" "$BOT_ADDR" "single report" "one suspicious mail" >/dev/null
bot poll --once 2>"$WORK/one.log"
ok $? "poll --once takes in a single report"
is "$(grep -c 'intake:' "$WORK/one.log")" 0 "... and shows no intake progress (file)"
send_mail "$REPORTER" "$BOT_ADDR" "single report 2" "another suspicious mail" >/dev/null
script -qfec "$BOT -c $CONF poll --once" /dev/null </dev/null >"$WORK/one-tty.out"
is "$(grep -ac 'intake:' "$WORK/one-tty.out")" 0 "... nor on a terminal"
is "$(mailbox "$BOT_ADDR" count INBOX)" 0 "(both single reports taken in)"

# --quiet: no progress at all.
backlog 30 quiet
"$BOT" -q -c "$CONF" poll --once 2>"$WORK/quiet.log"
is "$(grep -c 'intake:' "$WORK/quiet.log")" 0 "--quiet: a backlog shows no progress"

# (d) SIGTERM during a backlog: `run` finishes the batch in hand, not the
# backlog; what it took is ticketed and moved, the rest waits in the INBOX
# and the next pass takes it, each report once.  One mail per batch (one
# commit and one MOVE each) makes the backlog last a few seconds.
sed -i 's/^fetch_batch = 20$/fetch_batch = 1/' "$CONF"
backlog "$N" term
"$BOT" -c "$CONF" run 2>"$WORK/run.log" &
run_pid=$!
for _ in $(seq 200); do grep -q "intake: $N messages waiting" "$WORK/run.log" && break; sleep 0.05; done
kill -TERM "$run_pid"
t_term=$SECONDS
wait "$run_pid"
is "$?" 0 "SIGTERM during a backlog: run exits with status 0"
ok $((SECONDS - t_term > 5)) "... within seconds ($((SECONDS - t_term)) s)"
stopped=$(grep -oP "intake: stopped after \K[0-9]+(?= of $N messages)" "$WORK/run.log")
ok $(( ${stopped:-$N} >= N )) "... after ${stopped:-all} of the $N messages, not the whole backlog"
tickets=$(bot tickets --all --json | json 'len([t for t in j if t["subject"].startswith("term ")])')
is "$tickets/$(mailbox "$BOT_ADDR" count INBOX)" "$tickets/$((N - tickets))" \
	"... each message it took is a ticket, the others wait in the INBOX ($tickets taken)"
bot poll --once 2>/dev/null
is "$(bot tickets --all --json | json 'len([t for t in j if t["subject"].startswith("term ")])')/$(mailbox "$BOT_ADDR" count INBOX)" \
	"$N/0" "the next pass takes the rest: every report a ticket, once"
tap_done
