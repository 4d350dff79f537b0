#!/usr/bin/env bash
# drafts.sh — a whole incident over the real test servers (issue 6): a
# customer-data leak with Amazon is reported; both admins receive one mail
# with the draft of every notice its obligations require attached (issue
# 13; the PPC preliminary with the nine
# items of APPI rules art. 8(1), Amazon with the on-behalf reminder, …) and
# nobody else does; /flag aws sends the AWS draft to both admins, /draft to
# the one who asked; the admin answers each draft with /done; /status
# resolved sends the owner the policy 8 lessons-learned draft from the
# timeline; the digest lists the ticket as resolved without lessons;
# /lessons stores the document, /close closes it without a second draft.
# Without an owner every admin gets the lessons draft; /close force gets
# none.  Last, check-config names the file and line of a broken template.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
make_bot drafts
trap 'rm -rf "$WORK"' EXIT

T0="2026-11-25T10:00:00+09:00"
drafts_of() { subjects "$1" | grep -c "下書き"; }

# reply (lib.sh) answers a mail of the bot as a mail client does, quoting
# the first 20 lines of it.
REPLY_QUOTE=20

# in_order TEXT ITEM...: passes when every ITEM occurs in TEXT after the one before
in_order() {
	$PY - "$@" <<'PYEOF'
import sys
text, items = sys.argv[1], sys.argv[2:]
pos = 0
for it in items:
    i = text.find(it, pos)
    if i < 0:
        print("# missing or out of order: " + it)
        sys.exit(1)
    pos = i + len(it)
PYEOF
}

# --- the report: a customer-data leak with Amazon
send_mail "$REPORTER" "$BOT_ADDR" "ECサイトの顧客情報が流出した可能性があります" \
"本日、ECサイトの受注管理画面から顧客情報が流出した可能性があります。
約1,200名分の氏名・住所・クレジットカード番号が含まれます。
Amazon の出品用アカウントにも不審なログインがありました。" >/dev/null
poll_at 0
ok $? "poll --once at T0"
id=$(bot tickets --json | json 'j[0]["id"]')
like "$id" "INC-2026-" "a ticket is opened"
kinds=$(field "$id" '" ".join(sorted(o["kind"] for o in j["obligations"] if o["state"]=="open"))')
is "$kinds" "amazon consultation-desk individuals ppc-final ppc-preliminary publication" \
	"its flags create six obligations"

# --- every admin receives ONE mail with a draft per obligation attached
# (issue 13: not one mail per draft), nobody else any
n_obl=$(field "$id" 'len(j["obligations"])')
is "$(drafts_of "$ADMIN1")" 1 "the first admin receives one drafts mail"
is "$(drafts_of "$ADMIN2")" 1 "... and so does the second"
is "$(drafts_of "$REPORTER")/$(drafts_of "$BOSS")" "0/0" "the reporter and management receive none"
bundle=$(uid_of "$ADMIN1" "通知文の下書き")
like "$(subjects "$ADMIN1")" "[$id] 通知文の下書き $n_obl 件（添付）" "its subject: the tag and the count ($n_obl)"
files=$(attachment "$ADMIN1" "$bundle")
is "$(echo "$files" | grep -c .)" "$n_obl" "one attachment per obligation ($n_obl)"
for want in "${id}_個人情報保護委員会への速報.txt" "${id}_個人情報保護委員会への確報.txt" \
	    "${id}_本人への通知.txt" "${id}_ホームページでの公表.txt" \
	    "${id}_Amazon への通知 (24 時間以内).txt" "${id}_相談窓口の設置 (規程 7-5).txt"; do
	like "$files" "$want" "attached: $want"
done
like "$(attachment "$ADMIN1" "$bundle" "ホームページでの公表")" "第一報" "... the publication is the 第一報"
summary=$(mailbox "$ADMIN1" body "$bundle" | tr -d "\r")
like "$summary" "・個人情報保護委員会への速報
  宛先: 個人情報保護委員会 / PPC
  期限: " "the body sums up each draft: which notice, for whom, due when"
alarm_line=$(mailbox "$ADMIN1" list INBOX | grep -n "新規インシデント" | cut -d: -f1 | head -1)
first_draft=$(mailbox "$ADMIN1" list INBOX | grep -n "下書き" | cut -d: -f1 | head -1)
ok $((alarm_line < first_draft ? 0 : 1)) "the drafts come after the alarm"

prelim=$(attachment "$ADMIN1" "$bundle" "個人情報保護委員会への速報")
in_order "$prelim" 概要 \
	"漏えい等が発生し、又は発生したおそれがある個人データの項目" \
	"漏えい等が発生し、又は発生したおそれがある個人データに係る本人の数" \
	原因 "二次被害又はそのおそれの有無及びその内容" "本人への対応の実施状況" \
	"公表の実施状況" "再発防止のための措置" "その他参考となる事項"
ok $? "the PPC preliminary draft has the nine items of APPI rules art. 8(1) in order"
due=$(field "$id" "[o['due'] for o in j['obligations'] if o['kind']=='ppc-preliminary'][0]")
like "$prelim" "期限:     $(echo "$due" | cut -c1-10) $(echo "$due" | cut -c12-16)" "... its deadline ($due)"
like "$prelim" "1200 人" "... the number of people from the ticket"
like "$prelim" "本人への通知: 未実施（期限 " "... 本人への対応 from the individuals obligation"
like "$prelim" "報告時点で把握している内容" "... it says it holds what is known at the time"
like "$prelim" "漏えい等報告フォーム" "... it names the PPC's online form"
like "$prelim" "TEL 03-6457-9685" "... and the PPC's phone from the configuration"
case "$prelim" in *"影響を受けた本人の数（/affected"*) ok 1 "... the number of people is not listed as missing" ;;
*) ok 0 "... the number of people is not listed as missing" ;; esac
like "$prelim" "担当者（/ack または /assign）" "... what is still missing: nobody owns the ticket yet"
amazon=$(attachment "$ADMIN1" "$bundle" "Amazon への通知")
like "$amazon" "Amazon の書面による依頼がない限り、Amazon に代わって規制当局" \
	"the Amazon draft reminds: not on Amazon's behalf without its written request (policy 7-4)"
like "$amazon" "To: 3p-security@amazon.com" "... addressed to contacts.amazon"
customer=$(attachment "$ADMIN1" "$bundle" "本人への通知")
in_order "$customer" 概要 "個人データの項目" 原因 "二次被害又はそのおそれの有無及びその内容" \
	"その他参考となる事項"
ok $? "the notice to the individuals has the items of APPI rules art. 10"

# --- /ack, then /flag aws: its draft to every admin; /draft: only to the asker
reply "$ADMIN1" "$(uid_of "$ADMIN1" "新規インシデント")" "/ack
/flag aws"
poll_at 600
is "$(field "$id" 'j["owner"]')" "$ADMIN1" "/ack: the admin owns the ticket"
is "$(subjects "$ADMIN1" | grep -c "通知文の下書き 1 件")/$(subjects "$ADMIN2" | grep -c "通知文の下書き 1 件")" \
	"1/1" "/flag aws creates the obligation: both admins receive its draft"
aws=$(uid_of "$ADMIN2" "通知文の下書き 1 件")
is "$(attachment "$ADMIN2" "$aws")" "${id}_AWS への通知 (24 時間以内).txt" "... attached, alone"
like "$(attachment "$ADMIN2" "$aws" "AWS")" "宛先:     未設定" \
	"... which says the AWS address is not configured"
like "$(mailbox "$ADMIN1" body "$(uid_of "$ADMIN1" "コマンドを実行しました")")" "下書きを管理者全員に送付" \
	"... and the command result says so"
n2=$(drafts_of "$ADMIN2")
# issue 16: a draft is rendered when it is sent, from the ticket as it is
# then: the /affected of a second command mail taken in by the same pass
# counts (the mails of one pass are taken in before anything is rendered)
reply "$ADMIN1" "$(uid_of "$ADMIN1" "新規インシデント")" "/draft rakuten
/draft ppc-preliminary"
reply "$ADMIN1" "$(uid_of "$ADMIN1" "新規インシデント")" "/affected 1234"
poll_at 900
is "$(subjects "$ADMIN1" | grep -c "下書き: 楽天への電話報告")" 1 "/draft rakuten: the admin who asked gets it"
like "$(mailbox "$ADMIN1" body "$(uid_of "$ADMIN1" "楽天への電話報告")")" "この案件の対応義務ではありません" \
	"... saying it is not an obligation of this ticket"
is "$(drafts_of "$ADMIN2")" "$n2" "... the other admin does not"
again=$(mailbox "$ADMIN1" body "$(uid_of "$ADMIN1" "個人情報保護委員会への速報")")
like "$again" "約1,200名分の氏名・住所・クレジットカード番号" \
	"/draft ppc-preliminary later: the report is read back from the store"
like "$again" "Amazon への通知: 未実施" "... and the obligations' state as of now"
like "$again" "1234 人（報告時点の概数）" "... with the /affected of the next mail of the same pass"

# --- /done for each open obligation, each an answer to its draft (the kind is in its Message-ID)
for u in $(mailbox "$ADMIN1" list INBOX | awk -F'\t' 'index($4, "下書き") { print $1 }'); do
	k=$(mailbox "$ADMIN1" headers "$u" | sed -n "s/^Message-ID: *<$id\.\(drafts\)\..*/\1/Ip;s/^Message-ID: *<$id\.draft-\([a-z-]*\)\..*/\1/Ip")
	echo "$k $u"
done >"$WORK/drafts"
t=1000
for kind in $(field "$id" '" ".join(o["kind"] for o in j["obligations"] if o["state"]=="open")'); do
	uid=$(awk -v k="$kind" '$1 == k { u = $2 } END { print u }' "$WORK/drafts")
	# a draft that came only attached: the answer goes to the drafts mail
	[ -n "$uid" ] || uid=$(awk '$1 == "drafts" { u = $2 } END { print u }' "$WORK/drafts")
	reply "$ADMIN1" "$uid" "/done $kind 送付しました（$kind）"
	t=$((t + 60))
	poll_at $t
done
is "$(field "$id" '" ".join(sorted(set(o["state"] for o in j["obligations"])))')" done \
	"every obligation is recorded done, each by an answer to its draft"
like "$(field "$id" "[o['reason'] for o in j['obligations'] if o['kind']=='amazon'][0]")" \
	"送付しました（amazon）" "... with the admin's words"

# --- resolved: the owner receives the lessons-learned draft (policy 8)
reply "$ADMIN1" "$(uid_of "$ADMIN1" "新規インシデント")" "/note WAF に遮断ルールを追加した
/status resolved"
poll_at 3000
is "$(field "$id" 'j["status"]')" resolved "/status resolved"
is "$(subjects "$ADMIN1" | grep -c "教訓（再発防止文書）の下書き")" 1 "the owner receives the lessons-learned draft"
is "$(subjects "$ADMIN2" | grep -c "教訓（再発防止文書）の下書き")" 0 "... the other admin does not"
lessons=$(mailbox "$ADMIN1" body "$(uid_of "$ADMIN1" "教訓（再発防止文書）の下書き")")
in_order "$lessons" "インシデントの説明" "修復アクション" "関連する修正プロセス" "システムコントロール" \
	"再発防止計画" "技術的側面" "組織的側面" "良かった点" "不備" "タイムライン"
ok $? "... with the sections of policy 8 in order"
like "$lessons" "WAF に遮断ルールを追加した" "... the notes as remediation actions"
like "$lessons" "状態の変更  $ADMIN1: acknowledged → resolved" "... the status changes on the timeline"
like "$lessons" "対応の記録  $ADMIN1: amazon: done" "... the obligations recorded done, with times"
like "$lessons" "Amazon への通知 (24 時間以内): 期限内に実施" "... what went well"

digest=$(bot --now "$(at 3100)" digest)
like "$digest" "再発防止文書（規程 8）が未登録: 1 件" "the digest counts the resolved ticket without lessons"
like "$digest" "$id [優先度 高]" "... and lists it"

# --- /lessons stores the document; /close closes without a second draft
reply "$ADMIN1" "$(uid_of "$ADMIN1" "教訓（再発防止文書）の下書き")" "/lessons
1. 説明: 受注管理画面への不正ログインによる顧客情報の漏えい。
5.1 技術的側面: 管理画面に多要素認証を導入した。
5.2 組織的側面: パスワード管理の教育を全従業員に行う。"
poll_at 3200
like "$(field "$id" '[e["detail"] for e in j["timeline"] if e["kind"]=="lessons"][0]')" "多要素認証" \
	"/lessons stores the final document"
is "$(bot --now "$(at 3300)" digest | grep -c "再発防止文書（規程 8）が未登録")" 0 \
	"the digest no longer lists it"
# policy 8(3): the plan written, telling all staff becomes a duty, drafted
is "$(field "$id" '[o["state"] for o in j["obligations"] if o["kind"]=="circulation"][0]')" open \
	"/lessons opens the circulation of the prevention plan to all staff (policy 8(3))"
wait_for 20 bash -c "$PY $ROOT/scripts/mailbox.py $ADMIN2 list INBOX | grep -q '通知文の下書き 1 件'"
ok $? "... and every admin gets the draft of the all-staff announcement (one drafts mail)"
circ=$(attachment "$ADMIN2" "$(uid_of "$ADMIN2" "通知文の下書き 1 件")" "再発防止計画の全従業員への周知")
like "$circ" "多要素認証を導入した" "... which quotes the plan as recorded"
like "$circ" "/done circulation" "... and says how to record it sent"
reply "$ADMIN1" "$(uid_of "$ADMIN1" "新規インシデント")" "/done circulation 全従業員にメールで周知した"
poll_at 3350
is "$(field "$id" '[o["state"] for o in j["obligations"] if o["kind"]=="circulation"][0]')" done \
	"/done circulation records it"
reply "$ADMIN1" "$(uid_of "$ADMIN1" "新規インシデント")" "/close"
poll_at 3400
is "$(field "$id" 'j["status"]')" closed "/close: closed"
is "$(subjects "$ADMIN1" | grep -c "教訓（再発防止文書）の下書き")" 1 \
	"... passing through resolved with the lessons stored: no second lessons draft"

# --- the whole incident in the evidence export (policy 7-3, 7-4, 8), and verify
bot --now "$(at 3450)" export "$id" --out "$WORK/export" >/dev/null
ok $? "export writes the evidence folder of the closed incident"
report="$WORK/export/report.md"
for kind in opened classified obligation-opened draft command status obligation-closed lessons; do
	grep -q "| $kind |" "$report"
	ok $? "the export's timeline has the $kind events"
done
is "$(grep -c '| 2026-11-25T1[0-1]:[0-9][0-9]:[0-9][0-9]+09:00 |' "$report" | awk '{print ($1 > 20)}')" 1 \
	"... each with its RFC 3339 timestamp"
like "$(cat "$report")" "多要素認証" "... and the lessons-learned document"
(cd "$WORK/export" && sha256sum --quiet -c manifest.sha256)
ok $? "the export's manifest checks"
out=$(bot verify)
ok $? "verify passes on the whole database: $out"

# --- nobody owns it: every admin gets the lessons draft; /close force waives it
send_mail "$REPORTER" "$BOT_ADDR" "社内PCの動作が遅い" "特に急ぎません。" >/dev/null
send_mail "$REPORTER" "$BOT_ADDR" "不審なメールを受信" "添付は開いていません。" >/dev/null
poll_at 3500
id2=$(bot tickets --json | json '[t["id"] for t in j if t["subject"]=="社内PCの動作が遅い"][0]')
id3=$(bot tickets --json | json '[t["id"] for t in j if t["subject"]=="不審なメールを受信"][0]')
is "$(subjects "$ADMIN1" | grep "$id2" | grep -c "下書き")" 0 "a ticket without obligations gets no drafts"
reply "$ADMIN2" "$(mailbox "$ADMIN2" list INBOX | grep "$id2" | grep "新規インシデント" | cut -f1)" "/status resolved"
reply "$ADMIN2" "$(mailbox "$ADMIN2" list INBOX | grep "$id3" | grep "新規インシデント" | cut -f1)" "/close force 誤報でした"
poll_at 3600
is "$(field "$id2" 'j["status"]')/$(field "$id3" 'j["status"]')" "resolved/closed" "/status resolved; /close force"
is "$(subjects "$ADMIN1" | grep "$id2" | grep -c "教訓")/$(subjects "$ADMIN2" | grep "$id2" | grep -c "教訓")" \
	"1/1" "resolved without an owner: every admin gets the lessons-learned draft"
is "$(subjects "$ADMIN1" | grep "$id3" | grep -c "教訓")/$(subjects "$ADMIN2" | grep "$id3" | grep -c "教訓")" \
	"0/0" "/close force REASON waives the document: no lessons-learned draft"

# --- check-config names the file and line of a broken draft template
cp -r "$ROOT/templates" "$WORK/tpl"
line=$(grep -n '^受付番号: {{ticket_id}}' "$WORK/tpl/draft-amazon.txt" | cut -d: -f1)
sed -i "${line}s/{{ticket_id}}/{{ticket_idd}}/" "$WORK/tpl/draft-amazon.txt"
grep -q ticket_idd "$WORK/tpl/draft-amazon.txt"
ok $? "(a typo on line $line of a copy of draft-amazon.txt)"
sed -i "s|^templates .*|templates = \"$WORK/tpl\"|" "$CONF"
out=$(bot check-config 2>&1)
is "$?" 2 "check-config fails"
like "$out" "draft-amazon.txt:$line: unknown variable \"ticket_idd\"" "... naming the file and line of the unknown variable"
sed -i "s|^templates .*|templates = \"$ROOT/templates\"|" "$CONF"
out=$(bot check-config 2>&1)
is "$?" 0 "the bundled templates pass check-config"
tap_done
