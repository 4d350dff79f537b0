# tests/integration/lib.sh — what the integration scripts share: TAP output,
# the test mail servers' settings, a throw-away bot configuration with its
# own users, and small mail helpers.  Source it; it cds to the repo root.
#
# Every script gets fresh users (a unique prefix), so scripts never disturb
# each other's mailboxes and never need `mailserver reset`.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT" || exit 2
BOT=$ROOT/bot/incident-bot
PY=/usr/bin/python3

# IB_VALGRIND=1 runs every bot invocation under valgrind memcheck; an error
# or a definite leak makes the invocation exit 99, which the tests see.
if [ "${IB_VALGRIND:-0}" = 1 ]; then
	vg_wrapper=$(mktemp /tmp/ib-valgrind-XXXXXX)
	cat >"$vg_wrapper" <<VG
#!/bin/sh
exec valgrind -q --error-exitcode=99 --suppressions=$ROOT/tests/valgrind.supp \\
	--leak-check=full --errors-for-leak-kinds=definite \\
	--show-leak-kinds=definite "$BOT" "\$@"
VG
	chmod +x "$vg_wrapper"
	BOT=$vg_wrapper
fi

eval "$(scripts/mailserver env --export)"
if ! scripts/mailserver status >/dev/null 2>&1; then
	echo "Bail out! the test mail servers are not running (scripts/mailserver start)"
	exit 2
fi

tap_n=0
tap_failed=0
ok() {	# ok CONDITION-STATUS DESCRIPTION
	tap_n=$((tap_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $tap_n - $2"
	else
		echo "not ok $tap_n - $2"
		case "$2" in
		*"# TODO"*) ;;	# known open work: reported, not a failure
		*) tap_failed=$((tap_failed + 1)) ;;
		esac
	fi
}
check() {	# check DESCRIPTION COMMAND...: passes when the command succeeds
	local what=$1; shift
	"$@" >/dev/null 2>&1
	ok $? "$what"
}
is() {	# is GOT WANT DESCRIPTION
	if [ "$1" = "$2" ]; then
		ok 0 "$3"
	else
		ok 1 "$3"
		echo "#   got:  $1"
		echo "#   want: $2"
	fi
}
like() {	# like GOT SUBSTRING DESCRIPTION
	case "$1" in
	*"$2"*) ok 0 "$3" ;;
	*) ok 1 "$3"; echo "#   got:  $(printf '%s' "$1" | head -c 400 | iconv -c -f UTF-8 -t UTF-8)"; echo "#   want: ...$2..." ;;
	esac
}
tap_done() {
	echo "1..$tap_n"
	[ "$tap_failed" -eq 0 ]
}

# make_bot NAME: users and a configuration for one bot instance.
# Sets WORK, CONF, BOT_ADDR, ADMIN1, ADMIN2, BOSS, REPORTER, OUTSIDER.
make_bot() {
	local tag="$1-$$-$RANDOM"
	WORK=$(mktemp -d "/tmp/ib-$1-XXXXXX")
	BOT_ADDR="bot-$tag@example.com"
	ADMIN1="admin1-$tag@example.com"
	ADMIN2="admin2-$tag@example.com"
	BOSS="boss-$tag@example.com"
	REPORTER="reporter-$tag@example.com"
	OUTSIDER="outsider-$tag@example.com"
	scripts/mailserver adduser "$BOT_ADDR" "$ADMIN1" "$ADMIN2" "$BOSS" "$REPORTER" "$OUTSIDER" >/dev/null
	mkdir -p "$WORK/secrets"
	chmod 700 "$WORK/secrets"
	install -m 600 "$IB_MAIL_DIR/secrets/password" "$WORK/secrets/imap"
	install -m 600 "$IB_MAIL_DIR/secrets/password" "$WORK/secrets/smtp"
	CONF=$WORK/bot.conf
	write_conf "$IB_CA" imaps "$IB_IMAPS_PORT" >"$CONF"
}

# write_conf CA_FILE imaps|imap IMAP_PORT: the bot's configuration text.
write_conf() {
	cat <<CONF
database  = "state/incidents.db"
templates = "$ROOT/templates"
timezone  = "Asia/Tokyo"
imap {
  url              = "$2://127.0.0.1:$3/INBOX"
  user             = "$BOT_ADDR"
  password_file    = "secrets/imap"
  ca_file          = "$1"
  processed_folder = "Processed"
  poll_interval    = 2
  timeout          = 10
}
smtp {
  url           = "smtp://127.0.0.1:$IB_SMTP_PORT"
  starttls      = true
  user          = "$BOT_ADDR"
  password_file = "secrets/smtp"
  ca_file       = "$1"
  from          = "$BOT_ADDR"
  from_name     = "セキュリティインシデント窓口"
  timeout       = 10
}
person "sysadmin"  { name = "北垣 剛志" email = "$ADMIN1" phone = "070-0000-0000" roles = {"admin"} }
person "ecadmin"   { name = "伊藤 佳彦" email = "$ADMIN2" roles = {"admin"} }
person "president" { name = "渡部 正行" email = "$BOSS" roles = {"management"} }
CONF
}

# muttrc NAME SEND_CHARSET: a mutt/neomutt configuration that sends as
# $REPORTER through the test SMTP server over verified STARTTLS.
muttrc() {	# muttrc PROGRAM SEND_CHARSET
	cat <<MUTT
set from = "山田 花子 <$REPORTER>"
set use_from = yes
set smtp_url = "smtp://127.0.0.1:$IB_SMTP_PORT/"
set ssl_starttls = yes
set ssl_force_tls = yes
set certificate_file = "$WORK/$1-certs"
set ssl_ca_certificates_file = "$IB_CA"
set send_charset = "$2"
set charset = "utf-8"
set record = ""
set copy = no
iconv-hook shift_jis cp932
MUTT
}

bot() { "$BOT" -c "$CONF" "$@"; }

# mailbox USER ARGS...: read a mailbox over IMAPS like a person would.
mailbox() { $PY scripts/mailbox.py "$@"; }

# send_mail FROM TO SUBJECT BODY [EXTRA-HEADER...]: a plain UTF-8 mail over SMTP
# (a "Date: …" given replaces the one made).
send_mail() {
	$PY - "$@" <<'PYEOF'
import os, smtplib, ssl, sys
from email.message import EmailMessage
from email.utils import make_msgid, formatdate
frm, to, subject, body, *extra = sys.argv[1:]
m = EmailMessage()
m["From"] = frm
m["To"] = to
m["Subject"] = subject
m["Date"] = formatdate(localtime=True)
m["Message-ID"] = make_msgid(domain="example.com")
for h in extra:
    k, v = h.split(":", 1)
    if k.strip().lower() == "date":	# a scenario under --now dates its mail
        del m["Date"]
    m[k.strip()] = v.strip()
m.set_content(body)
ctx = ssl.create_default_context(cafile=os.environ["IB_CA"])
with smtplib.SMTP("127.0.0.1", int(os.environ["IB_SMTP_PORT"])) as s:
    s.starttls(context=ctx)
    s.send_message(m)
print(m["Message-ID"].strip("<>"))
PYEOF
}

# reply_to WHO UID: the Reply-To of the mail UID in WHO's INBOX (the
# bot's reply address, with WHO's token when it carries one).
reply_to() { mailbox "$1" headers "$2" | sed -n 's/^Reply-To: *//Ip'; }

# reply FROM UID BODY [HEADER: VALUE...]: answers the mail UID in FROM's
# INBOX as a mail client does: to its Reply-To (which carries FROM's
# token), In-Reply-To and References, "Re: " + its subject, BODY above
# the original quoted with "> ".  A HEADER replaces the one made (a forged
# From, a To without token, an Authentication-Results).  REPLY_QUOTE: how
# many lines of the original to quote (default all; 0 quotes none).
reply() {
	local from="$1" uid="$2" body="$3"
	shift 3
	mailbox "$from" get "$uid" >"$WORK/orig.eml"
	REPLY_QUOTE=${REPLY_QUOTE:-all} $PY - "$WORK/orig.eml" "$from" "$body" "$@" <<'PYEOF'
import email, email.policy, os, smtplib, ssl, sys
from email.message import EmailMessage
from email.utils import make_msgid, formatdate
path, frm, body, *extra = sys.argv[1:]
with open(path, "rb") as f:
    orig = email.message_from_binary_file(f, policy=email.policy.default)
m = EmailMessage()
m["From"] = frm
m["To"] = orig["Reply-To"] or orig["From"]
m["Subject"] = "Re: " + str(orig["Subject"])
m["Date"] = formatdate(localtime=True)
m["Message-ID"] = make_msgid(domain="example.com")
m["In-Reply-To"] = orig["Message-ID"]
m["References"] = orig["Message-ID"]
for h in extra:
    k, v = h.split(":", 1)
    del m[k.strip()]
    m[k.strip()] = v.strip()
lines = orig.get_body(("plain",)).get_content().splitlines()
quote = os.environ["REPLY_QUOTE"]
if quote != "all":
    lines = lines[:int(quote)]
m.set_content(body + "\n\n" + "".join("> " + l + "\n" for l in lines) if lines else body + "\n")
ctx = ssl.create_default_context(cafile=os.environ["IB_CA"])
with smtplib.SMTP("127.0.0.1", int(os.environ["IB_SMTP_PORT"])) as s:
    s.starttls(context=ctx)
    s.send_message(m)
PYEOF
}

# json EXPR: evaluates a Python expression over the JSON on stdin (as `j`).
# Driving a bot through time: the script sets T0 (RFC 3339).
at() {	# at OFFSET-SECONDS: T0 plus that, RFC 3339 in T0's zone
	$PY -c "import datetime,sys; t=datetime.datetime.fromisoformat('$T0')+datetime.timedelta(seconds=int(sys.argv[1])); print(t.isoformat())" "$1"
}
poll_at() { bot --now "$(at "$1")" poll --once 2>>"$WORK/poll.log"; }	# poll_at OFFSET-SECONDS
subjects() { mailbox "$1" list INBOX | cut -f4; }	# subjects USER: one per mail
field() { bot show "$1" --json | json "$2"; }	# field ID EXPR: one value of show --json
uid_of() {	# uid_of USER TEXT: the UID of the last mail whose subject has TEXT (not a pattern)
	mailbox "$1" list INBOX | awk -F'\t' -v p="$2" 'index($4, p) { u = $1 } END { print u }'
}

json() { $PY -c "import json,sys; j=json.load(sys.stdin); print($1)"; }

# wait_for SECONDS COMMAND...: polls until the command succeeds.
wait_for() {
	local deadline=$((SECONDS + $1)); shift
	until "$@" >/dev/null 2>&1; do
		[ $SECONDS -ge $deadline ] && return 1
		sleep 0.2
	done
}
has_mail() { [ "$(mailbox "$1" count INBOX)" -ge "$2" ]; }	# has_mail USER N: N mails or more

# attachment USER UID [NAME-PART]: with NAME-PART, the text of the mail's
# attachment whose file name has it (Python's email parser decodes the
# RFC 2231 name and the base64); without, every attachment's file name,
# one a line (issue 13: the notice drafts are attachments).
attachment() {
	mailbox "$1" get "$2" >"$WORK/att.eml"
	$PY - "$WORK/att.eml" "${3-}" <<'PYEOF'
import email, email.policy, sys
path, want = sys.argv[1], sys.argv[2]
with open(path, "rb") as f:
    m = email.message_from_binary_file(f, policy=email.policy.default)
for part in m.iter_attachments():
    name = part.get_filename() or ""
    if not want:
        print(name)
    elif want in name:
        sys.stdout.write(part.get_content().replace("\r\n", "\n"))
        break
PYEOF
}
