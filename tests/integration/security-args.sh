#!/usr/bin/env bash
# security-args.sh — command arguments validated (issue 14, V10): /aware
# only between a year back and an hour ahead (a date in 2262 silenced
# every legal clock), /assign only to configured persons or the company's
# mail domain (an outsider got the lessons draft with the whole record);
# the admin is told in Japanese first, naming the line; nothing changes.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
make_bot secargs
trap 'rm -rf "$WORK"' EXIT

T0="2026-11-25T10:00:00+09:00"
last_uid() { mailbox "$1" list INBOX | grep "$2" | tail -1 | cut -f1; }
command() {	# command BODY: ADMIN1 answers the bot's last mail about the ticket
	send_mail "$ADMIN1" "$(reply_to "$ADMIN1" "$(last_uid "$ADMIN1" "$id")")" "Re: [$id]" "$1" >/dev/null
}
last_error() { mailbox "$ADMIN1" body "$(mailbox "$ADMIN1" list INBOX | grep "$id" | grep "実行できませんでした" | tail -1 | cut -f1)"; }

send_mail "$REPORTER" "$BOT_ADDR" "個人情報の漏えい" "顧客の住所録が外部に送信されました。" >/dev/null
poll_at 0
id=$(bot tickets --json | json 'j[0]["id"]')
aware0=$(field "$id" 'j["aware"]')
due0=$(field "$id" '[o["due"] for o in j["obligations"] if o["kind"]=="ppc-final"]')

command "/ack
/aware 2262-04-11T00:00+09:00"
poll_at 60
is "$(field "$id" 'j["aware"]')" "$aware0" "/aware in 2262: the awareness time is unchanged"
is "$(field "$id" '[o["due"] for o in j["obligations"] if o["kind"]=="ppc-final"]')" "$due0" \
	"... so are the statutory deadlines"
is "$(field "$id" 'j["status"]')" new "... and the mail's other commands did not run (all or nothing)"
err=$(last_error)
like "$err" "✗ 2 行目 / line 2:  /aware 2262-04-11T00:00+09:00" "... the admin is told, naming the line"
like "$err" "誤り / wrong: 認知日時" "... Japanese first"

command "/aware 2024-11-25T10:00+09:00"
poll_at 120
is "$(field "$id" 'j["aware"]')" "$aware0" "/aware two years back: refused"
command "/aware 2026-11-25T12:00+09:00"
poll_at 180
is "$(field "$id" 'j["aware"]')" "$aware0" "/aware two hours ahead: refused"
command "/aware 2026-11-24T22:30+09:00"
poll_at 240
is "$(field "$id" 'j["aware"]')" "2026-11-24T22:30:00+09:00" "/aware the evening before: accepted"

command "/assign $OUTSIDER.evil.test"
poll_at 300
is "$(field "$id" 'j["owner"]')" None "/assign an outside address: refused"
like "$(last_error)" "担当者にできません" "... the admin is told why, Japanese first"
command "/assign attacker@example.com.evil.test"
poll_at 360
is "$(field "$id" 'j["owner"]')" None "/assign a domain that only ends like ours: refused"
command "/assign $ADMIN2"
poll_at 420
is "$(field "$id" 'j["owner"]')" "$ADMIN2" "/assign a configured admin: accepted"
command "/assign soc-team@security.example.com"
poll_at 480
is "$(field "$id" 'j["owner"]')" "soc-team@security.example.com" "/assign an address of a subdomain of ours: accepted"
tap_done
