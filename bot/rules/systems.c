/* systems.c — see systems.h. */
#include "rules/systems.h"

#include <stdlib.h>
#include <string.h>

#include "rules/textnorm.h"

char *systems_normalise(const char *s)
{
	size_t len = s ? strlen(s) : 0;
	struct textnorm st = { 0 };

	if (!(st.o = malloc(len + 1)))
		return NULL;
	textnorm_start(&st);
	textnorm_text(&st, s ? s : "", len);
	st.o[st.n] = '\0';
	return (char *)st.o;
}

int systems_named(const struct system_config *sys, size_t n, const char *subject,
		  const char *body, const struct system_config **out)
{
	size_t ls = subject ? strlen(subject) : 0, lb = body ? strlen(body) : 0, i, k;
	struct textnorm st = { 0 };
	const char *text;

	*out = NULL;
	if (n == 0)
		return 0;
	/* one piece each, a line break between: a keyword never spans them */
	if (!(st.o = malloc(ls + lb + 2)))
		return -1;
	textnorm_start(&st);
	textnorm_text(&st, subject ? subject : "", ls);
	st.o[st.n++] = '\n';
	textnorm_start(&st);
	textnorm_text(&st, body ? body : "", lb);
	st.o[st.n] = '\0';
	text = (const char *)st.o;
	for (i = 0; i < n; i++) {
		if (*out && sys[i].priority >= (*out)->priority)
			continue;	/* PRIORITY_HIGH is 0: only a more urgent one counts */
		for (k = 0; k < sys[i].n_keywords; k++)
			if (strstr(text, sys[i].keywords[k])) {
				*out = &sys[i];
				break;
			}
	}
	free(st.o);
	return *out != NULL;
}
