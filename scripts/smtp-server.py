#!/usr/bin/python3
"""smtp-server.py — the test SMTP server started by scripts/mailserver.

Listens on 127.0.0.1 with STARTTLS (--port) and implicit TLS (--tls-port),
using the test certificate of the state folder (--dir).  Behaves like a
small, honest relay into the private Dovecot:

  * AUTH PLAIN/LOGIN with any user of DIR/users and the test password
    (DIR/secrets/password) succeeds; AUTH is offered but never required.
  * AUTH XOAUTH2 (issue 17): base64("user=" U "\x01auth=Bearer " T
    "\x01\x01"); the token is checked at every AUTH by RFC 7662
    introspection at --introspect (scripts/oauth-server.py): it must be
    active and issued for U.  A refusal goes as Google's does: a 334 with
    the JSON error, then, after the client's empty answer, 535 5.7.8.
  * RCPT: the address, without its +detail, must be a user of DIR/users,
    otherwise "550 5.1.1" for that recipient.
  * DATA: the message is delivered over LMTP (DIR/run/lmtp) to every
    recipient, one LMTP transaction each (so each copy has Delivered-To),
    before the answer; 250 only if all got it, else the first LMTP failure
    (451 when any failure was temporary; copies already delivered stay).
    Accepted messages are also kept byte for byte as DIR/spool/NNNNNN.eml,
    with the envelope in NNNNNN.env (JSON).
  * Fault injection: when DIR/smtp-fault exists, its first line decides the
    answer to DATA instead: "451" or "550" (optionally followed by the text
    to send), or "drop" to close the connection without an answer.

Run with /usr/bin/python3 (Debian's python3-aiosmtpd).
"""

import argparse
import asyncio
import base64
import datetime
import json
import logging
import os
import signal
import smtplib
import ssl
import urllib.parse
import urllib.request

from aiosmtpd.smtp import MISSING, SMTP, AuthResult, LoginPassword

MAX_SIZE = 64 * 1024 * 1024
log = logging.getLogger("smtp-server")


class TestSMTP(SMTP):
    # Lines may be long: a message sent with bare LF is one "line" to SMTP.
    line_length_limit = MAX_SIZE


class Handler:
    def __init__(self, state_dir, lmtp_socket, introspect_url=None):
        self.dir = state_dir
        self.lmtp_socket = lmtp_socket
        self.introspect_url = introspect_url
        self.tls_client = ssl.create_default_context(
            cafile=os.path.join(state_dir, "certs", "ca.pem"))
        self.spool = os.path.join(state_dir, "spool")
        os.makedirs(self.spool, exist_ok=True)
        numbers = [int(n[:6]) for n in os.listdir(self.spool)
                   if n.endswith(".eml") and n[:6].isdigit()]
        self.last_number = max(numbers, default=0)

    # -- the passwd-file and password of scripts/mailserver, read each time
    #    so that `mailserver adduser` works while running
    def users(self):
        with open(os.path.join(self.dir, "users"), encoding="utf-8") as f:
            return {line.split(":", 1)[0].strip().lower()
                    for line in f if ":" in line}

    def password(self):
        with open(os.path.join(self.dir, "secrets", "password"), "rb") as f:
            return f.read().strip()

    @staticmethod
    def mailbox_owner(address):
        """incident+INC-1@example.com -> incident@example.com"""
        local, _, domain = address.lower().rpartition("@")
        return local.split("+", 1)[0] + "@" + domain

    # -- AUTH PLAIN / LOGIN
    def authenticate(self, server, session, envelope, mechanism, auth_data):
        login = auth_data.login.decode("utf-8", "replace").lower()
        ok = login in self.users() and auth_data.password == self.password()
        log.info("%s AUTH %s %s: %s", session.peer, mechanism, login,
                 "ok" if ok else "refused")
        if ok:
            return AuthResult(success=True, auth_data=auth_data)
        return AuthResult(success=False, handled=False)

    # -- AUTH XOAUTH2: the method's name makes aiosmtpd offer it
    async def auth_XOAUTH2(self, server, args):
        if len(args) == 1:
            blob = await server.challenge_auth("")
            if blob is MISSING:
                return AuthResult(success=False, handled=True)
        else:
            try:
                blob = base64.b64decode(args[1].encode(), validate=True)
            except ValueError:
                await server.push("501 5.5.2 Can't decode base64")
                return AuthResult(success=False, handled=True)
        parts = dict(p.split("=", 1) for p in blob.decode("utf-8", "replace").split("\x01") if "=" in p)
        user = parts.get("user", "").lower()
        token = parts.get("auth", "")
        token = token[7:] if token.lower().startswith("bearer ") else ""
        ok, why = await asyncio.to_thread(self.token_ok, user, token)
        log.info("%s AUTH XOAUTH2 %s: %s", server.session.peer, user, "ok" if ok else "refused: " + why)
        if ok:
            return AuthResult(success=True, auth_data=LoginPassword(user.encode(), b""))
        # Google's way: the error as a JSON challenge, then 535 after the
        # client's (empty) answer.
        await server.challenge_auth(json.dumps({"status": "401", "schemes": "bearer",
                                                "scope": "https://mail.google.com/"}))
        return AuthResult(success=False, handled=False,
                          message="535 5.7.8 Username and Password not accepted (XOAUTH2: %s)" % why)

    def token_ok(self, user, token):
        if not self.introspect_url:
            return False, "no token endpoint configured"
        if not token:
            return False, "no bearer token"
        try:
            req = urllib.request.Request(self.introspect_url,
                                         data=urllib.parse.urlencode({"token": token}).encode())
            with urllib.request.urlopen(req, timeout=10, context=self.tls_client) as r:
                answer = json.load(r)
        except (OSError, ValueError) as e:
            return False, "introspection failed: %s" % e
        if not answer.get("active"):
            return False, "token not active"
        if answer.get("username", "").lower() != user:
            return False, "token is for %s" % answer.get("username")
        return True, ""

    # -- SMTP hooks
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if "@" not in address or self.mailbox_owner(address) not in self.users():
            log.info("%s RCPT %s: unknown user", session.peer, address)
            return "550 5.1.1 <%s>: Recipient address rejected: unknown user" % address
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        # when the client's data ended: "received" comes after our own LMTP
        # delivery, which is the server's time, not the client's (bench)
        data_end = datetime.datetime.now(datetime.timezone.utc).isoformat()
        fault = self.fault()
        if fault == "drop":
            log.info("%s DATA: fault injection, dropping the connection", session.peer)
            server.transport.close()
            return "421 4.3.0 dropped"  # never reaches the client
        if fault:
            log.info("%s DATA: fault injection: %s", session.peer, fault)
            return fault

        data = envelope.original_content
        results = await asyncio.to_thread(
            self.deliver, envelope.mail_from, envelope.rcpt_tos, data)
        failed = [(rcpt, code, text) for rcpt, (code, text) in results.items()
                  if not 200 <= code < 300]
        if failed:
            for rcpt, code, text in failed:
                log.warning("%s LMTP to %s failed: %d %s", session.peer, rcpt, code, text)
            rcpt, code, text = failed[0]
            if any(400 <= c < 500 for _, c, _ in failed):
                code = 451
            elif not 500 <= code < 600:
                code = 554
            return "%d delivery to <%s> failed: %s" % (code, rcpt, text)

        number = self.keep(server, session, envelope, data, data_end)
        log.info("%s accepted %06d from <%s> to %s, %d bytes", session.peer, number,
                 envelope.mail_from, envelope.rcpt_tos, len(data))
        return "250 2.0.0 OK delivered as %06d" % number

    # -- helpers
    def fault(self):
        """The DATA answer forced by DIR/smtp-fault, "drop", or None."""
        try:
            with open(os.path.join(self.dir, "smtp-fault"), encoding="utf-8") as f:
                line = f.readline().strip()
        except FileNotFoundError:
            return None
        if line.lower() == "drop":
            return "drop"
        code = line[:3]
        if not (code.isdigit() and code[0] in "45"):
            log.warning("smtp-fault: unusable first line %r, answering 451", line)
            code, line = "451", ""
        if len(line) > 4:
            return line
        if code[0] == "4":
            return code + " 4.3.0 Temporary failure (injected by smtp-fault)"
        return code + " 5.3.0 Permanent failure (injected by smtp-fault)"

    def deliver(self, mail_from, rcpt_tos, data):
        """LMTP delivery, one transaction per recipient (so that Dovecot adds
        Delivered-To to each copy); returns {rcpt: (code, text)}."""
        results = {}
        try:
            with smtplib.LMTP(self.lmtp_socket, timeout=60) as lmtp:
                for rcpt in rcpt_tos:
                    code, text = lmtp.mail(mail_from)
                    if code == 250:
                        code, text = lmtp.rcpt(rcpt)
                    if code in (250, 251):
                        try:
                            code, text = lmtp.data(data)
                        except smtplib.SMTPDataError as e:
                            code, text = e.smtp_code, e.smtp_error
                    if code != 250:
                        lmtp.rset()
                    results[rcpt] = (code, text.decode(errors="replace"))
        except (OSError, smtplib.SMTPException) as e:
            for rcpt in rcpt_tos:
                results.setdefault(rcpt, (451, "4.3.0 LMTP: %s" % e))
        return results

    def keep(self, server, session, envelope, data, data_end=None):
        """Writes spool/NNNNNN.eml (raw) and NNNNNN.env (JSON); returns NNNNNN."""
        self.last_number += 1
        number = self.last_number
        ssl_object = server.transport.get_extra_info("ssl_object")
        login = session.auth_data.login.decode(errors="replace") if session.authenticated else None
        meta = {
            "mail_from": "" if envelope.mail_from == "<>" else envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "received": datetime.datetime.now(datetime.timezone.utc).isoformat(),
            "data_end": data_end,
            "mail_options": envelope.mail_options,
            "port": server.transport.get_extra_info("sockname")[1],
            "tls": ssl_object.version() if ssl_object else None,
            "auth": login,
            "helo": session.host_name,
            "size": len(data),
        }
        base = os.path.join(self.spool, "%06d" % number)
        for suffix, content in ((".eml", data),
                                (".env", json.dumps(meta, indent=1).encode() + b"\n")):
            with open(base + suffix + ".tmp", "wb") as f:
                f.write(content)
            os.rename(base + suffix + ".tmp", base + suffix)
        return number


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dir", required=True, help="state folder of scripts/mailserver")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=10025, help="SMTP with STARTTLS")
    ap.add_argument("--tls-port", type=int, default=10465, help="SMTP over TLS")
    ap.add_argument("--lmtp", help="LMTP unix socket (default DIR/run/lmtp)")
    ap.add_argument("--introspect", help="RFC 7662 URL that checks XOAUTH2 tokens")
    args = ap.parse_args()

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    aiosmtpd_log = logging.getLogger("mail.log")
    aiosmtpd_log.setLevel(logging.WARNING)  # aiosmtpd's chatter
    aiosmtpd_log.addFilter(lambda r: "login_data is deprecated" not in r.getMessage())

    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls.load_cert_chain(os.path.join(args.dir, "certs", "server.pem"),
                        os.path.join(args.dir, "certs", "server.key"))
    handler = Handler(args.dir, args.lmtp or os.path.join(args.dir, "run", "lmtp"),
                      args.introspect)

    def factory(starttls):
        return TestSMTP(
            handler,
            hostname="localhost",
            ident="incident-bot test SMTP",
            data_size_limit=MAX_SIZE,
            enable_SMTPUTF8=True,
            decode_data=False,
            tls_context=tls if starttls else None,
            require_starttls=False,
            auth_required=False,
            auth_require_tls=False,
            authenticator=handler.authenticate,
        )

    async def serve():
        loop = asyncio.get_running_loop()
        stop = loop.create_future()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, lambda: stop.done() or stop.set_result(None))
        plain = await loop.create_server(lambda: factory(True), args.host, args.port)
        implicit = await loop.create_server(lambda: factory(False), args.host,
                                            args.tls_port, ssl=tls)
        pidfile = os.path.join(args.dir, "smtp.pid")
        with open(pidfile + ".tmp", "w") as f:
            f.write("%d\n" % os.getpid())
        os.rename(pidfile + ".tmp", pidfile)
        log.info("listening on %s:%d (STARTTLS) and %s:%d (TLS), pid %d",
                 args.host, args.port, args.host, args.tls_port, os.getpid())
        await stop
        plain.close()
        implicit.close()
        log.info("stopping")

    asyncio.run(serve())


if __name__ == "__main__":
    main()
