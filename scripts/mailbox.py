#!/usr/bin/python3
"""mailbox.py — read a test mailbox over IMAPS like a person would.

  mailbox.py [options] USER list [FOLDER]      UID<TAB>From<TAB>To<TAB>Subject, one per mail
  mailbox.py [options] USER count [FOLDER]     number of mails (0 if FOLDER does not exist)
  mailbox.py [options] USER get UID [FOLDER]   the raw message (as IMAP serves it: CRLF)
  mailbox.py [options] USER body UID [FOLDER]  the decoded text/plain body, UTF-8
  mailbox.py [options] USER headers UID [FOLDER]  the headers, decoded, one per line
  mailbox.py [options] USER folders            the folder names

FOLDER defaults to INBOX.  Headers are decoded (RFC 2047) to UTF-8.  Messages
are only read (EXAMINE + BODY.PEEK): nothing is marked \\Seen.

Defaults come from scripts/mailserver's state folder ($IB_MAIL_DIR, else
/tmp/ib-mail): the password in secrets/password, the CA certs/ca.pem ($IB_CA),
the port $IB_IMAPS_PORT, else the one in DIR/ports, else 10993, on $IB_HOST
(else 127.0.0.1).
Standard library only; exit status 1 on errors, with a message on stderr.
"""

import argparse
import base64
import email
import email.header
import email.policy
import imaplib
import os
import re
import ssl
import sys

STATE_DIR = os.environ.get("IB_MAIL_DIR", "/tmp/ib-mail")


def setting(name, default):
    """$name, else the value in STATE_DIR/ports (written by mailserver start)."""
    if name in os.environ:
        return os.environ[name]
    try:
        with open(os.path.join(STATE_DIR, "ports"), encoding="ascii") as f:
            saved = dict(line.strip().split("=", 1) for line in f if "=" in line)
    except OSError:
        saved = {}
    return saved.get(name, default)


class Failure(Exception):
    pass


def out(text):
    sys.stdout.buffer.write(text.encode("utf-8") if isinstance(text, str) else text)


def decode_header(value):
    """RFC 2047 decoded, unfolded, tabs as spaces."""
    if value is None:
        return ""
    try:
        text = str(email.header.make_header(email.header.decode_header(value)))
    except (email.errors.HeaderParseError, LookupError, UnicodeError):
        text = value
    return re.sub(r"\r?\n[ \t]*", " ", text).replace("\t", " ").strip()


def mutf7(name):
    """Folder name in IMAP's modified UTF-7 (RFC 3501 5.1.3), quoted."""
    result, pending = [], []

    def flush():
        if pending:
            raw = "".join(pending).encode("utf-16-be")
            result.append("&" + base64.b64encode(raw).decode().rstrip("=").replace("/", ",") + "-")
            pending.clear()

    for ch in name:
        if 0x20 <= ord(ch) <= 0x7E:
            flush()
            result.append("&-" if ch == "&" else ch)
        else:
            pending.append(ch)
    flush()
    encoded = "".join(result)
    return '"' + encoded.replace("\\", "\\\\").replace('"', '\\"') + '"'


def connect(args):
    if not os.path.exists(args.ca):
        raise Failure("CA file %s not found (scripts/mailserver start creates it)" % args.ca)
    try:
        with open(args.password_file, encoding="utf-8") as f:
            password = f.read().strip()
    except OSError as e:
        raise Failure("cannot read the password: %s" % e)
    ctx = ssl.create_default_context(cafile=args.ca)
    try:
        if args.starttls:
            imap = imaplib.IMAP4(args.host, args.port, timeout=30)
            imap.starttls(ctx)
        else:
            imap = imaplib.IMAP4_SSL(args.host, args.port, ssl_context=ctx, timeout=30)
    except (OSError, imaplib.IMAP4.error) as e:
        raise Failure("cannot connect to %s:%d: %s" % (args.host, args.port, e))
    try:
        imap.login(args.user, password)
    except imaplib.IMAP4.error as e:
        raise Failure("login as %s failed: %s" % (args.user, e))
    return imap


def examine(imap, folder):
    typ, data = imap.select(mutf7(folder), readonly=True)
    if typ != "OK":
        raise Failure("cannot open folder %s: %s" % (folder, data[0].decode(errors="replace")))


def fetch(imap, uid, item):
    """Bytes of one FETCH item (e.g. BODY.PEEK[]) of message UID."""
    if not uid.isdigit():
        raise Failure("UID must be a number, not %r" % uid)
    typ, data = imap.uid("FETCH", uid, "(%s)" % item)
    parts = [d for d in data if isinstance(d, tuple)]
    if typ != "OK" or not parts:
        raise Failure("no message with UID %s" % uid)
    return parts[0][1]


def parse(raw):
    return email.message_from_bytes(raw, policy=email.policy.default)


def cmd_list(imap, folder):
    examine(imap, folder)
    typ, data = imap.uid("SEARCH", None, "ALL")
    if typ != "OK" or not data[0]:
        return
    typ, data = imap.uid("FETCH", "1:*", "(UID BODY.PEEK[HEADER.FIELDS (FROM TO SUBJECT)])")
    rows = []
    for d in data:
        if not isinstance(d, tuple):
            continue
        uid = int(re.search(rb"UID (\d+)", d[0]).group(1))
        msg = email.message_from_bytes(d[1], policy=email.policy.compat32)
        rows.append((uid, msg["From"], msg["To"], msg["Subject"]))
    for uid, frm, to, subject in sorted(rows):
        out("%d\t%s\t%s\t%s\n" % (uid, decode_header(frm), decode_header(to),
                                  decode_header(subject)))


def cmd_count(imap, folder):
    typ, data = imap.status(mutf7(folder), "(MESSAGES)")
    if typ != "OK":
        out("0\n")  # no such folder
        return
    out(re.search(rb"MESSAGES (\d+)", data[0]).group(1) + b"\n")


def cmd_get(imap, folder, uid):
    examine(imap, folder)
    out(fetch(imap, uid, "BODY.PEEK[]"))


def cmd_body(imap, folder, uid):
    examine(imap, folder)
    msg = parse(fetch(imap, uid, "BODY.PEEK[]"))
    part = msg.get_body(preferencelist=("plain",))
    if part is None:
        raise Failure("message %s has no text/plain body" % uid)
    try:
        text = part.get_content()
    except (LookupError, UnicodeError):  # unknown or lying charset
        text = part.get_payload(decode=True).decode("utf-8", "replace")
    out(text if text.endswith("\n") or not text else text + "\n")


def cmd_headers(imap, folder, uid):
    examine(imap, folder)
    msg = parse(fetch(imap, uid, "BODY.PEEK[HEADER]"))
    for name, value in msg.raw_items():
        out("%s: %s\n" % (name, decode_header(value)))


def cmd_folders(imap):
    typ, data = imap.list()
    for line in data:
        # (\HasNoChildren) "." "Name" or ... Name
        m = re.match(rb'\(.*?\) (?:NIL|"(?:[^"\\]|\\.)*") "?(.*?)"?$', line or b"")
        if m:
            name = re.sub(r"&([^-]*)-", lambda u: "&" if not u.group(1) else
                          base64.b64decode(u.group(1).replace(",", "/") + "===").decode("utf-16-be"),
                          m.group(1).decode("ascii", "replace"))
            out(name + "\n")


def main():
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0].split("\n")[0],
        usage="%(prog)s [options] USER {list,count,get,body,headers,folders} [UID] [FOLDER]",
        formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    ap.add_argument("--ca", default=os.environ.get("IB_CA", os.path.join(STATE_DIR, "certs", "ca.pem")))
    ap.add_argument("--host", default=os.environ.get("IB_HOST", "127.0.0.1"))
    ap.add_argument("--port", type=int)
    ap.add_argument("--starttls", action="store_true",
                    help="IMAP + STARTTLS on $IB_IMAP_PORT (10143) instead of IMAPS")
    ap.add_argument("--password-file", default=os.path.join(STATE_DIR, "secrets", "password"))
    ap.add_argument("user")
    ap.add_argument("command", choices=["list", "count", "get", "body", "headers", "folders"])
    ap.add_argument("rest", nargs="*", metavar="ARG")
    args = ap.parse_args()
    if args.port is None:
        if args.starttls:
            args.port = int(setting("IB_IMAP_PORT", "10143"))
        else:
            args.port = int(setting("IB_IMAPS_PORT", "10993"))

    needs_uid = args.command in ("get", "body", "headers")
    max_args = {"folders": 0}.get(args.command, 2 if needs_uid else 1)
    if len(args.rest) < int(needs_uid) or len(args.rest) > max_args:
        ap.error("%s takes %s" % (args.command, {
            0: "no argument", 1: "[FOLDER]", 2: "UID [FOLDER]"}[max_args]))
    folder = args.rest[int(needs_uid)] if len(args.rest) > int(needs_uid) else "INBOX"

    try:
        imap = connect(args)
        try:
            if args.command == "list":
                cmd_list(imap, folder)
            elif args.command == "count":
                cmd_count(imap, folder)
            elif args.command == "folders":
                cmd_folders(imap)
            else:
                globals()["cmd_" + args.command](imap, folder, args.rest[0])
        finally:
            try:
                imap.logout()
            except (OSError, imaplib.IMAP4.error):
                pass
    except Failure as e:
        print("mailbox.py: %s" % e, file=sys.stderr)
        return 1
    except (OSError, imaplib.IMAP4.error) as e:
        print("mailbox.py: IMAP error: %s" % e, file=sys.stderr)
        return 1
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
