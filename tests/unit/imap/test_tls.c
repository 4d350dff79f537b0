/*
 * test_tls.c — tls.c: loading a CA file, and verifying a server's chain
 * against it for a name or an IP literal.  The certificates are made here,
 * with the openssl command, in a mkdtemp folder removed at the end:
 *   ca          the CA we trust
 *   server      signed by ca, SAN DNS:localhost + IP:127.0.0.1, serverAuth
 *   expired     the same, but valid only on 1 January 2020 (openssl ca)
 *   client      signed by ca, same SANs, but for clients only (clientAuth)
 *   nosan       signed by ca, CN=localhost and no SAN at all
 *   other-ca    a CA that signed none of them
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "imap/tls.h"
#include "test.h"

static char dir[] = "/tmp/test_tls.XXXXXX";

/* Runs a shell command in dir, its output to dir/openssl.log; 0 on success. */
static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
	char cmd[2048];
	int n;
	va_list ap;

	n = snprintf(cmd, sizeof cmd, "cd '%s' && { ", dir);
	va_start(ap, fmt);
	n += vsnprintf(cmd + n, sizeof cmd - n, fmt, ap);
	va_end(ap);
	snprintf(cmd + n, sizeof cmd - n, "; } >>openssl.log 2>&1");
	if (system(cmd) == 0)
		return 0;
	printf("# failed: %s\n", cmd);
	return -1;
}

static int write_file(const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f)
		return -1;
	fputs(text, f);
	return fclose(f);
}

/* The certificates of the header comment, as NAME.pem and NAME.der. */
static int make_certs(void)
{
	static const char *const der[] = { "ca", "server", "expired", "client", "nosan" };
	int bad = 0;

	bad |= write_file("server.ext", "subjectAltName=DNS:localhost,IP:127.0.0.1\n"
			  "basicConstraints=critical,CA:FALSE\n"
			  "extendedKeyUsage=serverAuth\n");
	bad |= write_file("client.ext", "subjectAltName=DNS:localhost,IP:127.0.0.1\n"
			  "basicConstraints=critical,CA:FALSE\n"
			  "extendedKeyUsage=clientAuth\n");
	bad |= write_file("nosan.ext", "basicConstraints=critical,CA:FALSE\n"
			  "extendedKeyUsage=serverAuth\n");
	/* openssl x509 -req cannot backdate (OpenSSL 3.0); openssl ca can. */
	bad |= write_file("ca.cnf", "[ca]\ndefault_ca = test\n"
			  "[test]\ndatabase = index.txt\nnew_certs_dir = .\n"
			  "serial = serial\ndefault_md = sha256\npolicy = any\n"
			  "unique_subject = no\nx509_extensions = leaf\n"
			  "[any]\ncommonName = supplied\n"
			  "[leaf]\nsubjectAltName = DNS:localhost,IP:127.0.0.1\n"
			  "basicConstraints = critical,CA:FALSE\n"
			  "extendedKeyUsage = serverAuth\n");
	bad |= write_file("index.txt", "");
	bad |= write_file("serial", "10\n");
	if (bad)
		return -1;
	for (int i = 0; i < 2; i++)
		bad |= sh("openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -sha256 "
			  "-subj '/CN=test_tls %s' -keyout %s.key -out %s.pem "
			  "-addext basicConstraints=critical,CA:TRUE "
			  "-addext keyUsage=critical,keyCertSign,cRLSign",
			  i ? "other CA" : "CA", i ? "other-ca" : "ca", i ? "other-ca" : "ca");
	bad |= sh("openssl req -newkey rsa:2048 -nodes -subj /CN=localhost "
		  "-keyout server.key -out server.csr");
	bad |= sh("openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -set_serial 1 "
		  "-days 3650 -sha256 -extfile server.ext -out server.pem");
	bad |= sh("openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -set_serial 2 "
		  "-days 3650 -sha256 -extfile client.ext -out client.pem");
	bad |= sh("openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -set_serial 3 "
		  "-days 3650 -sha256 -extfile nosan.ext -out nosan.pem");
	bad |= sh("openssl ca -batch -notext -config ca.cnf -cert ca.pem -keyfile ca.key "
		  "-in server.csr -startdate 20200101000000Z -enddate 20200102000000Z "
		  "-out expired.pem");
	for (size_t i = 0; i < sizeof der / sizeof *der; i++)
		bad |= sh("openssl x509 -in %s.pem -outform DER -out %s.der", der[i], der[i]);
	return bad ? -1 : 0;
}

struct blob {
	unsigned char *data;
	size_t len;
};

/* NAME from dir; an empty blob when it cannot be read. */
static struct blob load(const char *name)
{
	struct blob b = { NULL, 0 };
	char path[256];
	struct stat st;
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "rb");
	if (!f)
		return b;
	if (fstat(fileno(f), &st) == 0 && st.st_size > 0 &&
	    (b.data = malloc(st.st_size)) != NULL)
		b.len = fread(b.data, 1, st.st_size, f);
	fclose(f);
	return b;
}

/* Verifies the chain of files named in a NULL-terminated list, for host. */
static int verify(const struct tls_trust *trust, const char *const *names,
		  const char *host, struct error *err)
{
	struct blob b[4];
	const unsigned char *ders[4] = { NULL };
	size_t lens[4] = { 0 }, n = 0;
	int r;

	for (; n < 4 && names[n]; n++) {
		b[n] = load(names[n]);
		ders[n] = b[n].data;
		lens[n] = b[n].len;
	}
	memset(err, 0, sizeof *err);
	r = tls_verify_chain(trust, ders, lens, n, host, err);
	while (n > 0)
		free(b[--n].data);
	return r;
}

static void test_ip_literal(void)
{
	static const struct { const char *host; bool want; } cases[] = {
		{ "127.0.0.1", true }, { "::1", true }, { "2001:db8::25", true },
		{ "localhost", false }, { "mail.example.com", false },
		{ "127.0.0.1.example.com", false }, { "[::1]", false },
		{ "127.1", false }, { "", false },
	};

	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char what[100];

		snprintf(what, sizeof what, "ip literal: \"%s\" %s", cases[i].host,
			 cases[i].want ? "yes" : "no");
		CHECK(tls_is_ip_literal(cases[i].host) == cases[i].want, what);
	}
}

/* A CA file that cannot serve: ERR_FATAL naming the file, no handle. */
static void check_load_fails(const char *name, const char *what)
{
	struct tls_trust *t = (struct tls_trust *)1;
	struct error err = { 0 };
	char path[256], want[300];

	snprintf(path, sizeof path, "%s/%s", dir, name);
	snprintf(want, sizeof want, "no CA certificate in %s (", path);
	CHECK_INT(tls_trust_load(path, &t, &err), -1, what);
	CHECK(t == NULL, "  no handle");
	CHECK_INT(err.cls, ERR_FATAL, "  ERR_FATAL");
	CHECK(strncmp(err.msg, want, strlen(want)) == 0, "  names the file");
	if (strncmp(err.msg, want, strlen(want)) != 0)
		printf("#   got \"%s\"\n", err.msg);
}

static void test_load(void)
{
	check_load_fails("missing.pem", "load: missing file refused");
	write_file("empty.pem", "");
	check_load_fails("empty.pem", "load: empty file refused");
	write_file("garbage.pem", "this is not a certificate\n");
	check_load_fails("garbage.pem", "load: file without a certificate refused");
	check_load_fails("server.key", "load: a private key is no CA");
	check_load_fails(".", "load: a folder refused");
	if (geteuid() != 0) {
		sh("cp ca.pem unreadable.pem && chmod 000 unreadable.pem");
		check_load_fails("unreadable.pem", "load: unreadable file refused");
	} else {
		printf("# root reads any file: no test for an unreadable CA file\n");
	}
	tls_trust_free(NULL);
}

static void test_verify(void)
{
	static const char *const server[] = { "server.der", NULL };
	static const char *const with_ca[] = { "server.der", "ca.der", NULL };
	static const char *const expired[] = { "expired.der", NULL };
	static const char *const client[] = { "client.der", NULL };
	static const char *const nosan[] = { "nosan.der", NULL };
	static const char *const pem[] = { "server.pem", NULL };
	static const char *const junk0[] = { "garbage.pem", NULL };
	static const char *const junk1[] = { "server.der", "garbage.pem", NULL };
	static const char *const none[] = { NULL };
	struct tls_trust *ca = NULL, *other = NULL;
	struct error err = { 0 };
	char path[256], want[512];

	snprintf(path, sizeof path, "%s/ca.pem", dir);
	CHECK_INT(tls_trust_load(path, &ca, &err), 0, "load: ca.pem");
	snprintf(path, sizeof path, "%s/other-ca.pem", dir);
	CHECK_INT(tls_trust_load(path, &other, &err), 0, "load: other-ca.pem");
	if (!ca || !other) {
		printf("# %s\n", err.msg);
		tls_trust_free(ca);
		return;
	}

	CHECK_INT(verify(ca, server, "127.0.0.1", &err), 0, "good chain, 127.0.0.1: ok");
	CHECK_INT(verify(ca, server, "localhost", &err), 0, "good chain, localhost: ok");
	CHECK_INT(verify(ca, with_ca, "localhost", &err), 0, "chain with the CA in it: ok");

	CHECK_INT(verify(ca, server, "127.0.0.2", &err), -1, "127.0.0.2 refused");
	CHECK_INT(err.cls, ERR_FATAL, "  ERR_FATAL");
	CHECK_STR(err.msg, "server certificate is not valid for \"127.0.0.2\" (it is for "
		  "DNS:localhost, IP:127.0.0.1); connect by one of those names",
		  "  says which names the certificate is for");
	CHECK_INT(verify(ca, server, "example.com", &err), -1, "example.com refused");
	CHECK_INT(err.cls, ERR_FATAL, "  ERR_FATAL");
	CHECK(strstr(err.msg, "not valid for \"example.com\" (it is for DNS:localhost, "
		     "IP:127.0.0.1)") != NULL, "  says which names the certificate is for");
	CHECK_INT(verify(ca, server, "::1", &err), -1, "::1 refused");
	CHECK_INT(verify(ca, nosan, "127.0.0.1", &err), -1, "no SAN, 127.0.0.1 refused");
	CHECK(strstr(err.msg, "(it is for no DNS or IP subject alternative names)") != NULL,
	      "  says there are no names");

	CHECK_INT(verify(other, server, "localhost", &err), -1, "signed by another CA: refused");
	CHECK_INT(err.cls, ERR_FATAL, "  ERR_FATAL");
	snprintf(want, sizeof want, "(checked against %s: is that the CA that signed "
		 "the server's certificate?)", path);
	CHECK(strncmp(err.msg, "server certificate rejected: ", 29) == 0, "  says rejected");
	CHECK(strstr(err.msg, want) != NULL, "  names the CA file and what to check");
	if (strstr(err.msg, want) == NULL)
		printf("#   got \"%s\"\n", err.msg);

	CHECK_INT(verify(ca, expired, "localhost", &err), -1, "expired: refused");
	CHECK_INT(err.cls, ERR_FATAL, "  ERR_FATAL");
	CHECK(strstr(err.msg, "server certificate rejected: ") == err.msg &&
	      strstr(err.msg, "expired") != NULL, "  says expired");
	if (strstr(err.msg, "expired") == NULL)
		printf("#   got \"%s\"\n", err.msg);
	CHECK_INT(verify(ca, client, "localhost", &err), -1, "client-only certificate refused");
	CHECK(strstr(err.msg, "server certificate rejected: ") == err.msg, "  says rejected");

	CHECK_INT(verify(ca, junk0, "localhost", &err), -1, "garbage DER refused");
	CHECK_INT(err.cls, ERR_FATAL, "  ERR_FATAL");
	CHECK_STR(err.msg, "server certificate 0 is not valid X.509 DER", "  says which");
	CHECK_INT(verify(ca, junk1, "localhost", &err), -1, "garbage issuer refused");
	CHECK_STR(err.msg, "server certificate 1 is not valid X.509 DER", "  says which");
	CHECK_INT(verify(ca, pem, "localhost", &err), -1, "PEM where DER is due refused");
	CHECK_INT(verify(ca, none, "localhost", &err), -1, "empty chain refused");
	CHECK_INT(err.cls, ERR_FATAL, "  ERR_FATAL");
	CHECK_STR(err.msg, "server sent no certificate to verify", "  says so");

	tls_trust_free(ca);
	tls_trust_free(other);
}

int main(void)
{
	char cmd[300];
	int made;

	test_ip_literal();
	if (!mkdtemp(dir)) {
		CHECK(0, "mkdtemp");
		return test_done();
	}
	made = make_certs();
	CHECK_INT(made, 0, "openssl made the test certificates (needs openssl: "
		  "scripts/install-deps)");
	if (made == 0) {
		test_load();
		test_verify();
	} else {
		snprintf(cmd, sizeof cmd, "sed 's/^/# /' '%s/openssl.log'", dir);
		fflush(stdout);
		if (system(cmd) != 0)
			printf("# no openssl.log\n");
	}
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	CHECK(system(cmd) == 0 && access(dir, F_OK) != 0, "test folder removed");
	return test_done();
}
