#!/usr/bin/env bash
# kill.sh — a kill at any instant loses nothing and duplicates nothing
# (issue 7, reliability 1).
#
# A backlog of 1,000 mails waits in the bot's INBOX: new reports from two
# reporters, follow-ups (subject tag) to 20 tickets opened before, and
# admin commands (/note, sent to the reply address with the admin's token
# from the alarm).  `poll --once` and `run` are SIGKILLed again and again:
# at random times, and when the log shows each stage — the session opened
# (fetching), the first message of a batch processed (fetched, transaction
# begun), the middle of a batch (mid-transaction), the last of a batch
# (committing), a batch moved; with the Processed folder unwritable, so
# that a batch is committed and cannot be moved, then killed; while
# rendering (issue 16: the intake records intents, the sender stage
# renders them and stores their bytes, 100 to a transaction, before
# anything is sent) — in the middle of a batch, at its last mail before
# the commit, right after a commit; and while sending, the moment the SMTP
# server logs that it has kept a mail and answers 250 (killer in
# faults-lib.bash).  Then runs finish the job.
#
# Afterwards: every report is a ticket exactly once, every follow-up and
# every command is on its ticket exactly once, nothing is left in the
# INBOX, Processed holds every mail once, every queued mail reached the
# SMTP server (counted in its spool, by Message-ID) and at most once —
# except where a kill fell between the server's 250 and the bot's record
# of it, and then the resend has the same Message-ID — mail to each
# recipient arrived in the order it was queued, every copy that arrived is
# byte for byte the mail as stored (its SHA-256 is the one kept when it was
# rendered: a resend is never a re-render), a mail rendered before a kill
# keeps its bytes, and `verify` passes (the outbox's hashes too).
#
# Its own Dovecot and SMTP server (faults-lib.bash): the spool then holds
# only this test's mail.  IB_KILL_BACKLOG=N changes the backlog (default
# 1000, 200 under valgrind); IB_KILL_SEED the random choices (default:
# random, printed).
set -uo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/faults-lib.bash"
cleanup() {
	private_servers_stop
	[ -n "${WORK:-}" ] && rm -rf "$WORK"
}
trap cleanup EXIT
private_servers_start || { echo "Bail out! cannot start private mail servers"; exit 2; }
make_bot kill
PROCESSED_DIR=$IB_MAIL_DIR/mail/${BOT_ADDR,,}/Maildir/.Processed
# (under valgrind, IB_VALGRIND=1, a smaller backlog keeps the run short)
[ "${IB_VALGRIND:-0}" = 1 ] && BACKLOG=${IB_KILL_BACKLOG:-200} || BACKLOG=${IB_KILL_BACKLOG:-1000}
SEED=${IB_KILL_SEED:-$RANDOM}
echo "# backlog $BACKLOG, seed $SEED (IB_KILL_SEED=$SEED repeats the random choices)"
RANDOM=$SEED
DB=$WORK/state/incidents.db
db() { sqlite3 "$DB" "$1"; }
t_start=$SECONDS

# Batches of 10: many commits, so kills land between them as well as inside.
# One admin (fewer mails to send); two reporters, each under the answer limit.
sed -i 's/^timezone .*/&\nfetch_batch = 10/; /^person "ecadmin"/d' "$CONF"
# issue 14: acknowledgements are capped per domain and in all, and at most
# 200 mails wait per recipient: this backlog queues 400 to each reporter
printf 'limits {\n  replies_per_sender_per_hour = 1000\n  replies_per_domain_per_hour = 1000\n  replies_outside_per_hour = 1000\n  pending_per_recipient = 10000\n}\n' >>"$CONF"

# --- 20 tickets opened before the backlog arrives
N_SEED=20
mkdir -p "$WORK/seed" "$WORK/mail"
$PY - "$WORK/seed" "$N_SEED" "$REPORTER" "$BOT_ADDR" <<'PYEOF'
import sys
from email.message import EmailMessage
out, n, frm, to = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
for i in range(n):
    m = EmailMessage()
    m["From"], m["To"] = frm, to
    m["Subject"] = f"先行報告 {i:02d}: 社内PCの動作が遅い"
    m["Date"] = "Wed, 25 Nov 2026 09:00:00 +0900"
    m["Message-ID"] = f"<kill-seed-{i}@example.com>"
    m.set_content(f"先行報告 {i} の本文です。\n")
    open(f"{out}/{i:02d}.eml", "wb").write(bytes(m))
PYEOF
append_mail "$BOT_ADDR" "$WORK"/seed/*.eml
bot poll --once 2>>"$WORK/setup.log"
echo "# setup poll: exit $?"
is "$(db "SELECT count(*) FROM tickets")" "$N_SEED" "$N_SEED tickets opened before the backlog"
# why, when not (once seen under ASan on a heavily loaded machine)
[ "$(db "SELECT count(*) FROM tickets")" = "$N_SEED" ] || tail -n 15 "$WORK/setup.log" | sed 's/^/#   /'
# The admin's reply address (with token) of each, from the queued alarms.
db "SELECT t.ref, o.data FROM outbox o JOIN tickets t ON t.id = o.ticket_id WHERE o.kind = 'alarm'" |
	sed -n 's/^\(INC-[0-9-]*\)|.*/\1/p; s/^Reply-To: *//Ip' | paste - - >"$WORK/replyto"
is "$(grep -c '+INC-.*-[0-9a-f]\{16\}@' "$WORK/replyto")" "$N_SEED" "... each alarm gives the admin a reply address with a token"

# --- the backlog: new reports, follow-ups and commands, shuffled
N_FOLLOW=$((BACKLOG * 15 / 100))
N_CMD=$((BACKLOG * 5 / 100))
N_NEW=$((BACKLOG - N_FOLLOW - N_CMD))
$PY - "$WORK/mail" "$N_NEW" "$N_FOLLOW" "$N_CMD" "$REPORTER" "$OUTSIDER" "$ADMIN1" "$BOT_ADDR" \
	"$WORK/replyto" "$SEED" <<'PYEOF'
import random, sys
from email.message import EmailMessage
out, n_new, n_fu, n_cmd, rep, outs, admin, bot, replyto, seed = sys.argv[1:]
tickets = [l.split() for l in open(replyto) if l.strip()]   # ref, reply address
mails = []
def mail(frm, to, subject, msgid, body):
    m = EmailMessage()
    m["From"], m["To"], m["Subject"] = frm, to, subject
    m["Date"] = "Wed, 25 Nov 2026 10:00:00 +0900"
    m["Message-ID"] = msgid
    m.set_content(body)
    mails.append(bytes(m))
for i in range(int(n_new)):
    mail(rep if i % 2 else outs, bot, f"報告 {i:04d}: 不審なメールを受信", f"<kill-new-{i}@example.com>",
         f"これは {i} 番目の報告です。\n" * 3)
for i in range(int(n_fu)):
    ref, _ = tickets[i % len(tickets)]
    mail(rep, bot, f"Re: [{ref}] 先行報告", f"<kill-fu-{i}@example.com>",
         f"追記 followup-{i:04d}: 再起動しても遅いままです。\n")
for i in range(int(n_cmd)):
    ref, addr = tickets[i % len(tickets)]
    mail(admin, addr, f"Re: [{ref}] 新規インシデント", f"<kill-cmd-{i}@example.com>",
         f"/note kill-note-{i:04d}\n")
random.Random(int(seed)).shuffle(mails)
for k, raw in enumerate(mails):
    open(f"{out}/{k:05d}.eml", "wb").write(raw)
PYEOF
append_mail "$BOT_ADDR" "$WORK"/mail/*.eml
is "$(mailbox "$BOT_ADDR" count INBOX)" "$BACKLOG" \
	"backlog in the INBOX: $N_NEW new reports, $N_FOLLOW follow-ups, $N_CMD admin commands"
echo "# setup took $((SECONDS - t_start)) s"

# --- kills while taking in the backlog
LINE='uid [0-9]+: (new ticket|follow-up of|Message-ID already|already stored)'
B="$BOT -c $CONF"
kill_at() {	# kill_at LABEL TRIGGER poll|run
	local cmd
	if [ "$3" = run ]; then cmd="run"; else cmd="poll --once"; fi
	# shellcheck disable=SC2086
	echo "# $1: $(killer "$1" "$2" $B $cmd)"
}
r() { echo $(($1 + RANDOM % ($2 - $1 + 1))); }	# r MIN MAX
t_intake=$SECONDS
kill_at "fetching" "line:1:logged in as" poll
# Committed, then the move is refused (Processed unwritable): the batch is
# in the database and still in the INBOX when the kill comes.
chmod 500 "$PROCESSED_DIR"/cur "$PROCESSED_DIR"/new "$PROCESSED_DIR"/tmp
kill_at "committed, move refused" 'line:1:UID MOVE.*refused' run
chmod 700 "$PROCESSED_DIR"/cur "$PROCESSED_DIR"/new "$PROCESSED_DIR"/tmp
kill_at "fetched, first of a batch" "line:$((10 * $(r 1 4) + 1)):$LINE" poll
kill_at "mid-transaction" "line:$((10 * $(r 1 4) + 5)):$LINE" poll
kill_at "last of a batch (commit)" "line:$((10 * $(r 1 4))):$LINE" poll
kill_at "batch moved" "line:$(r 10 40):moved to Processed" poll
kill_at "run: mid-transaction" "line:$((10 * $(r 1 4) + $(r 2 8))):$LINE" run
# Random instants early enough that the intake is still under way: with
# the read-ahead thread a pass takes in about 1,000 mails a second here,
# so later kills would find the backlog done.
for i in 1 2 3; do
	kill_at "random time" "time:0.$(printf %02d "$(r 5 15)")" poll
done
kill_at "run: random time" "time:0.$(printf %02d "$(r 10 20)")" run
left=$(mailbox "$BOT_ADDR" count INBOX)
echo "# $left mails left in the INBOX after the intake kills ($((SECONDS - t_intake)) s)"
ok $((left == 0)) "the intake kills left mail in the INBOX (they interrupted the intake)"

# --- kills while rendering (issue 16): the rest of the intake goes first,
# then the sender stage renders the intents, 100 to a transaction
t_render=$SECONDS
intents() { db "SELECT count(*) FROM outbox WHERE stage = 'intent' AND state = 'pending'"; }
RENDERED='outbox: mail [0-9]+ .*: rendered'
kill_at "render: mid-batch" "line:$(r 5 95):$RENDERED" poll
kill_at "render: a batch committed" "line:$(r 1 2):notify: [0-9]+ mails rendered" poll
kill_at "render: the last of a batch (commit)" "line:100:$RENDERED" poll
kill_at "run: render, mid-batch" "line:$(r 105 195):$RENDERED" run
left_intents=$(intents)
echo "# $left_intents intents not rendered yet after the render kills ($((SECONDS - t_render)) s)"
ok $((left_intents == 0)) "the render kills interrupted the render stage (intents left)"
# What is rendered now must leave as it is: its bytes and their hash, kept.
db "SELECT id, sha256 FROM outbox WHERE stage = 'rendered' AND sha256 IS NOT NULL ORDER BY id" \
	>"$WORK/rendered-before"
is "$(db "SELECT count(*) FROM outbox WHERE stage = 'rendered' AND length(data) = 0")" 0 \
	"no row is marked rendered without its bytes"

# --- kills while sending (the rest of the render goes first, then the outbox)
t_send=$SECONDS
kill_at "intake done, sending" "smtp:$(r 1 3)" poll
grep -q 'already stored (same SHA-256)' "$WORK/bot.log"
ok $? "a batch committed but not moved was seen again and only moved"
for i in 1 2 3 4 5 6; do
	kill_at "SMTP 250" "smtp:$(r 5 60)" poll
done
kill_at "after a send is recorded" "line:$(r 5 40):outbox: mail [0-9]+ .*: sent" poll
kill_at "run: SMTP 250" "smtp:$(r 5 60)" run
kill_at "random time while sending" "time:$(r 1 2).$(r 0 9)" poll
kill_at "run: random time while sending" "time:$(r 1 2).$(r 0 9)" run
echo "# sending kills took $((SECONDS - t_send)) s"

# --- by stage: each kill happened (the trigger came before the bot ended)
stages=$($PY -c '
import json, sys
k = [json.loads(l) for l in open(sys.argv[1])]
print(sum(e["killed"] for e in k), len(k))
print(" ".join(sorted({e["label"] for e in k if not e["killed"]})) or "-")' "$WORK/kills.jsonl")
read -r killed runs <<<"$(echo "$stages" | head -1)"
echo "# $killed of $runs runs were killed; not killed: $(echo "$stages" | tail -1)"
is "$(echo "$stages" | tail -1)" "-" "every run was killed at its stage (none ended first)"

# schema 13 keeps the per-recipient pending counts by triggers, in the
# transactions the kills cut: they must agree with the outbox itself
pending_counted() { db "SELECT lower(rcpt) || ' ' || count(*) FROM outbox WHERE state = 'pending'
	GROUP BY lower(rcpt) ORDER BY 1"; }
pending_kept() { db "SELECT lower(rcpt) || ' ' || n FROM outbox_pending WHERE n <> 0 ORDER BY 1"; }
is "$(pending_kept)" "$(pending_counted)" \
	"after the kills the kept pending counts agree with the outbox ($(pending_counted | grep -c .) recipients with mail waiting)"

# --- restarts finish the job
for i in 1 2 3; do
	bot poll --once 2>>"$WORK/final.log"
	rc=$?
	[ "$(db "SELECT count(*) FROM outbox WHERE state = 'pending'")" = 0 ] &&
		[ "$(mailbox "$BOT_ADDR" count INBOX)" = 0 ] && break
done
is "$rc" 0 "a last run finishes without error"

is "$(mailbox "$BOT_ADDR" count INBOX)" 0 "nothing is stuck in the INBOX"
is "$(mailbox "$BOT_ADDR" count Processed)" $((N_SEED + BACKLOG)) "Processed holds every mail exactly once"
tickets=$(bot tickets --all --json)
is "$(echo "$tickets" | json 'len(j)')" $((N_SEED + N_NEW)) "$((N_SEED + N_NEW)) tickets: one per report"
is "$(echo "$tickets" | json 'len(set(t["subject"] for t in j))')" $((N_SEED + N_NEW)) \
	"no report was ticketed twice (distinct subjects)"
is "$(db "SELECT count(*) FROM messages WHERE kind = 'report'")" $((N_SEED + N_NEW)) "one stored report per ticket"
is "$(db "SELECT count(DISTINCT message_id) || '/' || count(*) FROM messages WHERE kind = 'follow-up' AND message_id LIKE 'kill-fu-%'")" \
	"$N_FOLLOW/$N_FOLLOW" "every follow-up is on its ticket exactly once"
is "$(db "SELECT count(DISTINCT detail) || '/' || count(*) FROM events WHERE kind = 'note' AND detail LIKE '%kill-note-%'")" \
	"$N_CMD/$N_CMD" "every admin command ran exactly once (one note each)"
is "$(db "SELECT count(*) FROM messages WHERE kind NOT IN ('report', 'follow-up')")" 0 \
	"no mail was stored twice or taken for a duplicate"
is "$(db "SELECT count(*) FROM outbox WHERE state <> 'sent'")" 0 "every queued mail was sent"
is "$(db "SELECT count(*) FROM outbox WHERE kind = 'ack'")" $((N_SEED + N_NEW)) "one acknowledgement queued per ticket"
is "$(db "SELECT count(*) FROM acks")" $((N_SEED + N_NEW)) "... each noted once for the caps (schema 13)"
is "$(pending_kept)" "" "... and with everything sent no recipient counts a mail waiting"
is "$(db "SELECT count(*) FROM outbox WHERE stage <> 'rendered' OR sha256 IS NULL")" 0 \
	"every intent was rendered, with the SHA-256 of its bytes"
db "SELECT id, sha256 FROM outbox WHERE stage = 'rendered' AND sha256 IS NOT NULL ORDER BY id" \
	>"$WORK/rendered-after"
is "$(join -j1 "$WORK/rendered-before" "$WORK/rendered-after" | awk '$2 != $3' | wc -l)" 0 \
	"a mail rendered before the kills kept its bytes: $(wc -l <"$WORK/rendered-before") checked"
is "$(db "SELECT count(*) FROM outbox o WHERE (SELECT count(*) FROM events e WHERE e.kind = 'mail-queued'
	AND e.ticket_id IS o.ticket_id AND e.detail LIKE '%(sha256 ' || o.sha256 || ')') <> 1")" 0 \
	"each rendered mail's SHA-256 is in the hash chain once (its mail-queued event)"

report=$(spool_report "$DB" "$WORK/kills.jsonl")
printf '%s\n' "$report" | grep '^#'
v() { report_value "$report" "$1"; }
echo "# outbox $(v outbox), arrived $(v arrived) ($(v distinct) distinct Message-IDs), resent $(v resent), kills $(v kills)"
is "$(v missing)" 0 "every mail of the outbox (acknowledgements too) reached the SMTP server"
is "$(v distinct)" "$(v outbox)" "... and nothing else did: no resend under a new Message-ID"
is "$(v unexplained)" 0 "a Message-ID arrived twice only when a kill fell between the 250 and the record"
is "$(v order_broken)" 0 "each recipient got its mail in the order it was queued"
is "$(v differing)" 0 "no Message-ID arrived twice with different bytes"
is "$(v unlike_stored)" 0 "every copy that arrived is the stored mail, byte for byte ($(v checked_bytes) checked)"
bot verify >"$WORK/verify.out" 2>&1
ok $? "verify: the event chain and every stored message check out"
echo "# kill.sh took $((SECONDS - t_start)) s"
tap_done
