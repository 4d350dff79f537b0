#!/usr/bin/env bash
# faults-storage.sh — the database cannot be written (issue 7,
# reliability 4): locked by the sqlite3 shell (BEGIN EXCLUSIVE), the disk
# full (a small tmpfs), read-only (the tmpfs remounted read-only, the file
# made immutable).  Each time the mail stays in the INBOX, the log says
# what is wrong, and `run` — or the next `poll --once` — takes it in once
# the fault is gone.  Nothing is sent that the database could not record as
# sent, and a mail the SMTP server accepted while the database was locked is
# recorded later, never sent again.  Needs root (mount, chattr).
set -uo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/faults-lib.bash"
faults_setup

# small_disk KB: a tmpfs of that size as this bot's state folder (before the
# database exists); unmounted on exit.
small_disk() {
	mkdir -p "$WORK/state"
	mount -t tmpfs -o "size=${1}k,mode=700" tmpfs "$WORK/state" || return 1
	mounts+=("$WORK/state")
}
fill_disk() { dd if=/dev/zero of="$WORK/state/filler" bs=4k 2>/dev/null; sync; }
free_disk() { rm -f "$WORK/state/filler"; }
acks_sent() { db "SELECT count(*) FROM outbox WHERE kind = 'ack' AND state = 'sent'"; }

# --- locked by the sqlite3 shell while `run` takes in a backlog and
# has mail to send
new_bot lockrun
reports "$REPORTER" 1 rlock0
deliver "$WORK"/in/rlock0-*.eml
smtp_fault 451
bot poll --once 2>>"$WORK/poll.log"	# its three mails wait; two are due now
smtp_fault ""
reports "$REPORTER" 30 rlock
deliver "$WORK"/in/rlock-*.eml
lock_shell "$DB"
touch "$WORK/run.log"
from=$(stat -c %s "$WORK/run.log")
"$BOT" -c "$CONF" run 2>>"$WORK/run.log" &
RUN_PID=$!
run_pids+=("$RUN_PID")
db_lock_on "$WORK/run.log" "logged in as" 1 "$from"
ok $? "the sqlite3 shell holds BEGIN EXCLUSIVE while run takes in 30 reports"
wait_for 20 grep -q "database is locked" "$WORK/run.log"
ok $? "the log says the database is locked"
sleep 12
echo "# $(grep -E 'locked' "$WORK/run.log" | head -3 | cut -c22- | tr '\n' '|')"
left=$(inbox)
ok $((left == 0)) "while locked, the mail stays in the INBOX ($left of 30 left)"
is "$(report_value "$(spool_report "$DB" /dev/null)" arrived)" 0 \
	"... and nothing is sent while the database cannot record it"
db_unlock
wait_for 60 bash -c "[ \$(sqlite3 '$DB' \"SELECT count(*) FROM outbox WHERE state = 'pending' AND next_attempt_at <= strftime('%s')\") = 0 ] && [ \$(scripts/mailbox.py '$BOT_ADDR' count INBOX) = 0 ]"
ok $? "the lock gone, run takes everything in and sends what is due by itself"
is "$(db "SELECT count(*) FROM tickets")/$(db "SELECT count(*) FROM messages")" "31/31" \
	"31 tickets, each report stored once"
report=$(spool_report "$DB" /dev/null)
is "$(report_value "$report" resent)/$(report_value "$report" unknown)" "0/0" "no mail was sent twice"
run_alive
ok $? "the service kept running"
stop_run
lap "locked, run"

# --- locked while the SMTP server is answering: the mail it accepted
# is recorded later and never sent again
new_bot lockmemo
reports "$REPORTER" 40 rmemo
deliver "$WORK"/in/rmemo-*.eml
bot poll --once 2>>"$WORK/poll.log" >/dev/null &	# sends 120 mails
t0=$!
on_line "$IB_MAIL_DIR/smtp.log" " accepted " 20 "signal:$(cat "$IB_MAIL_DIR/smtp.pid"):STOP"
lock_shell "$DB"
db_lock
kill -CONT "$(cat "$IB_MAIL_DIR/smtp.pid")"
sleep 8
db_unlock
wait "$t0"
grep -qE "sent, not recorded yet" "$WORK/poll.log"
ok $? "the SMTP server's 250 came while the database was locked: the log says so"
grep -qE "sent earlier, now recorded" "$WORK/poll.log"
ok $? "... and the mail is recorded once the lock is gone"
bot poll --once 2>>"$WORK/poll.log"
report=$(spool_report "$DB" /dev/null)
is "$(pending)/$(report_value "$report" missing)/$(report_value "$report" resent)" "0/0/0" \
	"all 120 mails sent, none twice"
lap "locked during SMTP"

# --- locked: poll --once
new_bot lockpoll
reports "$REPORTER" 1 rlockp
bot poll --once 2>/dev/null	# the database exists
deliver "$WORK"/in/rlockp-*.eml
lock_shell "$DB"
db_lock
bot poll --once 2>>"$WORK/poll.log"
is $? 1 "poll --once with the database locked: exit status 1"
like "$(cat "$WORK/poll.log")" "database is locked" "... the error is logged"
is "$(inbox)" 1 "... the report stays in the INBOX"
db_unlock
bot poll --once 2>>"$WORK/poll.log"
is "$?/$(inbox)/$(db "SELECT count(*) FROM tickets")/$(acks_sent)" "0/0/1/1" \
	"the next poll takes it in and acknowledges it"
lap "locked, poll"

# --- the disk full: run, then poll
new_bot diskfull
small_disk 3072
ok $? "a 3 MB tmpfs for the database"
start_run
# the service up first (a disk full before it opens the database is the
# read-only case below: it waits for the database)
wait_for 20 grep -q "run: started" "$WORK/run.log"
fill_disk
reports "$REPORTER" 1 rfull 400000
deliver "$WORK"/in/rfull-*.eml
wait_for 20 grep -qE "disk is full|No space left" "$WORK/run.log"
ok $? "disk full: the log says so"
echo "# $(grep -m1 -E 'disk is full|No space left' "$WORK/run.log" | cut -c22-)"
sleep 2
is "$(inbox)/$(db "SELECT count(*) FROM tickets")" "1/0" "... the report stays in the INBOX, no ticket"
free_disk
wait_for 40 bash -c "[ \$(sqlite3 '$DB' \"SELECT count(*) FROM outbox WHERE kind = 'ack' AND state = 'sent'\") = 1 ]"
ok $? "space again: run takes it in and acknowledges it by itself"
is "$(inbox)" 0 "... and moves it"
run_alive
alive=$?
ok $alive "the service kept running"
if [ "$alive" -ne 0 ]; then
	sed 's/^/#   /' "$WORK/run.log" | tail -n 15
	echo "# the private Dovecot's log:"
	sed 's/^/#   /' "$PV_DIR/dovecot.log" | tail -n 15
fi
stop_run
reports "$REPORTER" 1 rfull2 400000
deliver "$WORK"/in/rfull2-*.eml
fill_disk
bot poll --once 2>>"$WORK/poll.log"
is "$?/$(inbox)" "1/1" "poll --once on a full disk: exit status 1, the report stays"
echo "# $(grep -m1 'store:' "$WORK/poll.log")"
like "$(cat "$WORK/poll.log")" "incidents.db: store: " "... the log names the database and the error"
grep -qE "disk is full|No space left" "$WORK/poll.log"
ok $? "... and its cause"
free_disk
bot poll --once 2>>"$WORK/poll.log"
is "$?/$(inbox)/$(db "SELECT count(*) FROM tickets")" "0/0/2" "the next poll takes it in"
lap "disk full"

# --- read-only: the file system remounted read-only, then the file
# immutable.  (Neither can happen under a running bot here: a file
# system with files open for writing cannot be remounted read-only, and
# an open file stays writable after chattr +i.  So the bot starts on it.)
new_bot rofs
small_disk 8192
bot poll --once 2>/dev/null	# the database exists
reports "$REPORTER" 2 rro
deliver "$WORK"/in/rro-000.eml
mount -o remount,ro "$WORK/state"
ok $? "the database's file system remounted read-only"
bot poll --once 2>>"$WORK/poll.log"
is "$?/$(inbox)" "1/1" "poll --once: exit status 1, the report stays in the INBOX"
echo "# $(grep -m1 'store:' "$WORK/poll.log")"
like "$(cat "$WORK/poll.log")" "incidents.db: store: " "... the log names the database and the error"
like "$(cat "$WORK/poll.log")" "Read-only file system" \
	"... and its cause"
"$BOT" -c "$CONF" run 2>>"$WORK/run.log" &
RUN_PID=$!
run_pids+=("$RUN_PID")
sleep 3
mount -o remount,rw "$WORK/state"
wait_for 20 bash -c "! kill -0 $RUN_PID || [ \$(scripts/mailbox.py '$BOT_ADDR' count INBOX) = 0 ]"
[ "$(inbox)" = 0 ]
ok $? "run started on the read-only database takes the report in once it is writable"
if ! run_alive; then
	wait "$RUN_PID"
	echo "# run exited with status $? on the read-only database: $(grep -m1 'store:' "$WORK/run.log")"
	start_run
fi
wait_for 20 bash -c "[ \$(scripts/mailbox.py '$BOT_ADDR' count INBOX) = 0 ]"
ok $? "writable again: run takes the report in"
stop_run
deliver "$WORK"/in/rro-001.eml
chattr +i "$DB"
ok $? "the database file made immutable (chattr +i)"
bot poll --once 2>>"$WORK/poll.log"
is "$?/$(inbox)" "1/1" "poll --once: exit status 1, the report stays in the INBOX"
echo "# $(grep 'store:' "$WORK/poll.log" | tail -1)"
chattr -i "$DB"
bot poll --once 2>>"$WORK/poll.log"
is "$?/$(inbox)/$(db "SELECT count(*) FROM tickets")" "0/0/2" "writable again: the next poll takes it in"
bot verify >/dev/null 2>&1
ok $? "verify passes"
lap "read-only"
echo "# faults-storage.sh took $((SECONDS - t_all)) s"
tap_done
