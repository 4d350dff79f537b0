/*
 * tls.h — server certificate verification with GnuTLS: a trust list loaded
 * from one CA file, and the check of a peer's chain against it and against
 * the host we dialled.  All the bot's X.509 work is here (digest.c uses
 * GnuTLS only to hash); it knows nothing of the protocol on top (imap.c gets
 * the chain out of its stream, hands it over as DER blobs and sets the SNI).
 *
 * Errors: messages carry no module prefix; the caller puts its own in front
 * (imap.c: error_prefix(err, "imap: %s", "host:port")).  ERR_FATAL for
 * anything about the certificates (retrying does not make a wrong one
 * right); ERR_TEMP only for out of memory while loading the CA file.
 */
#ifndef INCIDENT_TLS_H
#define INCIDENT_TLS_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/error.h"

/* Certificates beyond this many in a chain are ignored (not an error). */
#define TLS_MAX_CHAIN 16

struct tls_trust;

/*
 * Loads the PEM certificates of ca_file as the only trust anchors; the
 * system store is never consulted.  *out owned by the caller (tls_trust_free);
 * NULL on failure.  Errors: ERR_FATAL "no CA certificate in PATH (why)" for
 * a missing, unreadable or certificate-free file — the caller adds which
 * setting to fix, as only it knows; ERR_TEMP "out of memory".
 */
int tls_trust_load(const char *ca_file, struct tls_trust **out, struct error *err);

/* Frees the trust list; NULL is fine. */
void tls_trust_free(struct tls_trust *trust);

/*
 * Verifies the peer's chain — ders[0] the leaf, then its issuers as the
 * peer sent them, lens[i] bytes each; the caller keeps ownership — against
 * the trust list for a TLS server (key purpose serverAuth), then the leaf
 * against host: a name must match the certificate's names, an IP literal
 * one of its IP SANs.  Returns 0 when both hold, else -1 with ERR_FATAL and
 * one of these messages:
 *   server sent no certificate to verify                         (n == 0)
 *   server certificate N is not valid X.509 DER               (N from 0)
 *   cannot decode the server's certificate                (out of memory)
 *   server certificate rejected: WHY (checked against CA_FILE: is that the
 *     CA that signed the server's certificate?)  (unknown CA, expired, ...)
 *   server certificate is not valid for "HOST" (it is for DNS:a, IP:b);
 *     connect by one of those names
 */
int tls_verify_chain(const struct tls_trust *trust,
		     const unsigned char *const *ders, const size_t *lens, size_t n,
		     const char *host, struct error *err);

/*
 * Whether host is an IPv4 or IPv6 address literal ("127.0.0.1", "::1").
 * TLS sends no SNI for those (RFC 6066, section 3), so callers ask first.
 */
bool tls_is_ip_literal(const char *host);

#endif
