#!/usr/bin/env bash
# digest-screens.sh — the HTML digest in headless Chromium (issue 13 point
# 7: "at 390 px the right side is cut off"): a digest with incidents whose
# subjects and addresses are long is rendered at 900 px (a desktop mail
# window) and 390 px (an iPhone, its <meta viewport> honoured); nothing may
# be wider than the viewport (document.documentElement.scrollWidth), and
# a full-page screenshot of each is kept under tests/out/.
#
# Chromium and fonts-noto-cjk come from scripts/install-deps; where they
# cannot be installed the test is a TAP SKIP, never a pass.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

# IB_CHROMIUM names the browser (set empty: as if none were installed)
CHROMIUM=${IB_CHROMIUM-$(command -v chromium || command -v chromium-browser || true)}
if [ -z "$CHROMIUM" ]; then
	echo "ok 1 # SKIP chromium not installed (scripts/install-deps installs it where it can)"
	echo "1..1"
	exit 0
fi

make_bot digestscreens
trap '[ -n "${KEEP_WORK:-}" ] || rm -rf "$WORK"' EXIT
T0="2026-12-07T09:00:00+09:00"
OUT=$ROOT/tests/out
mkdir -p "$OUT"
tid() { bot tickets --all --json | json "[t['id'] for t in j if '$1' in t['subject']][0]"; }
alarm_uid() { mailbox "$1" list INBOX | grep "$2" | grep "新規インシデント" | head -1 | cut -f1; }

# --- a day of the worst a phone can get: long subjects, one without a
# space, every section filled (incidents, three kinds of deadlines,
# activity, unacknowledged)
send_mail "$REPORTER" "$BOT_ADDR" "カード情報流出の可能性（約12,000名分）決済サーバーへの不正アクセスにより氏名・カード番号・有効期限が外部に送信された疑い" \
"ECサイトの決済サーバーに不正アクセスがあり、約12,000名分のクレジットカード情報（氏名・カード番号・有効期限）が流出した可能性があります。" >/dev/null
send_mail "$REPORTER" "$BOT_ADDR" "Amazon セラーセントラルに不審なログイン" \
"Amazon の出品アカウントに海外から不審なログインがありました。注文データが閲覧された可能性があります。" >/dev/null
send_mail "$REPORTER" "$BOT_ADDR" "https://shop.example.com/admin/orders/export?format=csv&all=1&token=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" \
"このURLから全注文データがダウンロードできる状態でした。" >/dev/null
poll_at 0
leak=$(tid カード情報)
reply "$ADMIN1" "$(alarm_uid "$ADMIN1" "$leak")" "/ack
/aware 2026-12-07T09:00+09:00"
poll_at 600
bot --now "$(at $((5 * 86400 - 35 * 60)))" digest --html >"$WORK/digest.html"
ok $? "digest --html 35 minutes before the PPC 速報 is due"
like "$(cat "$WORK/digest.html")" "<b style=\"color:#e65100;\">残り 35分</b>　$leak" \
	"... the leak's PPC 速報 in 35 minutes"

# --- rendered at 900 and 390 px
for width in 900 390; do
	shot=$OUT/digest-$width.png
	rm -f "$shot"
	m=$($PY tests/integration/digest-screens.py "$CHROMIUM" "$WORK/digest.html" "$width" "$shot" 2>"$WORK/chromium-$width.err")
	ok $? "Chromium renders the digest at $width px"
	[ -s "$WORK/chromium-$width.err" ] && sed 's/^/# /' "$WORK/chromium-$width.err" | tail -5
	inner=$(echo "${m:-{\}}" | json 'j.get("inner", -1)')
	scroll=$(echo "${m:-{\}}" | json 'j.get("scroll", -1)')
	is "$inner" "$width" "... its viewport is $width px wide"
	[ "$scroll" -ge 0 ] && [ "$scroll" -le "$width" ]
	ok $? "... and nothing overflows it: scrollWidth $scroll <= $width (widest: $(echo "${m:-{\}}" | json 'j.get("widest", "")'))"
	[ -s "$shot" ] && [ "$(head -c 8 "$shot" | od -An -tx1 | tr -d ' \n')" = "89504e470d0a1a0a" ]
	ok $? "... screenshot: $shot"
done
if [ "$(fc-list : family 2>/dev/null | grep -ci "noto.*cjk")" -eq 0 ]; then
	echo "# fonts-noto-cjk missing: the screenshots show boxes for Japanese text"
fi
tap_done
