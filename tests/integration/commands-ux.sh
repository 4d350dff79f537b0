#!/usr/bin/env bash
# commands-ux.sh — commands that help (issue 13, point 6; /done TIME of
# point 8), over the real test servers, the configured zone Asia/Tokyo:
# a refused mail lists every line with its fate, the did-you-mean and what
# the held-back /ack means for the escalation (which then goes out as
# said); /aware in Japanese forms; /flag and /done by Japanese names;
# /draft shows the mail's own /affected; /type then /skip applies;
# /lessons then /close closes; /help under its own subject in at most 40
# lines; people by their configured names; /done records the real time.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
make_bot commands-ux
trap 'rm -rf "$WORK"' EXIT

T0="2026-12-07T09:00:00+09:00"
alarm_uid() { mailbox "$1" list INBOX | grep "$2" | grep "新規インシデント" | head -1 | cut -f1; }
body_of() { mailbox "$1" body "$(uid_of "$1" "$2")"; }

send_mail "$REPORTER" "$BOT_ADDR" "受注サーバーに不正ログインの形跡" \
	"受注管理サーバーに海外IPからのログインがありました。" >/dev/null
poll_at 0
id=$(bot tickets --json | json 'j[0]["id"]')
is "$(field "$id" 'j["priority"]')" high "a high report: escalation 30 minutes after 09:00"
alarm=$(alarm_uid "$ADMIN1" "$id")

# --- a mixed mail: one bad line, /ack, a near miss: nothing applies, every line is told
reply "$ADMIN1" "$alarm" "/ack
/priority hihg
/note 調査を開始
/done ppc final"
poll_at 300
is "$(field "$id" 'j["status"]')" new "a bad line: nothing applied, /ack neither"
err=$(body_of "$ADMIN1" "コマンドを実行できませんでした")
like "$err" "○ 1 行目 / line 1:  /ack" "the reply lists /ack as valid"
like "$err" "正しい行ですが、適用していません" "... and says it was not applied"
like "$err" "✗ 2 行目 / line 2:  /priority hihg" "... the bad line"
like "$err" "/priority high" "... with the corrected line to copy (did-you-mean)"
like "$err" "○ 3 行目 / line 3:  /note 調査を開始" "... every other line too"
like "$err" "/done ppc-final" "... /done ppc final: did you mean ppc-final"
like "$err" "/ack は適用されていません。エスカレーションは予定どおり 09:30 に行われます" \
	"... and what the held-back /ack means for the escalation"
like "$err" "北垣 剛志 さん" "the refusal addresses the admin by name"
lines=$(printf '%s\n' "$err" | wc -l)
ok $((lines <= 80 ? 0 : 1)) "the refusal is short ($lines lines, no 167-line help)"
poll_at $((31 * 60))
like "$(subjects "$BOSS")" "エスカレーション" "... and the escalation went out as the reply said"

# --- names, Japanese values, the configured zone
reply "$ADMIN1" "$alarm" "/受付
/フラグ 楽天
/認知 2026/12/07 8:40"
poll_at $((32 * 60))
is "$(field "$id" 'j["status"]')/$(field "$id" '"rakuten" in j["flags"]')" "acknowledged/True" \
	"/受付 and /フラグ 楽天 applied"
is "$(field "$id" 'j["aware"]')" "2026-12-07T08:40:00+09:00" "/認知 2026/12/07 8:40 is Tokyo time"
res=$(body_of "$ADMIN1" "コマンドを実行しました")
like "$res" "北垣 剛志 さんのコマンドを実行しました" "the result names the admin"
like "$res" "担当:     北垣 剛志" "... and the owner by name"
case "$res" in *"担当: $ADMIN1"*|*"担当:     $ADMIN1"*) ok 1 "no address for the owner" ;; *) ok 0 "no address for the owner" ;; esac
reply "$ADMIN2" "$(alarm_uid "$ADMIN2" "$id")" "/認知 12月7日 8時15分"
poll_at $((33 * 60))
is "$(field "$id" 'j["aware"]')" "2026-12-07T08:15:00+09:00" "/認知 12月7日 8時15分"
reply "$ADMIN2" "$(alarm_uid "$ADMIN2" "$id")" "/aware 8:05"
poll_at $((34 * 60))
is "$(field "$id" 'j["aware"]')" "2026-12-07T08:05:00+09:00" "/aware 8:05 is today"
reply "$ADMIN2" "$(alarm_uid "$ADMIN2" "$id")" "/aware 23:50"
poll_at $((35 * 60))
is "$(field "$id" 'j["aware"]')" "2026-12-07T08:05:00+09:00" "/aware 23:50 at 09:35 (yesterday?) is refused"
like "$(body_of "$ADMIN2" "コマンドを実行できませんでした")" "昨日なら日付も書いてください" \
	"... clearly"

# --- /assign by a configured person's name
reply "$ADMIN1" "$alarm" "/assign 伊藤佳彦"
poll_at $((35 * 60 + 30))
is "$(field "$id" 'j["owner"]')" "$ADMIN2" "/assign 伊藤佳彦: the configured person (spaces do not count)"
like "$(body_of "$ADMIN1" "コマンドを実行しました")" "担当: 伊藤 佳彦 / assigned to $ADMIN2" \
	"... the result names them"
reply "$ADMIN1" "$alarm" "/assign 山田 太郎"
poll_at $((35 * 60 + 45))
is "$(field "$id" 'j["owner"]')" "$ADMIN2" "/assign an unknown name: refused"
like "$(body_of "$ADMIN1" "コマンドを実行できませんでした")" "設定された人の名前ではありません" "... clearly"

# --- /type then /skip in one mail: the /type took the duty away, the /skip is recorded
reply "$ADMIN1" "$alarm" "/type power
/skip rakuten 停電のため楽天への報告は不要"
poll_at $((36 * 60))
is "$(field "$id" 'j["type"]')" power "/type then /skip: applied"
is "$(field "$id" '[o["state"] for o in j["obligations"] if o["kind"]=="rakuten"][0]')" cancelled \
	"... the Rakuten report no longer owed"
like "$(body_of "$ADMIN1" "コマンドを実行しました")" "既に対象外" "... and the result says so"

# --- /draft uses the mail's own /affected, written below it (the obligations
# exist already, so the /draft's mail is the only draft of this pass)
reply "$ADMIN1" "$alarm" "/type data-leak
/flag 個人情報
/affected 2,000"
poll_at $((37 * 60))
n_drafts=$(subjects "$ADMIN1" | grep -c "下書き: 個人情報保護委員会への速報")
reply "$ADMIN1" "$alarm" "/draft ppc-preliminary
/affected 1,234"
poll_at $((38 * 60))
is "$(field "$id" 'j["affected"]')" 1234 "/affected applied"
is "$(subjects "$ADMIN1" | grep -c "下書き: 個人情報保護委員会への速報")" $((n_drafts + 1)) \
	"/draft: one draft mail"
draft=$(body_of "$ADMIN1" "下書き: 個人情報保護委員会への速報")
like "$draft" "1234 人" "the /draft above /affected shows the mail's own figure"
case "$draft" in *"2000 人"*) ok 1 "... not the figure before the mail" ;; *) ok 0 "... not the figure before the mail" ;; esac

# --- /done NOTICE TIME TEXT, by the notice's Japanese name
reply "$ADMIN1" "$alarm" "/done 速報 2026/12/07 9:20 電子申請で提出"
poll_at $((39 * 60))
is "$(field "$id" '[o["state"] for o in j["obligations"] if o["kind"]=="ppc-preliminary"][0]')" done \
	"/done 速報: the PPC preliminary report is done"
is "$(field "$id" '[o["closed"] for o in j["obligations"] if o["kind"]=="ppc-preliminary"][0]')" \
	"2026-12-07T09:20:00+09:00" "... at the time the admin gave, not when the mail came"
like "$(field "$id" '[o["reason"] for o in j["obligations"] if o["kind"]=="ppc-preliminary"][0]')" \
	"電子申請で提出" "... with its text"

# --- /help: its own subject, at most 40 lines, with examples; only to the sender
reply "$ADMIN2" "$(alarm_uid "$ADMIN2" "$id")" "/help"
poll_at $((40 * 60))
has_help() { [ -n "$(uid_of "$ADMIN2" "コマンドの使い方")" ]; }
wait_for 20 has_help
ok $? "/help: its own subject"
help=$(mailbox "$ADMIN2" body "$(uid_of "$ADMIN2" "コマンドの使い方")")
n=$(printf '%s\n' "$help" | wc -l)
ok $((n >= 20 && n <= 40 ? 0 : 1)) "/help: at most 40 lines ($n), every command"
like "$help" "例 / examples" "/help: with examples"
is "$(subjects "$ADMIN1" | grep -c "コマンドの使い方")" 0 "/help goes only to the one who asked"

# --- /lessons then /close: closed
reply "$ADMIN1" "$alarm" "/skip individuals 訓練のため
/skip consultation-desk 訓練のため
/skip ppc-final 訓練のため
/skip publication 訓練のため
/lessons
原因: VPN 機器の脆弱性。
対策: パッチ適用の手順を月次で確認する。
/close"
poll_at $((41 * 60))
is "$(field "$id" 'j["status"]')" closed "/lessons then /close: closed"
is "$(field "$id" '[e["detail"] for e in j["timeline"] if e["kind"]=="lessons"][0]')" \
	"原因: VPN 機器の脆弱性。
対策: パッチ適用の手順を月次で確認する。" "... the document ends above /close"
tap_done
