// SPDX-License-Identifier: MIT
/* Unit tests for options: the table's defaults are promfiler_options_init's,
 * its values parse and check as the CLI and promfiler_create expect, and
 * the validator names what is wrong. */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "options.h"

static const struct option_desc *entry(const char *flag)
{
	const struct option_desc *d = options__find(flag);

	cr_assert_not_null(d, "no entry %s", flag);
	return d;
}

Test(options, defaults)
{
	struct promfiler_options o;

	promfiler_options_init(&o);
	cr_assert_eq(o.size, sizeof(o));
	cr_assert_eq(o.frequency_hz, 97);
	cr_assert_eq(o.window_seconds, 30);
	cr_assert_str_eq(o.separator, "#");
	cr_assert_eq(o.labels, PROMFILER_LABELS_DEFAULT);
	cr_assert_eq(o.max_series, 3000);
	cr_assert_eq(o.max_depth, 0);
	cr_assert_not(o.weight_total || o.frame_locations || o.all || o.verbose ||
		      o.kernel_frames || o.trim_bootstrap || o.trim_native_leaves || o.no_v8_names);
	cr_assert_eq(options__check(&o, (char[64]){ 0 }, 64), 0);
}

Test(options, parse_and_ranges)
{
	struct promfiler_options o;

	promfiler_options_init(&o);
	cr_assert_eq(options__parse(entry("frequency"), "997", &o), 0);
	cr_assert_eq(o.frequency_hz, 997);
	cr_assert_eq(options__parse(entry("frequency"), "100001", &o), -EINVAL);
	cr_assert_eq(options__parse(entry("frequency"), "12x", &o), -EINVAL);
	cr_assert_eq(o.frequency_hz, 997, "a refused value changes nothing");
	cr_assert_eq(options__parse(entry("max-series"), "0", &o), 0);
	cr_assert_eq(options__parse(entry("max-series"), "1", &o), 0);
	cr_assert_eq(o.max_series, 1, "one series: the root, with every sample");
	cr_assert_eq(options__parse(entry("max-series"), "10000001", &o), -EINVAL);
	cr_assert_eq(options__parse(entry("weight"), "total", &o), 0);
	cr_assert(o.weight_total);
	cr_assert_eq(options__parse(entry("labels"), "pod,namespace", &o), 0);
	cr_assert_eq(o.labels, (1u << PROMFILER_LABEL_POD) | (1u << PROMFILER_LABEL_NAMESPACE));
	cr_assert_eq(options__parse(entry("separator"), ";", &o), 0);
	cr_assert_str_eq(o.separator, ";");
	cr_assert_eq(options__parse(entry("separator"), "a\"b", &o), -EINVAL);
	cr_assert_eq(options__parse(entry("trim-bootstrap"), NULL, &o), 0);
	cr_assert(o.trim_bootstrap);
	cr_assert_eq(options__parse(entry("trim-native-leaves"), NULL, &o), 0);
	cr_assert(o.trim_native_leaves);
}

Test(options, check_names_the_field)
{
	struct promfiler_options o;
	char why[256];
	int pids[] = { 12, 0 };

	promfiler_options_init(&o);
	o.frequency_hz = 0;
	cr_assert_eq(options__check(&o, why, sizeof(why)), -EINVAL);
	cr_assert_str_eq(why, "bad frequency_hz 0: want 1..100000 Hz");
	promfiler_options_init(&o);
	o.separator = "\"";
	cr_assert_eq(options__check(&o, why, sizeof(why)), -EINVAL);
	cr_assert_not_null(strstr(why, "bad separator"), "%s", why);
	promfiler_options_init(&o);
	o.labels = 1u << PROMFILER_LABEL_COUNT;
	cr_assert_eq(options__check(&o, why, sizeof(why)), -EINVAL);
	cr_assert_not_null(strstr(why, "bad labels"), "%s", why);
	promfiler_options_init(&o);
	o.pids = pids;
	o.n_pids = 2;
	cr_assert_eq(options__check(&o, why, sizeof(why)), -EINVAL);
	cr_assert_str_eq(why, "bad pids: want process ids > 0");
}

Test(options, texts)
{
	char s[128];

	options__default_text(entry("labels"), s, sizeof(s));
	cr_assert_str_eq(s, "pid,comm");
	options__default_text(entry("frames"), s, sizeof(s));
	cr_assert_str_eq(s, "function");
	options__want(entry("max-depth"), s, sizeof(s));
	cr_assert_str_eq(s, "0 (no limit) or 2..1000");
}
