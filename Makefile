# pystd -- build, test, install.  `make help` lists the targets.

LUA        ?= lua5.4
LUA_INCDIR ?= /usr/include/lua5.4
BUSTED     ?= /usr/bin/busted
CC         ?= cc
CFLAGS     ?= -O2
LIBFLAG    ?= -shared
WARNINGS    = -std=c11 -Wall -Wextra -Werror
ALL_CFLAGS  = $(CFLAGS) $(WARNINGS) -fPIC -D_GNU_SOURCE -I$(LUA_INCDIR) -Icsrc

# Modules land in $(OUT)/pystd/, next to links to lua/pystd/*: with the
# default OUT=. Lua's own ./?.so and ./?.lua paths find them from the root.
OUT        ?= .
DEST        = $(OUT)/pystd

# A C module is csrc/<name>.c or the folder csrc/<name>/.
MODULE_FILES = $(filter-out csrc/pystd.c,$(wildcard csrc/*.c))
MODULE_DIRS  = $(patsubst csrc/%/,%,$(sort $(dir $(wildcard csrc/*/*.c))))
MODULES      = $(sort $(basename $(notdir $(MODULE_FILES))) $(MODULE_DIRS))
SHARED_OBJS  = $(MODULES:%=$(DEST)/%.so)
LUA_SOURCES  = $(wildcard lua/pystd/*)

# Libraries each module links against.
LIBS_re       = -lpcre2-8
LIBS_asyncio  = -luv
LIBS_decimal  = -lgmp
LIBS_http     = -lcurl
LIBS_concurrent = -lpthread

module_sources = $(wildcard csrc/$(1).c csrc/$(1)/*.c) csrc/pystd.c

# Debian packages the project needs (build, test, benchmark peers, tools).
DEB_PACKAGES = lua5.4 liblua5.4-dev luarocks lua-busted lua-luv lua-luv-dev \
  libuv1-dev libpcre2-dev libgmp-dev libcurl4-openssl-dev lua-cjson \
  lua-argparse lua-rex-pcre2 lua-cqueues lua-check gcc make valgrind \
  python3 nodejs

SANITIZE    = -fsanitize=address,undefined -fno-omit-frame-pointer \
              -fno-sanitize-recover=undefined
ASAN_LIB    = $(shell $(CC) -print-file-name=libasan.so)
UBSAN_LIB   = $(shell $(CC) -print-file-name=libubsan.so)
SPEC_ENV    = LUA_PATH="$(OUT)/?.lua;$(OUT)/?/init.lua;;" \
              LUA_CPATH="$(OUT)/?.so;;"
SPECS      ?= spec
# C helpers of the specs (built beside the modules, never installed)
SPEC_LIBS   = $(OUT)/spec/failalloc.so $(OUT)/spec/stderr.so

FUZZ_SECONDS ?= 60
FUZZ_CC      ?= clang
FUZZERS       = $(basename $(notdir $(wildcard fuzz/*_fuzz.c)))

.PHONY: all lua-links test-only print-libs-% deps test demo check check-asan check-valgrind bench fuzz \
        install rock-install lint clean help

all: $(SHARED_OBJS) lua-links

help:
	@echo "make deps     install the Debian packages pystd needs"
	@echo "make all      build the C modules into ./pystd"
	@echo "make test     deps + build + the whole spec suite"
	@echo "make demo     deps + build + a showcase example"
	@echo "make check    the suite under ASan+UBSan, then under valgrind"
	@echo "make bench    benchmarks beside their peers"
	@echo "make fuzz     libFuzzer harnesses, FUZZ_SECONDS each (default 60)"
	@echo "make install  luarocks make (TREE=dir for a private tree)"
	@echo "make lint     luacheck and cppcheck"

define module_rule
$(DEST)/$(1).so: $(call module_sources,$(1)) $(wildcard csrc/*.h csrc/$(1)/*.h)
	@mkdir -p $(DEST)
	$$(CC) $$(ALL_CFLAGS) $$(LIBFLAG) -o $$@ $(call module_sources,$(1)) $$(LIBS_$(1))
endef
$(foreach m,$(MODULES),$(eval $(call module_rule,$(m))))

$(OUT)/spec/%.so: spec/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LIBFLAG) -o $@ $<

# Pure-Lua modules are linked, not copied, so edits need no rebuild.
lua-links:
	@mkdir -p $(DEST)
	@for f in $(LUA_SOURCES); do \
	  ln -sfn "$(abspath .)/$$f" "$(DEST)/$$(basename $$f)"; done

deps:
	@missing=""; for p in $(DEB_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" \
	    || missing="$$missing $$p"; done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then \
	  echo "installing:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	    apt-get install -y -qq --no-install-recommends $$missing >/dev/null \
	    || exit 1; \
	else \
	  echo "missing packages; run:"; \
	  echo "  sudo apt-get install$$missing"; exit 1; \
	fi

test: deps all $(SPEC_LIBS)
	$(SPEC_ENV) $(LUA) $(BUSTED) $(SPECS)

demo: deps all
	$(LUA) examples/demo.lua

check: check-asan check-valgrind

check-asan: deps
	$(MAKE) all OUT=build/asan CFLAGS="-O1 -g $(SANITIZE)" \
	  LIBFLAG="-shared $(SANITIZE)"
	$(MAKE) --no-print-directory test-only OUT=build/asan \
	  RUNNER="env PYSTD_INSTRUMENTED=asan LD_PRELOAD='$(ASAN_LIB) $(UBSAN_LIB)' \
	  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  LSAN_OPTIONS=suppressions=$(abspath spec/lsan.supp) \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1"

check-valgrind: deps
	$(MAKE) all OUT=build/debug CFLAGS="-O0 -g"
	$(MAKE) --no-print-directory test-only OUT=build/debug \
	  RUNNER="env PYSTD_INSTRUMENTED=valgrind valgrind -q --error-exitcode=99 --leak-check=full \
	  --errors-for-leak-kinds=definite --trace-children=no \
	  --suppressions=$(abspath spec/valgrind.supp)"

test-only: $(SPEC_LIBS)
	$(SPEC_ENV) $(RUNNER) $(LUA) $(BUSTED) $(SPECS)

bench: deps all
	@for b in bench/*.lua; do \
	  case $$b in bench/lib.lua|bench/corpus.lua) continue;; esac; \
	  echo "== $$b"; $(LUA) $$b || exit 1; done

fuzz:
	@$(MAKE) --no-print-directory deps DEB_PACKAGES="clang libclang-rt-14-dev liblua5.4-dev"
	@mkdir -p build/fuzz
	@for f in $(FUZZERS); do \
	  m=$${f%_fuzz}; \
	  $(FUZZ_CC) -g -O1 -fsanitize=fuzzer,address,undefined $(WARNINGS) \
	    -I$(LUA_INCDIR) -Icsrc -o build/fuzz/$$f fuzz/$$f.c \
	    $$(ls csrc/$$m.c csrc/$$m/*.c 2>/dev/null) csrc/pystd.c \
	    -llua5.4 $$(make -s --no-print-directory print-libs-$$m) || exit 1; \
	  mkdir -p build/fuzz/corpus-$$f; \
	  ./build/fuzz/$$f -max_total_time=$(FUZZ_SECONDS) -timeout=10 \
	    -rss_limit_mb=2048 build/fuzz/corpus-$$f $$( [ -d fuzz/seeds/$$m ] \
	    && echo fuzz/seeds/$$m) || exit 1; done

print-libs-%:
	@echo $(LIBS_$*)

# `make install` installs the rock; luarocks itself calls rock-install.
install: deps
	luarocks --lua-version=5.4 $(if $(TREE),--tree=$(TREE)) make \
	  --deps-mode=none pystd-scm-1.rockspec

rock-install: all
	mkdir -p $(INST_LIBDIR)/pystd $(INST_LUADIR)/pystd
	cp $(SHARED_OBJS) $(INST_LIBDIR)/pystd/
	cp -r $(LUA_SOURCES) $(INST_LUADIR)/pystd/

lint:
	luacheck --no-color lua spec examples bench fuzz/api_fuzz.lua fuzz/re_diff/run.lua
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability \
	  --std=c11 -I csrc csrc fuzz spec

clean:
	rm -rf pystd build
