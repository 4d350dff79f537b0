/* buf.c — see buf.h. */
#include "lib/buf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void buf_add(struct buf *b, const void *s, size_t n)
{
	size_t need, cap;
	char *p;

	if (b->oom || n == 0)
		return;
	need = b->len + n + 1;
	if (need < n) {
		b->oom = 1;
		return;
	}
	if (need > b->cap) {
		cap = b->cap ? b->cap : 256;
		while (cap < need && cap <= SIZE_MAX / 2)
			cap *= 2;
		if (cap < need || !(p = realloc(b->p, cap))) {
			b->oom = 1;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void buf_addc(struct buf *b, char c)
{
	buf_add(b, &c, 1);
}

void buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void buf_release(struct buf *b)
{
	free(b->p);
	memset(b, 0, sizeof *b);
}

char *buf_take(struct buf *b)
{
	char *p;

	if (b->oom) {
		buf_release(b);
		return NULL;
	}
	p = b->p ? b->p : strdup("");
	memset(b, 0, sizeof *b);
	return p;
}
