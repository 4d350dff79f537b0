#!/usr/bin/env bash
# words.sh — issue 13 points 1 and 2 over the real servers.
# Human words reach humans: a reporter's follow-ups and a colleague's
# addition are forwarded — their own words, not the quoted part — to the
# admins while nobody owns the ticket, then to the owner alone, once per
# pass; an admin's command mail is not forwarded; management's reply on a
# ticket and to the digest reach the owner, a digest reply that names no
# ticket reaches the admins as a question; management's reply to an escalation
# reaches the admins while nobody owns the ticket.
# Machines are never answered and never a lost report: a monitoring alert
# (a configured alert sender; or Auto-Submitted with an incident in its
# text) opens a system-alert ticket without acknowledgement; a bounce an
# employee forwards is a person's report; out-of-office replies,
# newsletters, list mail and no-reply senders (real ones from the corpus)
# open no ticket, get no answer, are stored, counted in the digest and
# listed by `mail --automatic`.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
make_bot words
trap 'rm -rf "$WORK"' EXIT
CORPUS=${IB_CORPUS:-$ROOT/../shared/corpus/mail}
db() { sqlite3 "$WORK/state/incidents.db" "$@"; }
# forwarded USER: how many forwarded-words mails USER has
forwarded() { subjects "$1" | grep -c -e "追加の連絡" -e "経営層からの質問"; }
# last_body USER: the text of USER's newest mail
last_body() { mailbox "$1" body "$(mailbox "$1" list INBOX | cut -f1 | tail -1)" INBOX; }
last_subject() { subjects "$1" | tail -1; }
# has_forwarded USER N / has_questions USER N: USER has N such mails or more (for wait_for)
has_forwarded() { [ "$(forwarded "$1")" -ge "$2" ]; }
has_questions() { [ "$(subjects "$1" | grep -c 経営層からの質問)" -ge "$2" ]; }

# --- a report, then the reporter's follow-ups and a colleague's addition in one pass
send_mail "山田 花子 <$REPORTER>" "$BOT_ADDR" "受注DBに不正アクセスの疑い" \
	"本日9時ごろ、受注管理サーバーに見知らぬIPからのログインがありました。" >/dev/null
bot poll --once 2>"$WORK/poll.log"
id=$(bot tickets --json | json 'j[0]["id"]')
like "$id" "INC-" "the report opens a ticket"
wait_for 20 has_mail "$REPORTER" 1
ack_uid=$(mailbox "$REPORTER" list INBOX | cut -f1 | head -1)
is "$(forwarded "$ADMIN1")" 0 "a new report forwards nothing (the alarm says it)"

reply "$REPORTER" "$ack_uid" "楽天・Yahoo の注文も同じ DB にあります"
reply "$REPORTER" "$ack_uid" "8:55 に管理者ログイン成功"
send_mail "鈴木 一郎 <$OUTSIDER>" "$BOT_ADDR" "Re: [$id] 私の端末でも" \
	"私の端末でも同じ警告が出ました。" >/dev/null
bot poll --once 2>>"$WORK/poll.log"
ok $? "poll takes in the three follow-ups"
for a in "$ADMIN1" "$ADMIN2"; do
	wait_for 20 has_mail "$a" 2
	is "$(forwarded "$a")" 1 "$a: the three follow-ups of one pass come in one mail"
done
body=$(last_body "$ADMIN1")
like "$(last_subject "$ADMIN1")" "[$id]" "the forwarded mail carries the ticket's tag"
like "$body" "楽天・Yahoo の注文も同じ DB にあります" "it has the reporter's first follow-up"
like "$body" "8:55 に管理者ログイン成功" "... and the second"
like "$body" "私の端末でも同じ警告が出ました" "... and the colleague's addition"
like "$body" "山田 花子" "it names the sender"
like "$body" "報告者" "... as the reporter"
[[ "$body" != *"見知らぬIPからのログインがありました"* ]]
ok $? "... but not the quoted text of the acknowledgement"
is "$(db "SELECT count(*) FROM messages WHERE forward IS NOT NULL AND forwarded_at IS NULL")" 0 \
	"every word is marked forwarded"
bot poll --once 2>>"$WORK/poll.log"
is "$(forwarded "$ADMIN1")" 1 "the next pass forwards nothing again"
like "$(bot show "$id" --json | json '[e["kind"] for e in j["timeline"]]')" "forwarded" \
	"the timeline says the words were forwarded"

# --- an admin's command mail is not forwarded; the owner alone gets words then
alarm_uid=$(mailbox "$ADMIN1" list INBOX | grep "$id" | cut -f1 | head -1)
reply "$ADMIN1" "$alarm_uid" "/ack"
bot poll --once 2>>"$WORK/poll.log"
is "$(bot show "$id" --json | json 'j["owner"]')" "$ADMIN1" "/ack makes admin 1 the owner"
is "$(forwarded "$ADMIN2")" 1 "the command mail is not forwarded (admin 2 gets the result only)"
reply "$REPORTER" "$ack_uid" "ログを保存しました"
bot poll --once 2>>"$WORK/poll.log"
wait_for 20 has_forwarded "$ADMIN1" 2
is "$(forwarded "$ADMIN1")" 2 "a follow-up after the /ack goes to the owner"
is "$(forwarded "$ADMIN2")" 1 "... and not to the other admin"
like "$(last_body "$ADMIN1")" "ログを保存しました" "... with its words"

# a follow-up from a real client in Shift_JIS reaches the owner readable
muttrc mutt "us-ascii:shift_jis" >"$WORK/muttrc"
printf '①サーバー室の鍵は総務の金庫にあります。\n' >"$WORK/sjis.txt"
LANG=C.UTF-8 mutt -n -F "$WORK/muttrc" -s "Re: [$id] 鍵の場所" "$BOT_ADDR" <"$WORK/sjis.txt" 2>"$WORK/mutt.err"
ok $? "mutt sends a follow-up in Shift_JIS"
bot poll --once 2>>"$WORK/poll.log"
wait_for 20 has_forwarded "$ADMIN1" 3
like "$(last_body "$ADMIN1")" "①サーバー室の鍵は総務の金庫にあります" "... and the owner reads it as written"
is "$(forwarded "$ADMIN2")" 1 "... the other admin gets nothing"

# --- management: a reply on the ticket, then replies to the digest
send_mail "$BOSS" "$BOT_ADDR" "Re: [$id] 状況は" "取引先への連絡はいつになりますか。" >/dev/null
bot poll --once 2>>"$WORK/poll.log"
wait_for 20 has_forwarded "$ADMIN1" 4
is "$(forwarded "$ADMIN1")" 4 "management's reply on a ticket reaches the owner"
like "$(last_body "$ADMIN1")" "渡部 正行（経営層）" "... named, as management"
bot digest --send >/dev/null 2>&1
bot poll --once 2>>"$WORK/poll.log"
wait_for 20 has_mail "$BOSS" 1
digest_uid=$(mailbox "$BOSS" list INBOX | cut -f1 | tail -1)
like "$(mailbox "$BOSS" body "$digest_uid" INBOX)" "自動送信メール" "the digest has the automatic-mail line"
REPLY_QUOTE=3 reply "$BOSS" "$digest_uid" "先週の件はどうなっていますか。"
bot poll --once 2>>"$WORK/poll.log"
for a in "$ADMIN1" "$ADMIN2"; do
	wait_for 20 has_questions "$a" 1
	is "$(subjects "$a" | grep -c 経営層からの質問)" 1 "$a: a digest reply naming no ticket is a question from management"
done
like "$(last_body "$ADMIN2")" "先週の件はどうなっていますか" "... with its words"
REPLY_QUOTE=3 reply "$BOSS" "$digest_uid" "$id の公表はいつですか。"
bot poll --once 2>>"$WORK/poll.log"
wait_for 20 has_forwarded "$ADMIN1" 6
like "$(last_subject "$ADMIN1")" "[$id]" "a digest reply naming a ticket goes to its owner, tagged"
like "$(last_body "$ADMIN1")" "の公表はいつですか" "... with its words"
is "$(subjects "$ADMIN2" | grep -c -e 追加の連絡 -e 経営層)" 2 "... and not to the other admin"

# --- machines
tickets_before=$(bot tickets --all --json | json 'len(j)')
cat >"$WORK/alert.eml" <<EOF
From: Zabbix <zabbix@monitoring.example.com>
To: $BOT_ADDR
Subject: PROBLEM: web01 CPU 98%
Date: $(date -R)
Message-ID: <alert-$$@monitoring.example.com>
Auto-Submitted: auto-generated
Precedence: bulk
Content-Type: text/plain; charset=UTF-8

Trigger: CPU load too high on web01
EOF
cat >"$WORK/cron.eml" <<EOF
From: root@batch.example.com
To: $BOT_ADDR
Subject: Cron <root@batch> /usr/local/bin/check-login
Date: $(date -R)
Message-ID: <cron-$$@batch.example.com>
Auto-Submitted: auto-generated
Content-Type: text/plain; charset=UTF-8

管理画面への不正アクセスを検知しました。海外IPから管理者アカウントでログインしています。
EOF
cat >"$WORK/noreply.eml" <<EOF
From: no-reply@shop.example.net
To: $BOT_ADDR
Subject: ご注文ありがとうございます
Date: $(date -R)
Message-ID: <noreply-$$@shop.example.net>
Content-Type: text/plain; charset=UTF-8

ご注文を承りました。
EOF
cat >"$WORK/noise.eml" <<EOF
From: Robot <robot@build.example.com>
To: $BOT_ADDR
Subject: nightly build finished
Date: $(date -R)
Message-ID: <build-$$@build.example.com>
Auto-Submitted: auto-generated
Content-Type: text/plain; charset=UTF-8

All 214 jobs passed.
EOF
machines=("$CORPUS/sisimai__rfc3834-04.eml" "$CORPUS/sisimai__rfc3834-01.eml"
	  "$CORPUS/bounceparser__warning-6.eml" "$CORPUS/spamscope__mail_test_5.eml"
	  "$CORPUS/mime4j__mbox.rlug-0.eml" "$CORPUS/sisimai__lhost-postfix-01.eml")
scripts/mailserver deliver "$BOT_ADDR" "$WORK/alert.eml" "$WORK/cron.eml" "$WORK/noreply.eml" \
	"$WORK/noise.eml" "${machines[@]}" >/dev/null
# an employee forwards a bounce as evidence: the bounce inside, the person outside
$PY - "$REPORTER" "$BOT_ADDR" "$CORPUS/sisimai__lhost-postfix-01.eml" <<'PYEOF'
import os, smtplib, ssl, sys
from email.message import EmailMessage
frm, to, bounce = sys.argv[1:]
m = EmailMessage()
m["From"], m["To"], m["Subject"] = frm, to, "Fwd: Undelivered Mail Returned to Sender"
m.set_content("取引先から届いた不審なメールに返信したらエラーが返ってきました。証拠として転送します。")
with open(bounce, "rb") as f:
    m.add_attachment(f.read(), maintype="message", subtype="rfc822")
ctx = ssl.create_default_context(cafile=os.environ["IB_CA"])
with smtplib.SMTP("127.0.0.1", int(os.environ["IB_SMTP_PORT"])) as s:
    s.starttls(context=ctx)
    s.send_message(m)
PYEOF
ok $? "the reporter forwards a bounce as an attached message"
admin2_before=$(mailbox "$ADMIN2" count INBOX)
bot poll --once 2>>"$WORK/poll.log"
ok $? "poll takes in the machines' mail"
is "$(mailbox "$BOT_ADDR" count INBOX)" 0 "every machine's mail left the INBOX"
tickets=$(bot tickets --all --json)
is "$(echo "$tickets" | json 'len(j)')" $((tickets_before + 3)) \
	"three new tickets: the two alerts and the forwarded bounce"
alert_src=$(echo "$tickets" | json '" ".join(sorted(t["source"] or "-" for t in j if "CPU" in t["subject"] or "Cron" in t["subject"]))')
is "$alert_src" "system-alert system-alert" "both alerts are system-alert tickets"
fwd_id=$(echo "$tickets" | json '[t["id"] for t in j if t["subject"].startswith("Fwd:")][0]')
like "$fwd_id" "INC-" "the forwarded bounce opens a ticket (a person's report)"
outbox=$(bot outbox --all --json)
is "$(echo "$outbox" | json 'sum(1 for m in j["mails"] if m["kind"] == "ack" and ("example.com" not in m["to"] or m["to"].startswith(("zabbix", "root", "no-reply", "robot"))))')" 0 \
	"no acknowledgement to an alert sender, a no-reply sender or any machine"
is "$(echo "$outbox" | json "sum(1 for m in j['mails'] if m['kind'] == 'ack' and m['ticket'] == '$fwd_id')")" 1 \
	"the employee who forwarded the bounce is acknowledged"
wait_for 20 has_mail "$ADMIN2" $((admin2_before + 3))
is "$(subjects "$ADMIN2" | grep -c "web01 CPU")" 1 "the admins are alarmed about the alert"
is "$(db "SELECT count(*) FROM messages WHERE kind = 'automatic' AND ticket_id IS NULL AND machine IS NOT NULL")" 8 \
	"the other eight are stored, with what wrote them"
is "$(db "SELECT count(*) FROM messages WHERE kind = 'report'")" $((tickets_before + 3)) "... and opened no ticket"

auto=$(bot mail --automatic --json)
is "$(echo "$auto" | json 'len(j)')" 8 "mail --automatic lists the eight"
for why in out-of-office bounce list auto-generated; do
	like "$(echo "$auto" | json '" ".join(m["why"] for m in j)')" "$why" "... one of them: $why"
done
like "$(echo "$auto" | json '" ".join(m["from"] for m in j)')" "no-reply@shop.example.net" "... the no-reply sender's mail"
text=$(bot mail --automatic)
like "$text" "automatic mail that opened no ticket: 8" "the text listing counts them"
like "$text" "nightly build finished" "... and shows subjects"
bot mail 2>/dev/null
is $? 2 "mail without --automatic is a usage error"

digest=$(bot digest 2>/dev/null)
like "$digest" "自動送信メール（不在通知・配信エラー・メールマガジン等、チケットなし・返信なし）: 8 通" \
	"the digest counts them"

# --- management answers an escalation: its words reach the admins (nobody owns the ticket)
T0=$(date -Iseconds)
poll_at 86400
has_escalation() { subjects "$BOSS" | grep -q "エスカレーション.*$fwd_id\|$fwd_id.*エスカレーション"; }
wait_for 20 has_escalation
esc_uid=$(mailbox "$BOSS" list INBOX | grep "エスカレーション" | grep "$fwd_id" | cut -f1 | head -1)
[ -n "$esc_uid" ]
ok $? "a day later management got the escalation of the forwarded-bounce ticket"
before=$(forwarded "$ADMIN2")
REPLY_QUOTE=2 reply "$BOSS" "$esc_uid" "誰が担当しますか。すぐに対応してください。"
poll_at 86460
wait_for 20 has_forwarded "$ADMIN2" $((before + 1))
is "$(forwarded "$ADMIN2")" $((before + 1)) "management's reply to the escalation reaches the admins, once"
like "$(last_subject "$ADMIN2")" "[$fwd_id]" "... tagged with its ticket"
like "$(last_body "$ADMIN2")" "誰が担当しますか" "... with its words"
like "$(last_body "$ADMIN2")" "渡部 正行（経営層）" "... named, as management"
tap_done
