#!/usr/bin/env bash
# policy.sh — the policy engine driven through time with --now, over the
# real test servers (issue 4): a customer-data leak on the EC site is
# classified high with personal data; nobody acknowledges it, so the
# president gets the escalation at +30 min and not before; its obligations
# carry the due times of SPEC 5 (Amazon 24 h, PPC preliminary 5 d, final
# 30 d, 60 d in the unauthorized-purpose case); reminders and overdue
# escalations arrive once each, across separate runs; the digest goes out
# at 09:00 JST; a drill says so in every subject.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
make_bot policy
trap 'rm -rf "$WORK"' EXIT

T0="2026-11-25T10:00:00+09:00"
count() { mailbox "$1" count INBOX; }
H=3600
D=86400

# --- the report
send_mail "$REPORTER" "$BOT_ADDR" "ECサイトの顧客情報が流出した可能性があります" \
"本日、ECサイトの受注管理画面から顧客情報が流出した可能性があります。
約1,200名分の氏名・住所・クレジットカード番号が含まれます。
Amazon の出品用アカウントにも不審なログインがありました。" >/dev/null
poll_at 0
ok $? "poll --once at T0"
tickets=$(bot --now "$(at 0)" tickets --json)
id=$(echo "$tickets" | json 'j[0]["id"]')
is "$(echo "$tickets" | json 'j[0]["priority"]')" "high" "a customer-data leak is priority high (policy 7-2)"
is "$(echo "$tickets" | json 'j[0]["type"]')" "data-leak" "... of type data-leak (policy 7-6 (3))"
flags=$(echo "$tickets" | json '" ".join(j[0]["flags"])')
like "$flags" "personal-data" "... with personal data"
like "$flags" "amazon" "... Amazon involved"
like "$flags" "financial" "... card numbers: risk of financial damage (APPI rules art. 7(2))"
is "$(echo "$tickets" | json 'j[0]["affected"]')" 1200 "... about 1,200 people (名分)"

show=$(bot --now "$(at 0)" show "$id" --json)
due() { echo "$show" | json "[o['due'] for o in j['obligations'] if o['kind']=='$1'][0]"; }
is "$(due amazon)" "2026-11-26T10:00:00+09:00" "Amazon notice due in 24 h (policy 7-4)"
is "$(due ppc-preliminary)" "2026-11-30T10:00:00+09:00" "PPC preliminary report due in 5 days (「速やかに」)"
is "$(due ppc-final)" "2026-12-25T10:00:00+09:00" "PPC final report due in 30 days (APPI rules art. 8(2))"
like "$(echo "$show" | json '" ".join(o["kind"] for o in j["obligations"])')" "individuals" \
	"notice to the individuals (APPI art. 26(2))"
like "$(echo "$show" | json '" ".join(o["kind"] for o in j["obligations"])')" "consultation-desk" \
	"the consultation desk (policy 7-5)"
is "$(echo "$show" | json 'len(j["checklist"])')" 5 "the checklist holds the five steps of policy 7-6 (3)"
alarm=$(mailbox "$ADMIN1" body "$(mailbox "$ADMIN1" list INBOX | cut -f1 | head -1)")
like "$alarm" "データ漏洩" "the alarm shows the guessed type"
like "$alarm" "判定根拠" "... and why it was guessed"
like "$alarm" "流出" "... the words that matched"
like "$alarm" "Amazon への通知" "... the obligations"
like "$alarm" "7-6(3)" "... the checklist with its policy section"
is "$(count "$BOSS")" 0 "management gets nothing at once"

# --- unacknowledged: escalation at +30 min (high), not before, once
poll_at $((29 * 60))
is "$(count "$BOSS")" 0 "no escalation at +29 min"
poll_at $((30 * 60))
is "$(count "$BOSS")" 1 "the president gets the escalation at +30 min"
like "$(subjects "$BOSS")" "エスカレーション" "... an escalation"
poll_at $((31 * 60))
poll_at $((31 * 60))
is "$(count "$BOSS")" 1 "... once: later runs send nothing again"
poll_at $((60 * 60))
is "$(count "$BOSS")" 2 "a second escalation after a second limit (+60 min)"

# --- Amazon: reminders at 50 % and 80 %, 2 h before; overdue at 24 h, daily
poll_at $((11 * H))
is "$(subjects "$ADMIN1" | grep -c "】Amazon への通知.*/ Reminder$")" 0 "no reminder before half the time"
poll_at $((12 * H))
poll_at $((12 * H + 60))
reminders=$(subjects "$ADMIN1" | grep -c "】Amazon への通知.*/ Reminder$")
is "$reminders" 1 "a reminder at 50 % of the Amazon deadline, once"
poll_at $((20 * H))
poll_at $((22 * H))
is "$(subjects "$ADMIN1" | grep -c "】Amazon への通知.*/ Reminder$")" 3 "... then at 80 % and 2 h before (three in all)"
poll_at $((24 * H))
poll_at $((24 * H + 5))
is "$(subjects "$BOSS" | grep -c "期限超過")" 1 "at 24 h: the overdue escalation reaches management, once"
like "$(subjects "$BOSS")" "【契約上の期限超過 " "... its subject says the Amazon deadline is a contract's (issue 12)"
like "$(subjects "$ADMIN1" | grep "/ Reminder$" | head -1)" "【残り12時間0分】Amazon への通知" \
	"the reminders' subject: the time left (issue 13)"
is "$(subjects "$BOSS" | grep -c "ダイジェスト")" 1 "... and the digest of 2026-11-26 09:00 went out late, once"
poll_at $((25 * H))
is "$(subjects "$BOSS" | grep -c "期限超過")" 1 "no second overdue mail within the day"
# issue 12 point 9: the individuals' notice (3 days) falls due on Saturday
# 11-28 10:00; its 50 % reminder came on Thursday night, and the last
# business day before it, Friday 11-27, brings one more at 10:00
reminded() {
	sqlite3 "$WORK/state/incidents.db" "SELECT count(*) FROM events
		WHERE kind = 'reminder' AND detail LIKE 'individuals due %'"
}
poll_at $((48 * H - 60))
is "$(reminded)" 1 "the individuals' notice due on Saturday: its 50 % reminder by Friday 09:59"
poll_at $((48 * H))
is "$(reminded)" 2 "... and one more on Friday at 10:00, the last business day before it"
is "$(subjects "$BOSS" | grep -c "期限超過")" 2 "a second overdue escalation a day later"

# --- the unauthorized-purpose case: the final report in 60 days
send_mail "$REPORTER" "$BOT_ADDR" "決済画面の改ざんによるカード情報のスキミング" \
"決済画面が改ざんされ、入力されたクレジットカード情報が外部に送信されていた可能性があります。
不正アクセスによるウェブスキミングです。" >/dev/null
poll_at $((49 * H))
id2=$(bot tickets --json | json '[t["id"] for t in j if t["id"] != "'"$id"'"][0]')
show2=$(bot --now "$(at $((49 * H)))" show "$id2" --json)
like "$(echo "$show2" | json '" ".join(j["flags"])')" "malicious" "web skimming: possibly an act with unauthorized purpose"
is "$(echo "$show2" | json "[o['due'] for o in j['obligations'] if o['kind']=='ppc-final'][0]")" \
	"2027-01-26T11:00:00+09:00" "its final PPC report is due in 60 days (APPI rules art. 8(2))"

# --- the digest at 09:00 JST, not before
poll_at $((3 * D - H - 60))	# 2026-11-28 08:59
is "$(subjects "$BOSS" | grep -c "ダイジェスト")" 2 "no digest of 11-28 at 08:59 (11-27's went out at the 11-27 run)"
poll_at $((3 * D - H))		# 2026-11-28 09:00
is "$(subjects "$BOSS" | grep -c "ダイジェスト")" 3 "management receives the digest at 09:00 JST"

digest_uid=$(mailbox "$BOSS" list INBOX | grep "ダイジェスト" | tail -1 | cut -f1)
digest_id=$(mailbox "$BOSS" headers "$digest_uid" | sed -n 's/^Message-ID: *<\(.*\)>.*/\1/Ip')
like "$(mailbox "$BOSS" get "$digest_uid")" "multipart/alternative" "the digest carries an HTML alternative"
n_before=$(bot tickets --all --json | json 'len(j)')
send_mail "$BOSS" "$BOT_ADDR" "Re: 日次ダイジェスト" "INC の件、状況を教えてください。" \
	"In-Reply-To: <$digest_id>" >/dev/null
poll_at $((3 * D - H + 60))
is "$(bot tickets --all --json | json 'len(j)')" "$n_before" "a reply to the digest opens no ticket"
is "$(sqlite3 "$WORK/state/incidents.db" "SELECT count(*) FROM messages WHERE kind = 'reply'")" 1 \
	"... it is recorded"

# --- a drill says so in every mail
send_mail "$REPORTER" "$BOT_ADDR" "【訓練】不審なメールの添付ファイルを開いてしまった" \
"これは訓練です。マルウェア感染を想定した報告です。" >/dev/null
poll_at $((3 * D))
id3=$(bot tickets --json | json '[t["id"] for t in j if "drill" in t["flags"]][0]')
ok $? "the drill report is flagged drill"
drill_mail=$(mailbox "$ADMIN1" list INBOX | grep "$id3" | cut -f4)
like "$drill_mail" "訓練" "the alarm of a drill says so in its subject"
is "$(mailbox "$REPORTER" list INBOX | grep "$id3" | cut -f4 | grep -vc "訓練")" 0 \
	"so does every mail to the reporter"

# --- the periodic reviews (policy 5(1), 5(2), 6(2)): reminded when due, until recorded
plan() { subjects "$ADMIN1" | grep "定期確認" | grep -c "5(2)"; }
drill() { subjects "$ADMIN1" | grep "定期確認" | grep -c "6(2)"; }
poll_at $((180 * D))		# 2027-05-24: nothing due yet
is "$(plan)/$(drill)" "0/0" "no review is due before its time"
poll_at $((190 * D))		# plan: 6 months after the first pass; drill: 6 months after the day-3 drill
is "$(plan)/$(drill)" "1/1" "six months on: the admins are reminded of the plan verification and the drill"
poll_at $((191 * D))
is "$(plan)" 1 "... the plan check not again the next day"
is "$(drill)" 2 "... the drill again a week after its due time (2027-05-28)"
poll_at $((197 * D))
is "$(plan)/$(drill)" "2/2" "the plan check again a week on, as it is not recorded"
bot --now "$(at $((197 * D)))" review done plan >/dev/null
ok $? "review done plan records it"
like "$(bot --now "$(at $((197 * D)))" review)" "drill" "review lists the reviews"
poll_at $((205 * D))
is "$(plan)/$(drill)" "2/3" "recorded: no more plan reminders; the drill still reminded"

# policy 5(2): the plan verified after a major change, tracked until done
change() { subjects "$ADMIN1" | grep "定期確認" | grep -c "主要な変更後"; }
out=$(bot --now "$(at $((205 * D)))" review start change "決済代行をB社に切り替え")
like "$out" "change 1 opened: verify the plan by 2027-07-18 10:00" "review start change opens a verification due in 30 days"
like "$(bot --now "$(at $((205 * D)))" review)" "決済代行をB社に切り替え" "... review lists it"
poll_at $((234 * D))
is "$(change)" 0 "... not reminded before it is due"
poll_at $((235 * D))
is "$(change)" 1 "... the admins are reminded when it is due"
body=$(mailbox "$ADMIN1" body "$(mailbox "$ADMIN1" list INBOX | grep "主要な変更後" | tail -1 | cut -f1)")
like "$body" "変更:     決済代行をB社に切り替え" "... naming the change"
like "$body" "review done change 番号" "... and how to record it"
poll_at $((242 * D))
is "$(change)" 2 "... and again a week later"
bot --now "$(at $((242 * D)))" review done change 1 >/dev/null
ok $? "review done change 1 records it"
bot --now "$(at $((242 * D)))" review done change 1 >/dev/null 2>&1
is $? 2 "... a second time: no open change review 1 (usage error)"
poll_at $((250 * D))
is "$(change)" 2 "... no more reminders once verified"

# policy 5(1): a yearly review that changed the policy drafts its announcement
bot --now "$(at $((250 * D)))" review done risk --changed "・不審なメールの報告先を一本化" >/dev/null
ok $? "review done risk --changed records the review"
poll_at $((250 * D + 60))
wait_for 20 bash -c "$PY $ROOT/scripts/mailbox.py $ADMIN1 list INBOX | grep -q 規程・対応計画の変更の全従業員への通知"
ok $? "... and the admins get the draft of the announcement to every employee"
body=$(mailbox "$ADMIN1" body "$(mailbox "$ADMIN1" list INBOX | grep "規程・対応計画の変更" | tail -1 | cut -f1)")
like "$body" "不審なメールの報告先を一本化" "... with the change in it"

# --- the list filters
is "$(bot --now "$(at $((3 * D)))" tickets --overdue --json | json 'len(j)')" 1 "tickets --overdue"
is "$(bot tickets --priority high --json | json 'len(j)')" 2 "tickets --priority high"
is "$(bot tickets --status new --json | json 'len(j)')" 3 "tickets --status new"
bot tickets --status nonsense >/dev/null 2>&1
is $? 2 "an unknown status is a usage error"
tap_done
