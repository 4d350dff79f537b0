#!/usr/bin/env bash
# mails.sh — issue 13 points 3 and 4 over the real test servers: how many
# mails a new high ticket sends each admin (at most two: the alarm and one
# mail with the drafts attached), what the alarm tells them (/ack, when it
# escalates, the awareness time, the drafts), reminders and overdue
# notices falling due in one timer pass as ONE mail per person with the
# nearest deadline in the subject, threaded under the alarm, and
# Importance/X-Priority on the alarm, escalation and overdue mail only.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

make_bot mails
trap 'rm -rf "$WORK"' EXIT

T0="2026-11-25T10:00:00+09:00"
count() { subjects "$1" | grep -cF "[$id]"; }	# mails about the ticket (not the digest)
header() {	# header USER UID NAME: the header's value ("" when absent)
	mailbox "$1" headers "$2" | sed -n "s/^$3: *//Ip" | head -1
}
REPLY_QUOTE=5

# --- a new high ticket: a customer-data leak with Amazon (six obligations)
send_mail "$REPORTER" "$BOT_ADDR" "ECサイトの顧客情報が流出した可能性があります" \
"本日、ECサイトの受注管理画面から顧客情報が流出した可能性があります。
約1,200名分の氏名・住所・クレジットカード番号が含まれます。
Amazon の出品用アカウントにも不審なログインがありました。" >/dev/null
poll_at 0
ok $? "poll --once at T0"
id=$(bot tickets --json | json 'j[0]["id"]')
is "$(mailbox "$ADMIN1" count INBOX)/$(mailbox "$ADMIN2" count INBOX)" "2/2" \
	"each admin has two mails in all"
is "$(field "$id" 'j["priority"]')/$(field "$id" 'len(j["obligations"])')" "high/6" \
	"a high ticket with six obligations"

# --- point 3: at most two mails per admin
is "$(count "$ADMIN1")/$(count "$ADMIN2")" "2/2" "each admin gets two mails: the alarm and the drafts (was seven)"
alarm=$(uid_of "$ADMIN1" "新規インシデント")
drafts=$(uid_of "$ADMIN1" "通知文の下書き")
ok $([ -n "$alarm" ] && [ -n "$drafts" ] && [ "$alarm" -lt "$drafts" ]; echo $?) \
	"... the alarm first, then the drafts"
files=$(attachment "$ADMIN1" "$drafts")
is "$(echo "$files" | grep -c "^${id}_.*\.txt$")" 6 "the drafts mail carries six attachments named for the ticket"
prelim=$(attachment "$ADMIN1" "$drafts" "個人情報保護委員会への速報")
like "$prelim" "[$id] 下書き: 個人情報保護委員会への速報" "the PPC draft decodes (UTF-8) with its subject line"
like "$prelim" "漏えい等報告フォーム" "... and is the PPC draft"
like "$(mailbox "$ADMIN1" get "$drafts")" "filename*0*=UTF-8''" \
	"the Japanese file names are RFC 2231 (split into segments)"
like "$(mailbox "$ADMIN1" get "$drafts")" "Content-Type: multipart/mixed" "... in multipart/mixed"
body=$(mailbox "$ADMIN1" body "$drafts" | tr -d '\r')
like "$body" "・Amazon への通知 (24 時間以内)
  宛先: Amazon
  期限: 2026-11-26 10:00" "the drafts mail sums up: which, for whom, due when"

alarm_text=$(mailbox "$ADMIN1" body "$alarm" | tr -d '\r')
like "$alarm_text" "「/ack」とだけ書いて返信" "the alarm says how to take the ticket"
like "$alarm_text" "2026-11-25 10:30 までに誰も /ack しなければ" "... when it escalates (high: 30 min)"
like "$alarm_text" "認知日時: 2026-11-25 10:00" "... the awareness time"
like "$alarm_text" "この時刻で正しいか確認し、違えば「/aware" "... to confirm or correct with /aware"
like "$alarm_text" "・個人情報保護委員会への速報 — 宛先 個人情報保護委員会 / PPC、期限 2026-11-30 10:00" \
	"... and which drafts follow"
alarm_id=$(header "$ADMIN1" "$alarm" Message-ID)
is "$(header "$ADMIN1" "$alarm" Importance)/$(header "$ADMIN1" "$alarm" X-Priority)" "high/1" \
	"the alarm: Importance high, X-Priority 1"
is "$(header "$ADMIN1" "$drafts" Importance)$(header "$ADMIN1" "$drafts" X-Priority)" "" \
	"the drafts mail: neither"
ack=$(uid_of "$REPORTER" "$id")
is "$(header "$REPORTER" "$ack" Importance)$(header "$REPORTER" "$ack" X-Priority)" "" \
	"the acknowledgement: neither"
is "$(header "$ADMIN1" "$drafts" In-Reply-To)" "$alarm_id" "the drafts mail threads under the alarm"

# --- nobody takes it in 30 minutes: the escalation is urgent, under the alarm
poll_at 1900
esc=$(uid_of "$BOSS" "エスカレーション")
ok $([ -n "$esc" ]; echo $?) "unacknowledged after 30 minutes: management is alarmed"
is "$(header "$BOSS" "$esc" Importance)/$(header "$BOSS" "$esc" X-Priority)" "high/1" \
	"the escalation: Importance high, X-Priority 1"
like "$(header "$BOSS" "$esc" In-Reply-To)" "<$id.alarm." "... threaded under the ticket's alarm"

# --- /ack and /done amazon: the owner gets the reminders from now on
reply "$ADMIN1" "$alarm" "/ack
/done amazon 3p-security に送付"
poll_at 2000
is "$(field "$id" 'j["owner"]')" "$ADMIN1" "/ack: ADMIN1 owns the ticket"

# --- point 4: three obligations (due T0+3d) pass their 50 % and 80 %
# reminders while no pass ran: one mail to the owner, not three
before1=$(count "$ADMIN1") before2=$(count "$ADMIN2") beforeb=$(count "$BOSS")
poll_at $((3 * 86400 - 6600))	# 1 h 50 min before the three are due
is "$(($(count "$ADMIN1") - before1))" 1 "three reminders due together: ONE mail to the owner"
is "$(($(count "$ADMIN2") - before2))/$(($(count "$BOSS") - beforeb))" "0/0" \
	"... none to the other admin or to management"
rem=$(uid_of "$ADMIN1" "残り")
subject=$(mailbox "$ADMIN1" list INBOX | awk -F'\t' -v u="$rem" '$1 == u { print $4 }')
like "$subject" "[$id] 【残り1時間50分】" "the subject: the nearest deadline's time left"
like "$subject" "ほか 2 件" "... and how many more"
rem_text=$(mailbox "$ADMIN1" body "$rem" | tr -d '\r')
for want in 本人への通知 "相談窓口の設置 (規程 7-5)" ホームページでの公表; do
	like "$rem_text" "・$want
  期限: 2026-11-28 10:00（残り 1時間50分）" "the reminder lists $want with its deadline"
done
like "$rem_text" "(1 h 50 min left)" "... its English part says the time left in English"
is "$(header "$ADMIN1" "$rem" In-Reply-To)" "$alarm_id" "the reminder threads under the owner's alarm"
like "$(header "$ADMIN1" "$rem" References)" "$alarm_id" "... References too"
is "$(header "$ADMIN1" "$rem" Importance)$(header "$ADMIN1" "$rem" X-Priority)" "" \
	"a reminder: no Importance, no X-Priority"
is "$(header "$ADMIN1" "$rem" Auto-Submitted)" "auto-generated" "... and it is auto-generated"

# --- the three fall overdue in the same pass: one mail per person
before1=$(count "$ADMIN1") before2=$(count "$ADMIN2") beforeb=$(count "$BOSS")
poll_at $((3 * 86400 + 3600))
is "$(($(count "$ADMIN1") - before1))/$(($(count "$ADMIN2") - before2))/$(($(count "$BOSS") - beforeb))" \
	"1/1/1" "three overdue together: one mail each to the owner, the other admin and management"
over=$(uid_of "$BOSS" "超過")
subject=$(mailbox "$BOSS" list INBOX | awk -F'\t' -v u="$over" '$1 == u { print $4 }')
like "$subject" "[$id] 【法定期限超過 1時間0分】本人への通知ほか 2 件" "the overdue subject: nearest first, how late"
is "$(header "$BOSS" "$over" Importance)/$(header "$BOSS" "$over" X-Priority)" "high/1" \
	"the overdue mail: Importance high, X-Priority 1"
like "$(header "$BOSS" "$over" In-Reply-To)" "<$id.alarm." "... under the ticket's alarm"
is "$(field "$id" "sorted(o['kind'] for o in j['obligations'] if o['state']=='open' and o['due'] < '2026-11-28T11')")" \
	"['consultation-desk', 'individuals', 'publication']" "the three are still open (the mails changed nothing)"
tap_done
