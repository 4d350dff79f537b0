/*
 * digest.h — SHA-256 (via GnuTLS) for message and attachment fingerprints.
 */
#ifndef INCIDENT_DIGEST_H
#define INCIDENT_DIGEST_H

#include <stddef.h>

/* Writes the lower-case hex SHA-256 of data into hex (65 bytes with NUL). */
void digest_sha256_hex(const void *data, size_t len, char hex[65]);

#endif
