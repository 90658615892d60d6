// SPDX-License-Identifier: MIT
/* v8names: V8 heap object names for JS frames; contract in v8names.h.
 *
 * Object shapes used (offsets from the v8dbg_* symbols; every object starts
 * with its map, whose instance_type says what it is):
 *   SharedFunctionInfo: name_or_scope_info (a String, or a ScopeInfo once
 *     the function was compiled), script_or_debug_info (Script, or a
 *     DebugInfo while a debugger is attached: then no script name).
 *   ScopeInfo: tagged slots after the map; the header's last slot is at
 *     scopeinfo_idx_first_vars - 1, context_local_count at
 *     scopeinfo_idx_ncontextlocals. After the header come the context
 *     locals' names and infos, a few optional Smi slots, then the function
 *     variable's name and the inferred name (V8 fills the one that applies,
 *     as SharedFunctionInfo::DebugName picks: name, else inferred name).
 *     The names are found as the first non-empty strings in the few slots
 *     after the locals, so optional slots may come and go between versions.
 *   Script: name (a String, or undefined for scripts without one).
 *   Strings: see read_chars. */
#include "v8names.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "procfs.h"

/* ScopeInfo stores up to this many context local names inline; more go in a
 * hash table (one slot). kScopeInfoMaxInlinedLocalNamesSize in V8 11-12. */
#define SCOPEINFO_MAX_INLINED_LOCALS 75
/* Slots looked at after the locals for the names. */
#define SCOPEINFO_NAME_SLOTS 8
#define SCOPEINFO_MAX_LOCALS 4096    /* larger counts are not a ScopeInfo */
#define STRING_MAX_DEPTH 16          /* cons/thin/sliced nesting followed */

/* ---- layout from the ELF file ------------------------------------------ */

/* A v8dbg field: the symbol named `prefix`, or for a class field
 * ("v8dbg_class_Class__field__") any symbol that starts so: the type suffix
 * drifts between versions (__Object, __Tagged_Object_, ...). */
enum field_need {
	F_REQUIRED,
	F_OPTIONAL,   /* lines or external strings need it, names do not */
	F_ALTERNATIVE /* one of the fields stored at the same offset is needed */
};

struct field {
	const char *prefix;
	bool exact;
	size_t off;          /* in struct v8_layout */
	bool is_signed;
	enum field_need need;
};

#define L(f) offsetof(struct v8_layout, f)
#define REQ F_REQUIRED
#define OPT F_OPTIONAL
#define ALT F_ALTERNATIVE
static const struct field fields[] = {
	{ "_ZN2v88internal7Version6major_E", true, L(major), true, REQ },
	{ "_ZN2v88internal7Version6minor_E", true, L(minor), true, REQ },
	{ "_ZN2v88internal7Version6build_E", true, L(build), true, REQ },
	{ "_ZN2v88internal7Version6patch_E", true, L(patch), true, REQ },
	{ "v8dbg_off_fp_function", true, L(off_fp_function), true, REQ },
	{ "v8dbg_off_fp_context", true, L(off_fp_context), true, REQ },
	{ "v8dbg_TaggedSize", true, L(tagged_size), false, REQ },
	{ "v8dbg_SystemPointerSize", true, L(pointer_size), false, REQ },
	{ "v8dbg_HeapObjectTag", true, L(heap_object_tag), false, REQ },
	{ "v8dbg_HeapObjectTagMask", true, L(heap_object_tag_mask), false, REQ },
	{ "v8dbg_SmiTag", true, L(smi_tag), false, REQ },
	{ "v8dbg_SmiTagMask", true, L(smi_tag_mask), false, REQ },
	{ "v8dbg_SmiShiftSize", true, L(smi_shift), false, REQ },
	{ "v8dbg_class_Map__instance_type__", false, L(map_instance_type), false, REQ },
	{ "v8dbg_class_JSFunction__shared__", false, L(jsfunction_shared), false, REQ },
	{ "v8dbg_class_SharedFunctionInfo__name_or_scope_info__", false,
	  L(sfi_name_or_scope_info), false, REQ },
	/* V8 <= 11: script_or_debug_info; V8 12+: script (and raw_script). */
	{ "v8dbg_class_SharedFunctionInfo__script_or_debug_info__", false,
	  L(sfi_script), false, ALT },
	{ "v8dbg_class_SharedFunctionInfo__script__", false, L(sfi_script), false, ALT },
	{ "v8dbg_class_Script__name__", false, L(script_name), false, REQ },
	{ "v8dbg_class_Script__source__", false, L(script_source), false, OPT },
	{ "v8dbg_class_Script__line_ends__", false, L(script_line_ends), false, OPT },
	{ "v8dbg_class_FixedArrayBase__length__", false, L(fixed_array_length), false, OPT },
	{ "v8dbg_class_FixedArray__data__", false, L(fixed_array_data), false, OPT },
	{ "v8dbg_class_String__length__", false, L(string_length), false, REQ },
	{ "v8dbg_class_SeqOneByteString__chars__", false, L(seq_one_byte_chars), false, REQ },
	{ "v8dbg_class_SeqTwoByteString__chars__", false, L(seq_two_byte_chars), false, REQ },
	{ "v8dbg_class_ConsString__first__", false, L(cons_first), false, REQ },
	{ "v8dbg_class_ConsString__second__", false, L(cons_second), false, REQ },
	{ "v8dbg_class_ThinString__actual__", false, L(thin_actual), false, REQ },
	{ "v8dbg_class_SlicedString__parent__", false, L(sliced_parent), false, REQ },
	{ "v8dbg_class_SlicedString__offset__", false, L(sliced_offset), false, REQ },
	{ "v8dbg_class_ExternalString__resource__", false, L(external_resource), false, OPT },
	{ "v8dbg_type_JSFunction__JS_FUNCTION_TYPE", true, L(type_jsfunction), false, REQ },
	{ "v8dbg_type_SharedFunctionInfo__SHARED_FUNCTION_INFO_TYPE", true, L(type_sfi), false, REQ },
	{ "v8dbg_type_ScopeInfo__SCOPE_INFO_TYPE", true, L(type_scope_info), false, REQ },
	{ "v8dbg_type_Script__SCRIPT_TYPE", true, L(type_script), false, REQ },
	{ "v8dbg_type_Map__MAP_TYPE", true, L(type_map), false, REQ },
	{ "v8dbg_type_FixedArray__FIXED_ARRAY_TYPE", true, L(type_fixed_array), false, OPT },
	{ "v8dbg_FirstNonstringType", true, L(first_nonstring_type), false, REQ },
	{ "v8dbg_StringEncodingMask", true, L(string_encoding_mask), false, REQ },
	{ "v8dbg_OneByteStringTag", true, L(one_byte_tag), false, REQ },
	{ "v8dbg_StringRepresentationMask", true, L(string_repr_mask), false, REQ },
	{ "v8dbg_SeqStringTag", true, L(seq_tag), false, REQ },
	{ "v8dbg_ConsStringTag", true, L(cons_tag), false, REQ },
	{ "v8dbg_ThinStringTag", true, L(thin_tag), false, REQ },
	{ "v8dbg_SlicedStringTag", true, L(sliced_tag), false, REQ },
	{ "v8dbg_ExternalStringTag", true, L(external_tag), false, OPT },
	{ "v8dbg_scopeinfo_idx_first_vars", true, L(scopeinfo_first_vars), false, REQ },
	{ "v8dbg_scopeinfo_idx_ncontextlocals", true, L(scopeinfo_ncontextlocals), false, REQ },
	{ "v8_Default_embedded_blob_code_size_", true, L(blob_code_size), false, OPT },
};
#undef L
#undef REQ
#undef OPT
#undef ALT
#define N_FIELDS (sizeof(fields) / sizeof(fields[0]))
_Static_assert(N_FIELDS <= 64, "fields are tracked in a 64-bit mask");

/* What the metadata does not say, by the first V8 version it holds for.
 * From 12.8 ScopeInfo keeps the function's source positions in its fixed
 * header (its last two slots: the header grew from 3 to 5 slots); before,
 * they follow the names (see scope_info_read). */
static const struct {
	int major, minor;
	bool position_in_header;
} facts[] = {
	{ 0, 0, false },
	{ 12, 8, true },
};

static void derive(struct v8_layout *l)
{
	for (size_t i = 0; i < sizeof(facts) / sizeof(facts[0]); i++)
		if (l->major > facts[i].major ||
		    (l->major == facts[i].major && l->minor >= facts[i].minor))
			l->scopeinfo_position_in_header = facts[i].position_in_header;
}

static bool found_field(uint64_t found, size_t f)
{
	return found & (1ull << f);
}

/* Whether a field stored at offset off of struct v8_layout was found. */
static bool found_at(uint64_t found, size_t off)
{
	for (size_t f = 0; f < N_FIELDS; f++)
		if (fields[f].off == off && found_field(found, f))
			return true;
	return false;
}

static void store(struct v8_layout *l, const struct field *f, int64_t v)
{
	if (f->off == offsetof(struct v8_layout, blob_code_size)) {
		l->blob_code_size = (uint64_t)v;
		return;
	}
	/* int and int32_t/uint32_t fields: all 4 bytes. */
	if (f->is_signed) {
		int32_t x = (int32_t)v;

		memcpy((char *)l + f->off, &x, sizeof(x));
	} else {
		uint32_t x = (uint32_t)v;

		memcpy((char *)l + f->off, &x, sizeof(x));
	}
}

/* The 4-byte value of a data symbol: from its section's bytes, or 0 in a
 * NOBITS (.bss) section, where V8's zero-valued constants end up. */
static int symbol_value(int fd, Elf *elf, const GElf_Sym *sym, int64_t *v,
			uint64_t file_size)
{
	Elf_Scn *scn = elf_getscn(elf, sym->st_shndx);
	GElf_Shdr sh;
	int32_t x;
	uint64_t off;

	if (!scn || !gelf_getshdr(scn, &sh))
		return -ENOEXEC;
	if (sym->st_value < sh.sh_addr || sym->st_value + 4 > sh.sh_addr + sh.sh_size)
		return -ENOEXEC;
	if (sh.sh_type == SHT_NOBITS) {
		*v = 0;
		return 0;
	}
	off = sh.sh_offset + (sym->st_value - sh.sh_addr);
	if (off + 4 > file_size || pread(fd, &x, 4, (off_t)off) != 4)
		return -ENOEXEC;
	*v = x;
	return 0;
}

/* File offset of a virtual address, through the section that holds it. */
static int vaddr_offset(Elf *elf, const GElf_Sym *sym, uint64_t *off)
{
	Elf_Scn *scn = elf_getscn(elf, sym->st_shndx);
	GElf_Shdr sh;

	if (!scn || !gelf_getshdr(scn, &sh) || sh.sh_type == SHT_NOBITS ||
	    sym->st_value < sh.sh_addr || sym->st_value >= sh.sh_addr + sh.sh_size)
		return -ENOEXEC;
	*off = sh.sh_offset + (sym->st_value - sh.sh_addr);
	return 0;
}

static void scan_symbols(int fd, Elf *elf, Elf_Scn *scn, const GElf_Shdr *sh,
			 struct v8_layout *out, uint64_t *found, size_t *n_v8dbg,
			 uint64_t file_size)
{
	Elf_Data *data = elf_getdata(scn, NULL);
	size_t count;

	if (!data || !sh->sh_entsize)
		return;
	count = sh->sh_size / sh->sh_entsize;
	for (size_t i = 0; i < count; i++) {
		GElf_Sym sym;
		const char *name;
		int64_t v;

		if (!gelf_getsym(data, (int)i, &sym) || sym.st_shndx == SHN_UNDEF ||
		    sym.st_shndx >= SHN_LORESERVE)
			continue;
		/* Typed symbols only: v8dbg_* are objects, the blob is code. */
		if (GELF_ST_TYPE(sym.st_info) != STT_OBJECT &&
		    GELF_ST_TYPE(sym.st_info) != STT_FUNC &&
		    GELF_ST_TYPE(sym.st_info) != STT_NOTYPE)
			continue;
		name = elf_strptr(elf, sh->sh_link, sym.st_name);
		/* Most of node's 200,000 symbols are other C++ names. */
		if (!name || !((name[0] == 'v' && name[1] == '8') ||
			       (name[0] == '_' && strncmp(name, "_ZN2v88internal7Version", 23) == 0)))
			continue;
		if (strncmp(name, "v8dbg_", 6) == 0)
			(*n_v8dbg)++;
		if (strcmp(name, "v8_Default_embedded_blob_code_") == 0) {
			uint64_t off;

			if (vaddr_offset(elf, &sym, &off) == 0) {
				out->blob_code_vaddr = sym.st_value;
				out->blob_code_offset = off;
			}
			continue;
		}
		for (size_t f = 0; f < N_FIELDS; f++) {
			size_t plen = strlen(fields[f].prefix);

			if (*found & (1ull << f))
				continue;
			if (fields[f].exact ? strcmp(name, fields[f].prefix) != 0 :
					      strncmp(name, fields[f].prefix, plen) != 0)
				continue;
			if (symbol_value(fd, elf, &sym, &v, file_size) == 0) {
				store(out, &fields[f], v);
				*found |= 1ull << f;
			}
			break;
		}
	}
}

int v8_layout__load_fd(int fd, struct v8_layout *out)
{
	uint64_t found = 0;
	size_t n_v8dbg = 0;
	struct stat st;
	Elf_Scn *scn = NULL;
	Elf *elf;
	GElf_Ehdr eh;

	memset(out, 0, sizeof(*out));
	if (fstat(fd, &st) || !S_ISREG(st.st_mode))
		return -ENOEXEC;
	if (elf_version(EV_CURRENT) == EV_NONE)
		return -ENOEXEC;
	elf = elf_begin(fd, ELF_C_READ, NULL);
	if (!elf)
		return -ENOEXEC;
	if (elf_kind(elf) != ELF_K_ELF || !gelf_getehdr(elf, &eh) ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64) {
		elf_end(elf);
		return -ENOEXEC;
	}
	/* .symtab first: from Node 24.11.1 some symbols are only there. */
	for (int pass = 0; pass < 2; pass++) {
		while ((scn = elf_nextscn(elf, scn))) {
			GElf_Shdr sh;

			if (!gelf_getshdr(scn, &sh))
				continue;
			if (sh.sh_type == (pass ? SHT_DYNSYM : SHT_SYMTAB))
				scan_symbols(fd, elf, scn, &sh, out, &found, &n_v8dbg,
					     (uint64_t)st.st_size);
		}
	}
	elf_end(elf);
	if (n_v8dbg == 0)
		return -ENOENT;
	for (size_t f = 0; f < N_FIELDS; f++) {
		bool other = false;

		if (found_field(found, f) || fields[f].need == F_OPTIONAL)
			continue;
		for (size_t g = 0; fields[f].need == F_ALTERNATIVE && g < N_FIELDS; g++)
			other |= g != f && fields[g].off == fields[f].off && found_field(found, g);
		if (!other)
			out->missing |= 1ull << f;
	}
	/* Lines need the script's source or line ends and the FixedArray
	 * shape; external strings their resource and tag. */
#define HAS(f) found_at(found, offsetof(struct v8_layout, f))
	out->has_lines = HAS(script_source) && HAS(script_line_ends) &&
			 HAS(fixed_array_length) && HAS(fixed_array_data) &&
			 HAS(type_fixed_array);
	out->has_external = HAS(external_resource) && HAS(external_tag);
#undef HAS
	derive(out);
	if (!out->blob_code_vaddr)
		out->blob_code_size = 0;
	return 0;
}

int v8_layout__load_file(const char *path, struct v8_layout *out)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), err;

	if (fd < 0)
		return -errno;
	err = v8_layout__load_fd(fd, out);
	close(fd);
	return err;
}

#define LAYOUT_CACHE_SLOTS 8
struct v8_layout_cache {
	struct layout_slot {
		dev_t dev;
		ino_t ino;
		off_t size;
		struct timespec mtime;
		int err;
		struct v8_layout layout;
		bool used;
	} slots[LAYOUT_CACHE_SLOTS];
	unsigned int next;
};

struct v8_layout_cache *v8_layout_cache__new(void)
{
	return calloc(1, sizeof(struct v8_layout_cache));
}

void v8_layout_cache__free(struct v8_layout_cache *c)
{
	free(c);
}

int v8_layout_cache__load_fd(struct v8_layout_cache *c, int fd, struct v8_layout *out)
{
	struct layout_slot *slot;
	struct stat st;

	if (!c)
		return v8_layout__load_fd(fd, out);
	if (fstat(fd, &st))
		return -errno;
	for (size_t i = 0; i < LAYOUT_CACHE_SLOTS; i++) {
		slot = &c->slots[i];
		if (slot->used && slot->dev == st.st_dev && slot->ino == st.st_ino &&
		    slot->size == st.st_size && slot->mtime.tv_sec == st.st_mtim.tv_sec &&
		    slot->mtime.tv_nsec == st.st_mtim.tv_nsec) {
			*out = slot->layout;
			return slot->err;
		}
	}
	slot = &c->slots[c->next++ % LAYOUT_CACHE_SLOTS];
	slot->err = v8_layout__load_fd(fd, &slot->layout);
	slot->dev = st.st_dev;
	slot->ino = st.st_ino;
	slot->size = st.st_size;
	slot->mtime = st.st_mtim;
	slot->used = slot->err != -ENOMEM;
	*out = slot->layout;
	return slot->err;
}

int v8_layout__check(const struct v8_layout *l, char *why, size_t len)
{
	for (size_t f = 0; f < N_FIELDS; f++) {
		if (l->missing & (1ull << f)) {
			snprintf(why, len, "V8 %d.%d: layout symbol %s* missing", l->major,
				 l->minor, fields[f].prefix);
			return -ENOTSUP;
		}
	}
	if (l->tagged_size != 8 || l->pointer_size != 8) {
		snprintf(why, len, "V8 %d.%d with %u-byte tagged values (pointer "
			 "compression) is not supported", l->major, l->minor, l->tagged_size);
		return -ENOTSUP;
	}
	if (l->heap_object_tag != 1 || l->heap_object_tag_mask != 3 || l->smi_tag != 0 ||
	    l->smi_tag_mask != 1 || l->smi_shift != 31) {
		snprintf(why, len, "V8 %d.%d: unexpected tagging scheme", l->major, l->minor);
		return -ENOTSUP;
	}
	/* The BPF walk reads the 32 bytes at [fp-16, fp+16). */
	if (l->off_fp_function < -16 || l->off_fp_function > -8 || l->off_fp_function % 8 ||
	    l->off_fp_context < -16 || l->off_fp_context > -8 || l->off_fp_context % 8) {
		snprintf(why, len, "V8 %d.%d: unexpected frame layout (function at fp%+d)",
			 l->major, l->minor, l->off_fp_function);
		return -ENOTSUP;
	}
	if (l->blob_code_size == 0) {
		snprintf(why, len, "V8 %d.%d: embedded builtins not found (stripped binary)",
			 l->major, l->minor);
		return -ENOTSUP;
	}
	/* Instance types tell objects apart: they must be told apart. */
	if (l->type_sfi == l->type_scope_info || l->type_sfi == l->type_script ||
	    l->type_sfi == l->type_map || l->type_scope_info == l->type_script ||
	    l->type_sfi < l->first_nonstring_type || l->type_script < l->first_nonstring_type ||
	    l->type_scope_info < l->first_nonstring_type || l->type_map < l->first_nonstring_type) {
		snprintf(why, len, "V8 %d.%d: inconsistent instance types", l->major, l->minor);
		return -ENOTSUP;
	}
	return 0;
}

/* ---- the walk's ranges --------------------------------------------------- */

static void add_range(struct v8_walk_info *info, uint64_t start, uint64_t end,
		      bool jit)
{
	size_t i, best = 0;
	uint64_t gap = UINT64_MAX;

	if (start >= end)
		return;
	/* Sorted insert, merging what touches and is of the same kind. */
	for (i = 0; i < info->n_ranges; i++) {
		if (end >= info->ranges[i].start && start <= info->ranges[i].end &&
		    info->ranges[i].jit == jit) {
			if (start < info->ranges[i].start)
				info->ranges[i].start = start;
			if (end > info->ranges[i].end)
				info->ranges[i].end = end;
			return;
		}
		if (start < info->ranges[i].start)
			break;
	}
	if (info->n_ranges == V8NAMES_MAX_RANGES) {
		/* Full: join the two closest neighbours to make room (as
		 * builtins, if either is: the safe kind). */
		for (size_t j = 0; j + 1 < info->n_ranges; j++) {
			uint64_t g = info->ranges[j + 1].start - info->ranges[j].end;

			if (g < gap) {
				gap = g;
				best = j;
			}
		}
		info->ranges[best].end = info->ranges[best + 1].end;
		info->ranges[best].jit = info->ranges[best].jit && info->ranges[best + 1].jit;
		memmove(&info->ranges[best + 1], &info->ranges[best + 2],
			(info->n_ranges - best - 2) * sizeof(info->ranges[0]));
		info->n_ranges--;
		add_range(info, start, end, jit);
		return;
	}
	memmove(&info->ranges[i + 1], &info->ranges[i],
		(info->n_ranges - i) * sizeof(info->ranges[0]));
	info->ranges[i].start = start;
	info->ranges[i].end = end;
	info->ranges[i].jit = jit;
	info->n_ranges++;
}

void v8names__walk_info(const struct v8_layout *l, const char *exe_path,
			const struct v8_mapping *maps, size_t n,
			struct v8_walk_info *info)
{
	uint64_t blob_lo = l->blob_code_offset, blob_hi = blob_lo + l->blob_code_size;

	memset(info, 0, sizeof(*info));
	info->off_fp_function = l->off_fp_function;
	info->off_fp_context = l->off_fp_context;
	info->jsfunction_shared = l->jsfunction_shared;
	info->sfi_name = l->sfi_name_or_scope_info;
	for (size_t i = 0; i < n; i++) {
		const struct v8_mapping *m = &maps[i];
		uint64_t lo, hi, len = m->end - m->start;

		if (!m->path || !m->path[0]) { /* anonymous: JIT code */
			add_range(info, m->start, m->end, true);
			continue;
		}
		if (!exe_path || strcmp(m->path, exe_path) != 0 || !l->blob_code_size)
			continue;
		/* The builtins where the binary maps them, and V8's remapped
		 * copy (a second mapping of the same file offsets). */
		lo = m->offset > blob_lo ? m->offset : blob_lo;
		hi = m->offset + len < blob_hi ? m->offset + len : blob_hi;
		if (lo < hi)
			add_range(info, m->start + (lo - m->offset),
				  m->start + (hi - m->offset), false);
	}
}

/* ---- reading the heap ---------------------------------------------------- */

struct entry {
	uint64_t sfi;
	uint32_t cookie;
	int err;             /* 0, or the lookup's error (cached too) */
	char *name, *script; /* one allocation: name, then script */
	unsigned int line;
	int32_t next;        /* bucket chain, -1 ends */
	bool used, ref;
};

/* Where a script's lines end (code unit offsets of its '\n's), read from
 * V8's line ends or counted in its source: many functions share a script. */
#define LINE_SCRIPTS 64
#define SOURCE_MAX (64u << 20)   /* longer sources are not counted */
struct script_lines {
	uint64_t script, source; /* tagged addresses: a moved script is read again */
	uint32_t *ends;
	size_t n;
	uint32_t used;           /* clock of the last use; 0: empty */
};

struct v8names {
	struct v8_layout l;
	/* The layout check on this heap (v8names__verdict). */
	bool verified, refused;
	unsigned int tries;   /* failed lookups before it was verified */
	unsigned int neutral; /* ... that neither proved nor refuted it */
	struct script_lines lines[LINE_SCRIPTS];
	uint32_t lines_clock;
	v8names_read_fn read;
	void *ctx;
	pid_t pid;           /* for v8names__open's reader */
	struct entry *entries;
	size_t cap, count, hand;
	size_t max;          /* cap grows (doubling) up to it */
	int32_t *buckets;
	size_t n_buckets;    /* power of 2 */
	struct v8names_stats stats;
	char name[V8NAMES_NAME_MAX], script[V8NAMES_NAME_MAX]; /* scratch */
	unsigned int line;                                     /* scratch */
};

static int rd(struct v8names *r, uint64_t addr, void *buf, size_t len)
{
	return r->read(r->ctx, addr, buf, len);
}

static bool is_heap_object(const struct v8names *r, uint64_t v)
{
	return (v & r->l.heap_object_tag_mask) == r->l.heap_object_tag && v > 4096;
}

static bool is_smi(const struct v8names *r, uint64_t v)
{
	return (v & r->l.smi_tag_mask) == r->l.smi_tag;
}

static int64_t smi_value(const struct v8names *r, uint64_t v)
{
	return (int64_t)v >> (r->l.smi_shift + 1);
}

/* A tagged field of the object at tagged pointer obj. */
static int field(struct v8names *r, uint64_t obj, uint32_t off, uint64_t *v)
{
	return rd(r, obj - r->l.heap_object_tag + off, v, sizeof(*v));
}

static int instance_type(struct v8names *r, uint64_t obj, uint32_t *type)
{
	uint64_t map;
	uint16_t t;
	int err;

	if (!is_heap_object(r, obj))
		return -EINVAL;
	err = field(r, obj, 0, &map);
	if (err)
		return err;
	if (!is_heap_object(r, map))
		return -EINVAL;
	err = rd(r, map - r->l.heap_object_tag + r->l.map_instance_type, &t, sizeof(t));
	if (err)
		return err;
	*type = t;
	return 0;
}

static bool is_string_type(const struct v8names *r, uint32_t type)
{
	return type < r->l.first_nonstring_type;
}

/* UTF-8 output with a bound: out[0..*pos), always NUL-terminated; or,
 * with buf NULL, the offsets of the '\n' code units into ends. */
struct utf8 {
	char *buf;
	size_t cap, pos;
	uint32_t high; /* pending UTF-16 high surrogate, 0: none */
	uint32_t *ends;
	size_t n_ends, cap_ends;
	uint64_t units;
	bool nomem;
};

static void put_unit_line(struct utf8 *o, uint32_t u)
{
	if (u == '\n' && !o->nomem) {
		if (o->n_ends == o->cap_ends) {
			size_t cap = o->cap_ends ? o->cap_ends * 2 : 256;
			uint32_t *e = realloc(o->ends, cap * sizeof(*e));

			if (!e) {
				o->nomem = true;
				return;
			}
			o->ends = e;
			o->cap_ends = cap;
		}
		o->ends[o->n_ends++] = (uint32_t)o->units;
	}
	o->units++;
}

static void put_cp(struct utf8 *o, uint32_t cp)
{
	char b[4];
	size_t n;

	if (cp < 0x80) {
		b[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		b[0] = (char)(0xc0 | cp >> 6);
		b[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		b[0] = (char)(0xe0 | cp >> 12);
		b[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		b[0] = (char)(0xf0 | cp >> 18);
		b[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		b[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	if (o->pos + n >= o->cap)
		return; /* full: whole characters only */
	memcpy(o->buf + o->pos, b, n);
	o->pos += n;
	o->buf[o->pos] = '\0';
}

/* UTF-16 unit: pairs surrogates, lone ones become U+FFFD. */
static void put_u16(struct utf8 *o, uint32_t u)
{
	if (o->high) {
		uint32_t high = o->high;

		o->high = 0;
		if (u >= 0xdc00 && u <= 0xdfff) {
			put_cp(o, 0x10000 + ((high - 0xd800) << 10) + (u - 0xdc00));
			return;
		}
		put_cp(o, 0xfffd);
	}
	if (u >= 0xd800 && u <= 0xdbff)
		o->high = u;
	else if (u >= 0xdc00 && u <= 0xdfff)
		put_cp(o, 0xfffd);
	else
		put_cp(o, u);
}

static bool full(const struct utf8 *o)
{
	return o->buf ? o->pos + 4 >= o->cap : o->nomem;
}

/* Appends count characters of width 1 (Latin-1) or 2 (UTF-16) at base. */
static int read_units(struct v8names *r, uint64_t base, bool one, uint64_t from,
		      uint64_t count, struct utf8 *o)
{
	unsigned char chunk[4096];
	uint64_t width = one ? 1 : 2;
	int err;

	while (count && !full(o)) {
		size_t n = count * width > sizeof(chunk) ? sizeof(chunk) : (size_t)(count * width);

		err = rd(r, base + from * width, chunk, n);
		if (err)
			return err;
		for (size_t i = 0; i < n; i += width) {
			uint32_t u = one ? chunk[i] : (uint32_t)chunk[i] | (uint32_t)chunk[i + 1] << 8;

			if (!o->buf)
				put_unit_line(o, u);
			else if (one)
				put_cp(o, u); /* Latin-1 */
			else
				put_u16(o, u);
		}
		from += n / width;
		count -= n / width;
	}
	return 0;
}

/* Appends characters [from, from + count) of the string at obj. */
static int read_chars(struct v8names *r, uint64_t obj, uint64_t from, uint64_t count,
		      struct utf8 *o, int depth)
{
	const struct v8_layout *l = &r->l;
	uint32_t type, repr;
	int32_t length;
	uint64_t a, b;
	bool one;
	int err;

	if (depth > STRING_MAX_DEPTH)
		return -EINVAL;
	err = instance_type(r, obj, &type);
	if (err)
		return err;
	if (!is_string_type(r, type))
		return -EINVAL;
	err = rd(r, obj - l->heap_object_tag + l->string_length, &length, sizeof(length));
	if (err)
		return err;
	if (length < 0 || from > (uint64_t)length)
		return -EINVAL;
	if (count > (uint64_t)length - from)
		count = (uint64_t)length - from;
	repr = type & l->string_repr_mask;
	one = (type & l->string_encoding_mask) == l->one_byte_tag;
	if (repr == l->seq_tag)
		return read_units(r, obj - l->heap_object_tag +
				  (one ? l->seq_one_byte_chars : l->seq_two_byte_chars),
				  one, from, count, o);
	if (repr == l->cons_tag) {
		int32_t first_len;

		if ((err = field(r, obj, l->cons_first, &a)) ||
		    (err = field(r, obj, l->cons_second, &b)))
			return err;
		err = rd(r, a - l->heap_object_tag + l->string_length, &first_len,
			 sizeof(first_len));
		if (err)
			return err;
		if (first_len < 0 || first_len > length)
			return -EINVAL;
		if (from < (uint64_t)first_len) {
			uint64_t n = (uint64_t)first_len - from;

			err = read_chars(r, a, from, count < n ? count : n, o, depth + 1);
			if (err || count <= n)
				return err;
			count -= n;
			from = (uint64_t)first_len;
		}
		return read_chars(r, b, from - (uint64_t)first_len, count, o, depth + 1);
	}
	if (repr == l->thin_tag) {
		if ((err = field(r, obj, l->thin_actual, &a)))
			return err;
		return read_chars(r, a, from, count, o, depth + 1);
	}
	if (repr == l->sliced_tag) {
		if ((err = field(r, obj, l->sliced_parent, &a)) ||
		    (err = field(r, obj, l->sliced_offset, &b)))
			return err;
		if (!is_smi(r, b) || smi_value(r, b) < 0)
			return -EINVAL;
		return read_chars(r, a, from + (uint64_t)smi_value(r, b), count, o,
				  depth + 1);
	}
	/* External strings (Node's own modules' sources) keep their characters
	 * outside the heap; V8 caches the resource's data pointer in the word
	 * after the resource. "Uncached" ones lack it, and the word there is
	 * then the next object's map: a tagged pointer, refused. */
	if (repr == l->external_tag && l->has_external) {
		if ((err = field(r, obj, l->external_resource + l->pointer_size, &a)))
			return err;
		if (!a || (a & l->heap_object_tag_mask) == l->heap_object_tag)
			return -ENOTSUP;
		return read_units(r, a, one, from, count, o);
	}
	return -ENOTSUP;
}

/* The string at obj as UTF-8 into buf; "" when obj is not a string. */
static int read_string(struct v8names *r, uint64_t obj, char *buf, size_t len)
{
	struct utf8 o = { .buf = buf, .cap = len };
	uint32_t type;
	int err;

	buf[0] = '\0';
	err = instance_type(r, obj, &type);
	if (err)
		return err;
	if (!is_string_type(r, type))
		return -EINVAL;
	err = read_chars(r, obj, 0, UINT32_MAX, &o, 0);
	if (o.high)
		put_cp(&o, 0xfffd);
	return err;
}

/* Position info candidates: two Smis (start, end) of a function's source. */
static bool position_pair(const struct v8names *r, uint64_t a, uint64_t b, int64_t *start)
{
	if (!is_smi(r, a) || !is_smi(r, b) || smi_value(r, a) < 0 ||
	    smi_value(r, b) <= smi_value(r, a))
		return false;
	*start = smi_value(r, a);
	return true;
}

/* The function's name from its ScopeInfo: the first non-empty string in
 * the slots after the context locals (see the top of this file); and its
 * start position (-1: not found): in the header from V8 12.8, else the
 * last two of the first run of Smis after the locals that ends before an
 * object (the function variable's slot index is a lone Smi; the position
 * pair comes after the inferred name and before the outer scope). */
static int scope_info_read(struct v8names *r, uint64_t si, char *buf, size_t len,
			   int64_t *start)
{
	const struct v8_layout *l = &r->l;
	uint64_t slot0 = si - l->heap_object_tag + l->tagged_size; /* after the map */
	uint64_t nlocals_raw, slots[SCOPEINFO_NAME_SLOTS], head[2];
	int64_t nlocals;
	size_t first, run = 0;
	bool named = false;

	buf[0] = '\0';
	*start = -1;
	if (rd(r, slot0 + (uint64_t)l->scopeinfo_ncontextlocals * 8, &nlocals_raw, 8))
		return -EFAULT;
	if (!is_smi(r, nlocals_raw))
		return -EINVAL;
	nlocals = smi_value(r, nlocals_raw);
	if (nlocals < 0 || nlocals > SCOPEINFO_MAX_LOCALS)
		return -EINVAL;
	if (l->scopeinfo_position_in_header && l->scopeinfo_first_vars >= 2 &&
	    rd(r, slot0 + (uint64_t)(l->scopeinfo_first_vars - 2) * 8, head, sizeof(head)) == 0)
		position_pair(r, head[0], head[1], start);
	first = l->scopeinfo_first_vars + (size_t)nlocals * 2;
	if (nlocals >= SCOPEINFO_MAX_INLINED_LOCALS)
		first = l->scopeinfo_first_vars + 1 + (size_t)nlocals;
	if (rd(r, slot0 + first * 8, slots, sizeof(slots)))
		return -EFAULT;
	for (size_t i = 0; i < SCOPEINFO_NAME_SLOTS; i++) {
		uint32_t type;

		if (is_smi(r, slots[i])) {
			run++;
			continue;
		}
		if (!l->scopeinfo_position_in_header && *start < 0 && run >= 2)
			position_pair(r, slots[i - 2], slots[i - 1], start);
		run = 0;
		if (instance_type(r, slots[i], &type))
			continue;
		if (type == l->type_scope_info)
			break; /* the outer scope: past the names */
		if (named || !is_string_type(r, type))
			continue; /* undefined where a name is absent */
		if (read_string(r, slots[i], buf, len) == 0 && buf[0])
			named = true;
	}
	if (!named)
		buf[0] = '\0'; /* anonymous */
	return 0;
}

/* The lines of a script, from its line ends or counted in its source. */
static const struct script_lines *script_lines(struct v8names *r, uint64_t script)
{
	const struct v8_layout *l = &r->l;
	struct script_lines *sl = NULL, *oldest = &r->lines[0];
	struct utf8 o = { 0 };
	uint64_t source, ends, len_raw;
	uint32_t type;
	int err = -EINVAL;

	if (!l->has_lines || field(r, script, l->script_source, &source) ||
	    field(r, script, l->script_line_ends, &ends))
		return NULL;
	for (size_t i = 0; i < LINE_SCRIPTS; i++) {
		if (r->lines[i].used && r->lines[i].script == script &&
		    r->lines[i].source == source) {
			r->lines[i].used = ++r->lines_clock;
			return &r->lines[i];
		}
		if (r->lines[i].used < oldest->used)
			oldest = &r->lines[i];
	}
	if (is_heap_object(r, ends) && instance_type(r, ends, &type) == 0 &&
	    type == l->type_fixed_array && field(r, ends, l->fixed_array_length, &len_raw) == 0 &&
	    is_smi(r, len_raw) && smi_value(r, len_raw) > 0 &&
	    smi_value(r, len_raw) <= SOURCE_MAX) {
		/* V8's own: the offset of each line's end (the last one the
		 * source's length), as Smis. */
		size_t n = (size_t)smi_value(r, len_raw);
		uint64_t *raw = malloc(n * 8);

		o.ends = malloc(n * sizeof(*o.ends));
		if (raw && o.ends &&
		    rd(r, ends - l->heap_object_tag + l->fixed_array_data, raw, n * 8) == 0) {
			err = 0;
			for (size_t i = 0; i < n && !err; i++) {
				if (!is_smi(r, raw[i]) || smi_value(r, raw[i]) < 0 ||
				    smi_value(r, raw[i]) > UINT32_MAX)
					err = -EINVAL;
				else
					o.ends[i] = (uint32_t)smi_value(r, raw[i]);
			}
			o.n_ends = n;
		}
		free(raw);
	} else if (is_heap_object(r, source) && instance_type(r, source, &type) == 0 &&
		   is_string_type(r, type)) {
		/* Not computed yet (V8 does it lazily): counted here. */
		err = read_chars(r, source, 0, SOURCE_MAX, &o, 0);
		if (o.nomem)
			err = -ENOMEM;
		/* As V8 does: the last line ends with the source. */
		if (!err && o.units && (!o.n_ends || o.ends[o.n_ends - 1] != o.units - 1)) {
			put_unit_line(&o, '\n'); /* records the source's length */
			if (o.nomem)
				err = -ENOMEM;
		}
	}
	if (err) {
		free(o.ends);
		return NULL;
	}
	sl = oldest;
	free(sl->ends);
	*sl = (struct script_lines){ .script = script, .source = source, .ends = o.ends,
				     .n = o.n_ends, .used = ++r->lines_clock };
	r->stats.scripts_lined++;
	return sl;
}

/* 1-based line of offset pos: one more than the line ends before it. */
static unsigned int line_of(const struct script_lines *sl, int64_t pos)
{
	size_t lo = 0, hi = sl->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if ((int64_t)sl->ends[mid] < pos)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (unsigned int)lo + 1;
}

/* Whether the map of the object at obj is a Map whose own map is the meta
 * map (a Map of type MAP_TYPE): the instance type offset and numbers the
 * layout gives hold on this heap. */
static bool map_is_map(struct v8names *r, uint64_t obj)
{
	uint64_t map;
	uint32_t type;

	return field(r, obj, 0, &map) == 0 && instance_type(r, map, &type) == 0 &&
	       type == r->l.type_map;
}

static int read_function(struct v8names *r, uint64_t sfi, uint32_t cookie)
{
	const struct v8_layout *l = &r->l;
	uint64_t name, script, sname;
	uint32_t type, name_type = 0;
	bool has_script;
	int64_t start = -1;
	int err;

	r->name[0] = r->script[0] = '\0';
	r->line = 0;
	err = instance_type(r, sfi, &type);
	if (err)
		return err;
	if (type != l->type_sfi)
		return -EINVAL;
	if ((err = field(r, sfi, l->sfi_name_or_scope_info, &name)) ||
	    (err = field(r, sfi, l->sfi_script, &script)))
		return err;
	if ((uint32_t)name != cookie)
		return -ESTALE;
	if (is_heap_object(r, name) && instance_type(r, name, &name_type) == 0) {
		if (is_string_type(r, name_type))
			err = read_string(r, name, r->name, sizeof(r->name));
		else if (name_type == l->type_scope_info)
			err = scope_info_read(r, name, r->name, sizeof(r->name), &start);
		if (err)
			return err;
	}
	/* A DebugInfo instead of the Script (a debugger is attached), or a
	 * script without a name: no file, the name alone is still right. */
	has_script = is_heap_object(r, script) && instance_type(r, script, &type) == 0 &&
		     type == l->type_script;
	if (has_script && field(r, script, l->script_name, &sname) == 0 &&
	    is_heap_object(r, sname))
		read_string(r, sname, r->script, sizeof(r->script));
	if (!r->verified) {
		/* Proof that the layout holds here: every object where it says,
		 * of the type it says (see v8names__verdict). A function without
		 * a script (a builtin's) neither proves nor refutes it. */
		if (!map_is_map(r, sfi) || (has_script && !map_is_map(r, script)) ||
		    !(is_string_type(r, name_type) || name_type == l->type_scope_info))
			return -EINVAL;
		if (!has_script || !r->script[0])
			return -EAGAIN;
		r->verified = true;
	}
	if (has_script && start >= 0) {
		const struct script_lines *sl = script_lines(r, script);

		if (sl && sl->n && start <= (int64_t)sl->ends[sl->n - 1])
			r->line = line_of(sl, start);
	}
	return 0;
}

/* ---- the cache ----------------------------------------------------------- */

static size_t bucket_of(const struct v8names *r, uint64_t sfi, uint32_t cookie)
{
	uint64_t h = (sfi ^ ((uint64_t)cookie << 29)) * 0x9e3779b97f4a7c15ull;

	return (size_t)(h >> 32) & (r->n_buckets - 1);
}

static void unlink_entry(struct v8names *r, size_t idx)
{
	struct entry *e = &r->entries[idx];
	int32_t *p = &r->buckets[bucket_of(r, e->sfi, e->cookie)];

	while (*p >= 0 && *p != (int32_t)idx)
		p = &r->entries[*p].next;
	if (*p == (int32_t)idx)
		*p = e->next;
	free(e->name);
	e->name = e->script = NULL;
	e->used = false;
	r->count--;
	r->stats.evictions++;
}

/* Room for twice as many entries (at most max), buckets rehashed. A
 * process that names few functions keeps a small cache. */
static int grow_cache(struct v8names *r)
{
	size_t cap = r->cap * 2 < r->max ? r->cap * 2 : r->max, nb;
	struct entry *e = realloc(r->entries, cap * sizeof(*e));
	int32_t *b;

	if (!e)
		return -ENOMEM;
	r->entries = e;
	for (nb = 1; nb < cap; nb <<= 1)
		;
	b = malloc(nb * sizeof(*b));
	if (!b)
		return -ENOMEM;
	memset(e + r->cap, 0, (cap - r->cap) * sizeof(*e));
	memset(b, 0xff, nb * sizeof(*b));
	free(r->buckets);
	r->buckets = b;
	r->n_buckets = nb;
	for (size_t i = 0; i < r->cap; i++) {
		size_t k = bucket_of(r, e[i].sfi, e[i].cookie);

		e[i].next = b[k];
		b[k] = (int32_t)i;
	}
	r->hand = r->cap;
	r->cap = cap;
	return 0;
}

/* A free slot, evicting by the clock when full. */
static size_t take_slot(struct v8names *r)
{
	if (r->count == r->cap && r->cap < r->max)
		grow_cache(r); /* else (out of memory) evict */
	if (r->count < r->cap) {
		while (r->entries[r->hand].used)
			r->hand = (r->hand + 1) % r->cap;
	} else {
		for (;;) {
			struct entry *e = &r->entries[r->hand];

			if (!e->ref)
				break;
			e->ref = false;
			r->hand = (r->hand + 1) % r->cap;
		}
		unlink_entry(r, r->hand);
	}
	return r->hand;
}

struct v8names *v8names__new(const struct v8_layout *layout, v8names_read_fn read,
			     void *ctx, size_t cache_entries)
{
	struct v8names *r;
	char why[160];

	if (!layout || !read || v8_layout__check(layout, why, sizeof(why))) {
		errno = EINVAL;
		return NULL;
	}
	if (!cache_entries)
		cache_entries = V8NAMES_CACHE_DEFAULT;
	if (cache_entries > INT32_MAX / 4) {
		errno = EINVAL;
		return NULL;
	}
	r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->l = *layout;
	r->read = read;
	r->ctx = ctx;
	r->max = cache_entries;
	r->cap = cache_entries < V8NAMES_CACHE_START ? cache_entries : V8NAMES_CACHE_START;
	for (r->n_buckets = 1; r->n_buckets < r->cap; r->n_buckets <<= 1)
		;
	r->entries = calloc(r->cap, sizeof(*r->entries));
	r->buckets = malloc(r->n_buckets * sizeof(*r->buckets));
	if (!r->entries || !r->buckets) {
		v8names__free(r);
		errno = ENOMEM;
		return NULL;
	}
	memset(r->buckets, 0xff, r->n_buckets * sizeof(*r->buckets));
	return r;
}

static int read_process(void *ctx, uint64_t addr, void *buf, size_t len)
{
	const struct v8names *r = ctx;

	return procfs__read_mem(r->pid, addr, buf, len);
}

struct v8names *v8names__open(pid_t pid, const struct v8_layout *layout,
			      size_t cache_entries)
{
	struct v8names *r = v8names__new(layout, read_process, NULL, cache_entries);

	if (r) {
		r->ctx = r;
		r->pid = pid;
	}
	return r;
}

void v8names__free(struct v8names *r)
{
	if (!r)
		return;
	for (size_t i = 0; r->entries && i < r->cap; i++)
		free(r->entries[i].name);
	for (size_t i = 0; i < LINE_SCRIPTS; i++)
		free(r->lines[i].ends);
	free(r->entries);
	free(r->buckets);
	free(r);
}

/* A lookup that failed before the layout was verified: one try of the
 * check (cached failures count again: a small program has few functions).
 * Whether the layout is refused now. */
static bool check_tried(struct v8names *r, int err)
{
	if (r->verified)
		return false;
	if (err == -EAGAIN ? ++r->neutral >= V8NAMES_CHECK_NEUTRAL :
			     ++r->tries >= V8NAMES_CHECK_TRIES)
		r->refused = true;
	return r->refused;
}

int v8names__lookup(struct v8names *r, uint64_t sfi, uint32_t cookie,
		    struct v8_function *out)
{
	size_t b = bucket_of(r, sfi, cookie), idx;
	struct entry *e;
	int err;

	if (r->refused)
		return -ENOTSUP;
	r->stats.lookups++;
	for (int32_t i = r->buckets[b]; i >= 0; i = r->entries[i].next) {
		e = &r->entries[i];
		if (e->sfi != sfi || e->cookie != cookie)
			continue;
		e->ref = true;
		r->stats.hits++;
		if (e->err)
			return check_tried(r, e->err) ? -ENOTSUP : e->err;
		out->name = e->name;
		out->script = e->script;
		out->line = e->line;
		return 0;
	}
	err = read_function(r, sfi, cookie);
	if (err && check_tried(r, err))
		return -ENOTSUP;
	if (err == -EAGAIN) {
		r->stats.failures++;
		return err; /* not cached: named once the layout is verified */
	}
	if (err) {
		r->stats.failures++;
		if (err == -ESTALE)
			r->stats.stale++;
		else if (err != -EINVAL && err != -ENOTSUP)
			err = -EFAULT;
	}
	idx = take_slot(r);
	b = bucket_of(r, sfi, cookie); /* the cache may have grown */
	e = &r->entries[idx];
	*e = (struct entry){ .sfi = sfi, .cookie = cookie, .err = err, .used = true,
			     .ref = true, .next = r->buckets[b] };
	if (!err) {
		size_t nl = strlen(r->name) + 1, sl = strlen(r->script) + 1;

		e->name = malloc(nl + sl);
		if (!e->name) {
			e->used = false;
			return -ENOMEM;
		}
		memcpy(e->name, r->name, nl);
		e->script = e->name + nl;
		memcpy(e->script, r->script, sl);
		e->line = r->line;
		out->name = e->name;
		out->script = e->script;
		out->line = e->line;
	}
	r->buckets[b] = (int32_t)idx;
	r->count++;
	return err;
}

void v8names__stats(const struct v8names *r, struct v8names_stats *out)
{
	*out = r->stats;
	out->entries = r->count;
}

int v8names__verdict(const struct v8names *r, char *why, size_t len)
{
	if (r->verified)
		return 0;
	if (!r->refused)
		return -EAGAIN;
	snprintf(why, len, "V8 %d.%d: layout check failed: %s", r->l.major, r->l.minor,
		 r->tries >= V8NAMES_CHECK_TRIES ?
			 "the first SharedFunctionInfos read lacked the types its v8dbg_* "
			 "symbols give" :
			 "no SharedFunctionInfo read had a script");
	return -ENOTSUP;
}
