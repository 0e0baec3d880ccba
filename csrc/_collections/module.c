/*
** module.c -- the function table of pystd._collections, the C core that
** lua/pystd/collections.lua builds on.
*/

#include "collections.h"


static const luaL_Reg collections_funcs[] = {
  {"deque", col_deque_new},
  {"isdeque", col_deque_is},
  {"repr", col_repr},
  {"order", col_order_new},
  {"newindex", col_order_newindex},
  {"iterate", col_order_iterate},
  {"len", col_order_len},
  {"popitem", col_order_popitem},
  {"move_to_end", col_order_move_to_end},
  {"count", col_order_count},
  {"most_common", col_order_most_common},
  {NULL, NULL}
};


int luaopen_pystd__collections (lua_State *L) {
  col_open_repr(L);
  col_open_deque(L);
  col_open_order(L);
  luaL_newlib(L, collections_funcs);
  return 1;
}
