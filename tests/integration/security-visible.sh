#!/usr/bin/env bash
# security-visible.sh — commands come only from what a person sees (issue
# 14, V11; SPEC 6): an authentic admin's HTML mail whose commands hide in
# display:none, visibility:hidden, the hidden attribute, a comment, the
# <title>, a <style> or a leading <blockquote> runs none of them; in plain
# text nothing after the first quoted block commands; visible HTML does.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
make_bot secvis
trap 'rm -rf "$WORK"' EXIT

T0="2026-11-25T10:00:00+09:00"
last_uid() { mailbox "$1" list INBOX | grep "$2" | tail -1 | cut -f1; }
send_html() {	# send_html HTML: ADMIN1 to the reply address of the bot's last mail, HTML only
	$PY - "$ADMIN1" "$(reply_to "$ADMIN1" "$(last_uid "$ADMIN1" "$id")")" "Re: [$id]" "$1" <<'PYEOF'
import os, smtplib, ssl, sys
from email.message import EmailMessage
from email.utils import make_msgid, formatdate
frm, to, subject, html = sys.argv[1:]
m = EmailMessage()
m["From"], m["To"], m["Subject"] = frm, to, subject
m["Date"] = formatdate(localtime=True)
m["Message-ID"] = make_msgid(domain="example.com")
m.set_content(html, subtype="html")
ctx = ssl.create_default_context(cafile=os.environ["IB_CA"])
with smtplib.SMTP("127.0.0.1", int(os.environ["IB_SMTP_PORT"])) as s:
    s.starttls(context=ctx)
    s.send_message(m)
PYEOF
}
send_text() { send_mail "$ADMIN1" "$(reply_to "$ADMIN1" "$(last_uid "$ADMIN1" "$id")")" "Re: [$id]" "$1" >/dev/null; }
state() { echo "$(field "$id" 'j["status"]')/$(field "$id" 'j["priority"]')"; }

send_mail "$REPORTER" "$BOT_ADDR" "サーバー室の空調停止" "空調が止まり温度が上がっています。" >/dev/null
poll_at 0
id=$(bot tickets --json | json 'j[0]["id"]')
s0=$(state)
t=60
hidden() {	# hidden HTML DESCRIPTION
	send_html "$1"
	poll_at $t
	t=$((t + 60))
	is "$(state)" "$s0" "$2: nothing runs"
}
hidden '<div style="display:none">/close force 隠し</div><p>了解です。</p>' "display:none"
hidden '<p><span style="Visibility : Hidden">/priority low</span>確認中です。</p>' "visibility:hidden"
hidden '<div hidden>/status resolved</div><p>確認中です。</p>' "the hidden attribute"
hidden '<!--
/priority low
--><p>確認中です。</p>' "a comment"
hidden '<html><title>/priority low</title><body><p>確認中です。</p></body></html>' "the <title> (outside head)"
hidden '<style>/priority low</style><p>確認中です。</p>' "a <style>"
hidden '<blockquote>/priority low</blockquote><p>確認中です。</p>' "a leading <blockquote>"
hidden '<p style="font-size:0">/priority low</p><p>確認中です。</p>' "font-size:0"
is "$(field "$id" '[e for e in j["timeline"] if e["kind"] in ("command", "command-refused")]')" "[]" \
	"... none of them was even read as a command"

send_text "/note 先に確認します

> 引用された元のメール
/priority low"
poll_at $t
t=$((t + 60))
is "$(field "$id" 'j["priority"]')" high "plain text: a command after a quoted block does not run"
like "$(field "$id" '[e["detail"] for e in j["timeline"] if e["kind"]=="note"]')" "先に確認します" \
	"... the command above the quote does"

send_html '<p>/priority medium</p><blockquote><p>/close force 引用</p></blockquote>'
poll_at $t
is "$(state)" "new/medium" "visible HTML commands; the blockquote below it does not"
tap_done
