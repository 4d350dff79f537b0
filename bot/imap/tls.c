/*
 * tls.c — see tls.h.  The certificate check libetpan 1.9.4 (GnuTLS build)
 * does not do: it completes the handshake without looking at the peer's
 * certificate, so imap.c hands the chain here before it sends the password.
 */
#include "imap/tls.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

struct tls_trust {
	gnutls_x509_trust_list_t list;
	char *ca_file;		/* named in "rejected" messages */
};

int tls_trust_load(const char *ca_file, struct tls_trust **out, struct error *err)
{
	struct tls_trust *t;
	int n;

	*out = NULL;
	t = calloc(1, sizeof *t);
	if (!t || !(t->ca_file = strdup(ca_file)) ||
	    gnutls_x509_trust_list_init(&t->list, 0) < 0) {
		tls_trust_free(t);
		return error_set(err, ERR_TEMP, "out of memory");
	}
	n = gnutls_x509_trust_list_add_trust_file(t->list, ca_file, NULL,
						  GNUTLS_X509_FMT_PEM, 0, 0);
	if (n <= 0) {
		tls_trust_free(t);
		return error_set(err, ERR_FATAL, "no CA certificate in %s (%s)", ca_file,
				 n < 0 ? gnutls_strerror(n) : "empty");
	}
	*out = t;
	return 0;
}

void tls_trust_free(struct tls_trust *t)
{
	if (!t)
		return;
	if (t->list)
		gnutls_x509_trust_list_deinit(t->list, 1);
	free(t->ca_file);
	free(t);
}

bool tls_is_ip_literal(const char *host)
{
	unsigned char buf[sizeof(struct in6_addr)];

	return inet_pton(AF_INET, host, buf) == 1 || inet_pton(AF_INET6, host, buf) == 1;
}

/* "DNS:a, IP:b" from the certificate, to say what it is valid for. */
static void cert_names(gnutls_x509_crt_t crt, char *out, size_t outsz)
{
	size_t used = 0;

	out[0] = '\0';
	for (unsigned i = 0; i < 16 && used < outsz; i++) {
		char name[256], ip[INET6_ADDRSTRLEN];
		size_t len = sizeof name;
		const char *shown;
		int type = gnutls_x509_crt_get_subject_alt_name(crt, i, name, &len, NULL);

		if (type < 0)
			break;
		if (type == GNUTLS_SAN_DNSNAME) {
			shown = name;
		} else if (type == GNUTLS_SAN_IPADDRESS && (len == 4 || len == 16)) {
			inet_ntop(len == 4 ? AF_INET : AF_INET6, name, ip, sizeof ip);
			shown = ip;
		} else {
			continue;
		}
		used += snprintf(out + used, outsz - used, "%s%s:%s", used ? ", " : "",
				 type == GNUTLS_SAN_DNSNAME ? "DNS" : "IP", shown);
	}
	if (!out[0])
		snprintf(out, outsz, "no DNS or IP subject alternative names");
}

/* ERR_FATAL on any doubt: retrying does not make a wrong certificate right. */
int tls_verify_chain(const struct tls_trust *trust,
		     const unsigned char *const *ders, const size_t *lens, size_t n,
		     const char *host, struct error *err)
{
	gnutls_x509_crt_t crts[TLS_MAX_CHAIN];
	unsigned ncrt = 0, status = 0;
	int ret = -1;

	if (n == 0)
		return error_set(err, ERR_FATAL, "server sent no certificate to verify");
	for (unsigned i = 0; i < n && ncrt < TLS_MAX_CHAIN; i++) {
		gnutls_datum_t d = { (unsigned char *)ders[i], (unsigned)lens[i] };

		if (gnutls_x509_crt_init(&crts[ncrt]) < 0)
			break;
		if (lens[i] > UINT_MAX ||
		    gnutls_x509_crt_import(crts[ncrt], &d, GNUTLS_X509_FMT_DER) < 0) {
			gnutls_x509_crt_deinit(crts[ncrt]);
			error_set(err, ERR_FATAL, "server certificate %u is not valid X.509 DER", i);
			goto out;
		}
		ncrt++;
	}
	if (ncrt == 0) {
		error_set(err, ERR_FATAL, "cannot decode the server's certificate");
		goto out;
	}

	gnutls_typed_vdata_st purpose = {
		.type = GNUTLS_DT_KEY_PURPOSE_OID,
		.data = (unsigned char *)GNUTLS_KP_TLS_WWW_SERVER,
	};
	if (gnutls_x509_trust_list_verify_crt2(trust->list, crts, ncrt, &purpose, 1, 0,
					       &status, NULL) < 0 || status != 0) {
		gnutls_datum_t why = { NULL, 0 };

		gnutls_certificate_verification_status_print(status, GNUTLS_CRT_X509, &why, 0);
		error_set(err, ERR_FATAL,
			  "server certificate rejected: %s (checked against %s: is that "
			  "the CA that signed the server's certificate?)",
			  why.data ? (char *)why.data : "verification failed", trust->ca_file);
		gnutls_free(why.data);
		goto out;
	}
	if (!gnutls_x509_crt_check_hostname2(crts[0], host, 0)) {
		char names[256];

		cert_names(crts[0], names, sizeof names);
		error_set(err, ERR_FATAL,
			  "server certificate is not valid for \"%s\" (it is for %s); "
			  "connect by one of those names", host, names);
		goto out;
	}
	ret = 0;
out:
	while (ncrt > 0)
		gnutls_x509_crt_deinit(crts[--ncrt]);
	return ret;
}
