/*
 * mime.h — turns raw RFC 5322 bytes into a struct mail with libetpan's
 * MIME parser (charsets: charset.c, with iconv).  The only file besides imap.c that
 * includes libetpan.
 */
#ifndef INCIDENT_MIME_H
#define INCIDENT_MIME_H

#include <stddef.h>

#include "lib/error.h"
#include "mime/mail.h"

/*
 * Parses raw (len bytes, CRLF or LF, need not be NUL-terminated) into *out,
 * which must be zeroed.  Bad MIME is tolerated as far as possible: a mail
 * with unparseable structure still yields its headers and its raw text as
 * body.  Returns 0, or -1 with ERR_MESSAGE when nothing usable is there
 * (e.g. no header at all) or ERR_TEMP when memory ran out.  On failure
 * *out holds nothing to free.
 */
int mime_parse(const char *raw, size_t len, struct mail *out, struct error *err);

/*
 * Decodes an RFC 2047 header value to UTF-8.  Returns a malloc'd string the
 * caller frees, or NULL on out-of-memory.
 */
char *mime_decode_header(const char *value);

#endif
