/*
 * header.h — header field values as struct mail keeps them: one line of
 * valid UTF-8, msg-ids without brackets, an address picked out of a From
 * no grammar accepts.  Works on the strings mime.c takes from libetpan;
 * no libetpan here, no state.
 *
 * Every returned string is malloc'd and owned by the caller; NULL means
 * out of memory unless stated otherwise.
 */
#ifndef INCIDENT_HEADER_H
#define INCIDENT_HEADER_H

#include <stddef.h>

/*
 * s as one clean line: CR and LF dropped (unfolding), other control
 * characters (below 0x20, and 0x7f) as spaces, so a decoded "=0D=0A"
 * cannot inject a header line; bytes that are not valid UTF-8 as U+FFFD;
 * leading and trailing spaces trimmed.
 */
char *header_clean(const char *s);

/* A msg-id as the bot keeps it: header_clean'd, no spaces, no '<' or '>'. */
char *header_msgid(const char *id);

/*
 * Counts the msg-ids of a raw In-Reply-To / References value: each
 * non-empty <...>, in order (v may be NULL: 0).  When ids is not NULL, also
 * writes a copy of the first max of them, brackets cut, nothing cleaned,
 * into ids; an entry is NULL when memory ran out.
 */
size_t header_msgids_scan(const char *v, char **ids, size_t max);

/*
 * Splits a From value that the address grammar refused (unquoted
 * specials, a missing bracket...): the address is what stands in the last
 * <...>, and the name what precedes the '<', without surrounding white
 * space and quotes; with no <...>, the address is the word holding an '@'
 * and there is no name.  Neither is decoded or cleaned.  Sets *name and
 * *addr to malloc'd strings or NULL: both set with a <...> (the name may
 * be ""), only *addr with a word holding an '@', neither without.
 * Returns 0, or -1 when memory ran out (both NULL then).
 */
int header_from_split(const char *v, char **name, char **addr);

#endif
