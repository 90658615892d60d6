// SPDX-License-Identifier: MIT
/* kallsyms: kernel symbol names for kernel frames, from /proc/kallsyms
 * (format: "ADDRESS TYPE NAME [MODULE]", see Documentation/admin-guide/
 * sysctl/kernel.rst, kptr_restrict). Addresses read as 0 when the reader
 * lacks privileges; such a table names nothing. */
#ifndef PROMFILER_KALLSYMS_H
#define PROMFILER_KALLSYMS_H

#include <stdint.h>
#include <stdio.h>

struct kallsyms;

/* NULL + errno on failure. */
struct kallsyms *kallsyms__load(void);
struct kallsyms *kallsyms__load_file(FILE *f);
void kallsyms__free(struct kallsyms *ks);
/* The name of the text symbol holding addr, or NULL. Owned by ks. */
const char *kallsyms__lookup(const struct kallsyms *ks, uint64_t addr);
size_t kallsyms__count(const struct kallsyms *ks);

#endif
