#!/usr/bin/env bash
# security-acks.sh — the acknowledgement is no phishing relay (issue 14,
# V5): answers are capped per mailbox (+tags and case ignored; 5 an hour),
# per outside domain (20) and for all outside senders together (100); an
# outside sender's acknowledgement echoes none of its display name and at
# most 80 characters of its subject; people of the company keep theirs.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
make_bot secack
trap 'rm -rf "$WORK"' EXIT

T0="2026-11-25T10:00:00+09:00"
db() { sqlite3 "$WORK/state/incidents.db" "$1"; }
acks_to() { db "SELECT count(*) FROM outbox WHERE kind = 'ack' AND rcpt LIKE '$1'"; }
# mails FROM-TEMPLATE COUNT SUBJECT: COUNT raw reports, {i} in FROM numbered
mails() {
	mkdir -p "$WORK/in"
	rm -f "$WORK"/in/*.eml
	$PY - "$WORK/in" "$BOT_ADDR" "$@" <<'PYEOF'
import sys
out, bot, frm, count, subject = sys.argv[1:]
for i in range(int(count)):
    with open(f"{out}/{i:04d}.eml", "w") as f:
        f.write(f"From: \"PayPal Security\" <{frm.replace('{i}', str(i))}>\r\nTo: {bot}\r\n"
                f"Subject: {subject}\r\nMessage-ID: <ack-{i}-{frm.replace('{i}', str(i))}>\r\n"
                f"Date: Wed, 25 Nov 2026 10:00:00 +0900\r\n\r\nphishing text {i}\r\n")
PYEOF
	scripts/mailserver deliver "$BOT_ADDR" "$WORK"/in/*.eml >/dev/null
}

# --- per mailbox, +tags and case ignored
mails 'Victim+{i}@Outside.example' 8 "Your account"
poll_at 0
is "$(acks_to 'victim%@outside.example')" 5 "victim+1@ … victim+8@ (any case): 5 acknowledgements, not 8"
is "$(bot tickets --json | json 'len(j)')" 8 "... every mail is still a ticket"
is "$(db "SELECT count(*) FROM events WHERE kind = 'ack-suppressed' AND detail LIKE '%this mailbox%'")" 3 \
	"... the 3 suppressed are events naming the cap"

# --- per outside domain
mails 'user{i}@phish.example' 25 "Invoice"
poll_at 60
is "$(acks_to '%@phish.example')" 20 "25 senders of one outside domain: 20 acknowledgements"

# --- all outside senders together (8 + 25 + 100 mails, 5 + 20 answered so far)
mails 'someone@d{i}.example' 100 "Notice"
poll_at 120
is "$(db "SELECT count(*) FROM outbox WHERE kind = 'ack'")" 100 \
	"100 more outside senders of 100 domains: 100 acknowledgements in the hour in all"
like "$(db "SELECT detail FROM events WHERE kind = 'ack-suppressed' ORDER BY id DESC LIMIT 1")" \
	"all outside senders" "... the rest suppressed by the global cap"

# --- people of the company are not held by the outside caps
send_mail "山田 花子 <$REPORTER>" "$BOT_ADDR" "社内PCがウイルスに感染" "ウイルス対策ソフトが警告を出しました。" >/dev/null
poll_at 180
is "$(acks_to "$REPORTER")" 1 "a person of the company still gets an acknowledgement"
ack_in=$(db "SELECT data FROM outbox WHERE kind = 'ack' AND rcpt = '$REPORTER'")
like "$ack_in" "To: =?" "... addressed with their name"

# --- an hour later, what an outside acknowledgement echoes
long=$($PY -c 'print("緊急" + "あ" * 5000 + "END")')
mails 'fresh@new.example' 1 "$long"
poll_at 3800
ack=$(db "SELECT data FROM outbox WHERE kind = 'ack' AND rcpt = 'fresh@new.example'")
ok "$([ -n "$ack" ]; echo $?)" "an hour later an outside sender is answered again"
size=$(db "SELECT length(data) FROM outbox WHERE kind = 'ack' AND rcpt = 'fresh@new.example'")
ok "$([ "${size:-999999}" -lt 20000 ]; echo $?)" "... a 5,000-character subject makes a small acknowledgement ($size bytes)"
subj=$(mailbox fresh@new.example list INBOX 2>/dev/null | cut -f4)
$PY - "$ack" >"$WORK/ack.check" <<'PYEOF'
import email, email.policy, sys
m = email.message_from_string(sys.argv[1], policy=email.policy.default)
subject = str(m["Subject"])
body = m.get_body(("plain",)).get_content()
# the outside acknowledgement (ack-outside.txt, issue 13) ends its subject
# with "Thank you for your report: " and the sender's subject
marker = "Thank you for your report: "
tag_end = subject.index(marker) + len(marker)
print(len(subject[tag_end:].rstrip("…")))
print("PayPal" in str(m["To"]) or "PayPal" in body)
print("070-0000" in body or "北垣" in body)
print("END" in subject or "END" in body)
PYEOF
is "$(sed -n 1p "$WORK/ack.check")" 80 "... its subject echoes 80 characters of the sender's"
is "$(sed -n 2p "$WORK/ack.check")" False "... none of the sender's display name (To or text)"
is "$(sed -n 3p "$WORK/ack.check")" False "... and no internal names or phone numbers (SPEC 4)"
is "$(sed -n 4p "$WORK/ack.check")" False "... nor the rest of the subject"
tap_done
