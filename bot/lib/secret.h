/*
 * secret.h — secret files: read one under the mode rule, replace one
 * atomically.  The one place that says what a safe secret file is, used
 * by config.c (passwords, the reply-token key) and oauth2.c (the client
 * secret, the refresh token, read again at every token request so that an
 * operator's new secret works without a restart).
 *
 * The rule: a regular file (no symlink), readable and writable by its
 * owner only — no group or other permission bits.  The secret is its
 * first line, without the line end.  Messages name the file, never its
 * content.
 */
#ifndef INCIDENT_SECRET_H
#define INCIDENT_SECRET_H

#include "lib/error.h"

/*
 * Reads the first line of path into a malloc'd string (*secret; caller
 * frees it with secret_free).  ERR_FATAL when the file is missing, not a
 * regular file, accessible by group or others ("run chmod 600 PATH"), or
 * empty.  *secret is NULL on failure.
 */
int secret_read(const char *path, char **secret, struct error *err);

/*
 * Replaces path's content with value and a line end, atomically: a
 * temporary file beside it (mode 600), fsync, rename over path, fsync of
 * the folder.  A crash leaves the old content or the new, never a mix or
 * nothing.  ERR_TEMP on an I/O failure (the old file is kept).
 */
int secret_replace(const char *path, const char *value, struct error *err);

/* Zeroes and frees a secret; NULL is fine. */
void secret_free(char *secret);

#endif
