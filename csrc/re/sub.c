/*
** sub.c -- pystd.re operations that walk every match: replacement
** templates, sub/subn, split, findall, finditer.  All follow CPython
** 3.7+'s rule for empty matches: after an empty match the next match may
** start at the same place only if it is not empty.
*/

#include <stdarg.h>
#include <string.h>

#include "re.h"

/* one piece of a parsed template */
typedef struct TItem {
  int group;         /* group to copy, or -1 for literal text */
  size_t off, len;   /* the literal: text[off .. off + len) */
} TItem;

/* a parsed template (userdata): items, then the literal text */
typedef struct Template {
  int nitems;
  char *text;        /* literal bytes, after `items` in the same block */
  TItem items[1];
} Template;


/* {====================================================== Templates */

/* luaL_addlstring, copying in place when the buffer has room */
static void add_bytes (luaL_Buffer *b, const char *s, size_t n) {
  if (b->size - b->n >= n) {
    memcpy(b->b + b->n, s, n);
    b->n += n;
  }
  else luaL_addlstring(b, s, n);
}


/*
** CPython's template tokenizer reads one token ahead, so a lone backslash
** ending the template is reported instead of an error found when parsing
** stood just before it (`stop`, the next offset to read, is len - 1) or
** found by scanning to the end (`stop` is len).
*/
static void check_trailing_backslash (lua_State *L, int tidx, size_t stop) {
  size_t len, n = 0;
  const char *s = lua_tolstring(L, tidx, &len);
  while (n < len && s[len - 1 - n] == '\\') n++;
  if (n % 2 == 1 && stop + 1 >= len)
    pyre_raiseerror(L, tidx, "bad escape (end of pattern)", len - 1);
}


/* Raise re.error at `pos` for the template at `tidx` (see above). */
static int template_error (lua_State *L, int tidx, size_t stop, size_t pos,
                           const char *fmt, ...) {
  va_list ap;
  const char *msg;
  check_trailing_backslash(L, tidx, stop);
  va_start(ap, fmt);
  msg = lua_pushvfstring(L, fmt, ap);
  va_end(ap);
  return pyre_raiseerror(L, tidx, msg, pos);
}


/*
** Append `n` literal bytes to t, merging with a literal item before them
** (the last item, when a literal, always ends at *used).
*/
static void add_text (Template *t, size_t *used, const char *s, size_t n) {
  TItem *last = t->nitems ? &t->items[t->nitems - 1] : NULL;
  memcpy(t->text + *used, s, n);
  if (last && last->group < 0)
    last->len += n;
  else {
    TItem *it = &t->items[t->nitems++];
    it->group = -1;
    it->off = *used;
    it->len = n;
  }
  *used += n;
}


/* Append code point c < 256 (UTF-8 encoded unless `bytes`). */
static void add_code (Template *t, size_t *used, unsigned c, int bytes) {
  char buf[4];
  size_t n = 1;
  if (bytes) buf[0] = (char)c;
  else n = pyre_utf8encode(c, buf);
  add_text(t, used, buf, n);
}


/*
** Append a reference to group g, raising re.error (at pos) if beyond p;
** `stop` is the offset after the reference.
*/
static void add_group (lua_State *L, int tidx, RePattern *p, Template *t,
                       lua_Integer g, size_t stop, size_t pos) {
  if (g > p->groups)
    template_error(L, tidx, stop, pos, "invalid group reference %d", (int)g);
  t->items[t->nitems].group = (int)g;
  t->items[t->nitems].off = t->items[t->nitems].len = 0;
  t->nitems++;
}


/* \g<name> with s[i] just after the 'g'; returns the offset after it. */
static size_t parse_named (lua_State *L, int pidx, int tidx, Template *t,
                           const char *s, size_t len, size_t i) {
  RePattern *p = pyre_topattern(L, pidx);
  size_t n, k, end;
  lua_Integer g = 0;
  int digits = 1;
  if (i >= len || s[i] != '<') template_error(L, tidx, i, i, "missing <");
  i++;
  for (end = i; end < len && s[end] != '>'; )  /* '\\>' is one token */
    end += (s[end] == '\\' && end + 1 < len) ? 2 : 1;
  if (end >= len) {
    check_trailing_backslash(L, tidx, len);
    if (i == len) template_error(L, tidx, i, i, "missing group name");
    template_error(L, tidx, i, i, "missing >, unterminated name");
  }
  n = end - i;
  if (n == 0) template_error(L, tidx, end + 1, i, "missing group name");
  for (k = 0; k < n; k++) {
    if (s[i + k] < '0' || s[i + k] > '9') { digits = 0; break; }
    if (g < 1000000000) g = g * 10 + (s[i + k] - '0');
  }
  if (digits && g >= 1000000000) {  /* past counting: CPython prints it */
    size_t z = i;
    while (s[z] == '0') z++;
    template_error(L, tidx, end + 1, i, "invalid group reference %s",
                   lua_pushlstring(L, s + z, end - z));
  }
  if (!digits) {
    int isint;
    if (!pyre_isidentifier(s + i, n, !(p->flags & RE_BYTES))) {
      pystd_pushstrrepr(L, s + i, n);
      template_error(L, tidx, end + 1, i, "bad character in group name %s",
                     lua_tostring(L, -1));
    }
    pyre_pushgroupindex(L, pidx);
    lua_pushlstring(L, s + i, n);
    lua_rawget(L, -2);
    g = lua_tointegerx(L, -1, &isint);
    lua_pop(L, 2);
    if (!isint) {
      check_trailing_backslash(L, tidx, end + 1);
      pystd_pushstrrepr(L, s + i, n);
      pystd_raise(L, "IndexError", "unknown group name %s",
                  lua_tostring(L, -1));
    }
  }
  add_group(L, tidx, p, t, g, end + 1, i);
  return end + 1;
}


/*
** Parse the template string at `tidx` for the Pattern at `pidx`;
** pushes the Template userdata.
*/
static Template *parse_template (lua_State *L, int pidx, int tidx) {
  RePattern *p = pyre_topattern(L, pidx);
  int bytes = (p->flags & RE_BYTES) != 0;
  size_t len, used = 0, i = 0;
  const char *s = lua_tolstring(L, tidx, &len);
  size_t cap = len + 1;  /* items: never more than source bytes + 1 */
  Template *t = (Template *)lua_newuserdatauv(L, sizeof(Template) +
                   cap * sizeof(TItem) + len, 0);
  t->nitems = 0;
  t->text = (char *)(t->items + cap);
  while (i < len) {
    size_t at = i;
    const char *bs = memchr(s + i, '\\', len - i);
    size_t plain = bs ? (size_t)(bs - (s + i)) : len - i;
    char c;
    if (plain > 0) {
      add_text(t, &used, s + i, plain);
      i += plain;
      continue;
    }
    if (++i >= len)
      template_error(L, tidx, i, at, "bad escape (end of pattern)");
    c = s[i++];
    switch (c) {
      case 'g': i = parse_named(L, pidx, tidx, t, s, len, i); break;
      case 'a': add_code(t, &used, 7, 1); break;
      case 'b': add_code(t, &used, 8, 1); break;
      case 'f': add_code(t, &used, 12, 1); break;
      case 'n': add_code(t, &used, 10, 1); break;
      case 'r': add_code(t, &used, 13, 1); break;
      case 't': add_code(t, &used, 9, 1); break;
      case 'v': add_code(t, &used, 11, 1); break;
      case '\\': add_code(t, &used, '\\', 1); break;
      case '0': {
        unsigned v = 0;
        for (int k = 0; k < 2 && i < len && s[i] >= '0' && s[i] <= '7'; k++)
          v = v * 8 + (unsigned)(s[i++] - '0');
        add_code(t, &used, v, bytes);
        break;
      }
      default:
        if (c >= '1' && c <= '9') {
          unsigned v = (unsigned)(c - '0');
          if (i < len && s[i] >= '0' && s[i] <= '9') {
            char d = s[i++];
            if (c <= '7' && d <= '7' && i < len && s[i] >= '0' && s[i] <= '7') {
              v = v * 64 + (unsigned)(d - '0') * 8 + (unsigned)(s[i++] - '0');
              if (v > 0377)
                template_error(L, tidx, i, at, "octal escape value %s "
                               "outside of range 0-0o377",
                               lua_pushlstring(L, s + at, i - at));
              add_code(t, &used, v, bytes);
              break;
            }
            v = v * 10 + (unsigned)(d - '0');
          }
          add_group(L, tidx, p, t, v, i, at + 1);
        }
        else if ((c | 32) >= 'a' && (c | 32) <= 'z')
          template_error(L, tidx, i, at, "bad escape \\%c", c);
        else add_text(t, &used, s + at, 2);
    }
  }
  return t;
}


/*
** Push the parsed form of the template string at `tidx` for the
** Pattern at `pidx`, using the Pattern's one-entry template cache
** (slot 1: the template string, slot 2: its parsed form).
*/
const void *pyre_pushtemplate (lua_State *L, int pidx, int tidx) {
  Template *t;
  tidx = lua_absindex(L, tidx);
  pyre_pushtemplates(L, pidx);
  lua_rawgeti(L, -1, 1);
  if (lua_rawequal(L, -1, tidx)) {
    lua_rawgeti(L, -2, 2);
    lua_replace(L, -3);
    lua_pop(L, 1);
    return lua_touserdata(L, -1);
  }
  lua_pop(L, 1);
  t = parse_template(L, pidx, tidx);
  lua_pushvalue(L, tidx);
  lua_rawseti(L, -3, 1);
  lua_pushvalue(L, -1);
  lua_rawseti(L, -3, 2);
  lua_remove(L, -2);
  return t;
}


/*
** Add template `tpl` expanded with subject `s` and offsets `ov` to b (if
** not NULL); returns the length of the expansion.
*/
size_t pyre_expand (const void *tpl, const char *s, const PCRE2_SIZE *ov,
                    luaL_Buffer *b) {
  const Template *t = (const Template *)tpl;
  size_t total = 0;
  for (int k = 0; k < t->nitems; k++) {
    const TItem *it = &t->items[k];
    const char *from = t->text + it->off;
    size_t n = it->len;
    if (it->group >= 0) {
      if (ov[2 * it->group] == PCRE2_UNSET) continue;
      from = s + ov[2 * it->group];
      n = ov[2 * it->group + 1] - ov[2 * it->group];
    }
    total += n;
    if (b) add_bytes(b, from, n);
  }
  return total;
}

/* }====================================================== */


/* {====================================================== sub and subn */

/* how sub finds each replacement */
enum repl_kind {
  REPL_LITERAL,   /* a string without backslashes */
  REPL_TEMPLATE,  /* a parsed template */
  REPL_FUNCTION,  /* called with the Match */
  REPL_TABLE      /* indexed with the whole match */
};


/*
** Add the value on the stack top to b as string.gsub does: false or nil
** keeps the matched text s[ms .. me).
*/
static void add_replacement (lua_State *L, luaL_Buffer *b, const char *s,
                             size_t ms, size_t me) {
  if (!lua_toboolean(L, -1)) {
    lua_pop(L, 1);
    luaL_addlstring(b, s + ms, me - ms);
  }
  else if (!lua_isstring(L, -1))
    pystd_raise(L, "TypeError", "invalid replacement value (a %s)",
                luaL_typename(L, -1));
  else
    luaL_addvalue(b);
}


/*
** sub/subn of the Pattern at `pidx` with repl at `replidx` over the
** string at `sidx`, at most `count` times (0: all); pushes the new
** string and the number of substitutions.
*/
int pyre_subimpl (lua_State *L, int pidx, int replidx, int sidx,
                lua_Integer count) {
  RePattern *p = pyre_topattern(L, pidx);
  size_t len, rlen = 0, pos = 0, last = 0;
  const char *s = lua_tolstring(L, sidx, &len);
  const char *rs = NULL;
  const void *tpl = NULL;
  enum repl_kind kind;
  uint32_t opts = 0;
  lua_Integer n = 0;
  int which;
  ReFound f;
  luaL_Buffer b;
  switch (lua_type(L, replidx)) {
    case LUA_TSTRING: case LUA_TNUMBER:
      rs = lua_tolstring(L, replidx, &rlen);
      kind = memchr(rs, '\\', rlen) ? REPL_TEMPLATE : REPL_LITERAL;
      if (kind == REPL_TEMPLATE) tpl = pyre_pushtemplate(L, pidx, replidx);
      break;
    case LUA_TFUNCTION: kind = REPL_FUNCTION; break;
    case LUA_TTABLE: kind = REPL_TABLE; break;
    default:
      return luaL_typeerror(L, replidx, "string, function or table");
  }
  which = RE_CODE(RE_SEARCH,
                  pyre_checksubject(L, p, pidx, sidx, s, len, 0, len));
  if (count < 0 || !pyre_execfast(L, p, which, s, len, 0, 0)) {
    lua_pushvalue(L, sidx);  /* a negative count (CPython: replaces nothing)
                                or no match: the subject itself */
    lua_pushinteger(L, 0);
    return 2;
  }
  f = pyre_found(p, which, s, len, 0, 0);
  luaL_buffinitsize(L, &b, len);
  for (;;) {
    const PCRE2_SIZE *ov = pyre_offsets(L, p, &f);
    size_t ms = ov[0], me = ov[1];
    if (kind == REPL_TEMPLATE)  /* the room first: expanding allocates not */
      luaL_prepbuffsize(&b, ms - last + pyre_expand(tpl, s, ov, NULL));
    add_bytes(&b, s + last, ms - last);
    switch (kind) {
      case REPL_LITERAL: add_bytes(&b, rs, rlen); break;
      case REPL_TEMPLATE:
        pyre_expand(tpl, s, pyre_offsets(L, p, &f), &b);
        break;
      case REPL_FUNCTION:
        lua_pushvalue(L, replidx);
        pyre_newmatch(L, pidx, sidx, p, &f, len, 0, len);
        lua_call(L, 1, 1);
        add_replacement(L, &b, s, ms, me);
        break;
      case REPL_TABLE:
        lua_pushlstring(L, s + ms, me - ms);
        lua_gettable(L, replidx);
        add_replacement(L, &b, s, ms, me);
        break;
    }
    n++;
    last = pos = me;
    opts = (ms == me) ? PCRE2_NOTEMPTY_ATSTART : 0;
    if ((count != 0 && n >= count) ||
        !pyre_execfast(L, p, which, s, len, pos, opts))
      break;
    f = pyre_found(p, which, s, len, pos, opts);
  }
  add_bytes(&b, s + last, len - last);
  luaL_pushresult(&b);
  lua_pushinteger(L, n);
  return 2;
}

/* }====================================================== */


/* {====================================================== split, findall */

/* Push group g of the offsets `ov` over s, or `unset` if unmatched. */
static void push_span (lua_State *L, const char *s, const PCRE2_SIZE *ov,
                       int g, int unset_false) {
  if (ov[2 * g] != PCRE2_UNSET)
    lua_pushlstring(L, s + ov[2 * g], ov[2 * g + 1] - ov[2 * g]);
  else if (unset_false) lua_pushboolean(L, 0);
  else lua_pushliteral(L, "");
}


/*
** split of the string at `sidx` by the Pattern at `pidx`, at most
** `maxsplit` times (0: all, negative: none); pushes the array.
*/
int pyre_splitimpl (lua_State *L, int pidx, int sidx, lua_Integer maxsplit) {
  RePattern *p = pyre_topattern(L, pidx);
  size_t len, pos = 0;
  const char *s = lua_tolstring(L, sidx, &len);
  uint32_t opts = 0;
  lua_Integer n = 0, k = 0;
  int which = RE_CODE(RE_SEARCH,
                      pyre_checksubject(L, p, pidx, sidx, s, len, 0, len));
  lua_newtable(L);
  while (maxsplit == 0 || n < maxsplit) {  /* n < a negative one: none */
    ReFound f;
    const PCRE2_SIZE *ov;
    if (!pyre_execfast(L, p, which, s, len, pos, opts)) break;
    f = pyre_found(p, which, s, len, pos, opts);
    lua_pushlstring(L, s + pos, p->ov[0] - pos);
    lua_rawseti(L, -2, ++k);
    for (int g = 1; g <= p->groups; g++) {
      push_span(L, s, pyre_offsets(L, p, &f), g, 1);
      lua_rawseti(L, -2, ++k);
    }
    n++;
    ov = pyre_offsets(L, p, &f);
    pos = ov[1];
    opts = (ov[0] == ov[1]) ? PCRE2_NOTEMPTY_ATSTART : 0;
  }
  lua_pushlstring(L, s + pos, len - pos);
  lua_rawseti(L, -2, ++k);
  return 1;
}


/* findall over the window [pos, endpos): pushes the array. */
int pyre_findallimpl (lua_State *L, int pidx, int sidx, size_t pos,
                    size_t endpos) {
  RePattern *p = pyre_topattern(L, pidx);
  size_t len;
  const char *s = lua_tolstring(L, sidx, &len);
  uint32_t opts = 0;
  lua_Integer k = 0;
  int which;
  lua_newtable(L);
  if (pos > endpos) return 1;
  which = RE_CODE(RE_SEARCH,
                  pyre_checksubject(L, p, pidx, sidx, s, len, pos, endpos));
  for (;;) {
    ReFound f;
    const PCRE2_SIZE *ov;
    if (!pyre_execfast(L, p, which, s, endpos, pos, opts)) break;
    f = pyre_found(p, which, s, endpos, pos, opts);
    if (p->groups <= 1) push_span(L, s, p->ov, p->groups, 0);
    else {
      lua_createtable(L, p->groups, 0);
      for (int g = 1; g <= p->groups; g++) {
        push_span(L, s, pyre_offsets(L, p, &f), g, 0);
        lua_rawseti(L, -2, g);
      }
    }
    lua_rawseti(L, -2, ++k);
    ov = pyre_offsets(L, p, &f);
    pos = ov[1];
    opts = (ov[0] == ov[1]) ? PCRE2_NOTEMPTY_ATSTART : 0;
  }
  return 1;
}

/* }====================================================== */


/* {====================================================== finditer */

/* where a finditer iterator stands */
typedef struct FindIter {
  RePattern *p;       /* upvalue 1's */
  const char *s;      /* upvalue 2's bytes ... */
  size_t len;         /* ... and length */
  size_t start, end;  /* the window, for Match.pos/endpos */
  size_t pos;         /* next search offset */
  uint32_t opts;      /* PCRE2_NOTEMPTY_ATSTART after an empty match */
  int which;          /* the code to run (see RE_CODE) */
  int done;
} FindIter;


/* the iterator: upvalues Pattern, subject, FindIter */
static int finditer_next (lua_State *L) {
  FindIter *it = (FindIter *)lua_touserdata(L, lua_upvalueindex(3));
  RePattern *p = it->p;
  ReFound f;
  ReMatch *m;
  if (it->done) return 0;
  if (!pyre_execfast(L, p, it->which, it->s, it->end, it->pos, it->opts)) {
    it->done = 1;
    return 0;
  }
  f = pyre_found(p, it->which, it->s, it->end, it->pos, it->opts);
  m = pyre_newmatch(L, lua_upvalueindex(1), lua_upvalueindex(2), p, &f,
                    it->len, it->start, it->end);
  it->pos = m->ov[1];  /* once the Match is made: a memory error loses none */
  it->opts = (m->ov[0] == m->ov[1]) ? PCRE2_NOTEMPTY_ATSTART : 0;
  return 1;
}


/* finditer over the window [pos, endpos): pushes the iterator. */
int pyre_finditerimpl (lua_State *L, int pidx, int sidx, size_t pos,
                     size_t endpos) {
  RePattern *p = pyre_topattern(L, pidx);
  size_t len;
  const char *s = lua_tolstring(L, sidx, &len);
  FindIter *it;
  int plain = (pos <= endpos)
              ? pyre_checksubject(L, p, pidx, sidx, s, len, pos, endpos) : 0;
  lua_pushvalue(L, pidx);
  lua_pushvalue(L, sidx);
  it = (FindIter *)lua_newuserdatauv(L, sizeof(FindIter), 0);
  it->p = p;
  it->s = s;
  it->len = len;
  it->start = it->pos = pos;
  it->end = endpos;
  it->opts = 0;
  it->which = RE_CODE(RE_SEARCH, plain);
  it->done = pos > endpos;
  lua_pushcclosure(L, finditer_next, 3);
  return 1;
}

/* }====================================================== */
