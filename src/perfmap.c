// SPDX-License-Identifier: MIT
/* perfmap: incremental V8 perf map reader; format and rules in perfmap.h.
 *
 * Entries live in `ranges`, sorted and disjoint, each remembering the
 * sequence number of the line it came from. A refresh collects the new
 * lines' entries, makes them disjoint among themselves (a sweep that gives
 * every address to the covering entry with the highest sequence), then lays
 * them over the ranges kept, which they supersede where they overlap. */
#include "perfmap.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bsearch.h"
#include "fileio.h"

struct range {
	uint64_t start, end; /* [start, end) */
	uint64_t seq;        /* line number in the file: higher wins */
	uint32_t name;       /* offset in names */
	uint32_t used;       /* refresh count at its last lookup, 0: never */
};

struct perfmap {
	char *path;
	dev_t dev;
	ino_t ino;
	off_t offset;       /* bytes consumed: always at a line start */
	bool skipping;      /* inside a line too long to keep */
	uint64_t seq;
	char *names;        /* NUL-terminated raw names */
	size_t names_len, names_cap;
	size_t names_check_at; /* names_len at which to look for dead names */
	struct range *ranges;
	size_t n_ranges, cap_ranges;
	struct range *pending; /* new entries since the last rebuild */
	size_t n_pending, cap_pending;
	/* Rebuild scratch (and pending), kept across the batches of one
	 * refresh, freed at its end: most processes write their map once, at
	 * startup, and an idle process then holds only its ranges and names. */
	struct range *all, *heap, *spare;
	size_t cap_all, cap_heap, cap_spare;
	uint32_t refreshes;
	bool owner_required;
	uid_t owner;
	struct perfmap_stats stats;
};

struct perfmap *perfmap__new(const char *path)
{
	struct perfmap *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->path = strdup(path);
	if (!m->path) {
		free(m);
		errno = ENOMEM;
		return NULL;
	}
	return m;
}

void perfmap__require_owner(struct perfmap *m, uid_t uid)
{
	m->owner_required = true;
	m->owner = uid;
}

void perfmap__free(struct perfmap *m)
{
	if (!m)
		return;
	free(m->path);
	free(m->names);
	free(m->ranges);
	free(m->pending);
	free(m->all);
	free(m->heap);
	free(m->spare);
	free(m);
}

static void reset(struct perfmap *m)
{
	m->offset = 0;
	m->skipping = false;
	m->names_len = 0;
	m->names_check_at = 0;
	m->n_ranges = 0;
	m->n_pending = 0;
	m->seq = 0;
}

/* Room for need elements: doubling up to 1 MiB, then 1 MiB at a time, so
 * that what is held stays close to what is needed. */
static int grow(void **arr, size_t *cap, size_t need, size_t elem)
{
	size_t n = *cap ? *cap : 64, step = (1u << 20) / elem;
	void *p;

	if (need <= *cap)
		return 0;
	while (n < need)
		n += n < step ? n : step;
	p = realloc(*arr, n * elem);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = n;
	return 0;
}

static int parse_hex(const char **s, uint64_t *out)
{
	const char *p = *s;
	uint64_t v = 0;
	int digits = 0;

	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		p += 2;
	for (;; p++, digits++) {
		int d;

		if (*p >= '0' && *p <= '9')
			d = *p - '0';
		else if (*p >= 'a' && *p <= 'f')
			d = *p - 'a' + 10;
		else if (*p >= 'A' && *p <= 'F')
			d = *p - 'A' + 10;
		else
			break;
		if (digits == 16)
			return -ERANGE;
		v = v << 4 | (uint64_t)d;
	}
	if (!digits || *p != ' ')
		return -EINVAL;
	*s = p + 1;
	*out = v;
	return 0;
}

/* One line without its '\n'. Malformed lines are counted, not fatal. */
static int add_line(struct perfmap *m, const char *line, size_t len)
{
	const char *p = line;
	uint64_t start, size;
	size_t namelen;

	m->seq++;
	if (parse_hex(&p, &start) || parse_hex(&p, &size) || size == 0 ||
	    start + size < start || p >= line + len) {
		m->stats.lines_skipped++;
		return 0;
	}
	namelen = (size_t)(line + len - p);
	if (memchr(p, '\0', namelen) || m->names_len + namelen + 1 > UINT32_MAX) {
		m->stats.lines_skipped++;
		return 0;
	}
	if (grow((void **)&m->names, &m->names_cap, m->names_len + namelen + 1, 1) ||
	    grow((void **)&m->pending, &m->cap_pending, m->n_pending + 1,
		 sizeof(*m->pending)))
		return -ENOMEM;
	memcpy(m->names + m->names_len, p, namelen);
	m->names[m->names_len + namelen] = '\0';
	/* Whole: a stray `used` would decide what eviction keeps. */
	m->pending[m->n_pending++] = (struct range){
		.start = start, .end = start + size, .seq = m->seq,
		.name = (uint32_t)m->names_len, .used = 0,
	};
	m->names_len += namelen + 1;
	m->stats.entries++;
	return 0;
}

/* Max-heap of ranges by seq. */
static void heap_push(struct range *h, size_t *n, struct range r)
{
	size_t i = (*n)++;

	while (i && h[(i - 1) / 2].seq < r.seq) {
		h[i] = h[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	h[i] = r;
}

static void heap_pop(struct range *h, size_t *n)
{
	struct range last = h[--(*n)];
	size_t i = 0;

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= *n)
			break;
		if (c + 1 < *n && h[c + 1].seq > h[c].seq)
			c++;
		if (h[c].seq <= last.seq)
			break;
		h[i] = h[c];
		i = c;
	}
	if (*n)
		h[i] = last;
}

static void emit(struct range *out, size_t *n, const struct range *top,
		 uint64_t start, uint64_t end)
{
	struct range *prev = *n ? &out[*n - 1] : NULL;

	if (prev && prev->seq == top->seq && prev->end == start) {
		prev->end = end;
		return;
	}
	out[*n] = *top;
	out[*n].start = start;
	out[*n].end = end;
	(*n)++;
}

static int by_name(const void *a, const void *b)
{
	const struct range *const *x = a, *const *y = b;

	return (*x)->name < (*y)->name ? -1 : (*x)->name > (*y)->name;
}

/* Drops the names no range uses any more (entries wholly superseded by
 * newer ones at the same addresses), once they are most of the arena: a
 * process that keeps compiling code must not grow our memory forever. */
static int compact_names(struct perfmap *m)
{
	uint32_t prev_old = UINT32_MAX, prev_new = 0;
	size_t live = 0, len = 0;
	struct range **by;

	/* Counting the live names costs a pass over every range: it is done
	 * again only once the arena has doubled since the last count. */
	if (m->names_len < 65536 || m->names_len < m->names_check_at)
		return 0;
	by = malloc((m->n_ranges ? m->n_ranges : 1) * sizeof(*by));
	if (!by)
		return -ENOMEM;
	for (size_t i = 0; i < m->n_ranges; i++) {
		by[i] = &m->ranges[i];
		live += strlen(m->names + m->ranges[i].name) + 1;
	}
	m->names_check_at = 2 * live;
	if (m->names_len < 2 * live) {
		free(by);
		return 0;
	}
	/* In place, in the order of the names in the arena: each moves down
	 * (or stays), and the arena keeps its size, ready for the next lines.
	 * Pieces of one entry split by a newer one share its name. */
	qsort(by, m->n_ranges, sizeof(*by), by_name);
	for (size_t i = 0; i < m->n_ranges; i++) {
		uint32_t old = by[i]->name;
		size_t n;

		if (old == prev_old) {
			by[i]->name = prev_new;
			continue;
		}
		n = strlen(m->names + old) + 1;
		memmove(m->names + len, m->names + old, n);
		prev_old = old;
		prev_new = (uint32_t)len;
		by[i]->name = prev_new;
		len += n;
	}
	free(by);
	m->names_len = len;
	return 0;
}

/* Most recently used first, then newest first. */
static int by_recency(const void *a, const void *b)
{
	const struct range *x = a, *y = b;

	if (x->used != y->used)
		return x->used > y->used ? -1 : 1;
	return x->seq > y->seq ? -1 : x->seq < y->seq;
}

/* The range that would be a[k] were a[0..n) sorted by_recency (Hoare's
 * selection: linear on average, where sorting was most of the cost of a
 * map that churns). Reorders a. */
static struct range nth_by_recency(struct range *a, size_t n, size_t k)
{
	ptrdiff_t lo = 0, hi = (ptrdiff_t)n - 1;

	while (lo < hi) {
		struct range pivot = a[lo + (hi - lo) / 2], t;
		ptrdiff_t i = lo, j = hi;

		while (i <= j) {
			while (by_recency(&a[i], &pivot) < 0)
				i++;
			while (by_recency(&a[j], &pivot) > 0)
				j--;
			if (i <= j) {
				t = a[i];
				a[i++] = a[j];
				a[j--] = t;
			}
		}
		if ((ptrdiff_t)k <= j)
			hi = j;
		else if ((ptrdiff_t)k >= i)
			lo = i;
		else
			break;
	}
	return a[k];
}

/* Past PERFMAP_MAX_RANGES live entries (a process that compiles code
 * without end, as code built with `new Function` per request), keeps the
 * three quarters most recently sampled, or else written: stale entries of
 * freed code go, the process's hot code stays named. */
static int evict(struct perfmap *m)
{
	size_t keep = PERFMAP_MAX_RANGES / 4 * 3, kept = 0;
	struct range cut;

	if (grow((void **)&m->all, &m->cap_all, m->n_ranges, sizeof(*m->all)))
		return -ENOMEM;
	memcpy(m->all, m->ranges, m->n_ranges * sizeof(*m->all));
	cut = nth_by_recency(m->all, m->n_ranges, keep - 1);
	for (size_t i = 0; i < m->n_ranges; i++)
		if (by_recency(&m->ranges[i], &cut) <= 0)
			m->ranges[kept++] = m->ranges[i];
	m->stats.evicted += m->n_ranges - kept;
	m->n_ranges = kept;
	return 0;
}

/* Makes the n ranges in in[] (sorted by start) disjoint into out[] (room for
 * 2n + 1), each address going to the covering range with the highest seq;
 * heap[] has room for n. Returns the number of ranges written. */
static size_t sweep(const struct range *in, size_t n, struct range *heap,
		    struct range *out)
{
	size_t nout = 0, nheap = 0, i = 0;
	uint64_t x = n ? in[0].start : 0;

	while (i < n || nheap) {
		uint64_t next;

		while (i < n && in[i].start <= x)
			heap_push(heap, &nheap, in[i++]);
		while (nheap && heap[0].end <= x)
			heap_pop(heap, &nheap);
		if (!nheap) {
			if (i < n)
				x = in[i].start;
			continue;
		}
		next = heap[0].end;
		if (i < n && in[i].start < next)
			next = in[i].start;
		emit(out, &nout, &heap[0], x, next);
		x = next;
	}
	return nout;
}

/* Overlays the disjoint sorted ranges fresh[] (all newer) on the disjoint
 * sorted ranges old[]: where they overlap, fresh wins. out[] has room for
 * n_old + 2 * n_fresh + 1. Linear: old ranges are only cut, not sorted. */
static size_t overlay(const struct range *old, size_t n_old,
		      const struct range *fresh, size_t n_fresh, struct range *out)
{
	size_t nout = 0, i = 0, j = 0;
	uint64_t from = n_old ? old[0].start : 0; /* old[i]'s part left */

	while (i < n_old || j < n_fresh) {
		if (i < n_old && (j == n_fresh || from < fresh[j].start)) {
			uint64_t to = old[i].end;

			if (j < n_fresh && fresh[j].start < to)
				to = fresh[j].start;
			emit(out, &nout, &old[i], from, to);
			if (to < old[i].end) {
				from = to;
			} else if (++i < n_old) {
				from = old[i].start;
			}
			continue;
		}
		emit(out, &nout, &fresh[j], fresh[j].start, fresh[j].end);
		while (i < n_old && old[i].end <= fresh[j].end)
			if (++i < n_old)
				from = old[i].start;
		if (i < n_old && from < fresh[j].end)
			from = fresh[j].end;
		j++;
	}
	return nout;
}

/* Sorts a[0..n) by start, stably: equal starts keep their order, which is
 * their seq's. A bottom-up merge sort through tmp (room for n); runs that
 * are in order already, as V8 mostly writes its code, cost one compare
 * (qsort's generic copying of ranges was most of a churning map's cost). */
static void sort_by_start(struct range *a, size_t n, struct range *tmp)
{
	for (size_t w = 1; w < n; w *= 2) {
		for (size_t lo = 0; lo + w < n; lo += 2 * w) {
			size_t mid = lo + w, hi = lo + 2 * w < n ? lo + 2 * w : n;
			size_t i = lo, j = mid, o = 0;

			if (a[mid - 1].start <= a[mid].start)
				continue;
			while (i < mid && j < hi)
				tmp[o++] = a[j].start < a[i].start ? a[j++] : a[i++];
			while (i < mid)
				tmp[o++] = a[i++];
			/* What is left of the right run is in place already. */
			memcpy(a + lo, tmp, o * sizeof(*a));
		}
	}
}

/* Merges the pending entries into the disjoint ranges, newest winning: only
 * the new lines are sorted; the ranges kept are cut where new code covers
 * them, in one linear pass. */
static int rebuild(struct perfmap *m)
{
	size_t k = m->n_pending, n_fresh, room;
	struct range *out;

	if (grow((void **)&m->all, &m->cap_all, 2 * k + 1, sizeof(*m->all)) ||
	    grow((void **)&m->heap, &m->cap_heap, k, sizeof(*m->heap)))
		return -ENOMEM;
	sort_by_start(m->pending, k, m->heap);
	n_fresh = sweep(m->pending, k, m->heap, m->all);
	room = m->n_ranges + 2 * n_fresh + 1;
	if (grow((void **)&m->spare, &m->cap_spare, room, sizeof(*out)))
		return -ENOMEM;
	out = m->spare;
	/* The old ranges become the next rebuild's output buffer. */
	m->spare = m->ranges;
	m->n_ranges = overlay(m->ranges, m->n_ranges, m->all, n_fresh, out);
	m->ranges = out;
	room = m->cap_spare;
	m->cap_spare = m->cap_ranges;
	m->cap_ranges = room;
	m->n_pending = 0;
	if (m->n_ranges > PERFMAP_MAX_RANGES && evict(m))
		return -ENOMEM;
	return compact_names(m);
}

static void free_scratch(struct perfmap *m)
{
	if (m->n_pending)
		return; /* not merged (out of memory): kept for the next refresh */
	free(m->pending);
	free(m->all);
	free(m->heap);
	free(m->spare);
	m->pending = m->all = m->heap = m->spare = NULL;
	m->cap_pending = m->cap_all = m->cap_heap = m->cap_spare = 0;
}

int perfmap__refresh(struct perfmap *m)
{
	char chunk[65536];
	char *line = NULL;   /* carried partial line */
	size_t line_len = 0, budget = PERFMAP_MAX_READ;
	off_t pos;
	struct stat st;
	int fd, err = 0;

	fd = fileio__open_regular(m->path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC |
				  O_NONBLOCK, &st);
	if (fd < 0)
		return fd;
	if (m->owner_required && st.st_uid != m->owner && st.st_uid != 0) {
		err = -EPERM;
		goto out;
	}
	if (st.st_dev != m->dev || st.st_ino != m->ino || st.st_size < m->offset) {
		reset(m);
		m->dev = st.st_dev;
		m->ino = st.st_ino;
	}
	line = malloc(PERFMAP_MAX_LINE);
	if (!line) {
		err = -ENOMEM;
		goto out;
	}
	m->refreshes++;
	pos = m->offset;
	while (budget) {
		ssize_t got = pread(fd, chunk, sizeof(chunk) < budget ? sizeof(chunk) : budget, pos);

		if (got < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			break;
		}
		if (got == 0)
			break;
		pos += got;
		budget -= (size_t)got;
		m->stats.bytes_read += (uint64_t)got;
		for (const char *p = chunk, *endp = chunk + got; p < endp;) {
			const char *nl = memchr(p, '\n', (size_t)(endp - p));
			size_t n = (size_t)((nl ? nl : endp) - p);

			if (!m->skipping && line_len + n < PERFMAP_MAX_LINE) {
				memcpy(line + line_len, p, n);
				line_len += n;
			} else if (!m->skipping) {
				m->skipping = true;
				m->stats.lines_skipped++;
			}
			if (!nl)
				break;
			line[line_len] = '\0'; /* parse_hex stops there */
			if (!m->skipping && (err = add_line(m, line, line_len)))
				goto out;
			/* In batches: the scratch memory follows the batch, not
			 * how much the process wrote since the last refresh. */
			if (m->n_pending >= PERFMAP_BATCH && (err = rebuild(m)))
				goto out;
			m->skipping = false;
			line_len = 0;
			m->offset = pos - (off_t)(endp - nl - 1);
			p = nl + 1;
		}
	}
	/* An unfinished last line (or one being skipped) is read again next
	 * time, from m->offset, once its newline has been written. */
	if (m->skipping)
		m->offset = pos;
out:
	if (!err && m->n_pending)
		err = rebuild(m);
	free_scratch(m);
	free(line);
	close(fd);
	return err;
}

const char *perfmap__lookup(struct perfmap *m, uint64_t addr)
{
	return perfmap__lookup_range(m, addr, NULL, NULL);
}

const char *perfmap__lookup_range(struct perfmap *m, uint64_t addr, uint64_t *start,
				  uint64_t *end)
{
	/* The first range ending past addr. */
	size_t lo = COUNT_AT_OR_BELOW(m->ranges, m->n_ranges, end, addr);

	if (lo < m->n_ranges && m->ranges[lo].start <= addr) {
		m->ranges[lo].used = m->refreshes;
		if (start)
			*start = m->ranges[lo].start;
		if (end)
			*end = m->ranges[lo].end;
		return m->names + m->ranges[lo].name;
	}
	return NULL;
}

void perfmap__stats(const struct perfmap *m, struct perfmap_stats *out)
{
	*out = m->stats;
	out->ranges = m->n_ranges;
	out->name_bytes = m->names_len;
	out->memory_bytes = m->names_cap + sizeof(struct range) *
		(m->cap_ranges + m->cap_pending + m->cap_all + m->cap_heap + m->cap_spare);
}
