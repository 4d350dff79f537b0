#!/usr/bin/env bash
# security-tokens.sh — the reply token's life (issue 14, V1) over the real
# test servers: the attack of the issue (an admin replies with the reporter
# on Cc; the reporter copies the address and forges the admin) changes
# nothing and revokes the token, the admins are told and get a fresh one;
# a token sent by a non-admin dies; tokens end after 30 days and when the
# ticket closes; /token mails a fresh one to the configured address only;
# export, show and the bot's own mail never hold a live token.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
make_bot sectok
trap 'rm -rf "$WORK"' EXIT

T0="2026-11-25T10:00:00+09:00"
db() { sqlite3 "$WORK/state/incidents.db" "$1"; }
last_uid() { mailbox "$1" list INBOX | grep "$2" | tail -1 | cut -f1; }
ticket_uid_of() { mailbox "$1" list INBOX | grep "$2" | grep "$3" | tail -1 | cut -f1; }	# USER TICKET SUBJECT-PART
revoked_notices() { subjects "$1" | grep -c "返信用トークンを失効"; }
# send_raw FROM TO BODY [HEADER...]: a mail with free From/To over SMTP.
send_raw() { local f="$1" t="$2" b="$3"; shift 3; send_mail "$f" "$t" "Re: [$id] 対応" "$b" "$@" >/dev/null; }

# --- a report; the admins' alarms carry their tokens
send_mail "$REPORTER" "$BOT_ADDR" "顧客DBへの不正アクセスの疑い" "顧客データベースに不審なクエリがあります。" >/dev/null
poll_at 0
id=$(bot tickets --json | json 'j[0]["id"]')
t1=$(reply_to "$ADMIN1" "$(ticket_uid_of "$ADMIN1" "$id" "新規インシデント")")
like "$t1" "+$id-" "the alarm's Reply-To carries ADMIN1's token"
is "$(db "SELECT count(*) FROM tokens WHERE revoked_at IS NULL")" 2 \
	"one live token generation per admin (tokens table)"

# --- the issue's attack: the admin answers with the reporter on Cc ...
send_raw "$ADMIN1" "$t1" "/ack" "Cc: $REPORTER"
poll_at 60
is "$(field "$id" 'j["status"]')" new "an admin's mail with the reporter on Cc: its commands are refused (the token leaked in it)"
is "$(db "SELECT count(*) FROM tokens WHERE addr = '$ADMIN1' AND revoked_at IS NOT NULL")" 1 \
	"... ADMIN1's token is revoked at once"
like "$(db "SELECT revoked_why FROM tokens WHERE addr = '$ADMIN1' AND revoked_at IS NOT NULL")" \
	"also sent to $REPORTER" "... the reason names the outside recipient"
is "$(revoked_notices "$ADMIN1")/$(revoked_notices "$ADMIN2")" "1/1" "... both admins are told"
like "$(field "$id" '" ".join(e["kind"] for e in j["timeline"])')" "token-revoked" \
	"... the revocation is on the timeline"
# ... and the reporter, holding the address, forges the admin
send_raw "$ADMIN1" "$t1" "/assign $OUTSIDER
/status resolved
/aware 2262-04-11T00:00+09:00"
poll_at 120
is "$(field "$id" 'j["status"]')/$(field "$id" 'j["owner"]')" "new/None" \
	"the copied token with a forged From changes nothing (no reassignment, no resolve, no clock moved)"
is "$(subjects "$OUTSIDER" | wc -l)" 0 "... the outsider gets no mail"

# --- the next mail to ADMIN1 carries a fresh token, which works
t2=$(reply_to "$ADMIN1" "$(ticket_uid_of "$ADMIN1" "$id" "返信用トークンを失効")")
like "$t2" "+$id-" "the revocation notice carries a reply token"
ok "$([ "$t2" != "$t1" ]; echo $?)" "... a fresh one, not the revoked one"
send_raw "$ADMIN1" "$t2" "/ack"
poll_at 180
is "$(field "$id" 'j["status"]')" acknowledged "the fresh token commands (/ack)"

# --- a live token in a mail from a non-admin dies, wherever it sits
t2b=$(reply_to "$ADMIN2" "$(last_uid "$ADMIN2" "$id")")
send_mail "$REPORTER" "$BOT_ADDR" "Re: [$id] 追加情報" "転送します。
> Reply-To: $t2b
> 以上" >/dev/null
poll_at 240
is "$(db "SELECT count(*) FROM tokens WHERE addr = '$ADMIN2' AND revoked_at IS NOT NULL")" 1 \
	"a live token quoted in the body of the reporter's mail is revoked"
send_raw "$ADMIN2" "$t2b" "/priority low"
poll_at 300
is "$(field "$id" 'j["priority"]')" high "... and commands nothing afterwards"

# --- /token: a fresh one to the configured address, never to the sender
# (ADMIN2's fresh token came with the notice at +240 s: /token within 10
# minutes of an issue is ignored, so ask later)
n_before=$(subjects "$ADMIN2" | grep -c "新しい返信用アドレス")
send_raw "$ADMIN2" "$BOT_ADDR" "/token"
poll_at 900
is "$(subjects "$ADMIN2" | grep -c "新しい返信用アドレス")" $((n_before + 1)) "/token: the admin gets a new reply address"
t3=$(reply_to "$ADMIN2" "$(ticket_uid_of "$ADMIN2" "$id" "新しい返信用アドレス")")
send_raw "$ADMIN2" "$t3" "/priority low"
poll_at 960
is "$(field "$id" 'j["priority"]')" low "... and it commands"
send_raw "$ADMIN2" "$BOT_ADDR" "/token" "Reply-To: $OUTSIDER"
poll_at 1600
send_raw "$ADMIN2" "$BOT_ADDR" "/token"
poll_at 1660
is "$(subjects "$OUTSIDER" | wc -l)" 0 "a forged /token with Reply-To an outsider: the outsider gets nothing"
is "$(subjects "$ADMIN2" | grep -c "新しい返信用アドレス")" $((n_before + 2)) \
	"... one fresh address to the admin, the second request within 10 minutes ignored"
t3=$(reply_to "$ADMIN2" "$(ticket_uid_of "$ADMIN2" "$id" "新しい返信用アドレス")")

# --- tokens end after 30 days (commands.token_max_age)
t4=$(reply_to "$ADMIN1" "$(last_uid "$ADMIN1" "$id")")
send_raw "$ADMIN1" "$t4" "/note 31日後"
poll_at $((31 * 86400))
is "$(field "$id" '[e["detail"] for e in j["timeline"] if e["kind"]=="note"]')" "[]" \
	"a token older than 30 days commands nothing"
like "$(field "$id" '[e["detail"] for e in j["timeline"] if e["kind"]=="command-refused"][-1]')" \
	"revoked, expired" "... the refusal says why"

# --- tokens end when the ticket closes; /token then lets an admin reopen
t5=$(reply_to "$ADMIN2" "$(last_uid "$ADMIN2" "$id")")
send_raw "$ADMIN2" "$t5" "/close force 誤報"
poll_at $((31 * 86400 + 60))
is "$(field "$id" 'j["status"]')" closed "a fresh token closes the ticket"
is "$(db "SELECT count(*) FROM tokens t JOIN tickets k ON k.id = t.ticket_id WHERE k.ref = '$id' AND t.revoked_at IS NULL")" 0 \
	"... every token of the ticket ended with it"
send_raw "$ADMIN2" "$t5" "/reopen"
poll_at $((31 * 86400 + 120))
is "$(field "$id" 'j["status"]')" closed "the token used to close cannot reopen"
is "$(reply_to "$ADMIN2" "$(ticket_uid_of "$ADMIN2" "$id" "コマンドを実行しました")")" \
	"${BOT_ADDR%@*}+$id@${BOT_ADDR#*@}" "... the result of /close carries no token (the plain reply address)"
send_raw "$ADMIN2" "$BOT_ADDR" "/token"
poll_at $((31 * 86400 + 900))
t6=$(reply_to "$ADMIN2" "$(ticket_uid_of "$ADMIN2" "$id" "新しい返信用アドレス")")
send_raw "$ADMIN2" "$t6" "/reopen"
poll_at $((31 * 86400 + 960))
is "$(field "$id" 'j["status"]')" investigating "/token on a closed ticket, then /reopen with it: reopened"

# --- no live token leaves through show, the bot's own mail, or export
tokpat='\+INC-[0-9]{4}-[0-9]+-[0-9a-f]{16}@'
is "$(bot show "$id" | grep -cE "$tokpat")" 0 "show prints no token (masked)"
ok "$(db "SELECT count(*) FROM messages WHERE CAST(raw AS TEXT) LIKE '%+$id-%'" | grep -qvx 0; echo $?)" \
	"... while the database keeps the mail as it came"
leaks=$(sqlite3 "$WORK/state/incidents.db" "SELECT hex(data) FROM outbox" | $PY -c '
import sys, re, email, email.policy, binascii
n = 0
for line in sys.stdin:
    m = email.message_from_bytes(binascii.unhexlify(line.strip()), policy=email.policy.default)
    for part in m.walk():
        if part.get_content_maintype() == "text":
            n += len(re.findall(r"\+INC-\d{4}-\d+-[0-9a-f]{16}@", part.get_content()))
    n += len(re.findall(r"\+INC-\d{4}-\d+-[0-9a-f]{16}@", str(m["Subject"])))
print(n)')
is "$leaks" 0 "no mail of the bot has a token in its subject or text (only in its Reply-To)"
live_before=$(db "SELECT count(*) FROM tokens t JOIN tickets k ON k.id = t.ticket_id WHERE k.ref = '$id' AND t.revoked_at IS NULL")
ok "$([ "$live_before" -ge 1 ]; echo $?)" "before the export the ticket has live tokens ($live_before)"
bot --now "$(at $((31 * 86400 + 1000)))" export "$id" --out "$WORK/export" >/dev/null 2>&1
ok $? "export writes the evidence folder"
is "$(db "SELECT count(*) FROM tokens t JOIN tickets k ON k.id = t.ticket_id WHERE k.ref = '$id' AND t.revoked_at IS NULL")" 0 \
	"... after it, none: every token in the folder is revoked"
like "$(head -1 "$WORK/export/manifest.sha256")" "revoked before this export" "... the manifest says so"
ok "$(cd "$WORK/export" && sha256sum --strict -c manifest.sha256 >/dev/null 2>&1; echo $?)" \
	"... and still checks with sha256sum -c"
ok "$(cat "$WORK"/export/sent/*.eml | grep -cE "$tokpat" | grep -qvx 0; echo $?)" \
	"... the sent mail is byte for byte, with its (now dead) tokens"
t_exp=$(grep -ohE "$tokpat" "$WORK"/export/sent/*.eml | tail -1)
send_raw "$ADMIN2" "${BOT_ADDR%@*}${t_exp%@}@${BOT_ADDR#*@}" "/note from the export"
poll_at $((31 * 86400 + 1100))
is "$(field "$id" '[e["detail"] for e in j["timeline"] if e["kind"]=="note"]')" "[]" \
	"a token taken from the export commands nothing"
tap_done
