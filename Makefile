# BZPEER profile service. One plain GNU Makefile; see README.md.
#
#   make run      install missing packages, build, import the sample catalog,
#                 serve http://127.0.0.1:$(PORT)/ in the foreground (Ctrl-C stops)
#   make start    the same in the background; make stop ends it
#   make test     every suite; the last line is "N passed, N failed"
#   make ASAN=1 UBSAN=1 test    the same with sanitizers
#   make test-systemd           the package installed, run, upgraded, purged in a container
#   make install                PREFIX=/usr/local DESTDIR= (docs/INSTALL.md)
#   make deb                    the Debian package, checked by lintian
#   make clean                  every build directory, but the container's Debian
#   make distclean              that too, node_modules and var/: a fresh clone

PORT    ?= 8080
STORE   ?= var/store
RUNDIR  ?= var/run
PREFIX  ?= /usr/local
DESTDIR ?=

CC      ?= cc
BUILD   := build
PKGS    := hiredis lmdb libsodium jansson zlib libisal libutf8proc

# Debian packages the build, `make run` and the tests need.
DEB_BUILD := gcc make pkg-config libfcgi-dev libhiredis-dev liblmdb-dev \
             libsodium-dev libjansson-dev zlib1g-dev libisal-dev libutf8proc-dev
DEB_RUN   := nginx redis-server lmdb-utils curl
DEB_TEST  := $(DEB_RUN) valgrind prometheus libnginx-mod-http-brotli-filter

CFLAGS  ?= -O2 -g
CFLAGS  += -std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
           -Wmissing-prototypes -Wno-unused-parameter -D_FORTIFY_SOURCE=2 \
           -D_DEFAULT_SOURCE -D_GNU_SOURCE -fstack-protector-strong -fPIE \
           -MMD -MP
LDFLAGS += -pie -Wl,-z,relro,-z,now

SAN :=
ifeq ($(ASAN),1)
SAN += address
endif
ifeq ($(UBSAN),1)
SAN += undefined
endif
ifneq ($(strip $(SAN)),)
comma := ,
empty :=
space := $(empty) $(empty)
SANFLAGS := -fsanitize=$(subst $(space),$(comma),$(strip $(SAN))) \
            -fno-sanitize-recover=all -fno-omit-frame-pointer
CFLAGS  := $(filter-out -D_FORTIFY_SOURCE=2,$(CFLAGS)) $(SANFLAGS)
LDFLAGS += $(SANFLAGS)
endif

PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)

# Programs are the files named after them; everything else goes into one
# static library that the programs and the unit tests link against.
MAINS    := fcgi-app/bzpeer-fcgi.c store/bzpeer-import.c store/bzpeer-admin.c
LIB_SRC  := $(filter-out $(MAINS),$(wildcard store/*.c views/*.c fcgi-app/*.c))
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
PROGS    := $(BUILD)/bzpeer-fcgi $(BUILD)/bzpeer-import $(BUILD)/bzpeer-admin
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNITS    := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: all deps run start stop test unit e2e clean install sample test-systemd

# Keep objects of the unit tests (make would delete them as intermediates).
.SECONDARY:

all: $(PROGS)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -c -o $@ $<

# The goals that install what is missing do so before anything compiles,
# also under -j (`make -j2 test` on a machine without a -dev package).
ifneq ($(filter run start test test-asan unit e2e bench bench-scale bench-import-load,$(MAKECMDGOALS)),)
$(LIB_OBJ) $(MAINS:%.c=$(BUILD)/obj/%.o) $(UNIT_SRC:%.c=$(BUILD)/obj/%.o): | deps
endif

$(BUILD)/libbzpeer.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/bzpeer-fcgi: $(BUILD)/obj/fcgi-app/bzpeer-fcgi.o $(BUILD)/libbzpeer.a
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(BUILD)/bzpeer-import: $(BUILD)/obj/store/bzpeer-import.o $(BUILD)/libbzpeer.a
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(BUILD)/bzpeer-admin: $(BUILD)/obj/store/bzpeer-admin.o $(BUILD)/libbzpeer.a
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(BUILD)/tests/%: $(BUILD)/obj/tests/unit/%.o $(BUILD)/libbzpeer.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

# The end-to-end tests' FastCGI client (tests/e2e/fcgi-client.c): on its
# own, without the library, so it shares no code with what it tests.
FCGI_CLIENT := $(BUILD)/tests/fcgi-client
$(FCGI_CLIENT): $(BUILD)/obj/tests/e2e/fcgi-client.o
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)

# ---- packages ---------------------------------------------------------------

# Installs whatever Debian package is missing: `apt-get update` once, then
# `apt-get install`. Needs root (or sudo) only when something is missing.
deps:
	@tests/deps.sh $(DEB_BUILD) $(DEB_TEST)

# ---- running ----------------------------------------------------------------

STACK = PORT=$(PORT) STORE=$(STORE) RUNDIR=$(RUNDIR) BUILD=$(BUILD) tests/stack.sh

run: deps all
	@$(STACK) run

start: deps all
	@$(STACK) start

stop:
	@$(STACK) stop

# ---- tests ------------------------------------------------------------------

test: deps all $(UNITS) $(FCGI_CLIENT)
	@BUILD=$(BUILD) tests/run.sh

unit: all $(UNITS)
	@BUILD=$(BUILD) tests/run.sh unit

e2e: all $(FCGI_CLIENT)
	@BUILD=$(BUILD) tests/run.sh e2e

# The real systemctl test (tests/systemd/run.sh): systemd in a container on
# a minimal Debian made once under $(BUILD)/systemd-root (about 75 s, then
# re-used), the package of `make deb` (two builds: the second is the
# upgrade) installed in it as docs/INSTALL.md says; about 2 min a run.
# Needs root.
test-systemd: all
	@tests/deps.sh debootstrap systemd-container
	@BUILD=$(BUILD) tests/systemd/run.sh

# ---- fuzzing and sanitizers ---------------------------------------------------
# `make fuzz [FUZZ_SECONDS=60]`: builds every libFuzzer target of tests/fuzz/
# with clang (address, undefined and fuzzer coverage, objects in
# $(FUZZ_BUILD)) and runs each for FUZZ_SECONDS; a crash fails and its input
# is kept in tests/fuzz/TARGET/regressions/. `make test` replays every seed
# and regression without libFuzzer ($(BUILD)/tests/test_fuzz_replay).
# `make test-asan`: the whole suite, end to end included, built with
# ASAN=1 UBSAN=1 in $(ASAN_BUILD). `make test-valgrind`: the end-to-end
# suite with bzpeer-fcgi under valgrind (slow; not in CI).
FUZZ_TARGETS := form cookie router session oa_author oa_work tmpl fcgi page fold \
                manifest csv
FUZZ_SECONDS ?= 60
FUZZ_BUILD   ?= build-fuzz
FUZZ_CC      ?= clang
ASAN_BUILD   ?= build-asan
VG_BUILD     ?= build-vg
FUZZ_REPLAY  := $(BUILD)/tests/test_fuzz_replay
FUZZ_DEPS    := tests/fuzz/fuzz.h tests/fuzz/oa_common.h

.PHONY: fuzz fuzz-bins test-asan test-valgrind

$(FUZZ_REPLAY): $(FUZZ_TARGETS:%=$(BUILD)/obj/tests/fuzz/%.o) \
		$(BUILD)/obj/tests/fuzz/common.o $(BUILD)/obj/tests/fuzz/replay.o \
		$(BUILD)/libbzpeer.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)
$(BUILD)/obj/tests/fuzz/common.o: CFLAGS += -DFUZZ_ROOT='"$(CURDIR)"'
test unit: $(FUZZ_REPLAY)

# In the sub-make below, BUILD is $(FUZZ_BUILD) and CC is clang.
$(BUILD)/fuzz/%: tests/fuzz/%.c tests/fuzz/common.c $(FUZZ_DEPS) $(BUILD)/libbzpeer.a
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -g -O1 -D_DEFAULT_SOURCE -D_GNU_SOURCE -DFUZZ_LIBFUZZER \
		-DFUZZ_ROOT='"$(CURDIR)"' -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=all $(PKG_CFLAGS) -o $@ $< tests/fuzz/common.c \
		$(BUILD)/libbzpeer.a $(PKG_LIBS)
fuzz-bins: $(FUZZ_TARGETS:%=$(BUILD)/fuzz/%)

fuzz:
	@tests/deps.sh $(DEB_BUILD) clang
	@CFLAGS='-O1 -g -fsanitize=fuzzer-no-link' $(MAKE) --no-print-directory \
		BUILD=$(FUZZ_BUILD) CC=$(FUZZ_CC) ASAN=1 UBSAN=1 fuzz-bins
	@FUZZ_BUILD=$(FUZZ_BUILD) FUZZ_SECONDS=$(FUZZ_SECONDS) tests/fuzz/run.sh $(FUZZ_TARGETS)

test-asan:
	@$(MAKE) --no-print-directory BUILD=$(ASAN_BUILD) ASAN=1 UBSAN=1 test

test-valgrind: deps all $(FCGI_CLIENT)
	@BUILD=$(BUILD) VG_BUILD=$(VG_BUILD) tests/valgrind.sh

# ---- benchmarks (never part of `make test`) ---------------------------------
# `make bench`: our paths against an nginx static file, nginx fastcgi_cache
# and a PHP-FPM + Redis peer, interleaved rounds on loopback, plus the
# in-process render benchmark; the table goes to bench/results.md.
# `make bench-scale [SCALE_SIZES="1000 400000"] [SCALE_LINES=lean]`:
# synthetic catalogs (bench/gencat --scatter; full ~6.8 KB work lines by
# default, SCALE_LINES=lean ~1.9 KB), import rate by segment, store bytes
# per work and researcher, cold-cache profile renders (the store evicted,
# major faults per render) by catalog size, then the signed-in and cold
# paths through nginx with Zipf-distributed visits (bench/scale.sh).
# `make bench-import-load [IMPORT_WORKS=10000000] [MODE=into-new]`: follow
# POST latency (p50, p99) idle and during an import of a bench/gencat
# catalog (bench/import-load.sh); the table goes to bench/results.md.
.PHONY: bench bench-scale bench-import-load budget
BENCH_BIN := $(BUILD)/bench/render $(BUILD)/bench/gencat $(BUILD)/bench/claims

$(BUILD)/bench/render: $(BUILD)/obj/bench/render.o $(BUILD)/libbzpeer.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(BUILD)/bench/claims: $(BUILD)/obj/bench/claims.o $(BUILD)/libbzpeer.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(BUILD)/bench/gencat: $(BUILD)/obj/bench/gencat.o
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ -lz

bench: deps all $(BENCH_BIN)
	@tests/deps.sh wrk php-fpm php-redis valgrind
	@BUILD=$(BUILD) bench/bench.sh

bench-scale: deps all $(BENCH_BIN)
	@tests/deps.sh wrk php-fpm php-redis
	@BUILD=$(BUILD) bench/scale.sh

IMPORT_WORKS ?= 100000
bench-import-load: deps all $(BUILD)/bench/gencat
	@BUILD=$(BUILD) bench/import-load.sh $(IMPORT_WORKS)

# `make budget`: per profile GET, the context switches, system calls and
# instructions of each server (counted, not timed: right on a busy machine).
budget: deps all
	@tests/deps.sh strace valgrind
	@BUILD=$(BUILD) bench/budget.sh

# ---- install ----------------------------------------------------------------
# `make install [PREFIX=/usr/local] [DESTDIR=]`: programs, views, the units,
# /etc/bzpeer/bzpeer.conf, the nginx site and snippets, the Redis instance
# (docs/INSTALL.md). Configuration files are never overwritten once edited
# (systemd/install-conf.sh: an edited one is kept and the new one written
# beside it as FILE.dist, saying so; an unedited one is replaced), with or
# without DESTDIR; what each install wrote is kept under CONF_RECORD to
# tell the two apart. With DESTDIR empty it also makes the bzpeer user and
# /var/lib/bzpeer and reloads systemd; with DESTDIR set (packages, images,
# the systemctl test) the installed sysusers.d and tmpfiles.d files do
# that at the next boot. `make deb` builds the Debian package instead.

SYSCONFDIR  ?= /etc
DATADIR     ?= $(PREFIX)/share/bzpeer
DOCDIR      ?= $(PREFIX)/share/doc/bzpeer
MANDIR      ?= $(PREFIX)/share/man
UNITDIR     ?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
TMPFILESDIR ?= $(PREFIX)/lib/tmpfiles.d
# Copies of the configuration files as installed (empty: none kept; the
# Debian package leaves that to dpkg's conffiles).
CONF_RECORD ?= $(DATADIR)/conf-installed

# Every @NAME@ in nginx/bzpeer-site.conf.in is filled from NGINX_NAME, in
# systemd/*.service from SERVICE_NAME, in systemd/bzpeer.conf.in from
# CONF_NAME, in systemd/redis-bzpeer.conf.in from REDIS_NAME;
# systemd/fill.sh fails naming a placeholder that has no value.
NGINX_LISTEN     ?= 80
NGINX_LISTEN6    ?= [::]:80
NGINX_METRICS_LISTEN ?= 127.0.0.1:9180
NGINX_SOCKET     ?= /run/bzpeer/fcgi.sock
NGINX_STATIC     ?= $(DATADIR)/views/static
NGINX_HTPASSWD   ?= $(SYSCONFDIR)/bzpeer/htpasswd
NGINX_CACHE      ?= /var/lib/nginx/bzpeer-cache
NGINX_MICROCACHE ?= bzpeer_micro
NGINX_SERVER_NAME ?= localhost
NGINX_PARAMS     ?= $(SYSCONFDIR)/nginx/snippets/bzpeer-fastcgi.conf
NGINX_LOGIN      ?= $(SYSCONFDIR)/nginx/snippets/bzpeer-login-basic.conf
NGINX_ACCESS_LOG ?= /var/log/nginx/bzpeer-access.log bzpeer
NGINX_BROTLI     ?= $(SYSCONFDIR)/nginx/snippets/bzpeer-brotli.conf
NGINX_LOGIN_RATE ?= 10r/m
NGINX_POST_RATE  ?= 10r/s
NGINX_SSO_URL    ?= http://127.0.0.1:4180/oauth2/auth
SERVICE_PREFIX   ?= $(PREFIX)
# The Redis instance redis-server@bzpeer: its socket must be in
# /run/redis-bzpeer, the runtime directory Debian's unit gives it.
REDIS_SOCKET     ?= /run/redis-bzpeer/redis-server.sock
REDIS_MAXMEMORY  ?= 256mb
CONF_PREFIX      ?= $(PREFIX)
CONF_WORKERS     ?= 8
CONF_REDIS       ?= $(REDIS_SOCKET)
CONF_BASE_URL    ?= http://localhost

fill_vars = $(foreach v,$(filter $(1)%,$(.VARIABLES)),'$(patsubst $(1)%,%,$(v))=$($(v))')
FILL      = systemd/fill.sh
STAGE     = $(BUILD)/install-conf
# conf NEW TARGET: a configuration file, never overwritten once edited.
conf = systemd/install-conf.sh $(1) $(DESTDIR)$(2) \
	$(if $(CONF_RECORD),$(DESTDIR)$(CONF_RECORD)$(2))

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(DATADIR)/views/static \
		$(DESTDIR)$(DOCDIR) $(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSUSERSDIR) \
		$(DESTDIR)$(TMPFILESDIR) $(DESTDIR)$(UNITDIR)/redis-server@bzpeer.service.d \
		$(DESTDIR)$(MANDIR)/man8
	install -m 0755 $(PROGS) $(DESTDIR)$(PREFIX)/bin/
	install -m 0644 docs/man/*.8 $(DESTDIR)$(MANDIR)/man8/
	install -m 0644 views/*.html $(DESTDIR)$(DATADIR)/views/
	install -m 0644 views/static/* $(DESTDIR)$(DATADIR)/views/static/
	install -m 0644 README.md docs/*.md $(DESTDIR)$(DOCDIR)/
	install -m 0644 systemd/bzpeer-fcgi.socket $(DESTDIR)$(UNITDIR)/
	$(FILL) systemd/bzpeer-fcgi.service $(DESTDIR)$(UNITDIR)/bzpeer-fcgi.service $(call fill_vars,SERVICE_)
	chmod 0644 $(DESTDIR)$(UNITDIR)/bzpeer-fcgi.service
	install -m 0644 systemd/redis-server@bzpeer.conf \
		$(DESTDIR)$(UNITDIR)/redis-server@bzpeer.service.d/bzpeer.conf
	install -m 0644 systemd/bzpeer.sysusers $(DESTDIR)$(SYSUSERSDIR)/bzpeer.conf
	install -m 0644 systemd/bzpeer.tmpfiles $(DESTDIR)$(TMPFILESDIR)/bzpeer.conf
	@rm -rf $(STAGE) && mkdir -p $(STAGE)
	@$(FILL) systemd/bzpeer.conf.in $(STAGE)/bzpeer.conf $(call fill_vars,CONF_)
	@$(FILL) nginx/bzpeer-site.conf.in $(STAGE)/site $(call fill_vars,NGINX_)
	@$(FILL) nginx/bzpeer-login-basic.conf.in $(STAGE)/login-basic $(call fill_vars,NGINX_)
	@$(FILL) nginx/bzpeer-login-sso.conf.in $(STAGE)/login-sso $(call fill_vars,NGINX_)
	@$(FILL) systemd/redis-bzpeer.conf.in $(STAGE)/redis $(call fill_vars,REDIS_)
	@$(call conf,$(STAGE)/bzpeer.conf,$(SYSCONFDIR)/bzpeer/bzpeer.conf)
	@$(call conf,$(STAGE)/site,$(SYSCONFDIR)/nginx/sites-available/bzpeer)
	@$(call conf,nginx/bzpeer-fastcgi.conf,$(SYSCONFDIR)/nginx/snippets/bzpeer-fastcgi.conf)
	@$(call conf,nginx/bzpeer-brotli.conf,$(SYSCONFDIR)/nginx/snippets/bzpeer-brotli.conf)
	@$(call conf,$(STAGE)/login-basic,$(SYSCONFDIR)/nginx/snippets/bzpeer-login-basic.conf)
	@$(call conf,$(STAGE)/login-sso,$(SYSCONFDIR)/nginx/snippets/bzpeer-login-sso.conf)
	@$(call conf,$(STAGE)/redis,$(SYSCONFDIR)/redis/redis-bzpeer.conf)
ifeq ($(DESTDIR),)
	@if command -v systemd-sysusers >/dev/null; then \
		systemd-sysusers $(SYSUSERSDIR)/bzpeer.conf; \
	elif ! getent passwd bzpeer >/dev/null; then \
		useradd --system --user-group --home-dir /var/lib/bzpeer \
			--shell /usr/sbin/nologin --comment "BZPEER profile service" bzpeer; \
	fi
	@if command -v systemd-tmpfiles >/dev/null; then \
		systemd-tmpfiles --create $(TMPFILESDIR)/bzpeer.conf; \
	else \
		install -d -m 0750 -o bzpeer -g bzpeer /var/lib/bzpeer; \
		install -d -m 0700 -o bzpeer -g bzpeer /var/lib/bzpeer/backups; \
	fi
	@if [ -d /run/systemd/system ]; then systemctl daemon-reload; fi
	@echo "install: done; next steps (import, Redis, nginx, systemctl enable --now bzpeer-fcgi.socket): $(DOCDIR)/INSTALL.md"
endif

# ---- the Debian package -------------------------------------------------------
# `make deb [DEB_SUFFIX=+test1]`: bzpeer_VERSION_amd64.deb in $(DEB_OUT),
# built with debhelper from debian/ in a copy of the tracked files (the
# tree is left alone), then checked by lintian (any error fails).
# VERSION is BZPEER_VERSION (fcgi-app/config.h); DEB_SUFFIX makes a later
# build of the same code (the upgrade test installs two).
VERSION    := $(shell sed -n 's/^\#define BZPEER_VERSION "\(.*\)"/\1/p' fcgi-app/config.h)
DEB_SUFFIX ?=
DEB_OUT    ?= $(BUILD)/deb
DEB_BUILD_DEPS := debhelper lintian dpkg-dev fakeroot
.PHONY: deb
deb:
	@tests/deps.sh $(DEB_BUILD) $(DEB_BUILD_DEPS)
	@VERSION=$(VERSION)$(DEB_SUFFIX) OUT=$(DEB_OUT) debian/build.sh

# ---- cleaning -----------------------------------------------------------------
# `make clean`: every build directory, whatever it holds (objects, programs,
# test logs and scratch, browser screenshots, fuzz corpora, packages), but
# the systemd container root and the packages it was made from
# (systemd-root, systemd-debs: about 75 s and 46 MB of downloads to make
# again); empty fuzz regressions/ directories `make fuzz` made. `make
# distclean`: that, the container root too, the browser test's
# tests/browser/node_modules (npm ci) and var/ (make run's store and logs,
# its stack stopped first): the tree as a fresh clone has it.
BUILD_DIRS = $(sort $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD) $(VG_BUILD) build-san $(wildcard build build-*))
CLEAN_KEEP = systemd-root systemd-debs
.PHONY: distclean
clean:
	@for d in $(BUILD_DIRS); do \
		[ -d "$$d" ] || continue; \
		echo "clean: $$d"; \
		find "$$d" -mindepth 1 -maxdepth 1 $(foreach k,$(CLEAN_KEEP),! -name $(k)) \
			-exec rm -rf --one-file-system {} +; \
		rmdir "$$d" 2>/dev/null || true; \
	done
	@find tests/fuzz -mindepth 2 -maxdepth 2 -type d -name regressions -empty -delete

distclean: clean
	@$(STACK) stop >/dev/null 2>&1 || true
	rm -rf --one-file-system $(BUILD_DIRS) tests/browser/node_modules var
