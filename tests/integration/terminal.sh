#!/usr/bin/env bash
# terminal.sh — the terminal (issue 13, point 9) over the real test
# servers: `show` is compact by default — fields, obligations with the
# time left and their kind, checklist, notes, each message's own words —
# while a ticket's follow-ups each quote the whole thread; `show --full`
# has everything; `show --json` keeps its shape.  The columns of `show`
# and `tickets` line up by display width (checked in Python with
# unicodedata.east_asian_width, not with the bot's own table), a cut
# never splits a character and ends in "…", and `tickets` shows the
# owner by name, the next deadline with the time left, and 訓練.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
make_bot terminal
trap 'rm -rf "$WORK"' EXIT

T0="2026-12-07T10:00:00+09:00"

# check_columns FILE TITLE...: the lines from the header line (the one
# holding every TITLE) to the next empty line form a table: every row
# has the two-space gap right before each column's display position in
# the header, and those titled in NONEMPTY (env) start there.  Display
# positions: East Asian Width W/F two columns, combining marks none.
check_columns() {
	$PY - "$@" <<'PYEOF'
import os, re, sys, unicodedata
path, titles = sys.argv[1], sys.argv[2:]
nonempty = set(os.environ.get("NONEMPTY", "").split(",")) - {""}
def cells(line):            # one entry per display column
    out = []
    for ch in line:
        if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
            continue
        w = 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
        out.extend([ch] + [""] * (w - 1))
    return out
lines = open(path, encoding="utf-8").read().split("\n")
head = next(i for i, l in enumerate(lines) if all(t in l for t in titles))
hc = cells(lines[head])
starts = {t: len(cells(lines[head][:lines[head].index(t)])) for t in titles}
rows, bad = 0, []
for line in lines[head + 1:]:
    if not line.strip():
        break
    rows += 1
    c = cells(line) + [" "] * 400
    for t, p in starts.items():
        if p >= 2 and c[p - 2:p] != [" ", " "]:
            bad.append("%r: no gap before %s at column %d" % (line, t, p))
        if t in nonempty and c[p] in (" ", ""):
            bad.append("%r: %s does not start at column %d" % (line, t, p))
print("%d rows" % rows)
for b in bad[:5]:
    print("#   " + b)
sys.exit(1 if bad or rows == 0 else 0)
PYEOF
}
# max_width FILE: the widest line of FILE in display columns
max_width() {
	$PY -c '
import sys, unicodedata
def w(l): return sum(0 if unicodedata.combining(c) or unicodedata.category(c) in ("Mn","Me","Cf")
                     else 2 if unicodedata.east_asian_width(c) in ("W","F") else 1 for c in l)
print(max(w(l) for l in open(sys.argv[1], encoding="utf-8").read().split("\n")))' "$1"
}
# strict_utf8 FILE: the bytes are UTF-8 through and through, no U+FFFD
strict_utf8() {
	$PY -c '
import sys
t = open(sys.argv[1], "rb").read().decode("utf-8")
sys.exit(1 if "\ufffd" in t else 0)' "$1"
}

# --- a two-week ticket: a report with personal data, the admin's /ack
# and /note, three follow-ups from the reporter that each quote the
# acknowledgement whole, a drill beside it
subject_ja="顧客データベースへの不正アクセスとカード情報漏洩の疑い（受注管理サーバー）"
send_mail "山田 花子 <$REPORTER>" "$BOT_ADDR" "$subject_ja" \
	"受注管理サーバーに不正アクセスがあり、顧客の個人情報とカード情報が漏洩した可能性があります。
約12000件の顧客データが対象です。攻撃者のIPは 203.0.113.7 です。" >/dev/null
poll_at 0
id=$(bot tickets --json | json 'j[0]["id"]')
like "$id" "INC-" "the report is a ticket"
reply "$ADMIN1" "$(uid_of "$ADMIN1" "$id")" "/ack
/flag personal-data
/note 8:55 の管理者ログイン成功を確認中。ｱｸｾｽﾛｸﾞは保全済み" >/dev/null
poll_at 600
is "$(field "$id" 'j["owner"]')" "$ADMIN1" "the admin took the ticket"

said=("楽天・Yahoo の注文も同じ DB にあります" "8:55 に管理者ログイン成功のログがありました" "本日 14 時に外部ベンダーが調査に入ります")
for i in 0 1 2; do
	reply "$REPORTER" "$(mailbox "$REPORTER" list INBOX | tail -1 | cut -f1)" "${said[$i]}" >/dev/null
	poll_at $(( (i + 1) * 86400 ))
done
# one more as a Japanese phone writes it: Shift_JIS, its words on top,
# the thread quoted below an attribution line
$PY - "$WORK/sjis.eml" "$id" "$REPORTER" "$BOT_ADDR" <<'PYEOF'
import sys
path, tid, rep, bot = sys.argv[1:]
body = ("ｶｰﾄﾞ会社から連絡があり、不正利用が３件ありました。\n\n"
        "2026/12/09 10:00、セキュリティインシデント窓口 <%s>のメール:\n\n" % bot
        + "".join("> 引用された過去のやりとり %d 行目\n" % i for i in range(1, 31)))
head = ("From: %s\r\nTo: %s\r\nSubject: Re: [%s] =?Shift_JIS?B?jvOVdIK1gtyCtYK9?=\r\n"
        "Message-ID: <sjis-%s@example.com>\r\nDate: Wed, 09 Dec 2026 12:00:00 +0900\r\n"
        "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=Shift_JIS\r\n"
        "Content-Transfer-Encoding: 8bit\r\n\r\n" % (rep, bot, tid, tid))
open(path, "wb").write(head.encode("ascii") + body.replace("\n", "\r\n").encode("cp932"))
PYEOF
scripts/mailserver deliver "$BOT_ADDR" "$WORK/sjis.eml" >/dev/null
poll_at $((3 * 86400 + 30))
send_mail "$REPORTER" "$BOT_ADDR" "避難訓練：サーバー室の停電" "訓練です。サーバー室が停電しました。
$(seq -f 'UPS ログ %g 行目' 1 49)" >/dev/null
poll_at $((3 * 86400 + 60))
drill=$(bot tickets --json | json "[t['id'] for t in j if t['id'] != '$id'][0]")
reply "$ADMIN2" "$(uid_of "$ADMIN2" "$drill")" "/drill" >/dev/null
poll_at $((3 * 86400 + 120))
like "$(field "$drill" 'j["flags"]')" "drill" "the second ticket is a drill"
REPLY_QUOTE=0 reply "$ADMIN1" "$(uid_of "$ADMIN1" "$id")" "/lessons
原因: 管理画面のパスワードの使い回し
対策: 管理画面に多要素認証を導入する" >/dev/null
poll_at $((4 * 86400))
like "$(sqlite3 "$WORK/state/incidents.db" "SELECT lessons FROM tickets WHERE ref = '$id'")" "多要素認証" \
	"the admin recorded the lessons"
is "$(field "$id" 'len([m for m in j["messages"] if m["kind"] == "follow-up"])')" 6 \
	"the ticket has the admins' two replies and four follow-ups"

NOW=$(at $((5 * 86400)))
show() { COLUMNS=${COLS:-} bot --now "$NOW" show "$@"; }
show "$id" >"$WORK/compact.txt"
ok $? "show exits 0"
show "$id" --full >"$WORK/full.txt"
ok $? "show --full exits 0"
compact=$(cat "$WORK/compact.txt")
full=$(cat "$WORK/full.txt")

# --- compact: the fields, the obligations with time left, the words
like "$compact" "$subject_ja" "compact: the subject"
like "$compact" "owner     北垣 剛志 <$ADMIN1>" "compact: the owner by name"
for s in "${said[@]}"; do
	like "$compact" "$s" "compact: the follow-up's own words: $s"
done
like "$compact" "受注管理サーバーに不正アクセスがあり" "compact: the report's text"
like "$compact" "ｶｰﾄﾞ会社から連絡があり、不正利用が３件ありました。" "compact: the Shift_JIS follow-up's words"
ok "$(grep -q "引用された過去のやりとり" "$WORK/compact.txt"; [ $? -ne 0 ]; echo $?)" "... without the thread it quoted"
like "$full" "引用された過去のやりとり 30 行目" "full: the thread it quoted"
like "$compact" "8:55 の管理者ログイン成功を確認中" "compact: the admin's note"
like "$compact" "--- checklist" "compact: the checklist"
like "$compact" "[法定期限]" "compact: an obligation's kind: 法定期限"
ok "$(grep -E '^  ppc-preliminary +(open|OVERDUE) .*(残り|超過)[0-9]+(日|時間|分)' "$WORK/compact.txt" >/dev/null; echo $?)" \
	"compact: the PPC preliminary report with the time left or how late"
quoted=$(grep -c '^>' "$WORK/compact.txt")
is "$quoted" 0 "compact: no quoted line (the full view has $(grep -c '^>' "$WORK/full.txt"))"
like "$compact" "[quoted text and signature:" "compact: says where quoted text was left out"
like "$compact" "show $id --full" "compact: says how to see everything"
c_lines=$(wc -l <"$WORK/compact.txt")
f_lines=$(wc -l <"$WORK/full.txt")
ok "$([ $((c_lines * 2)) -lt "$f_lines" ]; echo $?)" "compact is less than half as long as full ($c_lines vs $f_lines lines)"
echo "# compact $c_lines lines, full $f_lines lines"

like "$compact" "--- lessons learned (policy 8): 2 lines" "compact: the lessons document is named, not printed"

drill_show=$(show "$drill")
like "$drill_show" "UPS ログ 39 行目" "compact: a long report's first 40 lines"
ok "$(echo "$drill_show" | grep -q "UPS ログ 40 行目"; [ $? -ne 0 ]; echo $?)" "... and not more"
like "$drill_show" "[… 10 more lines: show --full]" "... saying how many more there are"
like "$(show "$drill" --full)" "UPS ログ 49 行目" "full: the whole report"

# --- full: every message whole, the mail, the timeline, the lessons
ok "$(grep -qx "対策: 管理画面に多要素認証を導入する" "$WORK/full.txt"; echo $?)" \
	"full: the lessons document, line by line"
ok "$([ "$(grep -c '^>' "$WORK/full.txt")" -gt 20 ]; echo $?)" "full: the quoted history is there"
like "$full" "--- mail sent by the bot" "full: the bot's mail"
like "$full" "--- timeline" "full: the timeline"
like "$full" "sha256" "full: the attachments' and mails' details"
for s in "${said[@]}"; do
	like "$full" "$s" "full: $s"
done

# --- json keeps its shape
keys=$(show "$id" --json | json 'sorted(j.keys())')
for k in obligations checklist messages mails timeline; do
	like "$keys" "'$k'" "show --json still has $k"
done
like "$(show "$id" --json | json 'j["messages"][1]["text"]')" "> " "show --json: a message's text is whole"

# --- columns line up by display width
NONEMPTY=KIND,STATE,DUE,LEFT,DEADLINE,WHAT check_columns "$WORK/compact.txt" KIND STATE DUE LEFT DEADLINE WHAT >/dev/null
ok $? "compact: the obligations' columns line up (display width)"
NONEMPTY=KIND,STATE,DUE,LEFT,DEADLINE check_columns "$WORK/full.txt" KIND STATE DUE LEFT DEADLINE WHAT >/dev/null
ok $? "full: the obligations' columns line up"
bot --now "$NOW" tickets >"$WORK/tickets.txt"
cat "$WORK/tickets.txt" | sed 's/^/# /'
NONEMPTY=ID,STATUS,PRI,OWNER,SUBJECT check_columns "$WORK/tickets.txt" ID STATUS PRI OWNER "NEXT DEADLINE" DRILL SUBJECT
ok $? "tickets: the columns line up (display width), with Japanese owner and subjects"
bot --now "$NOW" outbox --all --limit 0 >"$WORK/outbox.txt"
NONEMPTY=ID,STATE,KIND,TICKET,TO,TRY,WHEN,SUBJECT check_columns "$WORK/outbox.txt" ID STATE KIND TICKET TO TRY WHEN SUBJECT >/dev/null
ok $? "outbox: the columns line up (display width)"
row=$(grep "^$id" "$WORK/tickets.txt")
like "$row" "北垣 剛志" "tickets: the owner by name"
# the kinds due first (several may share the due time)
first=$(bot --now "$NOW" show "$id" --json | json '"|".join(o["kind"] for o in j["obligations"] if o["state"] == "open" and o["due"] == min(p["due"] for p in j["obligations"] if p["state"] == "open"))')
ok "$(grep -E "^$id .*  ($first) (残り|超過)[0-9]+(日|時間|分)[^ ]* \[(法定期限|契約上の期限|社内目標)\]" "$WORK/tickets.txt" >/dev/null; echo $?)" \
	"tickets: the next deadline (one of $first, due first) with the time left and its kind"
bot --now "$NOW" tickets --json >"$WORK/tickets.json"
like "$first" "$(json "[t['next_deadline']['kind'] for t in j if t['id'] == '$id'][0]" <"$WORK/tickets.json")" \
	"tickets --json: next_deadline names it too"
show "$id" --json >"$WORK/show.json"
is "$($PY -c '
import json, sys
t = [t for t in json.load(open(sys.argv[1])) if t["id"] == sys.argv[3]][0]
s = json.load(open(sys.argv[2]))
print(sorted(set(t) - {"next_deadline"}) == sorted(set(s) - {"obligations", "checklist", "messages", "mails", "timeline"}))' \
	"$WORK/tickets.json" "$WORK/show.json" "$id")" True "tickets --json: the ticket's fields as before, next_deadline added"
like "$(grep "^$drill" "$WORK/tickets.txt")" "訓練" "tickets: the drill is marked 訓練"
ok "$(grep "^$id" "$WORK/tickets.txt" | grep -q 訓練; [ $? -ne 0 ]; echo $?)" "... and the real incident is not"
like "$row" "$subject_ja" "tickets: the whole subject when there is no terminal width"

# --- a narrow terminal: cut on characters with "…", lines fit
for cols in 120 118 117 116; do
	COLUMNS=$cols bot --now "$NOW" tickets >"$WORK/narrow.txt"
	w=$(max_width "$WORK/narrow.txt")
	ok "$([ "$w" -le "$cols" ]; echo $?)" "tickets at $cols columns: every line fits ($w)"
	strict_utf8 "$WORK/narrow.txt"
	ok $? "... no split character"
	cut=$(grep "^$id" "$WORK/narrow.txt" | $PY -c 'import sys; print(sys.stdin.read().rstrip("\n").split("  ")[-1])')
	like "$cut" "…" "... the subject is cut with …"
	ok "$($PY -c 'import sys; c, s = sys.argv[1].rstrip("…").strip(), sys.argv[2]; sys.exit(0 if c and s.startswith(c) else 1)' "$cut" "$subject_ja"; echo $?)" \
		"... what is left is the subject's beginning ($cut)"
	NONEMPTY=ID,STATUS,PRI,OWNER,SUBJECT check_columns "$WORK/narrow.txt" ID STATUS PRI OWNER "NEXT DEADLINE" DRILL SUBJECT >/dev/null
	ok $? "... the columns still line up"
done
COLS=90 show "$id" >"$WORK/compact90.txt"
strict_utf8 "$WORK/compact90.txt"
ok $? "show at 90 columns: no split character"
like "$(grep '^  ppc-preliminary' "$WORK/compact90.txt")" "…" "show at 90 columns: an obligation's description is cut with …"
ok "$([ "$(grep -E '^  [a-z-]+ +(open|OVERDUE|done|not-needed) ' "$WORK/compact90.txt" >"$WORK/obl90.txt"; max_width "$WORK/obl90.txt")" -le 90 ]; echo $?)" \
	"... and its lines fit in 90 columns"
tap_done
