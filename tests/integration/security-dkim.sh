#!/usr/bin/env bash
# security-dkim.sh — Authentication-Results as RFC 8601 5 and 7 intend
# (issue 14, V2/V3), through the real IMAP server and the bot's own parser:
# in dkim mode only the fields above the Received of the hop from outside
# (the first whose from-host is not in commands.internal_hosts) count; a
# pass below it, a fail of ours above a pass, SPF alone, a subdomain's key,
# dmarc=fail and a signature naming another person all command nothing.
# (The mails are put in the mailbox as a border MTA would have left them;
# the Postfix + OpenDKIM lab of issue 14 is not built yet.)
set -uo pipefail
. "$(dirname "$0")/lib.sh"
make_bot secdkim
trap 'rm -rf "$WORK"' EXIT

T0="2026-11-25T10:00:00+09:00"
sed -i 's/^database .*/&\ncommands {\n  auth = "dkim"\n  authserv_id = "mx.example.com"\n  internal_hosts = {"mx.example.com", "store.example.com"}\n}/' "$CONF"
bot check-config >/dev/null 2>&1
ok $? "the configuration with internal_hosts checks"

send_mail "$REPORTER" "$BOT_ADDR" "不審なログイン" "管理画面に不審なログイン。" >/dev/null
poll_at 0
id=$(bot tickets --json | json 'j[0]["id"]')
n=0
OUTSIDE='Received: from attacker.example (attacker.example [203.0.113.9])\r\n\tby mx.example.com (Postfix) with ESMTPS id 4Xyz; Wed, 25 Nov 2026 10:30:00 +0900\r\n'
LMTP='Received: from mx.example.com (localhost [127.0.0.1])\r\n\tby store.example.com (Dovecot) with LMTP id abc; Wed, 25 Nov 2026 10:30:01 +0900\r\n'
command_mail() {	# command_mail HEADERS PRIORITY: ADMIN1's /priority under those trace fields; sets got
	n=$((n + 1))
	printf "%bFrom: %s\r\nTo: %s\r\nSubject: [%s] dkim %s\r\nMessage-ID: <dkim-%s-%s@example.com>\r\nDate: Wed, 25 Nov 2026 10:30:00 +0900\r\n\r\n/priority %s\r\n" \
		"$1" "$ADMIN1" "$BOT_ADDR" "$id" "$n" "$n" "$$" "$2" >"$WORK/m$n.eml"
	scripts/mailserver deliver "$BOT_ADDR" "$WORK/m$n.eml" >/dev/null
	poll_at $((n * 60))
	got=$(field "$id" 'j["priority"]')
}
AR='Authentication-Results: mx.example.com;'
command_mail "$LMTP$AR dkim=pass header.d=example.com header.s=s1\r\n$OUTSIDE" low
is "$got" low \
	"our border's dkim=pass above the hop from outside commands"
command_mail "$LMTP$OUTSIDE$AR dkim=pass header.d=example.com\r\n" medium
is "$got" low \
	"a pass in our name below the Received lines (sender-added) commands nothing"
command_mail "$LMTP$AR dkim=fail (bad signature) header.d=example.com\r\n$OUTSIDE$AR dkim=pass header.d=example.com\r\n" medium
is "$got" low \
	"our dkim=fail above, a pass below: nothing"
command_mail "$LMTP$AR dkim=pass header.d=example.com; dkim=temperror header.d=example.com\r\n$OUTSIDE" medium
is "$got" low \
	"a temperror among ours wins over a pass"
command_mail "$LMTP$AR spf=pass smtp.mailfrom=$ADMIN1\r\n$OUTSIDE" medium
is "$got" low \
	"spf=pass alone commands nothing (V3)"
command_mail "$LMTP$AR dkim=pass header.d=mail.example.com\r\n$OUTSIDE" medium
is "$got" low \
	"a subdomain's DKIM commands nothing (V3; commands.align_subdomains is off)"
command_mail "$LMTP$AR dkim=pass header.d=example.com; dmarc=fail header.from=example.com\r\n$OUTSIDE" medium
is "$got" low \
	"dmarc=fail refuses"
command_mail "$LMTP$AR dkim=pass header.d=example.com header.i=someone@example.com\r\n$OUTSIDE" medium
is "$got" low \
	"a signature vouching for another person commands nothing"
command_mail "$LMTP$AR dkim=pass header.d=evil.example\r\n$OUTSIDE" medium
is "$got" low \
	"a foreign domain's signature commands nothing"
refused=$(sqlite3 "$WORK/state/incidents.db" "SELECT count(*) FROM events WHERE kind = 'command-refused'")
is "$refused" 8 "every refusal is an audit event"
like "$(sqlite3 "$WORK/state/incidents.db" "SELECT detail FROM events WHERE kind = 'command-refused' ORDER BY id LIMIT 1")" \
	"no Authentication-Results from mx.example.com" "... the first says no field of ours was above the border"
command_mail "$LMTP$AR dkim=pass header.d=example.com\r\n$OUTSIDE" high
is "$got" high \
	"our border's pass still commands afterwards"
tap_done
