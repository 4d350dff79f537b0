/*
 * test_oauth2.c — the token module's pure parts (the endpoint's answers,
 * the renewal time), the secret files it reads and replaces, and its
 * errors without an endpoint.  The exchanges with a real endpoint are in
 * tests/integration/oauth2.sh.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/oauth2.h"
#include "lib/secret.h"
#include "test.h"

static char dir[] = "/tmp/ib-test-oauth2-XXXXXX";

static void test_answers(void)
{
	static const struct {
		const char *body;
		int rc;
		const char *access, *refresh, *error, *desc;
		long expires_in;
		const char *what;
	} cases[] = {
		{ "{\"token_type\":\"Bearer\",\"expires_in\":3599,\"ext_expires_in\":3599,"
		  "\"access_token\":\"eyJ0eXAi.abc.def\"}", 0, "eyJ0eXAi.abc.def", NULL, NULL, NULL, 3599,
		  "Entra's client_credentials answer" },
		{ "{\n  \"access_token\": \"ya29.a0Af\",\n  \"expires_in\": 3599,\n  \"scope\": "
		  "\"https://mail.google.com/\",\n  \"token_type\": \"Bearer\"\n}", 0, "ya29.a0Af", NULL,
		  NULL, NULL, 3599, "Google's refresh answer, pretty-printed" },
		{ "{\"access_token\":\"a\",\"refresh_token\":\"1//0new\",\"expires_in\":60}", 0, "a",
		  "1//0new", NULL, NULL, 60, "a rotated refresh token" },
		{ "{\"error\":\"invalid_client\",\"error_description\":\"AADSTS7000215: Invalid client "
		  "secret provided.\\r\\nTrace ID: 1\",\"error_codes\":[7000215],\"timestamp\":\"x\","
		  "\"trace_id\":\"t\",\"correlation_id\":\"c\",\"error_uri\":\"https://x/error?code=7000215\"}",
		  0, NULL, NULL, "invalid_client", "AADSTS7000215: Invalid client secret provided.\r\nTrace ID: 1",
		  0, "Entra's error, with its arrays and escapes" },
		{ "{\"error\":\"invalid_grant\",\"error_description\":\"Token has been expired or revoked.\"}",
		  0, NULL, NULL, "invalid_grant", "Token has been expired or revoked.", 0, "Google's error" },
		{ "{\"access_token\":\"a\",\"expires_in\":\"3600\"}", 0, "a", NULL, NULL, NULL, 3600,
		  "expires_in as a string (old Azure AD)" },
		{ "{\"nested\":{\"a\":[1,2,{\"b\":null}],\"c\":true},\"access_token\":\"x\\u0041\\/\"}", 0,
		  "xA/", NULL, NULL, NULL, 0, "nested values skipped, escapes decoded" },
		{ "{\"error_description\":\"\\u3042\"}", 0, NULL, NULL, NULL, "\xe3\x81\x82", 0,
		  "\\u escapes become UTF-8" },
		{ "{}", 0, NULL, NULL, NULL, NULL, 0, "an empty object" },
		{ "<html><body>Bad Gateway</body></html>", -1, NULL, NULL, NULL, NULL, 0,
		  "an HTML error page is not an answer" },
		{ "{\"access_token\":\"a\"", -1, NULL, NULL, NULL, NULL, 0, "a cut answer" },
		{ "{\"access_token\":\"a\nb\"}", -1, NULL, NULL, NULL, NULL, 0, "a raw line break in a string" },
		{ "{\"access_token\":\"a\",}", -1, NULL, NULL, NULL, NULL, 0, "a trailing comma" },
		{ "", -1, NULL, NULL, NULL, NULL, 0, "nothing" },
	};
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct oauth2_answer a;
		char what[200];
		int rc = oauth2_answer_parse(cases[i].body, strlen(cases[i].body), &a);

		snprintf(what, sizeof what, "%s: %s", cases[i].what, cases[i].rc ? "refused" : "read");
		CHECK_INT(rc, cases[i].rc, what);
		if (rc == 0) {
			snprintf(what, sizeof what, "%s: access_token", cases[i].what);
			CHECK_STR(a.access_token, cases[i].access, what);
			snprintf(what, sizeof what, "%s: refresh_token", cases[i].what);
			CHECK_STR(a.refresh_token, cases[i].refresh, what);
			snprintf(what, sizeof what, "%s: error", cases[i].what);
			CHECK_STR(a.error, cases[i].error, what);
			snprintf(what, sizeof what, "%s: error_description", cases[i].what);
			CHECK_STR(a.error_description, cases[i].desc, what);
			snprintf(what, sizeof what, "%s: expires_in", cases[i].what);
			CHECK_INT(a.expires_in, cases[i].expires_in, what);
		} else {
			snprintf(what, sizeof what, "%s: nothing kept", cases[i].what);
			CHECK(!a.access_token && !a.error, what);
		}
		oauth2_answer_release(&a);
	}
}

static void test_renewal(void)
{
	/* issue 17: renewed at 80 % of expires_in */
	CHECK(oauth2_renew_at(100.0, 3600) == 100.0 + 2880.0, "an hour's token is renewed after 48 min");
	CHECK(oauth2_renew_at(0.0, 5) == 4.0, "a 5 s token after 4 s");
	CHECK(oauth2_renew_at(0.0, 0) == 2880.0, "no expires_in: taken as an hour");
	CHECK(oauth2_renew_at(0.0, -1) == 2880.0, "a negative expires_in: taken as an hour");
	CHECK(oauth2_renew_at(0.0, 10L * 365 * 86400) == 2880.0, "ten years: not believed");
}

static char *path_of(const char *name)
{
	static char p[4][512];
	static int i;

	i = (i + 1) % 4;
	snprintf(p[i], sizeof p[i], "%s/%s", dir, name);
	return p[i];
}

static void write_file(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");

	fputs(text, f);
	fclose(f);
	chmod(path, mode);
}

static void test_secret_files(void)
{
	struct error err = { 0 };
	struct stat st;
	char *s = NULL, *p = path_of("refresh");

	write_file(p, "1//old-token\n", 0600);
	CHECK_INT(secret_read(p, &s, &err), 0, "a 0600 file is read");
	CHECK_STR(s, "1//old-token", "... its first line");
	secret_free(s);

	CHECK_INT(secret_replace(p, "1//new-token", &err), 0, "secret_replace replaces it");
	CHECK_INT(secret_read(p, &s, &err), 0, "... and it reads back");
	CHECK_STR(s, "1//new-token", "... with the new content");
	secret_free(s);
	CHECK_INT(stat(p, &st), 0, "the file is there");
	CHECK_INT(st.st_mode & 0777, 0600, "... with mode 600");
	CHECK(access(path_of("refresh.tmp"), F_OK) != 0, "... and no temporary file left");

	chmod(p, 0644);
	umask(022);
	CHECK_INT(secret_replace(p, "1//newer", &err), 0, "replacing a 0644 file");
	CHECK_INT(stat(p, &st), 0, "the file is there");
	CHECK_INT(st.st_mode & 0777, 0600, "... now with mode 600, whatever the umask");

	CHECK_INT(secret_replace(path_of("no-such-dir/refresh"), "x", &err), -1,
		  "a folder that does not exist: an error");
	CHECK_INT(err.cls, ERR_TEMP, "... temporary (the old token stays in memory)");
	CHECK(strstr(err.msg, "x\n") == NULL && strstr(err.msg, "no-such-dir") != NULL,
	      "... naming the file, not the value");

	write_file(p, "s3cret\n", 0604);
	CHECK_INT(secret_read(p, &s, &err), -1, "a file others may read is refused");
	CHECK(strstr(err.msg, "chmod 600") && !strstr(err.msg, "s3cret"),
	      "... saying what to do, without the secret");
}

static void test_errors(void)
{
	struct oauth2_options bad = { .token_url = "http://login.example.com/token", .client_id = "x" };
	struct oauth2_options opt = {
		/* port 1 on loopback: nothing listens, the connection is refused at once */
		.token_url = "https://127.0.0.1:1/TENANT/oauth2/v2.0/token",
		.client_id = "app-123", .client_secret_file = path_of("client-secret"),
		.scope = "https://outlook.office365.com/.default", .timeout = 5,
	};
	struct error err = { 0 };
	struct oauth2 *o;
	char *token = NULL;

	CHECK(oauth2_new(&bad) == NULL, "an http:// token_url is refused");
	CHECK_STR(oauth2_grant_name(oauth2_grant_of(&opt)), "client_credentials",
		  "a client secret alone: client_credentials");

	o = oauth2_new(&opt);
	CHECK(o != NULL, "a handle for an https:// URL");
	CHECK_INT(oauth2_token(o, &token, &err), -1, "a missing secret file: no token");
	CHECK_INT(err.cls, ERR_FATAL, "... a configuration error");
	CHECK(strstr(err.msg, "oauth2: client_secret_file") != NULL, "... naming the key");

	write_file(opt.client_secret_file, "very-secret-value\n", 0600);
	sleep(4);	/* past the hold-down of the failure above */
	memset(&err, 0, sizeof err);
	CHECK_INT(oauth2_token(o, &token, &err), -1, "an endpoint that does not answer: no token");
	CHECK_INT(err.cls, ERR_TEMP, "... temporary");
	CHECK(strstr(err.msg, "https://127.0.0.1:1/TENANT/oauth2/v2.0/token (grant client_credentials, "
		     "client_id app-123)") != NULL, "... naming the endpoint, the grant and the client");
	CHECK(strstr(err.msg, "very-secret-value") == NULL, "... never the secret");
	CHECK(token == NULL, "... and no token handed out");
	{
		struct error again = { 0 };

		CHECK_INT(oauth2_token(o, &token, &again), -1, "asked again at once");
		CHECK_STR(again.msg, err.msg, "... the same answer, from the hold-down");
	}
	CHECK_INT(oauth2_fetches(o), 0, "no token was fetched");
	oauth2_refused(o, "not-ours");	/* harmless with no token in memory */
	oauth2_free(o);
}

int main(void)
{
	if (!mkdtemp(dir))
		return 1;
	test_answers();
	test_renewal();
	test_secret_files();
	test_errors();
	if (fork() == 0)
		execlp("rm", "rm", "-rf", dir, (char *)NULL);
	return test_done();
}
