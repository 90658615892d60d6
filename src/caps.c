// SPDX-License-Identifier: MIT
/* caps: capability dropping with the raw capget/capset syscalls (no libcap);
 * see caps.h and capabilities(7). */
#include "caps.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#define CAPS_MAX 64 /* capabilities fit two 32-bit words */

static int get(struct __user_cap_data_struct data[2])
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };

	return syscall(SYS_capget, &hdr, data) ? -errno : 0;
}

int caps__effective(uint64_t *mask)
{
	struct __user_cap_data_struct data[2];
	int err = get(data);

	if (!err)
		*mask = (uint64_t)data[1].effective << 32 | data[0].effective;
	return err;
}

bool caps__have(int cap)
{
	uint64_t mask;

	return caps__effective(&mask) == 0 && (mask >> cap & 1);
}

int caps__limit(uint64_t keep)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2];
	int err = get(data);

	if (err)
		return err;
	/* The bounding set first: dropping from it needs CAP_SETPCAP, which
	 * goes away with the rest. Capabilities this kernel lacks: EINVAL. */
	for (int cap = 0; cap < CAPS_MAX; cap++)
		if (!(keep >> cap & 1) && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) &&
		    errno != EINVAL && errno != EPERM)
			return -errno;
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	for (int w = 0; w < 2; w++) {
		uint32_t k = (uint32_t)(keep >> (32 * w));

		data[w].permitted &= k;
		data[w].effective = data[w].permitted;
		data[w].inheritable = 0;
	}
	return syscall(SYS_capset, &hdr, data) ? -errno : 0;
}

void caps__names(uint64_t mask, char *out, size_t len)
{
	static const struct {
		int cap;
		const char *name;
	} known[] = {
		{ CAP_DAC_READ_SEARCH, "CAP_DAC_READ_SEARCH" },
		{ CAP_SYS_PTRACE, "CAP_SYS_PTRACE" }, { CAP_SYS_ADMIN, "CAP_SYS_ADMIN" },
		{ CAP_PERFMON, "CAP_PERFMON" }, { CAP_BPF, "CAP_BPF" },
		{ CAP_CHECKPOINT_RESTORE, "CAP_CHECKPOINT_RESTORE" },
	};
	size_t pos = 0;

	if (!len)
		return;
	out[0] = '\0';
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		int n;

		if (!(mask >> known[i].cap & 1))
			continue;
		n = snprintf(out + pos, len - pos, "%s%s", pos ? "," : "", known[i].name);
		if (n < 0 || (size_t)n >= len - pos)
			return;
		pos += (size_t)n;
	}
	if (!pos)
		snprintf(out, len, "none");
}
