rockspec_format = "3.0"
package = "pystd"
version = "scm-1"

source = {
  url = "git+file:///dev/null",  -- built from a checkout with `luarocks make`
}

description = {
  summary = "Python's standard library batteries for Lua 5.4, in C",
  detailed = [[
pystd gives Lua 5.4 what Python programmers rely on: regular expressions on
PCRE2 (pystd.re), deque/Counter/defaultdict/OrderedDict (pystd.collections),
and an asyncio-style event loop on libuv (pystd.asyncio). datetime with IANA
zones and arbitrary-precision decimal are not built yet.
]],
  license = "MIT",
}

dependencies = {
  "lua >= 5.4, < 5.5",
  "luv",
}

external_dependencies = {
  PCRE2 = { header = "pcre2.h" },
  LIBUV = { header = "uv.h" },
}

build = {
  type = "make",
  build_target = "all",
  install_target = "rock-install",
  build_variables = {
    CFLAGS = "$(CFLAGS)",
    LIBFLAG = "$(LIBFLAG)",
    LUA_INCDIR = "$(LUA_INCDIR)",
    LUA = "$(LUA)",
  },
  install_variables = {
    INST_LIBDIR = "$(LIBDIR)",
    INST_LUADIR = "$(LUADIR)",
  },
  copy_directories = { "docs" },
}
