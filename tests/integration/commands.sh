#!/usr/bin/env bash
# commands.sh — admin commands by e-mail over the real test servers (issue 5):
# an admin's reply from mutt with /ack stops the escalation; flags create the
# PPC obligations; /close needs the lessons; Japanese aliases and the
# full-width slash work; and every forgery changes nothing while the admins
# are told: a forged From without token, a token used by a non-admin, a
# token of another ticket, a forged Authentication-Results in dkim mode,
# commands in quoted text, SQL and CR/LF in values.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
make_bot commands
trap 'rm -rf "$WORK"' EXIT

T0="2026-11-25T10:00:00+09:00"
db() { sqlite3 "$WORK/state/incidents.db" "$1"; }

# reply (lib.sh) answers a mail of the bot as a mail client does.
alarm_uid() {	# alarm_uid USER TICKET: the UID of the alarm of TICKET in USER's INBOX
	mailbox "$1" list INBOX | grep "$2" | grep "新規インシデント" | head -1 | cut -f1
}
last_uid() { mailbox "$1" list INBOX | grep "$2" | tail -1 | cut -f1; }

# --- a report, and the admin's /ack from mutt stops the escalation
send_mail "$REPORTER" "$BOT_ADDR" "受注サーバーに不正ログインの形跡" \
	"受注管理サーバーに海外IPからのログインがありました。" >/dev/null
poll_at 0
id=$(bot tickets --json | json 'j[0]["id"]')
is "$(bot tickets --json | json 'j[0]["priority"]')" high "the report is priority high (escalation after 30 min)"
uid=$(alarm_uid "$ADMIN1" "$id")
reply_to=$(reply_to "$ADMIN1" "$uid")
like "$reply_to" "+$id-" "the alarm's Reply-To carries the ticket and a token"
muttrc mutt utf-8 | sed "s|^set from = .*|set from = \"管理 一 <$ADMIN1>\"|" >"$WORK/muttrc"
msgid=$(mailbox "$ADMIN1" headers "$uid" | sed -n 's/^Message-ID: *//Ip')
{
	printf 'To: %s\nSubject: Re: [%s] alarm\nIn-Reply-To: %s\nReferences: %s\n\n' \
		"$reply_to" "$id" "$msgid" "$msgid"
	printf '/ack\n/note 調査を開始します\n\n> 新しいセキュリティインシデントの報告\n> /close force quoted\n'
} >"$WORK/draft"
LANG=C.UTF-8 mutt -n -F "$WORK/muttrc" -H "$WORK/draft" </dev/null 2>"$WORK/mutt.err"
ok $? "the admin answers the alarm with mutt: /ack"
poll_at $((10 * 60))
is "$(field "$id" 'j["status"]')" acknowledged "/ack: the ticket is acknowledged"
is "$(field "$id" 'j["owner"]')" "$ADMIN1" "... owned by the admin who took it"
like "$(field "$id" '[e["detail"] for e in j["timeline"] if e["kind"]=="note"][0]')" "調査を開始します" \
	"/note is on the timeline"
like "$(subjects "$ADMIN1")" "コマンドを実行しました" "the admin gets the result"
like "$(subjects "$ADMIN2")" "コマンドを実行しました" "... and so does the other admin"
like "$(field "$id" '[e["detail"] for e in j["timeline"] if e["kind"]=="command"][0]')" "sha256 " \
	"the audit event names the mail's SHA-256"
poll_at $((31 * 60))
is "$(subjects "$BOSS" | grep -c "エスカレーション")" 0 "acknowledged: no escalation at +31 min"
isnt_closed=$(field "$id" 'j["status"]')
is "$isnt_closed" acknowledged "the quoted '> /close force' was not read as a command"

# --- flags create the PPC obligations, 60 days for the malicious case
send_mail "$REPORTER" "$BOT_ADDR" "社内PCの動作が遅い" "特に急ぎません。" >/dev/null
poll_at $((60 * 60))
id2=$(bot tickets --json | json '[t["id"] for t in j if t["subject"]=="社内PCの動作が遅い"][0]')
is "$(field "$id2" 'len(j["obligations"])')" 0 "a slow PC has no obligations"
reply "$ADMIN1" "$(alarm_uid "$ADMIN1" "$id2")" "/flag personal-data
/flag malicious
/affected 40"
poll_at $((61 * 60))
kinds=$(field "$id2" '" ".join(o["kind"] for o in j["obligations"] if o["state"]=="open")')
like "$kinds" "ppc-preliminary" "/flag personal-data + malicious: the PPC preliminary report"
is "$(field "$id2" '[o["due"] for o in j["obligations"] if o["kind"]=="ppc-final"][0]')" \
	"2027-01-24T11:00:00+09:00" "... and the final report in 60 days from the awareness time"

# --- /close needs the lessons; /lessons then /close closes
reply "$ADMIN1" "$(alarm_uid "$ADMIN1" "$id2")" "/close"
poll_at $((62 * 60))
is "$(field "$id2" 'j["status"]')" new "/close without lessons is refused"
like "$(subjects "$ADMIN1")" "コマンドを実行できませんでした" "... the admin is told why"
# /status is no way around the rule (policy 8): the whole mail is refused
reply "$ADMIN1" "$(alarm_uid "$ADMIN1" "$id2")" "/status resolved
/status closed"
poll_at $((62 * 60 + 30))
is "$(field "$id2" 'j["status"]')" new "/status resolved + /status closed without lessons: refused"
like "$(field "$id2" '[e["detail"] for e in j["timeline"] if e["kind"]=="command-refused"][-1]')" \
	"policy 8" "... the refusal names policy 8"
reply "$ADMIN1" "$(alarm_uid "$ADMIN1" "$id2")" "/skip ppc-preliminary 調査の結果、個人データの漏えいはなかった
/skip ppc-final 同上"
poll_at $((63 * 60))
reply "$ADMIN1" "$(alarm_uid "$ADMIN1" "$id2")" "/close
/lessons
原因: ウイルス対策ソフトの定義ファイルが古かった。
対策: 自動更新を有効にし、月次で確認する。"
poll_at $((64 * 60))
is "$(field "$id2" 'j["status"]')" closed "/close with /lessons in the same mail: closed"
like "$(field "$id2" '[e["detail"] for e in j["timeline"] if e["kind"]=="lessons"][0]')" "自動更新" \
	"... the lessons-learned document is stored"
is "$(field "$id2" '[o["state"] for o in j["obligations"] if o["kind"]=="ppc-final"][0]')" \
	not-needed "/skip records an obligation as not needed"

# --- Japanese aliases and the full-width slash
send_mail "$REPORTER" "$BOT_ADDR" "プリンタが故障" "紙詰まりが直りません。" >/dev/null
poll_at $((70 * 60))
id3=$(bot tickets --json | json '[t["id"] for t in j if t["subject"]=="プリンタが故障"][0]')
reply "$ADMIN2" "$(alarm_uid "$ADMIN2" "$id3")" "／受付
／優先度　中
/状態 調査中"
poll_at $((71 * 60))
is "$(field "$id3" 'j["status"]')/$(field "$id3" 'j["priority"]')" "investigating/medium" \
	"／受付, ／優先度　中, /状態 調査中: full-width slash, space and Japanese values work"

# --- forgeries: nothing changes, the admins are told, the sender is not
refused_before() { subjects "$ADMIN2" | grep -c "コマンドを実行しませんでした"; }
n0=$(refused_before)
send_mail "$ADMIN1" "$BOT_ADDR" "[$id3] 対応" "/close force 偽物" >/dev/null
poll_at $((72 * 60))
is "$(field "$id3" 'j["status"]')" investigating "a forged From of an admin without token changes nothing"
is "$(refused_before)" $((n0 + 1)) "... and the admins are told"

tok_addr=$(reply_to "$ADMIN1" "$(alarm_uid "$ADMIN1" "$id3")")
send_mail "$REPORTER" "$tok_addr" "Re: [$id3]" "/close force 乗っ取り" >/dev/null
poll_at $((73 * 60))
is "$(field "$id3" 'j["status"]')" investigating "a valid token sent by a non-admin changes nothing"
is "$(refused_before)" $((n0 + 2)) "... the admins are told"
is "$(subjects "$REPORTER" | grep -c "コマンド")" 0 "... the sender is never told"
# issue 14: that token leaked, so it is dead now; the admin's later mail
# carries a fresh one (tests/integration/security-tokens.sh tests it all)
like "$(subjects "$ADMIN1")" "返信用トークンを失効" "... the leaked token is revoked and the admins told"

tok_a=$(reply_to "$ADMIN1" "$(alarm_uid "$ADMIN1" "$id")")
send_mail "$ADMIN1" "$tok_a" "Re: [$id3] 別件" "/priority low" >/dev/null
poll_at $((74 * 60))
is "$(field "$id3" 'j["priority"]')" medium "the token of ticket A does not work on ticket B"
# issue 14 (V6): ADMIN1's address was refused two minutes ago: the notice
# waits (one per sender and ticket per 10 minutes), the audit event does not
is "$(refused_before)" $((n0 + 2)) "... a second refusal of one sender within 10 minutes: no second notice"
is "$(db "SELECT count(*) FROM events WHERE kind = 'command-refused' AND detail LIKE '%another ticket%'")" 1 \
	"... but its audit event"

reply "$ADMIN1" "$(last_uid "$ADMIN1" "$id3")" "了解しました。明日確認します。

> /close force 引用"
poll_at $((75 * 60))
is "$(field "$id3" 'j["status"]')" investigating "commands in quoted text are never read"

reply "$ADMIN1" "$(last_uid "$ADMIN1" "$id3")" "/note '); DROP TABLE tickets;--"
poll_at $((76 * 60))
is "$(db "SELECT count(*) FROM tickets")" 3 "/note with SQL: the tickets table is intact"
is "$(db "SELECT detail FROM events WHERE kind = 'note' ORDER BY id DESC LIMIT 1")" \
	"'); DROP TABLE tickets;--" "... the note is stored verbatim"
reply "$ADMIN1" "$(last_uid "$ADMIN1" "$id3")" '/assign a@b\r\nBcc: x@y'
poll_at $((77 * 60))
is "$(field "$id3" 'j["owner"]')" "$ADMIN2" "/assign with CR/LF in the value is refused, the owner unchanged"
bcc=$(db "SELECT count(*) FROM outbox WHERE rcpt LIKE '%x@y%' OR data LIKE '%'||char(10)||'Bcc:%'")
is "$bcc" 0 "... and no mail has a Bcc: header or goes to x@y"

# --- dkim mode: a forged Authentication-Results (wrong authserv-id) is ignored
sed -i 's/^database .*/&\ncommands { auth = "dkim" authserv_id = "mx.example.com" }/' "$CONF"
bot check-config >/dev/null 2>&1 || true
fake="$WORK/forged.eml"
printf 'Authentication-Results: evil.example; dkim=pass header.d=example.com\r\nFrom: %s\r\nTo: %s\r\nSubject: [%s] dkim\r\nMessage-ID: <forged-%s@example.com>\r\nDate: Wed, 25 Nov 2026 11:30:00 +0900\r\n\r\n/priority low\r\n' \
	"$ADMIN1" "$BOT_ADDR" "$id3" "$$" >"$fake"
scripts/mailserver deliver "$BOT_ADDR" "$fake" >/dev/null
poll_at $((78 * 60))
is "$(field "$id3" 'j["priority"]')" medium "dkim mode: a forged Authentication-Results changes nothing"
real="$WORK/real.eml"
printf 'Authentication-Results: mx.example.com; dkim=pass header.d=example.com header.s=s1\r\nFrom: %s\r\nTo: %s\r\nSubject: [%s] dkim\r\nMessage-ID: <real-%s@example.com>\r\nDate: Wed, 25 Nov 2026 11:31:00 +0900\r\n\r\n/priority low\r\n' \
	"$ADMIN1" "$BOT_ADDR" "$id3" "$$" >"$real"
scripts/mailserver deliver "$BOT_ADDR" "$real" >/dev/null
poll_at $((79 * 60))
is "$(field "$id3" 'j["priority"]')" low "dkim mode: the company server's dkim=pass lets the admin command"
refused=$(db "SELECT count(*) FROM events WHERE kind = 'command-refused'")
ok $((refused >= 5 ? 0 : 1)) "every refusal is an audit event ($refused)"

# --- issue 15: names this version does not know (an older or a newer
# version's database, an edit) read as unknown and every command goes on;
# the rows keep them, and the chain is intact (tickets are state).
with_obl=$(db "SELECT t.ref FROM obligations o JOIN tickets t ON t.id = o.ticket_id LIMIT 1")
db "UPDATE tickets SET status = 'reopened', priority = 'urgent', type = 'phishing',
	source = 'rumour' WHERE ref = '$id3'"
db "UPDATE obligations SET state = 'postponed'"
is "$(bot tickets --all --json | json "[t['status'] for t in j if t['id'] == '$id3']")" "[None]" \
	"unknown names: tickets --json reads on, the unknown status null"
is "$(field "$id3" '(j["priority"], j["type"], j["source"])')" "(None, None, None)" \
	"... show --json: priority, type and source null"
bot show "$id3" >/dev/null 2>&1
ok $? "... show prints the ticket"
is "$(bot show "$with_obl" --json | json '[o["state"] for o in j["obligations"]][:1]')" "[None]" \
	"... an unknown obligation state is null"
poll_at $((80 * 60))
ok $? "... a poll and its timers go on"
out=$(bot verify)
ok $? "... verify passes: $out"
is "$(db "SELECT priority FROM tickets WHERE ref = '$id3'") $(db "SELECT DISTINCT state FROM obligations")" \
	"urgent postponed" \
	"... and the rows keep the names"
tap_done
