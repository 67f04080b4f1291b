/* The power-cut explorer's state builder (tests/powercut.sh): from a
 * trace of file-system calls (tests/shims/powercut_recorder.c) and the files the
 * directory held before it, write out every distinct directory a power
 * cut at any point of the trace could leave, under this model (the one
 * tests/powercut.sh and HACKING.md state):
 *
 * - A cut falls between two recorded calls (a call cut in the middle is
 *   covered by the loss and tearing below). Every point is explored.
 * - Data: a write to a file is durable once an fsync or fdatasync of that
 *   file follows it. A write not yet synced may be lost; each write is cut
 *   at the 512-byte sector boundaries of the file, and each piece persists
 *   or not independently of every other piece (so a write larger than a
 *   sector can be torn, and unsynced writes are lost in any combination).
 *   A file's size is what its persisted pieces reach; a hole reads zeros.
 * - Names and inode metadata (create, rename, link, unlink, mkdir, chmod,
 *   chown) go through one ordered journal, as on ext4: what persists is a
 *   prefix of them in call order, any prefix from the last one that a sync
 *   made durable to all of them. An fsync of the directory makes every
 *   earlier one durable; an fsync of a file makes its own create, chmod and
 *   chown durable (with all before them); an fdatasync makes none.
 * - Data and journal are independent: a rename may persist while the data
 *   written to the renamed file before it does not, unless a sync ordered
 *   them.
 *
 * usage: powercut_states SNAPSHOT_DIR TRACE OUT_DIR
 *   SNAPSHOT_DIR  a copy of the directory as it was when the trace began
 *                 (its files are durable); the trace's "init INO NAME"
 *                 lines say which inode each name had (none: it was
 *                 empty)
 *   TRACE         the recorder's lines, with the test's own "begin LABEL"
 *                 and "done LABEL" around each operation ("done": the
 *                 program reported the operation finished)
 *   OUT_DIR       gets one directory per distinct state, OUT_DIR/sNNNNN
 * Prints "state sNNNNN point=K done=LABEL flight=LABEL[,LABEL...]|-" for
 * each state written (done: the last operation reported finished; flight:
 * the one under way at the cut, after any begun since and never done, as
 * a killed one), then per operation "op LABEL points=N states=N
 * distinct=N" (the points inside it and the one just after it). Exits 1 on
 * a trace it cannot model (an "unsupported" line, an unknown inode). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#define SECTOR 512
#define MAX_UNITS 16            /* 65536 subsets at one point, at most */
#define MAX_NAMES 64

enum kind {
	OP_CREATE, OP_WRITE, OP_FSYNC, OP_FDATASYNC, OP_DIRSYNC, OP_CHMOD, OP_CHOWN,
	OP_RENAME, OP_LINK, OP_UNLINK, OP_MKDIR, OP_BEGIN, OP_DONE
};

struct op {
	enum kind kind;
	int file;               /* index into files, or -1 */
	char *a, *b;            /* names, or the label */
	long long off;
	size_t len;
	unsigned char *data;
	unsigned mode, uid, gid;
};

struct file {
	unsigned long long ino;
	unsigned char *data;    /* what the snapshot held (init files) */
	size_t len;
	unsigned mode, uid, gid;
};

static struct op *ops;
static size_t n_ops;
static struct file *files;
static size_t n_files;

struct entry {
	char *name;
	int file;               /* -1: a directory made by mkdir */
};
struct group {
	char *label;
	unsigned long points, states, distinct;
};
static struct group groups[64];
static size_t n_groups;
static uint64_t *seen;
static size_t n_seen, cap_seen;
static unsigned long n_written;

/* what, then arg (may be empty), and exit 1 */
static void
die(const char *what, const char *arg)
{
	fprintf(stderr, "powercut_states: %s%s\n", what, arg);
	exit(1);
}

static void *
xrealloc(void *p, size_t n)
{
	p = realloc(p, n == 0 ? 1 : n);
	if (p == NULL)
		die("", "out of memory");
	return p;
}

static char *
xstrdup(const char *s)
{
	char *d = strdup(s);

	if (d == NULL)
		die("", "out of memory");
	return d;
}

/* the newest file object with this inode number: a number freed and used
 * again later in the trace names the newer file from its create on */
static int
file_of(unsigned long long ino)
{
	for (size_t i = n_files; i-- > 0;)
		if (files[i].ino == ino)
			return (int)i;
	return -1;
}

static int
new_file(unsigned long long ino)
{
	files = xrealloc(files, (n_files + 1) * sizeof(*files));
	memset(&files[n_files], 0, sizeof(*files));
	files[n_files].ino = ino;
	return (int)n_files++;
}

static int
known_file(unsigned long long ino, const char *line)
{
	int f = file_of(ino);

	if (f < 0)
		die("trace names an inode it never opened: ", line);
	return f;
}

static void
read_snapshot_file(int f, const char *dir, const char *name)
{
	char path[8192];
	struct stat st;
	FILE *in;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	in = fopen(path, "rb");
	if (in == NULL || fstat(fileno(in), &st) != 0 || !S_ISREG(st.st_mode))
		die("cannot read the snapshot's ", path);
	files[f].len = (size_t)st.st_size;
	files[f].data = xrealloc(NULL, files[f].len);
	if (fread(files[f].data, 1, files[f].len, in) != files[f].len)
		die("short read of ", path);
	fclose(in);
	files[f].mode = st.st_mode & 07777;
	files[f].uid = st.st_uid;
	files[f].gid = st.st_gid;
}

static unsigned char *
unhex(const char *hex, size_t len)
{
	unsigned char *out = xrealloc(NULL, len);

	if (strlen(hex) != 2 * len)
		die("a write's data does not match its length: ", hex);
	for (size_t i = 0; i < len; i++) {
		unsigned v;

		if (sscanf(hex + 2 * i, "%2x", &v) != 1)
			die("bad hex in a write: ", hex);
		out[i] = (unsigned char)v;
	}
	return out;
}

static struct op *
add_op(enum kind kind)
{
	ops = xrealloc(ops, (n_ops + 1) * sizeof(*ops));
	memset(&ops[n_ops], 0, sizeof(*ops));
	ops[n_ops].kind = kind;
	ops[n_ops].file = -1;
	return &ops[n_ops++];
}

/* init names are kept apart: they make the starting directory */
static struct entry init_names[MAX_NAMES];
static size_t n_init;

static void
read_trace(const char *path, const char *snapshot)
{
	FILE *in = fopen(path, "r");
	char *line = NULL, word[32], a[4096], b[4096];
	size_t cap = 0;
	ssize_t n;

	if (in == NULL)
		die("cannot open the trace ", path);
	while ((n = getline(&line, &cap, in)) > 0) {
		unsigned long long ino;
		unsigned u1, u2, u3;
		long long off, len;
		struct op *op;

		if (line[n - 1] == '\n')
			line[n - 1] = '\0';
		if (sscanf(line, "%31s", word) != 1)
			continue;
		if (strcmp(word, "init") == 0 && sscanf(line, "init %llu %4095s", &ino, a) == 2) {
			if (n_init == MAX_NAMES)
				die("", "too many names");
			init_names[n_init].name = xstrdup(a);
			init_names[n_init].file = new_file(ino);
			read_snapshot_file(init_names[n_init++].file, snapshot, a);
		} else if (strcmp(word, "begin") == 0 || strcmp(word, "done") == 0) {
			op = add_op(word[0] == 'b' ? OP_BEGIN : OP_DONE);
			op->a = xstrdup(line + strlen(word) + 1);
		} else if (strcmp(word, "create") == 0 &&
			   sscanf(line, "create %llu %4095s %u %u %o", &ino, a, &u1, &u2, &u3) == 5) {
			op = add_op(OP_CREATE);
			op->file = new_file(ino);
			op->a = xstrdup(a);
			files[op->file].uid = u1;
			files[op->file].gid = u2;
			files[op->file].mode = u3;
		} else if (strcmp(word, "open") == 0 && sscanf(line, "open %llu", &ino) == 1) {
			(void)known_file(ino, line);
		} else if (strcmp(word, "write") == 0 &&
			   sscanf(line, "write %llu %lld %lld %4095s", &ino, &off, &len, a) >= 3) {
			const char *hex = strrchr(line, ' ') + 1;

			op = add_op(OP_WRITE);
			op->file = known_file(ino, line);
			if (off < 0 || len <= 0)
				die("a write without an offset: ", line);
			op->off = off;
			op->len = (size_t)len;
			op->data = unhex(hex, op->len);
		} else if ((strcmp(word, "fsync") == 0 || strcmp(word, "fdatasync") == 0) &&
			   sscanf(line, "%*s %llu", &ino) == 1) {
			op = add_op(word[1] == 's' ? OP_FSYNC : OP_FDATASYNC);
			op->file = known_file(ino, line);
		} else if (strcmp(word, "dirsync") == 0) {
			(void)add_op(OP_DIRSYNC);
		} else if (strcmp(word, "chmod") == 0 && sscanf(line, "chmod %llu %o", &ino, &u1) == 2) {
			op = add_op(OP_CHMOD);
			op->file = known_file(ino, line);
			op->mode = u1;
		} else if (strcmp(word, "chown") == 0 &&
			   sscanf(line, "chown %llu %u %u", &ino, &u1, &u2) == 3) {
			op = add_op(OP_CHOWN);
			op->file = known_file(ino, line);
			op->uid = u1;
			op->gid = u2;
		} else if ((strcmp(word, "rename") == 0 || strcmp(word, "link") == 0) &&
			   sscanf(line, "%*s %4095s %4095s", a, b) == 2) {
			op = add_op(word[0] == 'r' ? OP_RENAME : OP_LINK);
			op->a = xstrdup(a);
			op->b = xstrdup(b);
		} else if ((strcmp(word, "unlink") == 0 || strcmp(word, "mkdir") == 0) &&
			   sscanf(line, "%*s %4095s", a) == 1) {
			op = add_op(word[0] == 'u' ? OP_UNLINK : OP_MKDIR);
			op->a = xstrdup(a);
		} else if (strcmp(word, "close") == 0 || strcmp(word, "diropen") == 0 ||
			   strcmp(word, "killed") == 0) {
			/* no effect on what persists */
		} else {
			die("cannot model this trace line: ", line);
		}
	}
	free(line);
	fclose(in);
}

static int
is_journal(enum kind k)
{
	return k == OP_CREATE || k == OP_CHMOD || k == OP_CHOWN || k == OP_RENAME ||
	       k == OP_LINK || k == OP_UNLINK || k == OP_MKDIR;
}

/* ---- one state: names, and each named file's bytes ---- */
struct state {
	struct entry names[MAX_NAMES];
	size_t n_names;
	unsigned *mode, *uid, *gid;     /* per file */
	unsigned char **data;
	size_t *len;
};

static int
name_index(struct state *s, const char *name)
{
	for (size_t i = 0; i < s->n_names; i++)
		if (strcmp(s->names[i].name, name) == 0)
			return (int)i;
	return -1;
}

static void
set_name(struct state *s, const char *name, int file)
{
	int i = name_index(s, name);

	if (i < 0) {
		if (s->n_names == MAX_NAMES)
			die("", "too many names");
		i = (int)s->n_names++;
		s->names[i].name = (char *)name;
	}
	s->names[i].file = file;
}

static void
drop_name(struct state *s, const char *name)
{
	int i = name_index(s, name);

	if (i >= 0)
		s->names[i] = s->names[--s->n_names];
}

static void
apply_journal(struct state *s, const struct op *op)
{
	int i;

	switch (op->kind) {
	case OP_CREATE: set_name(s, op->a, op->file); break;
	case OP_MKDIR: set_name(s, op->a, -1); break;
	case OP_CHMOD: s->mode[op->file] = op->mode; break;
	case OP_CHOWN: s->uid[op->file] = op->uid; s->gid[op->file] = op->gid; break;
	case OP_UNLINK: drop_name(s, op->a); break;
	case OP_RENAME:
	case OP_LINK:
		i = name_index(s, op->a);
		if (i < 0)
			die("the journal renames or links a name it never made: ", op->a);
		set_name(s, op->b, s->names[i].file);
		if (op->kind == OP_RENAME)
			drop_name(s, op->a);
		break;
	default: break;
	}
}

static void
put_bytes(struct state *s, int f, long long off, const unsigned char *data, size_t len)
{
	size_t end = (size_t)off + len;

	if (end > s->len[f]) {
		s->data[f] = xrealloc(s->data[f], end);
		memset(s->data[f] + s->len[f], 0, end - s->len[f]);
		s->len[f] = end;
	}
	memcpy(s->data[f] + off, data, len);
}

static uint64_t
fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *c = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ c[i]) * 1099511628211ULL;
	return h;
}

static int
by_name(const void *x, const void *y)
{
	return strcmp(((const struct entry *)x)->name, ((const struct entry *)y)->name);
}

static uint64_t
state_hash(struct state *s, const char *done, const char *flight)
{
	uint64_t h = 14695981039346656037ULL;

	h = fnv(h, done, strlen(done) + 1);
	h = fnv(h, flight, strlen(flight) + 1);
	qsort(s->names, s->n_names, sizeof(s->names[0]), by_name);
	for (size_t i = 0; i < s->n_names; i++) {
		int f = s->names[i].file;

		h = fnv(h, s->names[i].name, strlen(s->names[i].name) + 1);
		if (f < 0)
			continue;
		h = fnv(h, &s->mode[f], sizeof(unsigned));
		h = fnv(h, &s->uid[f], sizeof(unsigned));
		h = fnv(h, &s->gid[f], sizeof(unsigned));
		h = fnv(h, &s->len[f], sizeof(size_t));
		h = fnv(h, s->data[f], s->len[f]);
	}
	return h;
}

static int
already_seen(uint64_t h)
{
	for (size_t i = 0; i < n_seen; i++)
		if (seen[i] == h)
			return 1;
	if (n_seen == cap_seen) {
		cap_seen = cap_seen ? 2 * cap_seen : 256;
		seen = xrealloc(seen, cap_seen * sizeof(*seen));
	}
	seen[n_seen++] = h;
	return 0;
}

static void
write_state(struct state *s, const char *out, unsigned long id)
{
	char dir[4096], path[8192];

	snprintf(dir, sizeof(dir), "%s/s%05lu", out, id);
	if (mkdir(dir, 0700) != 0)
		die("cannot make ", dir);
	for (size_t i = 0; i < s->n_names; i++) {
		int f = s->names[i].file, fd;

		snprintf(path, sizeof(path), "%s/%s", dir, s->names[i].name);
		if (f < 0) {
			if (mkdir(path, 0700) != 0)
				die("cannot make ", path);
			continue;
		}
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0 || (s->len[f] > 0 && write(fd, s->data[f], s->len[f]) != (ssize_t)s->len[f]) ||
		    fchown(fd, s->uid[f], s->gid[f]) != 0 || fchmod(fd, s->mode[f]) != 0 ||
		    close(fd) != 0)
			die("cannot write ", path);
	}
}

struct unit {
	size_t op;
	long long off;
	size_t len;
	const unsigned char *data;
};

static struct group *
group_of(const char *label)
{
	for (size_t i = 0; i < n_groups; i++)
		if (strcmp(groups[i].label, label) == 0)
			return &groups[i];
	if (n_groups == sizeof(groups) / sizeof(groups[0]))
		die("", "too many operations");
	groups[n_groups].label = xstrdup(label);
	return &groups[n_groups++];
}

/* every state a cut after the first k ops can leave */
static void
explore_point(size_t k, const char *done, const char *flight, const char *out)
{
	size_t *last_sync = calloc(n_files, sizeof(size_t)); /* index + 1 */
	size_t forced = 0, n_journal = 0, n_units = 0;
	size_t *journal = xrealloc(NULL, (k + 1) * sizeof(size_t));
	struct unit units[MAX_UNITS];
	const char *last = strrchr(flight, ',');
	struct group *g = group_of(strcmp(flight, "-") == 0 ? done : last != NULL ? last + 1 : flight);
	struct state s;

	if (last_sync == NULL)
		die("", "out of memory");
	for (size_t i = 0; i < k; i++) {
		const struct op *op = &ops[i];

		if (is_journal(op->kind))
			journal[n_journal++] = i;
		if (op->kind == OP_FSYNC || op->kind == OP_FDATASYNC)
			last_sync[op->file] = i + 1;
		if (op->kind == OP_DIRSYNC)
			forced = n_journal;
		if (op->kind == OP_FSYNC)
			for (size_t j = 0; j < n_journal; j++)
				if (ops[journal[j]].file == op->file && j + 1 > forced)
					forced = j + 1;
	}
	for (size_t i = 0; i < k; i++) {
		const struct op *op = &ops[i];

		if (op->kind != OP_WRITE || i + 1 <= last_sync[op->file])
			continue;
		/* pending: cut at sector boundaries */
		for (long long at = op->off; at < op->off + (long long)op->len;) {
			long long end = (at / SECTOR + 1) * SECTOR;

			if (end > op->off + (long long)op->len)
				end = op->off + (long long)op->len;
			if (n_units == MAX_UNITS)
				die("", "too many unsynced sectors at one point");
			units[n_units].op = i;
			units[n_units].off = at;
			units[n_units].len = (size_t)(end - at);
			units[n_units].data = op->data + (at - op->off);
			n_units++;
			at = end;
		}
	}
	g->points++;
	s.mode = xrealloc(NULL, n_files * sizeof(unsigned));
	s.uid = xrealloc(NULL, n_files * sizeof(unsigned));
	s.gid = xrealloc(NULL, n_files * sizeof(unsigned));
	s.data = xrealloc(NULL, n_files * sizeof(unsigned char *));
	s.len = xrealloc(NULL, n_files * sizeof(size_t));
	for (size_t p = forced; p <= n_journal; p++) {
		for (unsigned long mask = 0; mask < (1UL << n_units); mask++) {
			uint64_t h;
			size_t u = 0;

			s.n_names = n_init;
			memcpy(s.names, init_names, n_init * sizeof(init_names[0]));
			for (size_t f = 0; f < n_files; f++) {
				s.mode[f] = files[f].mode;
				s.uid[f] = files[f].uid;
				s.gid[f] = files[f].gid;
				s.len[f] = files[f].len;
				s.data[f] = xrealloc(NULL, files[f].len);
				if (files[f].len > 0)
					memcpy(s.data[f], files[f].data, files[f].len);
			}
			for (size_t j = 0; j < p; j++)
				apply_journal(&s, &ops[journal[j]]);
			/* data, in call order: synced writes whole, pending
			 * pieces as the mask says */
			for (size_t i = 0; i < k; i++) {
				const struct op *op = &ops[i];

				if (op->kind != OP_WRITE)
					continue;
				if (i + 1 <= last_sync[op->file]) {
					put_bytes(&s, op->file, op->off, op->data, op->len);
					continue;
				}
				for (; u < n_units && units[u].op == i; u++)
					if (mask & (1UL << u))
						put_bytes(&s, op->file, units[u].off, units[u].data,
							  units[u].len);
			}
			g->states++;
			h = state_hash(&s, done, flight);
			if (!already_seen(h)) {
				g->distinct++;
				write_state(&s, out, n_written);
				printf("state s%05lu point=%zu done=%s flight=%s\n", n_written, k, done,
				       flight);
				n_written++;
			}
			for (size_t f = 0; f < n_files; f++)
				free(s.data[f]);
		}
	}
	free(s.mode);
	free(s.uid);
	free(s.gid);
	free(s.data);
	free(s.len);
	free(journal);
	free(last_sync);
}

int
main(int argc, char **argv)
{
	const char *done = "init";
	char flight[4096] = "-";        /* begun since the last done, by commas */

	if (argc != 4) {
		fprintf(stderr, "usage: powercut_states SNAPSHOT_DIR TRACE OUT_DIR\n");
		return 2;
	}
	read_trace(argv[2], argv[1]);
	explore_point(0, done, flight, argv[3]);
	for (size_t k = 1; k <= n_ops; k++) {
		const struct op *op = &ops[k - 1];
		const char *last;

		if (op->kind == OP_BEGIN) {
			/* same files as the point before; an operation begun
			 * and never done (killed) stays under way with the next */
			if (strcmp(flight, "-") == 0)
				snprintf(flight, sizeof(flight), "%s", op->a);
			else if (strlen(flight) + strlen(op->a) + 2 < sizeof(flight))
				strcat(strcat(flight, ","), op->a);
			else
				die("too many operations under way at ", op->a);
			continue;
		}
		if (op->kind == OP_DONE) {
			last = strrchr(flight, ',');
			if (strcmp(last != NULL ? last + 1 : flight, op->a) != 0)
				die("\"done\" without its \"begin\": ", op->a);
			done = op->a;
			strcpy(flight, "-");
		}
		explore_point(k, done, flight, argv[3]);
	}
	for (size_t i = 0; i < n_groups; i++)
		printf("op %s points=%lu states=%lu distinct=%lu\n", groups[i].label,
		       groups[i].points, groups[i].states, groups[i].distinct);
	return 0;
}
