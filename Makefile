# mptcp-tools. GNU make. Pipelines install as mptcp-NAME (their man pages
# too), so generic names like "analyze" do not clash in $(BINDIR); so does
# the filter aggregate (INSTALL_AS), whose name Debian's package aggregate
# takes for /usr/bin/aggregate. The other filters' names are no binary of a
# Debian package (dpkg -S, apt-cache; see doc/design.md, Installed names). `make check` runs the test suite, `make demo` the
# main job on bundled captures; both install missing Debian packages when
# run as root (test/deps), else print the apt-get line.

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
DESTDIR ?=

CC ?= cc
CFLAGS ?= -O2 -g
WARN = -Wall -Wextra -Wshadow -Wpointer-arith -Wstrict-prototypes \
       -Wmissing-prototypes -Wvla -Wformat=2
# The shared library, by layer (doc/design.md): wire (captures, decoding),
# records (TSV in and out), conn (flow table, in-process source), stats
# (the engines), base (messages, options, configuration, hashing).
COMMON_LAYERS := wire records conn stats base
CPPFLAGS += -D_GNU_SOURCE $(COMMON_LAYERS:%=-Icommon/%)
ALL_CFLAGS = -std=c11 $(WARN) $(CFLAGS)
LDLIBS = -lpcap -lz -lnettle -lcsv -lm -lpthread
# Each object's header dependencies, written by the compiler as it builds
# (-MMD; -MP: a deleted header does not stop the build).
DEPFLAGS = -MMD -MP

# The version, in one place: the file VERSION, read here into the tools
# (--version), the installed man pages and share/mptcp-tools/VERSION
# (which analyze reads), and the name of the `make dist` tarball.
VERSION := $(shell cat VERSION)
# What share/mptcp-tools/VERSION records of an installed build: the
# version, then the commit when built from a git checkout, the form
# analyze's tool_version gives in the source tree (0.1.0+COMMIT[-dirty]),
# so a run on installed tools and one from the tree name the same build.
GIT_COMMIT := $(shell git describe --always --dirty 2>/dev/null)
BUILD_VERSION := $(VERSION)$(if $(GIT_COMMIT),+$(GIT_COMMIT))

BUILD ?= build
BIN ?= bin

COMMON_SRC := $(wildcard $(COMMON_LAYERS:%=common/%/*.c))
COMMON_OBJ := $(COMMON_SRC:common/%.c=$(BUILD)/common/%.o)
FILTERS := $(basename $(notdir $(wildcard filters/*.c)))
PROGS := $(FILTERS:%=$(BIN)/%)
PIPELINES := $(wildcard pipelines/*)
# filters installed under another name: NAME:INSTALLED
INSTALL_AS := aggregate:mptcp-aggregate
# the installed name of filter $(1)
inst_name = $(or $(patsubst $(1):%,%,$(filter $(1):%,$(INSTALL_AS))),$(1))
# the installed name of man page $(1): mptcp-NAME.1 for a pipeline, a
# filter's installed name, else as it is (mptcp-tools.conf.5)
man_name = $(if $(filter $(basename $(notdir $(1))),$(notdir $(PIPELINES))),mptcp-$(notdir $(1)),$(call inst_name,$(basename $(notdir $(1))))$(suffix $(1)))
man_path = $(DESTDIR)$(MANDIR)/man$(subst .,,$(suffix $(1)))/$(call man_name,$(1))
MANPAGES := $(wildcard man/*.[1-8])

.PHONY: FORCE all check check-long sanitize fuzz demo bench deps clean install uninstall lint dist
all: $(PROGS) $(BIN)/.version

# The build's version (BUILD_VERSION) beside the filters, for analyze's
# manifests: what made the tables, without running git at each run.
# Rewritten only when it changes.
$(BIN)/.version: FORCE | $(BIN)
	@echo '$(BUILD_VERSION)' | cmp -s - $@ || echo '$(BUILD_VERSION)' > $@
FORCE:

$(BUILD)/common/%.o: common/%.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(DEPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/filters/%.o: filters/%.c | $(BUILD)/filters
	$(CC) $(CPPFLAGS) $(DEPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/common/base/util.o: CPPFLAGS += -DMPTCP_TOOLS_VERSION='"$(VERSION)"'
$(BUILD)/common/base/util.o: VERSION

# Kept, so a filter is recompiled only when its source or headers change.
.SECONDARY: $(FILTERS:%=$(BUILD)/filters/%.o)

-include $(wildcard $(BUILD)/common/*/*.d $(BUILD)/filters/*.d)

$(BUILD)/libmptcptools.a: $(COMMON_OBJ)
	$(AR) rcs $@ $^

$(BIN)/%: $(BUILD)/filters/%.o $(BUILD)/libmptcptools.a | $(BIN)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/filters $(BIN):
	mkdir -p $@

deps:
	@sh test/deps check

# The whole suite: bats files under test/, run against bin/.
check: deps all
	sh test/run-suite

# ASan+UBSan build of every tool, then the same suite against it.
sanitize: deps
	$(MAKE) BUILD=build-san BIN=bin-san CC=clang \
	    CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
	    LDFLAGS="-fsanitize=address,undefined" all
	MPTCP_TOOLS_BIN=$(CURDIR)/bin-san ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 sh test/run-suite

# libFuzzer (ASan + UBSan) on every parser and input path, a short while
# each from the committed seeds (test/fuzz/corpus); FUZZ_SECONDS per target.
# The long run is test/fuzz/run-long (doc/fuzz.md).
fuzz:
	@sh test/deps check
	sh test/fuzz/run $(or $(FUZZ_SECONDS),20)

demo:
	@sh test/deps demo
	@$(MAKE) --no-print-directory all
	@sh test/demo

bench:
	@sh test/deps bench
	@$(MAKE) --no-print-directory all
	@bash test/bench/run

# The long check of issue 10: the independent oracle (test/ref/mptcp-oracle,
# tshark) against mptcp-metrics on the bench capture, a few minutes. The
# capture is made once, as for bench (root).
BENCH_PCAP ?= bench-data/big.pcap
check-long: deps all
	@[ -s $(BENCH_PCAP) ] || { mkdir -p $(dir $(BENCH_PCAP)) && test/gen/bench-capture $(BENCH_PCAP); }
	sh test/ref/oracle-bench $(BENCH_PCAP)

# Man pages and the shell pipelines.
lint:
	mandoc -Tlint -Wwarning $(MANPAGES)
	shellcheck -S warning $(PIPELINES) common/tool.sh common/tool.bash common/analyze-parallel.bash

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5
	$(foreach f,$(FILTERS),install -m 755 $(BIN)/$(f) $(DESTDIR)$(BINDIR)/$(call inst_name,$(f)) &&) true
	install -d $(DESTDIR)$(PREFIX)/share/mptcp-tools
	echo '$(BUILD_VERSION)' > $(DESTDIR)$(PREFIX)/share/mptcp-tools/VERSION
	install -m 644 common/tool.sh $(DESTDIR)$(PREFIX)/share/mptcp-tools/tool.sh
	install -m 644 common/tool.bash $(DESTDIR)$(PREFIX)/share/mptcp-tools/tool.bash
	install -m 644 common/analyze-parallel.bash $(DESTDIR)$(PREFIX)/share/mptcp-tools/analyze-parallel.bash
	for p in $(PIPELINES); do install -m 755 $$p $(DESTDIR)$(BINDIR)/mptcp-$$(basename $$p); done
	$(foreach m,$(MANPAGES),sed 's/^\.Os.*/.Os mptcp-tools $(VERSION)/' $(m) > $(call man_path,$(m)) && \
	    chmod 644 $(call man_path,$(m)) &&) true

uninstall:
	rm -rf $(DESTDIR)$(PREFIX)/share/mptcp-tools
	rm -f $(foreach f,$(FILTERS),$(DESTDIR)$(BINDIR)/$(call inst_name,$(f)))
	for p in $(PIPELINES); do rm -f $(DESTDIR)$(BINDIR)/mptcp-$$(basename $$p); done
	rm -f $(foreach m,$(MANPAGES),$(call man_path,$(m)))

# A release tarball of the committed tree (VERSION included), named by
# the version: mptcp-tools-VERSION.tar.gz.
dist:
	git archive --format=tar.gz --prefix=mptcp-tools-$(VERSION)/ \
	    -o mptcp-tools-$(VERSION).tar.gz HEAD
	@echo mptcp-tools-$(VERSION).tar.gz

clean:
	rm -rf build build-san build-fuzz bin bin-san
