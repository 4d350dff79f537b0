/* table.c — see table.h. */
#include "cli/table.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/termsafe.h"
#include "lib/utf8.h"

enum { GAP = 2, LAST_MIN = 12 };

struct cell {
	char *text;	/* one line, controls visible */
	size_t len, width;
};

struct table {
	struct table_col cols[TABLE_COLS_MAX];
	size_t n_cols;
	struct cell *cells;	/* n_rows * n_cols */
	size_t n_rows, cap_rows;
	bool header;
};

struct table *table_new(const struct table_col *cols, size_t n)
{
	struct table *t;
	size_t i;

	if (n == 0 || n > TABLE_COLS_MAX || !(t = calloc(1, sizeof *t)))
		return NULL;
	memcpy(t->cols, cols, n * sizeof *cols);
	t->n_cols = n;
	for (i = 0; i < n; i++)
		if (cols[i].title)
			t->header = true;
	return t;
}

/* s as one line with its controls visible, measured: 0 or -1. */
static int cell_make(const char *s, struct cell *c)
{
	struct buf line = { 0 }, safe = { 0 };
	size_t i;

	for (i = 0; s[i]; i++) {
		if (s[i] == '\r' || s[i] == '\n' || s[i] == '\t') {
			if (line.len && line.p[line.len - 1] != ' ')
				buf_addc(&line, ' ');
		} else {
			buf_addc(&line, s[i]);
		}
	}
	while (line.len && line.p[line.len - 1] == ' ')
		line.p[--line.len] = '\0';
	termsafe_escape(line.p ? line.p : "", line.len, 0, &safe);
	buf_release(&line);
	if (!(c->text = buf_take(&safe)))
		return -1;
	c->len = strlen(c->text);
	c->width = utf8_width(c->text, c->len);
	return 0;
}

int table_row(struct table *t, const char *const *cells)
{
	struct cell *row;
	size_t i;

	if (t->n_rows == t->cap_rows) {
		size_t cap = t->cap_rows ? t->cap_rows * 2 : 16;
		struct cell *grown = realloc(t->cells, cap * t->n_cols * sizeof *grown);

		if (!grown)
			return -1;
		t->cells = grown;
		t->cap_rows = cap;
	}
	row = t->cells + t->n_rows * t->n_cols;
	for (i = 0; i < t->n_cols; i++) {
		if (cell_make(cells[i] ? cells[i] : "-", &row[i]) < 0) {
			while (i-- > 0)
				free(row[i].text);
			return -1;
		}
	}
	t->n_rows++;
	return 0;
}

/* Appends text cut to cols columns, padded with spaces to pad columns. */
static void put(struct buf *line, const char *text, size_t len, size_t cols, size_t pad)
{
	size_t w = utf8_clip(text, len, cols, line);

	for (; w < pad; w++)
		buf_addc(line, ' ');
}

void table_print(const struct table *t, FILE *out, const char *indent, size_t line_cols)
{
	size_t width[TABLE_COLS_MAX], used, last, r, i;

	used = utf8_width(indent, strlen(indent));
	last = t->n_cols - 1;
	for (i = 0; i < t->n_cols; i++) {
		const char *title = t->cols[i].title ? t->cols[i].title : "";

		width[i] = t->header ? utf8_width(title, strlen(title)) : 0;
		for (r = 0; r < t->n_rows; r++)
			if (t->cells[r * t->n_cols + i].width > width[i])
				width[i] = t->cells[r * t->n_cols + i].width;
		if (t->cols[i].max && width[i] > t->cols[i].max)
			width[i] = t->cols[i].max;
		if (i < last)
			used += width[i] + GAP;
	}
	/* the last column: what its cells need, within its max and the line */
	if (line_cols) {
		size_t room = line_cols > used + LAST_MIN ? line_cols - used : LAST_MIN;

		if (width[last] > room)
			width[last] = room;
	}

	for (r = 0; r < t->n_rows + t->header; r++) {
		struct buf line = { 0 };

		buf_adds(&line, indent);
		for (i = 0; i < t->n_cols; i++) {
			const char *text;
			size_t len;

			if (t->header && r == 0) {
				text = t->cols[i].title ? t->cols[i].title : "";
				len = strlen(text);
			} else {
				const struct cell *c = &t->cells[(r - t->header) * t->n_cols + i];

				text = c->text;
				len = c->len;
			}
			put(&line, text, len, width[i], i == last ? 0 : width[i] + GAP);
		}
		while (line.len && line.p[line.len - 1] == ' ')
			line.p[--line.len] = '\0';
		if (line.p && !line.oom)
			fprintf(out, "%s\n", line.p);
		buf_release(&line);
	}
}

void table_free(struct table *t)
{
	size_t i;

	if (!t)
		return;
	for (i = 0; i < t->n_rows * t->n_cols; i++)
		free(t->cells[i].text);
	free(t->cells);
	free(t);
}
