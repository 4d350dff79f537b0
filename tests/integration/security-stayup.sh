#!/usr/bin/env bash
# security-stayup.sh — staying up (issue 14, point 11): a refused IMAP
# login (a changed password; an LDAP outage behind Dovecot looks the same)
# makes `run` back off and retry, logged, instead of exiting; the admins
# are told by mail through SMTP, once an hour however often it fails; and
# once the login works the waiting reports are taken in.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
make_bot secup
run_pid=
trap '[ -n "$run_pid" ] && kill "$run_pid" 2>/dev/null; rm -rf "$WORK"' EXIT

cp "$WORK/secrets/imap" "$WORK/imap.good"
printf 'wrong-password\n' >"$WORK/secrets/imap"
send_mail "$REPORTER" "$BOT_ADDR" "ファイルサーバーに接続できない" "朝から共有フォルダが開けません。" >/dev/null

"$BOT" -c "$CONF" run >"$WORK/run.log" 2>&1 &
run_pid=$!
wait_for 30 grep -q "refused.*retrying in" "$WORK/run.log"
ok $? "a refused login is logged with the retry"
wait_for 30 eval '[ "$(grep -c "refused.*retrying in" "$WORK/run.log")" -ge 2 ]'
ok $? "... it tries again, backing off"
kill -0 "$run_pid" 2>/dev/null
ok $? "... and run keeps running (it used to exit)"
wait_for 20 has_mail "$ADMIN1" 1
like "$(subjects "$ADMIN1")" "受信停止" "the admins are told by mail"
is "$(subjects "$ADMIN2" | grep -c "受信停止")" 1 "... once, however often the login fails within the hour"
is "$(bot tickets --json 2>/dev/null | json 'len(j)')" 0 "(no report was taken in meanwhile)"

# the password is right again: run takes in what waited
install -m 600 "$WORK/imap.good" "$WORK/secrets/imap"
kill -HUP "$run_pid"
wait_for 60 eval '[ "$(bot tickets --json 2>/dev/null | json "len(j)")" = 1 ]'
ok $? "after the fix the waiting report becomes a ticket"
kill "$run_pid"
wait "$run_pid" 2>/dev/null
run_pid=
tap_done
