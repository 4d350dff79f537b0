#!/usr/bin/env bash
# reload.sh — SIGHUP reloads the configuration and the templates of a
# running service (issue 7): a good change takes effect; a configuration
# that does not load, or a template that does not render, is refused and the
# running configuration kept — the service goes on answering reports.  A
# notice's own draft template added on disk waits for SIGHUP too: until
# then its draft comes from draft.txt, and the service keeps running
# (issue 15: it chose the new file, which the loaded set lacks, and exited).
set -uo pipefail
. "$(dirname "$0")/lib.sh"
make_bot reload
# eight reports from one reporter within the hour: above the default
# acknowledgement cap (limits.replies_per_sender_per_hour = 5, issue 14)
printf 'limits {\n  replies_per_sender_per_hour = 100\n}\n' >>"$CONF"
bot_pid=
cleanup() {
	[ -n "$bot_pid" ] && kill "$bot_pid" 2>/dev/null
	rm -rf "$WORK"
}
trap cleanup EXIT

logged() { grep -c "$1" "$WORK/run.log"; }

cp -r "$ROOT/templates" "$WORK/tpl"
# the operator has no Amazon draft of their own yet (added at the end)
mv "$WORK/tpl/draft-amazon.txt" "$WORK/draft-amazon.txt"
sed -i "s|^templates .*|templates = \"$WORK/tpl\"|" "$CONF"
"$BOT" -c "$CONF" run >/dev/null 2>"$WORK/run.log" &
bot_pid=$!
send_mail "$REPORTER" "$BOT_ADDR" "reload 1" "first report" >/dev/null
wait_for 20 has_mail "$REPORTER" 1
ok $? "the service answers a report"

# a good change: the sender name
sed -i 's|^  from_name .*|  from_name = "窓口（再読込後）"|' "$CONF"
grep -q "再読込後" "$CONF"
ok $? "(the configuration's from_name changed)"
kill -HUP "$bot_pid"
wait_for 15 bash -c "grep -q 'reloaded:' '$WORK/run.log'"
ok $? "SIGHUP: the configuration is reloaded"
send_mail "$REPORTER" "$BOT_ADDR" "reload 2" "second report" >/dev/null
wait_for 20 has_mail "$REPORTER" 2
uid=$(mailbox "$REPORTER" list INBOX | grep "reload 2" | cut -f1)
like "$(mailbox "$REPORTER" headers "$uid" | grep '^From:')" "再読込後" "... and takes effect"

# a configuration that does not load: refused, the old one kept
cp "$CONF" "$WORK/good.conf"
printf 'imap { bogus_key = 1 }\n' >>"$CONF"
kill -HUP "$bot_pid"
wait_for 15 bash -c "[ \$(grep -c 'reload refused' '$WORK/run.log') -ge 1 ]"
ok $? "a configuration with an unknown key is refused"
like "$(cat "$WORK/run.log")" "bogus_key" "... the log names the problem"
kill -0 "$bot_pid" 2>/dev/null
ok $? "... and the service keeps running"
send_mail "$REPORTER" "$BOT_ADDR" "reload 3" "third report" >/dev/null
wait_for 20 has_mail "$REPORTER" 3
ok $? "... answering reports with the running configuration"

# a template that does not render: refused
cp "$WORK/good.conf" "$CONF"
sed -i 's/{{ticket_id}}/{{ticket_idd}}/' "$WORK/tpl/ack.txt"
kill -HUP "$bot_pid"
wait_for 15 bash -c "[ \$(grep -c 'reload refused' '$WORK/run.log') -ge 2 ]"
ok $? "a template with an unknown variable is refused"
like "$(cat "$WORK/run.log")" "ack.txt" "... the log names the template"
kill -0 "$bot_pid" 2>/dev/null
ok $? "... and the service keeps running"
send_mail "$REPORTER" "$BOT_ADDR" "reload 4" "fourth report" >/dev/null
wait_for 20 has_mail "$REPORTER" 4
ok $? "... answering with the templates it checked, not the broken file on disk"
sed -i 's/{{ticket_idd}}/{{ticket_id}}/' "$WORK/tpl/ack.txt"
sed -i 's/^Subject: /Subject: 【改】/' "$WORK/tpl/ack.txt"
kill -HUP "$bot_pid"
wait_for 15 bash -c "[ \$(grep -c 'reloaded:' '$WORK/run.log') -ge 2 ]"
ok $? "the repaired template is taken at the next SIGHUP"
send_mail "$REPORTER" "$BOT_ADDR" "reload 5" "fifth report" >/dev/null
wait_for 20 has_mail "$REPORTER" 5
like "$(mailbox "$REPORTER" list INBOX | grep "reload 5" | cut -f4)" "【改】" "... and used"

# a notice's own draft template added on disk while the service runs
amazon_report="Amazon の出品用アカウントに不審なログインがありました。"
sed 's/^Subject: /Subject: 【新】/' "$WORK/draft-amazon.txt" >"$WORK/tpl/draft-amazon.txt"
send_mail "$REPORTER" "$BOT_ADDR" "reload 6" "$amazon_report" >/dev/null
wait_for 20 has_mail "$REPORTER" 6
ok $? "a draft-amazon.txt added on disk without SIGHUP: the next report is answered"
# issue 13: a new ticket's drafts are attachments of one mail, each
# starting with its subject line
has_drafts() { subjects "$ADMIN1" | grep "通知文の下書き" | grep -q -- "$1"; }	# has_drafts REPORT-SUBJECT
amazon_draft() {	# amazon_draft REPORT-SUBJECT: the Amazon draft attached to its drafts mail
	local u
	u=$(mailbox "$ADMIN1" list INBOX |
	    awk -F'\t' -v s="$1" 'index($4, "通知文の下書き") && index($4, s) { u = $1 } END { print u }')
	[ -n "$u" ] && attachment "$ADMIN1" "$u" "Amazon"
}
wait_for 20 has_drafts "reload 6"
draft=$(amazon_draft "reload 6")
like "$(printf '%s\n' "$draft" | head -1)" "Draft: amazon" "... its Amazon draft comes from the loaded draft.txt"
is "$(printf '%s\n' "$draft" | grep -c '【新】')" 0 "... not from the file the service has not loaded"
kill -0 "$bot_pid" 2>/dev/null
ok $? "... and the service keeps running"
kill -HUP "$bot_pid"
wait_for 15 bash -c "[ \$(grep -c 'reloaded:' '$WORK/run.log') -ge 3 ]"
ok $? "SIGHUP loads draft-amazon.txt"
send_mail "$REPORTER" "$BOT_ADDR" "reload 7" "$amazon_report" >/dev/null
wait_for 20 has_drafts "reload 7"
like "$(amazon_draft "reload 7" | head -1)" "【新】" "... and the next Amazon draft comes from it"

kill -TERM "$bot_pid"
wait_for 10 bash -c "! kill -0 $bot_pid 2>/dev/null"
ok $? "SIGTERM ends the service"
wait "$bot_pid"
is $? 0 "... with exit status 0"
bot_pid=
tap_done
