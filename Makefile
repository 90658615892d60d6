# SPDX-License-Identifier: MIT
# promfiler-bpf build. Generated files go to $(OUTPUT); `make clean` removes
# that folder and the binary. V=1 shows full commands.
#   make            build ./promfiler-bpf
#   make test       unit tests (no root needed) + integration tests (root)
#   make unit       unit tests only
#   make install    install the binary, libpromfiler, promfiler.h,
#                   promfiler.pc and the systemd unit under $(PREFIX)
#                   (DESTDIR for staging)
#   make lib        libpromfiler.a and .so in $(OUTPUT); make examples
#   make panel      the Grafana panel plugin (grafana-panel/dist and a zip in
#                   $(OUTPUT)); needs node and npm
OUTPUT ?= .output
PREFIX ?= /usr/local
CLANG ?= clang
BPFTOOL ?= bpftool
CC ?= cc
VERSION := 0.1.0
ARCH := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')

WARNINGS := -Wall -Wextra -Werror -Wshadow -Wmissing-prototypes \
	-Wstrict-prototypes -Wundef
CFLAGS ?= -g -O2
ALL_CFLAGS := $(CFLAGS) -std=gnu11 -D_GNU_SOURCE $(WARNINGS) -MMD -MP \
	-I$(OUTPUT) -Ibpf -Isrc -Iinclude -DPROMFILER_VERSION='"$(VERSION)"'
LDLIBS := -lbpf -lelf -lz -lmicrohttpd -liberty -lpthread -lm
BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -Ivmlinux/$(ARCH) \
	-Ibpf -Wall -Werror

# Userspace modules: every src/*.c but main.c, which only wires them.
MODULES := $(filter-out main,$(basename $(notdir $(wildcard src/*.c))))
OBJS := $(MODULES:%=$(OUTPUT)/%.o)
# Modules with unit tests: tests/test_<module>.c
UNIT_TESTS := $(patsubst tests/test_%.c,$(OUTPUT)/tests/test_%,$(wildcard tests/test_*.c))

ifeq ($(V),1)
Q =
msg =
else
Q = @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

.PHONY: all clean test unit integration install
.DELETE_ON_ERROR:

all: promfiler-bpf

$(OUTPUT) $(OUTPUT)/tests:
	$(Q)mkdir -p $@

# A BPF object from its .bpf.c ($<), and a skeleton named $(1) from it
# (the agent's program, and the bench's floor).
define bpf_object
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $(@:.o=.tmp.o)
	$(Q)$(BPFTOOL) gen object $@ $(@:.o=.tmp.o)
endef
define bpf_skeleton
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $(1) > $@
endef

$(OUTPUT)/profile.bpf.o: bpf/profile.bpf.c bpf/profile.h vmlinux/$(ARCH)/vmlinux.h | $(OUTPUT)
	$(bpf_object)

$(OUTPUT)/profile.skel.h: $(OUTPUT)/profile.bpf.o
	$(call bpf_skeleton,profile_bpf)

# Only the sampler includes the skeleton.
$(OUTPUT)/sampler.o: $(OUTPUT)/profile.skel.h

$(OUTPUT)/%.o: src/%.c | $(OUTPUT)
	$(call msg,CC,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -c $< -o $@

promfiler-bpf: $(OBJS) $(OUTPUT)/main.o
	$(call msg,LINK,$@)
	$(Q)$(CC) $(ALL_CFLAGS) $(filter-out %.h,$^) $(LDLIBS) -o $@

# $^ also holds the headers the .d files add (tests/fixture_tree.h among
# them): they rebuild a test but must not reach gcc, which would then write
# the .d of the last header instead of the test's.
$(OUTPUT)/tests/test_%: tests/test_%.c $(OBJS) | $(OUTPUT)/tests
	$(call msg,CC,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -DFIXTURES='"$(CURDIR)/tests/fixtures"' $(filter-out %.h,$^) \
		$(LDLIBS) -lcriterion -o $@

unit: $(UNIT_TESTS)
	$(Q)scripts/run-tests.sh unit $(UNIT_TESTS)

integration: promfiler-bpf
	$(Q)scripts/run-tests.sh integration tests/integration/test_*.sh

test: $(UNIT_TESTS) promfiler-bpf
	$(Q)scripts/run-tests.sh all $(UNIT_TESTS) tests/integration/test_*.sh

install: promfiler-bpf
	install -D -m 0755 promfiler-bpf $(DESTDIR)$(PREFIX)/bin/promfiler-bpf

# The systemd unit (deploy/systemd/), with ExecStart at $(PREFIX)/bin. Its
# default place, $(PREFIX)/lib/systemd/system, is on systemd's unit path for
# /usr/local and /usr; packagers set SYSTEMDUNITDIR (e.g. /lib/systemd/system).
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
.PHONY: install-systemd
install: install-systemd
install-systemd:
	install -d $(DESTDIR)$(SYSTEMDUNITDIR)
	sed 's|^ExecStart=/usr/local/bin/promfiler-bpf |ExecStart=$(PREFIX)/bin/promfiler-bpf |' \
		deploy/systemd/promfiler-bpf.service > $(DESTDIR)$(SYSTEMDUNITDIR)/promfiler-bpf.service
	chmod 0644 $(DESTDIR)$(SYSTEMDUNITDIR)/promfiler-bpf.service

clean:
	$(call msg,CLEAN,$(OUTPUT))
	$(Q)rm -rf $(OUTPUT) promfiler-bpf $(PANEL_DIR)/dist $(PANEL_DIR)/.build

# ELF fixtures for test_elfsym and test_symbolize: one C++ source built as a non-PIE and a PIE
# executable and a shared library, that library stripped to its .dynsym, and
# its separate debug file. Order-only: the test reads them at run time.
ELF_FIXTURES := $(OUTPUT)/fixtures
ELF_FIXTURE_BINS := $(addprefix $(ELF_FIXTURES)/,nonpie pie libfixture.so \
	libfixture-stripped.so libfixture.debug)
ELF_FIXTURE_FLAGS := -O1 -g -Wl,--build-id
$(ELF_FIXTURES):
	$(Q)mkdir -p $@
$(ELF_FIXTURES)/nonpie: ELF_KIND := -fno-pie -no-pie
$(ELF_FIXTURES)/pie: ELF_KIND := -fPIE -pie
$(ELF_FIXTURES)/libfixture.so: ELF_KIND := -fPIC -shared
$(ELF_FIXTURES)/nonpie $(ELF_FIXTURES)/pie $(ELF_FIXTURES)/libfixture.so: \
		tests/fixtures/elf/fixture.cc | $(ELF_FIXTURES)
	$(call msg,CXX,$@)
	$(Q)$(CXX) $(ELF_FIXTURE_FLAGS) $(ELF_KIND) $< -o $@
$(ELF_FIXTURES)/libfixture-stripped.so: $(ELF_FIXTURES)/libfixture.so
	$(call msg,STRIP,$@)
	$(Q)strip -o $@ $<
$(ELF_FIXTURES)/libfixture.debug: $(ELF_FIXTURES)/libfixture.so
	$(call msg,OBJCOPY,$@)
	$(Q)objcopy --only-keep-debug $< $@
$(OUTPUT)/tests/test_elfsym $(OUTPUT)/tests/test_symbolize: private ALL_CFLAGS += \
	-DELF_FIXTURES='"$(abspath $(ELF_FIXTURES))"'
$(OUTPUT)/tests/test_elfsym $(OUTPUT)/tests/test_symbolize: | $(ELF_FIXTURE_BINS)
# test_v8names reads V8 layouts from shared objects holding the v8dbg_*
# symbols of each Node line (tests/fixtures/v8names/layout-NN.c, extracts of
# the real binaries written by extract.py).
V8_LAYOUT_LINES := 18 20 22 24 25 26
V8_LAYOUT_SOS := $(foreach n,$(V8_LAYOUT_LINES),$(ELF_FIXTURES)/v8layout-$(n).so)
$(ELF_FIXTURES)/v8layout-%.so: tests/fixtures/v8names/layout-%.c \
		tests/fixtures/v8names/layout.h | $(ELF_FIXTURES)
	$(call msg,CC,$@)
	$(Q)$(CC) -shared -fPIC -O1 $< -o $@
$(OUTPUT)/tests/test_v8names: private ALL_CFLAGS += \
	-DV8_LAYOUT_DIR='"$(abspath $(ELF_FIXTURES))"'
$(OUTPUT)/tests/test_v8names: | $(V8_LAYOUT_SOS)

# Fuzzing (libFuzzer: clang and libclang-rt-14-dev). `make fuzz` builds each
# tests/fuzz/fuzz_<name>.c with the src/ modules it needs (listed below), all
# with -fsanitize=fuzzer,address,undefined, into $(FUZZ_DIR), and runs each
# for FUZZ_SECONDS from its seeds in tests/fuzz/corpus/<name>/.
FUZZ_SECONDS ?= 60
FUZZ_CC ?= clang
FUZZ_DIR := $(OUTPUT)/fuzz
FUZZ_CFLAGS := -g -O1 -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=undefined -std=gnu11 -D_GNU_SOURCE $(WARNINGS) -Isrc -Ibpf
FUZZ_TARGETS := $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
$(FUZZ_DIR)/fuzz_perfmap: $(addprefix $(FUZZ_DIR)/,perfmap.o fileio.o)
$(FUZZ_DIR)/fuzz_frame_name: $(addprefix $(FUZZ_DIR)/,frame_name.o utf8.o)
$(FUZZ_DIR)/fuzz_render_prom: $(addprefix $(FUZZ_DIR)/,render_prom.o buf.o \
	strtab.o tree.o frame_name.o utf8.o)
$(FUZZ_DIR)/fuzz_procmaps: $(FUZZ_DIR)/procfs.o
$(FUZZ_DIR)/fuzz_elfsym: $(FUZZ_DIR)/elfsym.o
$(FUZZ_DIR)/fuzz_v8inline: $(FUZZ_DIR)/v8inline.o
$(FUZZ_DIR)/fuzz_v8code: $(addprefix $(FUZZ_DIR)/,v8code.o v8inline.o procfs.o)
$(FUZZ_DIR):
	$(Q)mkdir -p $@
# The modules' warnings are gcc's business (the main build makes them
# errors); clang's own extra ones must not stop the fuzzers.
$(FUZZ_DIR)/%.o: src/%.c | $(FUZZ_DIR)
	$(call msg,CC-FUZZ,$@)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -Wno-error -MMD -MP -c $< -o $@
$(FUZZ_DIR)/fuzz_%: tests/fuzz/fuzz_%.c | $(FUZZ_DIR)
	$(call msg,FUZZ,$@)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) $^ $(LDLIBS) -o $@
.PHONY: fuzz sanitize sanitize-build
fuzz: $(FUZZ_TARGETS:%=$(FUZZ_DIR)/fuzz_%)
	$(Q)tests/fuzz/run.sh $(FUZZ_DIR) $(FUZZ_SECONDS) $(FUZZ_TARGETS)
-include $(wildcard $(FUZZ_DIR)/*.d)
# tests/test_fuzz_regressions replays tests/fixtures/fuzz-regressions/<name>/
# through the fuzz targets themselves, built without libFuzzer, each entry
# point renamed fuzz_<name>.
$(OUTPUT)/tests/fuzz_%.o: tests/fuzz/fuzz_%.c | $(OUTPUT)/tests
	$(call msg,CC,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -DLLVMFuzzerTestOneInput=fuzz_$* -c $< -o $@
$(OUTPUT)/tests/test_fuzz_regressions: $(FUZZ_TARGETS:%=$(OUTPUT)/tests/fuzz_%.o)

# Sanitizers. `make sanitize` builds the agent and the unit tests with ASan
# and UBSan (LeakSanitizer on) into $(SAN_OUTPUT), leaving $(OUTPUT) alone,
# runs the unit tests, then the integration tests against that agent
# (tests/integration/lib.sh takes AGENT from the environment).
SAN_OUTPUT ?= .output-san
SAN_CFLAGS ?= -g -O1 -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=undefined
SAN_ENV := ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1
SAN_UNIT_TESTS := $(UNIT_TESTS:$(OUTPUT)/%=$(SAN_OUTPUT)/%)
# The agent linked inside an output dir, so a sanitized one does not
# replace ./promfiler-bpf.
$(OUTPUT)/promfiler-bpf: $(OBJS) $(OUTPUT)/main.o
	$(call msg,LINK,$@)
	$(Q)$(CC) $(ALL_CFLAGS) $(filter-out %.h,$^) $(LDLIBS) -o $@
sanitize-build:
	$(Q)$(MAKE) --no-print-directory OUTPUT=$(SAN_OUTPUT) CFLAGS='$(SAN_CFLAGS)' \
		$(SAN_OUTPUT)/promfiler-bpf $(SAN_UNIT_TESTS)
sanitize: sanitize-build
	$(Q)rc=0; \
	$(SAN_ENV) scripts/run-tests.sh sanitize-unit $(SAN_UNIT_TESTS) || rc=1; \
	$(SAN_ENV) PROMFILER_SANITIZE=1 AGENT=$(CURDIR)/$(SAN_OUTPUT)/promfiler-bpf \
		$(MAKE) --no-print-directory integration || rc=1; \
	exit $$rc

-include $(wildcard $(OUTPUT)/*.d $(OUTPUT)/tests/*.d)

# Flame graph page (render_flame): src/flame.js and src/flame.css become
# NUL-terminated byte arrays in $(OUTPUT)/flame_assets.h (xxd -i), so the
# page is one file that needs no network.
$(OUTPUT)/flame_assets.h: src/flame.js src/flame.css | $(OUTPUT)
	$(call msg,GEN,$@)
	$(Q){ echo 'static const unsigned char flame_js[] = {'; \
		xxd -i < src/flame.js; echo ', 0x00 };'; \
		echo 'static const unsigned char flame_css[] = {'; \
		xxd -i < src/flame.css; echo ', 0x00 };'; } > $@.tmp && mv $@.tmp $@
$(OUTPUT)/render_flame.o: $(OUTPUT)/flame_assets.h

# tests/tools/render_fixture FORMAT: a fixture profile in any renderer's
# format on stdout, for the integration tests of the pprof and HTML outputs.
$(OUTPUT)/tests/render_fixture: tests/tools/render_fixture.c $(OBJS) | $(OUTPUT)/tests
	$(call msg,CC,$@)
	$(Q)$(CC) $(ALL_CFLAGS) $(filter-out %.h,$^) $(LDLIBS) -o $@
test integration: $(OUTPUT)/tests/render_fixture

# Benchmarks. `make bench` (root) runs scripts/bench/run.sh: it installs what
# it needs, measures the agent, V8's in-process profiler and perf record, and
# prints one table (BENCH_QUICK=1: a short run). $(BENCH_DIR)/microbench is
# its userspace micro-benchmark driver (scripts/bench/microbench.c over the
# src/ modules); tests/integration/test_bench_smoke.sh runs it briefly.
BENCH_DIR := $(OUTPUT)/bench
$(BENCH_DIR):
	$(Q)mkdir -p $@
$(BENCH_DIR)/microbench: scripts/bench/microbench.c $(OBJS) | $(BENCH_DIR)
	$(call msg,CC,$@)
	$(Q)$(CC) $(ALL_CFLAGS) $(filter-out %.h,$^) $(LDLIBS) -lz -o $@
# $(BENCH_DIR)/floor: the minimal sampler the BPF phase measures the agent's
# program against (scripts/bench/floor.bpf.c and its loader floor.c).
$(BENCH_DIR)/floor.bpf.o: scripts/bench/floor.bpf.c vmlinux/$(ARCH)/vmlinux.h | $(BENCH_DIR)
	$(bpf_object)
$(BENCH_DIR)/floor.skel.h: $(BENCH_DIR)/floor.bpf.o
	$(call bpf_skeleton,floor_bpf)
$(BENCH_DIR)/floor: scripts/bench/floor.c $(BENCH_DIR)/floor.skel.h
	$(call msg,CC,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -I$(BENCH_DIR) $< -lbpf -lelf -lz -o $@
.PHONY: bench
bench: promfiler-bpf $(BENCH_DIR)/microbench $(BENCH_DIR)/floor
	$(Q)AGENT=$(CURDIR)/promfiler-bpf MICROBENCH=$(CURDIR)/$(BENCH_DIR)/microbench \
		FLOOR=$(CURDIR)/$(BENCH_DIR)/floor scripts/bench/run.sh
test integration: $(BENCH_DIR)/microbench
-include $(wildcard $(BENCH_DIR)/*.d)

# The C library (include/promfiler.h, src/promfiler.c): libpromfiler.a and
# libpromfiler.so.$(LIB_MAJOR), from every module but main, cli and http
# (serving is the caller's business: no libmicrohttpd; caps is in for its
# capability checks, dropping them stays the caller's call). The modules are
# compiled again as PIC into $(OUTPUT)/pic/ with hidden visibility, so the
# shared library exports only the promfiler_* API; the static library is
# one relocatable object whose other symbols are made local, so that an
# embedder's own buf__init or tree__new cannot clash with ours.
# `make install` adds the libraries, the header and promfiler.pc.
LIB_MAJOR := 0
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
OBJCOPY ?= objcopy
LIB_MODULES := $(filter-out cli http,$(MODULES))
PIC_OBJS := $(LIB_MODULES:%=$(OUTPUT)/pic/%.o)
LIB_LDLIBS := -lbpf -lelf -lz -liberty -lpthread -lm
STATIC_LIB := $(OUTPUT)/libpromfiler.a
SHARED_LIB := $(OUTPUT)/libpromfiler.so.$(VERSION)
.PHONY: lib install-lib examples
all: lib
lib: $(STATIC_LIB) $(OUTPUT)/libpromfiler.so
$(OUTPUT)/pic:
	$(Q)mkdir -p $@
$(OUTPUT)/pic/%.o: src/%.c | $(OUTPUT)/pic
	$(call msg,CC-PIC,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -fPIC -fvisibility=hidden -c $< -o $@
$(OUTPUT)/pic/sampler.o: $(OUTPUT)/profile.skel.h
$(OUTPUT)/pic/render_flame.o: $(OUTPUT)/flame_assets.h
$(OUTPUT)/pic/libpromfiler.o: $(PIC_OBJS)
	$(call msg,LD-R,$@)
	$(Q)$(LD) -r $^ -o $@.tmp
	$(Q)$(OBJCOPY) --wildcard --keep-global-symbol='promfiler_*' $@.tmp $@
	$(Q)rm -f $@.tmp
$(STATIC_LIB): $(OUTPUT)/pic/libpromfiler.o
	$(call msg,AR,$@)
	$(Q)rm -f $@ && $(AR) rcs $@ $<
# --exclude-libs: libiberty (static) stays inside, unexported.
$(SHARED_LIB): $(PIC_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -shared -Wl,-soname,libpromfiler.so.$(LIB_MAJOR) \
		-Wl,--no-undefined -Wl,--exclude-libs,ALL $^ $(LIB_LDLIBS) -o $@
$(OUTPUT)/libpromfiler.so.$(LIB_MAJOR): $(SHARED_LIB)
	$(Q)ln -sf $(notdir $<) $@
$(OUTPUT)/libpromfiler.so: $(OUTPUT)/libpromfiler.so.$(LIB_MAJOR)
	$(Q)ln -sf $(notdir $<) $@
install: install-lib
install-lib: lib
	install -d $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(INCLUDEDIR)
	install -m 0644 $(STATIC_LIB) $(DESTDIR)$(LIBDIR)/libpromfiler.a
	install -m 0755 $(SHARED_LIB) $(DESTDIR)$(LIBDIR)/libpromfiler.so.$(VERSION)
	ln -sf libpromfiler.so.$(VERSION) $(DESTDIR)$(LIBDIR)/libpromfiler.so.$(LIB_MAJOR)
	ln -sf libpromfiler.so.$(LIB_MAJOR) $(DESTDIR)$(LIBDIR)/libpromfiler.so
	install -m 0644 include/promfiler.h $(DESTDIR)$(INCLUDEDIR)/promfiler.h
	printf '%s\n' 'prefix=$(PREFIX)' 'libdir=$(LIBDIR:$(PREFIX)/%=$${prefix}/%)' \
		'includedir=$(INCLUDEDIR:$(PREFIX)/%=$${prefix}/%)' '' \
		'Name: promfiler' \
		'Description: Continuous CPU profiler for Node.js (BPF), rendered for Prometheus' \
		'Version: $(VERSION)' 'Requires.private: libbpf libelf zlib' \
		'Libs: -L$${libdir} -lpromfiler' 'Libs.private: -liberty -lpthread -lm' \
		'Cflags: -I$${includedir}' > $(DESTDIR)$(LIBDIR)/pkgconfig/promfiler.pc
# examples/: programs built on the installed API only (-Iinclude, not src/),
# linked against the static library; the integration tests run them.
EXAMPLES := $(patsubst examples/%.c,$(OUTPUT)/examples/%,$(wildcard examples/*.c))
$(OUTPUT)/examples:
	$(Q)mkdir -p $@
$(OUTPUT)/examples/%: examples/%.c $(STATIC_LIB) | $(OUTPUT)/examples
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -std=gnu11 $(WARNINGS) -MMD -MP -Iinclude $< $(STATIC_LIB) \
		$(LIB_LDLIBS) -lmicrohttpd -o $@
examples: $(EXAMPLES)
test integration: $(EXAMPLES) lib
-include $(wildcard $(OUTPUT)/pic/*.d $(OUTPUT)/examples/*.d)

# The Grafana panel plugin (grafana-panel/, TypeScript + React, drawing with
# @grafana/flamegraph). `make panel` installs its npm packages exactly as
# package-lock.json pins them (npm ci, again only when the lock file
# changes), builds grafana-panel/dist/ (the folder Grafana loads: plugin.json,
# module.js, img/, README.md, CHANGELOG.md) with grafana-panel/build.mjs
# (esbuild), and zips that folder as promfiler-flamegraph-panel/ into
# $(OUTPUT)/promfiler-flamegraph-panel-VERSION.zip.
# tests/integration/test_panel.sh runs it, then the panel's tests.
PANEL_DIR := grafana-panel
PANEL_ID := promfiler-flamegraph-panel
PANEL_VERSION := $(shell sed -n 's/^  "version": "\(.*\)",$$/\1/p' $(PANEL_DIR)/package.json)
PANEL_ZIP := $(OUTPUT)/$(PANEL_ID)-$(PANEL_VERSION).zip
PANEL_SRC := $(shell find $(PANEL_DIR)/src -type f) $(addprefix $(PANEL_DIR)/,build.mjs \
	package.json README.md CHANGELOG.md)
.PHONY: panel
panel: $(PANEL_ZIP)
$(PANEL_DIR)/node_modules/.package-lock.json: $(PANEL_DIR)/package-lock.json
	$(call msg,NPM-CI,$(PANEL_DIR))
	$(Q)cd $(PANEL_DIR) && npm ci --no-audit --no-fund --loglevel=error
$(PANEL_DIR)/dist/module.js: $(PANEL_SRC) $(PANEL_DIR)/node_modules/.package-lock.json
	$(Q)cd $(PANEL_DIR) && node build.mjs
$(PANEL_ZIP): $(PANEL_DIR)/dist/module.js | $(OUTPUT)
	$(call msg,ZIP,$@)
	$(Q)rm -rf $(OUTPUT)/panel-zip $@ && mkdir -p $(OUTPUT)/panel-zip && \
		cp -r $(PANEL_DIR)/dist $(OUTPUT)/panel-zip/$(PANEL_ID) && \
		(cd $(OUTPUT)/panel-zip && zip -qrX $(abspath $@) $(PANEL_ID)) && rm -rf $(OUTPUT)/panel-zip
