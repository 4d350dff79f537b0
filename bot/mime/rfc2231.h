/*
 * rfc2231.h — MIME parameter values in RFC 2231 form, the way mail
 * clients send non-ASCII file names: filename*=UTF-8''%E5%A0%B1.pdf, or
 * split into segments filename*0*=...; filename*1=...  libetpan 1.9.4
 * does not decode them and hands them over as ordinary parameters; mime.c
 * passes them here as plain strings.  No libetpan, no state.
 */
#ifndef INCIDENT_RFC2231_H
#define INCIDENT_RFC2231_H

#include <stddef.h>

/* One parameter as it stands in a Content-Type or Content-Disposition. */
struct rfc2231_param {
	const char *name;	/* may be NULL: never matches */
	const char *value;	/* not NULL */
};

/* 1 if param (case-insensitive) is an RFC 2231 form of name: "name*", "name*0", "name*2*" (segments 0-63). */
int rfc2231_is(const char *param, const char *name);

/*
 * The value of parameter `name` among the n in params, from its RFC 2231
 * forms (plain "name=" is not looked at): "name*" if present, else the
 * segments "name*0", "name*1"... up to the first missing one.  %XX is
 * decoded in encoded parts (those written with a trailing '*'), the
 * charset'language' prefix of the first one names the charset (none:
 * detected, charset.h), and the result is cleaned as header_clean does
 * (header.h): one line of valid UTF-8.
 * Returns a malloc'd string the caller frees; NULL when there is no such
 * parameter or its value is empty, or when memory ran out, which also
 * sets *oom to 1.
 */
char *rfc2231_value(const struct rfc2231_param *params, size_t n,
		    const char *name, int *oom);

#endif
