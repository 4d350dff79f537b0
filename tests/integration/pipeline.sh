#!/usr/bin/env bash
# pipeline.sh — the main path end to end, over the real test servers:
# a report mailed to the incident address becomes one ticket, the reporter
# gets the acknowledgement, the admins the alarm, the report leaves the
# INBOX; replies join the ticket; a second run creates nothing twice; a
# server certificate from another CA is refused.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
make_bot pipe
trap 'rm -rf "$WORK"' EXIT

# --- a report, written by a real mail client (mutt) in ISO-2022-JP
subject_ja="サーバーに不正アクセスの疑い（至急）"
muttrc mutt "us-ascii:iso-2022-jp:utf-8" >"$WORK/muttrc"
printf '本日10時ごろ、受注管理サーバーのログに見知らぬIPからのログインがありました。\n顧客情報が見られた可能性があります。\n' >"$WORK/body.txt"
LANG=C.UTF-8 mutt -n -F "$WORK/muttrc" -s "$subject_ja" "$BOT_ADDR" <"$WORK/body.txt" 2>"$WORK/mutt.err"
ok $? "mutt sends a Japanese report through the test SMTP server"
is "$(mailbox "$BOT_ADDR" count INBOX)" 1 "the report is in the incident INBOX"
raw=$(mailbox "$BOT_ADDR" get "$(mailbox "$BOT_ADDR" list INBOX | cut -f1 | head -1)" INBOX)
like "$(printf %s "$raw" | tr A-Z a-z)" "iso-2022-jp" "mutt wrote it in ISO-2022-JP"

bot poll --once 2>"$WORK/poll1.log"
ok $? "poll --once exits 0"
tickets=$(bot tickets --json)
is "$(echo "$tickets" | json 'len(j)')" 1 "one ticket"
id=$(echo "$tickets" | json 'j[0]["id"]')
like "$id" "INC-$(TZ=Asia/Tokyo date +%Y)-0001" "the first ticket of the year is INC-YYYY-0001"
is "$(echo "$tickets" | json 'j[0]["subject"]')" "$subject_ja" "the ticket's subject reads correctly"
is "$(echo "$tickets" | json 'j[0]["status"]')" "new" "status new"
show=$(bot show "$id")
like "$show" "$subject_ja" "show prints the subject"
like "$show" "見知らぬIPからのログイン" "show prints the decoded report text"
show_json=$(bot show "$id" --json)
is "$(echo "$show_json" | json 'j["messages"][0]["subject"]')" "$subject_ja" "show --json: the message's subject"
like "$(echo "$show_json" | json 'j["messages"][0]["text"]')" "顧客情報が見られた可能性" "show --json: the message's text"
like "$(echo "$show_json" | json 'j["created"]')" "+09:00" "times carry the zone's offset"

is "$(mailbox "$BOT_ADDR" count INBOX)" 0 "the report left the INBOX"
is "$(mailbox "$BOT_ADDR" count Processed)" 1 "... for Processed"

ack=$(mailbox "$REPORTER" list INBOX)
like "$ack" "[$id]" "the reporter received the acknowledgement with the tag"
like "$ack" "受付しました" "... in Japanese"
ack_uid=$(echo "$ack" | cut -f1 | head -1)
ack_headers=$(mailbox "$REPORTER" headers "$ack_uid" INBOX)
like "$ack_headers" "Auto-Submitted: auto-replied" "the acknowledgement says Auto-Submitted"
like "$ack_headers" "Reply-To: " "... has a Reply-To"
like "$ack_headers" "In-Reply-To: <" "... threads under the report"
ack_body=$(mailbox "$REPORTER" body "$ack_uid" INBOX)
like "$ack_body" "電源を切ったり" "the acknowledgement tells what to do now (policy 7-2)"
like "$ack_body" "070-0000-0000" "... and whom to call (policy 7-1)"
for a in "$ADMIN1" "$ADMIN2"; do
	alarm=$(mailbox "$a" list INBOX)
	like "$alarm" "[$id]" "admin $a received the alarm with the tag"
done
alarm_body=$(mailbox "$ADMIN1" body "$(mailbox "$ADMIN1" list INBOX | cut -f1 | head -1)" INBOX)
like "$alarm_body" "見知らぬIPからのログイン" "the alarm quotes the report"
is "$(mailbox "$BOSS" count INBOX)" 0 "management gets no alarm for a new ticket"

# --- a reply to the acknowledgement joins the ticket
ack_msgid=$(echo "$ack_headers" | sed -n 's/^Message-ID: *<\(.*\)>.*/\1/Ip' | head -1)
send_mail "$REPORTER" "$BOT_ADDR" "Re: [$id] 受付しました" "追加情報です。ログを添付します。" \
	"In-Reply-To: <$ack_msgid>" >/dev/null
ok $? "a reply is sent"
bot poll --once 2>"$WORK/poll2.log"
ok $? "poll --once exits 0 again"
is "$(bot tickets --json | json 'len(j)')" 1 "the reply opened no new ticket"
is "$(bot show "$id" --json | json 'len(j["messages"])')" 2 "the reply is on the ticket"
is "$(bot show "$id" --json | json 'j["messages"][1]["kind"]')" "follow-up" "... as a follow-up"

# --- threading without a tag: In-Reply-To only, and the reply address only
send_mail "$ADMIN1" "$BOT_ADDR" "Re: no tag here" "threaded by In-Reply-To" \
	"In-Reply-To: <$ack_msgid>" >/dev/null
send_mail "$OUTSIDER" "bot+$id@x" "no tag either" "to the reply address" >/dev/null 2>&1 || true
reply_addr=${BOT_ADDR/@/+$id@}
send_mail "$OUTSIDER" "$reply_addr" "no tag either" "sent to the ticket's reply address" >/dev/null
bot poll --once 2>"$WORK/poll3.log"
is "$(bot tickets --json | json 'len(j)')" 1 "In-Reply-To and the reply address route to the ticket"
is "$(bot show "$id" --json | json 'len(j["messages"])')" 4 "both are on the ticket"

# --- nothing twice
mails_before=$(bot show "$id" --json | json 'len(j["mails"])')
spool_before=$(ls "$IB_MAIL_DIR/spool" | wc -l)
bot poll --once 2>/dev/null
bot poll --once 2>/dev/null
is "$(bot tickets --json | json 'len(j)')" 1 "two more runs create no ticket"
is "$(bot show "$id" --json | json 'len(j["mails"])')" "$mails_before" "... and queue no mail"
is "$(ls "$IB_MAIL_DIR/spool" | wc -l)" "$spool_before" "... and send no mail"
is "$(bot show "$id" --json | json 'sum(m["state"] != "sent" for m in j["mails"])')" 0 \
	"every queued mail was sent"

# --- the same message delivered again (a resend, a restored backup) is only moved
first_uid=$(mailbox "$BOT_ADDR" list Processed | cut -f1 | head -1)
mailbox "$BOT_ADDR" get "$first_uid" Processed >"$WORK/again.eml"
scripts/mailserver deliver "$BOT_ADDR" "$WORK/again.eml" >/dev/null
bot poll --once 2>/dev/null
is "$(bot tickets --json | json 'len(j)')" 1 "a duplicate message opens no ticket"
is "$(mailbox "$BOT_ADDR" count INBOX)" 0 "... and still leaves the INBOX"

# --- a second report: a second ticket, numbered on
send_mail "$OUTSIDER" "$BOT_ADDR" "Phishing mail received" "I clicked a link in a phishing mail." >/dev/null
bot poll --once 2>/dev/null
is "$(bot tickets --json | json 'len(j)')" 2 "a new report opens a second ticket"
like "$(bot tickets)" "INC-$(TZ=Asia/Tokyo date +%Y)-0002" "numbered 0002"

# --- machines are recorded, never answered
send_mail "$OUTSIDER" "$BOT_ADDR" "Out of office" "I am away." "Auto-Submitted: auto-replied" >/dev/null
outsider_before=$(mailbox "$OUTSIDER" count INBOX)
bot poll --once 2>/dev/null
is "$(bot tickets --json | json 'len(j)')" 2 "an auto-reply opens no ticket"
is "$(mailbox "$OUTSIDER" count INBOX)" "$outsider_before" "... and gets no answer"
is "$(mailbox "$BOT_ADDR" count INBOX)" 0 "... and leaves the INBOX"

# --- a certificate from another CA is refused, and nothing is lost
write_conf "$IB_OTHER_CA" imaps "$IB_IMAPS_PORT" >"$WORK/other.conf"
send_mail "$OUTSIDER" "$BOT_ADDR" "must wait" "kept until the certificate is right" >/dev/null
"$BOT" -c "$WORK/other.conf" poll --once 2>"$WORK/other.log"
rc=$?
ok $((rc == 0)) "poll fails when the IMAP certificate is from another CA (exit $rc)"
like "$(cat "$WORK/other.log")" "certificate" "... and says it is the certificate"
is "$(mailbox "$BOT_ADDR" count INBOX)" 1 "... and the message stays in the INBOX"
write_conf "$IB_OTHER_CA" imap "$IB_IMAP_PORT" >"$WORK/other-starttls.conf"
"$BOT" -c "$WORK/other-starttls.conf" poll --once 2>/dev/null
ok $(( $? == 0 )) "refused over STARTTLS too"
write_conf "$IB_CA" imap "$IB_IMAP_PORT" >"$WORK/starttls.conf"
"$BOT" -c "$WORK/starttls.conf" poll --once 2>/dev/null
ok $? "with the right CA over STARTTLS the mail is taken in"
is "$(bot tickets --json | json 'len(j)')" 3 "... and ticketed"

# --- a mail over the size limit: still a ticket, cut, and the admins told
cp "$CONF" "$WORK/small.conf"
printf 'limits {\n  max_message_size = 65536\n}\n' >>"$WORK/small.conf"
$PY - "$OUTSIDER" "$BOT_ADDR" "$WORK/big.eml" <<'PYEOF'
import sys
from email.message import EmailMessage
m = EmailMessage()
m["From"], m["To"], m["Subject"] = sys.argv[1], sys.argv[2], "巨大なログ / huge logs"
m["Message-ID"] = "<big-report@example.com>"
m.set_content("ログを添付します。\n")
m.add_attachment(bytes(range(256)) * 1200, maintype="application", subtype="octet-stream", filename="dump.bin")
open(sys.argv[3], "wb").write(bytes(m))
PYEOF
scripts/mailserver deliver "$BOT_ADDR" "$WORK/big.eml" >/dev/null
admin_before=$(mailbox "$ADMIN1" count INBOX)
"$BOT" -c "$WORK/small.conf" poll --once 2>"$WORK/big.log"
ok $? "a mail over limits.max_message_size is taken in"
big=$(bot tickets --json | json '[t["id"] for t in j if t["subject"].startswith("巨大なログ")][0]')
like "$(bot show "$big" --json | json 'j["messages"][0]["text"]')" "ログを添付します" "... its ticket has the first part of its text"
like "$(bot show "$big")" "cut to its first 65536 bytes" "... and notes that it was cut"
is "$(( $(mailbox "$ADMIN1" count INBOX) - admin_before ))" 2 "the admins get the alarm and the cut notice"
is "$(mailbox "$BOT_ADDR" count INBOX)" 0 "... and the mail leaves the INBOX whole"

# --- the command line
bot check-config >/dev/null 2>&1
ok $? "check-config accepts the configuration"
bot check-config --connect >/dev/null 2>&1
ok $? "check-config --connect logs in to IMAP and SMTP"
"$BOT" -c "$WORK/other.conf" check-config --connect >/dev/null 2>"$WORK/cc.log"
is $? 2 "check-config --connect refuses servers whose certificate is from another CA"
is "$(grep -c 'certificate' "$WORK/cc.log")" 2 "... both of them, saying so"
sed 's/^timezone .*/timezone = "Asia\/Tokyo"\nfrobnicate = 1/' "$CONF" >"$WORK/bad.conf"
"$BOT" -c "$WORK/bad.conf" check-config 2>"$WORK/bad.log"
is $? 2 "check-config exits 2 on an unknown key"
like "$(cat "$WORK/bad.log")" "bad.conf:4: no such option 'frobnicate'" "... naming file and line"
chmod 644 "$WORK/secrets/imap"
bot poll --once 2>"$WORK/perm.log"
is $? 2 "a group/other-readable password file is refused (exit 2)"
like "$(cat "$WORK/perm.log")" "chmod 600" "... with what to do"
chmod 600 "$WORK/secrets/imap"
bot show INC-1999-0001 >/dev/null 2>&1
is $? 1 "show of an unknown ticket exits 1"
bot frobnicate >/dev/null 2>&1
is $? 2 "an unknown command exits 2"
for c in run poll tickets show check-config; do
	bot "$c" --help >/dev/null 2>&1
	ok $? "$c --help"
done
! grep -q "$(cat "$IB_MAIL_DIR/secrets/password")" "$WORK"/*.log
ok $? "no log line shows the password"

tap_done
