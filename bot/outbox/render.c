/* render.c — see render.h for the template language. */
#include "outbox/render.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* ---- variables ---- */

/*
 * A template's variables are looked up by name hundreds of times per mail
 * (issue 16: a mail's set has 150 names, and a list linked in one chain,
 * each name measured again at every comparison, was a tenth of the render
 * stage): chained in buckets by a hash of the name.
 */
#define TVARS_BUCKETS 64	/* a power of two */

struct tvar {
	char *text;		/* a text value, or NULL for a list */
	struct tvars **items;	/* a list value */
	size_t n_items;
	struct tvar *next;	/* in its bucket */
	uint32_t hash;
	size_t len;
	char key[];		/* len bytes and a '\0' */
};

struct tvars {
	const struct tvars *base;	/* read where this set has no entry (tvars_new_over) */
	struct tvar *bucket[TVARS_BUCKETS];
};

/* FNV-1a */
static uint32_t key_hash(const char *key, size_t len)
{
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ (unsigned char)key[i]) * 16777619u;
	return h;
}

struct tvars *tvars_new(void)
{
	return calloc(1, sizeof(struct tvars));
}

void tvars_free(struct tvars *v)
{
	struct tvar *e, *next;
	size_t b, i;

	if (!v)
		return;
	for (b = 0; b < TVARS_BUCKETS; b++)
		for (e = v->bucket[b]; e; e = next) {
			next = e->next;
			for (i = 0; i < e->n_items; i++)
				tvars_free(e->items[i]);
			free(e->items);
			free(e->text);
			free(e);
		}
	free(v);
}

static struct tvar *find_hashed(const struct tvars *v, const char *key, size_t len, uint32_t h)
{
	struct tvar *e;

	for (e = v->bucket[h & (TVARS_BUCKETS - 1)]; e; e = e->next)
		if (e->hash == h && e->len == len && memcmp(e->key, key, len) == 0)
			return e;
	return NULL;
}

/* key in v, else in the sets v stands over */
static struct tvar *find(const struct tvars *v, const char *key, size_t len)
{
	uint32_t h = key_hash(key, len);
	struct tvar *e;

	for (; v; v = v->base)
		if ((e = find_hashed(v, key, len, h)))
			return e;
	return NULL;
}

static struct tvars *copy_of(const struct tvars *src);

/* e's value (text or items) copied from from.  0 or -1. */
static int copy_value(struct tvar *e, const struct tvar *from)
{
	size_t i;

	if (from->text && !(e->text = strdup(from->text)))
		return -1;
	if (from->n_items && !(e->items = calloc(from->n_items, sizeof *e->items)))
		return -1;
	for (i = 0; i < from->n_items; i++, e->n_items++)
		if (!(e->items[i] = copy_of(from->items[i])))
			return -1;
	return 0;
}

static struct tvar *new_entry(struct tvars *v, const char *key, size_t len, uint32_t h)
{
	struct tvar *e = calloc(1, sizeof *e + len + 1);

	if (!e)
		return NULL;
	memcpy(e->key, key, len + 1);
	e->len = len;
	e->hash = h;
	e->next = v->bucket[h & (TVARS_BUCKETS - 1)];
	v->bucket[h & (TVARS_BUCKETS - 1)] = e;
	return e;
}

/* A set of its own with src's entries (a list's items are never over another set). */
static struct tvars *copy_of(const struct tvars *src)
{
	struct tvars *v = tvars_new();
	const struct tvar *e;
	size_t b;

	for (b = 0; v && b < TVARS_BUCKETS; b++)
		for (e = src->bucket[b]; e; e = e->next) {
			struct tvar *c = new_entry(v, e->key, e->len, e->hash);

			if (!c || copy_value(c, e) < 0) {
				tvars_free(v);
				return NULL;
			}
		}
	return v;
}

/*
 * The entry for key in v itself, created when missing: empty, or as the
 * set v stands over has it, so that appending to a list over a shared set
 * appends to a copy of its items (the shared set is never written).
 */
static struct tvar *entry(struct tvars *v, const char *key)
{
	size_t len = strlen(key);
	uint32_t h = key_hash(key, len);
	struct tvar *e = find_hashed(v, key, len, h);
	const struct tvar *under = e || !v->base ? NULL : find(v->base, key, len);

	if (e)
		return e;
	if (!(e = new_entry(v, key, len, h)))
		return NULL;
	if (under && copy_value(e, under) < 0)
		return NULL;	/* freed with v, half-copied */
	return e;
}

struct tvars *tvars_new_over(const struct tvars *base)
{
	struct tvars *v = tvars_new();

	if (v)
		v->base = base;
	return v;
}

int tvars_set(struct tvars *v, const char *key, const char *value)
{
	struct tvar *e = entry(v, key);
	char *copy;

	if (!e || !(copy = strdup(value ? value : "")))
		return -1;
	free(e->text);
	e->text = copy;
	return 0;
}

int tvars_setf(struct tvars *v, const char *key, const char *fmt, ...)
{
	char *text;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vasprintf(&text, fmt, ap);
	va_end(ap);
	if (rc < 0)
		return -1;
	rc = tvars_set(v, key, text);
	free(text);
	return rc;
}

int tvars_set_list(struct tvars *v, const char *key)
{
	struct tvar *e = entry(v, key);

	if (!e)
		return -1;
	free(e->text);
	e->text = NULL;
	return 0;
}

struct tvars *tvars_add_item(struct tvars *v, const char *key)
{
	struct tvar *e = entry(v, key);
	struct tvars **grown, *item;

	if (!e || tvars_set_list(v, key) < 0)
		return NULL;
	grown = realloc(e->items, (e->n_items + 1) * sizeof *grown);
	if (!grown)
		return NULL;
	e->items = grown;
	if (!(item = tvars_new()))
		return NULL;
	e->items[e->n_items++] = item;
	return item;
}

/* ---- rendering ---- */

struct scope {
	const struct tvars *vars;
	const struct scope *up;
};

struct renderer {
	const char *tmpl;	/* start, for line numbers */
	const char *name;
	bool html;		/* escape every value for HTML */
	char *out;
	size_t len, cap;
	struct error *err;
};

static int fail(struct renderer *r, const char *at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct renderer *r, const char *at, const char *fmt, ...)
{
	char what[256];
	const char *p;
	int line = 1;
	va_list ap;

	for (p = r->tmpl; p < at; p++)
		line += *p == '\n';
	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	return error_set(r->err, ERR_FATAL, "template %s:%d: %s", r->name, line, what);
}

static int emit(struct renderer *r, const char *s, size_t n)
{
	if (r->len + n + 1 > r->cap) {
		size_t cap = r->cap ? r->cap : 1024;
		char *grown;

		while (r->len + n + 1 > cap)
			cap *= 2;
		grown = realloc(r->out, cap);
		if (!grown)
			return error_set(r->err, ERR_TEMP, "render: out of memory");
		r->out = grown;
		r->cap = cap;
	}
	memcpy(r->out + r->len, s, n);
	r->len += n;
	r->out[r->len] = '\0';
	return 0;
}

/*
 * A value in an HTML template: the five characters that end text or a
 * quoted attribute value become entities, so no value can open a tag, end
 * an attribute or start an entity.  Everything else (UTF-8 included)
 * passes through.
 */
static int emit_html(struct renderer *r, const char *s)
{
	const char *run = s;

	for (; *s; s++) {
		const char *ent;

		switch (*s) {
		case '&': ent = "&amp;"; break;
		case '<': ent = "&lt;"; break;
		case '>': ent = "&gt;"; break;
		case '"': ent = "&quot;"; break;
		case '\'': ent = "&#39;"; break;
		default: continue;
		}
		if (emit(r, run, (size_t)(s - run)) < 0 || emit(r, ent, strlen(ent)) < 0)
			return -1;
		run = s + 1;
	}
	return emit(r, run, (size_t)(s - run));
}

static const struct tvar *lookup(const struct scope *sc, const char *key, size_t len)
{
	const struct tvar *e;

	for (; sc; sc = sc->up)
		if ((e = find(sc->vars, key, len)))
			return e;
	return NULL;
}

enum tag_kind { TAG_VAR, TAG_IF, TAG_EACH, TAG_ELSE, TAG_END_IF, TAG_END_EACH, TAG_COMMENT };

struct tag {
	enum tag_kind kind;
	const char *start;	/* the "{{" */
	const char *after;	/* just past the "}}" (and its line, for a lone block tag) */
	const char *arg;	/* the variable name */
	size_t arg_len;
	bool lone;		/* a block tag alone on its line */
};

static bool valid_name(const char *s, size_t n)
{
	size_t i;

	if (n == 0)
		return false;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_' && s[i] != '.')
			return false;
	return true;
}

/* Parses the tag starting at p ("{{"). */
static int parse_tag(struct renderer *r, const char *p, struct tag *t)
{
	const char *end = strstr(p + 2, "}}"), *a, *b, *q;

	if (!end)
		return fail(r, p, "\"{{\" without \"}}\"");
	a = p + 2;
	b = end;
	while (a < b && isspace((unsigned char)*a))
		a++;
	while (b > a && isspace((unsigned char)b[-1]))
		b--;
	t->start = p;
	t->after = end + 2;
	t->arg = NULL;
	t->arg_len = 0;
	if (*a == '!') {
		t->kind = TAG_COMMENT;
	} else if (b - a > 4 && strncmp(a, "#if", 3) == 0 && isspace((unsigned char)a[3])) {
		t->kind = TAG_IF;
		t->arg = a + 4;
	} else if (b - a > 6 && strncmp(a, "#each", 5) == 0 && isspace((unsigned char)a[5])) {
		t->kind = TAG_EACH;
		t->arg = a + 6;
	} else if (b - a == 4 && strncmp(a, "else", 4) == 0) {
		t->kind = TAG_ELSE;
	} else if (b - a == 3 && strncmp(a, "/if", 3) == 0) {
		t->kind = TAG_END_IF;
	} else if (b - a == 5 && strncmp(a, "/each", 5) == 0) {
		t->kind = TAG_END_EACH;
	} else if (*a == '#' || *a == '/') {
		return fail(r, p, "unknown block tag \"%.*s\" (use #if, #each, else, /if, /each)",
			    (int)(b - a), a);
	} else {
		t->kind = TAG_VAR;
		t->arg = a;
	}
	if (t->arg) {
		while (isspace((unsigned char)*t->arg))
			t->arg++;
		t->arg_len = (size_t)(b - t->arg);
		if (!valid_name(t->arg, t->arg_len))
			return fail(r, p, "bad variable name \"%.*s\"", (int)t->arg_len, t->arg);
	}
	/* A block tag alone on its line swallows the line. */
	t->lone = false;
	if (t->kind != TAG_VAR) {
		for (q = p; q > r->tmpl && (q[-1] == ' ' || q[-1] == '\t'); q--)
			;
		if (q == r->tmpl || q[-1] == '\n') {
			const char *e = t->after;
			while (*e == ' ' || *e == '\t' || *e == '\r')
				e++;
			if (*e == '\n' || *e == '\0') {
				t->lone = true;
				t->after = *e ? e + 1 : e;
			}
		}
	}
	return 0;
}

static bool truthy(const struct tvar *e)
{
	return e && (e->text ? e->text[0] != '\0' : e->n_items > 0);
}

/*
 * Renders from *pp until the closing tag of the block (or the end when
 * closer is TAG_VAR, meaning "top level").  With on false, nothing is
 * emitted and variables are not checked (a branch not taken), but the
 * structure still is.  *stop gets the tag that ended the block.
 */
static int block(struct renderer *r, const char **pp, const struct scope *sc, bool on,
		 enum tag_kind closer, struct tag *stop)
{
	const char *p = *pp, *open;
	struct tag t;

	for (;;) {
		open = strstr(p, "{{");
		if (!open) {
			if (closer != TAG_VAR)
				return fail(r, p + strlen(p), "missing {{%s}}",
					    closer == TAG_END_IF ? "/if" : "/each");
			if (on && emit(r, p, strlen(p)) < 0)
				return -1;
			*pp = p + strlen(p);
			return 0;
		}
		if (parse_tag(r, open, &t) < 0)
			return -1;
		if (on) {
			/* Text before the tag; a lone tag also drops its indentation. */
			const char *text_end = open;
			if (t.lone)
				while (text_end > p && (text_end[-1] == ' ' || text_end[-1] == '\t'))
					text_end--;
			if (emit(r, p, (size_t)(text_end - p)) < 0)
				return -1;
		}
		p = t.after;
		switch (t.kind) {
		case TAG_COMMENT:
			break;
		case TAG_VAR: {
			const struct tvar *e = lookup(sc, t.arg, t.arg_len);
			if (!on)
				break;
			if (!e)
				return fail(r, t.start, "unknown variable \"%.*s\"",
					    (int)t.arg_len, t.arg);
			if (!e->text)
				return fail(r, t.start, "\"%.*s\" is a list: use {{#each %.*s}}",
					    (int)t.arg_len, t.arg, (int)t.arg_len, t.arg);
			if ((r->html ? emit_html(r, e->text)
				     : emit(r, e->text, strlen(e->text))) < 0)
				return -1;
			break;
		}
		case TAG_IF: {
			const struct tvar *e = lookup(sc, t.arg, t.arg_len);
			struct tag end;
			bool yes;

			if (on && !e)
				return fail(r, t.start, "unknown variable \"%.*s\"",
					    (int)t.arg_len, t.arg);
			yes = truthy(e);
			if (block(r, &p, sc, on && yes, TAG_END_IF, &end) < 0)
				return -1;
			if (end.kind == TAG_ELSE &&
			    block(r, &p, sc, on && !yes, TAG_END_IF, &end) < 0)
				return -1;
			if (end.kind == TAG_ELSE)
				return fail(r, end.start, "a second {{else}}");
			break;
		}
		case TAG_EACH: {
			const struct tvar *e = lookup(sc, t.arg, t.arg_len);
			const char *body = p;
			struct tag end;
			size_t i;

			if (on && !e)
				return fail(r, t.start, "unknown variable \"%.*s\"",
					    (int)t.arg_len, t.arg);
			if (on && e->text)
				return fail(r, t.start, "\"%.*s\" is not a list",
					    (int)t.arg_len, t.arg);
			/* Walk once without output to find the end and check the shape. */
			if (block(r, &p, sc, false, TAG_END_EACH, &end) < 0)
				return -1;
			if (end.kind == TAG_ELSE)
				return fail(r, end.start, "{{else}} inside {{#each}}");
			for (i = 0; on && i < e->n_items; i++) {
				struct scope inner = { e->items[i], sc };
				const char *q = body;
				if (block(r, &q, &inner, true, TAG_END_EACH, &end) < 0)
					return -1;
			}
			break;
		}
		case TAG_ELSE:
			if (closer != TAG_END_IF)
				return fail(r, t.start, "{{else}} outside {{#if}}");
			*stop = t;
			*pp = p;
			return 0;
		case TAG_END_IF:
		case TAG_END_EACH:
			if (t.kind != closer)
				return fail(r, t.start, "unexpected {{%s}}",
					    t.kind == TAG_END_IF ? "/if" : "/each");
			*stop = t;
			*pp = p;
			return 0;
		}
	}
}

static int render(const char *tmpl, const char *name, const struct tvars *vars, bool html,
		  char **out, struct error *err)
{
	struct renderer r = { .tmpl = tmpl, .name = name, .html = html, .err = err };
	struct scope top = { vars, NULL };
	const char *p = tmpl;
	struct tag stop;

	*out = NULL;
	if (block(&r, &p, &top, true, TAG_VAR, &stop) < 0 || emit(&r, "", 0) < 0) {
		free(r.out);
		return -1;
	}
	*out = r.out;
	return 0;
}

int render_string(const char *tmpl, const char *name, const struct tvars *vars,
		  char **out, struct error *err)
{
	return render(tmpl, name, vars, false, out, err);
}

int render_string_html(const char *tmpl, const char *name, const struct tvars *vars,
		       char **out, struct error *err)
{
	return render(tmpl, name, vars, true, out, err);
}

static int read_file(const char *path, char **text, struct error *err)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0, cap = 0, n;

	*text = NULL;
	if (!f)
		return error_set(err, ERR_FATAL, "template %s: %s", path, strerror(errno));
	for (;;) {
		if (cap - len < 4096) {
			char *grown = realloc(buf, cap = cap ? cap * 2 : 8192);
			if (!grown) {
				free(buf);
				fclose(f);
				return error_set(err, ERR_TEMP, "template %s: out of memory", path);
			}
			buf = grown;
		}
		n = fread(buf + len, 1, cap - len - 1, f);
		len += n;
		if (n == 0)
			break;
	}
	fclose(f);
	buf[len] = '\0';
	if (strlen(buf) != len) {
		free(buf);
		return error_set(err, ERR_FATAL, "template %s: contains a NUL byte", path);
	}
	*text = buf;
	return 0;
}

/* ---- pinned template sets ---- */

struct template_set {
	char *dir;
	size_t n;
	struct { char *name, *text; } *files;
};

/* The set `run` serves from: edits on disk wait for a checked reload. */
static const struct template_set *pinned;

void template_set_free(struct template_set *ts)
{
	size_t i;

	if (!ts)
		return;
	for (i = 0; i < ts->n; i++) {
		free(ts->files[i].name);
		free(ts->files[i].text);
	}
	free(ts->files);
	free(ts->dir);
	free(ts);
}

int template_set_load(const char *dir, struct template_set **out, struct error *err)
{
	struct template_set *ts = calloc(1, sizeof *ts);
	struct dirent *de;
	char path[4096];
	DIR *d;

	*out = NULL;
	if (!ts || !(ts->dir = strdup(dir))) {
		template_set_free(ts);
		return error_set(err, ERR_TEMP, "templates: out of memory");
	}
	if (!(d = opendir(dir))) {
		template_set_free(ts);
		return error_set(err, ERR_FATAL, "templates %s: %s", dir, strerror(errno));
	}
	while ((de = readdir(d))) {
		void *grown;

		if (de->d_name[0] == '.')
			continue;
		if (!(grown = realloc(ts->files, (ts->n + 1) * sizeof *ts->files))) {
			error_set(err, ERR_TEMP, "templates: out of memory");
			break;
		}
		ts->files = grown;
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		ts->files[ts->n].name = strdup(de->d_name);
		if (!ts->files[ts->n].name || read_file(path, &ts->files[ts->n].text, err) < 0) {
			free(ts->files[ts->n].name);
			if (err->cls == ERR_NONE)
				error_set(err, ERR_TEMP, "templates: out of memory");
			break;
		}
		ts->n++;
	}
	closedir(d);
	if (err->cls != ERR_NONE) {
		template_set_free(ts);
		return -1;
	}
	*out = ts;
	return 0;
}

void render_pin(const struct template_set *ts)
{
	pinned = ts;
}

bool render_has(const char *dir, const char *file)
{
	char path[4096];
	size_t i;

	if (pinned && strcmp(pinned->dir, dir) == 0) {
		for (i = 0; i < pinned->n; i++)
			if (strcmp(pinned->files[i].name, file) == 0)
				return true;
		return false;
	}
	snprintf(path, sizeof path, "%s/%s", dir, file);
	return access(path, R_OK) == 0;
}

/* The text of dir/file: from the pinned set when it is that folder's, else read now. */
static int template_text(const char *dir, const char *file, char **text, struct error *err)
{
	char path[4096];
	size_t i;

	if (pinned && strcmp(pinned->dir, dir) == 0) {
		for (i = 0; i < pinned->n; i++)
			if (strcmp(pinned->files[i].name, file) == 0)
				return (*text = strdup(pinned->files[i].text)) ? 0 :
					error_set(err, ERR_TEMP, "template %s: out of memory", file);
		*text = NULL;
		return error_set(err, ERR_FATAL, "template %s/%s: not in the loaded templates "
				 "(added after the start? send SIGHUP)", dir, file);
	}
	snprintf(path, sizeof path, "%s/%s", dir, file);
	return read_file(path, text, err);
}

int render_mail(const char *dir, const char *file, const struct tvars *vars,
		char **subject, char **body, struct error *err)
{
	char *tmpl, *text, *line, *sep;

	*subject = *body = NULL;
	if (template_text(dir, file, &tmpl, err) < 0)
		return -1;
	if (render_string(tmpl, file, vars, &text, err) < 0) {
		free(tmpl);
		return -1;
	}
	free(tmpl);
	sep = strstr(text, "\n\n");
	if (!sep) {
		free(text);
		return error_set(err, ERR_FATAL,
				 "template %s: no empty line between the headers and the body", file);
	}
	*sep = '\0';
	for (line = text; line && *line; ) {
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		if (strncasecmp(line, "Subject:", 8) == 0) {
			const char *v = line + 8;
			while (*v == ' ')
				v++;
			free(*subject);
			*subject = strdup(v);
		} else if (*line) {
			free(*subject);
			*subject = NULL;
			error_set(err, ERR_FATAL, "template %s: unknown header line \"%s\" (only Subject:)",
				  file, line);
			free(text);
			return -1;
		}
		line = nl ? nl + 1 : NULL;
	}
	*body = strdup(sep + 2);
	free(text);
	if (!*subject || !*body) {
		free(*subject);
		free(*body);
		*subject = *body = NULL;
		return error_set(err, ERR_FATAL, "template %s: no Subject: line", file);
	}
	return 0;
}

int render_html(const char *dir, const char *file, const struct tvars *vars, char **html,
		struct error *err)
{
	char *tmpl;
	int rc;

	*html = NULL;
	if (template_text(dir, file, &tmpl, err) < 0)
		return -1;
	rc = render_string_html(tmpl, file, vars, html, err);
	free(tmpl);
	return rc;
}
