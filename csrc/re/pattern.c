/*
** pattern.c -- pystd.re: module state, compiling, Pattern objects, the
** module-level cache, the module functions and luaopen_pystd_re.
*/

#include <stdlib.h>
#include <string.h>

#if defined(__SSE2__) && defined(__GNUC__)
#define RE_SSE2_FIND  1
#endif

#include "re.h"

#if !defined(RE_MAXCACHE)
#define RE_MAXCACHE  512        /* module cache entries before a purge */
#endif

#if !defined(RE_MATCH_LIMIT)
#define RE_MATCH_LIMIT  10000000u  /* default backtracking budget */
#endif

#define RE_JITSTACK_MIN  (32 * 1024)
#define RE_JITSTACK_MAX  (1024 * 1024)

/* user values of a Pattern (a userdata holding a RePattern pointer) */
enum {
  PAT_CODE = 1,     /* the code box: the RePattern itself */
  PAT_STATE,        /* the ReState userdata, kept alive */
  PAT_SOURCE,       /* the Python pattern string */
  PAT_GROUPINDEX,   /* name -> number */
  PAT_GROUPNAMES,   /* number -> name */
  PAT_TEMPLATES,    /* {template, parsed}: the last one sub parsed */
  PAT_MATCHMETA,    /* the metatable of its Matches (match.c) */
  PAT_NUSERVALUES = PAT_MATCHMETA
};

/*
** Each Pattern has its own metatable, whose __index is a table of the
** Pattern's fields (immutable) and its methods: a field or method lookup
** is one table lookup and never calls C.  So the type shows in the block
** itself: the address of the key below is its tag (see PatternRef); in
** the registry, the key holds the shared {__index = methods} table.
*/
static const char pattern_key = 'P';

/* upvalues of the module functions */
#define UP_STATE   lua_upvalueindex(1)
#define UP_CACHE0  lua_upvalueindex(2)  /* pattern -> Pattern, flags 0 */
#define UP_CACHEF  lua_upvalueindex(3)  /* flags -> {pattern -> Pattern} */


/* {====================================================== Module state */

/*
** Free the PCRE2 contexts and the JIT stack of a ReState, which is closed
** from then on: as Lua closes, a finalizer that runs after this one gets
** an error when it compiles.
*/
static int state_gc (lua_State *L) {
  ReState *st = (ReState *)lua_touserdata(L, 1);
  st->closed = 1;
  pcre2_match_context_free(st->mcontext);
  pcre2_match_context_free(st->lcontext);
  pcre2_compile_context_free(st->ccontext);
  pcre2_jit_stack_free(st->jitstack);
  st->mcontext = NULL;
  st->lcontext = NULL;
  st->ccontext = NULL;
  st->jitstack = NULL;
  return 0;
}


static int ascii_lower (int c) {
  return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}


/*
** The callout (?C{g}) the translator puts before a back reference to
** group g that folds ASCII case only: 0 (go on) when the text at the
** current position is group g's text but for the case of ASCII letters.
*/
static int backref_callout (pcre2_callout_block *cb, void *ud) {
  const PCRE2_SIZE *ov = cb->offset_vector;
  PCRE2_SPTR s = cb->subject;
  PCRE2_SIZE at = cb->current_position, len;
  uint32_t g = 0;
  (void)ud;
  for (PCRE2_SIZE k = 0; k < cb->callout_string_length; k++)
    g = g * 10 + (uint32_t)(cb->callout_string[k] - '0');
  if (g >= cb->capture_top || ov[2 * g] == PCRE2_UNSET) return 1;
  len = ov[2 * g + 1] - ov[2 * g];
  if (len > cb->subject_length - at) return 1;
  for (PCRE2_SIZE k = 0; k < len; k++)
    if (ascii_lower(s[ov[2 * g] + k]) != ascii_lower(s[at + k])) return 1;
  return 0;
}


/*
** Push a new ReState: LF newlines, the match limit, a JIT stack, the
** callout of ASCII-folding back references.
*/
static ReState *new_state (lua_State *L) {
  ReState *st = (ReState *)lua_newuserdatauv(L, sizeof(ReState), 0);
  memset(st, 0, sizeof(*st));
  pystd_setgcclass(L, RE_STATE_META, state_gc);
  st->ccontext = pcre2_compile_context_create(NULL);
  st->mcontext = pcre2_match_context_create(NULL);
  st->jitstack = pcre2_jit_stack_create(RE_JITSTACK_MIN, RE_JITSTACK_MAX,
                                        NULL);
  if (!st->ccontext || !st->mcontext)
    luaL_error(L, "pystd.re: out of memory");
  pcre2_set_newline(st->ccontext, PCRE2_NEWLINE_LF);
  pcre2_set_callout(st->mcontext, backref_callout, NULL);
  st->match_limit = RE_MATCH_LIMIT;
  pcre2_set_match_limit(st->mcontext, st->match_limit);
  if (st->jitstack)  /* else JIT uses its small machine stack */
    pcre2_jit_stack_assign(st->mcontext, NULL, st->jitstack);
  st->lcontext = pcre2_match_context_copy(st->mcontext);
  if (!st->lcontext)
    luaL_error(L, "pystd.re: out of memory");
  return st;
}

/* }====================================================== */


/* {====================================================== Compiling */

/* Raise re.error {msg, pattern, pos} for the pattern at `sidx`. */
int pyre_raiseerror (lua_State *L, int sidx, const char *msg,
                          size_t pos) {
  size_t len, lineno = 1, linestart = 0;
  const char *pat = lua_tolstring(L, sidx, &len);
  for (size_t k = 0; k < pos && k < len; k++)
    if (pat[k] == '\n') {
      lineno++;
      linestart = k + 1;
    }
  if (memchr(pat, '\n', len))
    pystd_newerror(L, "re.error", "%s at position %I (line %I, column %I)",
                   msg, (lua_Integer)pos + 1, (lua_Integer)lineno,
                   (lua_Integer)(pos - linestart) + 1);
  else
    pystd_newerror(L, "re.error", "%s at position %I", msg,
                   (lua_Integer)pos + 1);
  lua_pushinteger(L, (lua_Integer)lineno);
  lua_setfield(L, -2, "lineno");
  lua_pushinteger(L, (lua_Integer)(pos - linestart) + 1);
  lua_setfield(L, -2, "colno");
  lua_pushstring(L, msg);
  lua_setfield(L, -2, "msg");
  lua_pushvalue(L, sidx);
  lua_setfield(L, -2, "pattern");
  lua_pushinteger(L, (lua_Integer)pos + 1);
  lua_setfield(L, -2, "pos");
  return lua_error(L);
}


/*
** CPython's wording for a PCRE2 compile error, or PCRE2's own.  (A repeat
** count past PCRE2's bound never reaches PCRE2: the translator refuses it.)
*/
static void pcre2_message (int code, char *buf, size_t size) {
  if (code == PCRE2_ERROR_LOOKBEHIND_NOT_FIXED_LENGTH)
    strcpy(buf, "look-behind requires fixed-width pattern");
  else if (pcre2_get_error_message(code, (PCRE2_UCHAR *)buf, size) < 0)
    strcpy(buf, "invalid pattern");
}


/*
** Are the first and the last code units PCRE2 records for `code` the
** same (or, to be safe, the same but for bit 0x20)?  PCRE2 10.42 may take
** the first one from a lookahead at the start, and then looks for the
** last one only after the first character: `(?=a)a*a` fails on "a".
*/
static int first_is_last (const pcre2_code *code) {
  uint32_t ftype, ltype, first, last;
  pcre2_pattern_info(code, PCRE2_INFO_FIRSTCODETYPE, &ftype);
  pcre2_pattern_info(code, PCRE2_INFO_LASTCODETYPE, &ltype);
  if (ftype != 1 || ltype != 1) return 0;
  pcre2_pattern_info(code, PCRE2_INFO_FIRSTCODEUNIT, &first);
  pcre2_pattern_info(code, PCRE2_INFO_LASTCODEUNIT, &last);
  return (first | 0x20) == (last | 0x20);
}


/*
** Compile the translation of `p` as code `which`, adding JIT code.  A
** pattern with a lookahead that meets PCRE2's bug (see first_is_last)
** is compiled, from then on, without the start-up optimizations.
*/
static pcre2_code *compile_code (RePattern *p, int which, int *errcode,
                                 PCRE2_SIZE *erroff) {
  uint32_t options = p->options;
  pcre2_code *code;
  if (which % 2)  /* the plain variant */
    options &= ~(uint32_t)(PCRE2_UTF | PCRE2_UCP | PCRE2_NO_UTF_CHECK);
  if (which / 2 != RE_SEARCH) options |= PCRE2_ANCHORED;
  if (which / 2 == RE_FULLMATCH) options |= PCRE2_ENDANCHORED;
  if (pyre_scansfirst(p, which) && p->infixlen)
    options |= PCRE2_USE_OFFSET_LIMIT;
  code = pcre2_compile((PCRE2_SPTR)p->xlat, p->xlatlen, options, errcode,
                       erroff, p->st->ccontext);
  if (code && p->lookahead && !(options & PCRE2_NO_START_OPTIMIZE) &&
      first_is_last(code)) {
    pcre2_code_free(code);
    p->options |= PCRE2_NO_START_OPTIMIZE;
    return compile_code(p, which, errcode, erroff);
  }
  if (code) {
    p->jitted[which] = (pcre2_jit_compile(code, PCRE2_JIT_COMPLETE) == 0);
    p->code[which] = code;
  }
  return code;
}


/*
** Whether a PCRE2 pattern compiled with `options` matches exactly the
** text xlat[0..n): no metacharacter, no caseless matching, not empty.
** A literal found (find_literal) in valid UTF-8 starts on a character
** boundary, so it serves the UTF and the plain codes alike.
*/
static int is_literal (const char *xlat, size_t n, uint32_t options) {
  if (n == 0 || (options & (PCRE2_CASELESS | PCRE2_EXTENDED |
                            PCRE2_EXTENDED_MORE)))
    return 0;
  for (size_t k = 0; k < n; k++)
    if (strchr("\\^$.|?*+()[]{}", xlat[k]))  /* '\0' too */
      return 0;
  return 1;
}


/*
** The literal every match of the PCRE2 pattern xlat[0..n) starts with,
** when it has one of two bytes or more: after leading \b, the plain text
** up to the first metacharacter, less a last character that a quantifier
** follows.  Sets *off and returns its length (0: none).  A pattern with
** '|' anywhere, caseless or extended has none (sure, if sometimes too
** careful).  (The translator writes Python's \B as \B(?!\A\z), never
** alone, so only \b can lead.)
*/
static size_t required_prefix (const char *xlat, size_t n, uint32_t options,
                               size_t *off) {
  size_t k = 0, start;
  if ((options & (PCRE2_CASELESS | PCRE2_EXTENDED | PCRE2_EXTENDED_MORE)) ||
      memchr(xlat, '|', n))
    return 0;
  while (k + 1 < n && xlat[k] == '\\' && xlat[k + 1] == 'b')
    k += 2;
  start = k;
  while (k < n && !strchr("\\^$.|?*+()[]{}", xlat[k]))  /* '\0' too */
    k++;
  if (k < n && strchr("?*+{", xlat[k])) {  /* the last character repeats */
    while (k > start && ((unsigned char)xlat[k - 1] & 0xC0) == 0x80) k--;
    if (k > start) k--;
  }
  *off = start;
  return (k - start >= 2) ? k - start : 0;
}


/*
** The word class of byte c for \b: 0 (no word), 1 (word), or 2 when only
** PCRE2 knows (a non-ASCII character under Unicode rules).  In valid
** UTF-8 a byte < 0x80 is a whole character; without UCP only ASCII is word.
*/
static inline int word_class (unsigned char c, int ucp) {
  if (c >= 0x80) return ucp ? 2 : 0;
  return ((unsigned)(c | 0x20) - 'a' < 26) | ((unsigned)c - '0' < 10) |
         (c == '_');  /* no branches: the outcomes are unpredictable */
}


/*
** The word classes of a neighbour of the literal byte c (bit 0: no word,
** bit 1: word) that satisfy `nb` \b assertions between them: any when
** there are none, BOUNDARY_UNKNOWN when c is not ASCII.
*/
static int boundary_set (size_t nb, unsigned char c) {
  if (nb == 0) return BOUNDARY_ANY;
  if (c >= 0x80) return BOUNDARY_UNKNOWN;
  return 1 << !word_class(c, 0);
}


/* Is xlat[k..n) only \b? */
static int only_boundaries (const char *xlat, size_t k, size_t n) {
  for (; k + 1 < n; k += 2)
    if (xlat[k] != '\\' || xlat[k + 1] != 'b') return 0;
  return k == n;
}


/* {====================================================== Required infix */

/*
** A literal that every match holds within a bounded distance of its
** start, its "reach", lets a search skip ahead: no match starts before
** the literal's first occurrence less the reach, nor after it, so PCRE2
** is asked only about that window, then about the next occurrence's
** (search_by_infix).  Only the UTF code searches so: with a character of
** one byte, PCRE2's JIT finds such literals at their fixed offsets by
** itself, while in UTF-8 it steps through every character.  The reach is
** found by reading the translation, a regular subset of PCRE2's syntax;
** anything this reader does not know makes it give up.
*/

#define REACH_MAX  4096          /* a longer reach is not worth the skip */
#define UNBOUNDED  ((size_t)-1)  /* the width of x*, x+, x{n,} */

typedef struct Reader {
  const char *x;     /* the translation x[0..n) */
  size_t n, k;       /* its length; the position read */
  size_t cw;         /* bytes one character may take: 4 (UTF-8) or 1 */
  int utf;           /* x is UTF-8 (else a byte is a character) */
  int caseless;
  int failed;        /* met something it does not know */
} Reader;


static int is_ascii_alpha (unsigned c) { return (c | 0x20) - 'a' < 26; }
static int is_ascii_alnum (unsigned c) {
  return is_ascii_alpha(c) || c - '0' < 10;
}


static size_t give_up (Reader *r) {
  r->failed = 1;
  r->k = r->n;
  return UNBOUNDED;
}


/* a + b, or UNBOUNDED when either is or when the sum passes REACH_MAX */
static size_t add_width (size_t a, size_t b) {
  return (a > REACH_MAX || b > REACH_MAX || a + b > REACH_MAX) ? UNBOUNDED
                                                               : a + b;
}


/* Read digits in `base` (10 or 16); a value past REACH_MAX saturates. */
static size_t read_digits (Reader *r, int base) {
  size_t v = 0;
  for (; r->k < r->n; r->k++) {
    int c = (unsigned char)r->x[r->k], d;
    if (c >= '0' && c <= '9') d = c - '0';
    else if (base == 16 && (c | 0x20) >= 'a' && (c | 0x20) <= 'f')
      d = (c | 0x20) - 'a' + 10;
    else break;
    if (v <= 0x10FFFF) v = v * (size_t)base + (size_t)d;
  }
  return v;
}


/* Skip past the `close` that ends the brace or class the reader is in. */
static void skip_past (Reader *r, char close) {
  while (r->k < r->n && r->x[r->k] != close)
    r->k += (r->x[r->k] == '\\') ? 2 : 1;
  if (r->k >= r->n) give_up(r);
  else r->k++;
}


/* Read a class [...], the reader at its '['. */
static size_t read_class (Reader *r) {
  r->k++;
  if (r->k < r->n && r->x[r->k] == '^') r->k++;
  skip_past(r, ']');  /* the translator escapes a leading ']' and '[' */
  return r->cw;
}


/* Append code point c to the literal lit[0..*len) in the reader's encoding. */
static int put_char (Reader *r, size_t c, char *lit, size_t *len) {
  char buf[4];
  size_t n = 0;
  if (c > 0x10FFFF) return 0;
  if (!r->utf || c < 0x80) {
    if (c > 0xFF) return 0;
    buf[n++] = (char)c;
  }
  else if (c < 0x800) {
    buf[n++] = (char)(0xC0 | (c >> 6));
    buf[n++] = (char)(0x80 | (c & 0x3F));
  }
  else if (c < 0x10000) {
    buf[n++] = (char)(0xE0 | (c >> 12));
    buf[n++] = (char)(0x80 | ((c >> 6) & 0x3F));
    buf[n++] = (char)(0x80 | (c & 0x3F));
  }
  else {
    buf[n++] = (char)(0xF0 | (c >> 18));
    buf[n++] = (char)(0x80 | ((c >> 12) & 0x3F));
    buf[n++] = (char)(0x80 | ((c >> 6) & 0x3F));
    buf[n++] = (char)(0x80 | (c & 0x3F));
  }
  memcpy(lit, buf, n);
  *len = n;
  return 1;
}


/*
** Read an escape, the reader at its '\'.  A character that matches only
** itself lands in lit[0..*len) (else *len is 0); returns the width.
*/
static size_t read_escape (Reader *r, char *lit, size_t *len) {
  unsigned char c = (r->k + 1 < r->n) ? (unsigned char)r->x[r->k + 1] : 0;
  r->k += 2;
  if (c != 0 && strchr("bBAzZG", c)) return 0;
  if (c != 0 && strchr("dDwWsShHvVN", c)) return r->cw;
  if (c == 'p' || c == 'P') {
    if (r->k < r->n && r->x[r->k] == '{') skip_past(r, '}');
    else r->k++;
    return r->cw;
  }
  if (c == 'x' && r->k < r->n && r->x[r->k] == '{') {
    size_t cp;
    r->k++;
    cp = read_digits(r, 16);
    if (r->k >= r->n || r->x[r->k] != '}') return give_up(r);
    r->k++;
    if (r->caseless || !put_char(r, cp, lit, len)) *len = 0;
    return r->utf ? r->cw : 1;
  }
  if (c >= 0x20 && c < 0x7F && !is_ascii_alnum(c)) {  /* an escaped sign */
    lit[0] = (char)c;
    *len = 1;
    return 1;
  }
  return give_up(r);  /* back references, \Q...\E, \K, ... */
}


static size_t read_alternatives (Reader *r);


/* Read a group, the reader at its '('; lookarounds take no width. */
static size_t read_group (Reader *r) {
  int lookaround = 0;
  size_t w;
  r->k++;
  if (r->k < r->n && r->x[r->k] == '?') {
    const char *s = r->x + r->k + 1;
    size_t left = r->n - r->k - 1;
    if (left >= 1 && (s[0] == ':' || s[0] == '>')) r->k += 2;
    else if (left >= 1 && (s[0] == '=' || s[0] == '!')) {
      lookaround = 1;
      r->k += 2;
    }
    else if (left >= 2 && s[0] == '<' && (s[1] == '=' || s[1] == '!')) {
      lookaround = 1;
      r->k += 3;
    }
    else return give_up(r);  /* scoped flags, conditionals */
  }
  w = read_alternatives(r);
  if (r->k >= r->n || r->x[r->k] != ')') return give_up(r);
  r->k++;
  return lookaround ? 0 : w;
}


/*
** Read one item, a character or a group, without its quantifier.  A
** character that matches only itself lands in lit[0..*len).
*/
static size_t read_item (Reader *r, char *lit, size_t *len) {
  unsigned char c = (unsigned char)r->x[r->k];
  size_t n = 1;
  *len = 0;
  switch (c) {
    case '\\': return read_escape(r, lit, len);
    case '[': return read_class(r);
    case '(': return read_group(r);
    case '.': r->k++; return r->cw;
    case '^': case '$': r->k++; return 0;
    case '*': case '+': case '?': case '{': case '|': case ')':
      return give_up(r);
  }
  if (r->utf && c >= 0xC0)  /* the length of a UTF-8 sequence */
    n = (c >= 0xF0) ? 4 : (c >= 0xE0) ? 3 : 2;
  if (r->k + n > r->n) return give_up(r);
  if (!(r->caseless && (c >= 0x80 || is_ascii_alpha(c)))) {
    memcpy(lit, r->x + r->k, n);
    *len = n;
  }
  r->k += n;
  return r->caseless ? r->cw : n;
}


/*
** Read the quantifier after an item of width w, if any; returns the
** width of the repeated item.  *once tells there was none.
*/
static size_t read_quantifier (Reader *r, size_t w, int *once) {
  size_t max = 1;
  *once = 0;
  if (r->k >= r->n) { *once = 1; return w; }
  switch (r->x[r->k]) {
    case '?': r->k++; break;
    case '*': case '+': r->k++; max = UNBOUNDED; break;
    case '{': {
      size_t hi;
      r->k++;
      hi = read_digits(r, 10);
      if (r->k < r->n && r->x[r->k] == ',') {
        r->k++;
        hi = (r->k < r->n && r->x[r->k] == '}') ? UNBOUNDED
                                                 : read_digits(r, 10);
      }
      if (r->k >= r->n || r->x[r->k] != '}') return give_up(r);
      r->k++;
      max = (hi > REACH_MAX) ? UNBOUNDED : hi;
      break;
    }
    default: *once = 1; return w;
  }
  if (r->k < r->n && (r->x[r->k] == '?' || r->x[r->k] == '+')) r->k++;
  if (w == 0) return 0;
  if (max == UNBOUNDED || w == UNBOUNDED) return UNBOUNDED;
  return (w * max > REACH_MAX) ? UNBOUNDED : w * max;
}


/* Read a sequence of items up to '|', ')' or the end; returns its width. */
static size_t read_sequence (Reader *r) {
  size_t w = 0;
  while (r->k < r->n && r->x[r->k] != '|' && r->x[r->k] != ')') {
    char lit[4];
    size_t len;
    int once;
    size_t item = read_item(r, lit, &len);
    w = add_width(w, read_quantifier(r, item, &once));
  }
  return w;
}


/* Read branches separated by '|'; returns the widest one's width. */
static size_t read_alternatives (Reader *r) {
  size_t w = read_sequence(r);
  while (r->k < r->n && r->x[r->k] == '|') {
    size_t b;
    r->k++;
    b = read_sequence(r);
    if (b > w) w = b;
  }
  return w;
}


/*
** The literal that every match of the translation x[0..n) holds: the
** first run of characters at the top level that match only themselves,
** none repeated.  Copies it into lit[0..RE_INFIX_MAX) and returns its
** length, with *reach the most bytes before it in a match; 0 when there
** is none, when the top level has branches, or when the reach is
** unbounded.
*/
static size_t required_infix (const char *x, size_t n, uint32_t options,
                              char *lit, size_t *reach) {
  Reader r;
  size_t w = 0, len = 0;
  if (options & (PCRE2_EXTENDED | PCRE2_EXTENDED_MORE)) return 0;
  r.x = x;
  r.n = n;
  r.k = 0;
  r.utf = (options & PCRE2_UTF) != 0;
  r.cw = r.utf ? 4 : 1;
  r.caseless = (options & PCRE2_CASELESS) != 0;
  r.failed = 0;
  while (r.k < n && r.x[r.k] != '|' && r.x[r.k] != ')') {
    char c[4];
    size_t clen;
    int once;
    size_t item = read_item(&r, c, &clen);
    item = read_quantifier(&r, item, &once);
    if (clen > 0 && once && len + clen <= RE_INFIX_MAX) {
      memcpy(lit + len, c, clen);
      len += clen;
      continue;
    }
    if (len > 0) break;  /* the run is over */
    w = add_width(w, item);
    if (w == UNBOUNDED) return 0;
  }
  read_sequence(&r);  /* the rest: it must have no top-level branch */
  if (r.failed || r.k != n || len == 0 || (len == 1 && w == 0))
    return 0;  /* (one first byte PCRE2 finds as fast) */
  *reach = w;
  return len;
}

/* }====================================================== */


/*
** Check the flags of a new Pattern; raises ValueError.  (re.A with re.U,
** where inline flags count too, is checked after the translation.)
** LOCALE (4) is taken for a BYTES pattern only, as the inline (?L) is, so
** that a Pattern's flags compile again (it changes nothing: the C locale).
*/
static void check_flags (lua_State *L, lua_Integer flags) {
  if (flags & ~(lua_Integer)(RE_ALLFLAGS | RE_L))
    pystd_raise(L, "ValueError", "unknown flags %I", flags);
  if ((flags & RE_L) && !(flags & RE_BYTES))
    pystd_raise(L, "ValueError", "cannot use LOCALE flag with a str pattern");
  if ((flags & RE_BYTES) && (flags & RE_U))
    pystd_raise(L, "ValueError", "cannot use UNICODE flag with a bytes "
                "pattern");
}


/*
** Build PAT_GROUPINDEX and PAT_GROUPNAMES from the translator's names;
** without names both stay nil (most Patterns: they are kept small).
*/
static void set_group_tables (lua_State *L, const char *pat, ReXlat *x) {
  if (x->nnames == 0) return;
  lua_createtable(L, 0, x->nnames);
  lua_createtable(L, x->nnames, 0);
  for (int k = 0; k < x->nnames; k++) {
    lua_pushlstring(L, pat + x->names[k].off, x->names[k].len);
    lua_pushvalue(L, -1);
    lua_rawseti(L, -3, x->names[k].group);
    lua_pushinteger(L, x->names[k].group);
    lua_rawset(L, -4);
  }
  lua_setiuservalue(L, -3, PAT_GROUPNAMES);
  lua_setiuservalue(L, -2, PAT_GROUPINDEX);
}


static const luaL_Reg pattern_meta[];
static const luaL_Reg pattern_methods[];


static int code_gc (lua_State *L);


/*
** Push a new, empty Pattern with its own metatable (see pattern_key)
** and its code box (see RePattern).
*/
static RePattern *new_pattern_object (lua_State *L) {
  PatternRef *ref = (PatternRef *)lua_newuserdatauv(L, sizeof(PatternRef),
                                                    PAT_NUSERVALUES);
  RePattern *p = (RePattern *)lua_newuserdatauv(L, sizeof(RePattern), 0);
  memset(p, 0, sizeof(*p));
  ref->tag = &pattern_key;
  ref->p = p;
  pystd_setgcclass(L, RE_CODE_META, code_gc);
  lua_setiuservalue(L, -2, PAT_CODE);
  lua_createtable(L, 0, 5);  /* its metatable */
  luaL_setfuncs(L, pattern_meta, 0);
  lua_pushliteral(L, RE_PATTERN_META);
  lua_setfield(L, -2, "__name");
  lua_pushliteral(L, RE_PATTERN_META);  /* getmetatable cannot reach it */
  lua_setfield(L, -2, "__metatable");
  lua_createtable(L, 0, 12);  /* its fields and methods */
  luaL_setfuncs(L, pattern_methods, 0);
  lua_rawgetp(L, LUA_REGISTRYINDEX, &pattern_key);
  lua_setmetatable(L, -2);
  lua_setfield(L, -2, "__index");
  lua_setmetatable(L, -2);
  return p;
}


/* Fill the field table of the Pattern on the stack top. */
static void set_fields (lua_State *L, int sidx) {
  RePattern *p = pyre_topattern(L, -1);
  lua_getmetatable(L, -1);
  lua_getfield(L, -1, "__index");
  lua_pushvalue(L, sidx);
  lua_setfield(L, -2, "pattern");
  lua_pushinteger(L, p->flags);
  lua_setfield(L, -2, "flags");
  lua_pushinteger(L, p->groups);
  lua_setfield(L, -2, "groups");
  lua_newtable(L);  /* a copy of groupindex, for the users */
  if (lua_getiuservalue(L, -4, PAT_GROUPINDEX) == LUA_TTABLE) {
    lua_pushnil(L);
    while (lua_next(L, -2)) {
      lua_pushvalue(L, -2);
      lua_insert(L, -2);
      lua_rawset(L, -5);
    }
  }
  lua_pop(L, 1);
  lua_setfield(L, -2, "groupindex");
  lua_pop(L, 2);
}


static int xlat_gc (lua_State *L) {
  pyre_xlatfree((ReXlat *)lua_touserdata(L, 1));
  return 0;
}


/*
** Push a box for the translation of a pattern being compiled: when an
** error (a memory error, say) cuts the compilation short, the collector
** frees what the translation holds.
*/
static ReXlat *new_xlat_box (lua_State *L) {
  ReXlat *x = (ReXlat *)lua_newuserdatauv(L, sizeof(ReXlat), 0);
  memset(x, 0, sizeof(*x));
  pystd_setgcclass(L, RE_XLAT_META, xlat_gc);
  return x;
}


/*
** Raise the error the translation x of the pattern at `sidx` met.  It
** frees x first: as Lua closes, nothing would finalize its box.
*/
static void raise_xlat_error (lua_State *L, int sidx, ReXlat *x) {
  const char *msg = lua_pushstring(L, x->msg), *errtype = x->errtype;
  size_t pos = x->errpos;
  pyre_xlatfree(x);
  if (errtype) pystd_raise(L, errtype, "%s", msg);
  pyre_raiseerror(L, sidx, msg, pos);
}


/*
** Under the TEMPLATE flag, raise CPython's error for the repeat it would
** compile first, if any; `compiled`: PCRE2 has compiled the pattern (a
** repeat in a look-behind waits for that, as CPython checks the
** look-behind's width first).  CPython gives no position: the repeat's.
*/
static void check_template (lua_State *L, int sidx, ReXlat *x,
                            int compiled) {
  if (x->repeat_op && (compiled || !x->repeat_lookbehind)) {
    const char *msg = lua_pushfstring(L, "internal: unsupported template "
                                      "operator %s", x->repeat_op);
    size_t pos = x->repeat_pos;
    pyre_xlatfree(x);  /* as in raise_xlat_error */
    pyre_raiseerror(L, sidx, msg, pos);
  }
}


/*
** Compile the pattern string at `sidx` with `flags`; pushes the new
** Pattern.  `stidx` holds the ReState userdata.
*/
static RePattern *compile_pattern (lua_State *L, int stidx, int sidx,
                                   lua_Integer flags) {
  size_t len;
  const char *pat = lua_tolstring(L, sidx, &len);
  RePattern *p;
  ReXlat *x;
  int errcode;
  PCRE2_SIZE erroff;
  if (((ReState *)lua_touserdata(L, stidx))->closed)
    luaL_error(L, "pystd.re: used by a finalizer as Lua closes");
  check_flags(L, flags);
  if (!(flags & RE_BYTES)) {
    size_t bad = pyre_utf8check(pat, len);
    if (bad < len)
      pystd_raise(L, "ValueError", "invalid UTF-8 at byte %I in pattern",
                  (lua_Integer)bad + 1);
  }
  x = new_xlat_box(L);
  p = new_pattern_object(L);
  p->st = (ReState *)lua_touserdata(L, stidx);
  lua_pushvalue(L, stidx);
  lua_setiuservalue(L, -2, PAT_STATE);
  lua_pushvalue(L, sidx);
  lua_setiuservalue(L, -2, PAT_SOURCE);
  if (!pyre_translate(pat, len, flags, x) && !x->late)
    raise_xlat_error(L, sidx, x);
  flags = x->flags;
  if ((flags & RE_A) && (flags & RE_U))  /* given or inline */
    pystd_raise(L, "ValueError", "ASCII and UNICODE flags are incompatible");
  if ((flags & RE_A) && (flags & RE_L))  /* (?L) in a bytes pattern */
    pystd_raise(L, "ValueError", "ASCII and LOCALE flags are incompatible");
  if (x->late) raise_xlat_error(L, sidx, x);  /* after the flags, as CPython */
  check_template(L, sidx, x, 0);
  if (!(flags & (RE_A | RE_BYTES))) flags |= RE_U;
  p->flags = flags;
  p->groups = x->groups;
  p->plainok = x->ascii;
  p->lookahead = x->lookahead;
  p->order = x->order;
  p->xlat = x->out;
  p->xlatlen = x->n;
  x->order = NULL;
  x->out = NULL;
  p->options = PCRE2_ALT_CIRCUMFLEX;
  if (!(flags & RE_BYTES)) p->options |= PCRE2_UTF | PCRE2_NO_UTF_CHECK;
  if (flags & RE_U) p->options |= PCRE2_UCP;
  if (x->caseless) p->options |= PCRE2_CASELESS;
  if (x->atomic)  /* PCRE2 10.42 mis-possessifies before atomic parts */
    p->options |= PCRE2_NO_AUTO_POSSESS;
  if (x->atomic || x->emptybranch || x->altstar)  /* and its JIT's start-up
    optimizations miss matches: (?>.+?)x on "abx", (?>x*|1x)c, (?:a|)b*a
    on "a", (?:ab|a)x*b on "ab" */
    p->options |= PCRE2_NO_START_OPTIMIZE;
  if (flags & RE_M) p->options |= PCRE2_MULTILINE;
  if (flags & RE_S) p->options |= PCRE2_DOTALL;
  p->literal = is_literal(p->xlat, p->xlatlen, p->options);
  p->prefixlen = p->literal ? 0 : required_prefix(p->xlat, p->xlatlen,
                                                  p->options, &p->prefixoff);
  if (p->prefixlen > 0) {
    size_t rest = p->prefixoff + p->prefixlen;
    p->wordonly = only_boundaries(p->xlat, rest, p->xlatlen);
    p->before = boundary_set(p->prefixoff / 2,
                             (unsigned char)p->xlat[p->prefixoff]);
    p->after = boundary_set((p->xlatlen - rest) / 2,
                            (unsigned char)p->xlat[rest - 1]);
  }
  else if (!p->literal && (p->options & PCRE2_UTF))
    p->infixlen = required_infix(p->xlat, p->xlatlen, p->options, p->infix,
                                 &p->reach);
  if (!compile_code(p, RE_CODE(RE_SEARCH, 0), &errcode, &erroff)) {
    char msg[256];
    size_t pos = len;
    pcre2_message(errcode, msg, sizeof(msg));
    if (erroff < x->n) pos = x->map[erroff];
    else if (x->n > 0) pos = x->map[x->n - 1];
    pyre_xlatfree(x);  /* as in raise_xlat_error */
    pyre_raiseerror(L, sidx, msg, pos);
  }
  check_template(L, sidx, x, 1);
  p->mdata = pcre2_match_data_create_from_pattern(p->code[RE_SEARCH], NULL);
  if (!p->mdata) luaL_error(L, "pystd.re: out of memory");
  p->ov = pcre2_get_ovector_pointer(p->mdata);
  set_group_tables(L, pat, x);
  pyre_xlatfree(x);
  set_fields(L, sidx);
  pyre_newmatchmeta(L, lua_gettop(L));
  lua_setiuservalue(L, -2, PAT_MATCHMETA);
  lua_remove(L, -2);  /* the box */
  return p;
}

/* }====================================================== */


/* {====================================================== Matching */

/* The Pattern at `arg`, or NULL if it is something else. */
static RePattern *test_pattern (lua_State *L, int arg) {
  PatternRef *ref = (PatternRef *)lua_touserdata(L, arg);
  if (ref != NULL && lua_rawlen(L, arg) == sizeof(PatternRef) &&
      ref->tag == &pattern_key)
    return ref->p;
  return NULL;
}


/* The Pattern at `arg`; raises the standard argument error otherwise. */
RePattern *pyre_checkpattern (lua_State *L, int arg) {
  RePattern *p = test_pattern(L, arg);
  if (p == NULL) luaL_typeerror(L, arg, RE_PATTERN_META);
  return p;
}


/*
** The last RE_CHECKED_N long subjects validated are remembered, so that a
** loop matching at successive positions of a long string (a tokenizer) does
** not validate it at every call, even when it takes turns with a few
** others (tokenizers in several tasks): the registry holds them (their
** addresses stay their own) until the next garbage collection, when an
** Expiry, a userdata nobody keeps, forgets them.  Their registry key is
** the ReState's address: each instance of the module (required again
** after package.loaded was cleared) has a ReState of its own.
*/
#define RE_CHECKED_MIN   1024


static int expiry_gc (lua_State *L) {
  ReState *st = *(ReState **)lua_touserdata(L, 1);
  memset(st->checked, 0, sizeof(st->checked));
  st->expiry_armed = 0;
  lua_pushnil(L);
  lua_rawsetp(L, LUA_REGISTRYINDEX, st);
  return 0;
}


/* The remembered entry of the long subject s, or NULL. */
static const ReChecked *find_checked (const ReState *st, const char *s) {
  for (int k = 0; k < RE_CHECKED_N; k++)
    if (st->checked[k].s == s) return &st->checked[k];
  return NULL;
}


/*
** Remember the valid subject s at `sidx`, in place of the oldest one;
** `pidx` holds a Pattern of the state `st`.  The Expiry keeps the state:
** made by a finalizer after state_gc ran, it would outlive its memory.
*/
static void remember_checked (lua_State *L, ReState *st, int pidx, int sidx,
                              const char *s, int ascii) {
  int k = st->checkednext;
  if (lua_rawgetp(L, LUA_REGISTRYINDEX, st) != LUA_TTABLE) {
    lua_pop(L, 1);
    lua_createtable(L, RE_CHECKED_N, 0);
    lua_pushvalue(L, -1);
    lua_rawsetp(L, LUA_REGISTRYINDEX, st);
  }
  lua_pushvalue(L, sidx);
  lua_rawseti(L, -2, k + 1);
  lua_pop(L, 1);
  st->checked[k].s = s;
  st->checked[k].ascii = ascii;
  st->checkednext = (k + 1) % RE_CHECKED_N;
  if (!st->expiry_armed) {
    ReState **box = (ReState **)lua_newuserdatauv(L, sizeof(ReState *), 1);
    *box = st;
    lua_getiuservalue(L, pidx, PAT_STATE);
    lua_setiuservalue(L, -2, 1);
    pystd_setgcclass(L, RE_EXPIRY_META, expiry_gc);
    lua_pop(L, 1);
    st->expiry_armed = 1;
  }
}


/* Is s[0..len) all ASCII?  Raises ValueError unless it is valid UTF-8. */
static int check_utf8 (lua_State *L, const char *s, size_t len) {
  size_t bad = pyre_asciiprefix((const unsigned char *)s, len);
  if (bad == len) return 1;
  bad += pyre_utf8check(s + bad, len - bad);
  if (bad < len)
    pystd_raise(L, "ValueError", "invalid UTF-8 at byte %I",
                (lua_Integer)bad + 1);
  return 0;
}


/*
** Raise ValueError unless the subject s[0..len) at `sidx` is valid UTF-8
** (for a text pattern: p, at `pidx`) with the window offsets `start` and
** `end` on character boundaries.  Returns 1 when the plain codes serve (an
** ASCII subject), else 0.
*/
int pyre_checksubject (lua_State *L, RePattern *p, int pidx, int sidx,
                       const char *s, size_t len, size_t start, size_t end) {
  ReState *st = p->st;
  const ReChecked *c;
  size_t bad;
  int ascii;
  if (p->flags & RE_BYTES) return 0;
  if (len >= RE_CHECKED_MIN && (c = find_checked(st, s)) != NULL)
    ascii = c->ascii;
  else {
    ascii = check_utf8(L, s, len);
    if (len >= RE_CHECKED_MIN) remember_checked(L, st, pidx, sidx, s, ascii);
  }
  if (ascii) return p->plainok;
  if (start < len && (s[start] & 0xC0) == 0x80)
    bad = start;
  else if (end < len && (s[end] & 0xC0) == 0x80)
    bad = end;
  else
    return 0;
  return pystd_raise(L, "ValueError", "position %I is inside a UTF-8 "
                     "character", (lua_Integer)bad + 1);
}


/* Does s[0..n) equal lit[0..n)?  Inline: literals are short. */
static int same_bytes (const char *s, const char *lit, size_t n) {
  size_t i = 0;
  while (i < n && s[i] == lit[i]) i++;
  return i == n;
}


/* Does the caller take the occurrence of the literal at `at`? */
typedef int (*Accept) (void *ud, const char *at);

/*
** A search for the literal lit[0..n), n >= 1: the occurrences go to
** `accept` (NULL: the first is taken).  When `before` or `after` (a set
** of boundary_set) is BOUNDARY_NOWORD, the scan itself rules out an
** occurrence with an ASCII word character on that side (saving a call
** and a branch it cannot predict), reading the byte before the text only
** when `back` says it is the subject's.
*/
typedef struct Scan {
  const char *lit;
  size_t n;
  Accept accept;
  void *ud;
  int before, after;
  int back;
} Scan;


#if defined(RE_SSE2_FIND)
/* The bytes a 16-start block is tested on: lit's first, second and last. */
typedef struct Probe { __m128i first, second, last; } Probe;

/*
** Candidates among the 16 starts s[0..16) of lit[0..n), n >= 2: bit k
** set when s[k], s[k + 1] and s[k + n - 1] are its first, second and
** last bytes.
*/
static unsigned literal_candidates (const char *s, const Probe *pr,
                                    size_t n) {
  __m128i a = _mm_loadu_si128((const __m128i *)(const void *)s);
  __m128i b = _mm_loadu_si128((const __m128i *)(const void *)(s + 1));
  __m128i c = _mm_loadu_si128((const __m128i *)(const void *)(s + n - 1));
  __m128i m = _mm_and_si128(_mm_cmpeq_epi8(a, pr->first),
                            _mm_cmpeq_epi8(b, pr->second));
  return (unsigned)_mm_movemask_epi8(_mm_and_si128(m,
                                     _mm_cmpeq_epi8(c, pr->last)));
}


/* Bit k clear when s[k] is an ASCII word character, for k in [0, 16). */
static inline unsigned not_ascii_word (const char *s) {
  __m128i v = _mm_loadu_si128((const __m128i *)(const void *)s);
  __m128i l = _mm_or_si128(v, _mm_set1_epi8(0x20));  /* not ASCII: < 0 */
  __m128i alpha = _mm_and_si128(_mm_cmpgt_epi8(l, _mm_set1_epi8('a' - 1)),
                                _mm_cmplt_epi8(l, _mm_set1_epi8('z' + 1)));
  __m128i digit = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('0' - 1)),
                                _mm_cmplt_epi8(v, _mm_set1_epi8('9' + 1)));
  __m128i word = _mm_or_si128(_mm_or_si128(alpha, digit),
                              _mm_cmpeq_epi8(v, _mm_set1_epi8('_')));
  return ~(unsigned)_mm_movemask_epi8(word) & 0xFFFF;
}


/*
** The first start in `mask` (candidates at s) where all of lit is and
** that the scan's `accept` accepts.
*/
static const char *check_candidates (const char *s, unsigned mask,
                                     const Scan *sc) {
  for (; mask; mask &= mask - 1) {
    const char *at = s + __builtin_ctz(mask);
    if ((sc->n <= 3 || same_bytes(at + 2, sc->lit + 2, sc->n - 3)) &&
        (sc->accept == NULL || sc->accept(sc->ud, at)))
      return at;
  }
  return NULL;
}
#endif


/*
** The first occurrence in s[0..len) that the scan `sc` takes, or NULL.
** With SSE2, 16 starts a step are tested on three bytes of the literal
** and, where all the neighbours are in s, on those neighbours (the last
** partial step overlaps the one before).
*/
static inline const char *find_literal (const char *s, size_t len,
                                        const Scan *sc) {
  const char *lit = sc->lit;
  size_t i = 0, last, n = sc->n;
  if (n > len) return NULL;
  if (n == 1) {  /* libc's memchr beats any loop here */
    const char *at = s, *end = s + len;
    for (; (at = memchr(at, lit[0], (size_t)(end - at))) != NULL; at++)
      if (sc->accept == NULL || sc->accept(sc->ud, at)) return at;
    return NULL;
  }
  last = len - n;  /* the last possible start */
#if defined(RE_SSE2_FIND)
  if (last >= 15) {
    Probe pr;
    const char *at;
    int sieve_before = (sc->before == BOUNDARY_NOWORD);
    int sieve_after = (sc->after == BOUNDARY_NOWORD);
    pr.first = _mm_set1_epi8(lit[0]);
    pr.second = _mm_set1_epi8(lit[1]);
    pr.last = _mm_set1_epi8(lit[n - 1]);
    for (; i + 15 <= last; i += 16) {
      unsigned mask = literal_candidates(s + i, &pr, n);
      if ((i > 0 || sc->back) && i + 15 < last) {  /* neighbours in s */
        if (sieve_before) mask &= not_ascii_word(s + i - 1);
        if (sieve_after) mask &= not_ascii_word(s + i + n);
      }
      if (mask && (at = check_candidates(s + i, mask, sc)) != NULL)
        return at;
    }
    if (i <= last) {  /* starts i..last, in the block at last - 15 */
      size_t j = last - 15;
      unsigned mask = literal_candidates(s + j, &pr, n);
      return check_candidates(s + j, mask & (0xFFFFu << (i - j)), sc);
    }
    return NULL;
  }
#endif
  for (; i <= last; i++)
    if (s[i] == lit[0] && same_bytes(s + i + 1, lit + 1, n - 1) &&
        (sc->accept == NULL || sc->accept(sc->ud, s + i)))
      return s + i;
  return NULL;
}


/*
** pyre_exec for a literal Pattern (see is_literal): the offsets of the
** first match in s[start..end) in `mode` land in p->ov.
*/
static int exec_literal (RePattern *p, int mode, const char *s, size_t end,
                         size_t start) {
  const char *lit = p->xlat, *at;
  size_t n = p->xlatlen;
  if (end - start < n) return 0;  /* (start <= end: see pyre_exec) */
  switch (mode) {
    case RE_SEARCH: {
      Scan sc = { .lit = lit, .n = n, .before = BOUNDARY_ANY,
                  .after = BOUNDARY_ANY };
      at = find_literal(s + start, end - start, &sc);
      if (at == NULL) return 0;
      start = (size_t)(at - s);
      break;
    }
    case RE_MATCH:
      if (memcmp(s + start, lit, n) != 0) return 0;
      break;
    default:  /* RE_FULLMATCH */
      if (end - start != n || memcmp(s + start, lit, n) != 0) return 0;
  }
  p->ov[0] = start;
  p->ov[1] = start + n;
  return 1;
}


static int exec_code (lua_State *L, RePattern *p, int which,
                      const char *s, size_t end, size_t start, uint32_t opts);

/*
** A search of a Pattern with a required prefix (see required_prefix):
** each occurrence of the prefix is judged by the \b before it (see
** boundary_set), then by the anchored code -- or by the \b after it when
** that is all the rest (p->wordonly).  Far faster than PCRE2's own
** scan, which stops at every first byte and then runs its code.
*/
typedef struct Prefixed {
  lua_State *L;
  RePattern *p;
  const char *s;      /* the subject s[0..end) */
  size_t end;
  uint32_t opts;
  int plain;          /* running the plain codes */
  int ucp;            /* \b by Unicode rules */
} Prefixed;


/*
** Does the neighbour s[i] of the literal (none when i is outside
** [0, end)) fit the class set `set`?  1 or 0, or -1 if only PCRE2 knows.
*/
static inline int neighbour_fits (int set, const char *s, ptrdiff_t i,
                                  size_t end, int ucp) {
  int c;
  if (set == BOUNDARY_ANY) return 1;
  if (set == BOUNDARY_UNKNOWN) return -1;
  c = (i < 0 || (size_t)i >= end) ? 0 : word_class((unsigned char)s[i], ucp);
  return (c == 2) ? -1 : (set >> c) & 1;
}


static int accept_prefixed (void *ud, const char *at) {
  Prefixed *x = (Prefixed *)ud;
  RePattern *p = x->p;
  size_t pos = (size_t)(at - x->s), n = p->prefixlen;
  int ok = neighbour_fits(p->before, x->s, (ptrdiff_t)pos - 1, x->end,
                          x->ucp);
  if (ok == 0) return 0;
  if (ok > 0 && p->wordonly &&
      (ok = neighbour_fits(p->after, x->s, (ptrdiff_t)(pos + n), x->end,
                           x->ucp)) >= 0) {
    p->ov[0] = pos;
    p->ov[1] = pos + n;
    return ok;
  }
  return exec_code(x->L, p, RE_CODE(RE_MATCH, x->plain), x->s, x->end, pos,
                   x->opts);
}


static int exec_prefixed (lua_State *L, RePattern *p, int plain,
                          const char *s, size_t end, size_t start,
                          uint32_t opts) {
  Prefixed x;
  Scan sc = { .lit = p->xlat + p->prefixoff, .n = p->prefixlen,
              .accept = accept_prefixed, .ud = &x, .before = p->before,
              .after = p->wordonly ? p->after : BOUNDARY_ANY,
              .back = (start > 0) };
  x.L = L;
  x.p = p;
  x.s = s;
  x.end = end;
  x.opts = opts;
  x.plain = plain;
  x.ucp = !plain && (p->options & PCRE2_UCP);
  return find_literal(s + start, end - start, &sc) != NULL;
}


/* more tries than this, each after fewer bytes on average, and ... */
#define INFIX_TRIES  16
#define INFIX_GAP    64

/*
** ... the search by infix gives way to PCRE2's own scan: its literal is
** too common to pay a call per occurrence.  That search (by the UTF code
** of a Pattern with a required infix, see required_infix) finds the
** infix, then asks PCRE2 for a match that starts at most `reach` bytes
** before it (none can start earlier) and not after it; failing that, it
** goes on from the next occurrence.  No match is empty: opts cannot
** matter.
*/
static int search_by_infix (lua_State *L, RePattern *p, const char *s,
                            size_t end, size_t start, uint32_t opts) {
  int which = RE_CODE(RE_SEARCH, 0), tries = 0;
  pcre2_code *code = p->code[which];
  size_t cur = start;
  Scan sc = { .lit = p->infix, .n = p->infixlen, .before = BOUNDARY_ANY,
              .after = BOUNDARY_ANY };
  if (code == NULL)  /* finalized: exec_code says so */
    return exec_code(L, p, which, s, end, start, opts);
  while (cur < end) {
    const char *at = find_literal(s + cur, end - cur, &sc);
    size_t q, from;
    int rc;
    if (at == NULL) return 0;
    q = (size_t)(at - s);
    from = (q - cur > p->reach) ? q - p->reach : cur;
    while (from > cur && ((unsigned char)s[from] & 0xC0) == 0x80) from--;
    if (++tries > INFIX_TRIES && q - start < (size_t)tries * INFIX_GAP)
      return exec_code(L, p, which, s, end, from, opts);
    pcre2_set_offset_limit(p->st->lcontext, q);
    rc = p->jitted[which]
       ? pcre2_jit_match(code, (PCRE2_SPTR)s, end, from, opts, p->mdata,
                         p->st->lcontext)
       : pcre2_match(code, (PCRE2_SPTR)s, end, from,
                     opts | PCRE2_NO_UTF_CHECK, p->mdata, p->st->lcontext);
    if (rc != PCRE2_ERROR_NOMATCH)
      return pyre_execresult(L, p, which, s, end, from, opts, rc);
    for (cur = q + 1; cur < end && ((unsigned char)s[cur] & 0xC0) == 0x80;)
      cur++;
  }
  return 0;
}


/*
** Match code `which` (see RE_CODE) of `p` against s[0..end) from offset
** `start` (at most `end`: callers skip an empty window) with PCRE2 match
** options `opts`; the offsets land in p->mdata.
** Returns 1 on a match, 0 on none; raises RuntimeError past the match
** limit.
*/
int pyre_exec (lua_State *L, RePattern *p, int which,
               const char *s, size_t end, size_t start, uint32_t opts) {
  if (p->literal)  /* opts (NOTEMPTY_ATSTART) cannot matter */
    return exec_literal(p, which / 2, s, end, start);
  if (p->prefixlen && which / 2 == RE_SEARCH)  /* nor here */
    return exec_prefixed(L, p, which % 2, s, end, start, opts);
  if (p->infixlen && which == RE_CODE(RE_SEARCH, 0))
    return search_by_infix(L, p, s, end, start, opts);
  return exec_code(L, p, which, s, end, start, opts);
}


/* pyre_exec by PCRE2 itself */
static int exec_code (lua_State *L, RePattern *p, int which,
                      const char *s, size_t end, size_t start, uint32_t opts) {
  pcre2_code *code = p->code[which];
  if (code == NULL) {
    int errcode;
    PCRE2_SIZE erroff;
    if (p->mdata == NULL)  /* finalized already (during lua_close) */
      return luaL_error(L, "pystd.re: pattern used after collection");
    if (!(code = compile_code(p, which, &errcode, &erroff)))
      return luaL_error(L, "pystd.re: cannot compile pattern variant");
  }
  if (p->jitted[which])
    return pyre_execresult(L, p, which, s, end, start, opts,
                           pcre2_jit_match(code, (PCRE2_SPTR)s, end, start,
                                           opts, p->mdata, p->st->mcontext));
  return pyre_execresult(L, p, which, s, end, start, opts,
                         pcre2_match(code, (PCRE2_SPTR)s, end, start,
                                     opts | PCRE2_NO_UTF_CHECK, p->mdata,
                                     p->st->mcontext));
}


/*
** The end of pyre_exec once code `which` returned `rc`: 1 on a match, 0
** on none; the interpreter retries what overflowed the JIT stack; errors
** raise.
*/
int pyre_execresult (lua_State *L, RePattern *p, int which, const char *s,
                     size_t end, size_t start, uint32_t opts, int rc) {
  if (rc == PCRE2_ERROR_JIT_STACKLIMIT)  /* the interpreter uses heap */
    rc = pcre2_match(p->code[which], (PCRE2_SPTR)s, end, start,
                     opts | PCRE2_NO_JIT | PCRE2_NO_UTF_CHECK, p->mdata,
                     p->st->mcontext);
  if (rc > 0) return 1;
  if (rc == PCRE2_ERROR_NOMATCH) return 0;
  if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT ||
      rc == PCRE2_ERROR_HEAPLIMIT)
    return pystd_raise(L, "RuntimeError", "regular expression match limit "
                       "exceeded (limit %I; see re.set_match_limit)",
                       (lua_Integer)p->st->match_limit);
  {
    char msg[256];
    pcre2_message(rc, msg, sizeof(msg));
    return pystd_raise(L, "RuntimeError", "regular expression error: %s",
                       msg);
  }
}


/* Find again the offsets `f` found (see ReFound): matching is pure. */
void pyre_refind (lua_State *L, RePattern *p, ReFound *f) {
  if (!pyre_execfast(L, p, f->which, f->s, f->end, f->start, f->opts))
    luaL_error(L, "pystd.re: a match found could not be found again");
  f->execs = p->execs;
}


/*
** search/match/fullmatch of the Pattern at `pidx` over the string at
** `sidx`, window [start, end); pushes a Match or nil.
*/
static int search_mode (lua_State *L, RePattern *p, int pidx, int sidx,
                        const char *s, size_t len, size_t start, size_t end,
                        enum re_mode mode) {
  int which;
  if (start > end) { lua_pushnil(L); return 1; }
  which = RE_CODE(mode, pyre_checksubject(L, p, pidx, sidx, s, len, start, end));
  if (!pyre_execfast(L, p, which, s, end, start, 0))
    lua_pushnil(L);
  else {
    ReFound f = pyre_found(p, which, s, end, start, 0);
    pyre_newmatch(L, pidx, sidx, p, &f, len, start, end);
  }
  return 1;
}


/*
** Map the group name at `arg` to its number; anything else raises (a
** Match takes the group numbers itself: see group_arg in match.c).
*/
int pyre_groupnumber (lua_State *L, int pidx, int arg) {
  int isint;
  lua_Integer g;
  if (lua_type(L, arg) == LUA_TSTRING) {
    pyre_pushgroupindex(L, pidx);
    lua_pushvalue(L, arg);
    g = lua_tointegerx(L, (lua_rawget(L, -2), -1), &isint);
    lua_pop(L, 2);
    if (isint) return (int)g;
  }
  return pystd_raise(L, "IndexError", "no such group");
}

/* }====================================================== */


/* {====================================================== Pattern methods */

/* Free the codes and buffers of a code box; safe to run twice. */
static int code_gc (lua_State *L) {
  RePattern *p = (RePattern *)lua_touserdata(L, 1);
  for (int m = 0; m < RE_NCODES; m++) {
    pcre2_code_free(p->code[m]);
    p->code[m] = NULL;
    p->jitted[m] = 0;
  }
  pcre2_match_data_free(p->mdata);
  p->literal = 0;  /* pyre_exec then finds no code and no mdata */
  p->prefixlen = 0;
  free(p->xlat);
  free(p->order);
  p->mdata = NULL;
  p->xlat = NULL;
  p->order = NULL;
  return 0;
}


/* p:search / p:match / p:fullmatch (s [, pos [, endpos]]) */
static int pattern_search_mode (lua_State *L, enum re_mode mode) {
  size_t len;
  RePattern *p = pyre_checkpattern(L, 1);
  const char *s = luaL_checklstring(L, 2, &len);
  size_t start = 0, end = len;
  if (lua_gettop(L) > 2) {
    start = pystd_optstart(L, 3, len);
    end = pystd_optend(L, 4, len);
  }
  return search_mode(L, p, 1, 2, s, len, start, end, mode);
}

static int pattern_search (lua_State *L) {
  return pattern_search_mode(L, RE_SEARCH);
}

static int pattern_match (lua_State *L) {
  return pattern_search_mode(L, RE_MATCH);
}

static int pattern_fullmatch (lua_State *L) {
  return pattern_search_mode(L, RE_FULLMATCH);
}


static int pattern_findall (lua_State *L) {
  size_t len;
  pyre_checkpattern(L, 1);
  luaL_checklstring(L, 2, &len);
  return pyre_findallimpl(L, 1, 2, pystd_optstart(L, 3, len),
                        pystd_optend(L, 4, len));
}


static int pattern_finditer (lua_State *L) {
  size_t len;
  pyre_checkpattern(L, 1);
  luaL_checklstring(L, 2, &len);
  return pyre_finditerimpl(L, 1, 2, pystd_optstart(L, 3, len),
                         pystd_optend(L, 4, len));
}


/* p:sub(repl, s [, count]) -> string, count; p:subn is the same */
static int pattern_sub (lua_State *L) {
  pyre_checkpattern(L, 1);
  luaL_checkany(L, 2);
  luaL_checkstring(L, 3);
  return pyre_subimpl(L, 1, 2, 3, luaL_optinteger(L, 4, 0));
}


static int pattern_split (lua_State *L) {
  pyre_checkpattern(L, 1);
  luaL_checkstring(L, 2);
  return pyre_splitimpl(L, 1, 2, luaL_optinteger(L, 3, 0));
}


/*
** re.compile('a.*b', re.IGNORECASE); the pattern's repr is cut after 200
** characters, as CPython's %.200R does; the flags in CPython's order.
*/
static int pattern_tostring (lua_State *L) {
  static const struct { lua_Integer bit; const char *name; } names[] = {
    {RE_T, "re.TEMPLATE"}, {RE_I, "re.IGNORECASE"}, {RE_L, "re.LOCALE"},
    {RE_M, "re.MULTILINE"}, {RE_S, "re.DOTALL"}, {RE_X, "re.VERBOSE"},
    {RE_A, "re.ASCII"}, {RE_BYTES, "re.BYTES"}
  };
  RePattern *p = pyre_checkpattern(L, 1);
  luaL_Buffer b;
  const char *sep = ", ";
  size_t len;
  const char *src;
  lua_getiuservalue(L, 1, PAT_SOURCE);
  src = lua_tolstring(L, -1, &len);
  pystd_pushstrrepr(L, src, len);
  src = lua_tolstring(L, -1, &len);
  luaL_buffinit(L, &b);
  luaL_addstring(&b, "re.compile(");
  luaL_addlstring(&b, src, pyre_utf8prefix(src, len, 200));
  for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++)
    if (p->flags & names[k].bit) {
      luaL_addstring(&b, sep);
      luaL_addstring(&b, names[k].name);
      sep = "|";
    }
  luaL_addchar(&b, ')');
  luaL_pushresult(&b);
  return 1;
}


/* Patterns are equal when their sources and flags are. */
static int pattern_eq (lua_State *L) {
  RePattern *a = test_pattern(L, 1), *b = test_pattern(L, 2);
  if (!a || !b) lua_pushboolean(L, 0);
  else {
    lua_getiuservalue(L, 1, PAT_SOURCE);
    lua_getiuservalue(L, 2, PAT_SOURCE);
    lua_pushboolean(L, a->flags == b->flags && lua_rawequal(L, -1, -2));
  }
  return 1;
}


/* Push the name of group `g` of the Pattern at `pidx`, or nil. */
void pyre_pushgroupname (lua_State *L, int pidx, int g) {
  if (lua_getiuservalue(L, pidx, PAT_GROUPNAMES) == LUA_TTABLE) {
    lua_rawgeti(L, -1, g);
    lua_remove(L, -2);
  }  /* else the nil of a Pattern without names */
}


/* Push the metatable for Matches of the Pattern at `pidx`. */
void pyre_pushmatchmeta (lua_State *L, int pidx) {
  lua_getiuservalue(L, pidx, PAT_MATCHMETA);
}


/* Push the template cache table of the Pattern at `pidx`. */
void pyre_pushtemplates (lua_State *L, int pidx) {
  if (lua_getiuservalue(L, pidx, PAT_TEMPLATES) != LUA_TTABLE) {
    lua_pop(L, 1);
    lua_createtable(L, 2, 0);  /* storing into it cannot fail half-way */
    lua_pushvalue(L, -1);
    lua_setiuservalue(L, pidx, PAT_TEMPLATES);
  }
}


/*
** Push the group-index table (name -> number) of the Pattern at `pidx`
** (a new empty one for a Pattern without names: do not store into it).
*/
void pyre_pushgroupindex (lua_State *L, int pidx) {
  if (lua_getiuservalue(L, pidx, PAT_GROUPINDEX) != LUA_TTABLE) {
    lua_pop(L, 1);
    lua_newtable(L);
  }
}


static const luaL_Reg pattern_methods[] = {
  {"search", pattern_search},
  {"match", pattern_match},
  {"fullmatch", pattern_fullmatch},
  {"findall", pattern_findall},
  {"finditer", pattern_finditer},
  {"sub", pattern_sub},
  {"subn", pattern_sub},
  {"split", pattern_split},
  {NULL, NULL}
};

static const luaL_Reg pattern_meta[] = {  /* in each Pattern's metatable */
  {"__tostring", pattern_tostring},
  {"__eq", pattern_eq},
  {NULL, NULL}
};

/* }====================================================== */


/* {====================================================== The cache */

/* Empty the table at `idx` in place. */
static void clear_table (lua_State *L, int idx) {
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    lua_pop(L, 1);
    lua_pushvalue(L, -1);
    lua_pushnil(L);
    lua_rawset(L, idx);
  }
}


static void purge_cache (lua_State *L) {
  ReState *st = (ReState *)lua_touserdata(L, UP_STATE);
  clear_table(L, UP_CACHE0);
  clear_table(L, UP_CACHEF);
  st->cached = 0;
}


/*
** Push the cached Pattern for the pattern string at `arg` compiled with
** `flags` and return 1, or return 0 (pushing nothing).
*/
static int push_cached (lua_State *L, int arg, lua_Integer flags) {
  if (flags == 0) {
    lua_pushvalue(L, arg);
    if (lua_rawget(L, UP_CACHE0) != LUA_TNIL) return 1;
  }
  else {
    lua_pushinteger(L, flags);
    if (lua_rawget(L, UP_CACHEF) == LUA_TTABLE) {
      lua_pushvalue(L, arg);
      if (lua_rawget(L, -2) != LUA_TNIL) {
        lua_remove(L, -2);
        return 1;
      }
      lua_pop(L, 1);
    }
  }
  lua_pop(L, 1);
  return 0;
}


/*
** Cache the Pattern on the stack top for the pattern string at `arg` and
** `flags`, emptying the whole cache first when it is full.
*/
static void cache_pattern (lua_State *L, int arg, lua_Integer flags) {
  ReState *st = (ReState *)lua_touserdata(L, UP_STATE);
  if (st->cached >= RE_MAXCACHE) purge_cache(L);
  if (flags == 0) lua_pushvalue(L, UP_CACHE0);
  else {
    lua_pushinteger(L, flags);
    if (lua_rawget(L, UP_CACHEF) != LUA_TTABLE) {
      lua_pop(L, 1);
      lua_newtable(L);
      lua_pushinteger(L, flags);
      lua_pushvalue(L, -2);
      lua_rawset(L, UP_CACHEF);
    }
  }
  lua_pushvalue(L, arg);
  lua_pushvalue(L, -3);
  lua_rawset(L, -3);
  lua_pop(L, 1);
  st->cached++;
}


/*
** Push the Pattern for argument `arg` of a module function: a Pattern
** itself (when `flags` is 0) or a pattern string compiled with `flags`
** through the cache.  Returns the stack index of the Pattern.
*/
int pyre_pushpatternfor (lua_State *L, int arg, lua_Integer flags) {
  int type = lua_type(L, arg);
  if (type == LUA_TUSERDATA) {
    pyre_checkpattern(L, arg);
    if (flags != 0)
      pystd_raise(L, "ValueError", "cannot process flags argument with a "
                  "compiled pattern");
    lua_pushvalue(L, arg);
    return lua_gettop(L);
  }
  if (type != LUA_TSTRING) luaL_checkstring(L, arg);
  if (!push_cached(L, arg, flags)) {
    compile_pattern(L, lua_upvalueindex(1), arg, flags);
    cache_pattern(L, arg, flags);
  }
  return lua_gettop(L);
}

/* }====================================================== */


/* {====================================================== Module functions */

/* re.compile(pattern [, flags]), through the cache as CPython's */
static int module_compile (lua_State *L) {
  pyre_pushpatternfor(L, 1, luaL_optinteger(L, 2, 0));
  return 1;
}


/* re.search / re.match / re.fullmatch (pattern, s [, flags]) */
static int module_search_mode (lua_State *L, enum re_mode mode) {
  size_t len;
  const char *s = luaL_checklstring(L, 2, &len);
  int pidx = pyre_pushpatternfor(L, 1, lua_isnoneornil(L, 3) ? 0 :
                                 luaL_checkinteger(L, 3));
  return search_mode(L, pyre_topattern(L, pidx), pidx, 2,
                     s, len, 0, len, mode);
}

static int module_search (lua_State *L) {
  return module_search_mode(L, RE_SEARCH);
}

static int module_match (lua_State *L) {
  return module_search_mode(L, RE_MATCH);
}

static int module_fullmatch (lua_State *L) {
  return module_search_mode(L, RE_FULLMATCH);
}


static int module_findall (lua_State *L) {
  size_t len;
  int pidx;
  luaL_checklstring(L, 2, &len);
  pidx = pyre_pushpatternfor(L, 1, luaL_optinteger(L, 3, 0));
  return pyre_findallimpl(L, pidx, 2, 0, len);
}


static int module_finditer (lua_State *L) {
  size_t len;
  int pidx;
  luaL_checklstring(L, 2, &len);
  pidx = pyre_pushpatternfor(L, 1, luaL_optinteger(L, 3, 0));
  return pyre_finditerimpl(L, pidx, 2, 0, len);
}


/* re.sub(pattern, repl, s [, count [, flags]]); re.subn is the same */
static int module_sub (lua_State *L) {
  lua_Integer count;
  int pidx;
  luaL_checkany(L, 2);
  luaL_checkstring(L, 3);
  count = luaL_optinteger(L, 4, 0);
  pidx = pyre_pushpatternfor(L, 1, luaL_optinteger(L, 5, 0));
  return pyre_subimpl(L, pidx, 2, 3, count);
}


static int module_split (lua_State *L) {
  lua_Integer maxsplit;
  int pidx;
  luaL_checkstring(L, 2);
  maxsplit = luaL_optinteger(L, 3, 0);
  pidx = pyre_pushpatternfor(L, 1, luaL_optinteger(L, 4, 0));
  return pyre_splitimpl(L, pidx, 2, maxsplit);
}


/* Backslash CPython 3.7's special characters only. */
static int module_escape (lua_State *L) {
  size_t len;
  const char *s = luaL_checklstring(L, 1, &len);
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  for (size_t k = 0; k < len; k++) {
    if (s[k] != '\0' && strchr("()[]{}?*+-|^$\\.&~# \t\n\r\v\f", s[k]))
      luaL_addchar(&b, '\\');
    luaL_addchar(&b, s[k]);
  }
  luaL_pushresult(&b);
  return 1;
}


static int module_purge (lua_State *L) {
  purge_cache(L);
  return 0;
}


/* re.set_match_limit(n): the backtracking budget of every match */
static int module_set_match_limit (lua_State *L) {
  ReState *st = (ReState *)lua_touserdata(L, UP_STATE);
  lua_Integer n = luaL_checkinteger(L, 1);
  luaL_argcheck(L, n >= 1 && n <= 0xFFFFFFFF, 1, "out of range");
  st->match_limit = (uint32_t)n;
  pcre2_set_match_limit(st->mcontext, st->match_limit);
  pcre2_set_match_limit(st->lcontext, st->match_limit);
  return 0;
}


static int module_get_match_limit (lua_State *L) {
  ReState *st = (ReState *)lua_touserdata(L, UP_STATE);
  lua_pushinteger(L, st->match_limit);
  return 1;
}


static const luaL_Reg re_funcs[] = {
  {"compile", module_compile},
  {"search", module_search},
  {"match", module_match},
  {"fullmatch", module_fullmatch},
  {"findall", module_findall},
  {"finditer", module_finditer},
  {"sub", module_sub},
  {"subn", module_sub},
  {"split", module_split},
  {"escape", module_escape},
  {"purge", module_purge},
  {"set_match_limit", module_set_match_limit},
  {"get_match_limit", module_get_match_limit},
  {NULL, NULL}
};


static const struct { const char *name; lua_Integer value; } re_flags[] = {
  {"NOFLAG", 0},
  {"T", RE_T}, {"TEMPLATE", RE_T},
  {"I", RE_I}, {"IGNORECASE", RE_I},
  {"M", RE_M}, {"MULTILINE", RE_M},
  {"S", RE_S}, {"DOTALL", RE_S},
  {"X", RE_X}, {"VERBOSE", RE_X},
  {"A", RE_A}, {"ASCII", RE_A},
  {"U", RE_U}, {"UNICODE", RE_U},
  {"BYTES", RE_BYTES},
  {NULL, 0}
};


int luaopen_pystd_re (lua_State *L) {
  pystd_newclass(L, RE_PATTERN_META, pattern_methods, NULL);
  lua_rawsetp(L, LUA_REGISTRYINDEX, &pattern_key);
  pyre_openmatch(L);
  luaL_newlibtable(L, re_funcs);
  new_state(L);
  lua_newtable(L);
  lua_newtable(L);
  luaL_setfuncs(L, re_funcs, 3);
  for (int k = 0; re_flags[k].name; k++) {
    lua_pushinteger(L, re_flags[k].value);
    lua_setfield(L, -2, re_flags[k].name);
  }
  lua_pushliteral(L, "re.error");
  lua_setfield(L, -2, "error");
  return 1;
}

/* }====================================================== */
