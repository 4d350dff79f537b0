#!/usr/bin/env bash
# loop.sh — another auto-responder that marks nothing (no Auto-Submitted, no
# tag kept, no threading) answers every mail of the bot: the per-sender
# limit stops the loop, and the bot's own well-marked mail is never
# answered by a second incident-bot.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
make_bot loop
trap 'rm -rf "$WORK" "${first_work:-}"' EXIT
printf 'limits {\n  replies_per_sender_per_hour = 5\n}\n' >>"$CONF"
ROBOT=$OUTSIDER

# The robot: answers each new mail in its INBOX with a fresh, untagged mail.
robot_answers() {
	$PY - "$ROBOT" "$BOT_ADDR" "$WORK/robot-seen" <<'PYEOF'
import os, smtplib, ssl, subprocess, sys
from email.message import EmailMessage
from email.utils import make_msgid
robot, bot, seen_file = sys.argv[1:]
seen = set(open(seen_file).read().split()) if os.path.exists(seen_file) else set()
out = subprocess.run(["/usr/bin/python3", "scripts/mailbox.py", robot, "list", "INBOX"],
                     capture_output=True, text=True).stdout
new = [l.split("\t")[0] for l in out.splitlines() if l and l.split("\t")[0] not in seen]
ctx = ssl.create_default_context(cafile=os.environ["IB_CA"])
with smtplib.SMTP("127.0.0.1", int(os.environ["IB_SMTP_PORT"])) as s:
    s.starttls(context=ctx)
    for uid in new:
        m = EmailMessage()
        m["From"], m["To"], m["Subject"] = robot, bot, "Thank you for your message"
        m["Message-ID"] = make_msgid(domain="robot.example.net")
        m.set_content("We received your message and will answer soon.")
        s.send_message(m)
open(seen_file, "a").write("".join(u + "\n" for u in new))
print(len(new))
PYEOF
}

send_mail "$ROBOT" "$BOT_ADDR" "Hello" "a first mail from the robot" >/dev/null
answered=0
for round in $(seq 1 10); do
	bot poll --once 2>>"$WORK/poll.log"
	n=$(robot_answers)
	answered=$((answered + n))
	[ "$n" -eq 0 ] && break
done
acks=$(sqlite3 "$WORK/state/incidents.db" "SELECT count(*) FROM outbox WHERE kind = 'ack' AND rcpt = '$ROBOT'")
is "$acks" 5 "the bot answers the robot at most limits.replies_per_sender_per_hour times"
ok $((round >= 10)) "the loop stopped by itself (after $round rounds)"
like "$(cat "$WORK/poll.log")" "suppressed: limits.replies_per_sender_per_hour" "the log says why it stopped answering"
is "$(bot tickets --json | json 'len(j)')" "$((answered + 1))" "every robot mail is still on record as a ticket"
like "$(bot show "$(bot tickets --json | json 'j[0]["id"]')")" "limit of acknowledgements per hour reached" "the ticket notes the suppressed answer"

# Two incident-bots: the first writes to the second (as a vacation rule or
# a forward might); the second's acknowledgement reaches the first, which
# must neither ticket nor answer it, so nothing goes back and forth.
first_conf=$CONF first_addr=$BOT_ADDR first_work=$WORK
first_tickets=$(bot tickets --all --json | json 'len(j)')
make_bot loop2
send_mail "$first_addr" "$BOT_ADDR" "a report relayed by the first bot" "x" >/dev/null
bot poll --once 2>/dev/null
"$BOT" -c "$first_conf" poll --once 2>/dev/null
bot poll --once 2>/dev/null
is "$(bot tickets --json | json 'len(j)')" 1 "the second bot opened one ticket"
is "$("$BOT" -c "$first_conf" tickets --all --json | json 'len(j)')" "$first_tickets" \
	"the first bot opened none for the second's acknowledgement"
is "$(sqlite3 "$first_work/state/incidents.db" "SELECT count(*) FROM outbox WHERE rcpt = '$BOT_ADDR'")" 0 \
	"... and sent nothing back"
rm -rf "$first_work"
rm -rf "$WORK"
tap_done
