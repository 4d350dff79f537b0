/*
 * error.h — how failures travel up to the loop that decides what to do.
 *
 * Functions that can fail return 0 on success and -1 on failure and fill a
 * caller-supplied struct error.  The class tells the caller what to do:
 * retry later (temporary), give up on this one mail but keep it (message),
 * or stop (fatal).  The text is for people: what is wrong, what to do.
 * No allocation happens on the error path.
 *
 * Out of memory is ERR_TEMP everywhere (issue 15: it was fatal at 44 sites
 * and temporary at 26).  It says nothing about the input or the
 * configuration, and it passes: a burst of large mails, another process's
 * peak, a cgroup limit raised.  As temporary, the batch in hand rolls
 * back, the mail stays in the INBOX and `run` retries with backoff instead
 * of exiting; a one-shot command exits 1 ("run again"), not 2 (which says
 * the configuration or the usage is wrong).  ERR_MESSAGE would be wrong
 * too: the mail is not bad and must not be shelved as unparseable.
 * tests/static/errors.sh checks every "out of memory" error_set.
 */
#ifndef INCIDENT_ERROR_H
#define INCIDENT_ERROR_H

enum err_class {
	ERR_NONE = 0,
	ERR_TEMP,	/* network down, server busy, database locked, out of
			 * memory: retry */
	ERR_MESSAGE,	/* this input is bad: record it, keep it, go on */
	ERR_FATAL,	/* configuration or programming error: stop */
	ERR_AUTH,	/* credentials refused where a person must act but the
			 * fault may be mended while we wait (the OAuth2 token
			 * endpoint refused the client, the server a fresh
			 * token): a service retries with backoff and tells the
			 * admins; a one-shot command fails as for ERR_FATAL */
};

struct error {
	enum err_class cls;
	char msg[512];
};

/* Fills e (if not NULL) and returns -1, so callers can `return error_set(...)`. */
int error_set(struct error *e, enum err_class cls, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Prefixes the current message with "what: " (for context while unwinding). */
int error_prefix(struct error *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

const char *err_class_name(enum err_class cls);

#endif
