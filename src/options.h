// SPDX-License-Identifier: MIT
/* options: the options of struct promfiler_options (include/promfiler.h),
 * each written once: its field, the command-line flag that sets it, its
 * default, its range or rule, and its help line. promfiler_options_init
 * takes the defaults from here and promfiler_create validates with it; the
 * CLI builds its flags, its help and its error messages from it. Adding a
 * boolean option is a field in promfiler.h, an entry in options_table and
 * its line in the CLI's help layout. A leaf module: it prints nothing. */
#ifndef PROMFILER_OPTIONS_H
#define PROMFILER_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>

#include <promfiler.h>

#define PROMFILER_LABEL_COUNT (PROMFILER_LABEL_NAMESPACE + 1)
#define OPTIONS_SEPARATOR_MAX 8 /* bytes of a separator */

enum option_kind {
	OPTION_FLAG,      /* bool, set by a flag that takes no value */
	OPTION_UINT,      /* unsigned int in [min, max] (or 0, with zero_is_none) */
	OPTION_CHOICE,    /* bool chosen by name: choices[0] is false, [1] true */
	OPTION_SEPARATOR, /* const char *: 1..8 bytes, no ", \ or newline */
	OPTION_LABELS,    /* unsigned int: 1u << PROMFILER_LABEL_*, by names */
};

struct option_desc {
	const char *field;      /* in struct promfiler_options: "frequency_hz" */
	const char *flag;       /* the long flag: "frequency" */
	char short_flag;        /* 'F', or 0 */
	enum option_kind kind;
	size_t offset;          /* of the field */
	unsigned int def;       /* the default (FLAG, CHOICE: 0 or 1) */
	const char *def_str;    /* the default of a SEPARATOR */
	unsigned int min, max;  /* UINT */
	bool zero_is_none;      /* UINT: 0 is "no limit" (and below min) */
	const char *unit;       /* UINT: " Hz" after the range, or "" */
	const char *choices[2]; /* CHOICE */
	const char *arg;        /* help: the value's name ("HZ"), NULL for FLAG */
	const char *help;       /* help: what it does; "%D" is the default */
};

extern const struct option_desc options_table[];
extern const size_t options_count;
extern const char *const options_label_names[PROMFILER_LABEL_COUNT];

/* The entry of a long flag ("frequency"), or NULL. */
const struct option_desc *options__find(const char *flag);
/* Sets every field of the table to its default (the others are left). */
void options__defaults(struct promfiler_options *o);
/* Sets d's field of o from a command-line value. 0 or -EINVAL (not a value
 * of that option: the CLI says "bad --FLAG 'arg': want ..."). */
int options__parse(const struct option_desc *d, const char *arg,
		   struct promfiler_options *o);
/* Whether d's field of o is within its range or rule. */
bool options__valid(const struct option_desc *d, const struct promfiler_options *o);
/* What d wants, for error messages: "1..100000 Hz", "self or total". */
void options__want(const struct option_desc *d, char *out, size_t len);
/* d's default as a command line writes it: "97", "#", "pid,comm", "self". */
void options__default_text(const struct option_desc *d, char *out, size_t len);
/* The one validator of a whole struct (pids, comms and every entry of the
 * table): 0, or -EINVAL with a one-line reason in why. */
int options__check(const struct promfiler_options *o, char *why, size_t len);
/* A decimal number in [min, max], the whole string (no sign, no space),
 * into *out: true, or false and *out unchanged. */
bool options__parse_decimal(const char *s, unsigned long min, unsigned long max,
			   unsigned long *out);
/* "pid,comm,pod" -> a set of 1u << PROMFILER_LABEL_*; 0 or -EINVAL. */
int options__parse_labels(const char *list, unsigned int *out);

#endif
