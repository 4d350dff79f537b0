"""benchlib.py — what the benchmark stages share: the test mail servers'
settings, fresh users and a bot configuration, bulk delivery over LMTP, a
lean IMAP client for the server's raw rate, the SMTP server's spool, and
running the bot with its resource usage.

Standard library only (run with /usr/bin/python3).
"""

import datetime
import json
import os
import platform
import random
import re
import shutil
import signal
import smtplib
import socket
import ssl
import subprocess
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


class BenchError(Exception):
    pass


# ---------------------------------------------------------------- servers

def mail_env():
    """scripts/mailserver env as a dict (IB_MAIL_DIR, IB_IMAPS_PORT, ...)."""
    out = subprocess.run([os.path.join(ROOT, "scripts", "mailserver"), "env"],
                         check=True, capture_output=True, text=True).stdout
    env = {}
    for line in out.splitlines():
        k, _, v = line.partition("=")
        env[k] = v.strip("'")
    return env


def server_pids(env):
    """(dovecot master pid, smtp pid): to tell afterwards whether someone
    restarted the shared servers under the bench."""
    pids = []
    for f in ("run/master.pid", "smtp.pid"):
        try:
            with open(os.path.join(env["IB_MAIL_DIR"], f)) as fh:
                pids.append(fh.read().strip())
        except OSError:
            pids.append(None)
    return tuple(pids)


def servers_up(env):
    """Both servers answer: the IMAPS greeting and the LMTP socket."""
    try:
        ctx = ssl.create_default_context(cafile=env["IB_CA"])
        with socket.create_connection(("127.0.0.1", int(env["IB_IMAPS_PORT"])), timeout=2) as s:
            with ctx.wrap_socket(s, server_hostname="127.0.0.1") as t:
                if not t.recv(64).startswith(b"* OK"):
                    return False
        with socket.create_connection(("127.0.0.1", int(env["IB_SMTP_PORT"])), timeout=2) as s:
            if not s.recv(64).startswith(b"220"):
                return False
        u = socket.socket(socket.AF_UNIX)
        u.settimeout(2)
        u.connect(os.path.join(env["IB_MAIL_DIR"], "run", "lmtp"))
        ok = u.recv(64).startswith(b"220")
        u.close()
        return ok
    except (OSError, ssl.SSLError):
        return False


def wait_servers_up(env, seconds):
    deadline = time.monotonic() + seconds
    while not servers_up(env):
        if time.monotonic() > deadline:
            raise BenchError("the test mail servers are not back after %d s" % seconds)
        time.sleep(0.5)


def adduser(*addrs):
    """Adds users in one call (it waits out Dovecot's once-a-second look
    at its passwd-file once, not once per user)."""
    subprocess.run([os.path.join(ROOT, "scripts", "mailserver"), "adduser"] + list(addrs),
                   check=True, stdout=subprocess.DEVNULL)


def password(env):
    with open(env["IB_PASSWORD_FILE"]) as f:
        return f.read().strip()


def closed_port():
    """A TCP socket bound on loopback but not listening: connecting to its
    port is refused at once, and nobody else can take the port while the
    socket lives.  Returns (socket, port)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    return s, s.getsockname()[1]


# The bench's senders (Bot.sender): 12 mailboxes × 1,000 answers an hour
# and 1 report in 20 from outside, at most 1,000 an hour in all.
REPORTERS, OUTSIDERS, OUTSIDE_EVERY = 12, 30, 20
ACK_LIMIT = 1000	# the limits' replies_* at their highest (write_conf)


class Bot:
    """One bot instance: fresh users (a unique tag), a work folder with the
    configuration, secrets, templates and keywords (copied, so that others
    editing the tree do not change a run), and the private binary."""

    def __init__(self, name, work, binary, env, smtp_port=None, extra_conf=""):
        self.env = env
        self.tag = "%s-%d-%d" % (name, os.getpid(), random.randint(0, 99999))
        self.dir = os.path.join(work, name)
        self.binary = binary
        self.addr = "bot-%s@example.com" % self.tag
        self.admin1 = "admin1-%s@example.com" % self.tag
        self.admin2 = "admin2-%s@example.com" % self.tag
        self.boss = "boss-%s@example.com" % self.tag
        # Reporters: the acknowledgement limits count a mailbox with its
        # +tags as one, an outside domain, and all outsiders together
        # (issue 14), so the bench's senders are REPORTERS mailboxes of the
        # company and OUTSIDERS of as many outside domains (one report in
        # OUTSIDE_EVERY), within limits raised to their maxima in the
        # configuration (write_conf): every report of a backlog up to
        # 12,000 is acknowledged, as in a company of many people.
        self.reporters = ["reporter%02d-%s@example.com" % (j, self.tag) for j in range(REPORTERS)]
        self.outsiders = ["outsider-%s@o%02d.example.net" % (self.tag, j) for j in range(OUTSIDERS)]
        self.reporter, self.outsider = self.reporters[0], self.outsiders[0]
        adduser(self.addr, self.admin1, self.admin2, self.boss, *self.reporters, *self.outsiders)
        os.makedirs(os.path.join(self.dir, "secrets"), exist_ok=True)
        os.makedirs(os.path.join(self.dir, "state"), exist_ok=True)
        os.chmod(os.path.join(self.dir, "secrets"), 0o700)
        for f in ("imap", "smtp"):
            p = os.path.join(self.dir, "secrets", f)
            shutil.copyfile(env["IB_PASSWORD_FILE"], p)
            os.chmod(p, 0o600)
        self.db = os.path.join(self.dir, "state", "incidents.db")
        self.conf = os.path.join(self.dir, "bot.conf")
        self.write_conf(self.conf, smtp_port, extra_conf)

    def write_conf(self, path, smtp_port=None, extra_conf=""):
        env = self.env
        work = os.path.dirname(self.dir)
        text = """database  = "state/incidents.db"
templates = "{work}/templates"
classification = "{work}/keywords.conf"
timezone  = "Asia/Tokyo"
{extra}
imap {{
  url              = "imaps://127.0.0.1:{imaps}/INBOX"
  user             = "{addr}"
  password_file    = "secrets/imap"
  ca_file          = "{ca}"
  processed_folder = "Processed"
  poll_interval    = 60
  timeout          = 30
}}
smtp {{
  url           = "smtp://127.0.0.1:{smtp}"
  starttls      = true
  user          = "{addr}"
  password_file = "secrets/smtp"
  ca_file       = "{ca}"
  from          = "{addr}"
  from_name     = "セキュリティインシデント窓口"
  timeout       = 30
}}
# issue 14's caps at their highest: a backlog is answered and alarmed
# (three mails a report) as far as the caps allow, so the bench measures
# the mail work too (without this, 200 alarms per admin and 10
# acknowledgements an hour per domain were all a backlog queued)
limits {{
  replies_per_sender_per_hour = 1000
  replies_per_domain_per_hour = 1000
  replies_outside_per_hour    = 1000
  pending_per_recipient       = 100000
}}
person "sysadmin"  {{ name = "北垣 剛志" email = "{a1}" phone = "070-0000-0000" roles = {{"admin"}} }}
person "ecadmin"   {{ name = "伊藤 佳彦" email = "{a2}" roles = {{"admin"}} }}
person "president" {{ name = "渡部 正行" email = "{boss}" roles = {{"management"}} }}
""".format(work=work, extra=extra_conf, imaps=env["IB_IMAPS_PORT"], addr=self.addr,
           ca=env["IB_CA"], smtp=smtp_port or env["IB_SMTP_PORT"], a1=self.admin1,
           a2=self.admin2, boss=self.boss)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)

    def sender(self, i):
        """The From address of report i: a distinct plus-address of one of
        the reporters' mailboxes, or of an outsider's one report in
        OUTSIDE_EVERY, so that the answer limits do not stop the
        acknowledgements (up to 12,000 reports an hour) and the SMTP
        server knows every recipient."""
        if i % OUTSIDE_EVERY == OUTSIDE_EVERY - 1:
            base = self.outsiders[(i // OUTSIDE_EVERY) % len(self.outsiders)]
        else:
            base = self.reporters[i % len(self.reporters)]
        local, _, domain = base.partition("@")
        return "%s+%05d@%s" % (local, i, domain)

    def acks_allowed(self, n):
        """How many of reports 0..n-1 the caps let be acknowledged within
        the hour: LIMIT per mailbox (+tags folded), per outside domain,
        and to all outsiders together."""
        per_box = {}
        for i in range(n):
            box = re.sub(r"\+[^@]*@", "@", self.sender(i))
            per_box[box] = per_box.get(box, 0) + 1
        inside = sum(min(c, ACK_LIMIT) for b, c in per_box.items() if b.endswith("@example.com"))
        outside = sum(min(c, ACK_LIMIT) for b, c in per_box.items() if not b.endswith("@example.com"))
        return inside + min(outside, ACK_LIMIT)

    def cmd(self, *args, conf=None):
        return [self.binary, "-c", conf or self.conf] + list(args)


GNU_TIME = "/usr/bin/time"


def child_of(pid, timeout=5.0):
    """The pid of pid's (first) child, waiting for it to appear; None."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
                kids = f.read().split()
            if kids:
                return int(kids[0])
        except OSError:
            for d in os.listdir("/proc"):
                if d.isdigit():
                    try:
                        with open("/proc/%s/stat" % d) as f:
                            if int(f.read().rsplit(")", 1)[1].split()[1]) == pid:
                                return int(d)
                    except (OSError, ValueError, IndexError):
                        pass
        time.sleep(0.002)
    return None


ACTIVE = set()		# Measured processes still running, for kill_active()


def kill_active():
    """SIGKILLs the bots this bench started and has not waited for (an
    interrupted bench leaves nothing behind)."""
    for m in list(ACTIVE):
        m.signal(signal.SIGKILL)
        m.p.wait()
        ACTIVE.discard(m)


class Measured:
    """A bot process with its resource usage.  The peak RSS must be the
    bot's alone: a child forked from this (large) Python process inherits
    its high-water mark across exec (Linux merges the old mm's into
    ru_maxrss), so the bot runs under GNU time, a small process whose
    child it is, and time reports the bot's own rusage.  Without
    /usr/bin/time, VmHWM of /proc/PID/status (per mm, so clean) is
    sampled instead."""

    def __init__(self, argv, log_path):
        self.log = open(log_path, "ab")
        self.out = log_path + ".rusage"
        self.hwm = 0
        self.t0 = time.monotonic()
        if os.access(GNU_TIME, os.X_OK):
            self.p = subprocess.Popen([GNU_TIME, "-o", self.out, "-f", "%U %S %M"] + argv,
                                      stdout=subprocess.DEVNULL, stderr=self.log, cwd=ROOT)
            self.pid = child_of(self.p.pid)
        else:
            self.p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=self.log, cwd=ROOT)
            self.pid = self.p.pid
        ACTIVE.add(self)

    def sample(self):
        try:
            with open("/proc/%d/status" % self.pid) as f:
                for line in f:
                    if line.startswith("VmHWM:"):
                        self.hwm = max(self.hwm, int(line.split()[1]))
        except (OSError, TypeError):
            pass

    def running(self):
        return self.p.poll() is None

    def signal(self, sig):
        """To the bot itself (not to time, which would leave it orphaned)."""
        if self.pid:
            try:
                os.kill(self.pid, sig)
            except ProcessLookupError:
                pass

    def wait(self, timeout=None):
        """Waits, with SIGKILL after timeout seconds; returns a dict: rc
        (-9 when killed), killed, wall (since the start), user, sys (s),
        maxrss_mb."""
        killed = False
        limit = None if timeout is None else time.monotonic() + timeout
        while self.p.poll() is None:
            self.sample()
            if limit is not None and time.monotonic() > limit:
                self.signal(signal.SIGKILL)
                killed = True
                self.p.wait()
                break
            time.sleep(0.005)
        wall = time.monotonic() - self.t0
        ACTIVE.discard(self)
        self.log.close()
        r = {"rc": -signal.SIGKILL if killed else self.p.returncode, "killed": killed,
             "wall": wall}
        try:
            with open(self.out) as f:
                u, s, m = f.read().splitlines()[-1].split()
            r.update(user=float(u), sys=float(s), maxrss_mb=int(m) / 1024.0)
        except (OSError, ValueError, IndexError):
            r.update(user=float("nan"), sys=float("nan"), maxrss_mb=self.hwm / 1024.0)
        return r


def run_measured(argv, log_path, timeout=None):
    """Runs argv with stderr to log_path, SIGKILLed after timeout seconds;
    returns Measured.wait()'s dict."""
    return Measured(argv, log_path).wait(timeout)


# ------------------------------------------------------------------ LMTP

class Lmtp:
    """Delivery straight into Dovecot over its LMTP socket, as a mail server
    does (the messages gain Return-Path, Delivered-To and Received)."""

    def __init__(self, env):
        self.path = os.path.join(env["IB_MAIL_DIR"], "run", "lmtp")
        self.conn = smtplib.LMTP(self.path, timeout=120)

    def deliver(self, rcpt, data, mail_from="bench@example.com"):
        code, text = self.conn.mail(mail_from)
        if code == 250:
            code, text = self.conn.rcpt(rcpt)
        if code in (250, 251):
            try:
                code, text = self.conn.data(data)
            except smtplib.SMTPDataError as e:
                code, text = e.smtp_code, e.smtp_error
        if code != 250:
            self.conn.rset()
            raise BenchError("LMTP delivery to %s failed: %d %s" % (rcpt, code, text))

    def close(self):
        try:
            self.conn.quit()
        except (OSError, smtplib.SMTPException):
            pass


def deliver_many(env, rcpt, messages, workers=2):
    """Delivers the iterable of byte strings to rcpt's INBOX over `workers`
    LMTP connections; returns (count, bytes, seconds)."""
    import threading
    import queue
    q = queue.Queue(maxsize=256)
    errors = []
    done = [0, 0]

    def work():
        try:
            conn = Lmtp(env)
            while True:
                m = q.get()
                if m is None:
                    break
                conn.deliver(rcpt, m)
                done[0] += 1
                done[1] += len(m)
            conn.close()
        except Exception as e:  # reported after the join
            errors.append(e)
            while q.get() is not None:
                pass

    t0 = time.monotonic()
    threads = [threading.Thread(target=work) for _ in range(workers)]
    for t in threads:
        t.start()
    for m in messages:
        q.put(m)
    for _ in threads:
        q.put(None)
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return done[0], done[1], time.monotonic() - t0


MAIL_UID = MAIL_GID = 8	# the system user `mail` that owns the Maildirs (scripts/mailserver)


def maildir_of(env, user):
    return os.path.join(env["IB_MAIL_DIR"], "mail", user.lower(), "Maildir")


def maildir_deliver(env, user, messages):
    """Writes each message of the iterable straight into user's Maildir
    (tmp/ then new/, owned by the mail user), with the trace headers an
    LMTP delivery adds; Dovecot assigns UIDs at the next login.  As fast
    as the disk; the same bytes as `scripts/mailserver deliver` stores.
    Returns (count, bytes, seconds)."""
    t0 = time.monotonic()
    md = maildir_of(env, user)
    home = os.path.dirname(md)
    for d in (home, md, md + "/cur", md + "/new", md + "/tmp"):
        if not os.path.isdir(d):
            os.mkdir(d, 0o700)
            os.chown(d, MAIL_UID, MAIL_GID)
    host = socket.gethostname().replace("/", "_").replace(":", "_")
    stamp = email_date()
    count = size = 0
    now = int(time.time())
    for m in messages:
        frm = re.search(rb"(?m)^From:.*<([^>]+)>", m)
        trace = ("Return-Path: <%s>\nDelivered-To: %s\nReceived: from 127.0.0.1\n"
                 "\tby bench (Dovecot) with LMTP id B%08d\n\tfor <%s>; %s\n" % (
                     frm.group(1).decode() if frm else "", user, count, user, stamp)).encode()
        data = trace + m
        name = "%d.M%dP%dQ%d.%s,S=%d" % (now, count, os.getpid(), count, host, len(data))
        tmp = os.path.join(md, "tmp", name)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, data)
            os.fchown(fd, MAIL_UID, MAIL_GID)
        finally:
            os.close(fd)
        os.rename(tmp, os.path.join(md, "new", name))
        count += 1
        size += len(data)
    return count, size, time.monotonic() - t0


def email_date(t=None):
    import email.utils
    return email.utils.formatdate(t, localtime=True)


def remove_mailboxes(env, users):
    """Deletes the Maildirs of the bench's own users (after kicking their
    sessions, as Dovecot needs): they are large."""
    conf = os.path.join(env["IB_MAIL_DIR"], "dovecot.conf")
    for u in users:
        subprocess.run(["doveadm", "-c", conf, "kick", u], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        home = os.path.dirname(maildir_of(env, u))
        if os.path.basename(home) == u.lower() and os.path.isdir(home):
            shutil.rmtree(home, ignore_errors=True)


# ------------------------------------------------------------------ IMAP

class RawImap:
    """A lean IMAPS client: the server's own rate of handing out messages,
    with as little client work as possible (buffered reads, literals read
    whole, nothing parsed beyond the framing)."""

    def __init__(self, env, user):
        ctx = ssl.create_default_context(cafile=env["IB_CA"])
        sock = socket.create_connection(("127.0.0.1", int(env["IB_IMAPS_PORT"])), timeout=120)
        self.sock = ctx.wrap_socket(sock, server_hostname="127.0.0.1")
        self.f = self.sock.makefile("rb", buffering=1 << 20)
        self.n = 0
        self.f.readline()
        self.cmd('LOGIN "%s" "%s"' % (user, password(env)))

    def cmd(self, text, sink=None):
        """Sends one command; returns the untagged lines (literals are
        passed to sink(bytes), or dropped)."""
        self.n += 1
        tag = b"B%d" % self.n
        self.sock.sendall(tag + b" " + text.encode() + b"\r\n")
        lines = []
        while True:
            line = self.f.readline()
            if not line:
                raise BenchError("IMAP: connection closed during %s" % text)
            while line.endswith(b"}\r\n"):
                k = line.rindex(b"{")
                size = int(line[k + 1:-3])
                data = self.f.read(size)
                if sink:
                    sink(data)
                line = line[:k] + self.f.readline()
            if line.startswith(tag + b" "):
                if not line[len(tag) + 1:].startswith(b"OK"):
                    raise BenchError("IMAP: %s: %s" % (text, line.decode(errors="replace").strip()))
                return lines
            lines.append(line)

    def uids(self, mailbox="INBOX"):
        self.cmd('EXAMINE "%s"' % mailbox)
        uids = []
        for line in self.cmd("UID SEARCH ALL"):
            if line.startswith(b"* SEARCH"):
                uids += [int(x) for x in line.split()[2:]]
        return sorted(uids)

    def count(self, mailbox):
        try:
            lines = self.cmd('STATUS "%s" (MESSAGES)' % mailbox)
        except BenchError:
            return 0
        for line in lines:
            m = re.search(rb"MESSAGES (\d+)", line)
            if m:
                return int(m.group(1))
        return 0

    def fetch_all(self, uids, batch):
        """UID FETCH BODY.PEEK[] of uids in batches; returns (messages, bytes)."""
        got = [0, 0]

        def sink(data):
            got[0] += 1
            got[1] += len(data)
        for k in range(0, len(uids), batch):
            part = uids[k:k + batch]
            self.cmd("UID FETCH %d:%d BODY.PEEK[]" % (part[0], part[-1]), sink)
        return got[0], got[1]

    def move_all(self, uids, batch, folder):
        """UID MOVE of uids to folder (created if missing) in batches, as
        the bot moves what it committed; the INBOX must be selected."""
        try:
            self.cmd('CREATE "%s"' % folder)
        except BenchError:
            pass	# it exists
        for k in range(0, len(uids), batch):
            self.cmd('UID MOVE %s "%s"' % (",".join(str(u) for u in uids[k:k + batch]), folder))

    def close(self):
        try:
            self.cmd("LOGOUT")
        except (OSError, BenchError):
            pass
        self.sock.close()


def imap_counts(env, user, *mailboxes):
    c = RawImap(env, user)
    try:
        return [c.count(m) for m in mailboxes]
    finally:
        c.close()


# ------------------------------------------------------------------ spool

class Spool:
    """The test SMTP server's spool (NNNNNN.eml + NNNNNN.env per accepted
    mail, numbered in order of acceptance; shared with everyone using the
    server).  next_accepted() returns the mails accepted since the last
    call: (number, envelope dict, received time as epoch seconds)."""

    def __init__(self, env):
        self.dir = env["IB_SPOOL"]
        nums = [int(n[:-4]) for n in os.listdir(self.dir)
                if n.endswith(".env") and n[:-4].isdigit()]
        self.last = max(nums, default=0)

    def next_accepted(self):
        out = []
        while True:
            p = os.path.join(self.dir, "%06d.env" % (self.last + 1))
            try:
                with open(p, encoding="utf-8") as f:
                    meta = json.load(f)
            except FileNotFoundError:
                # the server may have been restarted and counts on from
                # the highest number it finds: nothing is skipped
                return out
            except ValueError:  # being written
                return out
            self.last += 1
            t = datetime.datetime.fromisoformat(meta["received"]).timestamp()
            out.append((self.last, meta, t))

    def headers(self, number):
        with open(os.path.join(self.dir, "%06d.eml" % number), "rb") as f:
            head = f.read(16384).split(b"\n\n", 1)[0].split(b"\r\n\r\n", 1)[0]
        return head.decode("utf-8", "replace")


def header_value(head, name):
    m = re.search(r"(?im)^%s:[ \t]*(.*(?:\r?\n[ \t].*)*)" % re.escape(name), head)
    return re.sub(r"\s+", " ", m.group(1)).strip() if m else None


# --------------------------------------------------------------- machine

def machine():
    """The machine the figures come from."""
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = "?"
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal"):
                    mem = "%.1f GiB" % (int(line.split()[1]) / 1024 / 1024)
    except OSError:
        pass

    def version(argv, pattern):
        try:
            out = subprocess.run(argv, capture_output=True, text=True, timeout=10).stdout
            m = re.search(pattern, out)
            return m.group(1) if m else "?"
        except OSError:
            return "?"
    try:
        commit = subprocess.run(["git", "-C", ROOT, "describe", "--always", "--dirty"],
                                capture_output=True, text=True).stdout.strip() or "?"
    except OSError:
        commit = "?"
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram": mem,
        "kernel": platform.release(),
        "os": _os_name(),
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "commit": commit,
        "dovecot": version(["dovecot", "--version"], r"([\d.]+)"),
        "sqlite": version(["sqlite3", "--version"], r"([\d.]+)"),
        "load": "%.2f %.2f %.2f" % os.getloadavg(),
    }


def _os_name():
    try:
        with open("/etc/os-release") as f:
            for line in f:
                if line.startswith("PRETTY_NAME="):
                    return line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    return platform.system()


def machine_line(m):
    return "%s, %d cores, %s RAM, Linux %s (%s), %s" % (
        m["cpu"], m["cores"], m["ram"], m["kernel"], m["os"], m["date"])
