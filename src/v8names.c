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
#include <sys/uio.h>
#include <unistd.h>

/* ScopeInfo stores up to this many context local names inline; more go in a
 * hash table (one slot). kScopeInfoMaxInlinedLocalNamesSize in V8 11-12. */
#define SCOPEINFO_MAX_INLINED_LOCALS 75
/* Slots looked at after the locals for the names. */
#define SCOPEINFO_NAME_SLOTS 8
#define SCOPEINFO_MAX_LOCALS 4096    /* larger counts are not a ScopeInfo */
#define STRING_MAX_DEPTH 16          /* cons/thin/sliced nesting followed */

/* ---- layout from the ELF file ------------------------------------------ */

enum field_kind { F_I32, F_U32, F_SIZE /* symbol's own size is the value */ };

/* A v8dbg field: the symbol whose name starts with `prefix` (type suffixes
 * change between versions: __Object, __Tagged_Object_, ...). */
struct field {
	const char *prefix;
	bool exact;
	size_t off;          /* in struct v8_layout */
	bool is_signed;
	bool optional;
};

#define L(f) offsetof(struct v8_layout, f)
static const struct field fields[] = {
	{ "_ZN2v88internal7Version6major_E", true, L(major), true, false },
	{ "_ZN2v88internal7Version6minor_E", true, L(minor), true, false },
	{ "_ZN2v88internal7Version6build_E", true, L(build), true, false },
	{ "_ZN2v88internal7Version6patch_E", true, L(patch), true, false },
	{ "v8dbg_off_fp_function", true, L(off_fp_function), true, false },
	{ "v8dbg_off_fp_context", true, L(off_fp_context), true, false },
	{ "v8dbg_TaggedSize", true, L(tagged_size), false, false },
	{ "v8dbg_SystemPointerSize", true, L(pointer_size), false, false },
	{ "v8dbg_HeapObjectTag", true, L(heap_object_tag), false, false },
	{ "v8dbg_HeapObjectTagMask", true, L(heap_object_tag_mask), false, false },
	{ "v8dbg_SmiTag", true, L(smi_tag), false, false },
	{ "v8dbg_SmiTagMask", true, L(smi_tag_mask), false, false },
	{ "v8dbg_SmiShiftSize", true, L(smi_shift), false, false },
	{ "v8dbg_class_Map__instance_type__", false, L(map_instance_type), false, false },
	{ "v8dbg_class_JSFunction__shared__", false, L(jsfunction_shared), false, false },
	{ "v8dbg_class_SharedFunctionInfo__name_or_scope_info__", false,
	  L(sfi_name_or_scope_info), false, false },
	/* V8 11: script_or_debug_info; V8 12+: script (and raw_script). */
	{ "v8dbg_class_SharedFunctionInfo__script_or_debug_info__", false,
	  L(sfi_script), false, true },
	{ "v8dbg_class_SharedFunctionInfo__script__", false, L(sfi_script), false, true },
	{ "v8dbg_class_Script__name__", false, L(script_name), false, false },
	{ "v8dbg_class_String__length__", false, L(string_length), false, false },
	{ "v8dbg_class_SeqOneByteString__chars__", false, L(seq_one_byte_chars), false, false },
	{ "v8dbg_class_SeqTwoByteString__chars__", false, L(seq_two_byte_chars), false, false },
	{ "v8dbg_class_ConsString__first__", false, L(cons_first), false, false },
	{ "v8dbg_class_ConsString__second__", false, L(cons_second), false, false },
	{ "v8dbg_class_ThinString__actual__", false, L(thin_actual), false, false },
	{ "v8dbg_class_SlicedString__parent__", false, L(sliced_parent), false, false },
	{ "v8dbg_class_SlicedString__offset__", false, L(sliced_offset), false, false },
	{ "v8dbg_type_JSFunction__JS_FUNCTION_TYPE", true, L(type_jsfunction), false, false },
	{ "v8dbg_type_SharedFunctionInfo__SHARED_FUNCTION_INFO_TYPE", true, L(type_sfi), false, false },
	{ "v8dbg_type_ScopeInfo__SCOPE_INFO_TYPE", true, L(type_scope_info), false, false },
	{ "v8dbg_type_Script__SCRIPT_TYPE", true, L(type_script), false, false },
	{ "v8dbg_FirstNonstringType", true, L(first_nonstring_type), false, false },
	{ "v8dbg_StringEncodingMask", true, L(string_encoding_mask), false, false },
	{ "v8dbg_OneByteStringTag", true, L(one_byte_tag), false, false },
	{ "v8dbg_StringRepresentationMask", true, L(string_repr_mask), false, false },
	{ "v8dbg_SeqStringTag", true, L(seq_tag), false, false },
	{ "v8dbg_ConsStringTag", true, L(cons_tag), false, false },
	{ "v8dbg_ThinStringTag", true, L(thin_tag), false, false },
	{ "v8dbg_SlicedStringTag", true, L(sliced_tag), false, false },
	{ "v8dbg_scopeinfo_idx_first_vars", true, L(scopeinfo_first_vars), false, false },
	{ "v8dbg_scopeinfo_idx_ncontextlocals", true, L(scopeinfo_ncontextlocals), false, false },
	{ "v8_Default_embedded_blob_code_size_", true, L(blob_code_size), false, true },
};
#undef L
#define N_FIELDS (sizeof(fields) / sizeof(fields[0]))
#define SFI_SCRIPT_FIELD_A 16 /* indexes of the two optional script fields */
#define SFI_SCRIPT_FIELD_B 17
#define BLOB_SIZE_FIELD (N_FIELDS - 1)

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
	for (size_t f = 0; f < N_FIELDS; f++)
		if (!(found & (1ull << f)) && !fields[f].optional)
			out->missing |= 1ull << f;
	if (!(found & (1ull << SFI_SCRIPT_FIELD_A)) &&
	    !(found & (1ull << SFI_SCRIPT_FIELD_B)))
		out->missing |= 1ull << SFI_SCRIPT_FIELD_A;
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

int v8_layout__check(const struct v8_layout *l, char *why, size_t len)
{
	for (size_t f = 0; f < N_FIELDS; f++) {
		if (l->missing & (1ull << f)) {
			snprintf(why, len, "V8 %d.%d: layout symbol %s* missing", l->major,
				 l->minor, fields[f].prefix);
			return -ENOTSUP;
		}
	}
	/* The versions this reader was checked against: the V8 of Node 20,
	 * 22 and 24 (each Node line keeps its V8 minor version). ScopeInfo
	 * changed in 12.8 and may again: a version not seen is refused. */
	if (!((l->major == 11 && l->minor == 3) || (l->major == 12 && l->minor == 4) ||
	      (l->major == 13 && l->minor == 6))) {
		snprintf(why, len, "V8 %d.%d is not supported (11.3, 12.4 and 13.6 are: "
			 "Node 20, 22 and 24)", l->major, l->minor);
		return -ENOTSUP;
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
	int32_t next;        /* bucket chain, -1 ends */
	bool used, ref;
};

struct v8names {
	struct v8_layout l;
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

/* UTF-8 output with a bound: out[0..*pos), always NUL-terminated. */
struct utf8 {
	char *buf;
	size_t cap, pos;
	uint32_t high; /* pending UTF-16 high surrogate, 0: none */
};

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
	return o->pos + 4 >= o->cap;
}

/* Appends characters [from, from + count) of the string at obj. */
static int read_chars(struct v8names *r, uint64_t obj, uint64_t from, uint64_t count,
		      struct utf8 *o, int depth)
{
	const struct v8_layout *l = &r->l;
	uint32_t type, repr;
	int32_t length;
	uint64_t a, b;
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
	if (repr == l->seq_tag) {
		bool one = (type & l->string_encoding_mask) == l->one_byte_tag;
		unsigned char chunk[256];
		uint64_t width = one ? 1 : 2;
		uint64_t base = obj - l->heap_object_tag +
				(one ? l->seq_one_byte_chars : l->seq_two_byte_chars);

		while (count && !full(o)) {
			size_t n = count * width > sizeof(chunk) ? sizeof(chunk) :
								   (size_t)(count * width);

			err = rd(r, base + from * width, chunk, n);
			if (err)
				return err;
			for (size_t i = 0; i < n; i += width)
				if (one)
					put_cp(o, chunk[i]); /* Latin-1 */
				else
					put_u16(o, (uint32_t)chunk[i] | (uint32_t)chunk[i + 1] << 8);
			from += n / width;
			count -= n / width;
		}
		return 0;
	}
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
	/* External strings keep their characters behind an embedder's
	 * resource object (a C++ vtable call away): not read. */
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

/* The function's name from its ScopeInfo: the first non-empty string in
 * the slots after the context locals (see the top of this file). */
static int scope_info_name(struct v8names *r, uint64_t si, char *buf, size_t len)
{
	const struct v8_layout *l = &r->l;
	uint64_t slot0 = si - l->heap_object_tag + l->tagged_size; /* after the map */
	uint64_t nlocals_raw, slots[SCOPEINFO_NAME_SLOTS];
	int64_t nlocals;
	size_t first;

	buf[0] = '\0';
	if (rd(r, slot0 + (uint64_t)l->scopeinfo_ncontextlocals * 8, &nlocals_raw, 8))
		return -EFAULT;
	if (!is_smi(r, nlocals_raw))
		return -EINVAL;
	nlocals = smi_value(r, nlocals_raw);
	if (nlocals < 0 || nlocals > SCOPEINFO_MAX_LOCALS)
		return -EINVAL;
	first = l->scopeinfo_first_vars + (size_t)nlocals * 2;
	if (nlocals >= SCOPEINFO_MAX_INLINED_LOCALS)
		first = l->scopeinfo_first_vars + 1 + (size_t)nlocals;
	if (rd(r, slot0 + first * 8, slots, sizeof(slots)))
		return -EFAULT;
	for (size_t i = 0; i < SCOPEINFO_NAME_SLOTS; i++) {
		uint32_t type;

		if (is_smi(r, slots[i]) || instance_type(r, slots[i], &type))
			continue;
		if (type == l->type_scope_info)
			break; /* the outer scope: past the names */
		if (!is_string_type(r, type))
			continue; /* undefined where a name is absent */
		if (read_string(r, slots[i], buf, len) == 0 && buf[0])
			return 0;
	}
	buf[0] = '\0';
	return 0; /* anonymous */
}

static int read_function(struct v8names *r, uint64_t sfi, uint32_t cookie)
{
	const struct v8_layout *l = &r->l;
	uint64_t name, script, sname;
	uint32_t type;
	int err;

	r->name[0] = r->script[0] = '\0';
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
	if (is_heap_object(r, name) && instance_type(r, name, &type) == 0) {
		if (is_string_type(r, type))
			err = read_string(r, name, r->name, sizeof(r->name));
		else if (type == l->type_scope_info)
			err = scope_info_name(r, name, r->name, sizeof(r->name));
		if (err)
			return err;
	}
	/* A DebugInfo instead of the Script (a debugger is attached), or a
	 * script without a name: no file, the name alone is still right. */
	if (is_heap_object(r, script) && instance_type(r, script, &type) == 0 &&
	    type == l->type_script && field(r, script, l->script_name, &sname) == 0 &&
	    is_heap_object(r, sname))
		read_string(r, sname, r->script, sizeof(r->script));
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
	struct iovec local = { buf, len };
	struct iovec remote = { (void *)(uintptr_t)addr, len };
	ssize_t n = process_vm_readv(r->pid, &local, 1, &remote, 1, 0);

	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EFAULT;
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
	free(r->entries);
	free(r->buckets);
	free(r);
}

int v8names__lookup(struct v8names *r, uint64_t sfi, uint32_t cookie,
		    struct v8_function *out)
{
	size_t b = bucket_of(r, sfi, cookie), idx;
	struct entry *e;
	int err;

	r->stats.lookups++;
	for (int32_t i = r->buckets[b]; i >= 0; i = r->entries[i].next) {
		e = &r->entries[i];
		if (e->sfi != sfi || e->cookie != cookie)
			continue;
		e->ref = true;
		r->stats.hits++;
		if (e->err)
			return e->err;
		out->name = e->name;
		out->script = e->script;
		return 0;
	}
	err = read_function(r, sfi, cookie);
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
		out->name = e->name;
		out->script = e->script;
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
