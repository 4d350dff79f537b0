# incident-bot — one GNU Makefile.
#   make            build bot/incident-bot
#   make check      install what is missing, run unit and integration tests
#   make demo       install what is missing, show the bot at work on loopback servers
#                   (on the IB_*_PORT ports of scripts/mailserver: any free ones)
#   make check-asan every test under AddressSanitizer + UBSan (in a scratch copy)
#   make check-valgrind  the integration path under valgrind memcheck
#   make deb        the Debian package, written to the parent folder (debian/)
#   make fuzz       libFuzzer over the parser and routing for FUZZ_SECONDS (default 300)
#   make SAN=1 ...  build here with AddressSanitizer + UBSan (make clean first)

PREFIX  ?= /usr/local
DESTDIR ?=
CC      ?= cc
PKGS    := libetpan libcurl sqlite3 libconfuse gnutls

# CFLAGS, CPPFLAGS and LDFLAGS are the builder's (make CFLAGS=-O0, Debian's
# dpkg-buildflags): they may be replaced whole on the command line.  What
# the code needs to build at all lives in IB_CFLAGS/IB_LDFLAGS, which come
# first on every compile and link line, so that a builder's flag can still
# refine them (say -Wno-error=...).
CFLAGS  ?= -O2 -g
LDFLAGS ?=
IB_CFLAGS  := -std=c11 -D_GNU_SOURCE -pthread -Wall -Wextra -Werror -MMD -MP
IB_LDFLAGS :=
# SAN=1 comes last, so its -O1 wins over the builder's -O2.
SAN_CFLAGS  :=
SAN_LDFLAGS :=
ifeq ($(SAN),1)
SAN_CFLAGS  := -fsanitize=address,undefined -fno-omit-frame-pointer -O1
SAN_LDFLAGS := -fsanitize=address,undefined
endif

# Where the in-tree binary finds its templates and keywords when the
# configuration names none; `make install` builds its own copy of the one
# object that carries them (INSTALL_OBJS) with the installed paths.
TEMPLATES_DIR ?= $(CURDIR)/templates
KEYWORDS_FILE ?= $(CURDIR)/conf/keywords.conf
PATH_DEFS = -DINCIDENT_TEMPLATES_DIR='"$(TEMPLATES_DIR)"' -DINCIDENT_KEYWORDS_FILE='"$(KEYWORDS_FILE)"'

PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
# Debian's libetpan.pc leaks -specs=.../no-pie-link.specs from its own build;
# without it the bot links as a PIE like everything else (lintian
# hardening-no-pie; libetpan is a shared library and needs nothing of it).
PKG_LIBS   := $(filter-out -specs=%no-pie-link.specs,$(shell pkg-config --libs $(PKGS) 2>/dev/null))
IB_CFLAGS += -Ibot $(PKG_CFLAGS)
LDLIBS  += $(PKG_LIBS) -pthread

# One folder per stage, listed bottom-up: a folder includes only the
# folders above it in this list (bot/README.md; tests/static/layers.sh checks).
LAYERS := lib mime imap rules store config outbox notify desk service cli
SRCS := \
	bot/lib/buf.c bot/lib/clock.c bot/lib/error.c bot/lib/log.c bot/lib/json.c \
	bot/lib/progress.c bot/lib/digest.c bot/lib/secret.c bot/lib/oauth2.c bot/lib/utf8.c bot/lib/termsafe.c \
	bot/mime/mail.c bot/mime/mime.c bot/mime/header.c bot/mime/rfc2231.c bot/mime/charset.c \
	bot/mime/html.c bot/mime/quote.c bot/mime/bounce.c \
	bot/imap/tls.c bot/imap/imap.c \
	bot/rules/policy.c bot/rules/deadline.c bot/rules/holidays.c bot/rules/systems.c bot/rules/when.c bot/rules/textnorm.c \
	bot/rules/classify.c bot/rules/machine.c \
	bot/rules/ticket_ref.c bot/rules/command.c bot/rules/command_args.c bot/rules/auth.c bot/rules/auth_results.c \
	bot/store/store.c bot/store/store_vfs.c bot/store/store_checkpoint.c bot/store/store_ticket.c \
	bot/store/store_message.c bot/store/store_outbox.c bot/store/store_policy.c \
	bot/store/store_verify.c bot/store/store_token.c \
	bot/config/config.c bot/config/config_policy.c \
	bot/outbox/render.c bot/outbox/jis.c bot/outbox/compose.c bot/outbox/smtp.c \
	bot/outbox/outbox.c bot/outbox/composer.c \
	bot/notify/vars.c bot/notify/queue.c bot/notify/notify.c bot/notify/notify_drafts.c bot/notify/notify_due.c \
	bot/notify/notify_words.c bot/notify/briefing.c bot/notify/briefing_incidents.c bot/notify/intent.c \
	bot/desk/route.c bot/desk/engine.c bot/desk/token.c bot/desk/admin.c bot/desk/timers.c bot/desk/pipeline.c bot/desk/forward.c \
	bot/service/intake.c bot/service/service.c \
	bot/cli/cli.c bot/cli/table.c bot/cli/ticket_text.c bot/cli/show_text.c bot/cli/ticket_json.c bot/cli/export_report.c bot/cli/templates_check.c \
	bot/cli/cmd_run.c bot/cli/cmd_poll.c bot/cli/cmd_check_config.c bot/cli/cmd_tickets.c \
	bot/cli/cmd_show.c bot/cli/cmd_export.c bot/cli/cmd_verify.c bot/cli/cmd_digest.c \
	bot/cli/cmd_outbox.c bot/cli/cmd_mail.c bot/cli/cmd_review.c bot/cli/cmd_backup.c

OBJS := $(SRCS:.c=.o)
BIN  := bot/incident-bot
LIB  := bot/libincident.a

UNIT_SRCS  := $(wildcard tests/unit/*/test_*.c)
UNIT_BINS  := $(UNIT_SRCS:.c=)
# C drivers that integration scripts run against the test mail servers.
INTEG_SRCS := $(wildcard tests/integration/test_*.c)
INTEG_BINS := $(INTEG_SRCS:.c=)
TEST_BINS  := $(UNIT_BINS) $(INTEG_BINS) tests/eval/eval

all: $(BIN)

$(LIB): $(OBJS)
	$(AR) rcs $@ $^

# Every object is compiled by this one rule, so no target-specific CFLAGS
# can be lost to a command-line CFLAGS.
%.o: %.c
	$(CC) $(IB_CFLAGS) $(PATH_DEFS) $(CPPFLAGS) $(CFLAGS) $(SAN_CFLAGS) -c -o $@ $<

$(BIN): bot/main.o $(LIB)
	$(CC) $(IB_LDFLAGS) $(LDFLAGS) $(SAN_LDFLAGS) -o $@ $^ $(LDLIBS)

tests/%: tests/%.o $(LIB)
	$(CC) $(IB_LDFLAGS) $(LDFLAGS) $(SAN_LDFLAGS) -o $@ $^ $(LDLIBS)

tests/unit/%.o tests/integration/%.o tests/eval/%.o: IB_CFLAGS += -Itests/unit

deps:
	@scripts/install-deps --if-missing

check: deps
	$(MAKE) all $(TEST_BINS)
	tests/run

check-unit: $(BIN) $(TEST_BINS)
	tests/run --unit

# The classification measured against the labelled reports of tests/eval
# (tuned and held-out parts apart); make check runs it too.
eval: $(BIN) tests/eval/eval
	tests/eval/eval tests/eval/eval.conf tests/eval/tuned tests/eval/heldout

# Every test again under AddressSanitizer + UBSan, built in a scratch copy.
check-asan: deps
	scripts/check-asan

# The integration path under valgrind memcheck: every bot invocation of
# these scripts runs under valgrind; an error or a definite leak fails it
# (tests/integration/lib.sh).  `VALGRIND_TESTS=integration` runs them all
# (about an hour); the default set covers intake with the read-ahead
# thread, the store, commands, drafts, evidence, SMTP, reload and run.
VALGRIND_TESTS ?= integration/pipeline.sh integration/commands.sh integration/drafts.sh \
	integration/evidence.sh integration/progress.sh integration/reload.sh integration/service.sh \
	integration/smtp.sh
check-valgrind: deps
	$(MAKE) all $(TEST_BINS)
	IB_VALGRIND=1 tests/run $(VALGRIND_TESTS)

# libFuzzer (clang) over the parser and the routing decisions, for
# FUZZ_SECONDS; make check runs it for 60 s.  See tests/fuzz/run.
FUZZ_SECONDS ?= 300
fuzz: deps
	FUZZ_SECONDS=$(FUZZ_SECONDS) tests/fuzz/run

# make bench: throughput, latency, outbox rate, memory and growth against the
# loopback servers; prints each figure with the machine (scripts/bench).
bench: deps
	$(MAKE) all tests/eval/eval
	tests/eval/eval --bench tests/eval/eval.conf tests/eval/tuned tests/eval/heldout
	scripts/bench

demo: deps
	$(MAKE) all
	scripts/demo

# Installs the binary, the templates, the keywords file, the example
# configuration, the systemd unit and the man pages.  The installed binary
# looks for the templates and keywords where they are installed: it is its
# own file (INSTALL_BIN), linked from the tree's objects and a copy of
# config.o built with those paths, so installing neither rebuilds nor
# removes bot/incident-bot (and `make -n install` only prints).
SHARE        := $(PREFIX)/share/incident-bot
INSTALL_BIN  := build/install/incident-bot
INSTALL_OBJS := bot/config/config.o
# the paths the installed binary was built with; rewritten only when they change
INSTALL_PATHS := build/install/paths

$(INSTALL_PATHS): FORCE
	@mkdir -p $(@D)
	@echo '$(SHARE)/templates $(SHARE)/keywords.conf' | cmp -s - $@ || \
		echo '$(SHARE)/templates $(SHARE)/keywords.conf' >$@

build/install/%.o: bot/%.c $(INSTALL_PATHS)
	@mkdir -p $(@D)
	$(CC) $(IB_CFLAGS) -DINCIDENT_TEMPLATES_DIR='"$(SHARE)/templates"' \
		-DINCIDENT_KEYWORDS_FILE='"$(SHARE)/keywords.conf"' $(CPPFLAGS) $(CFLAGS) $(SAN_CFLAGS) -c -o $@ $<

$(INSTALL_BIN): bot/main.o $(INSTALL_OBJS:bot/%=build/install/%) $(filter-out $(INSTALL_OBJS),$(OBJS))
	$(CC) $(IB_LDFLAGS) $(LDFLAGS) $(SAN_LDFLAGS) -o $@ $^ $(LDLIBS)

install: $(INSTALL_BIN)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(SHARE)/templates \
		$(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/man/man5
	install -m 755 $(INSTALL_BIN) $(DESTDIR)$(PREFIX)/bin/incident-bot
	install -m 644 templates/* $(DESTDIR)$(SHARE)/templates/
	install -m 644 conf/keywords.conf conf/incident-bot.conf $(DESTDIR)$(SHARE)/
	sed 's|/usr/local/bin/incident-bot|$(PREFIX)/bin/incident-bot|' conf/incident-bot.service \
		>$(DESTDIR)$(SHARE)/incident-bot.service
	chmod 644 $(DESTDIR)$(SHARE)/incident-bot.service
	install -m 644 conf/incident-bot.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	install -m 644 conf/incident-bot.conf.5 $(DESTDIR)$(PREFIX)/share/man/man5/

# The Debian package (debian/): dpkg-buildpackage builds it here (its
# `debian/rules clean` runs make clean first) and writes
# incident-bot_VERSION_ARCH.deb and its .buildinfo/.changes beside this
# tree, in the parent folder, as it always does.
deb:
	dpkg-buildpackage -us -uc -b

clean:
	rm -rf build
	rm -f bot/*.o bot/*.d bot/*/*.o bot/*/*.d tests/*/*.o tests/*/*.d tests/unit/*/*.o tests/unit/*/*.d $(BIN) $(LIB) $(TEST_BINS) tests/fuzz/fuzz_mail tests/fuzz/fuzz_rules

.PHONY: all deps check eval check-unit check-asan check-valgrind bench demo fuzz install deb clean FORCE
.SECONDARY:

-include $(OBJS:.o=.d) bot/main.d $(INSTALL_OBJS:bot/%.o=build/install/%.d) $(UNIT_SRCS:.c=.d) $(INTEG_SRCS:.c=.d) tests/eval/eval.d
