/* GNU .mo message catalogues, language names and plural forms: see
 * catalog.h. The file format is GNU gettext's ("The Format of GNU MO
 * Files"): a header of seven 32-bit words in the writer's byte order (the
 * magic number tells which), then two tables of (length, offset) pairs,
 * the originals sorted by strcmp and their translations; every string
 * ends in a NUL not counted in its length, and the forms of a plural
 * translation follow each other, NUL-separated. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "catalog.h"

#define MO_MAGIC 0x950412deU
#define MO_MAGIC_SWAPPED 0xde120495U
#define MO_HEADER_SIZE 28
/* catalog_open tries at most this many files */
#define OPEN_TRIES_MAX 32

/* Plural-Forms: the expression as a tree of nodes, each node's operands
 * made (so numbered) before it; the parser recurses at most PLURAL_DEPTH
 * deep, the evaluation at most PLURAL_NODES. */
#define PLURAL_NODES 64
#define PLURAL_DEPTH 24
#define PLURAL_FORMS_MAX 16
#define PLURAL_LINE_MAX 512

enum plural_op {
	OP_NUM, OP_N, OP_NOT, OP_COND, OP_OR, OP_AND, OP_EQ, OP_NE, OP_LT, OP_GT, OP_LE, OP_GE,
	OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_MOD
};

struct plural_node {
	unsigned char op;
	unsigned char a, b, c;   /* operands: node indexes */
	unsigned long value;     /* OP_NUM */
};

struct catalog {
	unsigned char *data;
	size_t size;
	uint32_t count, originals, translations;  /* entries; the two tables' offsets */
	int swapped;                              /* written in the other byte order */
	unsigned long nplurals;                   /* 0: no usable Plural-Forms (English plurals) */
	unsigned root, nodes;
	struct plural_node plural[PLURAL_NODES];
};

/* ---- the file ---- */

static uint32_t
get32(const struct catalog *c, size_t off)
{
	uint32_t v;

	memcpy(&v, c->data + off, sizeof(v));
	return c->swapped ? __builtin_bswap32(v) : v;
}

/* Entry i of a table: the string and (len not NULL) its length. Only for
 * a catalogue that check_file accepted. */
static const char *
entry(const struct catalog *c, uint32_t table, uint32_t i, uint32_t *len)
{
	size_t at = (size_t)table + (size_t)i * 8;

	if (len != NULL)
		*len = get32(c, at);
	return (const char *)c->data + get32(c, at + 4);
}

static int
table_fits(const struct catalog *c, uint32_t table)
{
	return (uint64_t)table + (uint64_t)c->count * 8 <= c->size;
}

/* Entry i's string lies inside the file and ends in a NUL there. */
static int
entry_fits(const struct catalog *c, uint32_t table, uint32_t i)
{
	size_t at = (size_t)table + (size_t)i * 8;
	uint64_t end = (uint64_t)get32(c, at + 4) + get32(c, at);

	return end < c->size && c->data[end] == '\0';
}

/* The translation of msgid: its bytes and length (forms NUL-separated). */
static int
find(const struct catalog *c, const char *msgid, const char **text, uint32_t *len)
{
	uint32_t lo = 0, hi = c->count;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		int cmp = strcmp(msgid, entry(c, c->originals, mid, NULL));

		if (cmp == 0) {
			*text = entry(c, c->translations, mid, len);
			return 1;
		}
		if (cmp < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return 0;
}

static void read_plural_forms(struct catalog *c);

/* Every offset and length, and the order binary search needs. */
static int
check_file(struct catalog *c)
{
	uint32_t magic;

	if (c->size < MO_HEADER_SIZE || c->size > CATALOG_FILE_MAX)
		return -1;
	memcpy(&magic, c->data, sizeof(magic));
	if (magic != MO_MAGIC && magic != MO_MAGIC_SWAPPED)
		return -1;
	c->swapped = magic == MO_MAGIC_SWAPPED;
	if ((get32(c, 4) >> 16) > 1)  /* major revisions 0 and 1 only */
		return -1;
	c->count = get32(c, 8);
	c->originals = get32(c, 12);
	c->translations = get32(c, 16);
	if (c->count > CATALOG_ENTRIES_MAX || !table_fits(c, c->originals) ||
	    !table_fits(c, c->translations))
		return -1;
	for (uint32_t i = 0; i < c->count; i++) {
		if (!entry_fits(c, c->originals, i) || !entry_fits(c, c->translations, i))
			return -1;
		if (i > 0 && strcmp(entry(c, c->originals, i - 1, NULL),
				    entry(c, c->originals, i, NULL)) >= 0)
			return -1;
	}
	read_plural_forms(c);
	return 0;
}

/* Takes data (malloc'd): freed on failure. */
static struct catalog *
adopt(unsigned char *data, size_t size)
{
	struct catalog *c;

	if (data == NULL)
		return NULL;
	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		free(data);
		return NULL;
	}
	c->data = data;
	c->size = size;
	if (check_file(c) != 0) {
		catalog_close(c);
		return NULL;
	}
	return c;
}

struct catalog *
catalog_from_bytes(const void *data, size_t size)
{
	unsigned char *copy;

	if (size < MO_HEADER_SIZE || size > CATALOG_FILE_MAX || (copy = malloc(size)) == NULL)
		return NULL;
	memcpy(copy, data, size);
	return adopt(copy, size);
}

/* The whole of a regular file, read (not mapped: a file cut short while
 * mapped would kill the process with SIGBUS). O_NONBLOCK: a FIFO put
 * there must not hold up a login. */
struct catalog *
catalog_open_file(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	unsigned char *data = NULL;
	struct stat st;
	size_t got = 0;

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size >= MO_HEADER_SIZE &&
	    st.st_size <= CATALOG_FILE_MAX && (data = malloc((size_t)st.st_size)) != NULL) {
		while (got < (size_t)st.st_size) {
			ssize_t r = read(fd, data + got, (size_t)st.st_size - got);

			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				break;
			got += (size_t)r;
		}
		if (got != (size_t)st.st_size) {
			free(data);
			data = NULL;
		}
	}
	close(fd);
	return adopt(data, got);
}

void
catalog_close(struct catalog *c)
{
	if (c == NULL)
		return;
	free(c->data);
	free(c);
}

/* ---- Plural-Forms ---- */

struct parse {
	const char *s;
	struct catalog *c;
	int depth;
};

static void
skip_space(struct parse *p)
{
	while (*p->s == ' ' || *p->s == '\t')
		p->s++;
}

/* A new node; its index, or -1 when the tree is full. */
static int
node(struct parse *p, enum plural_op op, int a, int b, int c, unsigned long value)
{
	struct plural_node *x;

	if (p->c->nodes >= PLURAL_NODES)
		return -1;
	x = &p->c->plural[p->c->nodes];
	x->op = (unsigned char)op;
	x->a = (unsigned char)a;
	x->b = (unsigned char)b;
	x->c = (unsigned char)c;
	x->value = value;
	return (int)p->c->nodes++;
}

static int parse_cond(struct parse *p);

/* n, a number, ( EXPR ), or ! of one of them */
static int
parse_primary(struct parse *p)
{
	unsigned long v = 0;
	int r = -1;

	skip_space(p);
	if (*p->s == '!') {
		p->s++;
		if (++p->depth <= PLURAL_DEPTH)
			r = parse_primary(p);
		p->depth--;
		return r < 0 ? -1 : node(p, OP_NOT, r, 0, 0, 0);
	}
	if (*p->s == '(') {
		p->s++;
		r = parse_cond(p);
		skip_space(p);
		if (r < 0 || *p->s != ')')
			return -1;
		p->s++;
		return r;
	}
	if (*p->s == 'n') {
		p->s++;
		return node(p, OP_N, 0, 0, 0, 0);
	}
	if (*p->s < '0' || *p->s > '9')
		return -1;
	for (; *p->s >= '0' && *p->s <= '9'; p->s++) {
		unsigned long d = (unsigned long)(*p->s - '0');

		if (v > (ULONG_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	return node(p, OP_NUM, 0, 0, 0, v);
}

/* The binary operators by level, loosest first; the longer of two that
 * start alike first. */
static const struct {
	char text[3];
	unsigned char op, level;
} binary_ops[] = {
	{ "||", OP_OR, 0 }, { "&&", OP_AND, 1 }, { "==", OP_EQ, 2 }, { "!=", OP_NE, 2 },
	{ "<=", OP_LE, 3 }, { ">=", OP_GE, 3 }, { "<", OP_LT, 3 }, { ">", OP_GT, 3 },
	{ "+", OP_ADD, 4 }, { "-", OP_SUB, 4 }, { "*", OP_MUL, 5 }, { "/", OP_DIV, 5 },
	{ "%", OP_MOD, 5 },
};
#define LEVELS 6

/* Left-associative operators of one level over the next level's terms. */
static int
parse_level(struct parse *p, int level)
{
	int left;

	if (level == LEVELS)
		return parse_primary(p);
	left = parse_level(p, level + 1);
	while (left >= 0) {
		size_t i, len = 0;

		skip_space(p);
		for (i = 0; i < sizeof(binary_ops) / sizeof(binary_ops[0]); i++) {
			len = strlen(binary_ops[i].text);
			if (binary_ops[i].level == level && strncmp(p->s, binary_ops[i].text, len) == 0)
				break;
		}
		if (i == sizeof(binary_ops) / sizeof(binary_ops[0]))
			break;
		p->s += len;
		{
			int right = parse_level(p, level + 1);

			left = right < 0 ? -1 : node(p, binary_ops[i].op, left, right, 0, 0);
		}
	}
	return left;
}

/* TEST ? YES : NO (right-associative), or a term of the loosest level */
static int
parse_cond(struct parse *p)
{
	int test = -1, yes, no = -1;

	if (++p->depth <= PLURAL_DEPTH)
		test = parse_level(p, 0);
	skip_space(p);
	if (test >= 0 && *p->s == '?') {
		p->s++;
		yes = parse_cond(p);
		skip_space(p);
		if (yes >= 0 && *p->s == ':') {
			p->s++;
			no = parse_cond(p);
		}
		test = no < 0 ? -1 : node(p, OP_COND, test, yes, no, 0);
	}
	p->depth--;
	return test;
}

/* The value for n; -1 for a division by zero. Operands come before their
 * node, so the recursion is at most PLURAL_NODES deep. */
static int
eval(const struct catalog *c, unsigned i, unsigned long n, unsigned long *out)
{
	const struct plural_node *x = &c->plural[i];
	unsigned long a, b;

	switch (x->op) {
	case OP_NUM:
		*out = x->value;
		return 0;
	case OP_N:
		*out = n;
		return 0;
	case OP_NOT:
		if (eval(c, x->a, n, &a) != 0)
			return -1;
		*out = !a;
		return 0;
	case OP_COND:
		if (eval(c, x->a, n, &a) != 0)
			return -1;
		return eval(c, a ? x->b : x->c, n, out);
	case OP_AND:
	case OP_OR:
		if (eval(c, x->a, n, &a) != 0)
			return -1;
		if ((x->op == OP_AND) == !a) {  /* decided by the left side */
			*out = !!a;
			return 0;
		}
		if (eval(c, x->b, n, &b) != 0)
			return -1;
		*out = !!b;
		return 0;
	default:
		break;
	}
	if (eval(c, x->a, n, &a) != 0 || eval(c, x->b, n, &b) != 0)
		return -1;
	switch (x->op) {
	case OP_EQ: *out = a == b; break;
	case OP_NE: *out = a != b; break;
	case OP_LT: *out = a < b; break;
	case OP_GT: *out = a > b; break;
	case OP_LE: *out = a <= b; break;
	case OP_GE: *out = a >= b; break;
	case OP_ADD: *out = a + b; break;
	case OP_SUB: *out = a - b; break;
	case OP_MUL: *out = a * b; break;
	case OP_DIV:
	case OP_MOD:
		if (b == 0)
			return -1;
		*out = x->op == OP_DIV ? a / b : a % b;
		break;
	default:
		return -1;
	}
	return 0;
}

/* "nplurals=N; plural=EXPR;": c->nplurals stays 0 unless all is sound. */
static void
parse_plural_forms(struct catalog *c, const char *spec)
{
	const char *np = strstr(spec, "nplurals="), *pl = strstr(spec, "plural=");
	unsigned long nplurals = 0;
	struct parse p;
	int root;

	if (np == NULL || pl == NULL)
		return;
	for (np += strlen("nplurals="); *np >= '0' && *np <= '9' && nplurals <= PLURAL_FORMS_MAX;
	     np++)
		nplurals = nplurals * 10 + (unsigned long)(*np - '0');
	if (nplurals == 0 || nplurals > PLURAL_FORMS_MAX)
		return;
	p.s = pl + strlen("plural=");
	p.c = c;
	p.depth = 0;
	c->nodes = 0;
	root = parse_cond(&p);
	skip_space(&p);
	if (root < 0 || (*p.s != ';' && *p.s != '\0'))
		return;
	c->root = (unsigned)root;
	c->nplurals = nplurals;
}

/* From the header (the translation of ""): its Plural-Forms line, or
 * gettext's default (English's rule) when it has none. */
static void
read_plural_forms(struct catalog *c)
{
	char line[PLURAL_LINE_MAX];
	const char *header = NULL, *at = NULL;
	uint32_t len;
	size_t n;

	if (find(c, "", &header, &len))
		for (at = header; at != NULL; at = strchr(at, '\n'), at = at != NULL ? at + 1 : NULL)
			if (strncmp(at, "Plural-Forms:", strlen("Plural-Forms:")) == 0)
				break;
	if (header == NULL || at == NULL) {
		parse_plural_forms(c, "nplurals=2; plural=n != 1;");
		return;
	}
	at += strlen("Plural-Forms:");
	n = strcspn(at, "\n");
	if (n >= sizeof(line))
		return;
	memcpy(line, at, n);
	line[n] = '\0';
	parse_plural_forms(c, line);
}

/* ---- printf formats ---- */

#define FORMAT_ARGS_MAX 16
enum { CONV_NONE, CONV_INT, CONV_CHAR, CONV_STR, CONV_PTR, CONV_FLOAT };
#define TYPE_INT CONV_INT  /* a * width or precision: an int */

/* "N$" at *f: N, and *f moved past it; 0 (and *f unmoved) without one. */
static unsigned long
arg_number(const char **f)
{
	const char *s = *f;
	unsigned long v = 0;

	while (*s >= '0' && *s <= '9' && v <= FORMAT_ARGS_MAX)
		v = v * 10 + (unsigned long)(*s++ - '0');
	if (s == *f || *s != '$')
		return 0;
	*f = s + 1;
	return v == 0 ? FORMAT_ARGS_MAX + 1 : v;
}

/* Numbered (%1$s) and unnumbered arguments are not mixed. */
static int
same_style(int *style, unsigned long number)
{
	int want = number != 0 ? 2 : 1;

	if (*style != 0 && *style != want)
		return 0;
	*style = want;
	return 1;
}

/* Argument number (1-based) has type: the same as before, if any. */
static int
take(unsigned char *types, unsigned *count, unsigned long number, unsigned char type)
{
	if (number == 0 || number > FORMAT_ARGS_MAX ||
	    (types[number - 1] != 0 && types[number - 1] != type))
		return -1;
	types[number - 1] = type;
	if (number > *count)
		*count = (unsigned)number;
	return 0;
}

static int
length_modifier(const char **f)
{
	/* q is ll, Z is z */
	static const struct { char text[3]; unsigned char code; } mods[] = {
		{ "hh", 1 }, { "h", 2 }, { "ll", 3 }, { "l", 4 }, { "q", 3 }, { "L", 5 },
		{ "j", 6 }, { "z", 7 }, { "Z", 7 }, { "t", 8 },
	};

	for (size_t i = 0; i < sizeof(mods) / sizeof(mods[0]); i++) {
		size_t len = strlen(mods[i].text);

		if (strncmp(*f, mods[i].text, len) == 0) {
			*f += len;
			return mods[i].code;
		}
	}
	return 0;
}

static int
conversion(char c)
{
	if (c != '\0' && strchr("diouxX", c) != NULL)
		return CONV_INT;
	if (c != '\0' && strchr("eEfFgGaA", c) != NULL)
		return CONV_FLOAT;
	switch (c) {
	case 'c': return CONV_CHAR;
	case 's': return CONV_STR;
	case 'p': return CONV_PTR;
	case 'm': return CONV_NONE;  /* glibc: strerror(errno), no argument */
	default: return -1;          /* %n, and anything unknown */
	}
}

/* The types of the arguments format f takes, by number; -1 for what is
 * not understood. */
static int
format_args(const char *f, unsigned char types[FORMAT_ARGS_MAX], unsigned *count)
{
	unsigned long next = 0;
	int style = 0;

	memset(types, 0, FORMAT_ARGS_MAX);
	*count = 0;
	while ((f = strchr(f, '%')) != NULL) {
		unsigned long number, star;
		int len, conv;

		if (*++f == '%') {
			f++;
			continue;
		}
		number = arg_number(&f);
		if (!same_style(&style, number))
			return -1;
		f += strspn(f, "-+ #0'I");
		/* the width, then the precision: digits, or * taking an int */
		for (int part = 0; part < 2; part++) {
			if (part == 1) {
				if (*f != '.')
					break;
				f++;
			}
			if (*f != '*') {
				f += strspn(f, "0123456789");
				continue;
			}
			f++;
			star = arg_number(&f);
			if (!same_style(&style, star) ||
			    take(types, count, star != 0 ? star : ++next, TYPE_INT) != 0)
				return -1;
		}
		len = length_modifier(&f);
		conv = conversion(*f);
		if (conv < 0)
			return -1;
		f++;
		if (conv != CONV_NONE &&
		    take(types, count, number != 0 ? number : ++next,
			 (unsigned char)(len * 8 + conv)) != 0)
			return -1;
	}
	for (unsigned i = 0; i < *count; i++)
		if (types[i] == 0)  /* numbered, with a gap */
			return -1;
	return 0;
}

int
catalog_formats_match(const char *msgid, const char *translation)
{
	unsigned char a[FORMAT_ARGS_MAX], b[FORMAT_ARGS_MAX];
	unsigned na, nb;

	return format_args(msgid, a, &na) == 0 && format_args(translation, b, &nb) == 0 &&
	       na == nb && memcmp(a, b, na) == 0;
}

/* ---- looking up ---- */

/* Form k of msgid's translation, if it is there, not empty and takes the
 * arguments english takes; else english. */
static const char *
translate(const struct catalog *c, const char *msgid, unsigned long k, const char *english)
{
	const char *text, *end;
	uint32_t len;

	if (c == NULL || msgid[0] == '\0' || !find(c, msgid, &text, &len))
		return english;
	for (end = text + len; k > 0 && text < end; k--)
		text += strlen(text) + 1;
	if (text >= end || text[0] == '\0' || !catalog_formats_match(english, text))
		return english;
	return text;
}

const char *
catalog_gettext(const struct catalog *c, const char *msgid)
{
	return translate(c, msgid, 0, msgid);
}

const char *
catalog_ngettext(const struct catalog *c, const char *one, const char *many, unsigned long n)
{
	const char *english = n == 1 ? one : many;
	unsigned long k;

	if (c == NULL || c->nplurals == 0 || eval(c, c->root, n, &k) != 0 || k >= c->nplurals)
		return english;
	return translate(c, one, k, english);
}

/* ---- which catalogue ---- */

#define LETTERS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
#define ALNUM LETTERS "0123456789"

int
catalog_candidates(const char *name, char out[CATALOG_CANDIDATES_MAX][CATALOG_NAME_MAX])
{
	const char *s, *terr = NULL, *mod = NULL;
	size_t lang, terr_len = 0, mod_len = 0, len;
	int n = 0;

	if (name == NULL || strcmp(name, "POSIX") == 0)
		return 0;
	/* language[_TERRITORY][.codeset][@modifier]; "C" is one letter */
	lang = strspn(name, LETTERS);
	if (lang < 2 || lang > 8)
		return 0;
	s = name + lang;
	if (*s == '_' || *s == '-') {
		terr = s + 1;
		terr_len = strspn(terr, ALNUM);
		if (terr_len == 0 || terr_len > 8)
			return 0;
		s = terr + terr_len;
	}
	if (*s == '.') {
		len = strspn(s + 1, ALNUM "_-");
		if (len == 0 || len > 32)
			return 0;
		s += 1 + len;
	}
	if (*s == '@') {
		mod = s + 1;
		mod_len = strspn(mod, ALNUM "_-");
		if (mod_len == 0 || mod_len > 16)
			return 0;
		s = mod + mod_len;
	}
	if (*s != '\0')
		return 0;
	if (terr != NULL && mod != NULL)
		snprintf(out[n++], CATALOG_NAME_MAX, "%.*s_%.*s@%.*s", (int)lang, name,
			 (int)terr_len, terr, (int)mod_len, mod);
	if (terr != NULL)
		snprintf(out[n++], CATALOG_NAME_MAX, "%.*s_%.*s", (int)lang, name, (int)terr_len, terr);
	if (mod != NULL)
		snprintf(out[n++], CATALOG_NAME_MAX, "%.*s@%.*s", (int)lang, name, (int)mod_len, mod);
	snprintf(out[n++], CATALOG_NAME_MAX, "%.*s", (int)lang, name);
	return n;
}

struct catalog *
catalog_open(const char *localedir, const char *domain, const char *languages)
{
	char names[CATALOG_CANDIDATES_MAX][CATALOG_NAME_MAX], one[CATALOG_NAME_MAX], path[PATH_MAX];
	const char *s = languages;
	struct catalog *c;
	int tries = 0;

	if (localedir == NULL || domain == NULL || s == NULL)
		return NULL;
	while (*s != '\0' && tries < OPEN_TRIES_MAX) {
		size_t len = strcspn(s, ":");
		int n = 0;

		if (len < sizeof(one)) {
			memcpy(one, s, len);
			one[len] = '\0';
			n = catalog_candidates(one, names);
		}
		for (int i = 0; i < n && tries < OPEN_TRIES_MAX; i++, tries++) {
			int w = snprintf(path, sizeof(path), "%s/%s/LC_MESSAGES/%s.mo", localedir,
					 names[i], domain);

			if (w > 0 && (size_t)w < sizeof(path) && (c = catalog_open_file(path)) != NULL)
				return c;
		}
		s += len;
		if (*s == ':')
			s++;
	}
	return NULL;
}

const char *
catalog_languages(const char *configured, const char *(*get)(void *ctx, const char *name),
		  void *ctx)
{
	static const char *const vars[] = { "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG" };

	if (configured != NULL && configured[0] != '\0')
		return configured;
	for (size_t i = 0; get != NULL && i < sizeof(vars) / sizeof(vars[0]); i++) {
		const char *v = get(ctx, vars[i]);

		if (v != NULL && v[0] != '\0')
			return v;
	}
	return NULL;
}
