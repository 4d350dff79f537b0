# tests/integration/faults-lib.bash — what the fault tests (kill.sh,
# faults-smtp.sh, faults-imap.sh, faults-storage.sh, oauth2.sh) share.  Source it after
# lib.sh.  Not a test itself (tests/run runs only *.sh).
#
#   private_servers_start   a Dovecot + SMTP server + OAuth2 token endpoint
#                           of this script's own (scripts/mailserver with its
#                           own IB_MAIL_DIR and free ports), so that a test
#                           can stop, restart and break them — and use the
#                           SMTP fault file — without touching the shared
#                           servers other tests use (oauth2.sh too).
#                           Re-exports IB_* for it: call before make_bot.
#   private_servers_stop    stops them and removes their folder (trap it)
#   dovecot_stop / dovecot_start, smtp_stop / smtp_start
#   smtp_fault WHAT         451 | 550 | drop | "" (none) for the private server
#   killer ...              runs a bot command and SIGKILLs it on a trigger
#   append_mail USER FILE...   stores raw mails in USER's INBOX over IMAPS
#   spool_report DB EVENTS  what the SMTP server received, per Message-ID
#   wait_for SECONDS COMMAND...
#   on_line, dovecot_stop_on, lock_shell/db_lock/db_unlock (below)
#   faults_setup, new_bot and the small helpers of one case (at the end)

PV_DIR=

private_servers_start() {
	local ports
	PV_DIR=$(mktemp -d /tmp/ib-pv-XXXXXX) || return 1
	chmod 755 "$PV_DIR"
	# The shared instance's certificates: no key generation, same CA file.
	mkdir -p "$PV_DIR/certs"
	cp -p "$IB_MAIL_DIR"/certs/*.pem "$IB_MAIL_DIR"/certs/*.key "$PV_DIR/certs/" || return 1
	ports=$($PY -c '
import socket
socks = [socket.socket() for _ in range(5)]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))')
	# shellcheck disable=SC2086 # five numbers
	set -- $ports
	export IB_MAIL_DIR=$PV_DIR IB_IMAP_PORT=$1 IB_IMAPS_PORT=$2 IB_SMTP_PORT=$3 IB_SMTPS_PORT=$4 \
		IB_OAUTH_PORT=$5
	scripts/mailserver start >"$PV_DIR/start.out" 2>&1 || {
		cat "$PV_DIR/start.out" >&2
		return 1
	}
	eval "$(scripts/mailserver env --export)"
}

private_servers_stop() {
	[ -n "$PV_DIR" ] && [ -d "$PV_DIR" ] || return 0
	rm -f "$PV_DIR/smtp-fault"
	dovecot_stop 2>/dev/null	# with the IMAP sessions its master leaves behind
	IB_MAIL_DIR=$PV_DIR scripts/mailserver stop >/dev/null 2>&1
	rm -rf "$PV_DIR"
	PV_DIR=
}

# pid_wait_gone PID SECONDS: until the process is gone (a zombie counts as gone).
pid_wait_gone() {
	local i state
	for ((i = 0; i < $2 * 10; i++)); do
		state=$(ps -o stat= -p "$1" 2>/dev/null) || return 0
		case "$state" in Z*) return 0 ;; esac
		sleep 0.1
	done
	return 1
}

# The whole server goes: Dovecot's IMAP sessions outlive its master, so the
# master's process group (its own, made by setsid: this instance only) is
# signalled, and waited for until empty.
dovecot_stop() {
	local pid
	pid=$(cat "$PV_DIR/run/master.pid" 2>/dev/null) || return 1
	kill -TERM -- "-$pid" 2>/dev/null || return 1
	group_wait_gone "$pid"
}
group_wait_gone() {	# group_wait_gone PGID: until no process is left in it (KILL after 5 s)
	local i
	for ((i = 0; i < 100; i++)); do
		pgrep -g "$1" >/dev/null || return 0
		[ "$i" = 50 ] && kill -KILL -- "-$1" 2>/dev/null
		sleep 0.1
	done
	return 1
}
dovecot_start() { scripts/mailserver start >/dev/null; }	# starts what is not running
smtp_stop() {
	local pid
	pid=$(cat "$PV_DIR/smtp.pid" 2>/dev/null) || return 1
	kill -TERM "$pid" 2>/dev/null || return 1
	pid_wait_gone "$pid" 20
}
smtp_start() { scripts/mailserver start >/dev/null; }

# on_line FILE REGEX N ACTION [OFFSET]: waits (at most 120 s) for the Nth
# line matching REGEX in FILE after byte OFFSET (default: its size now; take
# it before starting the process that writes the line), and acts at once —
# within a millisecond or two, where a shell loop would be a tenth of a
# second late:
#   signal:PID:SIG    kill -SIG PID (a negative PID: the process group)
#   write:PATH:TEXT   writes TEXT and a newline to PATH (a fifo)
on_line() {
	$PY - "$@" <<'PYEOF'
import os, re, signal, sys, time
path, regex, n, action = sys.argv[1], re.compile(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
pos = int(sys.argv[5]) if len(sys.argv) > 5 else os.path.getsize(path)
seen, buf, deadline = 0, b"", time.time() + 120
while seen < n:
    if time.time() > deadline:
        sys.exit("no line matching %s in %s" % (regex.pattern, path))
    with open(path, "rb") as f:
        f.seek(pos)
        buf += f.read()
        pos = f.tell()
    *lines, buf = buf.split(b"\n")
    seen += sum(1 for l in lines if regex.search(l.decode("utf-8", "replace")))
    if seen < n:
        time.sleep(0.001)
kind, _, rest = action.partition(":")
if kind == "signal":
    pid, sig = rest.split(":")
    os.kill(int(pid), getattr(signal, "SIG" + sig))
elif kind == "write":
    target, _, text = rest.partition(":")
    with open(target, "w") as f:
        f.write(text + "\n")
PYEOF
}

# dovecot_stop_on FILE REGEX N [OFFSET]: stops Dovecot (as dovecot_stop)
# the moment the Nth line matching REGEX appears in FILE (on_line).
dovecot_stop_on() {
	local pid
	pid=$(cat "$PV_DIR/run/master.pid" 2>/dev/null) || return 1
	on_line "$1" "$2" "$3" "signal:-$pid:TERM" ${4:+"$4"} || return 1
	group_wait_gone "$pid"
}

# The sqlite3 shell as another process holding the database: lock_shell DB
# starts it, reading commands from a fifo; db_lock takes BEGIN EXCLUSIVE,
# db_lock_on FILE REGEX N OFFSET the moment that line appears (on_line);
# db_unlock commits and ends the shell.
lock_shell() {
	LOCK_DB=$1 LOCK_FIFO=$WORK/lock.fifo
	rm -f "$LOCK_FIFO"
	mkfifo "$LOCK_FIFO"
	# This shell holds the FIFO open (read-write: never blocks), so the
	# sqlite3 shell sees no end of input; db_unlock ends it with .quit
	# (the bots started meanwhile inherit the descriptor, so its end of
	# input could come late).  A background `sleep >FIFO` as the holder
	# raced with the first echo: when the echo came first, sqlite3 read
	# it, hit the end and left, and every later write blocked for ever.
	exec {LOCK_HOLD}<>"$LOCK_FIFO"
	sqlite3 "$LOCK_DB" <"$LOCK_FIFO" {LOCK_HOLD}>&- >>"$WORK/lock.out" 2>&1 &
	LOCK_SHELL=$!
	echo ".timeout 30000" >"$LOCK_FIFO"
}
db_locked() { ! sqlite3 -cmd ".timeout 0" "$LOCK_DB" "BEGIN IMMEDIATE; ROLLBACK;" >/dev/null 2>&1; }
db_lock() { echo "BEGIN EXCLUSIVE;" >"$LOCK_FIFO"; wait_for 30 db_locked; }
db_lock_on() {
	on_line "$1" "$2" "$3" "write:$LOCK_FIFO:BEGIN EXCLUSIVE;" "$4" && wait_for 30 db_locked
}
db_unlock() {
	printf 'COMMIT;\n.quit\n' >"$LOCK_FIFO"
	exec {LOCK_HOLD}>&-
	wait "$LOCK_SHELL" 2>/dev/null
}

smtp_fault() {
	if [ -n "$1" ]; then echo "$1" >"$PV_DIR/smtp-fault"; else rm -f "$PV_DIR/smtp-fault"; fi
}


# append_mail USER FILE...: one IMAPS connection, one APPEND per file (fast
# enough for thousands of mails; doveadm save costs a process each).
append_mail() {
	$PY - "$@" <<'PYEOF'
import imaplib, os, ssl, sys
user, files = sys.argv[1], sys.argv[2:]
ctx = ssl.create_default_context(cafile=os.environ["IB_CA"])
password = open(os.environ["IB_PASSWORD_FILE"]).read().strip()
imap = imaplib.IMAP4_SSL("127.0.0.1", int(os.environ["IB_IMAPS_PORT"]), ssl_context=ctx)
imap.login(user, password)
for f in files:
    with open(f, "rb") as fh:
        typ, data = imap.append("INBOX", None, None, fh.read())
    if typ != "OK":
        sys.exit("APPEND %s: %s %s" % (f, typ, data))
imap.logout()
PYEOF
}

# killer LABEL TRIGGER COMMAND...: runs COMMAND (a bot invocation), appends
# its stderr to $WORK/bot.log, and SIGKILLs it when TRIGGER fires:
#   time:SECONDS          that long after the start
#   line:N:REGEX          after the Nth line of its log matching REGEX
#   smtp:N                after the Nth "accepted" line of the (private)
#                         SMTP server's log since the start: the server has
#                         kept the mail and is answering 250
#   none                  never: waits for the exit
# A run still going after $KILLER_MAX seconds (default 120) is killed anyway.
# One JSON line per run goes to $WORK/kills.jsonl (label, trigger, killed,
# the time of the kill, the bot's last log line); prints "killed" or
# "exited RC".
killer() {
	KILLER_MAX=${KILLER_MAX:-120} $PY - "$WORK/bot.log" "$WORK/kills.jsonl" "$PV_DIR/smtp.log" "$@" <<'PYEOF'
import json, os, re, select, signal, subprocess, sys, time
log_path, events_path, smtp_log, label, trigger, *cmd = sys.argv[1:]
kind, _, arg = trigger.partition(":")
n, regex = 0, None
if kind == "line":
    n_s, _, pattern = arg.partition(":")
    n, regex = int(n_s), re.compile(pattern)
elif kind == "smtp":
    n = int(arg)
elif kind == "time":
    delay = float(arg)
smtp_pos = os.path.getsize(smtp_log) if os.path.exists(smtp_log) else 0
log = open(log_path, "ab")
log.write(("# ---- %s: %s (%s)\n" % (label, " ".join(cmd[-2:]), trigger)).encode())
t0 = time.time()
p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                     stderr=subprocess.PIPE)
fd = p.stderr.fileno()
buf, matched, last, killed, kill_t, eof = b"", 0, "", False, None, False

def kill():
    global killed, kill_t
    if not killed and p.poll() is None:
        os.kill(p.pid, signal.SIGKILL)
        killed, kill_t = True, time.time()
        log.write(b"# ---- SIGKILL\n")

while not eof:
    r, _, _ = select.select([fd], [], [], 0.002)
    if r:
        chunk = os.read(fd, 65536)
        if not chunk:
            eof = True
        buf += chunk
        *lines, buf = buf.split(b"\n")
        for raw in lines:
            log.write(raw + b"\n")
            text = raw.decode("utf-8", "replace")
            if not killed:
                last = text
            if regex and not killed and regex.search(text):
                matched += 1
                if matched == n:
                    kill()
    if killed:
        continue
    if kind == "time" and time.time() - t0 >= delay:
        kill()
    elif kind == "smtp" and os.path.exists(smtp_log):
        with open(smtp_log, "rb") as f:
            f.seek(smtp_pos)
            new = f.read()
        cut = new.rfind(b"\n") + 1
        smtp_pos += cut
        matched += new[:cut].count(b" accepted ")
        if matched >= n:
            kill()
    if time.time() - t0 > float(os.environ["KILLER_MAX"]):
        kill()
rc = p.wait()
if buf:
    log.write(buf + b"\n")
log.close()
with open(events_path, "a") as f:
    f.write(json.dumps({"label": label, "trigger": trigger, "killed": killed,
                        "t": kill_t, "start": t0, "rc": rc, "last": last}) + "\n")
print("killed" if killed else "exited %d" % rc)
PYEOF
}

# spool_report DB EVENTS: reads every mail the private SMTP server kept
# (spool/NNNNNN.eml + .env) from the bot of DB (its envelope sender), and
# the outbox table of DB, and checks the
# at-most-once rule: each Message-ID of the outbox arrived, none arrived that
# the outbox does not hold, and a Message-ID that arrived twice had a kill
# (from EVENTS, killer's log) between its copies — the only excuse for a
# resend (the server said 250, the bot died before recording it).  Prints
# "key value" lines: outbox, arrived, distinct, missing, unknown, resent,
# unexplained, resent_kills, "order_broken N" (recipients whose mails
# arrived out of outbox order), then (issue 16) "differing N" (Message-IDs
# whose copies are not all the same bytes), "unlike_stored N" (copies
# whose SHA-256 is not the outbox row's, where it keeps one) and
# "checked_bytes N" (the copies compared with their row).
spool_report() {
	$PY - "$IB_SPOOL" "$1" "$2" <<'PYEOF'
import datetime, hashlib, json, os, re, sqlite3, sys
spool, db, events = sys.argv[1:]
kills = []
if os.path.exists(events):
    for line in open(events):
        e = json.loads(line)
        if e["killed"]:
            kills.append(e["t"])
con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
senders = {r[0].lower() for r in con.execute("SELECT DISTINCT env_from FROM outbox")}
copies, digests = {}, {}
for name in sorted(os.listdir(spool)):
    if not name.endswith(".eml"):
        continue
    base = os.path.join(spool, name[:-4])
    raw = open(base + ".eml", "rb").read()
    head = raw.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
    m = re.search(rb"(?im)^message-id:\s*<([^>]+)>", head)
    env = json.load(open(base + ".env"))
    if env["mail_from"].lower() not in senders:    # another bot's mail
        continue
    t = datetime.datetime.fromisoformat(env["received"]).timestamp()
    copies.setdefault(m.group(1).decode() if m else "?" + name, []).append((t, int(name[:6]), env["rcpt_tos"]))
    digests.setdefault(m.group(1).decode() if m else "?" + name, []).append(hashlib.sha256(raw).hexdigest())
rows = con.execute("SELECT id, message_id, rcpt FROM outbox WHERE state = 'sent' ORDER BY id").fetchall()
total = con.execute("SELECT count(*) FROM outbox").fetchone()[0]
ours = {mid for _, mid, _ in rows}
missing = [mid for mid in ours if mid not in copies]
unknown = [mid for mid in copies if mid not in ours]
resent = unexplained = 0
used = set()
for mid, cs in copies.items():
    cs.sort()
    for (t1, _, _), (t2, _, _) in zip(cs, cs[1:]):
        resent += 1
        k = [i for i, tk in enumerate(kills) if t1 - 0.2 <= tk <= t2 and i not in used]
        if k:
            used.add(k[0])
        else:
            unexplained += 1
            print("# %s arrived again at %s with no kill in between" % (mid, t2))
# order per recipient: the first arrival of each mail, by spool number
first = {mid: min(n for _, n, _ in cs) for mid, cs in copies.items()}
by_rcpt = {}
for oid, mid, rcpt in rows:
    if mid in first:
        by_rcpt.setdefault(rcpt.lower(), []).append((oid, first[mid]))
broken = [r for r, l in by_rcpt.items() if [n for _, n in l] != sorted(n for _, n in l)]
for r in broken:
    print("# mail to %s arrived out of order: %s" % (r, by_rcpt[r]))
print("outbox", total)
print("sent", len(rows))
print("arrived", sum(len(c) for c in copies.values()))
print("distinct", len(copies))
print("missing", len(missing))
print("unknown", len(unknown))
print("resent", resent)
print("unexplained", unexplained)
print("kills", len(kills))
print("order_broken", len(broken))
differing = [mid for mid, ds in digests.items() if len(set(ds)) > 1]
for mid in differing:
    print("# %s arrived with different bytes" % mid)
stored = dict(con.execute("SELECT message_id, sha256 FROM outbox WHERE sha256 IS NOT NULL"))
checked = unlike = 0
for mid, ds in digests.items():
    if mid in stored:
        for d in ds:
            checked += 1
            if d != stored[mid]:
                unlike += 1
                if unlike <= 5:
                    print("# %s arrived as sha256 %s, stored as %s" % (mid, d, stored[mid]))
print("differing", len(differing))
print("unlike_stored", unlike)
print("checked_bytes", checked)
PYEOF
}

# report_value REPORT KEY: one value of spool_report's output.
report_value() { printf '%s\n' "$1" | sed -n "s/^$2 //p"; }

# ------------------------------------------------- one bot per case, and its helpers

works=() mounts=() run_pids=()
faults_cleanup() {
	local p m w
	for p in "${run_pids[@]}" ${LOCK_SHELL:-}; do kill -KILL "$p" 2>/dev/null; done
	for m in "${mounts[@]}"; do
		chattr -i "$m"/* 2>/dev/null
		umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null
	done
	private_servers_stop
	for w in "${works[@]}"; do rm -rf "$w"; done
}

# faults_setup: the private servers, and a trap that ends what the test
# started (bots, the lock shell), unmounts its file systems and removes its
# bots' folders.
faults_setup() {
	trap faults_cleanup EXIT
	private_servers_start || { echo "Bail out! cannot start private mail servers"; exit 2; }
	t_all=$SECONDS t_lap=$SECONDS
}

# new_bot NAME: a bot of its own (users, configuration, database) for one case.
new_bot() {
	make_bot "$1"
	works+=("$WORK")
	DB=$WORK/state/incidents.db
	sed -i 's/^timezone .*/&\nfetch_batch = 10/' "$CONF"
	printf 'limits {\n  replies_per_sender_per_hour = 1000\n  replies_per_domain_per_hour = 1000\n  replies_outside_per_hour = 1000\n  pending_per_recipient = 10000\n}\n' >>"$CONF"
	# The daily digest (09:00 Tokyo unless set) is a mail of its own, and the
	# cases poll hours ahead of the wall clock (--now): a poll that passes
	# 09:00 Tokyo sent it, and the case counted one mail more (faults-smtp's
	# dropped connection, run at 22:20 UTC, polled at +2 h and found 0/4/4,
	# not 0/3/3; its 5xx case at 20:20 UTC, five failed mails for four).
	# Set eleven to twelve hours from now, it falls after any poll of a case
	# that spans less than a day; no case here is about the digest.
	printf 'digest {\n  time = "%s:00"\n}\n' \
		"$(TZ=Asia/Tokyo date -d "@$(($(date +%s) + 12 * 3600))" +%H)" >>"$CONF"
}
db() { sqlite3 "$DB" "$1"; }
at() { date -d "@$1" -Iseconds; }	# at EPOCH: for --now
poll_at() { bot --now "$(at "$1")" poll --once 2>>"$WORK/poll.log"; }
start_run() {
	"$BOT" -c "$CONF" run 2>>"$WORK/run.log" &
	RUN_PID=$!
	run_pids+=("$RUN_PID")
	wait_for 15 grep -q "logged in as" "$WORK/run.log"
}
stop_run() {
	kill -TERM "$RUN_PID" 2>/dev/null
	wait "$RUN_PID" 2>/dev/null
}
run_alive() { kill -0 "$RUN_PID" 2>/dev/null; }
log_count() { grep -cE "$2" "$1"; }	# log_count FILE REGEX
# reports FROM N PREFIX [BYTES]: N reports in $WORK/in/PREFIX-*.eml, with an
# attachment of BYTES when given.  Prints nothing.
reports() {
	mkdir -p "$WORK/in"
	$PY - "$WORK/in" "$1" "$BOT_ADDR" "$2" "$3" "${4:-0}" <<'PYEOF'
import os, sys
from email.message import EmailMessage
out, frm, to, n, prefix, size = sys.argv[1:]
for i in range(int(n)):
    m = EmailMessage()
    m["From"], m["To"] = frm, to
    m["Subject"] = f"{prefix} {i:03d}: 不審なログイン"
    m["Date"] = "Wed, 25 Nov 2026 10:00:00 +0900"
    m["Message-ID"] = f"<{prefix}-{i}-{os.getpid()}@example.com>"
    m.set_content(f"{prefix} の {i} 番目の報告です。\n")
    if int(size):
        m.add_attachment(os.urandom(int(size)), maintype="application",
                         subtype="octet-stream", filename=f"log-{i}.bin")
    open(f"{out}/{prefix}-{i:03d}.eml", "wb").write(bytes(m))
PYEOF
}
deliver() { append_mail "$BOT_ADDR" "$@"; }	# deliver FILE...: into the bot's INBOX
inbox() { mailbox "$BOT_ADDR" count INBOX; }
pending() { db "SELECT count(*) FROM outbox WHERE state = 'pending'"; }
# told ADMIN ADDRESS: the admin received the notice that mail to ADDRESS failed.
# told USER PATTERN: USER has (or gets within 10 s) a delivery-failure notice
# naming PATTERN.  Waits as the other scripts do: on a loaded machine the
# IMAP listing can lag the SMTP server's 250 (once seen in CI-like runs).
told_now() { mailbox "$1" list INBOX | grep -q "配信失敗.*$2"; }
told() { wait_for 10 told_now "$@"; }
lap() { echo "# ($1: $((SECONDS - t_lap)) s)"; t_lap=$SECONDS; }

