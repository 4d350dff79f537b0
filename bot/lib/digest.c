/* digest.c — see digest.h. */
#include "lib/digest.h"

#include <gnutls/crypto.h>
#include <stdio.h>
#include <string.h>

/* By table: a formatted print per byte showed in a backlog's profile
 * (every event, message and mail is hashed; every mail queued has a
 * random Message-ID). */
void digest_hex(const unsigned char *bytes, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[bytes[i] >> 4];
		out[2 * i + 1] = digits[bytes[i] & 15];
	}
	out[2 * n] = '\0';
}

void digest_sha256_hex(const void *data, size_t len, char hex[65])
{
	unsigned char md[32];

	if (gnutls_hash_fast(GNUTLS_DIG_SHA256, data, len, md) != 0) {
		memset(hex, '0', 64);	/* cannot happen with a working GnuTLS */
		hex[64] = '\0';
		return;
	}
	digest_hex(md, sizeof md, hex);
}

void digest_hmac_sha256(const void *key, size_t keylen, const void *data, size_t len,
			unsigned char out[32])
{
	if (gnutls_hmac_fast(GNUTLS_MAC_SHA256, key, keylen, data, len, out) != 0)
		memset(out, 0, 32);	/* see digest.h: callers recognise it */
}
