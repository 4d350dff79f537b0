#!/bin/bash
# smtp.sh — runs tests/integration/test_smtp (smtp.c + compose.c against the
# loopback SMTP server of scripts/mailserver) and prints its TAP.
#
# Starts the servers when they are not running, and then stops them again at
# the end; servers someone else started are left alone, and never reset
# (other tests may be using them).  IB_SMTP_BENCH=N adds a send-rate run.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT" || exit 2
DRIVER=tests/integration/test_smtp

if [[ ! -x $DRIVER ]]; then
	echo "Bail out! $DRIVER is not built (make $DRIVER)"
	exit 2
fi

eval "$(scripts/mailserver env --export)"

# `start` is idempotent and takes the servers' lock; only its own answer
# tells whether this run started them (a separate `status` first could race
# with another test starting them at the same moment).
started=no
if ! scripts/mailserver status >/dev/null; then
	out=$(scripts/mailserver start) || {
		echo "Bail out! scripts/mailserver start failed"
		exit 2
	}
	echo "$out" >&2
	[[ $out == *"already running"* ]] || started=yes
fi

cleanup() {
	# A fault file the driver could not remove (it crashed) would break
	# every later test; remove it only when it is ours.
	if [[ -f $IB_SMTP_FAULT ]] && grep -q 'injected by test_smtp' "$IB_SMTP_FAULT"; then
		rm -f "$IB_SMTP_FAULT"
	fi
	if [[ $started == yes ]]; then
		scripts/mailserver stop >&2
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [[ -n ${IB_SMTP_BENCH:-} ]]; then
	scripts/mailserver adduser smtpbench@example.com >&2
fi

"$DRIVER"
