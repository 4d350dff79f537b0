/*
 * render.h — the template engine behind every mail the bot writes.
 *
 * Templates are UTF-8 text files in templates/, editable without a rebuild.
 * The language is small on purpose:
 *
 *   {{name}}                  the value of a variable
 *   {{#if name}} … {{else}} … {{/if}}
 *                             name is true when it is a non-empty text or a
 *                             non-empty list
 *   {{#each name}} … {{/each}}
 *                             repeats for every item of a list; inside, an
 *                             item's variables hide the outer ones
 *   {{! a comment }}
 *
 * A line that holds only a block tag ({{#if}}, {{else}}, {{/each}}, …) leaves
 * no empty line behind.  A variable that is not set is an error naming the
 * template's file and line, so `check-config` finds typos.  Values are
 * inserted as they are (plain text); header values are made safe by
 * compose.c, which strips line breaks.  An HTML template (render_html,
 * render_string_html) gets every value escaped instead: & < > " ' become
 * entities, safe in element text and in quoted attribute values (not in
 * URLs, scripts or styles, where no template puts a value).
 */
#ifndef INCIDENT_RENDER_H
#define INCIDENT_RENDER_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/error.h"

struct tvars;

struct tvars *tvars_new(void);
void tvars_free(struct tvars *v);

/*
 * A new empty set that reads base where it has no entry of its own: the
 * variables many mails share, built once (issue 16: the render stage).
 * Setting a key sets it here only; base is never written and must outlive
 * the set.  tvars_free frees this set, not base.  NULL on out-of-memory.
 */
struct tvars *tvars_new_over(const struct tvars *base);

/* Sets key to a copy of value (NULL: the empty text).  0 or -1 (no memory). */
int tvars_set(struct tvars *v, const char *key, const char *value);
int tvars_setf(struct tvars *v, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Declares key as a list (empty until items are added) and appends a new
 * item to it; the item is owned by v.  NULL on out-of-memory.
 */
struct tvars *tvars_add_item(struct tvars *v, const char *key);
/* Declares key as an empty list (so {{#if key}} is false, not an error). */
int tvars_set_list(struct tvars *v, const char *key);

/*
 * Renders tmpl (NUL-terminated; name is used in errors, e.g. "ack.txt")
 * into a malloc'd string *out.  Errors (ERR_FATAL): unknown variable,
 * unbalanced or unknown block tag, each over a text — with "name:line".
 */
int render_string(const char *tmpl, const char *name, const struct tvars *vars,
		  char **out, struct error *err);

/* The same with every {{x}} value HTML-escaped (the template text is not). */
int render_string_html(const char *tmpl, const char *name, const struct tvars *vars,
		       char **out, struct error *err);

/*
 * Reads dir/file and renders it.  A mail template starts with header lines
 * ("Subject: …"), then an empty line, then the body: *subject and *body are
 * malloc'd (the caller frees both).
 */
int render_mail(const char *dir, const char *file, const struct tvars *vars,
		char **subject, char **body, struct error *err);

/*
 * Reads dir/file, an HTML document (no header lines: the whole file is the
 * part), and renders it with render_string_html into a malloc'd *html.
 */
int render_html(const char *dir, const char *file, const struct tvars *vars, char **html,
		struct error *err);

/*
 * A folder's templates read once into memory.  `run` pins the set it
 * checked (render_pin): render_mail/render_html for that folder then serve
 * the pinned texts, so an edit on disk takes effect only when a reload
 * (SIGHUP) has rendered it successfully.  Other folders, and every command
 * without a pinned set, read the files at each call.  The caller keeps a
 * pinned set alive until it pins another (or NULL).
 */
struct template_set;
int template_set_load(const char *dir, struct template_set **out, struct error *err);
void template_set_free(struct template_set *ts);
void render_pin(const struct template_set *ts);

/*
 * Whether render_mail/render_html would find dir/file now: in the pinned
 * set when it is dir's (a file added on disk since does not count until a
 * reload pins it), else on disk.  A caller that picks a template by what
 * exists (a notice's own draft or the general one) asks this, so that it
 * never picks a file the renderer will not serve.
 */
bool render_has(const char *dir, const char *file);

#endif
