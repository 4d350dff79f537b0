/* test_config.c — configuration loading, validation and secret files. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "test.h"

static char dir[] = "/tmp/ib-test-config-XXXXXX";

static const char smallest[] =
	"database  = \"state/incidents.db\"\n"
	"templates = \"templates\"\n"
	"language  = \"ja\"\n"
	"timezone  = \"Asia/Tokyo\"\n"
	"\n"
	"imap {\n"
	"  url              = \"imaps://127.0.0.1:10993/INBOX\"   # imap:// uses STARTTLS\n"
	"  user             = \"incident@example.com\"\n"
	"  password_file    = \"secrets/imap\"\n"
	"  ca_file          = \"certs/ca.pem\"\n"
	"  processed_folder = \"Processed\"\n"
	"  idle             = true\n"
	"  poll_interval    = 60\n"
	"}\n"
	"\n"
	"smtp {\n"
	"  url           = \"smtp://127.0.0.1:10025\"             # smtps:// for implicit TLS\n"
	"  starttls      = true\n"
	"  user          = \"incident@example.com\"                # optional\n"
	"  password_file = \"secrets/smtp\"                        # optional\n"
	"  ca_file       = \"certs/ca.pem\"\n"
	"  from          = \"incident@example.com\"\n"
	"  from_name     = \"セキュリティインシデント窓口\"\n"
	"}\n"
	"\n"
	"person \"sysadmin\"  { name = \"北垣 剛志\" email = \"tkita@example.com\" phone = \"070-0000-0000\" roles = {\"admin\"} }\n"
	"person \"ecadmin\"   { name = \"伊藤 佳彦\" email = \"y.ito@example.com\"  roles = {\"admin\"} }\n"
	"person \"president\" { name = \"渡部 正行\" email = \"ceo@example.com\"    roles = {\"management\"} }\n";

static char *write_file(const char *name, const char *text, mode_t mode)
{
	static char path[512];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
	chmod(path, mode);
	return path;
}

/* Loads text as a config; returns rc and leaves the error in *err. */
static int load(const char *text, struct config *cfg, struct error *err)
{
	memset(err, 0, sizeof *err);
	return config_load(write_file("test.conf", text, 0644), cfg, err);
}

/* The smallest config with one line replaced (by its start) by another. */
static char *variant(const char *line_start, const char *replacement)
{
	static char buf[8192];
	const char *p = strstr(smallest, line_start), *eol;

	if (!p)
		return NULL;
	eol = strchr(p, '\n');
	snprintf(buf, sizeof buf, "%.*s%s%s", (int)(p - smallest), smallest, replacement, eol);
	return buf;
}

static void test_smallest(void)
{
	struct config cfg;
	struct error err;
	char want[600];
	const struct person *p;

	CHECK_INT(load(smallest, &cfg, &err), 0, "the smallest configuration of SPEC 8 loads");
	if (err.msg[0])
		printf("# %s\n", err.msg);
	CHECK_STR(cfg.imap.host, "127.0.0.1", "imap host from the URL");
	CHECK_INT(cfg.imap.port, 10993, "imap port from the URL");
	CHECK(cfg.imap.implicit_tls, "imaps:// is implicit TLS");
	CHECK_STR(cfg.imap.mailbox, "INBOX", "mailbox from the URL path");
	snprintf(want, sizeof want, "%s/state/incidents.db", dir);
	CHECK_STR(cfg.database, want, "relative paths are relative to the file");
	snprintf(want, sizeof want, "%s/secrets/imap", dir);
	CHECK_STR(cfg.imap.password_file, want, "password file resolved");
	CHECK_INT(cfg.n_persons, 3, "three persons");
	p = config_find_person(&cfg, "TKITA@example.com");
	CHECK(p && (p->roles & ROLE_ADMIN), "person lookup is case-insensitive, role admin");
	CHECK_STR(p ? p->phone : NULL, "070-0000-0000", "phone kept");
	p = config_find_person(&cfg, "ceo@example.com");
	CHECK(p && p->roles == ROLE_MANAGEMENT, "management role");
	CHECK_STR(config_mail_domain(&cfg), "example.com", "mail domain of smtp.from");
	CHECK_INT(cfg.imap.poll_interval, 60, "poll interval");
	CHECK_INT(cfg.fetch_batch, 200, "default fetch batch");
	config_release(&cfg);
}

static void test_errors(void)
{
	static const struct {
		const char *line, *replacement, *want;	/* want: a part of the message */
	} cases[] = {
		{ "language", "language = \"ja\"\nfrobnicate = 1", "test.conf:4:" },
		{ "  idle", "  idel = true", "test.conf:12:" },
		{ "  url              = \"imaps", "  url = \"imapx://host\"", "imap.url: unsupported URL" },
		{ "  url           = \"smtp", "  url = \"http://x\"", "test.conf:17:" },
		{ "  poll_interval", "  poll_interval = -5", "poll_interval" },
		{ "  poll_interval", "  poll_interval = \"often\"", "test.conf:13:" },
		{ "language", "language = \"fr\"", "language" },
		{ "timezone", "timezone = \"Mars/Olympus\"", "unknown zone" },
		{ "  from          =", "  from = \"not an address\"", "not a mail address" },
		{ "person \"ecadmin\"", "person \"ecadmin\" { name = \"x\" email = \"y@example.com\" roles = {\"boss\"} }", "unknown role" },
		{ "person \"ecadmin\"", "person \"ecadmin\" { name = \"x\" }", "email is missing" },
		{ "  user          =", "  # no user", "go together" },
	};
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct config cfg;
		struct error err;
		char what[200];
		int rc = load(variant(cases[i].line, cases[i].replacement), &cfg, &err);

		snprintf(what, sizeof what, "refused: %s", cases[i].replacement);
		CHECK(rc < 0 && err.cls == ERR_FATAL, what);
		snprintf(what, sizeof what, "message names \"%s\"", cases[i].want);
		CHECK(strstr(err.msg, cases[i].want) != NULL, what);
		if (!strstr(err.msg, cases[i].want))
			printf("#   got: %s\n", err.msg);
		if (rc == 0)
			config_release(&cfg);
	}
}

static void test_secrets(void)
{
	struct error err = { 0 };
	char *secret = NULL, *path;

	path = write_file("secret-ok", "s3cret\n", 0600);
	CHECK_INT(config_read_secret(path, &secret, &err), 0, "a 0600 secret file is read");
	CHECK_STR(secret, "s3cret", "secret without its line end");
	free(secret);

	path = write_file("secret-open", "s3cret\n", 0644);
	CHECK_INT(config_read_secret(path, &secret, &err), -1, "a 0644 secret file is refused");
	CHECK(strstr(err.msg, "chmod 600") != NULL, "the refusal says what to do");
	CHECK(strstr(err.msg, "s3cret") == NULL, "the refusal does not show the secret");
	CHECK(secret == NULL, "no secret returned");

	path = write_file("secret-group", "s3cret\n", 0640);
	CHECK_INT(config_read_secret(path, &secret, &err), -1, "a group-readable secret file is refused");

	CHECK_INT(config_read_secret("/nonexistent/secret", &secret, &err), -1,
		  "a missing secret file is an error");
}

static void test_hash_in_string(void)
{
	struct config cfg;
	struct error err;

	CHECK_INT(load(variant("  from_name", "  from_name = \"窓口 #1 // 24h\" # comment"), &cfg, &err),
		  0, "a # inside a quoted value is not a comment");
	CHECK_STR(cfg.smtp.from_name, "窓口 #1 // 24h", "the value keeps its # and //");
	config_release(&cfg);
}

int main(void)
{
	if (!mkdtemp(dir))
		return 1;
	test_smallest();
	test_errors();
	test_secrets();
	test_hash_in_string();
	if (fork() == 0)
		execlp("rm", "rm", "-rf", dir, (char *)NULL);
	return test_done();
}
