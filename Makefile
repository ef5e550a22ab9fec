# leased — build, test, install.
#
# `make` builds build/leased and build/leasectl; `make check` runs every
# test (the layering check, unit tests plain and under ASan+UBSan, fuzz
# smoke runs, integration tests in network namespaces); `make demo` shows
# the main job.  `make deps` installs what all of that needs on Debian
# (scripts/deps.sh).

VERSION   := 0.1.0
PREFIX    ?= /usr/local
SBINDIR   ?= $(PREFIX)/sbin
MANDIR    ?= $(PREFIX)/share/man
DESTDIR   ?=

CC        ?= cc
PKGS      := libnl-3.0 libnl-route-3.0
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CMOCKA_LIBS := $(shell pkg-config --libs cmocka 2>/dev/null)

WARN      := -Wall -Wextra -Werror -Wshadow -Wpointer-arith -Wstrict-prototypes \
             -Wmissing-prototypes -Wformat=2
HARDEN    := -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE
BASE_CFLAGS := -std=gnu11 -O2 -g $(WARN) -Iinclude $(PKG_CFLAGS) \
               -D_GNU_SOURCE -DLEASED_VERSION=\"$(VERSION)\"
# CPPFLAGS, CFLAGS, LDFLAGS: added last (debian/rules gets them from
# dpkg-buildflags).
CPPFLAGS  ?=
CFLAGS    ?=
LDFLAGS   ?=
ALL_CFLAGS  = $(BASE_CFLAGS) $(HARDEN) $(CPPFLAGS) $(CFLAGS)
ALL_LDFLAGS = -pie -Wl,-z,relro,-z,now $(LDFLAGS)

SAN_CFLAGS := -std=gnu11 -O1 -g $(WARN) -Iinclude $(PKG_CFLAGS) \
              -D_GNU_SOURCE -DLEASED_VERSION=\"$(VERSION)\" -fsanitize=address,undefined \
              -fno-sanitize-recover=all -fno-omit-frame-pointer

# One folder per concern under src/ (headers under include/FOLDER/; the
# layering is scripts/check-layering.sh).  Every src/*/*.c outside
# src/leasectl/ is library code that the daemon, leasectl and the tests
# link against; src/main.c is the daemon's entry point.  leasectl is
# src/leasectl/*.c (src/leasectl/leasectl.c its entry point) on top of
# the library; its other files are also an archive for the unit tests.
LIB_SRCS  := $(filter-out src/leasectl/%,$(wildcard src/*/*.c))
LIB_OBJS  := $(LIB_SRCS:src/%.c=build/obj/%.o)
SAN_OBJS  := $(LIB_SRCS:src/%.c=build/san/%.o)
CTL_SRCS  := $(filter-out src/leasectl/leasectl.c,$(wildcard src/leasectl/*.c))
CTL_OBJS  := $(CTL_SRCS:src/%.c=build/obj/%.o)
CTL_SAN_OBJS := $(CTL_SRCS:src/%.c=build/san/%.o)
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=build/tests/%)
SAN_BINS  := $(UNIT_SRCS:tests/unit/%.c=build/tests-san/%)
SCN_SRCS  := $(wildcard tests/scenario/*.c)
SCN_HDRS  := $(wildcard tests/scenario/*.h)
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS := $(FUZZ_SRCS:tests/fuzz/%.c=build/fuzz/%)
HDRS      := $(wildcard include/*/*.h) $(wildcard src/*/*.h) $(wildcard tests/unit/*.h)

# `make V=1` shows full commands.
Q := $(if $(V),,@)

.PHONY: bench-dhcp6 bench-ra bench-lag bench-first-lease circles all deps check layering unit unit-san scenario man-lint fuzz-smoke fuzz fuzz-long integration demo \
        check-sanitize bench bench-dns bench-plot install clean
all: build/leased build/leasectl

deps:
	scripts/deps.sh

build/obj/%.o: src/%.c $(HDRS)
	@mkdir -p $(@D)
	@echo "  CC $@"
	$(Q)$(CC) $(ALL_CFLAGS) -c $< -o $@

build/libleased.a: $(LIB_OBJS)
	@rm -f $@
	@echo "  AR $@"
	$(Q)ar rcs $@ $^

build/leased: build/obj/main.o build/libleased.a
	@echo "  CC $@"
	$(Q)$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)

build/libleasectl.a: $(CTL_OBJS)
	@rm -f $@
	@echo "  AR $@"
	$(Q)ar rcs $@ $^

build/leasectl: build/obj/leasectl/leasectl.o build/libleasectl.a build/libleased.a
	@echo "  CC $@"
	$(Q)$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)

build/tests/%: tests/unit/%.c build/libleasectl.a build/libleased.a $(HDRS)
	@mkdir -p $(@D)
	@echo "  CC $@"
	$(Q)$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< build/libleasectl.a build/libleased.a $(PKG_LIBS) $(CMOCKA_LIBS)

build/san/%.o: src/%.c $(HDRS)
	@mkdir -p $(@D)
	@echo "  CC $@"
	$(Q)$(CC) $(SAN_CFLAGS) -c $< -o $@

build/libleased-san.a: $(SAN_OBJS)
	@rm -f $@
	@echo "  AR $@"
	$(Q)ar rcs $@ $^

build/libleasectl-san.a: $(CTL_SAN_OBJS)
	@rm -f $@
	@echo "  AR $@"
	$(Q)ar rcs $@ $^

build/tests-san/%: tests/unit/%.c build/libleasectl-san.a build/libleased-san.a $(HDRS)
	@mkdir -p $(@D)
	@echo "  CC $@"
	$(Q)$(CC) $(SAN_CFLAGS) -o $@ $< build/libleasectl-san.a build/libleased-san.a $(PKG_LIBS) $(CMOCKA_LIBS)

# The scenario harness (tests/scenario/README.md), plain and with ASan+UBSan.
build/tests/scenario: $(SCN_SRCS) build/libleased.a $(HDRS) $(SCN_HDRS)
	@mkdir -p $(@D)
	@echo "  CC $@"
	$(Q)$(CC) $(ALL_CFLAGS) -Itests/unit $(ALL_LDFLAGS) -o $@ $(SCN_SRCS) build/libleased.a $(PKG_LIBS)

build/tests-san/scenario: $(SCN_SRCS) build/libleased-san.a $(HDRS) $(SCN_HDRS)
	@mkdir -p $(@D)
	@echo "  CC $@"
	$(Q)$(CC) $(SAN_CFLAGS) -Itests/unit -o $@ $(SCN_SRCS) build/libleased-san.a $(PKG_LIBS)

# Fuzz targets: clang + libFuzzer, with ASan and UBSan.
FUZZ_CC     := clang
FUZZ_CFLAGS := -std=gnu11 -g -O1 -Iinclude $(PKG_CFLAGS) -D_GNU_SOURCE -DLEASED_VERSION=\"$(VERSION)\" \
               -DLEASED_FUZZING -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
build/fuzz/%: tests/fuzz/%.c $(LIB_SRCS) $(HDRS)
	@mkdir -p $(@D)
	@echo "  CC $@"
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< $(LIB_SRCS) $(PKG_LIBS)

# The daemon and leasectl built with ASan+UBSan, for check-sanitize.
build/san-bin/leased: src/main.c build/libleased-san.a $(HDRS)
	@mkdir -p $(@D)
	@echo "  CC $@"
	$(Q)$(CC) $(SAN_CFLAGS) -o $@ src/main.c build/libleased-san.a $(PKG_LIBS)

build/san-bin/leasectl: src/leasectl/leasectl.c build/libleasectl-san.a build/libleased-san.a $(HDRS)
	@mkdir -p $(@D)
	@echo "  CC $@"
	$(Q)$(CC) $(SAN_CFLAGS) -o $@ src/leasectl/leasectl.c build/libleasectl-san.a build/libleased-san.a $(PKG_LIBS)

unit: $(UNIT_BINS)
	@scripts/run-unit.sh build/tests $(UNIT_BINS)

unit-san: $(SAN_BINS)
	@ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  scripts/run-unit.sh build/tests-san $(SAN_BINS)

# Every scenario must pass, under both builds; every file in bad/ must
# fail with the text its must-fail line names; and without the cache purge
# on lease changes (--no-purge) some scenario must fail, or the harness
# checks nothing.
scenario: build/tests/scenario build/tests-san/scenario
	@scripts/run-scenario.sh build/tests/scenario build/tests-san/scenario

# A short run of every fuzz target (seconds each); `make fuzz` runs longer.
FUZZ_SECONDS ?= 20
fuzz-smoke: $(FUZZ_BINS)
	@scripts/run-fuzz.sh 10 $(FUZZ_BINS)
fuzz: $(FUZZ_BINS)
	@scripts/run-fuzz.sh $(FUZZ_SECONDS) $(FUZZ_BINS)
# An hour per target (FUZZ_LONG_SECONDS), the corpus kept in tests/fuzz/corpus/.
FUZZ_LONG_SECONDS ?= 3600
fuzz-long: $(FUZZ_BINS)
	@FUZZ_KEEP=1 scripts/run-fuzz.sh $(FUZZ_LONG_SECONDS) $(FUZZ_BINS)

# The folders' layering (DESIGN.md, src/*/README): who may include whom,
# DNS never writes the lease table, sockets only in *_server.c, *_sock.c
# and net/, leasectl never includes the store's writer.
layering:
	@scripts/check-layering.sh

# No source files that use each other, directly or round a longer circle
# (read from the objects' symbols).  First a pair that does must be caught.
circles: $(LIB_OBJS) $(CTL_OBJS)
	@mkdir -p build/circles
	@printf 'int circle_b(void);\nint circle_a(void) { return circle_b(); }\n' >build/circles/a.c
	@printf 'int circle_a(void);\nint circle_b(void) { return circle_a(); }\n' >build/circles/b.c
	@$(CC) -c -o build/circles/a.o build/circles/a.c && $(CC) -c -o build/circles/b.o build/circles/b.c
	@if scripts/check-circles.py build/circles/a.o build/circles/b.o 2>/dev/null; then \
		echo "circles: a pair calling each other was not caught"; exit 1; fi
	@scripts/check-circles.py $(LIB_OBJS) $(CTL_OBJS)

# Manual pages must format without a warning (contrib/lxc's: leased-lxc-net,
# installed by the Debian package).
man-lint:
	@for m in man/*.[0-9] contrib/lxc/*.[0-9]; do \
		out=$$(groff -t -ww -man -Tutf8 "$$m" 2>&1 >/dev/null); \
		if [ -n "$$out" ]; then echo "$$m: $$out"; exit 1; fi; echo "  MAN $$m ok"; \
	done

integration: all
	@tests/integration/run.sh

# Every integration test once against the ASan+UBSan daemon and leasectl
# (not part of `make check`: it takes longer).  A sanitizer report stops
# the process; the tests see the daemon die, and lib.sh's cleanup fails
# any test whose daemon (or a child: writer, script helper) wrote one to
# its stderr (kept open in the foreground, -k).
check-sanitize: all build/san-bin/leased build/san-bin/leasectl
	@LEASED_BUILD=$(CURDIR)/build/san-bin \
	  ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  tests/integration/run.sh

check: deps
	$(MAKE) layering
	$(MAKE) all
	$(MAKE) circles unit unit-san scenario man-lint fuzz-smoke integration

demo: deps
	$(MAKE) all
	scripts/demo.sh

bench: all
	tests/bench/run.sh
	BENCH_LAYOUT=ordered BENCH_HELD="0 20000" BENCH_RESULTS=build/bench/dhcp-ordered-results.txt \
	  tests/bench/run.sh
	BENCH_PING=1 BENCH_HELD= BENCH_SERVERS=leased BENCH_RESULTS=build/bench/dhcp-ping-results.txt \
	  tests/bench/run.sh
	tests/bench/first_lease.sh
	tests/bench/dns.sh
	tests/bench/dhcp6.sh
	tests/bench/ra.sh
	tests/bench/leasefile_lag.sh
	tests/bench/plot.sh

# Redraw docs/bench-*.svg from build/bench/*-results.tsv (the last bench).
bench-plot:
	tests/bench/plot.sh

bench-dhcp6: all
	tests/bench/dhcp6.sh

bench-ra: all
	tests/bench/ra.sh

bench-lag: all
	tests/bench/leasefile_lag.sh

bench-first-lease: all
	tests/bench/first_lease.sh

bench-dns: all
	tests/bench/dns.sh

install: all
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man8
	install -m 0755 build/leased $(DESTDIR)$(SBINDIR)/leased
	install -m 0755 build/leasectl $(DESTDIR)$(SBINDIR)/leasectl
	for m in man/*.8; do [ -e "$$m" ] && install -m 0644 "$$m" $(DESTDIR)$(MANDIR)/man8/ || true; done
	install -D -m 0644 man/leased.conf.5 $(DESTDIR)$(MANDIR)/man5/leased.conf.5

clean:
	rm -rf build
