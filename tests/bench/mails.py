"""mails.py — realistic incident reports for the benchmark, fast.

report(i, ...) returns one RFC 5322 message (bytes, LF line ends as a
Maildir keeps them; no trace headers, which delivery adds) for the i-th
report of a run.  The mix, decided by a
random generator seeded with i so that a run can be regenerated:

  35 %  Japanese, mutt style: ISO-2022-JP 7bit body, ISO-2022-JP B subject
  20 %  Japanese, Outlook/Gmail style: UTF-8 base64 body, UTF-8 B subject
  10 %  Japanese, multipart/alternative: UTF-8 quoted-printable text + HTML
  10 %  mixed: ISO-2022-JP subject, UTF-8 8bit body with English terms
  15 %  English, UTF-8 7bit/8bit plain text
  10 %  English, multipart/alternative text + HTML
and, independently, every tenth report (i % 10 == 9) carries a 100 KB
attachment (PDF, ZIP, PNG or a log; random bytes, base64, some with an
RFC 2231 Japanese file name) in a multipart/mixed.

Bodies are a few paragraphs drawn from the incident kinds the policy
names (phishing, malware, lost devices, suspicious logins, leaks of
customer data, DoS, Amazon/AWS/Rakuten notices, power and disasters), with
counts (約1,200件), times, names and a signature, so that classification
does real work.  Only JIS X 0208 characters are used in Japanese text, so
that every body fits ISO-2022-JP.

Build by hand (no email package): 10,000 reports take about a second.
"""

import base64
import quopri
import random
import urllib.parse

ATTACHMENT_SIZE = 100 * 1024

JA_NAMES = ["山田 花子", "佐藤 健一", "鈴木 美咲", "高橋 翔", "田中 由美", "伊藤 誠",
            "渡辺 愛", "中村 大輔", "小林 直子", "加藤 拓也", "吉田 麻衣", "山口 亮"]
EN_NAMES = ["Alice Walker", "Bob Chen", "Carol Diaz", "Dan Murphy", "Eve Tanaka",
            "Frank Okafor", "Grace Lee", "Hiro Sato"]
DEPTS = ["物流センター", "EC運営部", "カスタマーサポート", "経理部", "情報システム部",
         "商品企画部", "総務部"]

# (subject, body paragraphs) per incident kind; {n} {t} {host} {dept} are filled in.
JA_KINDS = [
    ("不審なメールを開いてしまいました",
     ["本日{t}頃、取引先を名乗る差出人から請求書の添付ファイル付きメールが届き、"
      "添付ファイルを開いてしまいました。",
      "開いた後、画面に何も表示されず、その後パソコンの動作が遅くなっています。"
      "マルウェア感染の可能性があるため、LANケーブルは抜いてあります。",
      "同じメールが{dept}の他のメンバーにも届いているようです。"]),
    ("ノートパソコンを紛失しました",
     ["昨日の帰宅途中、電車内で業務用ノートパソコンを紛失しました。",
      "パソコンには顧客情報（氏名・住所・電話番号）約{n}件のファイルが保存されていました。"
      "ディスクの暗号化は設定されていたと思いますが確認できていません。",
      "最寄りの警察署に遺失届を提出済みです。"]),
    ("管理画面への不審なログインについて",
     ["ECサイトの管理画面に、{t}頃から海外のIPアドレスからのログイン試行が多数記録されています。",
      "そのうち1件はログインに成功しており、不正アクセスの可能性があります。"
      "対象のアカウントは{dept}の共用アカウントです。",
      "パスワードは変更済みですが、ログの保全をお願いできますでしょうか。"]),
    ("顧客情報の流出の可能性",
     ["お客様から「注文時に登録したメールアドレスに不審なメールが届いた」との問い合わせが"
      "本日だけで{n}件ありました。",
      "顧客情報が漏洩した可能性があります。クレジットカード情報の扱いについても確認が必要です。",
      "Amazonの出品者アカウントにも同様の問い合わせが来ています。"]),
    ("サーバーの応答が極端に遅くなっています",
     ["{t}頃から注文管理サーバー（{host}）の応答が極端に遅く、受注処理が止まっています。",
      "アクセスログを見ると、特定のIPアドレス群から大量のリクエストが来ており、"
      "DoS攻撃の可能性があります。",
      "楽天市場店とYahoo!ショッピング店の在庫連携も止まっています。"]),
    ("誤送信のご報告",
     ["{t}頃、お客様宛てのメールを誤って別のお客様に送信してしまいました。",
      "メールには注文番号、氏名、配送先住所が含まれていました。対象は{n}名です。",
      "受信者には削除をお願いする連絡をしています。"]),
    ("ウイルス対策ソフトの警告",
     ["{dept}のパソコン（{host}）でウイルス対策ソフトがトロイの木馬を検知し、隔離しました。",
      "USBメモリから持ち込まれた可能性があります。他の端末への感染は確認できていません。"]),
    ("倉庫の停電について",
     ["本日{t}頃、物流センターで停電が発生し、出荷システムのサーバーが停止しました。",
      "UPSは動作しましたが、約{n}分で電源が落ちました。現在は復旧しています。",
      "データの破損がないか確認中です。"]),
]
EN_KINDS = [
    ("Phishing mail with a fake invoice",
     ["At {t} I received an e-mail claiming to be from one of our suppliers, with an "
      "invoice attached. I opened the attachment before I noticed the sender address "
      "was wrong.",
      "Nothing visible happened, but my laptop ({host}) has been slow since. I have "
      "unplugged it from the network.",
      "At least {n} people in my team received the same mail."]),
    ("Suspicious login to the AWS console",
     ["We got an alert about an unusual login to our AWS root account from an IP "
      "address we do not know, at {t}.",
      "CloudTrail shows new IAM access keys were created a few minutes later. The "
      "account may have been compromised.",
      "I have disabled the keys but have not rotated anything else yet."]),
    ("Customer data posted online?",
     ["A customer told us that a list with names and addresses of about {n} of our "
      "customers was posted online on a forum.",
      "I have not confirmed the leak yet; the sample they sent looks like our order "
      "export from last month.",
      "Please advise what we should tell the customer."]),
    ("Lost smartphone with company mail",
     ["I lost my company smartphone on the way home yesterday. It has the company "
      "mail and the Rakuten RMS app logged in.",
      "The phone has a PIN lock. I reported it to the police this morning."]),
    ("Website defaced",
     ["The top page of our web shop shows a strange message in English since {t}. "
      "Someone seems to have changed the site.",
      "Our hosting company says the CMS admin password may have been leaked."]),
]

SIGS_JA = ["--\n{name}\n{dept}\n内線 {ext}\n", "━━━━━━━━━━━━━━━━\n{name}（{dept}）\nTEL: 03-1234-{ext}\n"]
SIGS_EN = ["--\n{name}\n{dept_en}, ext. {ext}\n", "Best regards,\n{name}\n"]
DEPTS_EN = ["Logistics", "E-commerce Operations", "Customer Support", "Finance", "IT"]

ATTACH_TYPES = [
    ("application/pdf", "invoice_{i}.pdf"),
    ("application/zip", "ログ_{i}.zip"),
    ("image/png", "スクリーンショット_{i}.png"),
    ("text/plain", "access_{i}.log"),
]


def _fill(s, rng, i):
    return s.format(n="{:,}".format(rng.choice([3, 12, 150, 1200, 3400, 25000])),
                    t="{:d}:{:02d}".format(rng.randint(0, 23), rng.randint(0, 59)),
                    host="PC-{:04d}".format(rng.randint(1, 9999)),
                    dept=rng.choice(DEPTS), i=i)


def _b64(data):
    return base64.encodebytes(data)	# 76-column lines, LF


def _ew(text, charset):
    """One RFC 2047 B-encoded word (split so lines stay short)."""
    raw = text.encode("iso2022_jp" if charset == "ISO-2022-JP" else "utf-8")
    return "=?%s?B?%s?=" % (charset, base64.b64encode(raw).decode())


def _html(text):
    esc = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    paras = "".join("<p>%s</p>\n" % p.replace("\n", "<br>") for p in esc.split("\n\n"))
    return ("<html><head><meta charset=\"utf-8\"></head><body>\n<div style=\"font-family:"
            "Meiryo,sans-serif\">\n%s</div></body></html>\n" % paras)


def _alternative(text, boundary):
    html = _html(text)
    return ("Content-Type: multipart/alternative; boundary=\"%s\"\n\n"
            "--%s\nContent-Type: text/plain; charset=\"utf-8\"\n"
            "Content-Transfer-Encoding: quoted-printable\n\n%s\n"
            "--%s\nContent-Type: text/html; charset=\"utf-8\"\n"
            "Content-Transfer-Encoding: quoted-printable\n\n%s\n--%s--\n"
            % (boundary, boundary,
               quopri.encodestring(text.encode()).decode(), boundary,
               quopri.encodestring(html.encode()).decode(), boundary)).encode()


def report(i, bot_addr, sender_addr, date, msgid_domain="bench.example.com", tag="b"):
    """The i-th report (bytes).  sender_addr: the From address."""
    rng = random.Random(i * 7919 + 17)
    style = rng.random()
    japanese = style < 0.75
    if japanese:
        subj, paras = rng.choice(JA_KINDS)
        name, sig = rng.choice(JA_NAMES), rng.choice(SIGS_JA)
        greeting = "情報システム部 御中\n\nお疲れさまです。%sの%sです。\n" % (
            rng.choice(DEPTS), name.split()[0])
        closing = "\nよろしくお願いいたします。\n"
    else:
        subj, paras = rng.choice(EN_KINDS)
        name, sig = rng.choice(EN_NAMES), rng.choice(SIGS_EN)
        greeting = "Hello security desk,\n"
        closing = "\nThanks,\n"
    subj = "%s (%d)" % (subj, i)
    body = greeting + "\n" + "\n\n".join(_fill(p, rng, i) for p in paras) + "\n" + closing + \
        "\n" + sig.format(name=name, dept=rng.choice(DEPTS), dept_en=rng.choice(DEPTS_EN),
                          ext=rng.randint(1000, 9999))
    # a quoted earlier mail now and then: real reports forward what they saw
    if rng.random() < 0.3:
        body += "\n" + "\n".join("> " + line for line in (
            "-----Original Message-----\nFrom: billing@supplier-invoice.example\n"
            "Subject: Invoice overdue / 請求書のご確認\n\n"
            "Please check the attached invoice and pay within 24 hours.\n"
            "添付の請求書をご確認のうえ、24時間以内にお支払いください。" if japanese else
            "-----Original Message-----\nFrom: billing@supplier-invoice.example\n"
            "Subject: Invoice overdue\n\nPlease check the attached invoice and pay "
            "within 24 hours.").split("\n")) + "\n"

    boundary = "----=_Part_%d_%d" % (i, rng.randint(10 ** 8, 10 ** 9))
    headers = []
    if japanese and style < 0.35:		# mutt, ISO-2022-JP all through
        headers += ["From: %s <%s>" % (_ew(name, "ISO-2022-JP"), sender_addr),
                    "Subject: " + _ew(subj, "ISO-2022-JP"),
                    "User-Agent: Mutt/2.2.9 (2022-11-12)"]
        part = ("Content-Type: text/plain; charset=iso-2022-jp\n"
                "Content-Transfer-Encoding: 7bit\n\n").encode() + body.encode("iso2022_jp")
    elif japanese and style < 0.55:		# Outlook-ish UTF-8 base64
        headers += ["From: %s <%s>" % (_ew(name, "UTF-8"), sender_addr),
                    "Subject: " + _ew(subj, "UTF-8"),
                    "X-Mailer: Microsoft Outlook 16.0", "Thread-Index: AdpBench%d" % i]
        part = ("Content-Type: text/plain; charset=\"utf-8\"\n"
                "Content-Transfer-Encoding: base64\n\n").encode() + _b64(body.encode())
    elif japanese and style < 0.65:		# Gmail-ish alternative
        headers += ["From: %s <%s>" % (_ew(name, "UTF-8"), sender_addr),
                    "Subject: " + _ew(subj, "UTF-8")]
        part = _alternative(body, boundary + "_alt")
    elif japanese:				# mixed charsets in one mail
        headers += ["From: \"%s\" <%s>" % (_ew(name, "ISO-2022-JP"), sender_addr),
                    "Subject: " + _ew(subj + " / urgent", "ISO-2022-JP")]
        body += "\nError: ERR_CONNECTION_RESET (Chrome 131, Windows 11)\n"
        part = ("Content-Type: text/plain; charset=UTF-8; format=flowed\n"
                "Content-Transfer-Encoding: 8bit\n\n").encode() + body.encode()
    elif style < 0.90:				# English plain
        headers += ["From: %s <%s>" % (name, sender_addr), "Subject: " + subj]
        part = ("Content-Type: text/plain; charset=utf-8\n"
                "Content-Transfer-Encoding: 8bit\n\n").encode() + body.encode()
    else:					# English alternative
        headers += ["From: \"%s\" <%s>" % (name, sender_addr), "Subject: " + subj]
        part = _alternative(body, boundary + "_alt")
    headers += ["To: %s" % bot_addr, "Date: " + date,
                "Message-ID: <%s.%d.%d@%s>" % (tag, i, rng.randint(10 ** 8, 10 ** 9), msgid_domain),
                "MIME-Version: 1.0"]

    if i % 10 == 9:				# every tenth: a 100 KB attachment
        ctype, fname = rng.choice(ATTACH_TYPES)
        fname = fname.format(i=i)
        if ctype == "text/plain":
            line = b"203.0.113.%d - - [25/Nov/2026:10:00:00 +0900] \"POST /admin/login HTTP/1.1\" 401 512\n"
            blob = b"".join(line % (k % 250) for k in range(ATTACHMENT_SIZE // 80))
            blob = blob[:ATTACHMENT_SIZE].ljust(ATTACHMENT_SIZE, b"\n")
        else:
            blob = rng.randbytes(ATTACHMENT_SIZE)
        if fname.isascii():
            disp = "attachment; filename=\"%s\"" % fname
        else:
            disp = "attachment; filename*=UTF-8''%s" % urllib.parse.quote(fname)
        headers.append("Content-Type: multipart/mixed; boundary=\"%s\"" % boundary)
        out = ("\n".join(headers) + "\n\nThis is a multi-part message in MIME format.\n\n"
               "--%s\n" % boundary).encode() + part + \
            ("\n--%s\nContent-Type: %s; name=\"%s\"\nContent-Disposition: %s\n"
             "Content-Transfer-Encoding: base64\n\n" % (
                 boundary, ctype, fname if fname.isascii() else _ew(fname, "UTF-8"),
                 disp)).encode() + _b64(blob) + ("--%s--\n" % boundary).encode()
        return out
    return ("\n".join(headers) + "\n").encode() + part


def big_report(size, bot_addr, sender_addr, date, tag="big"):
    """One report of about `size` bytes (LF line ends): a short Japanese
    text and a base64 attachment filling the rest."""
    boundary = "----=_Big_%s" % tag
    head = ("From: %s <%s>\nTo: %s\nSubject: %s\nDate: %s\nMessage-ID: <%s@bench.example.com>\n"
            "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"%s\"\n\n"
            "--%s\nContent-Type: text/plain; charset=iso-2022-jp\n\n" % (
                _ew("山田 花子", "ISO-2022-JP"), sender_addr, bot_addr,
                _ew("サーバーのログ一式（大容量）", "ISO-2022-JP"), date, tag, boundary,
                boundary)).encode() + \
        "サーバーの不審なアクセスログを添付します。不正アクセスの可能性があります。\n".encode("iso2022_jp") + \
        ("\n--%s\nContent-Type: application/zip; name=\"logs.zip\"\n"
         "Content-Disposition: attachment; filename=\"logs.zip\"\n"
         "Content-Transfer-Encoding: base64\n\n" % boundary).encode()
    tail = ("--%s--\n" % boundary).encode()
    room = size - len(head) - len(tail)
    # base64 of k bytes with 76-column lines: 4/3 k plus a newline per 57 bytes
    k = int(room * 57 / 77)
    blob = random.Random(4711).randbytes(k)
    body = _b64(blob)
    while len(head) + len(body) + len(tail) > size and k > 0:
        k -= 57
        body = _b64(blob[:k])
    return head + body + tail


if __name__ == "__main__":
    import sys
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    for i in range(n):
        sys.stdout.buffer.write(b"From bench@example.com Thu Jan  1 00:00:00 1970\n")
        sys.stdout.buffer.write(report(i, "incident@example.com", "reporter+%d@example.com" % i,
                                       "Wed, 25 Nov 2026 10:00:00 +0900"))
        sys.stdout.buffer.write(b"\n")
