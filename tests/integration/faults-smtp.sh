#!/usr/bin/env bash
# faults-smtp.sh — the SMTP server fails under the bot (issue 7,
# reliability 2), on a server of this test's own (faults-lib.bash), whose
# fault file (451, 550, drop) no other test sees:
#   - 4xx: retried with exponential backoff (30 s doubling) and jitter
#     (±20 %); mail to the same recipient queued later waits behind the
#     first, mail to others goes on; each mail arrives once, in order;
#   - a connection dropped at DATA: the mail stays pending, is sent later once;
#   - 5xx (a refused recipient, a refused message): failed for good after one
#     attempt, never retried, on the ticket's timeline, and the admins told
#     by mail (bounce.txt) — another route than the one that failed;
#   - a server that never accepts: given up after 60 attempts (OUTBOX_MAX_
#     ATTEMPTS), the admins told: the outbox cannot grow without bound;
#   - the server down for a while under `run`: the mail waits, and is sent
#     by itself once the server is back, once each and in order.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/faults-lib.bash"
faults_setup

# --- 4xx: backoff, jitter, order per recipient, each sent once
new_bot smtp4xx
reports "$REPORTER" 4 r4xx
deliver "$WORK"/in/r4xx-*.eml
t0=$(date +%s)
smtp_fault 451
poll_at "$t0"
is "$(db "SELECT count(*) FROM tickets")/$(pending)" "4/12" \
	"451: four tickets, their 12 mails (acknowledgements, alarms) all pending"
ack1=$(db "SELECT min(id) FROM outbox WHERE kind = 'ack'")
is "$(db "SELECT attempts || ' ' || (last_error LIKE '%451%') FROM outbox WHERE id = $ack1")" "1 1" \
	"the first mail was tried once and keeps the server's 451"
is "$(db "SELECT count(*) FROM outbox WHERE attempts > 0")" 1 \
	"... and the others were not tried in the same round (the server is busy for all)"
like "$(cat "$WORK/poll.log")" "attempt 1 failed, retry in" "the log says when it retries"
# The delay after the k-th failure: 30 s · 2^(k-1), ±20 % of jitter.
# One TAP line for the six delays: it fails when any is off its doubling
# (or none was measured), and names the ones that are.
now=$t0 ratios="" off=""
for k in 1 2 3 4 5 6; do
	next=$(db "SELECT next_attempt_at FROM outbox WHERE id = $ack1")
	d=$((${next:-0} - now)) base=$((30 << (k - 1)))
	if [ -z "$next" ] || [ $((d * 10)) -lt $((base * 8)) ] || [ $((d * 10)) -gt $((base * 12)) ]; then
		off+="after failure $k: ${next:+$d s, not within 20 % of $base s}${next:-no next attempt}; "
	fi
	ratios+="$((d * 1000 / base)) "
	[ "$k" -lt 6 ] && { now=${next:-$now}; poll_at "$now"; }
done
is "$(db "SELECT attempts FROM outbox WHERE id = $ack1")" 6 "six 451s: six attempts, no more"
is "$off" "" "the delays double from 30 s, each within 20 % (‰ of the base: $ratios)"
ok $(($(echo "$ratios" | tr ' ' '\n' | sort -u | grep -c .) < 2)) "... each spread by its own jitter"
smtp_fault ""
poll_at $((now + 10))
is "$(db "SELECT count(*) FROM outbox WHERE kind = 'alarm' AND state = 'sent'")" 8 \
	"server back: mail to the admins goes out at once"
is "$(db "SELECT count(*) FROM outbox WHERE kind = 'ack' AND state = 'pending'")" 4 \
	"... but the reporter's later acknowledgements wait behind the first (order per recipient)"
poll_at "$(db "SELECT next_attempt_at FROM outbox WHERE id = $ack1")"
is "$(pending)" 0 "when the first is due, all are sent"
report=$(spool_report "$DB" /dev/null)
is "$(report_value "$report" missing)/$(report_value "$report" resent)" "0/0" \
	"the SMTP server got every mail exactly once"
is "$(report_value "$report" order_broken)" 0 "... each recipient's in the order queued"
is "$(mailbox "$REPORTER" count INBOX)" 4 "the reporter holds four acknowledgements"

lap 4xx
# --- a dropped connection
new_bot smtpdrop
reports "$REPORTER" 1 rdrop
deliver "$WORK"/in/rdrop-*.eml
t0=$(date +%s)
smtp_fault drop
poll_at "$t0"
smtp_fault ""
id=$(db "SELECT min(id) FROM outbox")
is "$(db "SELECT state || ' ' || attempts FROM outbox WHERE id = $id")" "pending 1" \
	"the server drops the connection at DATA: the mail stays pending"
echo "# last_error: $(db "SELECT last_error FROM outbox WHERE id = $id")"
is "$(report_value "$(spool_report "$DB" /dev/null)" arrived)" 0 "... nothing arrived"
poll_at $((t0 + 7200))
report=$(spool_report "$DB" /dev/null)
is "$(pending)/$(report_value "$report" arrived)/$(report_value "$report" outbox)" "0/3/3" \
	"after the backoff all three mails are sent, once each"

lap drop
# --- 5xx: the recipient refused; the whole message refused
new_bot smtp5xx
ghost="ghost-$$-$RANDOM@example.com"	# no such user: RCPT gets 550 5.1.1
reports "$ghost" 1 rghost
deliver "$WORK"/in/rghost-*.eml
t0=$(date +%s)
poll_at "$t0"
id=$(db "SELECT id FROM outbox WHERE kind = 'ack'")
is "$(db "SELECT state || ' ' || attempts FROM outbox WHERE id = $id")" "failed 1" \
	"550 to RCPT: the acknowledgement failed for good after one attempt"
like "$(cat "$WORK/poll.log")" "failed for good" "... logged as an error"
poll_at $((t0 + 60))
told "$ADMIN1" "$ghost"
ok $? "... and each admin is told by mail (配信失敗 / Delivery failed, naming the address)"
told "$ADMIN2" "$ghost"
ok $? "... the other admin too"
like "$(bot show "$(db "SELECT ref FROM tickets")" --json | json '[e["detail"] for e in j["timeline"] if e["kind"] == "bounce"]')" \
	"$ghost" "the ticket's timeline records the failure"
poll_at $((t0 + 3 * 3600))
is "$(db "SELECT state || ' ' || attempts FROM outbox WHERE id = $id")" "failed 1" "... and it is never retried"
# 550 to the message itself (fault file): everything of that round fails;
# the notices to the admins go out on the next round.
reports "$REPORTER" 1 r550
deliver "$WORK"/in/r550-*.eml
smtp_fault 550
poll_at $((t0 + 4 * 3600))
smtp_fault ""
id=$(db "SELECT max(id) FROM outbox WHERE kind = 'ack'")
is "$(db "SELECT state FROM outbox WHERE id = $id")" failed "550 to DATA: failed for good"
poll_at $((t0 + 4 * 3600 + 60))
told "$ADMIN1" "$REPORTER"
ok $? "... the admins are told about the failed acknowledgement"
is "$(pending)" 0 "... and nothing is left pending"
# the operator's view (SPEC 7 `outbox`) and the other route (the digest):
# two acknowledgements and the two alarms of the 550 round failed
out=$(bot --now "$(at $((t0 + 4 * 3600 + 90)))" outbox --state failed --json)
is "$(echo "$out" | json 'j["failed"], sorted(m["kind"] for m in j["mails"])')" \
	"4 ['ack', 'ack', 'alarm', 'alarm']" "outbox --json: the four failed mails"
like "$(echo "$out" | json '[m["last_error"] for m in j["mails"] if m["to"] == "'"$ghost"'"][0]')" \
	"550" "... with the server's answer"
echo "$out" | json 'j["mails"][0]["failed"]' | grep -qE '^20[0-9]{2}-[0-9]{2}-[0-9]{2}T'
ok $? "... and when each failed"
out=$(bot outbox)
echo "$out" | grep -qE '^outbox: 0 pending, [0-9]+ sent, 4 failed$'
ok $? "outbox: the counts"
like "$out" ": rejected: 550" "... and the failed mail with its last answer"
[ "$(bot outbox --all --limit 0 | grep -c ' sent ')" -gt 0 ]
ok $? "outbox --all: the sent mail too"
bot outbox --state bogus >/dev/null 2>&1
is $? 2 "outbox --state bogus: a usage error"
digest=$(bot --now "$(at $((t0 + 4 * 3600 + 120)))" digest)
like "$digest" "送信できなかったメール（過去 24 時間）: 4 件" "the digest lists the failed mail"
like "$digest" "ack → $ghost" "... naming the address"
like "$digest" "Mail not delivered since 24 h ago: 4" "... in English too"

lap 5xx
# --- never accepted: given up after a bounded number of attempts
new_bot smtpbound
reports "$REPORTER" 1 rbound
deliver "$WORK"/in/rbound-*.eml
t0=$(date +%s)
smtp_fault 451
poll_at "$t0"
ack1=$(db "SELECT id FROM outbox WHERE kind = 'ack'")
for k in $(seq 2 70); do
	[ "$(db "SELECT state FROM outbox WHERE id = $ack1")" = pending ] || break
	poll_at "$(db "SELECT next_attempt_at FROM outbox WHERE id = $ack1")"
done
smtp_fault ""
is "$(db "SELECT state || ' ' || attempts FROM outbox WHERE id = $ack1")" "failed 60" \
	"451 forever: given up after 60 attempts ($(db "SELECT (next_attempt_at - $t0) / 3600 FROM outbox WHERE id = $ack1") h)"
is "$(db "SELECT count(*) FROM outbox WHERE attempts > 60")" 0 "no mail is tried more than 60 times"
poll_at "$(($(db "SELECT max(next_attempt_at) FROM outbox") + 1))"
told "$ADMIN1" "$REPORTER"
ok $? "... and the admins are told"

lap "bounded attempts"
# --- the server down for a while under `run`: nothing lost, order kept
new_bot smtpdown
start_run
ok $? "run starts"
smtp_stop
reports "$REPORTER" 5 rdown
deliver "$WORK"/in/rdown-*.eml
wait_for 20 bash -c "[ \$(grep -c 'attempt 1 failed' '$WORK/run.log') -ge 3 ]"
ok $? "SMTP server down: the mail waits, and the log says when it retries"
is "$(db "SELECT count(*) FROM tickets")" 5 "... while the reports are ticketed"
sleep 3
smtp_start
wait_for 90 bash -c "[ \$(sqlite3 '$DB' \"SELECT count(*) FROM outbox WHERE state = 'pending'\") = 0 ]"
ok $? "server back: the service sends everything by itself"
report=$(spool_report "$DB" /dev/null)
is "$(report_value "$report" missing)/$(report_value "$report" resent)/$(report_value "$report" outbox)" \
	"0/0/15" "the SMTP server got all 15 mails exactly once"
is "$(report_value "$report" order_broken)" 0 "... each recipient's in the order queued"
run_alive
ok $? "the service kept running"
stop_run
lap "server down"
echo "# faults-smtp.sh took $((SECONDS - t_all)) s"
tap_done
