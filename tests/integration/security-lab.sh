#!/usr/bin/env bash
# security-lab.sh — Authentication-Results from real parts (issue 14,
# point 2): mail goes through the lab's Postfix (the border MTA
# "mx.lab.test", scripts/mailserver lab-start) whose OpenDKIM milter
# verifies the signature and writes Authentication-Results, then over LMTP
# into Dovecot, where the bot in dkim mode reads it.  A mail signed for
# example.com commands; a forged Authentication-Results below the border
# (with or without fake Received lines of ours), a broken signature and a
# foreign domain's signature command nothing.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
if ! command -v opendkim >/dev/null || ! command -v postfix >/dev/null ||
   ! $PY -c 'import dkim' 2>/dev/null; then
	echo "1..0 # SKIP postfix, opendkim or python3-dkim not installed (scripts/install-deps)"
	exit 0
fi
started_lab=0
if ! scripts/mailserver lab-status >/dev/null 2>&1; then
	scripts/mailserver lab-start >/dev/null || { echo "Bail out! the DKIM lab does not start"; exit 2; }
	started_lab=1
fi
eval "$(scripts/mailserver env --export)"
make_bot seclab
trap 'rm -rf "$WORK"; [ "$started_lab" = 1 ] && scripts/mailserver lab-stop >/dev/null' EXIT

T0="2026-11-25T10:00:00+09:00"
sed -i "s/^database .*/&\ncommands {\n  auth = \"dkim\"\n  authserv_id = \"$IB_LAB_AUTHSERV\"\n  internal_hosts = {\"$IB_LAB_AUTHSERV\"}\n}/" "$CONF"
bot check-config >/dev/null 2>&1
ok $? "a bot in dkim mode behind the lab's border (authserv-id $IB_LAB_AUTHSERV)"

send_mail "$REPORTER" "$BOT_ADDR" "決済画面の改ざんの疑い" "決済画面に見知らぬスクリプトがあります。" >/dev/null
poll_at 0
id=$(bot tickets --json | json 'j[0]["id"]')
n=0
# via_lab HOW PRIORITY [EXTRA-HEADERS]: ADMIN1's /priority through the lab's
# Postfix, from a client that says EHLO outside.example; HOW: signed (for
# example.com), unsigned, broken (signed, then the body changed), foreign
# (signed for evil.example).  Polls and sets got to the ticket's priority.
via_lab() {
	n=$((n + 1))
	$PY - "$1" "$ADMIN1" "$BOT_ADDR" "$id" "$2" "$n" "${3:-}" <<'PYEOF'
import os, smtplib, sys, dkim
how, frm, to, ticket, prio, n, extra = sys.argv[1:]
key = open(os.environ["IB_LAB_KEY"], "rb").read()
head = extra.encode().replace(b"\\r\\n", b"\r\n")
msg = head + (f"From: {frm}\r\nTo: {to}\r\nSubject: [{ticket}] lab {n}\r\n"
              f"Message-ID: <lab-{n}-{os.getpid()}@example.com>\r\n"
              "Date: Wed, 25 Nov 2026 10:30:00 +0900\r\n\r\n"
              f"/priority {prio}\r\n").encode()
if how in ("signed", "broken", "foreign"):
    domain = b"evil.example" if how == "foreign" else b"example.com"
    sig = dkim.sign(msg, b"lab", domain, key,
                    include_headers=[b"from", b"to", b"subject", b"message-id", b"date"])
    msg = sig + msg
    if how == "broken":
        msg += b"(a line added on the way)\r\n"
with smtplib.SMTP("127.0.0.1", int(os.environ["IB_LAB_PORT"]), local_hostname="outside.example") as s:
    s.sendmail(frm, [to], msg)
PYEOF
	wait_for 20 eval '[ "$(mailbox "$BOT_ADDR" count INBOX)" -ge 1 ]'
	poll_at $((n * 60))
	got=$(field "$id" 'j["priority"]')
}
ar_of_last() {	# the Authentication-Results the lab wrote on the last mail taken in (unfolded)
	sqlite3 "$WORK/state/incidents.db" "SELECT raw FROM messages ORDER BY id DESC LIMIT 1" |
		$PY -c 'import email, sys
m = email.message_from_bytes(sys.stdin.buffer.read())
print(" ".join((m.get_all("Authentication-Results") or [""])[0].split()))'
}

via_lab signed low
is "$got" low "a mail signed for example.com, verified by OpenDKIM at the border, commands"
like "$(ar_of_last)" "dkim=pass" "... the lab's milter wrote dkim=pass"
via_lab unsigned medium "Authentication-Results: $IB_LAB_AUTHSERV; dkim=pass header.d=example.com\r\n"
is "$got" low "unsigned, with a forged Authentication-Results of ours: nothing"
like "$(ar_of_last)" "dkim=none" "... (the border's own field says dkim=none)"
via_lab signed medium "Authentication-Results: $IB_LAB_AUTHSERV; dkim=fail header.d=example.com\r\n"
is "$got" medium "signed, with a forged fail below the border: the forgery does not count either way"
via_lab unsigned high "Authentication-Results: $IB_LAB_AUTHSERV; dkim=pass header.d=example.com\r\nReceived: from $IB_LAB_AUTHSERV (localhost [127.0.0.1]) by store with LMTP id x\r\n"
is "$got" medium "a forged pass above a fake Received of ours: nothing (the real border is above them)"
via_lab broken high
is "$got" medium "a broken signature (the body changed after signing): nothing"
like "$(ar_of_last)" "dkim=fail" "... OpenDKIM wrote dkim=fail"
via_lab foreign high
is "$got" medium "a signature of a foreign domain: nothing"
refused=$(sqlite3 "$WORK/state/incidents.db" "SELECT count(*) FROM events WHERE kind = 'command-refused'")
is "$refused" 4 "the four forgeries are refused, each an audit event"
tap_done
