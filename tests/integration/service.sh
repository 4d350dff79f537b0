#!/usr/bin/env bash
# service.sh — `incident-bot run` as a service (IDLE wakes it, SIGTERM ends
# it cleanly) and the outbox under SMTP faults (4xx retried with backoff and
# sent exactly once later, 5xx failed for good).
set -uo pipefail
. "$(dirname "$0")/lib.sh"
make_bot svc
bot_pid=
cleanup() {
	[ -n "$bot_pid" ] && kill "$bot_pid" 2>/dev/null
	rm -f "$IB_SMTP_FAULT"
	rm -rf "$WORK"
}
trap cleanup EXIT

# --- the service: IDLE, then SIGTERM
"$BOT" -c "$CONF" run >/dev/null 2>"$WORK/run.log" &
bot_pid=$!
sleep 1
kill -0 "$bot_pid" 2>/dev/null
ok $? "run starts and keeps running"
t0=$(date +%s.%N)
send_mail "$REPORTER" "$BOT_ADDR" "Webサイトが改ざんされています" "トップページの表示がおかしいです。" >/dev/null
wait_for 15 has_mail "$REPORTER" 1
ok $? "while running, a report is acknowledged without a restart (IDLE)"
t1=$(date +%s.%N)
echo "# mail delivered → acknowledgement in the reporter's INBOX: $(awk "BEGIN {printf \"%.2f\", $t1 - $t0}") s"
wait_for 10 has_mail "$ADMIN1" 1
ok $? "... and the admins are alarmed"
like "$(cat "$WORK/run.log")" "new ticket INC-" "the log names the new ticket"
send_mail "$REPORTER" "$BOT_ADDR" "2件目" "second report" >/dev/null
wait_for 15 has_mail "$REPORTER" 2
ok $? "a second report while idle is taken in too"
# The server drops the connection (an admin kicks the session): the
# service reconnects at once.
doveadm -c "$IB_MAIL_DIR/dovecot.conf" kick "$BOT_ADDR" >/dev/null 2>&1
sleep 1
# The IMAP server goes away under the service for a while and comes back.
# (Dovecot's running IMAP sessions outlive its master; end them too.)
scripts/mailserver stop >/dev/null 2>&1
pkill -f 'dovecot-incident-bot-test/imap' 2>/dev/null
sleep 3
scripts/mailserver start >/dev/null 2>&1
kill -0 "$bot_pid" 2>/dev/null
ok $? "the service survives the mail servers' restart"
send_mail "$REPORTER" "$BOT_ADDR" "3件目" "after the restart" >/dev/null
wait_for 60 has_mail "$REPORTER" 3
ok $? "it reconnects by itself and takes in new mail"
like "$(cat "$WORK/run.log")" "will retry" "the log tells about the dropped connection"
like "$(cat "$WORK/run.log")" "retrying in" "... and about the backoff while the server is down"
kill -TERM "$bot_pid"
wait_for 10 bash -c "! kill -0 $bot_pid 2>/dev/null"
ok $? "SIGTERM ends the service within seconds"
wait "$bot_pid"
is $? 0 "... with exit status 0"
bot_pid=
like "$(cat "$WORK/run.log")" "stopping" "... after saying so"
is "$(bot tickets --json | json 'len(j)')" 3 "three tickets"

# --- 4xx: kept, retried later with backoff, sent once
send_mail "$OUTSIDER" "$BOT_ADDR" "retry me" "a report, then the SMTP server is busy" >/dev/null
echo 451 >"$IB_SMTP_FAULT"
bot poll --once 2>"$WORK/retry.log"
ok $? "poll exits 0 when the SMTP server answers 451"
id=$(bot tickets --json | json '[t["id"] for t in j if t["subject"] == "retry me"][0]')
is "$(bot show "$id" --json | json 'j["mails"][0]["state"]')" "pending" "the acknowledgement stays pending"
like "$(bot show "$id" --json | json 'j["mails"][0]["last_error"]')" "451" "... with the server's answer"
rm -f "$IB_SMTP_FAULT"
bot poll --once 2>/dev/null
is "$(bot show "$id" --json | json 'j["mails"][0]["state"]')" "pending" "it is not retried before its backoff"
bot --now "$(date -d '+2 hours' -Iseconds)" poll --once 2>/dev/null
is "$(bot show "$id" --json | json 'sum(m["state"] == "sent" for m in j["mails"] if m["kind"] in ("ack", "alarm"))')" 3 \
	"after the backoff the acknowledgement and both alarms are sent"
is "$(mailbox "$OUTSIDER" count INBOX)" 1 "the reporter got exactly one acknowledgement"
bot --now "$(date -d '+5 hours' -Iseconds)" poll --once 2>/dev/null
is "$(mailbox "$OUTSIDER" count INBOX)" 1 "a sent mail is never sent again"

# --- 5xx: failed for good, not retried
send_mail "$OUTSIDER" "$BOT_ADDR" "perm fail" "x" >/dev/null
echo 550 >"$IB_SMTP_FAULT"
bot poll --once 2>"$WORK/perm.log"
rm -f "$IB_SMTP_FAULT"
id=$(bot tickets --json | json '[t["id"] for t in j if t["subject"] == "perm fail"][0]')
is "$(bot show "$id" --json | json 'j["mails"][0]["state"]')" "failed" "550 marks the mail failed"
like "$(cat "$WORK/perm.log")" "failed for good" "... and logs it as an error"
bot --now "$(date -d '+3 hours' -Iseconds)" poll --once 2>/dev/null
is "$(bot show "$id" --json | json 'j["mails"][0]["state"]')" "failed" "... and is not retried"

# --- the SMTP server down: nothing lost
port_free=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
sed "s|smtp://127.0.0.1:$IB_SMTP_PORT|smtp://127.0.0.1:$port_free|" "$CONF" >"$WORK/down.conf"
send_mail "$OUTSIDER" "$BOT_ADDR" "server down" "x" >/dev/null
"$BOT" -c "$WORK/down.conf" poll --once 2>/dev/null
ok $? "poll still exits 0 with the SMTP server down (mail is queued)"
id=$(bot tickets --json | json '[t["id"] for t in j if t["subject"] == "server down"][0]')
is "$(bot show "$id" --json | json 'j["mails"][0]["state"]')" "pending" "the acknowledgement waits"
bot --now "$(date -d '+2 hours' -Iseconds)" poll --once 2>/dev/null
is "$(bot show "$id" --json | json 'sum(m["state"] == "sent" for m in j["mails"] if m["kind"] in ("ack", "alarm"))')" 3 \
	"and is sent once the server is back"

tap_done
