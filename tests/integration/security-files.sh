#!/usr/bin/env bash
# security-files.sh — private files (issue 14, V8): started from a shell
# with umask 022 on an installation whose database, WAL and folder were
# readable by everybody, the bot makes the database, WAL and shared-memory
# file 0600 and the folder 0700; a new database, a backup and an export
# are private too; the spool of the mail it queues is never world-readable.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
make_bot secfiles
trap 'rm -rf "$WORK"' EXIT
umask 022

T0="2026-11-25T10:00:00+09:00"
mode() { stat -c %a "$1"; }
send_mail "$REPORTER" "$BOT_ADDR" "ノートPCの紛失" "電車に置き忘れました。" >/dev/null

# --- a new database in a folder that exists and is open to all
mkdir -m 755 "$WORK/state"
poll_at 0
is "$(mode "$WORK/state/incidents.db")" 600 "a new database in an existing 0755 folder is 0600"
is "$(mode "$WORK/state")" 700 "... and its folder is made 0700"
for f in "$WORK"/state/incidents.db-wal "$WORK"/state/incidents.db-shm; do
	[ -e "$f" ] && is "$(mode "$f")" 600 "... $(basename "$f") is 0600"
done

# --- an installation left open by an earlier version or an operator,
# with a WAL and shared-memory file left by a crash, while `run` works
chmod 644 "$WORK/state/incidents.db"
chmod 755 "$WORK/state"
$PY -c 'import os, sqlite3, sys
c = sqlite3.connect(sys.argv[1]); c.execute("PRAGMA journal_mode=WAL")
c.execute("CREATE TABLE IF NOT EXISTS crash(x)"); c.execute("INSERT INTO crash VALUES (1)"); c.commit()
os._exit(0)' "$WORK/state/incidents.db"	# exits without closing: -wal and -shm stay
chmod 644 "$WORK"/state/incidents.db-wal "$WORK"/state/incidents.db-shm
is "$(mode "$WORK/state/incidents.db-wal")" 644 "(set-up: a 0644 WAL left by a crash)"
send_mail "$REPORTER" "$BOT_ADDR" "USBメモリの紛失" "顧客リスト入り。" >/dev/null
"$BOT" -c "$CONF" run >"$WORK/run.log" 2>&1 &
run_pid=$!
wait_for 20 eval '[ "$(bot tickets --json | json "len(j)")" = 2 ]'
ok $? "run takes in the second report"
is "$(mode "$WORK/state/incidents.db")" 600 "an existing 0644 database is made 0600"
is "$(mode "$WORK/state")" 700 "... its 0755 folder 0700"
is "$(mode "$WORK/state/incidents.db-wal")" 600 "... its WAL 0600 (while run has it open)"
is "$(mode "$WORK/state/incidents.db-shm")" 600 "... its shared-memory file 0600"
kill "$run_pid"
wait "$run_pid" 2>/dev/null

# --- backups and exports
bot backup "$WORK/backup.db" >/dev/null 2>&1
ok $? "backup writes a copy"
is "$(mode "$WORK/backup.db")" 600 "... 0600"
id=$(bot tickets --json | json 'j[0]["id"]')
bot export "$id" --out "$WORK/exp" >/dev/null 2>&1
ok $? "export writes the folder"
is "$(find "$WORK/exp" -type d ! -perm 700 | wc -l)" 0 "... every folder of it 0700"
is "$(find "$WORK/exp" -type f ! -perm 600 | wc -l)" 0 "... every file 0600"
is "$(find "$WORK/state" -perm /077 | wc -l)" 0 "nothing in the database folder is open to others"
tap_done
