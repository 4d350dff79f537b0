/*
 * digest.h — SHA-256 (via GnuTLS) for message and attachment fingerprints,
 * and HMAC-SHA256 for the reply tokens of auth.c.
 */
#ifndef INCIDENT_DIGEST_H
#define INCIDENT_DIGEST_H

#include <stddef.h>

/* Writes n bytes as 2n lower-case hex digits and a NUL into out (2n + 1
 * bytes): the SHA-256s, the reply tokens, the Message-IDs' random part. */
void digest_hex(const unsigned char *bytes, size_t n, char *out);

/* Writes the lower-case hex SHA-256 of data into hex (65 bytes with NUL). */
void digest_sha256_hex(const void *data, size_t len, char hex[65]);

/*
 * Writes HMAC-SHA256 (RFC 2104) of data keyed with key into out.  Should
 * GnuTLS fail (it cannot with a working library), out is 32 zero bytes,
 * which no real MAC is (chance 2^-256): a caller that must not hand out or
 * accept a predictable MAC checks for them (auth.c does).
 */
void digest_hmac_sha256(const void *key, size_t keylen, const void *data, size_t len,
			unsigned char out[32]);

#endif
