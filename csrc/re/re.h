/*
** re.h -- private header of pystd.re: the types its four files share.
** translate.c  Python pattern syntax -> PCRE2 syntax
** pattern.c    module state, Pattern objects, the cache, luaopen
** match.c      Match objects
** sub.c        repl templates, sub/subn, split, findall, finditer
*/
#ifndef PYSTD_RE_H
#define PYSTD_RE_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "pystd.h"

/* Python's flag values; BYTES is ours */
#define RE_T       1      /* TEMPLATE (deprecated): no repeats */
#define RE_I       2      /* IGNORECASE */
#define RE_L       4      /* LOCALE (never accepted) */
#define RE_M       8      /* MULTILINE */
#define RE_S       16     /* DOTALL */
#define RE_U       32     /* UNICODE */
#define RE_X       64     /* VERBOSE */
#define RE_A       256    /* ASCII */
#define RE_BYTES   4096   /* raw bytes: no UTF-8, ASCII classes */
#define RE_ALLFLAGS  (RE_T|RE_I|RE_M|RE_S|RE_U|RE_X|RE_A|RE_BYTES)

#define RE_PATTERN_META  "pystd.re.Pattern"
#define RE_MATCH_META    "pystd.re.Match"
#define RE_STATE_META    "pystd.re.State"
#define RE_EXPIRY_META   "pystd.re.Expiry"
#define RE_CODE_META     "pystd.re.Code"
#define RE_XLAT_META     "pystd.re.Translation"

/* how a match is anchored; each kind has its own compiled code */
enum re_mode {
  RE_SEARCH,     /* anywhere at or after pos */
  RE_MATCH,      /* anchored at pos */
  RE_FULLMATCH,  /* anchored at pos and at endpos */
  RE_NMODES
};

/*
** Each mode has two codes: the full one (UTF-8, Unicode classes) and,
** for an ASCII-only translation, a plain one (bytes, ASCII classes) that
** gives the same results on an ASCII subject, faster.
*/
#define RE_NCODES         (2 * RE_NMODES)
#define RE_CODE(m, plain) (2 * (m) + (plain))

/* how many long subjects that passed the UTF-8 check are remembered */
#define RE_CHECKED_N  8

/* a long subject that passed the UTF-8 check (see pattern.c) */
typedef struct ReChecked {
  const char *s;                  /* its bytes (the registry holds it) */
  int ascii;                      /* it is all ASCII */
} ReChecked;

/* per-lua_State resources, shared by every Pattern of that state */
typedef struct ReState {
  pcre2_compile_context *ccontext;
  pcre2_match_context *mcontext;  /* match limit + JIT stack */
  pcre2_match_context *lcontext;  /* the same, plus an offset limit for the
                                     searches by infix (pattern.c) */
  pcre2_jit_stack *jitstack;
  uint32_t match_limit;
  int cached;                     /* entries in the module cache */
  ReChecked checked[RE_CHECKED_N];  /* the long subjects validated last */
  int checkednext;                /* the entry the next one replaces */
  int expiry_armed;               /* an Expiry will forget them */
  int closed;                     /* finalized (as Lua closes) */
} ReState;

/*
** A compiled pattern.  It lives in a userdata of its own (the "code
** box", whose __gc frees the PCRE2 data) that the Pattern userdata
** points to and keeps as a user value (see pattern.c): the Pattern
** itself has no finalizer, so a dead Pattern and its tables are freed by
** the first collection and only the small box waits for a second one.
*/
/* longest literal required_infix keeps */
#define RE_INFIX_MAX  16

typedef struct RePattern {
  ReState *st;
  pcre2_code *code[RE_NCODES];    /* by RE_CODE; lazily but the first */
  int jitted[RE_NCODES];          /* code[i] has JIT code */
  int plainok;                    /* the plain codes may be used */
  int literal;                    /* xlat is plain text (see is_literal) */
  size_t prefixoff, prefixlen;    /* the literal every match starts with
                                     (see required_prefix); len 0: none */
  int wordonly;                   /* and after it only \b */
  int before, after;              /* what the \b before and after it ask
                                     of its neighbours (boundary_set) */
  char infix[RE_INFIX_MAX];       /* a literal every match holds near its
                                     start (see required_infix); the UTF
                                     search code looks for it first */
  size_t infixlen;                /* 0: none */
  size_t reach;                   /* bytes before it in a match, at most */
  pcre2_match_data *mdata;        /* scratch ovector for every mode */
  PCRE2_SIZE *ov;                 /* its offsets (stable) */
  unsigned execs;                 /* matches run into it (see ReFound) */
  char *xlat;                     /* the PCRE2 translation */
  size_t xlatlen;
  uint32_t options;               /* PCRE2 compile options */
  int lookahead;                  /* has a positive lookahead */
  lua_Integer flags;
  int groups;
  int *order;                     /* order[g]: rank of group g's ')' */
} RePattern;

/* boundary_set: only a non-word neighbour fits; any fits; only PCRE2 can
   tell */
#define BOUNDARY_NOWORD   1
#define BOUNDARY_ANY      3
#define BOUNDARY_UNKNOWN  4

/* a successful match (userdata; user value: the subject, unless it is
   short and copied after `ov`; its metatable, one per Pattern, holds the
   Pattern as field `re`) */
typedef struct ReMatch {
  const char *tag;                /* marks a Match (see check_match) */
  const char *subject;            /* user value 1's, or the copy */
  size_t pos, endpos;             /* 0-based search window [pos, endpos) */
  int groups;
  int sublen;                     /* length of the copy; -1: none */
  PCRE2_SIZE ov[1];               /* 2 * (groups + 1) offsets */
} ReMatch;


/* {====================================================== translate.c */

/* a named group found by the translator */
typedef struct ReName {
  size_t off, len;                /* the name inside the source pattern */
  int group;
} ReName;

/* result of pyre_translate; free with pyre_xlatfree */
typedef struct ReXlat {
  char *out;                      /* PCRE2 pattern */
  size_t n, cap;
  size_t *map;                    /* source offset of each output byte */
  int groups;
  int *order;                     /* groups + 1 entries, see RePattern */
  int pcap;
  ReName *names;
  int nnames, namecap;
  lua_Integer flags;              /* flags plus the global inline ones */
  int ascii;                      /* `out` is ASCII, also in its escapes */
  int caseless;                   /* compile with PCRE2_CASELESS */
  int atomic;                     /* has atomic groups or possessives */
  int emptybranch;                /* has a branch of zero-width items */
  int altstar;                    /* has X* after a group of branches */
  int lookahead;                  /* has a positive lookahead */
  const char *errtype;            /* error type; NULL: re.error */
  int late;                       /* the error comes after CPython checks
                                     the flags (a stray ')', a bad
                                     conditional reference) */
  const char *msg;                /* error message: msgmem, or a constant */
  char *msgmem;                   /* the message's memory, if allocated */
  size_t errpos;                  /* 0-based error offset in the source */
  const char *repeat_op;          /* under RE_T: CPython's name of the
                                     first repeat it compiles, or NULL */
  size_t repeat_pos;              /* the source offset of its item */
  int repeat_lookbehind;          /* it is inside a look-behind */
} ReXlat;

/* Write code point c (at most U+10FFFF) as UTF-8 to buf; returns its length. */
static inline size_t pyre_utf8encode (unsigned c, char buf[4]) {
  if (c < 0x80) { buf[0] = (char)c; return 1; }
  if (c < 0x800) {
    buf[0] = (char)(0xC0 | (c >> 6));
    buf[1] = (char)(0x80 | (c & 0x3F));
    return 2;
  }
  if (c < 0x10000) {
    buf[0] = (char)(0xE0 | (c >> 12));
    buf[1] = (char)(0x80 | ((c >> 6) & 0x3F));
    buf[2] = (char)(0x80 | (c & 0x3F));
    return 3;
  }
  buf[0] = (char)(0xF0 | (c >> 18));
  buf[1] = (char)(0x80 | ((c >> 12) & 0x3F));
  buf[2] = (char)(0x80 | ((c >> 6) & 0x3F));
  buf[3] = (char)(0x80 | (c & 0x3F));
  return 4;
}


/*
** Length of the ASCII prefix of s[0..len): 64 bytes a step with SSE2,
** then 8; a tail under 8 bytes is tested as the (overlapping) last 8
** bytes at once, and a word holding a non-ASCII byte byte by byte.
*/
static inline size_t pyre_asciiprefix (const unsigned char *s,
                                       size_t len) {
  size_t i = 0;
#if defined(__SSE2__)
  while (i + 64 <= len) {
    __m128i a = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
    __m128i b = _mm_loadu_si128((const __m128i *)(const void *)(s + i + 16));
    __m128i c = _mm_loadu_si128((const __m128i *)(const void *)(s + i + 32));
    __m128i d = _mm_loadu_si128((const __m128i *)(const void *)(s + i + 48));
    if (_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(a, b),
                                       _mm_or_si128(c, d))))
      break;
    i += 64;
  }
#endif
  while (i + 8 <= len) {
    uint64_t w;
    memcpy(&w, s + i, 8);
    if (w & 0x8080808080808080ull) break;
    i += 8;
  }
  if (i + 8 > len && i < len && len >= 8) {  /* under 8 left: the last 8 */
    uint64_t w;
    memcpy(&w, s + len - 8, 8);
    if (!(w & 0x8080808080808080ull)) return len;
  }
  while (i < len && s[i] < 0x80) i++;
  return i;
}


/* Length of the first `n` characters of the UTF-8 text s[0..len). */
static inline size_t pyre_utf8prefix (const char *s, size_t len, size_t n) {
  size_t k = 0;
  for (; k < len; k++)
    if (((unsigned char)s[k] & 0xC0) != 0x80 && n-- == 0) break;
  return k;
}


int pyre_translate (const char *pat, size_t len, lua_Integer flags, ReXlat *x);
void pyre_xlatfree (ReXlat *x);
int pyre_isidentifier (const char *s, size_t n, int utf);
size_t pyre_utf8check (const char *s, size_t len);

/* }====================================================== */


/* {====================================================== pattern.c */

RePattern *pyre_checkpattern (lua_State *L, int arg);
/*
** A Pattern userdata: a tag marking the type (a full userdata of another
** size is never read) and the RePattern in its code box.
*/
typedef struct PatternRef {
  const char *tag;
  RePattern *p;
} PatternRef;

#define pyre_topattern(L, idx)  (((PatternRef *)lua_touserdata(L, idx))->p)
int pyre_exec (lua_State *L, RePattern *p, int which,
             const char *s, size_t end, size_t start, uint32_t opts);

/*
** How the offsets now in p->ov were found.  p->ov is every match's
** scratch: an allocation may run a finalizer that matches with p, so a
** reader that allocated since the match gets them by pyre_offsets, which
** finds them again when p->execs has moved.
*/
typedef struct ReFound {
  const char *s;                  /* the subject s[0..end) */
  size_t end, start;
  uint32_t opts;
  int which;                      /* the code (see RE_CODE) */
  unsigned execs;                 /* p->execs right after the match */
} ReFound;

static inline ReFound pyre_found (const RePattern *p, int which,
                                   const char *s, size_t end, size_t start,
                                   uint32_t opts) {
  ReFound f = { s, end, start, opts, which, p->execs };
  return f;
}

void pyre_refind (lua_State *L, RePattern *p, ReFound *f);

static inline const PCRE2_SIZE *pyre_offsets (lua_State *L, RePattern *p,
                                              ReFound *f) {
  if (p->execs != f->execs) pyre_refind(L, p, f);
  return p->ov;
}
int pyre_execresult (lua_State *L, RePattern *p, int which, const char *s,
                     size_t end, size_t start, uint32_t opts, int rc);

/* Does pyre_exec search with code `which` of p by scanning for a literal? */
#define pyre_scansfirst(p, which) \
  ((which) / 2 == RE_SEARCH && \
   ((p)->prefixlen || ((p)->infixlen && (which) % 2 == 0)))

/* pyre_exec, with its common case (JIT code ready) inline */
static inline int pyre_execfast (lua_State *L, RePattern *p, int which,
                                 const char *s, size_t end, size_t start,
                                 uint32_t opts) {
  p->execs++;
  if (p->jitted[which] && !p->literal && !pyre_scansfirst(p, which)) {
    int rc = pcre2_jit_match(p->code[which], (PCRE2_SPTR)s, end, start, opts,
                             p->mdata, p->st->mcontext);
    if (rc > 0) return 1;
    if (rc == PCRE2_ERROR_NOMATCH) return 0;
    return pyre_execresult(L, p, which, s, end, start, opts, rc);
  }
  return pyre_exec(L, p, which, s, end, start, opts);
}
int pyre_checksubject (lua_State *L, RePattern *p, int pidx, int sidx,
                       const char *s, size_t len, size_t start, size_t end);
int pyre_pushpatternfor (lua_State *L, int arg, lua_Integer flags);
int pyre_raiseerror (lua_State *L, int sidx, const char *msg, size_t pos);
int pyre_groupnumber (lua_State *L, int pidx, int arg);
void pyre_pushgroupname (lua_State *L, int pidx, int g);
void pyre_pushgroupindex (lua_State *L, int pidx);
void pyre_pushtemplates (lua_State *L, int pidx);
void pyre_pushmatchmeta (lua_State *L, int pidx);

/* }====================================================== */


/* {====================================================== match.c */

ReMatch *pyre_newmatch (lua_State *L, int pidx, int sidx, RePattern *p,
                        ReFound *f, size_t len, size_t pos, size_t endpos);
void pyre_newmatchmeta (lua_State *L, int pidx);
void pyre_openmatch (lua_State *L);

/* }====================================================== */


/* {====================================================== sub.c */

int pyre_subimpl (lua_State *L, int pidx, int replidx, int sidx,
                lua_Integer count);
int pyre_splitimpl (lua_State *L, int pidx, int sidx, lua_Integer maxsplit);
int pyre_findallimpl (lua_State *L, int pidx, int sidx, size_t pos,
                    size_t endpos);
int pyre_finditerimpl (lua_State *L, int pidx, int sidx, size_t pos,
                     size_t endpos);
const void *pyre_pushtemplate (lua_State *L, int pidx, int tidx);
size_t pyre_expand (const void *tpl, const char *s, const PCRE2_SIZE *ov,
                    luaL_Buffer *b);

/* }====================================================== */

#endif
