# promfiler-bpf build. Generated files go to $(OUTPUT); `make clean` removes
# that folder and the binary. V=1 shows full commands.
#   make            build ./promfiler-bpf
#   make test       unit tests (no root needed) + integration tests (root)
#   make unit       unit tests only
#   make install    install the binary under $(PREFIX)
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

$(OUTPUT)/profile.bpf.o: bpf/profile.bpf.c bpf/profile.h vmlinux/$(ARCH)/vmlinux.h | $(OUTPUT)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $(@:.o=.tmp.o)
	$(Q)$(BPFTOOL) gen object $@ $(@:.o=.tmp.o)

$(OUTPUT)/profile.skel.h: $(OUTPUT)/profile.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name profile_bpf > $@

# Only the sampler includes the skeleton.
$(OUTPUT)/sampler.o: $(OUTPUT)/profile.skel.h

$(OUTPUT)/%.o: src/%.c | $(OUTPUT)
	$(call msg,CC,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -c $< -o $@

promfiler-bpf: $(OBJS) $(OUTPUT)/main.o
	$(call msg,LINK,$@)
	$(Q)$(CC) $(ALL_CFLAGS) $^ $(LDLIBS) -o $@

$(OUTPUT)/tests/test_%: tests/test_%.c $(OBJS) | $(OUTPUT)/tests
	$(call msg,CC,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -DFIXTURES='"$(CURDIR)/tests/fixtures"' $^ \
		$(LDLIBS) -lcriterion -o $@

unit: $(UNIT_TESTS)
	$(Q)scripts/run-tests.sh unit $(UNIT_TESTS)

integration: promfiler-bpf
	$(Q)scripts/run-tests.sh integration tests/integration/test_*.sh

test: $(UNIT_TESTS) promfiler-bpf
	$(Q)scripts/run-tests.sh all $(UNIT_TESTS) tests/integration/test_*.sh

install: promfiler-bpf
	install -D -m 0755 promfiler-bpf $(DESTDIR)$(PREFIX)/bin/promfiler-bpf

clean:
	$(call msg,CLEAN,$(OUTPUT))
	$(Q)rm -rf $(OUTPUT) promfiler-bpf

-include $(wildcard $(OUTPUT)/*.d $(OUTPUT)/tests/*.d)
