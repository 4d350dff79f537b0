/* header.c — header values as struct mail keeps them; see header.h. */
#include "mime/header.h"

#include <stdlib.h>
#include <string.h>

#include "mime/charset.h"

char *header_clean(const char *s)
{
	size_t n, i, o = 0;
	int lossy = 0;
	char *p;

	/* a UTF-8 label only repairs: bad bytes become U+FFFD */
	if (!(p = charset_to_utf8("UTF-8", s, strlen(s), &n, &lossy)))
		return NULL;
	for (i = 0; i < n; i++) {
		if (p[i] == '\r' || p[i] == '\n')
			continue;
		p[o++] = (unsigned char)p[i] < 0x20 || p[i] == 0x7f ? ' ' : p[i];
	}
	while (o > 0 && p[o - 1] == ' ')
		o--;
	for (i = 0; i < o && p[i] == ' '; i++)
		;
	memmove(p, p + i, o - i);
	p[o - i] = '\0';
	return p;
}

char *header_msgid(const char *id)
{
	char *s = header_clean(id), *o, *p;

	if (!s)
		return NULL;
	for (p = o = s; *p; p++)
		if (*p != ' ' && *p != '<' && *p != '>')
			*o++ = *p;
	*o = '\0';
	return s;
}

size_t header_msgids_scan(const char *v, char **ids, size_t max)
{
	const char *lt, *gt;
	size_t n = 0;

	while (v && (lt = strchr(v, '<')) && (gt = strchr(lt, '>'))) {
		if (gt > lt + 1 && n < max && ids)
			ids[n] = strndup(lt + 1, (size_t)(gt - lt - 1));
		if (gt > lt + 1)
			n++;
		v = gt + 1;
	}
	return n;
}

int header_from_split(const char *v, char **name, char **addr)
{
	const char *lt = strrchr(v, '<'), *gt = lt ? strchr(lt, '>') : NULL, *at;
	size_t b, e;

	*name = *addr = NULL;
	if (gt) {
		if (!(*addr = strndup(lt + 1, (size_t)(gt - lt - 1))) ||
		    !(*name = strndup(v, (size_t)(lt - v))))
			goto oom;
		for (e = strlen(*name); e > 0 && strchr(" \t\r\n\"", (*name)[e - 1]); e--)
			(*name)[e - 1] = '\0';
		for (b = 0; (*name)[b] && strchr(" \t\r\n\"", (*name)[b]); b++)
			;
		memmove(*name, *name + b, strlen(*name + b) + 1);
	} else if ((at = strchr(v, '@'))) {
		for (b = (size_t)(at - v); b > 0 && !strchr(" \t\r\n<(\"", v[b - 1]); b--)
			;
		for (e = (size_t)(at - v); v[e] && !strchr(" \t\r\n>),\"", v[e]); e++)
			;
		if (!(*addr = strndup(v + b, e - b)))
			goto oom;
	}
	return 0;
oom:
	free(*name);
	free(*addr);
	*name = *addr = NULL;
	return -1;
}
