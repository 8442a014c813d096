# BZPEER profile service. One plain GNU Makefile; see README.md.
#
#   make run      install missing packages, build, import the sample catalog,
#                 serve http://127.0.0.1:$(PORT)/ in the foreground (Ctrl-C stops)
#   make start    the same in the background; make stop ends it
#   make test     every suite; the last line is "N passed, N failed"
#   make ASAN=1 UBSAN=1 test    the same with sanitizers

PORT    ?= 8080
STORE   ?= var/store
RUNDIR  ?= var/run
PREFIX  ?= /usr/local
DESTDIR ?=

CC      ?= cc
BUILD   := build
PKGS    := fcgi hiredis lmdb libsodium jansson zlib

# Debian packages the build, `make run` and the tests need.
DEB_BUILD := gcc make pkg-config libfcgi-dev libhiredis-dev liblmdb-dev \
             libsodium-dev libjansson-dev zlib1g-dev
DEB_RUN   := nginx redis-server lmdb-utils curl
DEB_TEST  := $(DEB_RUN) valgrind

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

.PHONY: all deps run start stop test unit e2e clean install sample

# Keep objects of the unit tests (make would delete them as intermediates).
.SECONDARY:

all: $(PROGS)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -c -o $@ $<

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

test: deps all $(UNITS)
	@BUILD=$(BUILD) tests/run.sh

unit: all $(UNITS)
	@BUILD=$(BUILD) tests/run.sh unit

e2e: all
	@BUILD=$(BUILD) tests/run.sh e2e

# ---- install ----------------------------------------------------------------

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/bzpeer/views/static
	install -m 0755 $(PROGS) $(DESTDIR)$(PREFIX)/bin/
	install -m 0644 views/*.html $(DESTDIR)$(PREFIX)/share/bzpeer/views/
	install -m 0644 views/static/* $(DESTDIR)$(PREFIX)/share/bzpeer/views/static/

clean:
	rm -rf $(BUILD)
