/*
 * table.h — aligned columns for the terminal (issue 13, point 9): rows of
 * cells printed so that every column starts at the same column whatever
 * the script of the text — widths are display columns (lib/utf8.h: a
 * kanji takes two, a combining mark none), never bytes, and a cell too
 * wide for its column is cut on a character boundary with "…".
 *
 * Each cell is put on one line first (CR, LF and TAB become one space)
 * and its controls made visible (termsafe.h), so what is measured is
 * what the terminal will show.
 */
#ifndef INCIDENT_TABLE_H
#define INCIDENT_TABLE_H

#include <stddef.h>
#include <stdio.h>

struct table_col {
	const char *title;	/* the header line's; NULL in every column: no header */
	size_t max;		/* the column's widest, in columns; 0: no limit */
};

/*
 * A table of n columns (1..TABLE_COLS_MAX); cols is copied.  NULL when
 * memory ran out.  Release with table_free().
 */
#define TABLE_COLS_MAX 12
struct table *table_new(const struct table_col *cols, size_t n);

/* Adds a row of the table's n cells (a NULL cell prints as "-"); the
 * texts are copied.  0, or -1 when memory ran out (the table is kept). */
int table_row(struct table *t, const char *const *cells);

/*
 * Prints the header (if any) and the rows, each line starting with indent.
 * Every column but the last is as wide as its widest cell (up to its max)
 * and padded; columns are two spaces apart.  The last is not padded, and
 * when line_cols is not 0 it is cut so that the line fits in line_cols
 * columns (but never to fewer than 12).
 */
void table_print(const struct table *t, FILE *out, const char *indent, size_t line_cols);

void table_free(struct table *t);	/* NULL: nothing */

#endif
