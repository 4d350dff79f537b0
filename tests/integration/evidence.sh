#!/usr/bin/env bash
# evidence.sh — the evidence a ticket leaves (policy 7-3, 7-4, 8; SPEC 2):
# a report and a follow-up over the real test servers, an admin's commands,
# then `export`: report.md with the subject, the timeline's kinds, times and
# hashes; messages/*.eml byte for byte as the IMAP server serves them;
# sent/*.eml as queued; chain.txt; a manifest that `sha256sum -c` accepts;
# modes 700/600; no overwriting.  A closed ticket with its lessons, and a
# ticket without messages, export too.  `verify` passes on the database and,
# on copies of it, names an edited event, a rewritten link, a deleted event
# and an edited message.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
make_bot evidence
# IB_KEEP=1 keeps the scratch folder (the exports) to look at.
if [ "${IB_KEEP:-0}" = 1 ]; then echo "# kept: $WORK"; else trap 'rm -rf "$WORK"' EXIT; fi

T0="2026-11-25T10:00:00+09:00"
DB=$WORK/state/incidents.db
db() { sqlite3 "$DB" "$1"; }
mode() { stat -c %a "$1"; }

# reply (lib.sh) answers a mail of the bot, quoting none of it.
REPLY_QUOTE=0
alarm_uid() { mailbox "$1" list INBOX | grep "$2" | grep "新規インシデント" | head -1 | cut -f1; }

# sha256s of the rows of a query returning one blob per row, in order
blob_sums() {
	$PY - "$DB" "$1" <<'PYEOF'
import hashlib, sqlite3, sys
for (b,) in sqlite3.connect(sys.argv[1]).execute(sys.argv[2]):
    print(hashlib.sha256(bytes(b)).hexdigest())
PYEOF
}

# --- a report, a follow-up whose subject and text try to break the Markdown
subject="顧客データベースへの不正アクセスの疑い"
send_mail "$REPORTER" "$BOT_ADDR" "$subject" \
	"本日9時ごろ、顧客データベースに海外IPからのアクセスがありました。" >/dev/null
poll_at 0
ok $? "poll takes in the report"
id=$(bot tickets --json | json 'j[0]["id"]')
like "$id" "INC-2026-" "a ticket is opened"
nasty="Re: [$id] 追加 | <b>太字</b> *強調* [link](http://evil.example/)"
send_mail "$REPORTER" "$BOT_ADDR" "$nasty" "ログを確認しました。
\`\`\`
# 見出しではない / not a heading
| not | a | table |" >/dev/null
poll_at 600
is "$(field "$id" 'len(j["messages"])')" 2 "the follow-up joins the ticket"
reply "$ADMIN1" "$(alarm_uid "$ADMIN1" "$id")" "/ack
/flag personal-data
/check 1
/note 調査を開始します"
poll_at 1200
is "$(field "$id" 'j["status"]')" acknowledged "the admin's /ack took effect"
tid=$(db "SELECT id FROM tickets WHERE ref = '$id'")

# --- verify on the live database
out=$(bot verify)
ok $? "verify exits 0 on an untouched database"
n_ev=$(db "SELECT count(*) FROM events")
n_msg=$(db "SELECT count(*) FROM messages")
like "$out" "ok: $n_ev events, $n_msg messages verified" "verify counts every event and message"
like "$out" "newest event: $(db "SELECT id || ' ' || hash FROM events ORDER BY id DESC LIMIT 1")" \
	"verify shows the newest event's hash (to write down)"
is "$(bot verify --json | json 'j["ok"], j["events"], len(j["problems"])')" "True $n_ev 0" \
	"verify --json says the same"
like "$(bot verify --help)" "a deleted message" "verify --help says what it cannot detect"

# --- export into the default folder of the current directory
mkdir "$WORK/cwd"
(cd "$WORK/cwd" && bot export "$id") >"$WORK/export.out" 2>"$WORK/export.err"
ok $? "export exits 0"
X=$WORK/cwd/$id-export
like "$(cat "$WORK/export.out")" "$id exported to $id-export/" "export says where"
check "the default folder is ./ID-export" test -d "$X"
is "$(find "$WORK/cwd" -name '*partial*' | wc -l)" 0 "no partial folder is left behind"
R=$X/report.md
check "report.md is there" test -s "$R"
r=$(cat "$R")
like "$r" "# インシデント記録 (Incident record) $id" "report.md: title, Japanese first, English in parentheses"
like "$r" "| 件名 (Subject) | $subject |" "report.md: the ticket's subject"
like "$r" "| 状態 (Status) | 受付済み (acknowledged) |" "report.md: the status"
like "$r" "| 認知時刻 (Awareness time, policy 7-4) | 2026-11-25T10:00:00+09:00 |" \
	"report.md: the awareness time, RFC 3339 in the zone"
like "$r" "- 個人情報 (personal-data)" "report.md: the flags"
like "$r" "| 個人情報保護委員会への" "report.md: the obligations the flag created"
like "$r" "| 1 | " "report.md: the checklist"
like "$r" "| 2026-11-25T10:20:00+09:00 | $ADMIN1 |" "... with who ticked item 1 and when"
like "$r" "## 経過 (Timeline)" "report.md: the timeline"
like "$r" "| 2026-11-25T10:00:00+09:00 | opened | " "... the report opened the ticket at T0"
like "$r" "| 2026-11-25T10:10:00+09:00 | follow-up | " "... the follow-up at T0+10 min"
like "$r" "| 2026-11-25T10:20:00+09:00 | status | $ADMIN1 |" "... the admin's status change"
missing=0
for h in $(db "SELECT hash FROM events WHERE ticket_id = $tid"); do
	grep -q "\`$h\`" "$R" || missing=$((missing + 1))
done
is "$missing" 0 "report.md: every event of the ticket with its hash"
is "$(grep -c '| `[0-9a-f]\{64\}` |$' "$R")" "$(db "SELECT count(*) FROM events WHERE ticket_id = $tid")" \
	"... one timeline row per event"
like "$r" "### 1. messages/001.eml" "report.md: each message with its file"
like "$r" "- SHA-256: \`$(db "SELECT sha256 FROM messages WHERE ticket_id = $tid ORDER BY id LIMIT 1")\`" \
	"... and its stored SHA-256"
like "$r" "- 差出人 (From): $REPORTER" "... and its sender"
like "$r" '追加 \| \<b\>太字\</b\> \*強調\* \[link\](http://evil.example/)' \
	"a subject's markup is escaped"
is "$(grep -c '<b>' "$R")" 0 "... no raw HTML from a mail reaches report.md"
# the headings outside fenced code blocks (a fence closes with the same run of backticks)
headings() { awk '/^```+/ { m = $0; sub(/[^`].*$/, "", m); if (!f) { f = m; next } if ($0 == f) { f = ""; next } }
	!f && /^#/' "$1"; }
check "the follow-up's text is in report.md" grep -q '^# 見出しではない' "$R"
is "$(headings "$R" | grep -c '見出しではない')" 0 "... inside a code block: no mail text makes a heading"
is "$(headings "$R" | grep -c '^# ')" 1 "... report.md has one title"
like "$r" '````text' "a text with a fence in it gets a longer fence"
like "$r" "## ボットが送信したメール (Mail sent by the bot)" "report.md: the mail the bot sent"
n_sent=$(db "SELECT count(*) FROM outbox WHERE ticket_id = $tid")
is "$(grep -c ' | sent/[0-9]*\.eml |$' "$R")" "$n_sent" "... every one of them ($n_sent)"
like "$r" "| sent | " "... with its state"
like "$r" "未登録 / not recorded" "report.md: no lessons-learned document yet (policy 8)"
like "$r" "- 検証 (Verify): ok: " "report.md: the verify result"

# messages/ and sent/ hold the bytes exactly
is "$(ls "$X/messages" | tr '\n' ' ')" "001.eml 002.eml 003.eml " "messages/: every received message of the ticket"
is "$(cd "$X/messages" && sha256sum *.eml | cut -d' ' -f1)" \
	"$(db "SELECT sha256 FROM messages WHERE ticket_id = $tid ORDER BY id")" \
	"... each with the SHA-256 stored when it came"
served=$(for u in $(mailbox "$BOT_ADDR" list Processed | cut -f1); do
	mailbox "$BOT_ADDR" get "$u" Processed | sha256sum | cut -d' ' -f1; done)
unmatched=0
for f in "$X"/messages/*.eml; do
	grep -qx "$(sha256sum <"$f" | cut -d' ' -f1)" <<<"$served" || unmatched=$((unmatched + 1))
done
is "$unmatched" 0 "... byte for byte what the IMAP server serves"
is "$(ls "$X/sent" | wc -l)" "$n_sent" "sent/: every mail the bot sent about the ticket"
is "$(cd "$X/sent" && sha256sum *.eml | cut -d' ' -f1)" \
	"$(blob_sums "SELECT data FROM outbox WHERE ticket_id = $tid ORDER BY id")" \
	"... byte for byte as queued"

# chain.txt
c=$(cat "$X/chain.txt")
first=$(db "SELECT id || ' $(at 0) ' || hash FROM events WHERE ticket_id = $tid ORDER BY id LIMIT 1")
like "$c" "first-event: $first" "chain.txt: the ticket's first event and hash"
like "$c" "last-event: $(db "SELECT id FROM events WHERE ticket_id = $tid ORDER BY id DESC LIMIT 1") " \
	"chain.txt: the ticket's last event"
like "$c" "$(db "SELECT hash FROM events WHERE ticket_id = $tid ORDER BY id DESC LIMIT 1")" "... and its hash"
# + 1: the export revoked the admins' reply tokens first, an event (issue 14)
like "$c" "verify: ok: $((n_ev + 1)) events, $n_msg messages verified" "chain.txt: the whole database verified"

# the manifest
(cd "$X" && sha256sum --quiet -c manifest.sha256) >/dev/null 2>&1
ok $? "sha256sum -c manifest.sha256 passes inside the folder"
like "$(head -1 "$X/manifest.sha256")" "# issue 14: every reply token of this ticket was revoked" \
	"the manifest says the tokens in the mail were revoked"
is "$(grep -v '^#' "$X/manifest.sha256" | cut -c67- | sort | tr '\n' ' ')" \
	"$(cd "$X" && find . -type f ! -name manifest.sha256 | sed 's|^\./||' | sort | tr '\n' ' ')" \
	"the manifest lists every file but itself"
cp -a "$X" "$WORK/altered"
printf 'x' >>"$WORK/altered/messages/001.eml"
(cd "$WORK/altered" && sha256sum --quiet -c manifest.sha256) >/dev/null 2>&1
ok $((! $?)) "... and fails once a message file is altered"

# modes: personal data
is "$(mode "$X") $(mode "$X/messages") $(mode "$X/sent")" "700 700 700" "the folders are 0700"
is "$(find "$X" -type f ! -perm 600 | wc -l)" 0 "every file is 0600"
umask_out=$(umask 000; cd "$WORK/cwd" && bot export "$id" --out loose >/dev/null 2>&1; \
	stat -c %a loose loose/report.md)
is "$(echo $umask_out)" "700 600" "... whatever the umask"

# never overwrites
before=$(sha256sum "$R")
(cd "$WORK/cwd" && bot export "$id") >/dev/null 2>"$WORK/again.err"
is $? 2 "export into an existing non-empty folder is refused (exit 2)"
like "$(cat "$WORK/again.err")" "not empty" "... saying why"
is "$(sha256sum "$R")" "$before" "... and the folder is untouched"
mkdir "$WORK/empty"
bot export "$id" --out "$WORK/empty/" >/dev/null 2>&1
ok $? "an existing empty folder is used"
check "... and filled" test -s "$WORK/empty/report.md"
is "$(mode "$WORK/empty")" 700 "... and made 0700"
bot export INC-2026-0999 --out "$WORK/none" >/dev/null 2>&1
is $? 1 "export of an unknown ticket exits 1"
check "... and leaves no folder" test ! -e "$WORK/none"
bot export "not-an-id" >/dev/null 2>&1
is $? 2 "a malformed ID is a usage error"

# --- a closed ticket, with its lessons (policy 8)
# the export revoked the tokens (issue 14): /token mails a fresh one
reply "$ADMIN1" "$(alarm_uid "$ADMIN1" "$id")" "/token"
poll_at 1700
reply "$ADMIN1" "$(mailbox "$ADMIN1" list INBOX | grep "$id" | grep "新しい返信用アドレス" | tail -1 | cut -f1)" "/close force 検証のためクローズ
/lessons
原因: 管理画面のパスワードが使い回されていた。
対策: 多要素認証を必須にする。"
poll_at 1800
is "$(field "$id" 'j["status"]')" closed "the ticket is closed"
bot export "$id" --out "$WORK/closed" >/dev/null 2>"$WORK/closed.err"
ok $? "a closed ticket exports"
rc=$(cat "$WORK/closed/report.md")
like "$rc" "| 状態 (Status) | クローズ (closed) |" "... its report says closed"
like "$rc" "| 完了 (Closed) | 2026-11-25T10:30:00+09:00 |" "... and when"
like "$rc" "対策: 多要素認証を必須にする。" "... and holds the lessons-learned document"
(cd "$WORK/closed" && sha256sum --quiet -c manifest.sha256) >/dev/null 2>&1
ok $? "... its manifest checks"

# --- a ticket without messages (on a copy: tickets come from mail)
mkdir "$WORK/bare"
sqlite3 "$DB" ".backup '$WORK/bare/incidents.db'"
sed "s|^database .*|database = \"$WORK/bare/incidents.db\"|" "$CONF" >"$WORK/bare.conf"
sqlite3 "$WORK/bare/incidents.db" "INSERT INTO tickets(ref, year, seq, subject, created_at,
	updated_at, aware_at) VALUES ('INC-2026-0099', 2026, 99, '手入力 | *テスト*', 1795568400,
	1795568400, 1795568400)"
"$BOT" -c "$WORK/bare.conf" export INC-2026-0099 --out "$WORK/bare-export" >/dev/null 2>&1
ok $? "a ticket without messages or events exports"
rb=$(cat "$WORK/bare-export/report.md")
like "$rb" "## 受信したメッセージ (Messages received)

なし (none)" "... its report says there are no messages"
is "$(ls "$WORK/bare-export/messages" | wc -l)" 0 "... messages/ is empty"
like "$(cat "$WORK/bare-export/chain.txt")" "first-event: none" "... chain.txt: no event"
(cd "$WORK/bare-export" && sha256sum --quiet -c manifest.sha256) >/dev/null 2>&1
ok $? "... its manifest checks"

# --- tampering, on copies of the database
tamper_copy() {	# tamper_copy NAME SQL: a copy of the database with SQL applied; sets TCONF
	mkdir -p "$WORK/$1"
	sqlite3 "$DB" ".backup '$WORK/$1/incidents.db'"
	sqlite3 "$WORK/$1/incidents.db" "$2"
	TCONF=$WORK/$1.conf
	sed "s|^database .*|database = \"$WORK/$1/incidents.db\"|" "$CONF" >"$TCONF"
}
tamper_copy edited "UPDATE events SET detail = 'x' WHERE id = 3"
out=$("$BOT" -c "$TCONF" verify)
is $? 1 "verify exits 1 when an event's detail was edited"
e3=$(db "SELECT COALESCE(t.ref, 'no ticket') || ', ' || strftime('%Y-%m-%dT%H:%M:%S+09:00', e.at + 9 * 3600, 'unixepoch') || ', ' || e.kind FROM events e LEFT JOIN tickets t ON t.id = e.ticket_id WHERE e.id = 3")
like "$out" "event 3 ($e3): hash does not match its content" \
	"... naming event 3, its ticket, time and kind"
is "$("$BOT" -c "$TCONF" verify --json | json 'j["ok"], j["problems"][0]["event"], j["problems"][0]["what"]')" \
	"False 3 event-hash" "verify --json names it too"
bot verify >/dev/null
ok $? "the original database still verifies"
"$BOT" -c "$TCONF" export "$id" --out "$WORK/edited-export" >/dev/null 2>"$WORK/edited.err"
is $? 1 "export from an altered database exits 1"
like "$(cat "$WORK/edited.err")" "does not verify" "... warning that the database does not verify"
like "$(cat "$WORK/edited-export/chain.txt")" "problem: event 3 ($id" "... and chain.txt names the problem"

last=$(db "SELECT max(id) FROM events")
mid=$((last / 2))
tamper_copy deleted "DELETE FROM events WHERE id = $mid"
out=$("$BOT" -c "$TCONF" verify)
is $? 1 "verify exits 1 when an event was deleted"
like "$out" "event $((mid + 1)): prev_hash does not match event $((mid - 1)) (event $mid is missing: deleted?)" \
	"... naming the next event and the missing one"

tamper_copy relinked "UPDATE events SET prev_hash = (SELECT hash FROM events WHERE id = 1) WHERE id = 4"
out=$("$BOT" -c "$TCONF" verify)
like "$out" "event 4: prev_hash does not match event 3" "a rewritten prev_hash is named"

tamper_copy message "UPDATE messages SET raw = CAST(replace(CAST(raw AS TEXT), 'a', 'b') AS BLOB) WHERE id = 2"
out=$("$BOT" -c "$TCONF" verify)
is $? 1 "verify exits 1 when a message's bytes were edited"
like "$out" "message 2 ($id): SHA-256 of the raw bytes differs from the stored one" "... naming the message"

# --- backup: a consistent copy of the live database, verified, private
out=$(bot backup "$WORK/backup.db")
ok $? "backup copies the database and verifies the copy: $out"
is "$(stat -c %a "$WORK/backup.db")" 600 "... the copy is mode 600"
is "$(sqlite3 "$WORK/backup.db" "SELECT count(*) FROM events")" \
	"$(sqlite3 "$WORK/state/incidents.db" "SELECT count(*) FROM events")" "... with every event"
bot backup "$WORK/backup.db" >/dev/null 2>&1
is $? 1 "backup never overwrites an existing file"
tap_done
