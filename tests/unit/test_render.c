/* test_render.c — the template engine: variables, conditionals, loops, errors. */
#include <stdlib.h>
#include <string.h>

#include "render.h"
#include "test.h"

static struct tvars *sample(void)
{
	struct tvars *v = tvars_new(), *item;

	tvars_set(v, "id", "INC-2026-0001");
	tvars_set(v, "name", "山田 太郎");
	tvars_set(v, "empty", "");
	item = tvars_add_item(v, "people");
	tvars_set(item, "name", "北垣");
	tvars_set(item, "phone", "070");
	item = tvars_add_item(v, "people");
	tvars_set(item, "name", "伊藤");
	tvars_set(item, "phone", "");
	tvars_set_list(v, "none");
	return v;
}

static void render_ok(const char *tmpl, const char *want, const char *what)
{
	struct tvars *v = sample();
	struct error err = { 0 };
	char *out = NULL;

	if (render_string(tmpl, "t.txt", v, &out, &err) < 0)
		printf("#   error: %s\n", err.msg);
	CHECK_STR(out, want, what);
	free(out);
	tvars_free(v);
}

static void render_bad(const char *tmpl, const char *want, const char *what)
{
	struct tvars *v = sample();
	struct error err = { 0 };
	char *out = NULL;
	int rc = render_string(tmpl, "t.txt", v, &out, &err);

	CHECK(rc < 0 && out == NULL, what);
	CHECK(strstr(err.msg, want) != NULL, "  ... and the error names the place");
	if (!strstr(err.msg, want))
		printf("#   got \"%s\", want \"%s\"\n", err.msg, want);
	free(out);
	tvars_free(v);
}

int main(void)
{
	render_ok("ID {{id}} / {{ name }}", "ID INC-2026-0001 / 山田 太郎", "variables, spaces inside braces");
	render_ok("no tags at all\n", "no tags at all\n", "plain text passes through");
	render_ok("{{#if name}}yes{{else}}no{{/if}}", "yes", "if: true branch");
	render_ok("{{#if empty}}yes{{else}}no{{/if}}", "no", "if: empty text is false");
	render_ok("{{#if none}}yes{{else}}no{{/if}}", "no", "if: empty list is false");
	render_ok("{{#if people}}yes{{/if}}", "yes", "if: non-empty list is true");
	render_ok("{{#each people}}[{{name}}:{{id}}]{{/each}}",
		  "[北垣:INC-2026-0001][伊藤:INC-2026-0001]", "each: items, and outer names visible");
	render_ok("{{#each people}}{{name}}{{#if phone}} ({{phone}}){{/if}};{{/each}}",
		  "北垣 (070);伊藤;", "if nested in each uses the item");
	render_ok("a\n{{#each people}}\n- {{name}}\n{{/each}}\nb\n", "a\n- 北垣\n- 伊藤\nb\n",
		  "lone block tags leave no empty lines");
	render_ok("a\n  {{#if name}}\n  x\n  {{/if}}\nb", "a\n  x\nb", "indented lone tags too");
	render_ok("{{! a comment }}x", "x", "comments vanish");
	render_ok("{{#each none}}{{nosuch}}{{/each}}ok", "ok", "an empty loop is not rendered");
	render_ok("{{#if empty}}{{nosuch}}{{/if}}ok", "ok", "a branch not taken is not rendered");

	render_bad("line 1\nline 2 {{nosuch}}", "t.txt:2: unknown variable \"nosuch\"",
		   "unknown variable is an error");
	render_bad("{{#if name}}x", "missing {{/if}}", "unclosed if");
	render_bad("x{{/each}}", "t.txt:1: unexpected {{/each}}", "stray close");
	render_bad("{{#if name}}{{/each}}", "unexpected {{/each}}", "mismatched close");
	render_bad("{{#loop x}}", "unknown block tag", "unknown block tag");
	render_bad("{{id", "without \"}}\"", "unterminated tag");
	render_bad("{{people}}", "is a list", "a list used as text");
	render_bad("{{#each name}}{{/each}}", "is not a list", "text used as a list");
	render_bad("{{#if name}}{{else}}{{else}}{{/if}}", "second {{else}}", "two elses");
	render_bad("{{bad name}}", "bad variable name", "a name with a space");
	return test_done();
}
