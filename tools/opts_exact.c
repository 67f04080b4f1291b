/* Exact long options: see opts_exact.h. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "opts_exact.h"
#include "text.h"

static const struct option *
find_exact(const struct option *table, const char *name, size_t len)
{
	for (const struct option *o = table; o->name != NULL; o++)
		if (strlen(o->name) == len && strncmp(o->name, name, len) == 0)
			return o;
	return NULL;
}

int
opts_exact_check(const char *prog, int argc, char **argv, const struct option *table)
{
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i], *name, *eq;
		const struct option *o;
		size_t len;

		if (strcmp(arg, "--") == 0)
			break;
		if (strncmp(arg, "--", 2) != 0)
			continue;
		name = arg + 2;
		eq = strchr(name, '=');
		len = eq != NULL ? (size_t)(eq - name) : strlen(name);
		o = find_exact(table, name, len);
		if (o == NULL) {
			/* escaped: the word may come from a file (xargs) */
			char word[128], shown[4 * sizeof(word)];

			snprintf(word, sizeof(word), "%.*s", (int)len, name);
			fprintf(stderr, "%s: unknown option '--%s'\n", prog,
				text_escape(word, shown, sizeof(shown)));
			fprintf(stderr, "Try '%s --help'.\n", prog);
			return -1;
		}
		if (eq == NULL && o->has_arg == required_argument)
			i++;  /* its value, whatever it looks like */
	}
	return 0;
}
