// SPDX-License-Identifier: MIT
/* options: the table of promfiler_options; see options.h. */
#include "options.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include <linux/types.h>

#include "frame_name.h"
#include "profile.h"

#define STR_(x) #x
#define STR(x) STR_(x)
#define FIELD(f) .field = #f, .offset = offsetof(struct promfiler_options, f)

_Static_assert(sizeof(pid_t) == sizeof(int), "pids are ints in the API");
/* The public header mirrors what the kernel side can hold (bpf/profile.h). */
_Static_assert(PROMFILER_MAX_COMMS == PROFILE_MAX_COMMS, "comms the BPF program matches");
_Static_assert(PROMFILER_COMM_LEN == PROFILE_COMM_LEN, "a kernel comm");

const struct option_desc options_table[] = {
	{ FIELD(all), .flag = "all", .short_flag = 'a', .kind = OPTION_FLAG,
	  .help = "profile every process" },
	{ FIELD(kernel_frames), .flag = "kernel", .short_flag = 'k', .kind = OPTION_FLAG,
	  .help = "add kernel frames (name_[k]) below the user frames" },
	{ FIELD(frequency_hz), .flag = "frequency", .short_flag = 'F', .kind = OPTION_UINT,
	  .def = 97, .min = 1, .max = 100000, .unit = " Hz", .arg = "HZ",
	  .help = "samples per second per CPU (default %D)" },
	{ FIELD(window_seconds), .flag = "window", .kind = OPTION_UINT,
	  .def = 30, .min = 1, .max = 86400, .unit = " seconds", .arg = "SECONDS",
	  .help = "window promfiler_cpu_profile covers (default %D)" },
	{ FIELD(weight_total), .flag = "weight", .kind = OPTION_CHOICE,
	  .choices = { "self", "total" }, .arg = "self|total",
	  .help = "gauge value: own samples (self) or inclusive\n(default %D)" },
	{ FIELD(separator), .flag = "separator", .kind = OPTION_SEPARATOR,
	  .def_str = "#", .arg = "STR",
	  .help = "between frames of a signature (default %D)" },
	{ FIELD(labels), .flag = "labels", .kind = OPTION_LABELS,
	  .def = PROMFILER_LABELS_DEFAULT, .arg = "LIST",
	  .help = "series labels among pid,comm,container_id,pod,namespace\n"
		  "(default %D; without pid, processes merge)" },
	{ FIELD(max_series), .flag = "max-series", .kind = OPTION_UINT,
	  .def = 3000, .min = 1, .max = 10000000, .zero_is_none = true, .unit = "",
	  .arg = "N",
	  .help = "series per process: the heaviest call-tree\n"
		  "nodes; the rest folds into \"(other)\"\n"
		  "(default %D, 0: no limit)" },
	{ FIELD(max_depth), .flag = "max-depth", .kind = OPTION_UINT,
	  .def = 0, .min = 2, .max = 1000, .zero_is_none = true, .unit = "", .arg = "N",
	  .help = "frames per signature; deeper ones are cut at\n"
		  "\"(truncated)\" (default %D: no limit but the kernel's "
		  STR(PROFILE_MAX_STACK_DEPTH) ")" },
	{ FIELD(trim_bootstrap), .flag = "trim-bootstrap", .kind = OPTION_FLAG,
	  .help = "drop the native frames below the first JS frame" },
	{ FIELD(trim_native_leaves), .flag = "trim-native-leaves", .kind = OPTION_FLAG,
	  .help = "end stacks at their innermost JS frame" },
	{ FIELD(no_v8_names), .flag = "no-v8-names", .kind = OPTION_FLAG,
	  .help = "name JS frames from perf maps only, not V8's objects" },
	{ FIELD(frame_locations), .flag = "frames", .kind = OPTION_CHOICE,
	  .choices = { "function", "location" }, .arg = "function|location",
	  .help = "frame names: bare function or with file:line\n(default %D)" },
	{ FIELD(verbose), .flag = "verbose", .short_flag = 'v', .kind = OPTION_FLAG,
	  .help = "log more (libbpf messages too)" },
};
const size_t options_count = sizeof(options_table) / sizeof(options_table[0]);

const char *const options_label_names[PROMFILER_LABEL_COUNT] = {
	[PROMFILER_LABEL_PID] = "pid",
	[PROMFILER_LABEL_COMM] = "comm",
	[PROMFILER_LABEL_CONTAINER_ID] = "container_id",
	[PROMFILER_LABEL_POD] = "pod",
	[PROMFILER_LABEL_NAMESPACE] = "namespace",
};

static void *field(const struct option_desc *d, struct promfiler_options *o)
{
	return (char *)o + d->offset;
}

static const void *cfield(const struct option_desc *d, const struct promfiler_options *o)
{
	return (const char *)o + d->offset;
}

const struct option_desc *options__find(const char *flag)
{
	for (size_t i = 0; i < options_count; i++)
		if (strcmp(options_table[i].flag, flag) == 0)
			return &options_table[i];
	return NULL;
}

void options__defaults(struct promfiler_options *o)
{
	for (size_t i = 0; i < options_count; i++) {
		const struct option_desc *d = &options_table[i];

		switch (d->kind) {
		case OPTION_FLAG:
		case OPTION_CHOICE:
			*(bool *)field(d, o) = d->def;
			break;
		case OPTION_UINT:
		case OPTION_LABELS:
			*(unsigned int *)field(d, o) = d->def;
			break;
		case OPTION_SEPARATOR:
			*(const char **)field(d, o) = d->def_str;
			break;
		}
	}
}

int options__parse_labels(const char *list, unsigned int *out)
{
	char *copy = strdup(list), *save = NULL;
	int err = 0;

	if (!copy)
		return -ENOMEM;
	*out = 0;
	for (char *tok = strtok_r(copy, ",", &save); tok && !err;
	     tok = strtok_r(NULL, ",", &save)) {
		int k = 0;

		while (k < PROMFILER_LABEL_COUNT && strcmp(tok, options_label_names[k]))
			k++;
		if (k == PROMFILER_LABEL_COUNT)
			err = -EINVAL;
		else
			*out |= 1u << k;
	}
	free(copy);
	return err;
}

bool options__parse_decimal(const char *s, unsigned long min, unsigned long max,
			   unsigned long *out)
{
	char *end;
	unsigned long v;

	if (!s || *s < '0' || *s > '9')
		return false;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return false;
	*out = v;
	return true;
}

int options__parse(const struct option_desc *d, const char *arg,
		   struct promfiler_options *o)
{
	struct promfiler_options t = *o; /* o changes only when arg is good */
	unsigned long v;

	switch (d->kind) {
	case OPTION_FLAG:
		*(bool *)field(d, &t) = true;
		break;
	case OPTION_UINT:
		if (!options__parse_decimal(arg, 0, UINT32_MAX, &v))
			return -EINVAL;
		*(unsigned int *)field(d, &t) = (unsigned int)v;
		break;
	case OPTION_CHOICE:
		if (strcmp(arg, d->choices[0]) == 0)
			*(bool *)field(d, &t) = false;
		else if (strcmp(arg, d->choices[1]) == 0)
			*(bool *)field(d, &t) = true;
		else
			return -EINVAL;
		break;
	case OPTION_SEPARATOR:
		*(const char **)field(d, &t) = arg;
		break;
	case OPTION_LABELS:
		if (options__parse_labels(arg, field(d, &t)))
			return -EINVAL;
		break;
	}
	if (!options__valid(d, &t))
		return -EINVAL;
	*o = t;
	return 0;
}

/* The separator rule: 1..8 bytes that a label value holds unescaped, and
 * that names can be kept free of (frame_name.c's substitutes). */
static bool valid_separator(const char *sep)
{
	return sep && *sep && strlen(sep) <= OPTIONS_SEPARATOR_MAX &&
	       !strpbrk(sep, "\"\\\n") && frame_name__separator_ok(sep);
}

bool options__valid(const struct option_desc *d, const struct promfiler_options *o)
{
	unsigned int v;

	switch (d->kind) {
	case OPTION_FLAG:
	case OPTION_CHOICE:
		return true;
	case OPTION_UINT:
		v = *(const unsigned int *)cfield(d, o);
		return (v == 0 && d->zero_is_none) || (v >= d->min && v <= d->max);
	case OPTION_SEPARATOR:
		return valid_separator(*(const char *const *)cfield(d, o));
	case OPTION_LABELS:
		return !(*(const unsigned int *)cfield(d, o) >> PROMFILER_LABEL_COUNT);
	}
	return false;
}

void options__want(const struct option_desc *d, char *out, size_t len)
{
	switch (d->kind) {
	case OPTION_FLAG:
		snprintf(out, len, "no value");
		break;
	case OPTION_UINT:
		snprintf(out, len, "%s%u..%u%s", d->zero_is_none ? "0 (no limit) or " : "",
			 d->min, d->max, d->unit);
		break;
	case OPTION_CHOICE:
		snprintf(out, len, "%s or %s", d->choices[0], d->choices[1]);
		break;
	case OPTION_SEPARATOR:
		snprintf(out, len, "1..%d characters, no quote, backslash or newline",
			 OPTIONS_SEPARATOR_MAX);
		break;
	case OPTION_LABELS: {
		size_t pos = (size_t)snprintf(out, len, "a list of");

		for (int k = 0; k < PROMFILER_LABEL_COUNT && pos < len; k++)
			pos += (size_t)snprintf(out + pos, len - pos, "%s %s", k ? "," : "",
						options_label_names[k]);
		break;
	}
	}
}

void options__default_text(const struct option_desc *d, char *out, size_t len)
{
	size_t pos = 0;

	if (len)
		out[0] = '\0';
	switch (d->kind) {
	case OPTION_FLAG:
		snprintf(out, len, "%s", d->def ? "on" : "off");
		break;
	case OPTION_UINT:
		snprintf(out, len, "%u", d->def);
		break;
	case OPTION_CHOICE:
		snprintf(out, len, "%s", d->choices[d->def ? 1 : 0]);
		break;
	case OPTION_SEPARATOR:
		snprintf(out, len, "%s", d->def_str);
		break;
	case OPTION_LABELS:
		for (int k = 0; k < PROMFILER_LABEL_COUNT && pos < len; k++)
			if (d->def >> k & 1)
				pos += (size_t)snprintf(out + pos, len - pos, "%s%s",
							pos ? "," : "", options_label_names[k]);
		break;
	}
}

int options__check(const struct promfiler_options *o, char *why, size_t len)
{
	char want[128];

	if (o->n_pids && !o->pids)
		goto bad_pids;
	for (size_t i = 0; i < o->n_pids; i++)
		if (o->pids[i] <= 0)
			goto bad_pids;
	if (o->n_comms > PROMFILER_MAX_COMMS || (o->n_comms && !o->comms)) {
		snprintf(why, len, "bad comms: at most %d names", PROMFILER_MAX_COMMS);
		return -EINVAL;
	}
	for (size_t i = 0; i < o->n_comms; i++) {
		if (!o->comms[i] || !*o->comms[i]) {
			snprintf(why, len, "bad comms: an empty name");
			return -EINVAL;
		}
	}
	for (size_t i = 0; i < options_count; i++) {
		const struct option_desc *d = &options_table[i];

		if (options__valid(d, o))
			continue;
		options__want(d, want, sizeof(want));
		if (d->kind == OPTION_UINT || d->kind == OPTION_LABELS)
			snprintf(why, len, "bad %s %u: want %s", d->field,
				 *(const unsigned int *)cfield(d, o), want);
		else
			snprintf(why, len, "bad %s: want %s", d->field, want);
		return -EINVAL;
	}
	return 0;
bad_pids:
	snprintf(why, len, "bad pids: want process ids > 0");
	return -EINVAL;
}
