#!/usr/bin/env bash
# digest.sh — the management digest as a manager reads it (issue 13 point
# 7), over the real test servers and two months of --now: the bot starts on
# 2026-10-12; on Monday 2026-12-07 a 12,000-person card leak comes in (its
# PPC 速報 due Saturday 12-12 10:05); on Tuesday a 30-person mis-sent mail
# with internal targets only; on Friday an Amazon seller account break-in
# (contractual, 24 h).  The digest of Friday 09:00 goes out; the admins
# act; the digest of Saturday 09:30 — 35 minutes before the PPC 速報 is due
# — must name that deadline in its subject, give each incident its own
# line, keep statutory, contractual and internal deadlines apart, say what
# was done or became late since Friday, and state no false figure.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
make_bot digest
trap '[ -n "${KEEP_WORK:-}" ] || rm -rf "$WORK"' EXIT

T0="2026-10-12T09:00:00+09:00"
jst() { bot --now "$1:00+09:00" "${@:2}"; }		# jst 2026-12-07T10:05 COMMAND...
poll_on() { jst "$1" poll --once 2>>"$WORK/poll.log"; }
tid() { bot tickets --all --json | json "[t['id'] for t in j if '$1' in t['subject']][0]"; }
alarm_uid() { mailbox "$1" list INBOX | grep "$2" | grep "新規インシデント" | head -1 | cut -f1; }
command() {	# command TICKET TIME TEXT: the owner answers the ticket's alarm
	reply "$ADMIN1" "$(alarm_uid "$ADMIN1" "$1")" "$3"
	poll_on "$2"
}
digest_mail() {	# digest_mail N: the body (text part) of management's Nth digest
	local uid
	uid=$(mailbox "$BOSS" list INBOX | grep "ダイジェスト" | sed -n "${1}p" | cut -f1)
	mailbox "$BOSS" body "$uid"
}
section() {	# section TEXT START END: the lines from START up to END (exclusive)
	printf '%s\n' "$1" | awk -v a="$2" -v b="$3" 'index($0, a) == 1 { on = 1 } on && index($0, b) == 1 && !index($0, a) { exit } on'
}

# The reports are dated as in the scenario, but the server receives them at
# the real time: the admins state each awareness time with /aware (policy
# 7-4's clocks run from it), as the alarm asks them to.

# --- two months of quiet: the bot's first pass starts the review clocks
poll_on 2026-10-12T09:00
like "$(bot review)" "(never)" "review: nothing recorded, the bot only started the clocks"

# --- Monday: the card leak; the system admin takes it and starts the investigation
send_mail "$REPORTER" "$BOT_ADDR" "カード情報流出の可能性（約12,000名分）" \
"本日10時頃、ECサイトの決済サーバーに不正アクセスがあり、約12,000名分のクレジットカード情報（氏名・カード番号・有効期限）が流出した可能性があります。" \
	"Date: Mon, 07 Dec 2026 10:05:00 +0900" >/dev/null
poll_on 2026-12-07T10:05
leak=$(tid カード情報)
command "$leak" 2026-12-07T10:10 "/ack
/aware 2026-12-07T10:05+09:00"
is "$(jst 2026-12-07T10:10 show "$leak" --json | json "[o['due'] for o in j['obligations'] if o['kind']=='ppc-preliminary'][0]")" \
	"2026-12-12T10:05:00+09:00" "the PPC 速報 is due Saturday 10:05"

# --- Tuesday: a mis-sent mail, 30 customers: internal targets only
send_mail "$REPORTER" "$BOT_ADDR" "顧客30名分の氏名と住所を別の顧客に誤送信" \
"本日14時ごろ、受注確認メールの誤送信で顧客30名分の氏名と住所が別の顧客1名に送られました。社内で回収済みで、外部への拡散はありません。" \
	"Date: Tue, 08 Dec 2026 14:00:00 +0900" >/dev/null
poll_on 2026-12-08T14:00
missent=$(tid 誤送信)
reply "$ADMIN2" "$(alarm_uid "$ADMIN2" "$missent")" "/ack
/aware 2026-12-08T14:00+09:00"
poll_on 2026-12-08T14:10

# --- Friday 09:00: the daily digest goes out (the one "since" refers to)
poll_on 2026-12-11T09:00
like "$(subjects "$BOSS" | grep "ダイジェスト" | tail -1)" "日次ダイジェスト 2026-12-11" "Friday's digest at 09:00"

# --- Friday: the notice to the individuals is done (late), the leak is
# investigated, and an Amazon seller account is broken into at noon
command "$leak" 2026-12-11T10:00 "/done individuals 本人への通知メールを送付"
command "$leak" 2026-12-11T11:00 "/status investigating"
send_mail "$REPORTER" "$BOT_ADDR" "Amazon セラーセントラルに不審なログイン" \
"Amazon の出品アカウントに海外から不審なログインがありました。注文データが閲覧された可能性があります。" \
	"Date: Fri, 11 Dec 2026 12:05:00 +0900" >/dev/null
poll_on 2026-12-11T12:05
amazon=$(tid セラーセントラル)
reply "$ADMIN2" "$(alarm_uid "$ADMIN2" "$amazon")" "/ack
/aware 2026-12-11T12:05+09:00"
poll_on 2026-12-11T12:10

# --- Saturday: the bot was down at 09:00; its 09:30 pass sends the digest,
# 35 minutes before the PPC 速報 is due
poll_on 2026-12-12T09:30
like "$(subjects "$BOSS" | grep "ダイジェスト" | tail -1)" "日次ダイジェスト 2026-12-12" "Saturday's digest at 09:30"
n=$(subjects "$BOSS" | grep -c "ダイジェスト")
subject=$(subjects "$BOSS" | grep "ダイジェスト" | tail -1)
like "$subject" "【PPC速報 期限まで35分 ほか1件】" \
	"the subject names the nearest statutory deadline and the time left (and one more within 48 h)"
case "$subject" in "【PPC速報"*) ok 0 "... first, where a phone's lock screen shows it" ;;
*) ok 1 "... first, where a phone's lock screen shows it"; echo "#   got: $subject" ;; esac
text=$(digest_mail "$n")
printf '%s\n' "$text" >"$WORK/saturday.txt"

# each incident by name, most urgent first
incidents=$(section "$text" "■ 対応中のインシデント" "  優先度別")
is "$(printf '%s\n' "$incidents" | grep -c '^・')" 3 "one line per open incident (three)"
is "$(printf '%s\n' "$incidents" | grep '^・' | head -1 | cut -d' ' -f1)" "・$leak" \
	"... the leak first (its statutory deadline is nearest)"
like "$incidents" "・$leak カード情報流出の可能性（約12,000名分）｜12,000人｜個人情報あり｜調査中｜担当 北垣 剛志｜法定期限 個人情報保護委員会への速報 2026-12-12 10:05（残り 35分）" \
	"the leak's line: people, personal data, status, owner by name, the PPC 速報 in 35 minutes"
like "$incidents" "・$amazon Amazon セラーセントラルに不審なログイン｜人数不明｜個人情報なし｜受付済み｜担当 伊藤 佳彦｜法定期限なし｜契約上の期限 Amazon への通知 (24 時間以内) 2026-12-12 12:05（残り 2時間35分）" \
	"the Amazon line: no statutory deadline, its contractual one apart"
like "$incidents" "・$missent 顧客30名分の氏名と住所を別の顧客に誤送信｜30人｜個人情報あり｜受付済み｜担当 伊藤 佳彦｜法定期限なし" \
	"the mis-sent mail: no statutory deadline"
is "$(printf '%s\n' "$incidents" | grep "$missent" | grep -c '契約上の期限')" 0 "... and no contractual one"

# deadlines apart
statutory=$(section "$text" "【法定期限】" "【契約上の期限】")
contractual=$(section "$text" "【契約上の期限】" "【社内目標】")
internal=$(section "$text" "【社内目標】" "■ ")
like "$statutory" "・$leak 個人情報保護委員会への速報 — 期限 2026-12-12 10:05（残り 35分）" \
	"statutory: the PPC 速報"
is "$(printf '%s\n' "$statutory" | grep -c 'Amazon\|相談窓口')" 0 "... and no contractual or internal one"
like "$contractual" "・$amazon Amazon への通知 (24 時間以内) — 期限 2026-12-12 12:05（残り 2時間35分）" \
	"contractual: the Amazon notice"
is "$(printf '%s\n' "$contractual" | grep -c '個人情報保護委員会\|相談窓口')" 0 "... alone"
like "$internal" "✕ $leak 相談窓口の設置 (規程 7-5) — 期限 2026-12-10 10:05" "internal: the leak's overdue targets"
like "$internal" "✕ $missent 本人への通知 — 期限 2026-12-11 14:00" "... and the mis-sent mail's"
is "$(printf '%s\n' "$internal" | grep -c '個人情報保護委員会への速報\|Amazon')" 0 "... and nothing statutory or contractual"

# what was done or became late since Friday 09:00
since=$(section "$text" "■ 前回のダイジェスト（2026-12-11 09:00）以降の動き" "■ 未受付")
like "$since" "2026-12-11 10:00 $leak ✕ 完了（期限後 23時間55分）: 本人への通知（法定期限） — 北垣 剛志" \
	"since Friday: the notice to the individuals, done a day late, by whom"
like "$since" "2026-12-11 11:00 $leak 状態: 受付済み → 調査中（北垣 剛志）" "... the leak under investigation"
like "$since" "2026-12-11 12:05 $amazon 新規受付（優先度 高）" "... the Amazon ticket opened"
like "$since" "2026-12-11 14:00 $missent ✕ 期限切れになった: 本人への通知（社内目標）" \
	"... the mis-sent mail's notice became late"
is "$(printf '%s\n' "$since" | grep -c '2026-12-07\|2026-12-08')" 0 "... and nothing from before the last digest"

# no false figures
like "$text" "前回 記録なし、次回期限 2027-04-12（実施の記録がないため運用開始日から起算）" \
	"a review nobody recorded has no 前回 date (the bot's start is no review)"
is "$(printf '%s\n' "$text" | grep -c '前回 2026-10-12')" 0 "... never the day the bot started"
is "$(printf '%s\n' "$text" | grep -c '封じ込めまで')" 0 "no 封じ込めまで: the store times recovery, not containment"
like "$text" "復旧作業に入るまで: データなし（0 件" "... the figure says what it measures"

# the HTML alternative says the same
uid=$(mailbox "$BOSS" list INBOX | grep "ダイジェスト" | sed -n "${n}p" | cut -f1)
mailbox "$BOSS" get "$uid" >"$WORK/saturday.eml"
html=$($PY -c 'import email,email.policy,sys; m=email.message_from_binary_file(open(sys.argv[1],"rb"),policy=email.policy.default); print(m.get_body(("html",)).get_content())' "$WORK/saturday.eml")
like "$html" "【PPC速報 期限まで35分 ほか1件】" "the HTML version shows the warning"
like "$html" "法定期限 個人情報保護委員会への速報<br><b>2026-12-12 10:05（残り 35分）</b>" "... and the leak's deadline"
like "$html" "<b style=\"color:#263238;\">$missent</b>" "... and each incident by name"

# --- past the deadline, the subject says so
subject_late=$(jst 2026-12-12T11:00 digest | head -1)
like "$subject_late" "Subject: 【PPC速報 期限切れ 55分" "an hour later the subject says the PPC 速報 is late"
tap_done
