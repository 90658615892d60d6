// SPDX-License-Identifier: MIT
/* caps: least privilege for a running agent. Loading and attaching BPF needs
 * CAP_BPF and CAP_PERFMON (or CAP_SYS_ADMIN); once attached, the agent only
 * reads other processes (/proc/PID/root, map_files, process_vm_readv) and
 * its BPF maps. See capabilities(7). */
#ifndef PROMFILER_CAPS_H
#define PROMFILER_CAPS_H

#include <linux/capability.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What a running agent keeps: CAP_BPF (with kernel.unprivileged_bpf_disabled
 * set, as distributions ship it, every bpf() call needs it, map reads on our
 * own descriptors too), CAP_SYS_PTRACE (other processes' /proc files and
 * memory), CAP_DAC_READ_SEARCH (their files whatever the mode) and
 * CAP_CHECKPOINT_RESTORE (/proc/PID/map_files). CAP_PERFMON and
 * CAP_SYS_ADMIN go: the perf events are open already. */
#define CAPS_BIT(cap) (1ULL << (cap))
#define CAPS_RUNTIME_MASK (CAPS_BIT(CAP_BPF) | CAPS_BIT(CAP_SYS_PTRACE) | \
			   CAPS_BIT(CAP_DAC_READ_SEARCH) | CAPS_BIT(CAP_CHECKPOINT_RESTORE))

/* Drops every capability outside keep (a mask of 1 << CAP_*) from the
 * effective, permitted, inheritable, ambient and bounding sets. The ones
 * kept are those of keep this process has. 0 or -errno. */
int caps__limit(uint64_t keep);
/* The calling thread's effective set as a mask (capget(2): capabilities
 * are per thread). 0 or -errno. */
int caps__effective(uint64_t *mask);
/* Whether the calling thread's effective set holds cap (a CAP_* number);
 * false when it cannot be read. */
bool caps__have(int cap);
/* "CAP_SYS_PTRACE,CAP_DAC_READ_SEARCH" for a mask (known names only). */
void caps__names(uint64_t mask, char *out, size_t len);

#endif
