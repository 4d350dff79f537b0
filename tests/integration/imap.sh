#!/bin/bash
# imap.sh — runs tests/integration/test_imap (bot/imap/imap.c against the loopback
# Dovecot of scripts/mailserver, plus fake servers the driver forks) and
# prints its TAP.
#
# The tests use a user of their own, imaptest@example.com, whose folders are
# emptied here first (never `mailserver reset`: other tests may be using the
# servers); a lock keeps two runs of this script apart.  Starts the servers
# when they are not running and then stops them again at the end; servers
# someone else started are left alone.
#   IB_IMAP_BULK=N     messages for the batch-fetch test (default 300)
#   IB_IMAP_SHOW_LOG=1 also show what imap.c logged (shown anyway on failure)
#   IB_IMAP_WRAPPER    a command to run the driver under, e.g.
#                      "valgrind -q --leak-check=full --errors-for-leak-kinds=all
#                       --error-exitcode=99 --child-silent-after-fork=yes"
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT" || exit 2
DRIVER=tests/integration/test_imap
TEST_USER=imaptest@example.com

if [[ ! -x $DRIVER ]]; then
	echo "Bail out! $DRIVER is not built (make $DRIVER)"
	exit 2
fi

eval "$(scripts/mailserver env --export)"

started=no
if ! scripts/mailserver status >/dev/null; then
	scripts/mailserver start >&2 || { echo "Bail out! scripts/mailserver start failed"; exit 2; }
	started=yes
fi

cleanup() {
	if [[ $started == yes ]]; then
		scripts/mailserver stop >&2
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

exec 8>"$IB_MAIL_DIR/.imap-test.lock"
flock -w 300 8 || { echo "Bail out! another imap.sh holds $IB_MAIL_DIR/.imap-test.lock"; exit 2; }

# A clean mailbox: INBOX empty, no other folder (the tests create them).
scripts/mailserver adduser "$TEST_USER" >&2 || { echo "Bail out! adduser failed"; exit 2; }
doveadm() { command doveadm -c "$IB_MAIL_DIR/dovecot.conf" "$@"; }
empty_mailbox() {
	local boxes box
	doveadm expunge -u "$TEST_USER" mailbox '*' all || return 1
	boxes=$(doveadm mailbox list -u "$TEST_USER") || return 1
	# children before parents: Processed/copied before Processed
	for box in $(printf '%s\n' "$boxes" | sort -r); do
		[[ $box == INBOX ]] || doveadm mailbox delete -u "$TEST_USER" "$box" || return 1
	done
}
if ! empty_mailbox >&2; then
	echo "Bail out! cannot empty the mailbox of $TEST_USER"
	exit 2
fi

# shellcheck disable=SC2086 # the wrapper is a command line
IB_IMAP_TEST_USER=$TEST_USER IB_MAILSERVER="$ROOT/scripts/mailserver" \
	${IB_IMAP_WRAPPER:-} "$DRIVER"
