// SPDX-License-Identifier: MIT
/* elfsym: function symbol tables of ELF files, and the cache that shares
 * them between processes; contract and spec in elfsym.h.
 *
 * A table keeps the PT_LOAD segments (file offset -> virtual address), the
 * symbols sorted by address with aliases removed, and a copy of the string
 * table they name. Names are demangled at their first lookup only: the node
 * binary has about 150,000 function symbols, and a profile names a few
 * hundred of them.
 *
 * Files are read with ELF_C_READ (pread), not mmap: a file truncated while
 * it is read must give an error, not a SIGBUS. */
#include "elfsym.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libiberty/demangle.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bsearch.h"

#ifndef NT_GNU_BUILD_ID
#define NT_GNU_BUILD_ID 3
#endif

/* Longer mangled names are shown as they are: the demangler's time and
 * stack grow with the name, and frame names are cut at 1 KiB anyway. */
#define DEMANGLE_MAX 8192

struct segment {
	uint64_t offset, filesz, vaddr;
	bool exec;
};

struct sym {
	uint64_t addr, end; /* [addr, end) */
	uint64_t reach;     /* largest end of this and every earlier symbol */
	uint32_t name;      /* offset in names */
};

struct symset {
	struct sym *syms;
	size_t count;
	char *names;        /* copy of the string table, NUL added at its end */
	char **pretty;      /* per symbol: demangled name, or its raw name;
			     * NULL until its first lookup */
};

struct elfsym {
	struct segment *segs;
	size_t n_segs;
	struct symset set;
	bool full, debug_file;
	size_t build_id_len;
	uint8_t build_id[ELFSYM_BUILD_ID_MAX];
	unsigned int refs;  /* for the cache */
};

/* An open ELF file and its size, for bounds checks. */
struct elf_file {
	Elf *elf;
	uint64_t size;
};

static bool in_file(const struct elf_file *f, uint64_t off, uint64_t len)
{
	return off <= f->size && len <= f->size - off;
}

static void elf_file__close(struct elf_file *f)
{
	if (f->elf)
		elf_end(f->elf);
	f->elf = NULL;
}

/* libelf's version handshake is process-wide: once, whichever handle's
 * thread gets here first (two profilers may load symbols at once). */
static pthread_once_t libelf_once = PTHREAD_ONCE_INIT;
static bool libelf_ok;

static void libelf_init(void)
{
	libelf_ok = elf_version(EV_CURRENT) != EV_NONE;
}

/* Opens fd as an ELF executable or shared object whose headers and sections
 * all lie inside the file. */
static int elf_file__open(struct elf_file *f, int fd)
{
	size_t phnum, shnum;
	GElf_Ehdr eh;
	struct stat st;

	memset(f, 0, sizeof(*f));
	if (fstat(fd, &st))
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	f->size = (uint64_t)st.st_size;
	pthread_once(&libelf_once, libelf_init);
	if (!libelf_ok)
		return -ENOEXEC;
	f->elf = elf_begin(fd, ELF_C_READ, NULL);
	if (!f->elf || elf_kind(f->elf) != ELF_K_ELF || !gelf_getehdr(f->elf, &eh) ||
	    (eh.e_type != ET_EXEC && eh.e_type != ET_DYN) ||
	    elf_getphdrnum(f->elf, &phnum) || elf_getshdrnum(f->elf, &shnum))
		goto bad;
	/* libelf quietly counts no headers where the table lies outside the
	 * file: check the header's own fields. Counts too large for them
	 * (PN_XNUM, SHN_UNDEF) are in section 0, which libelf has read. */
	if (eh.e_phnum != PN_XNUM && phnum < eh.e_phnum)
		phnum = eh.e_phnum;
	if (shnum < eh.e_shnum)
		shnum = eh.e_shnum;
	if (!shnum && eh.e_shoff)
		shnum = 1;
	if (phnum && (eh.e_phentsize != gelf_fsize(f->elf, ELF_T_PHDR, 1, EV_CURRENT) ||
		      !in_file(f, eh.e_phoff, (uint64_t)phnum * eh.e_phentsize)))
		goto bad;
	if (shnum && (eh.e_shentsize != gelf_fsize(f->elf, ELF_T_SHDR, 1, EV_CURRENT) ||
		      !in_file(f, eh.e_shoff, (uint64_t)shnum * eh.e_shentsize)))
		goto bad;
	for (Elf_Scn *scn = NULL; (scn = elf_nextscn(f->elf, scn));) {
		GElf_Shdr sh;

		if (!gelf_getshdr(scn, &sh))
			goto bad;
		if (sh.sh_type != SHT_NOBITS && !in_file(f, sh.sh_offset, sh.sh_size))
			goto bad;
	}
	return 0;
bad:
	elf_file__close(f);
	return -ENOEXEC;
}

/* The GNU build-id in the notes at [off, off + len) of the file, if any. */
static void note_build_id(const struct elf_file *f, uint64_t off, uint64_t len,
			  uint64_t align, uint8_t *id, size_t *id_len)
{
	Elf_Data *data;
	GElf_Nhdr nh;
	size_t name_off, desc_off;

	if (!len || !in_file(f, off, len))
		return;
	data = elf_getdata_rawchunk(f->elf, (int64_t)off, len,
				    align == 8 ? ELF_T_NHDR8 : ELF_T_NHDR);
	if (!data)
		return;
	for (size_t at = 0, next; (next = gelf_getnote(data, at, &nh, &name_off, &desc_off));
	     at = next) {
		const char *name = (const char *)data->d_buf + name_off;

		if (nh.n_type != NT_GNU_BUILD_ID || nh.n_namesz != 4 ||
		    memcmp(name, "GNU", 4) || !nh.n_descsz ||
		    nh.n_descsz > ELFSYM_BUILD_ID_MAX)
			continue;
		memcpy(id, (const char *)data->d_buf + desc_off, nh.n_descsz);
		*id_len = nh.n_descsz;
		return;
	}
}

/* Program headers locate notes in executables (which may have no section
 * headers); debug files keep the note sections but not valid segments. */
static void read_build_id(const struct elf_file *f, uint8_t *id, size_t *id_len)
{
	size_t phnum = 0;

	*id_len = 0;
	elf_getphdrnum(f->elf, &phnum);
	for (size_t i = 0; i < phnum && !*id_len; i++) {
		GElf_Phdr ph;

		if (gelf_getphdr(f->elf, (int)i, &ph) && ph.p_type == PT_NOTE)
			note_build_id(f, ph.p_offset, ph.p_filesz, ph.p_align, id, id_len);
	}
	for (Elf_Scn *scn = NULL; !*id_len && (scn = elf_nextscn(f->elf, scn));) {
		GElf_Shdr sh;

		if (gelf_getshdr(scn, &sh) && sh.sh_type == SHT_NOTE)
			note_build_id(f, sh.sh_offset, sh.sh_size, sh.sh_addralign,
				      id, id_len);
	}
}

static int read_segments(const struct elf_file *f, struct elfsym *es)
{
	size_t phnum;

	if (elf_getphdrnum(f->elf, &phnum))
		return -ENOEXEC;
	es->segs = calloc(phnum ? phnum : 1, sizeof(*es->segs));
	if (!es->segs)
		return -ENOMEM;
	for (size_t i = 0; i < phnum; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(f->elf, (int)i, &ph))
			return -ENOEXEC;
		if (ph.p_type != PT_LOAD || !ph.p_filesz)
			continue;
		if (!in_file(f, ph.p_offset, ph.p_filesz) ||
		    ph.p_vaddr > UINT64_MAX - ph.p_filesz)
			return -ENOEXEC;
		es->segs[es->n_segs++] = (struct segment){
			.offset = ph.p_offset, .filesz = ph.p_filesz,
			.vaddr = ph.p_vaddr, .exec = ph.p_flags & PF_X,
		};
	}
	/* Without a loadable segment no file offset can be translated. */
	return es->n_segs ? 0 : -ENOEXEC;
}

static Elf_Scn *find_section(Elf *elf, GElf_Word type)
{
	for (Elf_Scn *scn = NULL; (scn = elf_nextscn(elf, scn));) {
		GElf_Shdr sh;

		if (gelf_getshdr(scn, &sh) && sh.sh_type == type)
			return scn;
	}
	return NULL;
}

/* A symbol while a table is built: what chooses among aliases. */
struct candidate {
	uint64_t addr, size;
	uint32_t name;
	uint32_t shndx;      /* 0: its section is unknown */
	uint32_t index;
	uint8_t sized;
	uint8_t nonlocal;
	uint8_t underscores; /* leading '_' count: "getpid" before "__getpid" */
	uint8_t global;
};

static int cmp_u64(uint64_t a, uint64_t b)
{
	return a < b ? -1 : a > b;
}

/* By address, then the alias to keep first: a sized one, a non-local one,
 * the one with fewer leading underscores, a global one, the first in the
 * file. */
static int by_addr_then_preference(const void *pa, const void *pb)
{
	const struct candidate *a = pa, *b = pb;
	int c = cmp_u64(a->addr, b->addr);

	if (c)
		return c;
	if (a->sized != b->sized)
		return a->sized ? -1 : 1;
	if (a->nonlocal != b->nonlocal)
		return a->nonlocal ? -1 : 1;
	if (a->underscores != b->underscores)
		return a->underscores < b->underscores ? -1 : 1;
	if (a->global != b->global)
		return a->global ? -1 : 1;
	return cmp_u64(a->index, b->index);
}

/* The end of section shndx in memory, or 0 when it is not known. */
static uint64_t section_end(Elf *elf, uint32_t shndx)
{
	Elf_Scn *scn = shndx ? elf_getscn(elf, shndx) : NULL;
	GElf_Shdr sh;

	if (!scn || !gelf_getshdr(scn, &sh) || !(sh.sh_flags & SHF_ALLOC) ||
	    sh.sh_addr > UINT64_MAX - sh.sh_size)
		return 0;
	return sh.sh_addr + sh.sh_size;
}

static void symset__release(struct symset *set)
{
	for (size_t i = 0; set->pretty && i < set->count; i++)
		if (set->pretty[i] != set->names + set->syms[i].name)
			free(set->pretty[i]);
	free(set->pretty);
	free(set->syms);
	free(set->names);
	memset(set, 0, sizeof(*set));
}

/* Collects the defined function symbols of symbol table scn. */
static int read_candidates(const struct elf_file *f, Elf_Scn *scn,
			   struct candidate **out, size_t *n_out,
			   char **names, size_t *names_len)
{
	size_t shnum, n, sym_size = gelf_fsize(f->elf, ELF_T_SYM, 1, EV_CURRENT);
	GElf_Shdr sh, strsh;
	Elf_Scn *strscn;
	Elf_Data *data, *strdata;
	struct candidate *cands;
	size_t count = 0;

	if (!gelf_getshdr(scn, &sh) || elf_getshdrnum(f->elf, &shnum) ||
	    sh.sh_entsize != sym_size || !sh.sh_link || sh.sh_link >= shnum ||
	    !(strscn = elf_getscn(f->elf, sh.sh_link)) ||
	    !gelf_getshdr(strscn, &strsh) || strsh.sh_type != SHT_STRTAB)
		return -ENOEXEC;
	data = elf_getdata(scn, NULL);
	strdata = elf_getdata(strscn, NULL);
	if (!data || !strdata || data->d_size > sh.sh_size ||
	    strdata->d_size > strsh.sh_size || strdata->d_size >= UINT32_MAX)
		return -ENOEXEC;
	*names_len = strdata->d_size;
	/* The NUL added at the end ends a last string the file left open. */
	*names = malloc(strdata->d_size + 1);
	n = data->d_size / sym_size;
	cands = calloc(n ? n : 1, sizeof(*cands));
	if (!*names || !cands) {
		free(cands);
		return -ENOMEM;
	}
	if (strdata->d_size)
		memcpy(*names, strdata->d_buf, strdata->d_size);
	(*names)[strdata->d_size] = '\0';
	for (size_t i = 1; i < n; i++) { /* entry 0 is the undefined symbol */
		struct candidate *c = &cands[count];
		GElf_Sym s;
		int type, bind;

		if (!gelf_getsym(data, (int)i, &s))
			break;
		type = GELF_ST_TYPE(s.st_info);
		bind = GELF_ST_BIND(s.st_info);
		if ((type != STT_FUNC && type != STT_GNU_IFUNC) ||
		    s.st_shndx == SHN_UNDEF || s.st_shndx == SHN_ABS ||
		    s.st_shndx == SHN_COMMON || !s.st_name ||
		    s.st_name >= strdata->d_size || !(*names)[s.st_name] ||
		    s.st_value > UINT64_MAX - s.st_size)
			continue;
		c->addr = s.st_value;
		c->size = s.st_size;
		c->name = s.st_name;
		c->shndx = s.st_shndx < shnum ? s.st_shndx : 0;
		c->index = (uint32_t)i;
		c->sized = s.st_size != 0;
		c->nonlocal = bind != STB_LOCAL;
		c->global = bind == STB_GLOBAL || bind == STB_GNU_UNIQUE;
		while (c->underscores < 8 && (*names)[s.st_name + c->underscores] == '_')
			c->underscores++;
		count++;
	}
	*out = cands;
	*n_out = count;
	return 0;
}

/* Builds a symbol set from symbol table scn: sorted, one symbol per
 * address, zero-size symbols bounded by the next symbol (and their
 * section), and dropped when nothing bounds them. */
static int read_symbols(const struct elf_file *f, Elf_Scn *scn, struct symset *set)
{
	struct candidate *cands = NULL;
	size_t n = 0, kept = 0, names_len = 0;
	uint64_t reach = 0;
	int err;

	memset(set, 0, sizeof(*set));
	err = read_candidates(f, scn, &cands, &n, &set->names, &names_len);
	if (err) {
		free(set->names);
		set->names = NULL;
		return err;
	}
	qsort(cands, n, sizeof(*cands), by_addr_then_preference);
	set->syms = calloc(n ? n : 1, sizeof(*set->syms));
	if (!set->syms) {
		free(cands);
		symset__release(set);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		const struct candidate *c = &cands[i];
		uint64_t end = c->addr + c->size;

		if (i && c->addr == cands[i - 1].addr)
			continue; /* an alias: the first is the preferred one */
		if (!c->size) {
			uint64_t sec_end = section_end(f->elf, c->shndx);
			size_t j = i + 1;

			while (j < n && cands[j].addr == c->addr)
				j++;
			end = j < n ? cands[j].addr : 0;
			if (sec_end > c->addr && (!end || sec_end < end))
				end = sec_end;
			if (!end)
				continue;
		}
		set->syms[kept++] = (struct sym){
			.addr = c->addr, .end = end, .name = c->name,
		};
	}
	free(cands);
	for (size_t i = 0; i < kept; i++) {
		if (set->syms[i].end > reach)
			reach = set->syms[i].end;
		set->syms[i].reach = reach;
	}
	set->count = kept;
	set->pretty = calloc(kept ? kept : 1, sizeof(*set->pretty));
	if (!set->pretty) {
		symset__release(set);
		return -ENOMEM;
	}
	return 0;
}

struct elfsym *elfsym__load_fd(int fd)
{
	struct elfsym *es = calloc(1, sizeof(*es));
	struct elf_file f;
	Elf_Scn *scn;
	int err;

	if (!es)
		return NULL;
	err = elf_file__open(&f, fd);
	if (err) {
		free(es);
		errno = -err;
		return NULL;
	}
	err = read_segments(&f, es);
	if (err)
		goto out;
	read_build_id(&f, es->build_id, &es->build_id_len);
	scn = find_section(f.elf, SHT_SYMTAB);
	es->full = scn != NULL;
	if (!scn)
		scn = find_section(f.elf, SHT_DYNSYM);
	if (scn)
		err = read_symbols(&f, scn, &es->set);
out:
	elf_file__close(&f);
	if (err) {
		elfsym__free(es);
		errno = -err;
		return NULL;
	}
	return es;
}

struct elfsym *elfsym__load_file(const char *path)
{
	/* O_NONBLOCK: a FIFO planted at the path must not hang the caller. */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	struct elfsym *es;
	int err;

	if (fd < 0)
		return NULL;
	es = elfsym__load_fd(fd);
	err = errno;
	close(fd);
	errno = err;
	return es;
}

void elfsym__free(struct elfsym *es)
{
	if (!es)
		return;
	symset__release(&es->set);
	free(es->segs);
	free(es);
}

int elfsym__load_debug_fd(struct elfsym *es, int fd)
{
	uint8_t id[ELFSYM_BUILD_ID_MAX];
	size_t id_len;
	struct elf_file f;
	struct symset set;
	Elf_Scn *scn;
	int err;

	if (!es->build_id_len)
		return -ENOENT;
	err = elf_file__open(&f, fd);
	if (err)
		return err;
	read_build_id(&f, id, &id_len);
	if (id_len != es->build_id_len || memcmp(id, es->build_id, id_len)) {
		err = -ESRCH;
	} else if (!(scn = find_section(f.elf, SHT_SYMTAB))) {
		err = -ENOEXEC;
	} else {
		err = read_symbols(&f, scn, &set);
		if (!err) {
			symset__release(&es->set);
			es->set = set;
			es->full = true;
			es->debug_file = true;
		}
	}
	elf_file__close(&f);
	return err;
}

int elfsym__debug_path(const struct elfsym *es, char *buf, size_t len)
{
	size_t at;
	int n;

	if (es->build_id_len < 2)
		return -ENOENT;
	n = snprintf(buf, len, ".build-id/%02x/", es->build_id[0]);
	if (n < 0 || (size_t)n >= len)
		return -ENAMETOOLONG;
	at = (size_t)n;
	if (at + 2 * (es->build_id_len - 1) + sizeof(".debug") > len)
		return -ENAMETOOLONG;
	for (size_t i = 1; i < es->build_id_len; i++, at += 2)
		snprintf(buf + at, 3, "%02x", es->build_id[i]);
	memcpy(buf + at, ".debug", sizeof(".debug"));
	return 0;
}

/* The virtual address that file offset off is loaded at. Code lives in
 * executable segments; they are preferred where a page holds two. */
static int to_vaddr(const struct elfsym *es, uint64_t off, uint64_t *vaddr)
{
	const struct segment *found = NULL;

	for (size_t i = 0; i < es->n_segs; i++) {
		const struct segment *s = &es->segs[i];

		if (off < s->offset || off - s->offset >= s->filesz)
			continue;
		if (!found || (s->exec && !found->exec))
			found = s;
	}
	if (!found)
		return -ENOENT;
	*vaddr = off - found->offset + found->vaddr;
	return 0;
}

/* A C++ name without argument lists, or NULL when raw is not one. */
static char *demangle(const char *raw)
{
	const char *dot;
	char *base, *dm, *out;

	if (raw[0] != '_' || raw[1] != 'Z' || strnlen(raw, DEMANGLE_MAX) == DEMANGLE_MAX)
		return NULL;
	dm = cplus_demangle(raw, DMGL_ANSI);
	if (dm)
		return dm;
	/* GCC's clones ("_ZN1A1fEv.isra.0", ".cold") demangle only with
	 * DMGL_PARAMS: demangle the base and name the clone as c++filt does. */
	dot = strchr(raw, '.');
	if (!dot || !(base = strndup(raw, (size_t)(dot - raw))))
		return NULL;
	dm = cplus_demangle(base, DMGL_ANSI);
	free(base);
	if (!dm)
		return NULL;
	if (asprintf(&out, "%s [clone %s]", dm, dot) < 0)
		out = NULL;
	free(dm);
	return out;
}

const char *elfsym__lookup(const struct elfsym *es, uint64_t file_offset,
			   uint64_t *sym_offset)
{
	const struct symset *set = &es->set;
	size_t lo;
	uint64_t addr;

	if (!set->count || to_vaddr(es, file_offset, &addr))
		return NULL;
	lo = COUNT_AT_OR_BELOW(set->syms, set->count, addr, addr);
	/* The innermost symbol holding addr; reach stops the walk as soon as
	 * no earlier symbol can hold it (symbols rarely nest). */
	for (size_t i = lo; i-- > 0 && set->syms[i].reach > addr;) {
		const struct sym *s = &set->syms[i];

		if (s->end <= addr)
			continue;
		if (sym_offset)
			*sym_offset = addr - s->addr;
		if (!set->pretty[i]) {
			char *dm = demangle(set->names + s->name);

			/* Out of memory: the raw name still names the frame. */
			set->pretty[i] = dm ? dm : set->names + s->name;
		}
		return set->pretty[i];
	}
	return NULL;
}

void elfsym__stats(const struct elfsym *es, struct elfsym_stats *out)
{
	memset(out, 0, sizeof(*out));
	out->symbols = es->set.count;
	out->full = es->full;
	out->debug_file = es->debug_file;
	out->build_id_len = es->build_id_len;
	memcpy(out->build_id, es->build_id, es->build_id_len);
}

/* The cache: flat arrays, searched linearly. A get happens once per
 * (process, mapping), and a host maps a few hundred distinct files. */
struct cache_key {
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
	struct elfsym *es;
};

struct elfsym_cache {
	char *debug_dir;
	struct cache_key *keys;
	size_t n_keys, cap_keys;
	struct elfsym **tables;
	size_t n_tables, cap_tables;
	struct elfsym_cache_stats stats;
};

struct elfsym_cache *elfsym_cache__new(const char *debug_dir)
{
	struct elfsym_cache *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	if (debug_dir && !(c->debug_dir = strdup(debug_dir))) {
		free(c);
		return NULL;
	}
	return c;
}

void elfsym_cache__free(struct elfsym_cache *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n_tables; i++)
		elfsym__free(c->tables[i]);
	free(c->tables);
	free(c->keys);
	free(c->debug_dir);
	free(c);
}

static bool same_file(const struct cache_key *k, const struct stat *st)
{
	return k->dev == st->st_dev && k->ino == st->st_ino &&
	       k->size == st->st_size && k->mtime.tv_sec == st->st_mtim.tv_sec &&
	       k->mtime.tv_nsec == st->st_mtim.tv_nsec;
}

static int add_key(struct elfsym_cache *c, const struct stat *st, struct elfsym *es)
{
	if (c->n_keys == c->cap_keys) {
		size_t cap = c->cap_keys ? c->cap_keys * 2 : 16;
		struct cache_key *k = realloc(c->keys, cap * sizeof(*k));

		if (!k)
			return -ENOMEM;
		c->keys = k;
		c->cap_keys = cap;
	}
	c->keys[c->n_keys++] = (struct cache_key){
		.dev = st->st_dev, .ino = st->st_ino, .size = st->st_size,
		.mtime = st->st_mtim, .es = es,
	};
	return 0;
}

static int add_table(struct elfsym_cache *c, struct elfsym *es)
{
	if (c->n_tables == c->cap_tables) {
		size_t cap = c->cap_tables ? c->cap_tables * 2 : 16;
		struct elfsym **t = realloc(c->tables, cap * sizeof(*t));

		if (!t)
			return -ENOMEM;
		c->tables = t;
		c->cap_tables = cap;
	}
	c->tables[c->n_tables++] = es;
	return 0;
}

/* A table of the same build as es that is at least as complete, the most
 * complete one if there are several. */
static struct elfsym *same_build(const struct elfsym_cache *c,
				 const struct elfsym *es)
{
	struct elfsym *found = NULL;

	if (!es->build_id_len)
		return NULL;
	for (size_t i = 0; i < c->n_tables; i++) {
		struct elfsym *t = c->tables[i];

		if (t->build_id_len != es->build_id_len ||
		    memcmp(t->build_id, es->build_id, es->build_id_len) ||
		    (es->full && !t->full))
			continue;
		if (t->full)
			return t;
		found = t;
	}
	return found;
}

static bool try_debug_file(const char *dir, const char *rel, struct elfsym *es)
{
	char path[4096];
	int fd, n = snprintf(path, sizeof(path), "%s/%s", dir, rel);

	if (n < 0 || (size_t)n >= sizeof(path))
		return false;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return false;
	n = elfsym__load_debug_fd(es, fd);
	close(fd);
	return n == 0;
}

/* Any file may be read here: only one whose build-id matches is used. */
static void add_debug_file(const struct elfsym_cache *c, struct elfsym *es,
			   const char *root)
{
	char rel[32 + 2 * ELFSYM_BUILD_ID_MAX], dir[4096];
	int n;

	if (!c->debug_dir || es->full || elfsym__debug_path(es, rel, sizeof(rel)))
		return;
	if (root) {
		n = snprintf(dir, sizeof(dir), "%s%s", root, c->debug_dir);
		if (n > 0 && (size_t)n < sizeof(dir) && try_debug_file(dir, rel, es))
			return;
	}
	try_debug_file(c->debug_dir, rel, es);
}

struct elfsym *elfsym_cache__get_fd(struct elfsym_cache *c, int fd,
				    const char *root)
{
	struct elfsym *es, *shared;
	struct stat st;
	int err;

	if (fstat(fd, &st))
		goto fail;
	for (size_t i = 0; i < c->n_keys; i++) {
		if (same_file(&c->keys[i], &st)) {
			c->stats.hits++;
			c->keys[i].es->refs++;
			return c->keys[i].es;
		}
	}
	es = elfsym__load_fd(fd);
	if (!es)
		goto fail;
	c->stats.loads++;
	shared = same_build(c, es);
	if (!shared) {
		add_debug_file(c, es, root);
		shared = same_build(c, es);
	}
	if (shared) {
		elfsym__free(es);
		err = add_key(c, &st, shared);
		if (err)
			goto fail_err;
		shared->refs++;
		return shared;
	}
	err = add_table(c, es);
	if (!err) {
		err = add_key(c, &st, es);
		if (err)
			c->n_tables--;
	}
	if (err) {
		elfsym__free(es);
		goto fail_err;
	}
	es->refs = 1;
	return es;
fail_err:
	errno = -err;
fail:
	c->stats.failures++;
	return NULL;
}

struct elfsym *elfsym_cache__get_file(struct elfsym_cache *c, const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	struct elfsym *es;
	int err;

	if (fd < 0) {
		c->stats.failures++;
		return NULL;
	}
	es = elfsym_cache__get_fd(c, fd, NULL);
	err = errno;
	close(fd);
	errno = err;
	return es;
}

void elfsym_cache__put(struct elfsym_cache *c, struct elfsym *es)
{
	size_t i, kept = 0;

	if (!es || --es->refs)
		return;
	for (i = 0; i < c->n_keys; i++)
		if (c->keys[i].es != es)
			c->keys[kept++] = c->keys[i];
	c->n_keys = kept;
	for (i = 0; i < c->n_tables; i++) {
		if (c->tables[i] == es) {
			c->tables[i] = c->tables[--c->n_tables];
			break;
		}
	}
	elfsym__free(es);
}

void elfsym_cache__stats(const struct elfsym_cache *c,
			 struct elfsym_cache_stats *out)
{
	*out = c->stats;
	out->tables = c->n_tables;
}
