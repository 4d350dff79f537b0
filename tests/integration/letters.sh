#!/usr/bin/env bash
# letters.sh — the mail that reaches people outside the company reads like
# a letter (issue 13, points 5 and 8), over the real test servers.
#
# An employee reports a card leak from a server (priority high): the
# acknowledgement says to call now, with the admins' numbers, and not to
# talk about it outside.  An outsider reports the same leak: the
# acknowledgement is the outside one — no internal name, number or
# instruction; it asks how they learned of it and how to reach them
# (policy 7-2).  The admin records 12,000 people, the source, a checklist
# item and a note; every notice draft for customers, the public, partners
# and marketplaces then has, between its ======== lines, Japanese dates
# (2026年12月7日 10時5分頃), 12,000, a sentence for how it was learned,
# the company's name and website from `company { }`, and none of: an ISO
# date, a policy section number, checklist or lessons text, English
# labels.  The PPC draft keeps the checklist out of item 8.  Last, a
# second publication (第二報) says when the first was and what was done
# since.  Every mail goes out in ISO-2022-JP and is read back decoded.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
make_bot letters
trap 'rm -rf "$WORK"' EXIT

T0="2026-12-07T10:05:00+09:00"
KUNDE="kunde-$$-$RANDOM@outside.example"
scripts/mailserver adduser "$KUNDE" >/dev/null
# the letters go out as old Japanese clients read them (SPEC: every text
# path survives ISO-2022-JP): smtp.charset, and each mail is read decoded
sed -i 's/^  from_name .*/&\n  charset       = "iso-2022-jp"/' "$CONF"
cat >>"$CONF" <<'CONF'
company {
  name = "株式会社東京シューズ"
  shop = "シューズアイ"
}
CONF
# letter TEXT: the notice itself, between the draft's ======== lines
letter() { printf '%s\n' "$1" | sed -n '/^======== .*（ここから）/,/^======== .*（ここまで）/p'; }
# clean WHAT TEXT: the checks every letter to outsiders must pass
clean() {
	local what=$1 text=$2 bad
	[ -n "$text" ]
	ok $? "$what: the letter is there"
	bad=$(printf '%s\n' "$text" | grep -E '[0-9]{4}-[0-9]{2}-[0-9]{2}' | head -1)
	is "$bad" "" "$what: no ISO date"
	bad=$(printf '%s\n' "$text" | grep -E '規程|policy [0-9]' | head -1)
	is "$bad" "" "$what: no policy section number"
	bad=$(printf '%s\n' "$text" | grep -E 'unknown|未確認 /|/ unknown|により、?により' | head -1)
	is "$bad" "" "$what: no English label, nothing glued to により"
	bad=$(printf '%s\n' "$text" | grep -F -e "$CHECK1" -e "WAF に遮断ルール" | head -1)
	is "$bad" "" "$what: no checklist item and no internal note"
	bad=$(printf '%s\n' "$text" | grep -E '12000' | head -1)
	is "$bad" "" "$what: no number without its thousands separator"
}

# --- two reports of the same leak: an employee's, an outsider's
send_mail "山田 花子 <$REPORTER>" "$BOT_ADDR" "ECサイトのサーバーに不正アクセス" \
"本日9時40分ごろ、ECサイトのサーバーに見知らぬIPからの管理者ログインがありました。
顧客のカード情報が流出した可能性があります。" >/dev/null
# (its customer data gives it the individuals' duties at once; the other
# drafts come once the admin has recorded the facts, with the 12,000 people)
send_mail "$KUNDE" "$BOT_ADDR" "御社の顧客情報が売られています" \
"ある掲示板で、御社に関係するらしい書き込みを見つけました。念のためお知らせします。" >/dev/null
poll_at 0
ok $? "poll --once at T0"
emp=$(bot tickets --json | json "[t['id'] for t in j if t['subject'].startswith('ECサイト')][0]")
out=$(bot tickets --json | json "[t['id'] for t in j if t['subject'].startswith('御社')][0]")
is "$(field "$emp" 'j["priority"]')" high "the employee's report is high priority (a server, customer data)"

# --- point 5: the employee's acknowledgement at high priority
ack=$(mailbox "$REPORTER" body "$(uid_of "$REPORTER" "[$emp]")")
like "$ack" "至急の案件です。今すぐ電話してください" "employee, high: call now"
like "$ack" "北垣 剛志　TEL: 070-0000-0000" "... with the admins' numbers"
like "$ack" "社外に口外しないでください" "... and keep it inside the company"
like "$ack" "URGENT: call an administrator now" "... also in the English part, after the Japanese"
ja_at=$(printf '%s' "$ack" | grep -n "今すぐ電話" | head -1 | cut -d: -f1)
en_at=$(printf '%s' "$ack" | grep -n "URGENT" | head -1 | cut -d: -f1)
ok $((ja_at < en_at ? 0 : 1)) "... Japanese first"

# --- point 5: the outsider's acknowledgement
subj=$(subjects "$KUNDE")
like "$subj" "[$out] ご連絡ありがとうございます" "the outsider gets the outside acknowledgement"
oack=$(mailbox "$KUNDE" body "$(uid_of "$KUNDE" "[$out]")")
like "$(mailbox "$KUNDE" headers "$(uid_of "$KUNDE" "[$out]")")" "charset=ISO-2022-JP" \
	"... sent in ISO-2022-JP (smtp.charset), and read back intact below"
like "$(mailbox "$REPORTER" headers "$(uid_of "$REPORTER" "[$emp]")")" "charset=ISO-2022-JP" \
	"(the employee's too)"
like "$oack" "どのようにしてお知りになったか" "... asking how they learned of it (policy 7-2)"
like "$oack" "ご連絡のつく電話番号・メールアドレス" "... and how to reach them"
like "$oack" "株式会社東京シューズ" "... signed with the company's name"
like "$oack" "https://www.shoes-i.net/" "... and the website policy 7-4 names (the default)"
for leak in "北垣" "伊藤" "070-0000" "$ADMIN1" "$ADMIN2" "電源を切" "規程" "口外" "今すぐ電話"; do
	case "$oack" in *"$leak"*) ok 1 "... it does not contain 「$leak」" ;;
	*) ok 0 "... it does not contain 「$leak」" ;; esac
done

# --- the admin records what is known; the drafts follow
reply "$ADMIN1" "$(uid_of "$ADMIN1" "[$out] 新規インシデント")" "/ack
/type data-leak
/source external-notice
/check 1
/affected 12000
/flag personal-data
/flag financial
/flag partner-data
/flag amazon
/flag rakuten
/flag yahoo
/note WAF に遮断ルールを追加した"
poll_at 600
is "$(field "$out" 'j["affected"]')" 12000 "the admin records 12000 people"
CHECK1=$(field "$out" '[c["text"] for c in j["checklist"] if c["done"]][0]' 2>/dev/null)
ok $([ -n "$CHECK1" ]; echo $?) "... and ticks checklist item 1: $CHECK1"

# draft NAME: the newest draft NAME of the outsider's ticket (issue 13: the
# drafts of a pass come as attachments of one mail; each pass sends the new)
draft() {
	local u text
	for u in $(mailbox "$ADMIN1" list INBOX | grep -F "[$out] 通知文の下書き" | cut -f1 | sort -rn); do
		text=$(attachment "$ADMIN1" "$u" "$1")
		[ -n "$text" ] && { printf '%s\n' "$text"; return; }
	done
}

ind=$(letter "$(draft 本人への通知)")
clean "individuals" "$ind"
like "$ind" "2026年12月7日 10時5分頃、外部からのご連絡により判明いたしました。" \
	"individuals: when and how, as a sentence"
like "$ind" "株式会社東京シューズ" "individuals: signed with the company's name"
like "$ind" "シューズアイをご利用いただき" "individuals: the shop the customer knows"

pub=$(letter "$(draft ホームページでの公表)")
clean "publication" "$pub"
like "$pub" "12,000 名" "publication: 12,000 people"
like "$pub" "シューズアイ（https://www.shoes-i.net/）において" "publication: the shop and its website"
like "$pub" "外部からのご連絡により判明いたしました。" "publication: how it was learned"

par_all=$(draft 取引先への報告)
par=$(letter "$par_all")
clean "partners" "$par"
like "$par" "約 12,000 名" "partners: 12,000"
like "$par" "事案の種別: データ漏洩" "partners: the type, labelled in Japanese"
like "$par_all" "$CHECK1" "partners: the checklist is given to the admin as a reference, outside the letter"

for m in 楽天への電話報告 "Yahoo へのフォーム報告" 相談窓口の設置; do
	clean "$m" "$(letter "$(draft "$m")")"
done
like "$(letter "$(draft 楽天への電話報告)")" "シューズアイ（店舗 ID" "Rakuten: the shop's name in the script"

amz=$(letter "$(draft "Amazon への通知")")
like "$amz" "Became aware: 7 December 2026, 10:05 (UTC+09:00)" "Amazon: an English date"
like "$amz" "How we learned of it: An outside party notified us." "Amazon: how, in English"
case "$amz" in *"$CHECK1"*|*"[translate]"*|*"WAF"*) ok 1 "Amazon: no Japanese checklist or notes to translate in the letter" ;;
*) ok 0 "Amazon: no Japanese checklist or notes to translate in the letter" ;; esac
like "$amz" "株式会社東京シューズ" "Amazon: signed with the company's name"

ppc=$(letter "$(draft 個人情報保護委員会への速報)")
item8=$(printf '%s\n' "$ppc" | sed -n '/^8\. /,/^9\. /p')
case "$item8" in *"$CHECK1"*) ok 1 "PPC item 8: no internal checklist text" ;;
*) ok 0 "PPC item 8: no internal checklist text" ;; esac
like "$ppc" "発覚の経緯: 外部からのご連絡により判明いたしました。" "PPC: how it was learned, as a sentence"

# --- a second publication: what was recorded since the first
reply "$ADMIN1" "$(uid_of "$ADMIN1" "[$out] 新規インシデント")" "/done publication 第一報を掲載"
poll_at 86400
reply "$ADMIN1" "$(uid_of "$ADMIN1" "[$out] 新規インシデント")" "/done ppc-preliminary 速報を提出"
poll_at 90000
reply "$ADMIN1" "$(uid_of "$ADMIN1" "[$out] 新規インシデント")" "/lessons
管理者パスワードの使い回しが原因。北垣が全サーバーの鍵を交換した。"
poll_at 90600
reply "$ADMIN1" "$(uid_of "$ADMIN1" "[$out] 新規インシデント")" "/draft publication"
poll_at 91200
like "$(subjects "$ADMIN1")" "[$out] 下書き: ホームページでの公表 第二報" \
	"/draft publication after the first is done: 第二報 (an asked-for draft comes as its own mail)"
pub2=$(letter "$(mailbox "$ADMIN1" body "$(uid_of "$ADMIN1" "[$out] 下書き: ホームページでの公表 第二報")")")
clean "publication no. 2" "$pub2"
like "$pub2" "（第二報）" "第二報: its title says so"
like "$pub2" "2026年12月8日にお知らせいたしました件" "第二報: it names the first's date"
like "$pub2" "2026年12月8日 個人情報保護委員会へ報告いたしました。" "第二報: what was done since, with its date"
case "$pub2" in *"【報告済み/報告予定】"*) ok 1 "第二報: the PPC report recorded done is said as done" ;;
*) ok 0 "第二報: the PPC report recorded done is said as done" ;; esac
case "$pub2" in *"使い回し"*|*"北垣"*) ok 1 "第二報: not the lessons document" ;;
*) ok 0 "第二報: not the lessons document" ;; esac
tap_done
