/* test_render.c — the template engine: variables, conditionals, loops,
 * errors, and the HTML mode that escapes every value. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "outbox/render.h"
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

static void html_ok(const char *value, const char *tmpl, const char *want, const char *what)
{
	struct tvars *v = sample();
	struct error err = { 0 };
	char *out = NULL;

	tvars_set(v, "x", value);
	if (render_string_html(tmpl, "t.html", v, &out, &err) < 0)
		printf("#   error: %s\n", err.msg);
	CHECK_STR(out, want, what);
	free(out);
	tvars_free(v);
}

/* The HTML mode: values escaped, the template's own markup not. */
static void test_html(void)
{
	static char dir[] = "/tmp/ib-test-render-XXXXXX";
	struct tvars *v = sample();
	struct error err = { 0 };
	char path[256], *out = NULL, *subject = NULL, *body = NULL;
	FILE *f;

	html_ok("<script>alert('x')</script>", "<p>{{x}}</p>",
		"<p>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;</p>",
		"html: a tag in a value is text");
	html_ok("\" onmouseover=\"x", "<td title=\"{{x}}\">", "<td title=\"&quot; onmouseover=&quot;x\">",
		"html: a value cannot end a quoted attribute");
	html_ok("a & b &amp; c", "{{x}}", "a &amp; b &amp;amp; c", "html: & is escaped, even in an entity");
	html_ok("山田 <b>", "{{#if x}}<b>{{x}}</b>{{/if}}", "<b>山田 &lt;b&gt;</b>",
		"html: UTF-8 passes, markup of the template stays");
	html_ok("", "{{#each people}}<i>{{name}}</i>{{/each}}", "<i>北垣</i><i>伊藤</i>",
		"html: inside each too");
	html_ok("", "&nbsp;{{empty}}<br>", "&nbsp;<br>", "html: the template's entities are kept");
	render_ok("{{id}} <b>&</b>", "INC-2026-0001 <b>&</b>", "plain mode still leaves values alone");
	tvars_set(v, "x", "<b>");
	CHECK(render_string_html("{{nosuch}}", "t.html", v, &out, &err) < 0 &&
	      strstr(err.msg, "t.html:1: unknown variable") != NULL,
	      "html: errors name the file and line as ever");

	/* render_html reads a whole file (no header section). */
	if (!mkdtemp(dir))
		return;
	snprintf(path, sizeof path, "%s/a.html", dir);
	f = fopen(path, "w");
	fputs("<!DOCTYPE html>\n<p>{{x}}</p>\n", f);
	fclose(f);
	CHECK_INT(render_html(dir, "a.html", v, &out, &err), 0, "render_html reads a file");
	CHECK_STR(out, "<!DOCTYPE html>\n<p>&lt;b&gt;</p>\n", "... and escapes its values");
	free(out);
	CHECK_INT(render_html(dir, "missing.html", v, &out, &err), -1, "a missing file is an error");
	CHECK(out == NULL && strstr(err.msg, "missing.html") != NULL, "... naming it");
	snprintf(path, sizeof path, "%s/m.txt", dir);
	f = fopen(path, "w");
	fputs("Subject: {{x}}\n\n{{x}}\n", f);
	fclose(f);
	CHECK_INT(render_mail(dir, "m.txt", v, &subject, &body, &err), 0, "render_mail still works");
	CHECK_STR(body, "<b>\n", "... and leaves a text mail unescaped");
	free(subject);
	free(body);
	unlink(path);
	snprintf(path, sizeof path, "%s/a.html", dir);
	unlink(path);
	rmdir(dir);
	tvars_free(v);
}

static void put(const char *dir, const char *file, const char *text)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, file);
	if ((f = fopen(path, "w"))) {
		fputs(text, f);
		fclose(f);
	}
}

/*
 * render_has follows what the renderer serves: the pinned set for its
 * folder (a file added on disk afterwards is not there, a file removed
 * still is), the disk for any other folder (issue 15: notice drafts were
 * chosen by the disk while `run` rendered from its pinned set).
 */
static void test_has(void)
{
	char dir[] = "/tmp/ib-test-render-has-XXXXXX", other[] = "/tmp/ib-test-render-other-XXXXXX";
	char path[4096];
	struct error err = { 0 };
	struct template_set *ts = NULL;
	struct tvars *v = tvars_new();
	char *subject = NULL, *body = NULL;

	if (!mkdtemp(dir) || !mkdtemp(other))
		return;
	put(dir, "draft.txt", "Subject: general\n\nbody\n");
	put(dir, "gone.txt", "Subject: gone\n\nbody\n");
	put(other, "x.txt", "Subject: x\n\nbody\n");
	CHECK(render_has(dir, "draft.txt") && !render_has(dir, "draft-amazon.txt"),
	      "render_has without a pinned set: the disk");
	CHECK_INT(template_set_load(dir, &ts, &err), 0, "a set is loaded");
	render_pin(ts);
	put(dir, "draft-amazon.txt", "Subject: new\n\nbody\n");
	snprintf(path, sizeof path, "%s/gone.txt", dir);
	unlink(path);
	CHECK(!render_has(dir, "draft-amazon.txt"), "pinned: a file added on disk since is not there");
	CHECK(render_mail(dir, "draft-amazon.txt", v, &subject, &body, &err) < 0,
	      "... and render_mail agrees (it would not serve it)");
	free(subject);
	free(body);
	CHECK(render_has(dir, "gone.txt") && render_has(dir, "draft.txt"),
	      "pinned: the loaded files are there, even one removed from disk since");
	CHECK(render_has(other, "x.txt") && !render_has(other, "y.txt"),
	      "pinned: another folder is still read from disk");
	render_pin(NULL);
	CHECK(render_has(dir, "draft-amazon.txt") && !render_has(dir, "gone.txt"),
	      "unpinned: the disk again");
	template_set_free(ts);
	tvars_free(v);
	snprintf(path, sizeof path, "rm -rf '%s' '%s'", dir, other);
	if (system(path) != 0)
		CHECK(0, "the temporary folders are removed");
}

/* Issue 16: a set over a shared one reads it, and writes only itself. */
static void test_over(void)
{
	static const char tmpl[] = "{{id}} {{name}} [{{#each people}}{{name}};{{/each}}]";
	struct tvars *base = sample(), *v = tvars_new_over(base), *w, *item;
	struct error err = { 0 };
	char *out = NULL;
	int i;

	CHECK(render_string(tmpl, "t.txt", v, &out, &err) == 0 &&
	      strcmp(out, "INC-2026-0001 山田 太郎 [北垣;伊藤;]") == 0,
	      "a set over another reads its variables and lists");
	free(out);
	tvars_set(v, "name", "佐藤");
	item = tvars_add_item(v, "people");
	tvars_set(item, "name", "渡部");
	CHECK(render_string(tmpl, "t.txt", v, &out, &err) == 0 &&
	      strcmp(out, "INC-2026-0001 佐藤 [北垣;伊藤;渡部;]") == 0,
	      "... a value set on it hides the shared one, and an item is added to a copy of "
	      "the shared list");
	free(out);
	CHECK(render_string(tmpl, "t.txt", base, &out, &err) == 0 &&
	      strcmp(out, "INC-2026-0001 山田 太郎 [北垣;伊藤;]") == 0,
	      "... the shared set is unchanged");
	free(out);
	/* many sets over one, freed one by one: the shared one lives on */
	for (i = 0; i < 100; i++) {
		w = tvars_new_over(base);
		tvars_setf(w, "id", "INC-2026-%04d", i);
		tvars_free(w);
	}
	tvars_free(v);
	CHECK(render_string(tmpl, "t.txt", base, &out, &err) == 0 &&
	      strcmp(out, "INC-2026-0001 山田 太郎 [北垣;伊藤;]") == 0,
	      "... and outlives the sets over it");
	free(out);
	tvars_free(base);
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
	test_html();
	test_has();
	test_over();
	return test_done();
}
