#!/usr/bin/env bash
# demo.sh — `make demo` on any free ports (issue 13, point 10): the demo
# runs against its own loopback servers started on ports the kernel
# says are free (none of the defaults, none of the test servers'), in
# its own IB_MAIL_DIR and state folder, and its configuration comes from
# `scripts/mailserver env`, not from ports written in conf/.  Bounded:
# the demo gets 300 s.  The test servers are left as they were.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
WORK=$(mktemp -d /tmp/ib-demo-XXXXXX)
# the demo's servers: a folder the mail user can reach (mailserver chmods it 755)
DEMO_MAIL=$(mktemp -d /tmp/ib-demo-mail-XXXXXX)

# seven ports free now: bound to port 0 together, so all different
read -r -a ports < <($PY -c '
import socket
ss = [socket.socket() for _ in range(7)]
for s in ss:
    s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in ss))')
# in_demo COMMAND...: runs COMMAND with the demo's servers and state chosen
in_demo() {
	(
		export IB_MAIL_DIR=$DEMO_MAIL IB_IMAP_PORT=${ports[0]} IB_IMAPS_PORT=${ports[1]} \
			IB_SMTP_PORT=${ports[2]} IB_SMTPS_PORT=${ports[3]} IB_OAUTH_PORT=${ports[4]} \
			IB_LAB_PORT=${ports[5]} IB_MILTER_PORT=${ports[6]} IB_DEMO_STATE=$WORK/state
		# what lib.sh took from the test servers must not leak in
		unset IB_CA IB_HOST IB_PASSWORD_FILE IB_IMAP_PASSWORD_FILE IB_SMTP_PASSWORD_FILE
		"$@"
	)
}
cleanup() {
	in_demo scripts/mailserver stop >/dev/null 2>&1
	rm -rf "$WORK" "$DEMO_MAIL"
}
trap cleanup EXIT
is "${#ports[@]}" 7 "seven free ports: ${ports[*]}"

start=$SECONDS
in_demo timeout 300 scripts/demo >"$WORK/demo.out" 2>&1
rc=$?
is "$rc" 0 "the demo runs to its end on ports ${ports[1]} (IMAPS) and ${ports[2]} (SMTP), in $((SECONDS - start)) s"
[ "$rc" -eq 0 ] || tail -20 "$WORK/demo.out" | sed 's/^/#   /'
out=$(cat "$WORK/demo.out")
conf=$(cat "$WORK/state/demo.conf" 2>/dev/null)

# --- the configuration came from `scripts/mailserver env`
like "$conf" "url              = \"imaps://127.0.0.1:${ports[1]}/INBOX\"" "demo.conf: IMAPS on the demo's port"
like "$conf" "url           = \"smtp://127.0.0.1:${ports[2]}\"" "demo.conf: SMTP on the demo's port"
like "$conf" "ca_file          = \"$DEMO_MAIL/certs/ca.pem\"" "demo.conf: the demo servers' CA"
like "$conf" "password_file    = \"$DEMO_MAIL/secrets/imap\"" "demo.conf: their password file"
ok "$(grep -qE ':(10993|10143|10025|10465)\b' "$WORK/state/demo.conf"; [ $? -ne 0 ]; echo $?)" \
	"demo.conf: no default port"
ok "$(grep -q '@[A-Z_]*@' "$WORK/state/demo.conf"; [ $? -ne 0 ]; echo $?)" "demo.conf: every placeholder filled"
is "$(stat -c %a "$WORK/state/demo.conf")" 600 "demo.conf: private (0600)"
in_demo bot/incident-bot -c "$WORK/state/demo.conf" check-config >/dev/null 2>&1
ok $? "demo.conf: check-config accepts it"
ok "$(grep -rqE '(10993|10025)' conf/demo.conf.in; [ $? -ne 0 ]; echo $?)" "conf/demo.conf.in writes no port"

# --- and the demo did its work there
year=$(TZ=Asia/Tokyo date +%Y)
like "$out" "3 new tickets" "the bot ticketed the three sample reports"
like "$out" "INC-$year-0003" "tickets lists them"
like "$out" "受付しました" "the reporter's acknowledgement is shown"
like "$out" "[quoted text and signature:" "show leaves out what the reply quoted"
acks=$(in_demo bash -c 'eval "$(scripts/mailserver env --export)"; /usr/bin/python3 scripts/mailbox.py yamada@example.com count INBOX' 2>&1)
is "$acks" 1 "yamada@example.com's mailbox on the demo's IMAPS port holds the acknowledgement"

# --- the test servers were not touched
scripts/mailserver status >/dev/null 2>&1
ok $? "the test servers still run"
like "$(scripts/mailserver env)" "IB_IMAPS_PORT=$IB_IMAPS_PORT" "... on their own ports"
tap_done
