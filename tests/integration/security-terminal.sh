#!/usr/bin/env bash
# security-terminal.sh — terminal safety (issue 14, V9): a report whose
# subject, name and text carry OSC/CSI escapes, C1 controls and a bidi
# override reaches the operator's terminal through `show`, `tickets`,
# `outbox`, `digest` and the logs only as visible escapes.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
make_bot secterm
trap 'rm -rf "$WORK"' EXIT

T0="2026-11-25T10:00:00+09:00"
# raw: ESC ] 0 ; title BEL (window title), ESC [ 2 J (clear), OSC 52
# (clipboard write), U+009B (C1 CSI), U+202E (right-to-left override)
subj=$($PY -c 'import base64; print("=?UTF-8?B?" + base64.b64encode("不正アクセス\x1b]0;pwned\x07\x1b[2J\u009b31m".encode()).decode() + "?=")')
name=$($PY -c 'import base64; print("=?UTF-8?B?" + base64.b64encode("山田\x1b[8m".encode()).decode() + "?=")')
printf 'From: %s <%s>\r\nTo: %s\r\nSubject: %s\r\nMessage-ID: <term-%s@example.com>\r\nDate: Wed, 25 Nov 2026 10:00:00 +0900\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n受注サーバーに不正ログイン\x1b]52;c;ZWNobyBwd25lZA==\x07 see \xe2\x80\xaegpj.exe\r\n\x1b[1A\x1b[2Kline hidden by cursor moves\r\n' \
	"$name" "$REPORTER" "$BOT_ADDR" "$subj" "$$" >"$WORK/term.eml"
scripts/mailserver deliver "$BOT_ADDR" "$WORK/term.eml" >/dev/null
poll_at 0
id=$(bot tickets --json | json 'j[0]["id"]')
like "$id" "INC-" "the report with escapes is a ticket"

# has_ctl FILE: counts the bytes a terminal acts on: C0 but TAB and LF, DEL,
# and UTF-8 C1 (C2 80-9F) and bidi overrides (E2 80 AA-AE)
has_ctl() { $PY -c '
import re, sys
d = open(sys.argv[1], "rb").read()
print(len(re.findall(rb"[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]|\xe2\x80[\xaa-\xae]|\xe2\x81[\xa6-\xa9]", d)))' "$1"; }

bot show "$id" >"$WORK/show.txt"
is "$(has_ctl "$WORK/show.txt")" 0 "show: no control byte reaches the terminal"
like "$(cat "$WORK/show.txt")" '\x1b]52;c;ZWNobyBwd25lZA==\x07' "... the text's clipboard escape (OSC 52) is shown as text"
like "$(cat "$WORK/show.txt")" '\x1b[1A\x1b[2Kline hidden' "... and its cursor moves"
like "$(cat "$WORK/show.txt")" '\u202egpj.exe' "... and the bidi override"
like "$(cat "$WORK/show.txt")" '受注サーバーに不正ログイン' "... the Japanese text is intact"
bot show "$id" --json >"$WORK/show.json"
is "$(has_ctl "$WORK/show.json")" 0 "show --json: no control byte"
ok "$($PY -c 'import json,sys; json.load(open(sys.argv[1]))' "$WORK/show.json"; echo $?)" "... and still valid JSON"
bot tickets --all >"$WORK/tickets.txt"
is "$(has_ctl "$WORK/tickets.txt")" 0 "tickets: no control byte"
like "$(cat "$WORK/tickets.txt")" 'pwned' "... the subject is listed, its escapes defused"
bot outbox --all >"$WORK/outbox.txt" 2>&1
is "$(has_ctl "$WORK/outbox.txt")" 0 "outbox: no control byte"
bot --now "$(at 60)" digest >"$WORK/digest.txt" 2>&1
is "$(has_ctl "$WORK/digest.txt")" 0 "digest: no control byte"
like "$(cat "$WORK/digest.txt")" "$id" "... and it lists the ticket"
is "$(has_ctl "$WORK/poll.log")" 0 "the bot's log lines: no control byte"
tap_done
