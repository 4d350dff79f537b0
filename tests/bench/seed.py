"""seed.py — a database with a long history, fast, for the growth figures.

seed(template, out, n, now) writes a new database `out` with the schema and
user_version of `template` (a database the bot itself made) holding n
closed tickets of the past five years, each a copy of one ticket of the
template with all its rows — the report (raw bytes, with a header line
added so that its SHA-256 is its own), attachments, checklist (done),
obligations (done), every mail it sent (state sent) and its events — with
new ids, numbers INC-YYYY-NNNN in their own year, unique Message-IDs,
times moved to the ticket's date, and the event chain recomputed with the
bot's formula (store_event_hash in bot/store/store_ticket.c), so that the
database is what years of use would leave: `incident-bot verify` holds.
The template's state (digest date) and reviews are kept; its
imap.uidvalidity is not (another mailbox).

followups (issue 16, point 5: a million messages with 100,000 tickets)
adds that many short replies of the reporter to every ticket, in the week
after it came, each with its "follow-up" event in the chain, as a
follow-up mail leaves them.

All in one transaction, without a journal (the file is new; a failure
leaves it to be deleted), then fsync'd, so that the bot's first
checkpoint does not pay for writing the whole file.
"""

import datetime
import hashlib
import os
import sqlite3
import time

TOKYO = datetime.timezone(datetime.timedelta(hours=9))
YEARS = 5
ZERO = "0" * 64


def _columns(db, table):
    return [r[1] for r in db.execute("PRAGMA tmpl.table_info(%s)" % table)]


# a reporter's short reply, as the follow-ups are (one of several
# sizes; the rest of the mail is in the headers)
FOLLOWUP_BODY = ("追加のご報告です。その後の状況を確認しましたので、お知らせします。\r\n"
                 "影響のある端末は引き続き隔離しております。ログは保存済みです。\r\n"
                 "Additional details: the affected machine stays isolated, logs are kept.\r\n")


def _followup(j, k, ref, addr, at):
    """Reply k of ticket j at time at: (Message-ID, raw bytes, subject, body)."""
    date = datetime.datetime.fromtimestamp(at, TOKYO).strftime("%a, %d %b %Y %H:%M:%S +0900")
    mid = "<seed-f%d-%d@bench.example>" % (j, k)
    subject = "Re: [%s] 続報 %d" % (ref, k)
    body = FOLLOWUP_BODY * (1 + k % 3)
    raw = ("From: %s\r\nTo: incident@example.com\r\nSubject: %s\r\nDate: %s\r\n"
           "Message-ID: %s\r\nMIME-Version: 1.0\r\n"
           "Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: 8bit\r\n"
           "\r\n%s" % (addr or "reporter@example.com", subject, date, mid, body)).encode()
    return mid, raw, subject, body.replace("\r\n", "\n")


def seed(template, out, n, now=None, log=None, followups=0):
    now = int(now or time.time())
    if os.path.exists(out):
        os.unlink(out)
    db = sqlite3.connect(out, isolation_level=None)
    db.execute("PRAGMA journal_mode = OFF")
    db.execute("PRAGMA synchronous = OFF")
    db.execute("PRAGMA cache_size = -262144")
    db.execute("ATTACH DATABASE ? AS tmpl", ("file:%s?mode=ro" % template,))
    t0 = time.monotonic()
    db.execute("BEGIN")
    for (sql,) in db.execute("SELECT sql FROM tmpl.sqlite_master WHERE sql IS NOT NULL "
                             "AND name NOT LIKE 'sqlite_%' ORDER BY rowid").fetchall():
        db.execute(sql)
    version = db.execute("PRAGMA tmpl.user_version").fetchone()[0]

    tmpl = [r for r in db.execute(
        "SELECT id, created_at FROM tmpl.tickets ORDER BY id").fetchall()]
    if not tmpl:
        raise ValueError("%s holds no tickets to copy" % template)

    # Which template ticket each new ticket copies, and how far its times move.
    start, end = now - YEARS * 365 * 86400, now - 2 * 86400
    seq = {}
    rows = []
    for j in range(1, n + 1):
        tid, tcreated = tmpl[(j - 1) % len(tmpl)]
        created = start + (end - start) * (j - 1) // max(n - 1, 1)
        year = datetime.datetime.fromtimestamp(created, TOKYO).year
        seq[year] = seq.get(year, 0) + 1
        rows.append((j, tid, created - tcreated, year, seq[year]))
    db.execute("CREATE TEMP TABLE map (new_id INTEGER PRIMARY KEY, tmpl_id INTEGER, "
               "delta INTEGER, year INTEGER, seq INTEGER)")
    db.executemany("INSERT INTO temp.map VALUES (?, ?, ?, ?, ?)", rows)

    db.create_function("seed_raw", 2, lambda k, raw: b"X-Bench-Seed: %d\r\n" % k + bytes(raw),
                       deterministic=True)
    db.create_function("sha256_hex", 1, lambda b: hashlib.sha256(bytes(b)).hexdigest(),
                       deterministic=True)

    # tickets: closed, acknowledged, resolved in the days after they came
    cols = _columns(db, "tickets")
    sel = {c: "t." + c for c in cols}
    sel.update({
        "id": "m.new_id", "ref": "printf('INC-%04d-%04d', m.year, m.seq)", "year": "m.year",
        "seq": "m.seq", "status": "'closed'", "created_at": "t.created_at + m.delta",
        "aware_at": "t.aware_at + m.delta", "acked_at": "t.created_at + m.delta + 900",
        "contained_at": "t.created_at + m.delta + 7200",
        "resolved_at": "t.created_at + m.delta + 3 * 86400",
        "closed_at": "t.created_at + m.delta + 7 * 86400",
        "updated_at": "t.created_at + m.delta + 7 * 86400",
        "owner": "t.owner", "escalation_stage": "0",
    })
    db.execute("INSERT INTO main.tickets (%s) SELECT %s FROM temp.map m JOIN tmpl.tickets t "
               "ON t.id = m.tmpl_id ORDER BY m.new_id" % (
                   ", ".join(cols), ", ".join(sel[c] for c in cols)))

    # messages and their attachments: new ids new_id * 64 + rank in the ticket
    db.execute("CREATE TEMP TABLE mrank AS SELECT id, ticket_id, row_number() OVER "
               "(PARTITION BY ticket_id ORDER BY id) AS rank FROM tmpl.messages")
    db.execute("CREATE INDEX temp.mrank_ticket ON mrank(ticket_id)")
    cols = _columns(db, "messages")
    sel = {c: "x." + c for c in cols}
    sel.update({
        "id": "m.new_id * 64 + r.rank", "ticket_id": "m.new_id",
        "message_id": "x.message_id || '.s' || m.new_id",
        "raw": "seed_raw(m.new_id, x.raw)", "sha256": "sha256_hex(seed_raw(m.new_id, x.raw))",
        "imap_uid": "NULL", "imap_uidvalidity": "NULL",
        "date": "x.date + m.delta", "received_at": "x.received_at + m.delta",
    })
    db.execute("INSERT INTO main.messages (%s) SELECT %s FROM temp.map m "
               "JOIN temp.mrank r ON r.ticket_id = m.tmpl_id JOIN tmpl.messages x ON x.id = r.id "
               "ORDER BY m.new_id, r.rank" % (", ".join(cols), ", ".join(sel[c] for c in cols)))
    cols = [c for c in _columns(db, "attachments") if c != "id"]
    sel = {c: "a." + c for c in cols}
    sel["message_id"] = "m.new_id * 64 + r.rank"
    db.execute("INSERT INTO main.attachments (%s) SELECT %s FROM temp.map m "
               "JOIN temp.mrank r ON r.ticket_id = m.tmpl_id "
               "JOIN tmpl.attachments a ON a.message_id = r.id ORDER BY m.new_id, a.id" % (
                   ", ".join(cols), ", ".join(sel[c] for c in cols)))

    # checklist and obligations: all done
    cols = [c for c in _columns(db, "checklist") if c != "id"]
    sel = {c: "c." + c for c in cols}
    sel.update({"ticket_id": "m.new_id", "done_at": "t.created_at + m.delta + 86400",
                "done_by": "COALESCE(t.reporter_addr, 'admin')"})
    db.execute("INSERT INTO main.checklist (%s) SELECT %s FROM temp.map m "
               "JOIN tmpl.checklist c ON c.ticket_id = m.tmpl_id "
               "JOIN tmpl.tickets t ON t.id = m.tmpl_id ORDER BY m.new_id, c.id" % (
                   ", ".join(cols), ", ".join(sel[c] for c in cols)))
    cols = [c for c in _columns(db, "obligations") if c != "id"]
    sel = {c: "o." + c for c in cols}
    sel.update({"ticket_id": "m.new_id", "state": "'done'",
                "created_at": "o.created_at + m.delta", "start_at": "o.start_at + m.delta",
                "due_at": "o.due_at + m.delta", "closed_at": "o.start_at + m.delta + 86400",
                "closed_by": "'admin'", "reason": "NULL"})
    db.execute("INSERT INTO main.obligations (%s) SELECT %s FROM temp.map m "
               "JOIN tmpl.obligations o ON o.ticket_id = m.tmpl_id ORDER BY m.new_id, o.id" % (
                   ", ".join(cols), ", ".join(sel[c] for c in cols)))

    # every mail the ticket caused, sent
    cols = [c for c in _columns(db, "outbox") if c != "id"]
    sel = {c: "x." + c for c in cols}
    sel.update({"ticket_id": "m.new_id", "message_id": "x.message_id || '.s' || m.new_id",
                "state": "'sent'", "attempts": "1", "created_at": "x.created_at + m.delta",
                "next_attempt_at": "x.created_at + m.delta",
                "sent_at": "x.created_at + m.delta + 2", "last_error": "NULL"})
    # (the template has no index on outbox.ticket_id: one in temp, then rowids)
    db.execute("CREATE TEMP TABLE xo AS SELECT id, ticket_id FROM tmpl.outbox")
    db.execute("CREATE INDEX temp.xo_ticket ON xo(ticket_id, id)")
    db.execute("INSERT INTO main.outbox (%s) SELECT %s FROM temp.map m "
               "JOIN temp.xo o ON o.ticket_id = m.tmpl_id JOIN tmpl.outbox x ON x.id = o.id "
               "ORDER BY m.new_id, o.id" % (
                   ", ".join(cols), ", ".join(sel[c] for c in cols)))

    # the reporters' replies, FOLLOWUPS per ticket over the week after it came
    # (ids new_id * 64 + 32 + k: the template's own are ranked 1, 2, ...)
    replies = {}
    if followups:
        if followups > 31:
            raise ValueError("at most 31 follow-ups per ticket")
        info = {r[0]: r[1:] for r in db.execute(
            "SELECT id, ref, reporter_addr, created_at FROM main.tickets")}

        # the rows, and (in `replies`, as executemany draws them) what the
        # timeline below chains for each ticket
        def reply_rows():
            for j in range(1, n + 1):
                ref, addr, created = info[j]
                for k in range(1, followups + 1):
                    at = created + k * 7 * 86400 // (followups + 1)
                    mid, raw, subject, body = _followup(j, k, ref, addr, at)
                    replies.setdefault(j, []).append((at, addr or "reporter@example.com",
                                                      subject, body))
                    yield (j * 64 + 32 + k, j, "follow-up", mid, hashlib.sha256(raw).hexdigest(),
                           raw, addr, subject, at, body, body, at)
        db.executemany("INSERT INTO main.messages (id, ticket_id, kind, message_id, sha256, raw,"
                       " from_addr, subject, date, body, new_text, received_at)"
                       " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", reply_rows())

    # the timeline, chained in id order with the bot's formula
    events = {}
    for tid, at, actor, kind, detail in db.execute(
            "SELECT ticket_id, at, actor, kind, detail FROM tmpl.events "
            "WHERE ticket_id IS NOT NULL ORDER BY id"):
        events.setdefault(tid, []).append((at, actor, kind, detail))
    prev = ZERO
    sha = hashlib.sha256

    def chain():
        nonlocal prev
        for j, tid, delta, _, _ in rows:
            timeline = [(at + delta, actor, kind, detail)
                        for at, actor, kind, detail in events.get(tid, ())]
            # a follow-up's event as the pipeline writes it
            timeline += [(at, addr, "follow-up", "%s: %s\n%s" % (addr, subject, body[:600]))
                         for at, addr, subject, body in replies.get(j, ())]
            for at, actor, kind, detail in timeline:
                h = sha(("%s\n%d\n%d\n%s\n%s\n%s" % (prev, j, at, actor, kind, detail or ""))
                        .encode()).hexdigest()
                yield (j, at, actor, kind, detail, prev, h)
                prev = h
    db.executemany("INSERT INTO main.events (ticket_id, at, actor, kind, detail, prev_hash, hash)"
                   " VALUES (?, ?, ?, ?, ?, ?, ?)", chain())

    db.execute("INSERT INTO main.state SELECT * FROM tmpl.state WHERE key <> 'imap.uidvalidity'")
    db.execute("INSERT INTO main.reviews SELECT * FROM tmpl.reviews")
    db.execute("PRAGMA main.user_version = %d" % version)
    db.execute("COMMIT")
    db.execute("DETACH DATABASE tmpl")
    db.execute("PRAGMA journal_mode = WAL")
    counts = {t: db.execute("SELECT count(*) FROM %s" % t).fetchone()[0]
              for t in ("tickets", "messages", "events", "outbox", "checklist", "obligations")}
    db.close()
    # On disk before the bot opens it: else the bot's first checkpoint
    # (fdatasync) would pay for writing the whole seeded file.
    fd = os.open(out, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    counts["seconds"] = time.monotonic() - t0
    counts["bytes"] = os.path.getsize(out)
    return counts


if __name__ == "__main__":
    import sys
    print(seed(sys.argv[1], sys.argv[2], int(sys.argv[3]),
               followups=int(sys.argv[4]) if len(sys.argv) > 4 else 0))
