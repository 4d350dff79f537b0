#!/usr/bin/env bash
# security-dupes.sh — no planted duplicates (issue 14, V12): a mail sent
# first with a predictable Message-ID no longer hides a later real report
# as its "duplicate"; the real report is a ticket like any other, the
# clash is an event; only the same bytes, or the same sender and text,
# are duplicates.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
make_bot secdup
trap 'rm -rf "$WORK"' EXIT

T0="2026-11-25T10:00:00+09:00"
db() { sqlite3 "$WORK/state/incidents.db" "$1"; }
mid="report-20261125-0001@example.com"	# what a mail client of the company would write next
eml() {	# eml FILE FROM SUBJECT BODY [EXTRA-HEADER]
	printf 'From: %s\r\nTo: %s\r\nSubject: %s\r\nMessage-ID: <%s>\r\nDate: Wed, 25 Nov 2026 10:00:00 +0900\r\n%sMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n%s\r\n' \
		"$2" "$BOT_ADDR" "$3" "$mid" "${5:+$5$'\r\n'}" "$4" >"$1"
}

eml "$WORK/plant.eml" "$OUTSIDER" "テスト" "テストです。"
scripts/mailserver deliver "$BOT_ADDR" "$WORK/plant.eml" >/dev/null
poll_at 0
is "$(bot tickets --json | json 'len(j)')" 1 "the planted mail is a ticket"

eml "$WORK/real.eml" "$REPORTER" "受注サーバーに不正ログイン" "管理画面に海外から不正ログインがありました。"
scripts/mailserver deliver "$BOT_ADDR" "$WORK/real.eml" >/dev/null
poll_at 60
is "$(bot tickets --json | json 'len(j)')" 2 "the real report with the same Message-ID is a ticket of its own"
is "$(bot tickets --json | json '[t["subject"] for t in j if t["subject"].startswith("受注")][0]')" \
	"受注サーバーに不正ログイン" "... with its own subject"
is "$(db "SELECT kind FROM messages WHERE from_addr = '$REPORTER'")" report "... stored as a report, not a duplicate"
like "$(db "SELECT detail FROM events WHERE kind = 'message-id-clash'")" "<$mid>" \
	"the clash is an event naming the Message-ID"
wait_for 10 has_mail "$REPORTER" 1
ok $? "the reporter gets the acknowledgement"
is "$(subjects "$ADMIN1" | grep -c "受注サーバー")" 1 "the admins are alarmed about the real report"

# a real copy: the same sender and text, with other headers (a re-send)
eml "$WORK/copy.eml" "$REPORTER" "受注サーバーに不正ログイン" "管理画面に海外から不正ログインがありました。" \
	"Resent-Date: Wed, 25 Nov 2026 10:05:00 +0900"
scripts/mailserver deliver "$BOT_ADDR" "$WORK/copy.eml" >/dev/null
poll_at 120
is "$(bot tickets --json | json 'len(j)')" 2 "the same sender and text again: no new ticket"
is "$(db "SELECT count(*) FROM messages WHERE kind = 'duplicate'")" 1 "... kept as a duplicate"
# the same bytes again
scripts/mailserver deliver "$BOT_ADDR" "$WORK/real.eml" >/dev/null
poll_at 180
is "$(db "SELECT count(*) FROM messages")" 3 "the same bytes again: skipped"
is "$(bot tickets --json | json 'len(j)')" 2 "... no new ticket"
tap_done
