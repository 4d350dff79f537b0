#!/usr/bin/env bash
# oauth2.sh — issue 17: IMAP and SMTP logins with SASL XOAUTH2 and tokens
# from an OAuth2 token endpoint, against real parts on loopback: Dovecot's
# oauth2 passdb and the test SMTP server check every token by RFC 7662
# introspection at scripts/oauth-server.py, which plays Entra ID / Google.
#
#   check-config --connect; poll --once over XOAUTH2 on both servers; `run`
#   across token expiries (4-second tokens) and a revocation; a wrong
#   secret and a 401 from the endpoint (Entra's error text in the log, the
#   admins told once, recovery without a restart); the endpoint down
#   (backoff, the mail waits in the INBOX, processed once it is back); the
#   refresh_token grant with rotation (the file rewritten, mode 600); no
#   secret, refresh token or access token in any log, mail or output.
#
# Private servers (faults-lib.bash): this script stops the token endpoint,
# and Dovecot's penalty for failed logins from 127.0.0.1 must not slow
# down the other scripts.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/faults-lib.bash"
faults_setup
make_bot oauth
works+=("$WORK")
RUN_PID=

CID="incident-bot-$$-$RANDOM"
SECRET="cs-$(openssl rand -hex 16)"
SCOPE="https://outlook.office365.com/.default"
TOKEN_URL="$IB_OAUTH_URL/tenant-$$/oauth2/v2.0/token"
install -m 600 /dev/null "$WORK/secrets/oauth-secret"
echo "$SECRET" >"$WORK/secrets/oauth-secret"

# client KEY=JSON-VALUE...: creates or changes the client at the endpoint
# (a file it reads at every request).
client() {
	$PY - "$IB_OAUTH_CLIENTS/$CID.json" "$@" <<'PYEOF'
import json, os, sys
path, *pairs = sys.argv[1:]
try:
    c = json.load(open(path))
except FileNotFoundError:
    c = {}
for p in pairs:
    k, v = p.split("=", 1)
    c[k] = json.loads(v)
json.dump(c, open(path + ".tmp", "w"))
os.rename(path + ".tmp", path)
PYEOF
}
client_get() { $PY -c "import json,sys; print(json.load(open(sys.argv[1])).get(sys.argv[2]))" "$IB_OAUTH_CLIENTS/$CID.json" "$1"; }
revoke() { curl -sf --cacert "$IB_CA" "$IB_OAUTH_URL/admin/revoke" -d "client_id=$CID" "$@" >/dev/null; }
client secret="\"$SECRET\"" username="\"$BOT_ADDR\"" scope="\"$SCOPE\"" lifetime=3600

# The configuration: both logins with XOAUTH2, no password files.
sed -i -e '/password_file/d' -e 's/^  user  *= .*/&\n  auth = "xoauth2"/' \
	-e 's/^  timeout *= 10/  timeout = 30/' "$CONF"
cat >>"$CONF" <<EOF
oauth2 {
  token_url          = "$TOKEN_URL"
  client_id          = "$CID"
  client_secret_file = "secrets/oauth-secret"
  scope              = "$SCOPE"
  ca_file            = "$IB_CA"
  timeout            = 10
}
EOF
rm -f "$WORK/secrets/imap" "$WORK/secrets/smtp"
printf 'limits {\n  replies_per_sender_per_hour = 1000\n}\n' >>"$CONF"	# 13 reports from one reporter
is "$(grep -c 'auth = "xoauth2"' "$CONF")" 2 "the configuration logs in with XOAUTH2 to IMAP and SMTP"

acks() { mailbox "$REPORTER" count INBOX; }
inbox() { mailbox "$BOT_ADDR" count INBOX; }
kick() { doveadm -c "$IB_MAIL_DIR/dovecot.conf" kick "$BOT_ADDR" >/dev/null 2>&1; }
endpoint_stop() {
	local pid
	pid=$(cat "$IB_MAIL_DIR/oauth.pid") && kill -TERM "$pid" && pid_wait_gone "$pid" 20
}
endpoint_start() { scripts/mailserver start >/dev/null 2>&1; }	# starts what is not running

# --- check-config
out=$(bot check-config 2>&1)
ok $? "check-config accepts an oauth2 section and no password files"
chmod 640 "$WORK/secrets/oauth-secret"
out=$(bot check-config 2>&1)
is "$?" 2 "check-config refuses a client secret file readable by the group"
like "$out" "oauth2.client_secret_file" "... naming the key"
like "$out" "chmod 600" "... and what to do"
chmod 600 "$WORK/secrets/oauth-secret"
out=$(bot check-config --connect 2>&1)
ok $? "check-config --connect: token, IMAP and SMTP logins work"
like "$out" "oauth2: token from $TOKEN_URL (grant client_credentials, client_id $CID)" "... it got a token"
like "$out" "imap: logged in to imaps://127.0.0.1:$IB_IMAPS_PORT/INBOX as $BOT_ADDR (XOAUTH2)" "... logged in to IMAP with XOAUTH2"
like "$out" "smtp: connected to smtp://127.0.0.1:$IB_SMTP_PORT as $BOT_ADDR (XOAUTH2)" "... and to SMTP"
echo "$out" >"$WORK/check.log"
echo "wrong-$SECRET" >"$WORK/secrets/oauth-secret"
out=$(bot check-config --connect 2>&1)
is "$?" 2 "check-config --connect with a wrong secret fails"
like "$out" "$TOKEN_URL (grant client_credentials, client_id $CID): refused (HTTP 401): invalid_client: AADSTS7000215: Invalid client secret provided" \
	"... with the endpoint's error, its URL, the grant and the client"
like "$out" "check oauth2.client_id and the secret in oauth2.client_secret_file" "... and what to check"
case "$out" in *"imap: logged in"*|*"login as"*) ok 1 "... and no login attempted without a token" ;; *) ok 0 "... and no login attempted without a token" ;; esac
echo "$out" >>"$WORK/check.log"
echo "$SECRET" >"$WORK/secrets/oauth-secret"

# --- poll --once over XOAUTH2 on both servers
send_mail "$REPORTER" "$BOT_ADDR" "不正アクセスの疑い" "管理画面に見覚えのないログインがあります。" >/dev/null
wait_for 10 bash -c "[ \$($PY scripts/mailbox.py $BOT_ADDR count INBOX) -ge 1 ]"
bot poll --once 2>>"$WORK/poll.log"
ok $? "poll --once over XOAUTH2 succeeds"
is "$(bot tickets --json | json 'len(j)')" 1 "... the report became a ticket (IMAP with XOAUTH2)"
is "$(inbox)" 0 "... and left the INBOX"
wait_for 10 has_mail "$REPORTER" 1
ok $? "... and the acknowledgement went out (SMTP with XOAUTH2)"
is "$(grep -l "\"auth\": \"$BOT_ADDR\"" "$IB_SPOOL"/*.env 2>/dev/null | wc -l | tr -d ' ')" \
	"$(grep -l "\"mail_from\": \"$BOT_ADDR\"" "$IB_SPOOL"/*.env | wc -l | tr -d ' ')" \
	"... every mail of the bot was sent logged in as the mailbox"
like "$(grep "method=XOAUTH2" "$IB_MAIL_DIR/dovecot.log" | grep -F "user=<$BOT_ADDR>")" "Login:" \
	"Dovecot logged the bot in with XOAUTH2"

# --- 401 from the endpoint, with poll --once: nothing is lost
client fault='"401"'
send_mail "$REPORTER" "$BOT_ADDR" "2件目: 401" "second report" >/dev/null
wait_for 10 bash -c "[ \$($PY scripts/mailbox.py $BOT_ADDR count INBOX) -ge 1 ]"
bot poll --once 2>"$WORK/poll-401.log"
is "$?" 2 "poll --once while the endpoint answers 401 exits 2 (configuration)"
like "$(cat "$WORK/poll-401.log")" "refused (HTTP 401): invalid_client: AADSTS7000222: The provided client secret keys for app '$CID' are expired" \
	"... the log has the endpoint's error and AADSTS code"
like "$(cat "$WORK/poll-401.log")" "$TOKEN_URL (grant client_credentials, client_id $CID)" "... naming the endpoint and the grant"
is "$(inbox)" 1 "... and the report waits in the INBOX"
client fault=null
bot poll --once 2>>"$WORK/poll.log"
ok $? "once the endpoint gives tokens again, poll --once works"
is "$(bot tickets --json | json 'len(j)')" 2 "... the waiting report is ticketed"
is "$(inbox)" 0 "... and the INBOX is empty"

# --- run: 4-second tokens, renewed before they run out
client lifetime=4
kick
start_run
ok $? "run logs in over XOAUTH2"
issued0=$(client_get issued)
send_mail "$REPORTER" "$BOT_ADDR" "3件目" "third report" >/dev/null
wait_for 30 has_mail "$REPORTER" 3
ok $? "run: a report is acknowledged"
for i in 1 2 3; do
	sleep 5	# the last token has run out
	kick	# the next login needs a token again
	send_mail "$REPORTER" "$BOT_ADDR" "期限切れ後 $i" "after expiry $i" >/dev/null
	wait_for 40 has_mail "$REPORTER" $((3 + i))
	ok $? "run: after token expiry $i, a report is taken in and acknowledged"
done
run_alive
ok $? "run kept running across the expiries"
issued=$(client_get issued)
[ "$issued" -ge $((issued0 + 3)) ]
ok $? "... fetching new tokens as the old ran out ($((issued - issued0)) since the start)"
is "$(grep -c 'XOAUTH2 refused' "$WORK/run.log")" 0 "... renewed in time: no login was refused"

# --- revocation during run
client lifetime=3600
sleep 4			# the bot's token now is one of an hour
send_mail "$REPORTER" "$BOT_ADDR" "更新" "refresh" >/dev/null
wait_for 40 has_mail "$REPORTER" 7
revoke
kick
send_mail "$REPORTER" "$BOT_ADDR" "失効後" "after revocation" >/dev/null
wait_for 60 has_mail "$REPORTER" 8
ok $? "run: after the tokens were revoked, a report is still taken in and acknowledged"
like "$(cat "$WORK/run.log")" "trying once more with a fresh token" "... the refused token was replaced by a fresh one"
run_alive
ok $? "... without a restart"

# --- wrong secret during run: backoff, the admins told once, mended without a restart
admin_before=$(mailbox "$ADMIN1" list INBOX | grep -c "受信停止")
echo "rotated-away-$SECRET" >"$WORK/secrets/oauth-secret"
revoke
kick
send_mail "$REPORTER" "$BOT_ADDR" "誤った秘密" "wrong secret" >/dev/null
wait_for 60 bash -c "[ \$(grep -c 'AADSTS7000215' '$WORK/run.log') -ge 2 ]"
ok $? "run: a wrong secret is retried (two refusals in the log)"
like "$(grep AADSTS7000215 "$WORK/run.log" | head -1)" "$TOKEN_URL (grant client_credentials, client_id $CID): refused (HTTP 401): invalid_client" \
	"... each naming the endpoint, the grant and the error"
like "$(cat "$WORK/run.log")" "retrying in" "... with backoff"
run_alive
ok $? "... and run keeps running"
is "$(inbox)" 1 "... the report waits in the INBOX"
is "$(grep -c 'the admins are told that intake stopped' "$WORK/run.log")" 1 "... the admins are told once, not at every retry"
echo "$SECRET" >"$WORK/secrets/oauth-secret"
wait_for 90 has_mail "$REPORTER" 9
ok $? "the secret mended in its file: the waiting report is processed without a restart"
wait_for 90 bash -c "[ \$($PY scripts/mailbox.py $ADMIN1 list INBOX | grep -c '受信停止') -ge $((admin_before + 1)) ]"
ok $? "... and the admins' notice, queued while SMTP had no token either, arrives"
is "$(mailbox "$ADMIN1" list INBOX | grep -c "受信停止")" $((admin_before + 1)) "... exactly one notice"
notice=$(mailbox "$ADMIN1" body "$(mailbox "$ADMIN1" list INBOX | grep "受信停止" | tail -1 | cut -f1)" 2>/dev/null)
like "$notice" "AADSTS7000215" "... which says what the endpoint said"

# --- the endpoint down: backoff, nothing lost
# (8 s, not 4: after the refusal Dovecot delays the next login by its
# failure penalty, a few seconds, and a 4-second token dies meanwhile)
client lifetime=8
revoke			# the bot's hour-long token goes; the fresh one lives 8 s
kick
send_mail "$REPORTER" "$BOT_ADDR" "短い期限" "short tokens again" >/dev/null
wait_for 40 has_mail "$REPORTER" 10
ok $? "a report after the revocation is acknowledged (a token of 8 s now)"
endpoint_stop
ok $? "the token endpoint is stopped"
sleep 9			# the bot's token runs out while the endpoint is away
kick
send_mail "$REPORTER" "$BOT_ADDR" "エンドポイント停止中" "while the endpoint is down" >/dev/null
sleep 12
is "$(inbox)" 1 "endpoint down: the report waits in the INBOX"
is "$(acks)" 10 "... unanswered for now"
like "$(cat "$WORK/run.log")" "$TOKEN_URL (grant client_credentials, client_id $CID): Failed to connect" \
	"... the log names the endpoint it cannot reach"
like "$(grep AADSTS7000215 "$WORK/run.log" | head -1)" "for a secret added to app '$CID'. — check oauth2.client_id" \
	"Entra's trace and correlation IDs are cut from the description, the hint kept"
like "$(tail -n 5 "$WORK/run.log")" "retrying in" "... and backs off"
run_alive
ok $? "... run keeps running"
endpoint_start
wait_for 120 has_mail "$REPORTER" 11
ok $? "the endpoint back: the waiting report is processed"
is "$(inbox)" 0 "... and the INBOX is empty"
kill -TERM "$RUN_PID"
wait "$RUN_PID"
is "$?" 0 "SIGTERM ends run with status 0 (under make check-asan: nothing leaked)"
is "$(grep -cE 'Sanitizer|runtime error' "$WORK/run.log")" 0 "... and no sanitizer report in its log"
is "$(bot tickets --json | json 'len(j)')" 11 "eleven reports, eleven tickets: nothing lost, nothing twice"

# --- the refresh_token grant (Google), with rotation
RT="ibr.first-$(openssl rand -hex 12)"
client refresh_token="\"$RT\"" rotate=true lifetime=3600
install -m 600 /dev/null "$WORK/secrets/oauth-refresh"
echo "$RT" >"$WORK/secrets/oauth-refresh"
sed -i 's|^  client_secret_file = .*|&\n  refresh_token_file = "secrets/oauth-refresh"|' "$CONF"
send_mail "$REPORTER" "$BOT_ADDR" "リフレッシュ" "refresh token grant" >/dev/null
wait_for 10 bash -c "[ \$($PY scripts/mailbox.py $BOT_ADDR count INBOX) -ge 1 ]"
bot poll --once 2>>"$WORK/poll-rt.log"
ok $? "poll --once with the refresh_token grant"
rt1=$(cat "$WORK/secrets/oauth-refresh")
is "$rt1" "$(client_get refresh_token)" "the rotated refresh token replaced the file's content"
[ "$rt1" != "$RT" ]
ok $? "... a new one"
is "$(stat -c %a "$WORK/secrets/oauth-refresh")" 600 "... the file has mode 600"
is "$(ls "$WORK/secrets" | grep -c tmp)" 0 "... and no temporary file is left"
like "$(cat "$WORK/poll-rt.log")" "rotated the refresh token" "... the log says so (without the token)"
send_mail "$REPORTER" "$BOT_ADDR" "リフレッシュ2" "second with the rotated token" >/dev/null
wait_for 10 bash -c "[ \$($PY scripts/mailbox.py $BOT_ADDR count INBOX) -ge 1 ]"
bot poll --once 2>>"$WORK/poll-rt.log"
ok $? "the next run uses the rotated refresh token (the first one is spent)"
is "$(bot tickets --json | json 'len(j)')" 13 "... both reports ticketed"
# A backlog: the reader thread's second IMAP session takes its token from
# the same source (one request at a time: a rotating refresh token is never
# spent twice).
sed -i 's/^timezone .*/&\nfetch_batch = 2/' "$CONF"
for i in 1 2 3 4 5; do
	send_mail "$REPORTER" "$BOT_ADDR" "まとめて $i" "backlog $i" >/dev/null
done
wait_for 20 bash -c "[ \$($PY scripts/mailbox.py $BOT_ADDR count INBOX) -ge 5 ]"
bot poll --once 2>"$WORK/poll-backlog.log"
ok $? "a backlog over XOAUTH2 (two sessions, one token source)"
is "$(bot tickets --json | json 'len(j)')" 18 "... all five ticketed"
case "$(cat "$WORK/poll-backlog.log")" in
*"cannot read ahead"*) ok 1 "... the reader thread logged in too" ;;
*) ok 0 "... the reader thread logged in too" ;;
esac
is "$(grep -c 'logged in as' "$WORK/poll-backlog.log")" 2 "... on its own session"
cat "$WORK/poll-backlog.log" >>"$WORK/poll-rt.log"
is "$(cat "$WORK/secrets/oauth-refresh")" "$(client_get refresh_token)" "... and the refresh token file still holds the live one"
echo "$RT" >"$WORK/secrets/oauth-refresh"	# the spent one
out=$(bot check-config --connect 2>&1)
like "$out" "invalid_grant: Token has been expired or revoked." "a spent refresh token: the endpoint's words"
like "$out" "oauth2.refresh_token_file is expired or revoked: make a new one" "... and what to do"
echo "$out" >>"$WORK/check.log"

# --- secrets never leave their files
bot show "$(bot tickets --json | json 'j[0]["id"]')" >"$WORK/show.txt" 2>&1
bot export "$(bot tickets --json | json 'j[0]["id"]')" --out "$WORK/export" >/dev/null 2>&1
bot outbox --all --json >"$WORK/outbox.json" 2>&1
leaks=0
for f in "$WORK"/*.log "$WORK/show.txt" "$WORK/outbox.json" "$IB_SPOOL"/*.eml $(find "$WORK/export" -type f); do
	for s in "$SECRET" "$RT" "$rt1" "$(client_get refresh_token)" "ibt." "ibr."; do
		if grep -qF -- "$s" "$f" 2>/dev/null; then
			echo "#   $f holds ${s:0:8}..."
			leaks=$((leaks + 1))
		fi
	done
done
is "$leaks" 0 "no secret, refresh token or access token in the logs, mails, show, export or outbox"

tap_done
