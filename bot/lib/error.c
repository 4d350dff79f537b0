/* error.c — see error.h. */
#include "lib/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int error_set(struct error *e, enum err_class cls, const char *fmt, ...)
{
	va_list ap;

	if (!e)
		return -1;
	e->cls = cls;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	va_end(ap);
	return -1;
}

int error_prefix(struct error *e, const char *fmt, ...)
{
	char old[sizeof e->msg];
	size_t used, rest;
	va_list ap;
	int n;

	if (!e)
		return -1;
	memcpy(old, e->msg, sizeof old);
	va_start(ap, fmt);
	n = vsnprintf(e->msg, sizeof e->msg - 2, fmt, ap);
	va_end(ap);
	used = n < 0 ? 0 : (size_t)n > sizeof e->msg - 3 ? sizeof e->msg - 3 : (size_t)n;
	memcpy(e->msg + used, ": ", 2);
	used += 2;
	rest = strnlen(old, sizeof old - 1);
	if (rest > sizeof e->msg - 1 - used)
		rest = sizeof e->msg - 1 - used;
	memcpy(e->msg + used, old, rest);
	e->msg[used + rest] = '\0';
	return -1;
}

const char *err_class_name(enum err_class cls)
{
	switch (cls) {
	case ERR_NONE: return "none";
	case ERR_TEMP: return "temporary";
	case ERR_MESSAGE: return "message";
	case ERR_FATAL: return "fatal";
	case ERR_AUTH: return "credentials";
	}
	return "?";
}
