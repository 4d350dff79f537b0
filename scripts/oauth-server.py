#!/usr/bin/python3
"""oauth-server.py — the test OAuth2 token endpoint started by scripts/mailserver.

A small HTTPS server (stdlib http.server + ssl, the test certificate of the
state folder --dir) that plays Microsoft Entra ID / Google for the tests,
with their answers' shapes:

  POST .../token       RFC 6749 token endpoint (any path ending in /token,
                       e.g. /TENANT/oauth2/v2.0/token): grant_type
                       client_credentials (client_id + client_secret) or
                       refresh_token (client_id, client_secret optional,
                       refresh_token).  Client credentials in the form or
                       in HTTP Basic.  Answers {"token_type": "Bearer",
                       "expires_in": N, "access_token": ..., "scope": ...}
                       and, for a rotating client, a new "refresh_token".
  POST /introspect     RFC 7662 (token=...): {"active": true, "username":
                       MAILBOX, "client_id": ..., "exp": ...} or
                       {"active": false}.  Dovecot's oauth2 passdb and
                       smtp-server.py ask here.
  POST /admin/revoke   client_id=...[&refresh=1]: every access token issued
                       to the client so far becomes inactive (and with
                       refresh=1 its refresh token too), as when an admin
                       revokes the app's sessions.

Clients are files DIR/oauth/clients/CLIENT_ID.json, read at every request
(tests add and change them while the server runs):

  {"secret": "...",                 client secret (client_credentials)
   "username": "bot@example.com",   the mailbox its tokens may open
   "refresh_token": "...",          current refresh token (refresh_token grant)
   "rotate": false,                 a new refresh token with each use
   "lifetime": 3600,                expires_in of its access tokens (seconds)
   "scope": "...",                  if set, the scope a request must ask for
   "fault": null,                   "401" | "400" | "500" | "503" | "drop":
                                    answer every token request so
   "revoked_before": 0}             tokens issued before this time are dead

Access tokens are self-contained (payload + HMAC with DIR/oauth/key), so
they stay valid across a restart of this server, like real JWTs.  Errors
look like the real ones: {"error": "invalid_client", "error_description":
"AADSTS7000215: Invalid client secret provided. ..."}.  The log
(stdout) names client, grant and outcome, never a secret or token.

Run with /usr/bin/python3.
"""

import argparse
import base64
import hashlib
import hmac
import json
import logging
import os
import secrets
import signal
import ssl
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

log = logging.getLogger("oauth-server")
TENANT = "incident-bot tests"


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class State:
    def __init__(self, state_dir):
        self.dir = os.path.join(state_dir, "oauth")
        self.clients = os.path.join(self.dir, "clients")
        os.makedirs(self.clients, exist_ok=True)
        keyfile = os.path.join(self.dir, "key")
        if not os.path.exists(keyfile):
            with open(keyfile + ".tmp", "wb") as f:
                f.write(secrets.token_bytes(32))
            os.chmod(keyfile + ".tmp", 0o600)
            os.rename(keyfile + ".tmp", keyfile)
        with open(keyfile, "rb") as f:
            self.key = f.read()
        self.lock = threading.Lock()   # read-modify-write of client files

    def client_path(self, client_id):
        if not client_id or "/" in client_id or client_id.startswith("."):
            return None
        return os.path.join(self.clients, client_id + ".json")

    def client(self, client_id):
        path = self.client_path(client_id)
        try:
            with open(path, encoding="utf-8") as f:
                return json.load(f)
        except (TypeError, FileNotFoundError):
            return None

    def save(self, client_id, data):
        path = self.client_path(client_id)
        with open(path + ".tmp", "w", encoding="utf-8") as f:
            json.dump(data, f)
        os.rename(path + ".tmp", path)

    def issue(self, client_id, c, scope):
        now = time.time()
        payload = {"cid": client_id, "sub": c.get("username", ""), "iat": now,
                   "exp": now + int(c.get("lifetime", 3600)), "scope": scope,
                   "jti": secrets.token_hex(8)}
        body = b64(json.dumps(payload).encode())
        sig = b64(hmac.new(self.key, body.encode(), hashlib.sha256).digest())
        return "ibt." + body + "." + sig

    def introspect(self, token):
        try:
            prefix, body, sig = token.split(".")
            good = b64(hmac.new(self.key, body.encode(), hashlib.sha256).digest())
            if prefix != "ibt" or not hmac.compare_digest(sig, good):
                return {"active": False}, "bad signature"
            p = json.loads(unb64(body))
        except (ValueError, json.JSONDecodeError):
            return {"active": False}, "not a token of ours"
        c = self.client(p["cid"])
        if c is None:
            return {"active": False}, "client %s deleted" % p["cid"]
        if p["exp"] <= time.time():
            return {"active": False}, "expired %.1f s ago" % (time.time() - p["exp"])
        if p["iat"] < c.get("revoked_before", 0):
            return {"active": False}, "revoked"
        return {"active": True, "username": p["sub"], "client_id": p["cid"],
                "scope": p["scope"], "exp": int(p["exp"]), "iat": int(p["iat"]),
                "token_type": "Bearer"}, "active"


class Handler(BaseHTTPRequestHandler):
    server_version = "incident-bot-test-oauth/1"
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):  # the default writes every request to stderr
        pass

    def answer(self, status, obj, headers=()):
        body = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def error(self, status, code, description, what):
        log.info("%s %s: %d %s (%s)", self.command, self.path, status, code, what)
        if description.startswith("AADSTS"):
            # Entra appends these to every description
            description += "\r\nTrace ID: %s\r\nCorrelation ID: %s\r\nTimestamp: %s" % (
                secrets.token_hex(16), secrets.token_hex(16),
                time.strftime("%Y-%m-%d %H:%M:%SZ", time.gmtime()))
        self.answer(status, {"error": code, "error_description": description,
                             "error_codes": [], "timestamp": time.strftime("%Y-%m-%d %H:%M:%SZ", time.gmtime())},
                    [("WWW-Authenticate", 'Basic realm="token"')] if status == 401 else [])

    def form(self):
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n).decode("utf-8", "replace") if n else ""
        return {k: v[0] for k, v in urllib.parse.parse_qs(raw, keep_blank_values=True).items()}

    def do_GET(self):
        if self.path == "/health":
            return self.answer(200, {"ok": True})
        self.error(404, "not_found", "no such endpoint", "GET")

    def do_POST(self):
        st = self.server.state
        f = self.form()
        if self.path.endswith("/token"):
            return self.token(st, f)
        if self.path == "/introspect":
            result, why = st.introspect(f.get("token", ""))
            log.info("introspect: %s%s", why,
                     " (%s for %s)" % (result["client_id"], result["username"]) if result["active"] else "")
            return self.answer(200, result)
        if self.path == "/admin/revoke":
            cid = f.get("client_id", "")
            with st.lock:
                c = st.client(cid)
                if c is None:
                    return self.error(404, "not_found", "no client %r" % cid, "revoke")
                c["revoked_before"] = time.time()
                if f.get("refresh") == "1":
                    c["refresh_token"] = None
                st.save(cid, c)
            log.info("revoke: client %s%s", cid, " and its refresh token" if f.get("refresh") == "1" else "")
            return self.answer(200, {"revoked": cid})
        self.error(404, "not_found", "no such endpoint", "POST")

    def token(self, st, f):
        auth = self.headers.get("Authorization", "")
        if auth.startswith("Basic "):
            try:
                user, _, pw = base64.b64decode(auth[6:]).decode().partition(":")
                f.setdefault("client_id", urllib.parse.unquote_plus(user))
                f.setdefault("client_secret", urllib.parse.unquote_plus(pw))
            except (ValueError, UnicodeDecodeError):
                pass
        grant, cid = f.get("grant_type", ""), f.get("client_id", "")
        what = "grant %s, client %s" % (grant or "(none)", cid or "(none)")
        if grant not in ("client_credentials", "refresh_token"):
            return self.error(400, "unsupported_grant_type",
                              "AADSTS70003: The app requested an unsupported grant type '%s'." % grant, what)
        with st.lock:
            c = st.client(cid)
            if c is None:
                return self.error(400, "unauthorized_client",
                                  "AADSTS700016: Application with identifier '%s' was not found in the "
                                  "directory '%s'. This can happen if the application has not been "
                                  "installed by the administrator of the tenant or consented to by any "
                                  "user in the tenant. You may have sent your authentication request to "
                                  "the wrong tenant." % (cid, TENANT), what)
            fault = str(c.get("fault") or "")
            if fault == "drop":
                log.info("%s: fault: dropping the connection", what)
                self.close_connection = True
                self.connection.shutdown(2)
                return
            if fault == "401":
                return self.error(401, "invalid_client",
                                  "AADSTS7000222: The provided client secret keys for app '%s' are "
                                  "expired. Visit the Azure portal to create new keys for your app." % cid,
                                  what + " (fault)")
            if fault == "400":
                return self.error(400, "invalid_request",
                                  "AADSTS900144: The request body must contain the following parameter: "
                                  "'client_id'.", what + " (fault)")
            if fault in ("500", "503"):
                return self.error(int(fault), "temporarily_unavailable",
                                  "AADSTS90033: A transient error has occurred. Please try again.",
                                  what + " (fault)")
            secret = f.get("client_secret")
            if grant == "client_credentials" or secret is not None:
                if not secret or not hmac.compare_digest(secret.encode(), str(c.get("secret", "")).encode()):
                    return self.error(401, "invalid_client",
                                      "AADSTS7000215: Invalid client secret provided. Ensure the secret "
                                      "being sent in the request is the client secret value, not the "
                                      "client secret ID, for a secret added to app '%s'." % cid, what)
            scope = f.get("scope", "")
            if c.get("scope") and grant == "client_credentials" and scope != c["scope"]:
                return self.error(400, "invalid_scope",
                                  "AADSTS70011: The provided request must include a 'scope' input "
                                  "parameter. The provided value for the input parameter 'scope' is "
                                  "not valid. The scope %s is not valid." % (scope or "(none)"), what)
            answer = {"token_type": "Bearer", "expires_in": int(c.get("lifetime", 3600)),
                      "ext_expires_in": int(c.get("lifetime", 3600)),
                      "scope": scope or c.get("scope", "")}
            if grant == "refresh_token":
                rt = f.get("refresh_token", "")
                if not c.get("refresh_token") or not hmac.compare_digest(
                        rt.encode(), str(c["refresh_token"]).encode()):
                    return self.error(400, "invalid_grant", "Token has been expired or revoked.", what)
                if c.get("rotate"):
                    c["refresh_token"] = "ibr." + secrets.token_urlsafe(24)
                    c["rotations"] = c.get("rotations", 0) + 1
                    st.save(cid, c)
                    answer["refresh_token"] = c["refresh_token"]
            answer["access_token"] = st.issue(cid, c, answer["scope"])
            c["issued"] = c.get("issued", 0) + 1
            st.save(cid, c)
        log.info("%s: token issued for %s, expires in %d s%s", what, c.get("username"),
                 answer["expires_in"], ", refresh token rotated" if "refresh_token" in answer else "")
        self.answer(200, answer)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dir", required=True, help="state folder of scripts/mailserver")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=10443)
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")

    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls.load_cert_chain(os.path.join(args.dir, "certs", "server.pem"),
                        os.path.join(args.dir, "certs", "server.key"))
    httpd = ThreadingHTTPServer((args.host, args.port), Handler)
    httpd.daemon_threads = True
    httpd.socket = tls.wrap_socket(httpd.socket, server_side=True)
    httpd.state = State(args.dir)

    def stop(*_):
        threading.Thread(target=httpd.shutdown, daemon=True).start()
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    pidfile = os.path.join(args.dir, "oauth.pid")
    with open(pidfile + ".tmp", "w") as f:
        f.write("%d\n" % os.getpid())
    os.rename(pidfile + ".tmp", pidfile)
    log.info("listening on https://%s:%d, pid %d", args.host, args.port, os.getpid())
    httpd.serve_forever()
    log.info("stopping")


if __name__ == "__main__":
    main()
