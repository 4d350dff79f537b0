#!/usr/bin/env bash
# judgment.sh — the bot's judgment as the product lives (issue 12): many
# reports through one `run` process get exactly what each gets alone in a
# process of its own (the classifier once forgot its words after the first
# report), and every legal clock starts when the report reached the
# mailbox (or its Date, a little earlier), not when the bot got to it.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
make_bot judgment
bot_pid=
trap '[ -n "$bot_pid" ] && kill "$bot_pid" 2>/dev/null; rm -rf "$WORK"' EXIT

EVAL=$ROOT/tests/eval
N=${IB_JUDGMENT_REPORTS:-60}
count() { mailbox "$1" count INBOX; }
# One line per ticket: what the classification decided, sorted.
decisions() {	# decisions CONF
	"$BOT" -c "$1" tickets --all --json | json '"\n".join(sorted(
	    "%s|%s|%s|%s|%s|%s" % (t["subject"], t["type"], t["priority"], t.get("source"),
	    " ".join(sorted(t["flags"])), t.get("affected")) for t in j))'
}

mapfile -t reports < <(ls "$EVAL"/tuned/*.eml "$EVAL"/heldout/*.eml 2>/dev/null | head -n "$N")
if [ "${#reports[@]}" -lt 50 ]; then
	echo "not ok 1 - judgment: at least 50 evaluation reports in tests/eval (found ${#reports[@]})"
	tap_done
	exit 1
fi

# --- many reports, one `run` process
scripts/mailserver deliver "$BOT_ADDR" "${reports[@]}" >/dev/null
ok $? "${#reports[@]} evaluation reports delivered to the bot's INBOX"
"$BOT" -c "$CONF" run 2>"$WORK/run.log" &	# the binary itself: a function would fork a shell
bot_pid=$!
wait_for 120 bash -c "[ \"\$($PY $ROOT/scripts/mailbox.py $BOT_ADDR count INBOX)\" = 0 ]"
ok $? "run took every report out of the INBOX"
kill -TERM "$bot_pid"
wait "$bot_pid" 2>/dev/null
ok $? "run ended cleanly on SIGTERM"
bot_pid=
one_run=$(decisions "$CONF")

# --- the same reports, one process each
CONF2=$WORK/alone.conf
sed 's|^database  = .*|database  = "state/alone.db"|' "$CONF" >"$CONF2"
for f in "${reports[@]}"; do
	scripts/mailserver deliver "$BOT_ADDR" "$f" >/dev/null
	"$BOT" -c "$CONF2" poll --once 2>>"$WORK/alone.log"
done
alone=$(decisions "$CONF2")
is "$(echo "$one_run" | wc -l)" "$(echo "$alone" | wc -l)" \
	"one run process opens as many tickets as a process per report ($(echo "$alone" | wc -l) of ${#reports[@]} mails; machines' mail opens none)"

if [ "$one_run" = "$alone" ]; then
	ok 0 "one run process decides every report as a process of its own does"
else
	ok 1 "one run process decides every report as a process of its own does"
	diff <(echo "$one_run") <(echo "$alone") | head -20 | sed 's/^/# /'
fi
other=$(echo "$one_run" | grep -c '|other|low|None||' || true)
ok $((other > ${#reports[@]} / 4)) "not a run of unclassified reports ($other of ${#reports[@]} with nothing found)"

# --- the awareness time (SPEC 3, policy 7-4)
# Processed six hours after arrival: the clock starts at the arrival, or at
# the Date when it is a little earlier; a Date days earlier is not trusted.
raw_report() {	# raw_report MESSAGE-ID DATE SUBJECT
	printf 'From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\nMessage-ID: <%s>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n%s\r\n' \
		"$REPORTER" "$BOT_ADDR" "$3" "$2" "$1" "顧客情報が流出した可能性があります。"
}
now=$(date +%s)
rfc2822() { date -R -d "@$1"; }
raw_report "aware-queued-$$@example.com" "$(rfc2822 $((now - 1200)))" "認知時刻テスト（送信20分後に着信）" >"$WORK/a1.eml"
raw_report "aware-old-$$@example.com" "$(rfc2822 $((now - 3 * 86400)))" "認知時刻テスト（送信日時が3日前）" >"$WORK/a2.eml"
scripts/mailserver deliver "$BOT_ADDR" "$WORK/a1.eml" "$WORK/a2.eml" >/dev/null
arrived=$(date +%s)
later=$(date -d "@$((now + 6 * 3600))" --iso-8601=seconds)
"$BOT" -c "$CONF" --now "$later" poll --once 2>>"$WORK/poll.log"
ok $? "poll --once six hours after the reports arrived"
aware_of() {	# aware_of SUBJECT: the ticket's awareness time as seconds
	"$BOT" -c "$CONF" --now "$later" tickets --all --json |
		json "[t['aware'] for t in j if t['subject']=='$1'][0]" |
		xargs -I{} date -d {} +%s
}
is "$(aware_of "認知時刻テスト（送信20分後に着信）")" "$((now - 1200))" \
	"a Date 20 minutes before arrival starts the clocks, not the processing six hours later"
a2=$(aware_of "認知時刻テスト（送信日時が3日前）")
ok $(( a2 >= now - 5 && a2 <= arrived + 5 ? 0 : 1 )) \
	"a Date three days before arrival is not trusted: the arrival starts the clocks ($a2, arrived $now–$arrived)"
id=$("$BOT" -c "$CONF" --now "$later" tickets --all --json | json "[t['id'] for t in j if t['subject']=='認知時刻テスト（送信日時が3日前）'][0]")
show=$("$BOT" -c "$CONF" --now "$later" show "$id" --json)
amazon_free_due=$(echo "$show" | json "[o['due'] for o in j['obligations'] if o['kind'] in ('individuals','ppc-assess')][0]")
ok $(( $(date -d "$amazon_free_due" +%s) < now + 6 * 3600 + 3 * 86400 ? 0 : 1 )) \
	"its deadlines count from the arrival ($amazon_free_due), not from the processing time"
like "$(echo "$show" | json '" / ".join(e["detail"] or "" for e in j["timeline"])')" "INTERNALDATE" \
	"the timeline says where the awareness time came from"
alarm=$(mailbox "$ADMIN1" body "$(mailbox "$ADMIN1" list INBOX | awk -F'\t' -v p="$id" 'index($4, p) && index($4, "新規インシデント") { u = $1 } END { print u }')")
like "$alarm" "/aware" "the alarm says how to correct the awareness time"
# a time the reporter writes is proposed, never taken by itself
hm=$(TZ=Asia/Tokyo date -d "@$((now - 1800))" '+%-H時%-M分')
# 「本日」 is the mail's day: in the first half hour after midnight in Tokyo
# (15:00–15:30 UTC) the half hour before was 「昨日」 (本日23時50分 would be
# after the mail's Date, which no proposal may be)
day=本日
[ "$(TZ=Asia/Tokyo date -d "@$((now - 1800))" +%F)" = "$(TZ=Asia/Tokyo date -d "@$now" +%F)" ] ||
	day=昨日
printf 'From: %s\r\nTo: %s\r\nSubject: 認知時刻の提案\r\nDate: %s\r\nMessage-ID: <noticed-%s@example.com>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n%s%sごろ、顧客情報の流出に気づきました。\r\n' \
	"$REPORTER" "$BOT_ADDR" "$(rfc2822 "$now")" "$$" "$day" "$hm" >"$WORK/a3.eml"
scripts/mailserver deliver "$BOT_ADDR" "$WORK/a3.eml" >/dev/null
"$BOT" -c "$CONF" --now "$later" poll --once 2>>"$WORK/poll.log"
id3=$("$BOT" -c "$CONF" --now "$later" tickets --all --json | json "[t['id'] for t in j if t['subject']=='認知時刻の提案'][0]")
wait_for 20 bash -c "$PY $ROOT/scripts/mailbox.py $ADMIN1 list INBOX | grep -q '$id3'"
alarm=$(mailbox "$ADMIN1" body "$(mailbox "$ADMIN1" list INBOX | awk -F'\t' -v p="$id3" 'index($4, p) && index($4, "新規インシデント") { u = $1 } END { print u }')")
like "$alarm" "/aware $(TZ=Asia/Tokyo date -d "@$(( (now - 1800) / 60 * 60 ))" '+%Y-%m-%d %H:%M')" \
	"the alarm proposes the time the reporter wrote (「${day}${hm}ごろ」) for /aware"
aware3=$("$BOT" -c "$CONF" --now "$later" show "$id3" --json | json 'j["aware"]' | xargs -I{} date -d {} +%s)
ok $(( aware3 >= now - 5 ? 0 : 1 )) "... without taking it by itself (the clocks start at the arrival)"

# --- people and records apart (APPI rules art. 7(4) counts people)
send_mail "$REPORTER" "$BOT_ADDR" "会員DBの件数確認" \
"流出した可能性のある会員情報は約12,000件のレコードです。本人の数は確認中です。" >/dev/null
send_mail "$REPORTER" "$BOT_ADDR" "1000人超の会員情報" \
"会員情報（氏名・住所）が1,000人超、外部から閲覧できる状態でした。" >/dev/null
"$BOT" -c "$CONF" poll --once 2>>"$WORK/poll.log"
t_of() { "$BOT" -c "$CONF" tickets --json | json "[t for t in j if t['subject']=='$1'][0]$2"; }
is "$(t_of 会員DBの件数確認 "['records']") $(t_of 会員DBの件数確認 "['affected']")" "12000 None" \
	"12,000 records are records, not people: the people stay unknown"
id=$(t_of 会員DBの件数確認 "['id']")
like "$("$BOT" -c "$CONF" show "$id" --json | json "' '.join(o['kind'] for o in j['obligations'])")" "ppc-assess" \
	"... so the admins are asked whether the PPC must be told (ppc-assess)"
is "$(t_of 1000人超の会員情報 "['affected']") $(t_of 1000人超の会員情報 "['affected_over']")" "1000 True" \
	"「1,000人超」 is more than 1,000 people"
id=$(t_of 1000人超の会員情報 "['id']")
like "$("$BOT" -c "$CONF" show "$id" --json | json "' '.join(o['kind'] for o in j['obligations'])")" "ppc-preliminary" \
	"... which makes the PPC report mandatory (APPI rules art. 7(4))"
kinds=$("$BOT" -c "$CONF" show "$id" --json | json "' '.join(sorted(o['kind'] + '=' + o['deadline'] for o in j['obligations'] if o['kind'] in ('ppc-preliminary', 'individuals', 'publication')))")
is "$kinds" "individuals=statutory ppc-preliminary=statutory publication=internal" \
	"every deadline says its kind: the law's, or an internal target (show --json deadline)"
like "$("$BOT" -c "$CONF" show "$id")" "[法定期限]" "... and show says 法定期限"

# --- the law's edge cases: encrypted data, data we process for a client
send_mail "$REPORTER" "$BOT_ADDR" "暗号化PCの盗難" \
"顧客5,000人分のカード情報が入った営業用ノートPCが盗まれました。ディスクはBitLockerで暗号化済みです。" >/dev/null
send_mail "$REPORTER" "$BOT_ADDR" "委託元データの誤送信" \
"発送代行で委託元のB社からお預かりしている顧客200人分の住所データを別の取引先に誤送信しました。" >/dev/null
"$BOT" -c "$CONF" poll --once 2>>"$WORK/poll.log"
kinds_of() { "$BOT" -c "$CONF" show "$(t_of "$1" "['id']")" --json | json "' '.join(sorted(o['kind'] for o in j['obligations']))"; }
enc=$(kinds_of 暗号化PCの盗難)
like "$enc" "ppc-assess" "encrypted card data (APPI rules art. 7 括弧書): the admins decide whether to report (ppc-assess)"
case " $enc " in *" ppc-preliminary "*) ok 1 "... no mandatory PPC report" ;; *) ok 0 "... no mandatory PPC report" ;; esac
like "$(kinds_of 委託元データの誤送信)" "principal" "data we process for a client: the principal is told (APPI art. 26(1) ただし書)"
wait_for 20 bash -c "$PY $ROOT/scripts/mailbox.py $ADMIN1 list INBOX | grep '通知文の下書き' | grep -q '委託元データの誤送信'"
ok $? "... and the admins get the drafts mail (issue 13)"
u=$(mailbox "$ADMIN1" list INBOX | awk -F'\t' 'index($4, "通知文の下書き") && index($4, "委託元データの誤送信") { u = $1 } END { print u }')
like "$(attachment "$ADMIN1" "$u")" "委託元への通知" "... with the draft of that notice attached"

# --- "damage internal only" waives nothing by itself (policy 7-4 省略可能)
send_mail "$REPORTER" "$BOT_ADDR" "共有フォルダの権限設定ミス" \
"共有フォルダの権限設定ミスで、顧客情報（氏名・住所）と楽天の注文データが
社内の全員から閲覧できる状態でした。社外からはアクセスできず、外部への影響はありません。" >/dev/null
"$BOT" -c "$CONF" poll --once 2>>"$WORK/poll.log"
id=$("$BOT" -c "$CONF" tickets --json | json "[t['id'] for t in j if t['subject']=='共有フォルダの権限設定ミス'][0]")
show=$("$BOT" -c "$CONF" show "$id" --json)
like "$(echo "$show" | json '" ".join(j["flags"])')" "internal-only" "the report says the damage stayed inside: internal-only"
obl() { echo "$show" | json "' '.join(sorted(o['kind'] for o in j['obligations'] if o['state']=='open' and o['skippable'] == $1))"; }
is "$(obl True)" "individuals rakuten" \
	"the customers' and Rakuten's notices stay open, marked skippable (not dropped)"
is "$(obl False)" "consultation-desk ppc-assess" \
	"the PPC assessment (law) and the consultation desk (7-5) are not skippable"
wait_for 20 bash -c "$PY $ROOT/scripts/mailbox.py $ADMIN1 list INBOX | grep -q '$id'"
alarm=$(mailbox "$ADMIN1" body "$(mailbox "$ADMIN1" list INBOX | awk -F'\t' -v p="$id" 'index($4, p) && index($4, "新規インシデント") { u = $1 } END { print u }')")
like "$alarm" "省略可（被害が社内で完結: 規程 7-4）" "the alarm marks the skippable duties"
like "$alarm" "/skip rakuten 理由" "... and says how to skip one, with a reason"

# --- policy 6(3): a system's recovery priority and its downtime target
cat >>"$CONF" <<'SYS'
system "受注管理システム" { keywords = {"受注管理", "OMS"} priority = "high" max_downtime = "4h" }
system "社内Wiki" { keywords = {"社内wiki"} priority = "low" }
SYS
"$BOT" -c "$CONF" check-config >/dev/null 2>>"$WORK/poll.log"
ok $? "check-config takes the system sections"
send_mail "$REPORTER" "$BOT_ADDR" "ＯＭＳが起動しない" "朝から受注の画面が開けません。サーバーが応答していないようです。" >/dev/null
send_mail "$REPORTER" "$BOT_ADDR" "社内Wikiが遅い" "社内Wikiの表示が遅いです。" >/dev/null
"$BOT" -c "$CONF" poll --once 2>>"$WORK/poll.log"
is "$(t_of ＯＭＳが起動しない "['system']") $(t_of ＯＭＳが起動しない "['priority']")" "受注管理システム high" 	"a report naming the order system (full-width ＯＭＳ) gets its recovery priority: high"
show=$("$BOT" -c "$CONF" show "$(t_of ＯＭＳが起動しない "['id']")" --json)
rec=$(echo "$show" | json "[(o['due'], o['deadline']) for o in j['obligations'] if o['kind']=='recovery'][0]")
due=$(echo "$show" | json "[o['due'] for o in j['obligations'] if o['kind']=='recovery'][0]" | xargs -I{} date -d {} +%s)
aware=$(echo "$show" | json 'j["aware"]' | xargs -I{} date -d {} +%s)
is "$((due - aware))" 14400 "... and a recovery target 4 h after the awareness time (max_downtime)"
like "$rec" "internal" "... an internal target (社内目標), not the law's"
is "$(t_of 社内Wikiが遅い "['system']") $(t_of 社内Wikiが遅い "['recovery_seconds']")" "社内Wiki None" 	"a low system without max_downtime: named, no recovery target"
is "$("$BOT" -c "$CONF" show "$(t_of 社内Wikiが遅い "['id']")" --json | json "len([o for o in j['obligations'] if o['kind']=='recovery'])")" 0 \
	"... and no recovery obligation"
oms=$(t_of ＯＭＳが起動しない "['id']")
wait_for 20 bash -c "$PY $ROOT/scripts/mailbox.py $ADMIN1 list INBOX | grep -qF '[$oms] '"
is "$(mailbox "$ADMIN1" list INBOX | cut -f4 | grep -F "[$oms]" | grep -c "下書き")" 0 \
	"the recovery target is no notice: no draft is mailed for it"

tap_done
