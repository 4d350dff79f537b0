#!/usr/bin/env bash
# faults-imap.sh — the IMAP server fails under the bot (issue 7,
# reliability 3), on a Dovecot of this test's own (faults-lib.bash):
#   - restarted while `run` idles: the lost connection is logged, reconnects
#     back off (5 s, 10 s, ...), mail after the restart is taken in once;
#   - restarted twice while `run` takes in a backlog of large mails, the
#     moment a batch has been moved and the moment the bot is back (it is
#     fetching then): every report ticketed once, nothing stored twice;
#   - the server loses its index (new UIDVALIDITY, new UIDs) while five mails
#     are committed but not moved, and the mailbox is restored (the same
#     mails again) and three re-sent with other headers: only new reports
#     open tickets (dedup by SHA-256 and Message-ID).
set -uo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/faults-lib.bash"
faults_setup

# uidvalidity_of USER: INBOX's UIDVALIDITY as Dovecot reports it.
uidvalidity_of() {
	doveadm -c "$IB_MAIL_DIR/dovecot.conf" mailbox status -u "$1" uidvalidity INBOX |
		sed -n 's/.*uidvalidity=//p'
}
maildir_of() { echo "$IB_MAIL_DIR/mail/${1,,}/Maildir"; }

# --- Dovecot restarted while `run` idles
new_bot imapidle
start_run
ok $? "run starts"
sleep 1	# into IDLE
dovecot_stop
ok $? "Dovecot stops under the idling service"
sleep 8	# down long enough for two reconnect attempts
dovecot_start
ok $? "... and starts again"
reports "$REPORTER" 1 ridle
deliver "$WORK"/in/ridle-*.eml
wait_for 30 bash -c "[ \$(sqlite3 '$DB' \"SELECT count(*) FROM outbox WHERE kind = 'ack' AND state = 'sent'\") = 1 ]"
ok $? "the service reconnects by itself: a report after the restart is acknowledged"
like "$(cat "$WORK/run.log")" "idle: imap:" "the log tells the connection was lost in IDLE"
like "$(grep 'retrying in' "$WORK/run.log" | head -2 | tr '\n' ' ')" "retrying in 10 s" \
	"... and the backoff grows while the server is down (5 s, then 10 s)"
is "$(db "SELECT count(*) FROM messages")/$(inbox)" "1/0" "one message stored, none left in the INBOX"
run_alive
ok $? "the service kept running"
stop_run
lap "restart during IDLE"

# --- Dovecot restarted while `run` takes in a backlog (large mails:
# fetching is most of the work)
new_bot imapfetch
n=240
sed -i 's/^fetch_batch = .*/fetch_batch = 40/' "$CONF"
reports "$REPORTER" "$n" rfetch 90000
deliver "$WORK"/in/rfetch-*.eml
is "$(inbox)" "$n" "$n reports with 90 KB attachments in the INBOX"
"$BOT" -c "$CONF" run 2>>"$WORK/run.log" &
RUN_PID=$!
run_pids+=("$RUN_PID")
# Dovecot stops the moment a batch has been moved (the next fetch
# begins), then the moment the bot is back: its second login is the
# read-ahead session (intake.h), which fetches at once.
dovecot_stop_on "$WORK/run.log" "moved to Processed" 80
ok $? "Dovecot stops in the middle of the backlog"
from=$(stat -c %s "$WORK/run.log")
sleep 2
dovecot_start
dovecot_stop_on "$WORK/run.log" "logged in as" 2 "$from"
ok $? "... and again as soon as the bot is back"
sleep 2
dovecot_start
fetch_hit() { grep -qE 'UID FETCH[^:]*: (connection closed|server ended)' "$WORK/run.log"; }
# The reader fetches ahead, so a stop often meets the MOVE or a reader
# with its batch ready instead: a few more tries, a batch or two apart.
for _ in 1 2 3; do
	fetch_hit && break
	[ "$(inbox)" -gt 30 ] || break	# too little backlog left for a reader
	from=$(stat -c %s "$WORK/run.log")
	dovecot_stop_on "$WORK/run.log" "moved to Processed" 10 "$from"
	sleep 2
	from=$(stat -c %s "$WORK/run.log")
	dovecot_start
	dovecot_stop_on "$WORK/run.log" "logged in as" 2 "$from"
	sleep 2
	dovecot_start
done
wait_for 90 bash -c "[ \$(sqlite3 '$DB' 'SELECT count(*) FROM tickets') = $n ]"
ok $? "after the restarts in the middle of the backlog every report is ticketed"
echo "# interrupted: $(grep -oE '(UID [A-Z]+|SELECT|LOGIN|connect)[^:]*: (connection closed|server ended)[^;]*' "$WORK/run.log" | sort | uniq -c | tr '\n' ';')"
fetch_hit
ok $? "... a restart hit a fetch"
wait_for 30 bash -c "[ \$(scripts/mailbox.py '$BOT_ADDR' count INBOX) = 0 ]"
ok $? "the INBOX is emptied"
is "$(mailbox "$BOT_ADDR" count Processed)" "$n" "Processed holds each report once"
is "$(db "SELECT count(*) FROM messages")/$(db "SELECT count(DISTINCT subject) FROM tickets")" "$n/$n" \
	"nothing processed twice: $n messages stored, $n distinct tickets"
stop_run
bot verify >/dev/null 2>&1
ok $? "verify passes"
lap "restart during fetch"

# --- a new UIDVALIDITY with the same mails in the INBOX again
new_bot imapuv
md=$(maildir_of "$BOT_ADDR")
reports "$REPORTER" 20 ruv
deliver "$WORK"/in/ruv-00*.eml "$WORK"/in/ruv-01[0-4].eml	# 15
bot poll --once 2>>"$WORK/poll.log"
is "$(db "SELECT count(*) FROM tickets")/$(inbox)" "15/0" "15 reports taken in"
# Five more are committed but cannot be moved (Processed unwritable).
deliver "$WORK"/in/ruv-01[5-9].eml
chmod 500 "$md/.Processed/cur" "$md/.Processed/new" "$md/.Processed/tmp"
bot poll --once 2>>"$WORK/poll.log"
chmod 700 "$md/.Processed/cur" "$md/.Processed/new" "$md/.Processed/tmp"
is "$(db "SELECT count(*) FROM tickets")/$(inbox)" "20/5" "five more committed, their move refused: still in the INBOX"
# The server loses its index: Dovecot stopped, INBOX's uidlist and
# indexes deleted, started again — new UIDVALIDITY, new UIDs.
uv1=$(uidvalidity_of "$BOT_ADDR")
dovecot_stop
rm -f "$md/dovecot-uidlist" "$md"/dovecot.index*
dovecot_start
uv2=$(uidvalidity_of "$BOT_ADDR")
ok $((uv1 == uv2)) "the INBOX's UIDVALIDITY changed ($uv1 → $uv2)"
# The first 15 come back too (restored from a backup), three are sent
# again by their reporter's server with other headers (same Message-ID),
# and two are new.
deliver "$WORK"/in/ruv-00*.eml "$WORK"/in/ruv-01[0-4].eml
$PY - "$WORK/in" <<'PYEOF'
import glob, sys
out = sys.argv[1]
for f in sorted(glob.glob(out + "/ruv-00[0-2].eml")):
    raw = open(f, "rb").read()
    open(f.replace("ruv-", "again-"), "wb").write(
        b"Received: from relay.example.net by mx.example.com; Thu, 26 Nov 2026 10:00:00 +0900\n" + raw)
PYEOF
deliver "$WORK"/in/again-*.eml
reports "$REPORTER" 2 ruvnew
deliver "$WORK"/in/ruvnew-*.eml
is "$(inbox)" 25 "25 mails in the INBOX: 5 never moved, 15 restored, 3 re-sent, 2 new"
bot poll --once 2>>"$WORK/poll.log"
ok $? "poll --once takes them in"
like "$(cat "$WORK/poll.log")" "UIDVALIDITY changed" "the log tells the UIDVALIDITY changed"
is "$(db "SELECT count(*) FROM tickets")" 22 "only the two new reports opened tickets (22 in all)"
is "$(db "SELECT count(DISTINCT subject) FROM tickets")" 22 "... no report was ticketed twice"
is "$(db "SELECT count(*) FROM messages WHERE kind = 'duplicate'")" 3 \
	"the three re-sent copies are kept as duplicates, on their first ticket"
is "$(log_count "$WORK/poll.log" 'already stored \(same SHA-256\)')" 20 "the 20 known mails were only moved"
is "$(inbox)/$(mailbox "$BOT_ADDR" count Processed)" "0/40" "INBOX empty, all 40 mails in Processed"
is "$(db "SELECT count(*) FROM outbox WHERE kind = 'ack'")" 22 "one acknowledgement per ticket, none for the copies"
lap "UIDVALIDITY"
echo "# faults-imap.sh took $((SECONDS - t_all)) s"
tap_done
