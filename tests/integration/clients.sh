#!/usr/bin/env bash
# clients.sh — reports written by real mail clients installed from Debian,
# in the charsets Japanese mail comes in, round-trip through the bot: the
# ticket's subject and text are exactly what the reporter typed, and the
# acknowledgement quotes the subject intact.
#
# The matrix (client × charset), each sent to the test SMTP server over
# STARTTLS:
#   mutt, neomutt   send_charset iso-2022-jp / shift_jis / utf-8, the CA
#                   verified.  Shift_JIS is written as Windows writes it
#                   (CP932 under the label "shift_jis") with `iconv-hook
#                   shift_jis cp932`, as Japanese mutt users set it up.  Also
#                   text that ISO-2022-JP cannot carry (①, ～), with the
#                   common "us-ascii:iso-2022-jp:utf-8" and with iso-2022-jp
#                   alone: the client falls back to UTF-8.
#   mail (GNU mailutils 3.15)  mailer smtp://; it does STARTTLS but has no
#                   setting for a CA: the certificate is not verified.  It
#                   converts nothing: the body goes out in the bytes it is
#                   given, labelled by --content-type, the subject as raw
#                   bytes in the header (no RFC 2047) — as typed on a
#                   Shift_JIS terminal, or piped through `nkf -j`.
#   mail + nkf      ISO-2022-JP as Windows writes it (CP50221, with ① ㈱ 髙
#                   and half-width kana), subject MIME-encoded by nkf -M.
#   Python email, compat32 policy  MIMEText + Header() in the charset, sent
#                   with smtplib, the CA verified.  Shift_JIS after
#                   add_charset() (compat32 turns it into ISO-2022-JP
#                   otherwise), with Python's strict shift_jis codec.
#
# ISO-2022-JP as glibc's iconv and Python write it is JIS X 0208 only (no ①
# ㈱ 髙), and its wave dash (1-33) is U+301C 〜; so those texts use 〜 where
# the others use ～ (U+FF5E FULLWIDTH TILDE, CP932's 0x8160).
#
# One report per client and charset, each from a new reporter (the bot
# answers one sender only so often an hour); TAP lines: sent, arrived, how
# the client wrote it, poll, subject, text, acknowledgement, INBOX empty.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
make_bot clients
trap 'rm -rf "$WORK"' EXIT

# --- what the reporters type
# ISO-2022-JP (JIS X 0208): kanji, hiragana, katakana, full-width digits, 〜
SUBJ_JIS="受注管理サーバーに不正アクセスの疑い〜至急ご確認ください（ＩＰ：１９２．０．２．１）"
TEXT_JIS="本日10時〜11時ごろ、受注管理サーバーに見知らぬＩＰアドレスからのログインがありました。
顧客情報（氏名・住所・電話番号）が見られた可能性があります。
ログは消さずに保全しています。
"
# Shift_JIS (CP932): also ～ ① ㈱ 髙 (CP932-only) and half-width katakana
SUBJ_SJIS="【至急】①受注管理サーバーに不正アクセスの疑い～㈱髙橋商事"
TEXT_SJIS="本日10時～11時ごろ、①受注管理サーバーに見知らぬIPからのログインがありました。
㈱髙橋商事様の顧客情報（ｼﾒｲ・ｼﾞｭｳｼｮ）が見られた可能性があります。
②ログは消さずに保全しています。
"
# Shift_JIS as Python writes it (its strict codec): JIS X 0208 only, and no
# wave dash: Python writes 〜 as 0x8160, which Windows, and so the bot, read
# as ～ (U+FF5E); the same holds for ‖ − ¢ £ ¬.
SUBJ_X0208="【至急】受注管理サーバーに不正アクセスの疑い（ＩＰ：１９２．０．２．１）"
TEXT_X0208="本日10時から11時ごろ、受注管理サーバーに見知らぬＩＰアドレスからのログインがありました。
顧客情報（氏名・住所・電話番号）が見られた可能性があります。
"
# send_charset iso-2022-jp alone and a subject it cannot carry: the client
# falls back to UTF-8 (mutt 2.2.12 then cuts 髙 in two encoded words here)
SUBJ_MIXED="サーバー①～㈱髙 VPN down"
TEXT_MIXED=$TEXT_SJIS
# UTF-8: all of the above, plus a character outside the BMP (𠮷)
SUBJ_UTF8="【至急】①受注管理サーバーに不正アクセスの疑い～㈱髙橋商事・𠮷野"
TEXT_UTF8="本日10時～11時ごろ、①受注管理サーバーに見知らぬIPからのログインがありました。
㈱髙橋商事様と𠮷野様の顧客情報（ｼﾒｲ・ｼﾞｭｳｼｮ）が見られた可能性があります。
②ログは消さずに保全しています。〜
"

DEADLINE=15	# seconds any one wait may take

# wait_inbox N: until the incident INBOX holds N mails (bounded).
wait_inbox() {
	local end=$((SECONDS + DEADLINE))
	while [ "$(mailbox "$BOT_ADDR" count INBOX 2>/dev/null)" != "$1" ]; do
		[ $SECONDS -lt $end ] || return 1
		sleep 0.2
	done
}

# ticket_ids: the ids of all tickets, one per line, sorted.
ticket_ids() { bot tickets --all --json | json '"\n".join(sorted(t["id"] for t in j))'; }

# raw_inbox: the (only) mail in the incident INBOX, as the server has it.
raw_inbox() {
	mailbox "$BOT_ADDR" get "$(mailbox "$BOT_ADDR" list INBOX | cut -f1 | head -1)" INBOX
}

# written_in: how the raw mail on stdin is written: "body=CHARSET" (the
# text part's label) and "subject=CHARSET..." (the charsets of its encoded
# words, or "raw" for bytes in the header itself).
written_in() {
	$PY -c '
import email, re, sys
data = sys.stdin.buffer.read().replace(b"\r\n", b"\n")
m = email.message_from_bytes(data)
part = next((p for p in m.walk() if p.get_content_maintype() == "text"), m)
head = data.split(b"\n\n", 1)[0]
raw = (re.search(rb"(?im)^subject:(.*(?:\n[ \t].*)*)", head) or [b"", b""])[1].decode("latin-1")
words = sorted({w.lower() for w in re.findall(r"=\?([^?*]+)[^?]*\?[bBqQ]\?", raw)})
print("body=%s subject=%s" % (part.get_content_charset(), ",".join(words) or "raw"))'
}

# split_words: "yes" when a UTF-8 encoded word of the Subject of the raw
# mail on stdin is not UTF-8 alone (it holds part of a character, which RFC
# 2047 section 5 forbids; mutt 2.2 writes such words), else "no".
split_words() {
	$PY -c '
import email.header, re, sys
data = sys.stdin.buffer.read().replace(b"\r\n", b"\n").split(b"\n\n", 1)[0]
raw = (re.search(rb"(?im)^subject:(.*(?:\n[ \t].*)*)", data) or [b"", b""])[1].decode("latin-1")
split = False
for word in re.findall(r"=\?utf-8\?[bq]\?[^?]*\?=", raw, re.I):
    for b, cs in email.header.decode_header(word):
        try:
            b.decode("utf-8")
        except UnicodeDecodeError:
            split = True
print("yes" if split else "no")'
}

# new_reporter: a fresh reporter for each report (the bot answers one
# sender only so often an hour).
reporters=0
new_reporter() {
	reporters=$((reporters + 1))
	REPORTER="reporter$reporters-${BOT_ADDR#bot-}"
	scripts/mailserver adduser "$REPORTER" >/dev/null
}

# same JSON EXPR WANT DESCRIPTION: one TAP line, passing when the Python
# expression EXPR over the JSON text JSON (as j) is exactly the string WANT.
same() {
	JSON=$1 WANT=$3 $PY -c '
import json, os, sys
j = json.loads(os.environ["JSON"] or "{}")
want = os.environ["WANT"]
try:
    got = eval(sys.argv[1])
except (KeyError, IndexError, TypeError) as e:
    got = "<%s missing: %r>" % (sys.argv[1], e)
if got == want:
    sys.exit(0)
print("#   got:  %s" % ascii(got))
print("#   want: %s" % ascii(want))
sys.exit(1)' "$2"
	ok $? "$4"
}

# round_trip LABEL WRITTEN-IN SUBJECT TEXT: the client has just sent a
# report from $REPORTER.  Checks how it wrote it (see written_in), runs the
# bot, and compares the new ticket's subject and text, and the subject of
# the acknowledgement $REPORTER got, with what was typed.
ack_subject() {	# ack_subject ID: the subject of $REPORTER's mail tagged [ID]
	mailbox "$REPORTER" list INBOX | awk -F'\t' -v tag="[$1]" 'index($4, tag) == 1 { print $4 }'
}
has_ack() { [ -n "$(ack_subject "$1")" ]; }
round_trip() {
	local label=$1 want=$2 subject=$3 text=$4 before id show ack
	wait_inbox 1
	ok $? "$label: the report arrives in the incident INBOX"
	is "$(raw_inbox | written_in)" "$want" "$label: the client wrote $want"
	before=$(ticket_ids)
	bot poll --once 2>>"$WORK/poll.log"
	ok $? "$label: poll --once exits 0"
	id=$(comm -13 <(echo "$before") <(ticket_ids) | head -1)
	show=$([ -z "$id" ] || bot show "$id" --json)
	same "$show" '(j["subject"] if j["subject"] == j["messages"][0]["subject"] else
		"ticket %r, message %r" % (j["subject"], j["messages"][0]["subject"]))' \
		"$subject" "$label: the ticket ${id:-(none)} and its message have the subject as typed"
	same "$show" 'j["messages"][0]["text"]' "$text" "$label: the ticket's text is the report as typed"
	# the acknowledgement is at the server when poll ends, but read it as a
	# person would: wait for it (a loaded machine once read the INBOX too early)
	wait_for 20 has_ack "${id:-none}"
	ack=$(ack_subject "${id:-none}")
	same "$($PY -c 'import json,sys; print(json.dumps(sys.argv[1]))' "$ack")" 'j' \
		"[$id] 受付しました / Received: $subject" "$label: the acknowledgement's subject decodes intact"
	is "$(mailbox "$BOT_ADDR" count INBOX)" 0 "$label: the report left the INBOX"
}

# ---------------------------------------------------------------- mutt, neomutt

for prog in mutt neomutt; do
	if ! command -v "$prog" >/dev/null; then
		echo "# $prog is not installed (scripts/install-deps): skipping it"
		continue
	fi
	for case in "iso-2022-jp|iso-2022-jp|JIS" "shift_jis|shift_jis|SJIS" "utf-8|utf-8|UTF8" \
		"us-ascii:iso-2022-jp:utf-8|utf-8|SJIS" "iso-2022-jp|utf-8|MIXED"; do
		IFS='|' read -r send_cs want_cs texts <<<"$case"
		subj_var=SUBJ_$texts text_var=TEXT_$texts
		new_reporter
		muttrc "$prog" "$send_cs" >"$WORK/$prog.rc"
		printf %s "${!text_var}" >"$WORK/body.txt"
		LANG=C.UTF-8 LC_ALL=C.UTF-8 timeout $DEADLINE "$prog" -n -F "$WORK/$prog.rc" \
			-s "${!subj_var}" "$BOT_ADDR" <"$WORK/body.txt" >"$WORK/$prog.out" 2>&1
		ok $? "$prog, send_charset $send_cs: sent"
		label="$prog/$send_cs"
		[ "$texts" != MIXED ] || label="$label, text it cannot carry"
		if wait_inbox 1 && [ "$(raw_inbox | split_words)" = yes ]; then
			echo "# $label: $prog split a character across encoded words (the bot joins their bytes)"
		fi
		round_trip "$label" "body=$want_cs subject=$want_cs" "${!subj_var}" "${!text_var}"
	done
done

# ---------------------------------------------------------------- GNU mailutils
# Debian's mailutils installs mail.mailutils (`mail` may be another mailx)
if command -v mail.mailutils >/dev/null; then
	printf 'set sendmail=smtp://127.0.0.1:%s\nset mime\n' "$IB_SMTP_PORT" >"$WORK/mailrc"
	for case in "iso-2022-jp|ISO-2022-JP|JIS|7bit" "shift_jis|CP932|SJIS|8bit" "utf-8|UTF-8|UTF8|8bit"; do
		IFS='|' read -r cs iconv_cs texts cte <<<"$case"
		subj_var=SUBJ_$texts text_var=TEXT_$texts
		# the bytes a terminal in that charset would hand to mail
		printf %s "${!text_var}" | iconv -f UTF-8 -t "$iconv_cs" >"$WORK/body.bin"
		subj_bytes=$(printf %s "${!subj_var}" | iconv -f UTF-8 -t "$iconv_cs")
		new_reporter
		MAILRC=$WORK/mailrc LANG=C.UTF-8 LC_ALL=C.UTF-8 timeout $DEADLINE mail.mailutils -n --no-config \
			--content-type="text/plain; charset=$cs" --encoding=$cte \
			-a "From: Hanako Yamada <$REPORTER>" -r "$REPORTER" -s "$subj_bytes" "$BOT_ADDR" \
			<"$WORK/body.bin" >"$WORK/mail.out" 2>&1
		ok $? "mailutils mail, $cs: sent"
		# the SMTP server notes each envelope, with the TLS version used
		env=$(grep -lF "\"mail_from\": \"$REPORTER\"" "$IB_SPOOL"/*.env 2>/dev/null | head -1)
		[ -n "$env" ] && grep -q '"tls": "TLS' "$env"
		ok $? "mailutils mail, $cs: submitted over STARTTLS"
		round_trip "mailutils/$cs" "body=$cs subject=raw" "${!subj_var}" "${!text_var}"
	done
	# ISO-2022-JP as Windows writes it (CP50221: ① ㈱ 髙, half-width kana
	# after ESC ( I), the way Japanese shell users send it: nkf converts
	# the body and MIME-encodes the subject (RFC 2047), mail sends both.
	if command -v nkf >/dev/null; then
		new_reporter
		printf %s "$TEXT_SJIS" | nkf --ic=UTF-8 --oc=CP50221 >"$WORK/body.bin"
		subj_mime=$(printf %s "$SUBJ_SJIS" | nkf --ic=UTF-8 --oc=CP50221 -M)
		MAILRC=$WORK/mailrc LANG=C.UTF-8 LC_ALL=C.UTF-8 timeout $DEADLINE mail.mailutils -n --no-config \
			--content-type="text/plain; charset=iso-2022-jp" --encoding=7bit \
			-a "From: Hanako Yamada <$REPORTER>" -r "$REPORTER" -s "$subj_mime" "$BOT_ADDR" \
			<"$WORK/body.bin" >"$WORK/mail.out" 2>&1
		ok $? "mailutils mail + nkf, iso-2022-jp (CP50221): sent"
		round_trip "mailutils+nkf/iso-2022-jp (CP50221)" "body=iso-2022-jp subject=iso-2022-jp" \
			"$SUBJ_SJIS" "$TEXT_SJIS"
	else
		echo "# nkf is not installed (scripts/install-deps): skipping mail + nkf"
	fi
else
	echo "# GNU mailutils' mail is not installed (scripts/install-deps): skipping it"
fi

# ---------------------------------------------------------------- Python email (compat32)
for case in "iso-2022-jp|JIS" "shift_jis|X0208" "utf-8|UTF8"; do
	IFS='|' read -r cs texts <<<"$case"
	subj_var=SUBJ_$texts text_var=TEXT_$texts
	new_reporter
	$PY - "$cs" "$REPORTER" "$BOT_ADDR" "${!subj_var}" "${!text_var}" <<'PYEOF'
import os, smtplib, ssl, sys
import email.charset
from email.header import Header
from email.mime.text import MIMEText
from email.utils import formataddr, formatdate, make_msgid
cs, frm, to, subject, text = sys.argv[1:]
if cs == "shift_jis":
    # compat32 turns shift_jis into iso-2022-jp for output; code that really
    # sends Shift_JIS registers it.  (add_codec("shift_jis", "cp932") does
    # not give ① ㈱ 髙: Header measures and MIMEText encodes with the codec
    # named by the label, Python's strict shift_jis.)
    email.charset.add_charset("shift_jis", email.charset.BASE64, email.charset.BASE64, None)
m = MIMEText(text, "plain", cs)
m["From"] = formataddr(("山田 花子", frm), charset=cs)
m["To"] = to
m["Subject"] = Header(subject, cs)
m["Date"] = formatdate(localtime=True)
m["Message-ID"] = make_msgid(domain="example.com")
ctx = ssl.create_default_context(cafile=os.environ["IB_CA"])
with smtplib.SMTP("127.0.0.1", int(os.environ["IB_SMTP_PORT"]), timeout=15) as s:
    s.starttls(context=ctx)
    s.send_message(m)
PYEOF
	ok $? "Python email compat32, $cs: sent"
	round_trip "python-compat32/$cs" "body=$cs subject=$cs" "${!subj_var}" "${!text_var}"
done

tap_done
