/*
** translate.c -- Python `re` pattern syntax to PCRE2 syntax.
** The translator parses the whole Python grammar, raising CPython's
** errors at CPython's positions, and emits an equivalent PCRE2 pattern
** with every group numbered (names stay with us), so PCRE2's own
** extensions and its name rules never leak through.
*/

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "re.h"

#if !defined(RE_MAXNEST)
#define RE_MAXNEST  200      /* nested groups allowed */
#endif

#define RE_MAXREPEAT  65535u /* PCRE2's bound for {m,n} */
#define PY_MAXREPEAT  4294967295ul  /* CPython's: OverflowError from here */
#define PY_MAXGROUPS  1073741823ul  /* CPython's bound for a group number */

/* what the last item of a sequence was, for the repeat rules */
enum last_item {
  LAST_NONE,    /* nothing yet in this branch */
  LAST_AT,      /* an anchor: ^ $ \A \Z \b \B */
  LAST_ITEM,    /* something repeatable */
  LAST_REPEAT   /* a quantifier */
};

/*
** Flags in force inside a group.  PCRE2 folds case by Unicode rules in
** UTF mode, so where Python folds ASCII only (flags a and i together on
** a str pattern) the translator folds ASCII letters itself ([kK]) and
** keeps PCRE2's caseless option off.
*/
typedef struct Scope {
  int verbose;
  int ascii;    /* \d \w \s \b are ASCII */
  int icase;    /* Python's i flag */
} Scope;

/* a conditional's group number and its offset in the source */
typedef struct CondRef { unsigned long group; size_t pos; } CondRef;

/* the translator's working state */
typedef struct Xlat {
  const char *p;
  size_t len, i;
  int utf, ucp;      /* UTF-8 mode; Unicode classes by default */
  int closed;        /* capturing groups closed so far */
  unsigned char *open;  /* open[g]: group g is not closed yet */
  int topitems;      /* items seen at top level (global flags rule) */
  char *quoted;      /* quote_name's result */
  int lookbehind_first;   /* in a look-behind: the first group opened in
                             the outermost one; 0 elsewhere */
  int alternatives;  /* a group of several branches has closed */
  CondRef *conds;    /* the groups conditionals test by number, in the */
  int nconds, condcap;  /* pattern's order (checked at the end) */
  int failed;
  size_t stop;       /* where parsing stood when it failed */
  ReXlat *x;
} Xlat;


/* {====================================================== UTF-8 */

/*
** Offset of the first byte that does not start a valid UTF-8 sequence
** (no overlongs, surrogates or values above U+10FFFF); `len` if none.
*/
size_t pyre_utf8check (const char *str, size_t len) {
  const unsigned char *s = (const unsigned char *)str;
  size_t i = pyre_asciiprefix(s, len);
  while (i < len) {
    unsigned c = s[i];
    size_t n;
    unsigned cp, min;
    if (c < 0x80) {
      i += pyre_asciiprefix(s + i, len - i);
      continue;
    }
    if (c >= 0xC2 && c <= 0xDF) { n = 1; cp = c & 0x1F; min = 0x80; }
    else if (c >= 0xE0 && c <= 0xEF) { n = 2; cp = c & 0x0F; min = 0x800; }
    else if (c >= 0xF0 && c <= 0xF4) { n = 3; cp = c & 0x07; min = 0x10000; }
    else return i;
    if (len - i <= n) return i;
    for (size_t k = 1; k <= n; k++) {
      if ((s[i + k] & 0xC0) != 0x80) return i;
      cp = (cp << 6) | (s[i + k] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
      return i;
    i += n + 1;
  }
  return len;
}


/*
** Decode the character at s[0..n), n >= 1, valid UTF-8 but maybe cut
** short, into *c; returns its length in bytes.
*/
static size_t decode_utf8 (const char *s, size_t n, unsigned *c) {
  unsigned char lead = (unsigned char)s[0];
  size_t len = (lead < 0x80) ? 1 : (lead >= 0xF0) ? 4 : (lead >= 0xE0) ? 3 : 2;
  if (len > n) len = n;
  *c = (len == 1) ? lead : lead & (0x7Fu >> len);
  for (size_t k = 1; k < len; k++)
    *c = (*c << 6) | ((unsigned char)s[k] & 0x3F);
  return len;
}


/*
** Decode the character at t->i (UTF-8 in UTF mode, else one byte),
** advancing past it.  The pattern was validated beforehand.
*/
static unsigned next_char (Xlat *t) {
  unsigned c;
  if (!t->utf) return (unsigned char)t->p[t->i++];
  t->i += decode_utf8(t->p + t->i, t->len - t->i, &c);
  return c;
}

/* }====================================================== */


/* {====================================================== Output */

/* Do we fold ASCII letters ourselves in scope sc? */
static int folds_ascii (const Xlat *t, const Scope *sc) {
  return sc->icase && sc->ascii && t->utf;
}

/* Is PCRE2's caseless option on in scope sc? */
static int pcre_caseless (const Xlat *t, const Scope *sc) {
  return sc->icase && !folds_ascii(t, sc);
}

static int is_alpha (unsigned c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}


/*
** Record an error (the first one wins) at source offset `pos`; its
** message is "out of memory" if there is no room for it.
*/
static int fail (Xlat *t, size_t pos, const char *fmt, ...) {
  if (!t->failed) {
    ReXlat *x = t->x;
    va_list ap;
    int n;
    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    x->msgmem = (n < 0) ? NULL : malloc((size_t)n + 1);
    x->msg = "out of memory";
    if (x->msgmem != NULL) {
      va_start(ap, fmt);
      vsnprintf(x->msgmem, (size_t)n + 1, fmt, ap);
      va_end(ap);
      x->msg = x->msgmem;
    }
    x->errpos = pos;
    t->stop = t->i;
    t->failed = 1;
  }
  return 0;
}


/*
** The array `arr` of *cap elements of `size` bytes, doubled (to 8 at
** least; *cap follows); NULL, failing at source offset `pos`, when memory
** runs out (`arr` stays as it was).
*/
static void *grow_array (Xlat *t, void *arr, int *cap, size_t size,
                         size_t pos) {
  int n = *cap * 2 + 8;
  void *grown = realloc(arr, (size_t)n * size);
  if (grown == NULL) fail(t, pos, "out of memory");
  else *cap = n;
  return grown;
}


/* Append `n` bytes produced by source offset `src`. */
static void emitn (Xlat *t, const char *s, size_t n, size_t src) {
  ReXlat *x = t->x;
  if (t->failed) return;
  if (x->n + n + 1 > x->cap) {
    size_t cap = (x->cap + n) * 2 + 64;
    char *out = realloc(x->out, cap);
    size_t *map = out ? realloc(x->map, cap * sizeof(size_t)) : NULL;
    if (out) x->out = out;
    if (map) x->map = map;
    if (!out || !map) { fail(t, src, "out of memory"); return; }
    x->cap = cap;
  }
  memcpy(x->out + x->n, s, n);
  for (size_t k = 0; k < n; k++) x->map[x->n + k] = src;
  x->n += n;
  x->out[x->n] = '\0';
}

#define emits(t, s, src)  emitn(t, s, strlen(s), src)


/* Insert string `s` at output offset `at` (before bytes already there). */
static void insert_at (Xlat *t, size_t at, const char *s, size_t src) {
  ReXlat *x = t->x;
  size_t n = strlen(s), tail;
  emitn(t, s, n, src);  /* make room at the end */
  if (t->failed) return;
  tail = x->n - n - at;
  memmove(x->out + at + n, x->out + at, tail);
  memmove(x->map + at + n, x->map + at, tail * sizeof(size_t));
  memcpy(x->out + at, s, n);
  for (size_t k = 0; k < n; k++) x->map[at + k] = src;
}


static int is_surrogate (unsigned c) { return c >= 0xD800 && c <= 0xDFFF; }


/*
** Emit code point `c` as a PCRE2 literal usable in and out of classes.
** A surrogate (from \ud800, which CPython takes) is refused by PCRE2 and
** matches nothing in valid UTF-8: it becomes \p{Cs}, which matches
** nothing there either.
*/
static void emit_literal (Xlat *t, unsigned c, size_t src) {
  char buf[16];
  if ((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') ||
      (c >= 'a' && c <= 'z') || c == '_') {
    buf[0] = (char)c; buf[1] = '\0';
  }
  else if (c > 0x20 && c < 0x7F) {
    buf[0] = '\\'; buf[1] = (char)c; buf[2] = '\0';
  }
  else if (is_surrogate(c)) {
    emits(t, "\\p{Cs}", src);
    return;
  }
  else snprintf(buf, sizeof(buf), "\\x{%x}", c);
  if (c >= 0x80) t->x->ascii = 0;
  emits(t, buf, src);
}


/*
** Characters CPython's case-insensitive matching takes for one another
** (its simple case mappings and re._casefix) where PCRE2's Unicode case
** folding does not; each set ends with 0.  PCRE2 adds the other case of
** every member.
*/
static const unsigned case_sets[][5] = {
  { 'I', 'i', 0x130, 0x131, 0 },  /* I i İ ı */
  { 0x390, 0x1FD3, 0 },           /* ΐ ΐ */
  { 0x3B0, 0x1FE3, 0 },           /* ΰ ΰ */
  { 0xFB05, 0xFB06, 0 }           /* ﬅ ﬆ */
};

#define NCASESETS  (sizeof(case_sets) / sizeof(case_sets[0]))


/* Does some member of case set s lie in lo..hi? */
static int case_set_meets (const unsigned *s, unsigned lo, unsigned hi) {
  for (; *s; s++)
    if (*s >= lo && *s <= hi) return 1;
  return 0;
}


/* Does a class holding lo..hi need case_sets members in scope sc? */
static int needs_case_sets (const Xlat *t, const Scope *sc, unsigned lo,
                            unsigned hi) {
  if (!t->utf || !pcre_caseless(t, sc)) return 0;
  for (size_t k = 0; k < NCASESETS; k++)
    if (case_set_meets(case_sets[k], lo, hi)) return 1;
  return 0;
}


/*
** Add to the class being written the members outside lo..hi of the case
** sets that lo..hi meets.  Non-ASCII ones go in as raw UTF-8: the plain
** (non-UTF) compile reads them as bytes above 0x7F, which no ASCII subject
** holds, so it still serves ASCII subjects (x->ascii stays as it is).
*/
static void emit_case_sets (Xlat *t, const Scope *sc, unsigned lo,
                            unsigned hi, size_t src) {
  if (!needs_case_sets(t, sc, lo, hi)) return;
  for (size_t k = 0; k < NCASESETS; k++) {
    if (!case_set_meets(case_sets[k], lo, hi)) continue;
    for (const unsigned *m = case_sets[k]; *m; m++) {
      char buf[4];
      if (*m < lo || *m > hi) {  /* (an ASCII member is a letter) */
        size_t n = pyre_utf8encode(*m, buf);
        emitn(t, buf, n, src);
      }
    }
  }
}


/*
** Emit literal `c` outside a class: folding it in an ASCII-fold scope, or
** as a class with the members of its case set.
*/
static void emit_char (Xlat *t, const Scope *sc, unsigned c, size_t src) {
  if (folds_ascii(t, sc) && is_alpha(c)) {
    char buf[5] = { '[', (char)c, (char)(c ^ 0x20), ']', '\0' };
    emits(t, buf, src);
  }
  else if (needs_case_sets(t, sc, c, c)) {
    emits(t, "[", src);
    emit_literal(t, c, src);
    emit_case_sets(t, sc, c, c, src);
    emits(t, "]", src);
  }
  else emit_literal(t, c, src);
}


/*
** Emit the class range lo-hi (lo == hi for one member) and, in an
** ASCII-fold scope, the other case of its ASCII letters.  An end that is
** a surrogate goes in as \p{Cs} (see emit_literal), the range keeping the
** valid code points it spans.
*/
static void emit_range (Xlat *t, const Scope *sc, unsigned lo, unsigned hi,
                        size_t src) {
  static const unsigned spans[2][2] = { { 'a', 'z' }, { 'A', 'Z' } };
  if (is_surrogate(lo) || is_surrogate(hi)) {
    emit_literal(t, 0xD800, src);
    if (is_surrogate(lo)) lo = 0xE000;
    if (is_surrogate(hi)) hi = 0xD7FF;
    if (lo > hi) return;
  }
  emit_literal(t, lo, src);
  if (hi != lo) { emits(t, "-", src); emit_literal(t, hi, src); }
  emit_case_sets(t, sc, lo, hi, src);
  if (!folds_ascii(t, sc)) return;
  for (int k = 0; k < 2; k++) {
    unsigned a = lo > spans[k][0] ? lo : spans[k][0];
    unsigned b = hi < spans[k][1] ? hi : spans[k][1];
    if (a > b) continue;
    emit_literal(t, a ^ 0x20, src);
    if (b != a) { emits(t, "-", src); emit_literal(t, b ^ 0x20, src); }
  }
}


/*
** Emit back reference \g{g}.  In an ASCII-fold scope PCRE2 matches it
** caselessly (by Unicode rules) after the callout (?C{g}) has checked
** that the text ahead differs from group g in ASCII case only (see
** backref_callout in pattern.c); one group holds both, for a quantifier.
*/
static void emit_backref (Xlat *t, const Scope *sc, int g, size_t src) {
  char buf[48];
  if (folds_ascii(t, sc))
    snprintf(buf, sizeof(buf), "(?i:(?C{%d})\\g{%d})", g, g);
  else snprintf(buf, sizeof(buf), "\\g{%d}", g);
  emits(t, buf, src);
}

/* }====================================================== */


/* {====================================================== Groups and names */

static int is_ident_start (unsigned c) {
  return c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static int is_digit (int c) { return c >= '0' && c <= '9'; }
static int is_octal (int c) { return c >= '0' && c <= '7'; }

static int hexval (int c) {
  if (is_digit(c)) return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}


/*
** Does all of s[0..n) match the PCRE2 pattern `pat` (with Unicode
** properties; `utf`: s is UTF-8, else Latin-1 bytes)?  For the rare
** questions on non-ASCII text that only Unicode's tables answer, so the
** code is compiled for the call (if that fails for want of memory: yes).
** PCRE2 10.42 has the Unicode version of CPython 3.11.
*/
static int unicode_matches (const char *pat, const char *s, size_t n,
                            int utf) {
  uint32_t options = PCRE2_UCP | PCRE2_ANCHORED | PCRE2_ENDANCHORED |
                     (utf ? PCRE2_UTF : 0);
  int errcode, ok = 1;
  PCRE2_SIZE erroff;
  pcre2_code *code = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED,
                                   options, &errcode, &erroff, NULL);
  pcre2_match_data *md = code ? pcre2_match_data_create(1, NULL) : NULL;
  if (md)
    ok = pcre2_match(code, (PCRE2_SPTR)s, n, 0, 0, md, NULL) >= 0;
  pcre2_match_data_free(md);
  pcre2_code_free(code);
  return ok;
}


/*
** Is s[0..n) a Python identifier (str.isidentifier)?  `utf`: the name is
** UTF-8; a BYTES pattern's name must be ASCII (CPython 3.11 deprecates
** other bytes, 3.12 refuses them).  PCRE2 knows the XID_Start and
** XID_Continue properties that str.isidentifier tests.
*/
int pyre_isidentifier (const char *s, size_t n, int utf) {
  if (n == 0) return 0;
  for (size_t k = 0; k < n; k++) {
    unsigned char c = (unsigned char)s[k];
    if (c >= 0x80)
      return utf && unicode_matches("[_\\p{XID_Start}]\\p{XID_Continue}*", s,
                                    n, 1);
    if (!is_ident_start(c) && !(k > 0 && is_digit(c))) return 0;
  }
  return 1;
}


/* Group number of name s[0..n), or 0 if unknown. */
static int find_name (ReXlat *x, const char *pat, const char *s, size_t n) {
  for (int k = 0; k < x->nnames; k++)
    if (x->names[k].len == n && memcmp(pat + x->names[k].off, s, n) == 0)
      return x->names[k].group;
  return 0;
}


/*
** Make room for group number `g` in order[] and open[]; 0 on failure.
*/
static int reserve_group (Xlat *t, int g) {
  ReXlat *x = t->x;
  if (g + 1 > x->pcap) {
    int cap = x->pcap * 2 + 16;
    int *order = realloc(x->order, cap * sizeof(int));
    unsigned char *open = order ? realloc(t->open, cap) : NULL;
    if (order) x->order = order;
    if (open) t->open = open;
    if (!order || !open) return fail(t, t->i, "out of memory");
    x->pcap = cap;
  }
  return 1;
}


/* Open a new capturing group; returns its number. */
static int open_group (Xlat *t) {
  ReXlat *x = t->x;
  int g = x->groups + 1;
  if (!reserve_group(t, g)) return 0;
  t->open[g] = 1;
  x->groups = g;
  return g;
}


/*
** Python's repr of the name at off/n, for messages ("" when memory runs
** out, which is then the error).  A byte takes at most 4 characters.
*/
static const char *quote_name (Xlat *t, size_t off, size_t n) {
  const char *s = t->p + off;
  char q = (memchr(s, '\'', n) && !memchr(s, '"', n)) ? '"' : '\'';
  char *quoted = realloc(t->quoted, 4 * n + 3);
  size_t k, o = 0;
  if (quoted == NULL) {
    fail(t, off, "out of memory");
    return "";
  }
  t->quoted = quoted;
  t->quoted[o++] = q;
  for (k = 0; k < n; k++) {
    unsigned char c = (unsigned char)s[k];
    if (c == '\n' || c == '\t' || c == '\r') {
      t->quoted[o++] = '\\';
      t->quoted[o++] = c == '\n' ? 'n' : c == '\t' ? 't' : 'r';
    }
    else if (c < 0x20 || c == 0x7F)
      o += (size_t)snprintf(t->quoted + o, 5, "\\x%02x", c);
    else if (c >= 0xC0 && t->utf) {  /* a character: escaped unless printable */
      unsigned cp;
      size_t len = decode_utf8(s + k, n - k, &cp);
      if (unicode_matches("[\\p{Z}\\p{C}]", s + k, len, 1))
        o += (size_t)snprintf(t->quoted + o, 11, cp < 0x100 ? "\\x%02x" :
                              cp < 0x10000 ? "\\u%04x" : "\\U%08x", cp);
      else {
        memcpy(t->quoted + o, s + k, len);
        o += len;
      }
      k += len - 1;
    }
    else {
      if (c == '\\' || c == (unsigned char)q) t->quoted[o++] = '\\';
      t->quoted[o++] = (char)c;
    }
  }
  t->quoted[o++] = q;
  t->quoted[o] = '\0';
  return t->quoted;
}


/* Record name s[off..off+n) for group g. */
static int add_name (Xlat *t, size_t off, size_t n, int g) {
  ReXlat *x = t->x;
  int old = find_name(x, t->p, t->p + off, n);
  if (old)
    return fail(t, off, "redefinition of group name %s as group %d; "
                "was group %d", quote_name(t, off, n), g, old);
  if (x->nnames == x->namecap) {
    ReName *names = grow_array(t, x->names, &x->namecap, sizeof(ReName), off);
    if (names == NULL) return 0;
    x->names = names;
  }
  x->names[x->nnames].off = off;
  x->names[x->nnames].len = n;
  x->names[x->nnames].group = g;
  x->nnames++;
  return 1;
}


/*
** Read a name (`what` it names, for the messages: "group name") ending
** at `term`, starting at t->i, as CPython's tokenizer does (a backslash
** and the next character are one token); on success leaves t->i after
** the terminator and sets *off, *n.
*/
static int read_name (Xlat *t, char term, const char *what, size_t *off,
                      size_t *n) {
  size_t k = t->i;
  *off = t->i;
  while (k < t->len && t->p[k] != term)
    k += (t->p[k] == '\\' && k + 1 < t->len) ? 2 : 1;
  if (k >= t->len) {
    if (t->i == t->len) return fail(t, t->i, "missing %s", what);
    return fail(t, t->i, "missing %c, unterminated name", term);
  }
  *n = k - t->i;
  if (*n == 0) return fail(t, t->i, "missing %s", what);
  t->i = k + 1;
  return 1;
}


/*
** CPython's rule for a reference to group g inside a look-behind: g must
** be closed, and opened before the outermost look-behind began.  Errors
** are reported at t->i, after the reference, where CPython reports them.
*/
static int check_lookbehind_ref (Xlat *t, int g) {
  if (t->lookbehind_first == 0) return 1;
  if (g > t->x->groups || t->open[g])
    return fail(t, t->i, "cannot refer to an open group");
  if (g >= t->lookbehind_first)
    return fail(t, t->i, "cannot refer to group defined in the same "
                "lookbehind subpattern");
  return 1;
}


/* Group number for a reference by name at off/n, as (?P=name) needs. */
static int named_reference (Xlat *t, size_t off, size_t n) {
  int g;
  if (!pyre_isidentifier(t->p + off, n, t->utf))
    return fail(t, off, "bad character in group name %s",
                quote_name(t, off, n));
  g = find_name(t->x, t->p, t->p + off, n);
  if (g == 0)
    return fail(t, off, "unknown group name %s",
                quote_name(t, off, n));
  return g;
}

/* }====================================================== */


/* {====================================================== Escapes */

/* ASCII forms of the class escapes, for (?a:...) in a Unicode pattern */
static const char *ascii_class (int c, int inset) {
  switch (c) {
    case 'd': return inset ? "0-9" : "[0-9]";
    case 'D': return inset ? "\\x{0}-\\x{2f}\\x{3a}-\\x{10ffff}" : "[^0-9]";
    case 'w': return inset ? "0-9A-Za-z_" : "[0-9A-Za-z_]";
    case 'W': return inset ? "\\x{0}-\\x{2f}\\x{3a}-\\x{40}\\x{5b}-\\x{5e}"
                             "\\x{60}\\x{7b}-\\x{10ffff}" : "[^0-9A-Za-z_]";
    case 's': return inset ? "\\t\\n\\x{b}\\f\\r\\x{20}"
                           : "[\\t\\n\\x{b}\\f\\r\\x{20}]";
    case 'S': return inset ? "\\x{0}-\\x{8}\\x{e}-\\x{1f}\\x{21}-\\x{10ffff}"
                           : "[^\\t\\n\\x{b}\\f\\r\\x{20}]";
    case 'b': return "(?:(?<=[0-9A-Za-z_])(?![0-9A-Za-z_])"
                     "|(?<![0-9A-Za-z_])(?=[0-9A-Za-z_]))";
    default:  return "(?:(?<=[0-9A-Za-z_])(?=[0-9A-Za-z_])"
                     "|(?<![0-9A-Za-z_])(?![0-9A-Za-z_]))(?!\\A\\z)";
  }
}


/*
** Python's \s in a Unicode scope (str.isspace) and \S, where `ucp` says
** whether PCRE2's \s is Unicode's (else \h\v is).  PCRE2's lacks
** U+001C-U+001F (and has U+180E, which is left so: a class without \s
** makes split(r"\s+") a third slower).  Only \S in a set needs code
** points past U+00FF.
*/
static const char *unicode_space (int c, int inset, int ucp) {
  if (c == 's' && inset)
    return ucp ? "\\s\\x{1c}-\\x{1f}" : "\\h\\v\\x{1c}-\\x{1f}";
  if (c == 's')
    return ucp ? "[\\s\\x{1c}-\\x{1f}]" : "[\\h\\v\\x{1c}-\\x{1f}]";
  if (!inset)
    return ucp ? "[^\\s\\x{1c}-\\x{1f}]" : "[^\\h\\v\\x{1c}-\\x{1f}]";
  return "\\x{0}-\\x{8}\\x{e}-\\x{1b}\\x{21}-\\x{84}\\x{86}-\\x{9f}"
         "\\x{a1}-\\x{167f}\\x{1681}-\\x{180d}\\x{180f}-\\x{1fff}"
         "\\x{200b}-\\x{2027}\\x{202a}-\\x{202e}\\x{2030}-\\x{205e}"
         "\\x{2060}-\\x{2fff}\\x{3001}-\\x{10ffff}";
}


/*
** Unicode forms of the class escapes, for (?u:...) in a pattern compiled
** without UCP (flag a)
*/
static const char *unicode_class (int c, int inset) {
  switch (c) {
    case 'd': return "\\p{Nd}";
    case 'D': return "\\P{Nd}";
    case 'w': return "\\p{Xwd}";
    case 'W': return "\\P{Xwd}";
    case 's': case 'S': return unicode_space(c, inset, 0);
    case 'b': return "(?:(?<=\\p{Xwd})(?!\\p{Xwd})"
                     "|(?<!\\p{Xwd})(?=\\p{Xwd}))";
    default:  return "(?:(?<=\\p{Xwd})(?=\\p{Xwd})"
                     "|(?<!\\p{Xwd})(?!\\p{Xwd}))(?!\\A\\z)";
  }
}


/*
** Emit class escape \c (d D s S w W b B) under scope `sc`.  Python's \B
** never matches in an empty string; PCRE2's does.
*/
static void emit_category (Xlat *t, const Scope *sc, int c, int inset,
                           size_t src) {
  if (sc->ascii == t->ucp) {  /* the scope's classes are not PCRE2's */
    emits(t, sc->ascii ? ascii_class(c, inset) : unicode_class(c, inset),
          src);
    t->x->ascii = 0;  /* \x{10ffff} needs UTF mode */
  }
  else if (!sc->ascii && (c == 's' || c == 'S')) {
    emits(t, unicode_space(c, inset, 1), src);
    if (c == 'S' && inset) t->x->ascii = 0;
  }
  else if (c == 'B')
    emits(t, "\\B(?!\\A\\z)", src);
  else {
    char buf[3] = { '\\', (char)c, '\0' };
    emits(t, buf, src);
  }
}


/*
** Read `ndig` hex digits at t->i for the escape whose backslash is at
** `at`; -1 with an error if they are missing.
*/
static long read_hex (Xlat *t, size_t at, int ndig) {
  long v = 0;
  int k;
  for (k = 0; k < ndig && t->i < t->len; k++) {
    int h = hexval((unsigned char)t->p[t->i]);
    if (h < 0) break;
    v = v * 16 + h;
    t->i++;
  }
  if (k < ndig) {
    fail(t, at, "incomplete escape %.*s", (int)(t->i - at), t->p + at);
    return -1;
  }
  return v;
}


/* Outcomes of parse_escape */
enum escape_kind {
  ESC_ERROR,     /* an error was recorded */
  ESC_CHAR,      /* a literal code point in *cp */
  ESC_CLASS,     /* a class escape (\d ...), already emitted */
  ESC_AT,        /* an anchor, already emitted */
  ESC_DONE       /* a back reference, already emitted */
};


/* Read up to `max` more octal digits onto v. */
static unsigned read_octal (Xlat *t, unsigned v, int max) {
  for (int k = 0; k < max && t->i < t->len && is_octal(t->p[t->i]); k++)
    v = v * 8 + (unsigned)(t->p[t->i++] - '0');
  return v;
}


/* A back reference or octal escape \<digits> outside a class. */
static int parse_digits_escape (Xlat *t, const Scope *sc, size_t at, int c,
                                unsigned *cp) {
  unsigned v = (unsigned)(c - '0');
  int g;
  if (t->i < t->len && is_digit(t->p[t->i])) {
    int d2 = t->p[t->i++];
    if (is_octal(c) && is_octal(d2) && t->i < t->len &&
        is_octal(t->p[t->i])) {
      v = read_octal(t, v * 8 + (unsigned)(d2 - '0'), 1);
      if (v > 0377)
        return fail(t, at, "octal escape value %.*s outside of range "
                    "0-0o377", (int)(t->i - at), t->p + at);
      *cp = v;
      return ESC_CHAR;
    }
    v = v * 10 + (unsigned)(d2 - '0');
  }
  g = (int)v;
  if (g > t->x->groups)
    return fail(t, at + 1, "invalid group reference %d", g);
  if (t->open[g])
    return fail(t, at, "cannot refer to an open group");
  if (!check_lookbehind_ref(t, g)) return ESC_ERROR;
  emit_backref(t, sc, g, at);
  return ESC_DONE;
}


/*
** A named character \N{name} in a text pattern, t->i after the N of the
** escape at `at`: CPython's syntax errors, then the error for a name,
** as named characters are not supported (docs/re.md).
*/
static int named_char_escape (Xlat *t, size_t at) {
  size_t off, n;
  if (t->i >= t->len || t->p[t->i] != '{') return fail(t, t->i, "missing {");
  t->i++;
  if (!read_name(t, '}', "character name", &off, &n)) return ESC_ERROR;
  return fail(t, at, "bad escape \\N: named Unicode escapes are not "
              "supported");
}


/*
** Parse the escape whose backslash is at t->i.  Literals are returned
** in *cp for the caller to emit (so classes can build ranges); the rest
** is emitted here.
*/
static int parse_escape (Xlat *t, const Scope *sc, int inset, unsigned *cp) {
  size_t at = t->i;
  int c;
  long v;
  t->i++;
  if (t->i >= t->len) return fail(t, at, "bad escape (end of pattern)");
  c = (unsigned char)t->p[t->i];
  if (c >= 0x80) { *cp = next_char(t); return ESC_CHAR; }
  t->i++;
  switch (c) {
    case 'a': *cp = 7; return ESC_CHAR;
    case 'f': *cp = 12; return ESC_CHAR;
    case 'n': *cp = 10; return ESC_CHAR;
    case 'r': *cp = 13; return ESC_CHAR;
    case 't': *cp = 9; return ESC_CHAR;
    case 'v': *cp = 11; return ESC_CHAR;
    case 'd': case 'D': case 's': case 'S': case 'w': case 'W':
      emit_category(t, sc, c, inset, at);
      return ESC_CLASS;
    case 'b': case 'B':
      if (inset && c == 'b') { *cp = 8; return ESC_CHAR; }
      if (inset) break;
      emit_category(t, sc, c, 0, at);
      return ESC_AT;
    case 'A': case 'Z':
      if (inset) break;
      emits(t, c == 'A' ? "\\A" : "\\z", at);
      return ESC_AT;
    case 'x':
      if ((v = read_hex(t, at, 2)) < 0) return ESC_ERROR;
      *cp = (unsigned)v;
      return ESC_CHAR;
    case 'u': case 'U':
      if (!t->utf) break;
      if ((v = read_hex(t, at, c == 'u' ? 4 : 8)) < 0) return ESC_ERROR;
      if (v > 0x10FFFF)
        return fail(t, at, "bad escape %.*s", (int)(t->i - at), t->p + at);
      *cp = (unsigned)v;
      return ESC_CHAR;
    case '0':
      *cp = read_octal(t, 0, 2);
      return ESC_CHAR;
    default:
      break;
  }
  if (is_digit(c) && !inset) return parse_digits_escape(t, sc, at, c, cp);
  if (is_octal(c)) {  /* inside a class: octal only */
    *cp = read_octal(t, (unsigned)(c - '0'), 2);
    if (*cp > 0377)
      return fail(t, at, "octal escape value %.*s outside of range 0-0o377",
                  (int)(t->i - at), t->p + at);
    return ESC_CHAR;
  }
  if (c == 'N' && t->utf) return named_char_escape(t, at);
  if (is_digit(c) || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))
    return fail(t, at, "bad escape \\%c", c);
  *cp = (unsigned)c;  /* an escaped ASCII punctuation or space */
  return ESC_CHAR;
}

/* }====================================================== */


/* {====================================================== Classes */

/*
** One class member at t->i: a literal (returns 1, *cp set) or a class
** escape already emitted (returns 2); 0 on error.
*/
static int class_member (Xlat *t, const Scope *sc, unsigned *cp) {
  if (t->p[t->i] == '\\') {
    int k = parse_escape(t, sc, 1, cp);
    if (k == ESC_ERROR) return 0;
    return k == ESC_CHAR ? 1 : 2;
  }
  *cp = next_char(t);
  return 1;
}


/* Length of CPython's token at `at`: an escape pair or one character. */
static size_t token_length (const Xlat *t, size_t at) {
  size_t n = 1;
  if (t->p[at] == '\\' && at + 1 < t->len) n = 2;  /* and its character */
  if (t->utf)
    while (at + n < t->len && (t->p[at + n] & 0xC0) == 0x80) n++;
  return n;
}


/* Characters in CPython's token at `at`: 2 for an escape, else 1. */
static size_t token_chars (const Xlat *t, size_t at) {
  return (t->p[at] == '\\' && at + 1 < t->len) ? 2 : 1;
}


/*
** The offset `n` characters before offset `from`, as CPython counts back
** from where its parser stands (so after the whole of "\10" though its
** token is "\1").
*/
static size_t chars_back (const Xlat *t, size_t from, size_t n) {
  while (n-- > 0 && from > 0) {
    from--;
    if (t->utf)
      while (from > 0 && (t->p[from] & 0xC0) == 0x80) from--;
  }
  return from;
}


/* Parse a character class whose '[' is at t->i. */
static int parse_class (Xlat *t, const Scope *sc) {
  size_t start = t->i++;
  size_t first;
  emits(t, "[", start);
  if (t->i < t->len && t->p[t->i] == '^') { emits(t, "^", t->i); t->i++; }
  first = t->i;
  for (;;) {
    size_t at = t->i;
    unsigned lo, hi;
    int klo, khi;
    if (t->i >= t->len) return fail(t, start, "unterminated character set");
    if (t->p[t->i] == ']' && t->i != first) { t->i++; break; }
    if (!(klo = class_member(t, sc, &lo))) return 0;
    if (t->i + 1 < t->len && t->p[t->i] == '-' && t->p[t->i + 1] != ']') {
      size_t hiat = ++t->i;
      if (!(khi = class_member(t, sc, &hi))) return 0;
      if (klo == 2 || khi == 2 || hi < lo) {
        /* CPython names the two tokens, "\\x" for "\\x41" */
        size_t nlo = token_length(t, at), nhi = token_length(t, hiat);
        size_t back = token_chars(t, at) + 1 + token_chars(t, hiat);
        return fail(t, chars_back(t, t->i, back), "bad character range "
                    "%.*s-%.*s", (int)nlo, t->p + at, (int)nhi, t->p + hiat);
      }
      emit_range(t, sc, lo, hi, at);
    }
    else if (klo == 1) emit_range(t, sc, lo, lo, at);
  }
  emits(t, "]", t->i - 1);
  return 1;
}

/* }====================================================== */


/* {====================================================== Sequences */

static int parse_alternation (Xlat *t, Scope sc, int depth, int top);


/* Skip whitespace and #-comments of verbose mode. */
static void skip_verbose (Xlat *t) {
  while (t->i < t->len) {
    char c = t->p[t->i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
        c == '\f') t->i++;
    else if (c == '#') {  /* to the end of the line; \<newline> is one token */
      while (t->i < t->len && t->p[t->i] != '\n')
        t->i += (t->p[t->i] == '\\') ? 2 : 1;
      if (t->i > t->len) {
        fail(t, t->len - 1, "bad escape (end of pattern)");
        return;
      }
    }
    else break;
  }
}


/*
** Read decimal digits at t->i into *v (saturating at PY_MAXREPEAT);
** returns the count.
*/
static size_t read_number (Xlat *t, unsigned long *v) {
  size_t n = 0;
  *v = 0;
  while (t->i < t->len && is_digit(t->p[t->i])) {
    unsigned long long w = *v * 10ull + (unsigned)(t->p[t->i] - '0');
    *v = (w >= PY_MAXREPEAT) ? PY_MAXREPEAT : (unsigned long)w;
    t->i++; n++;
  }
  return n;
}


/* Does the output from offset `from` on open a capturing group? */
static int opens_group (const Xlat *t, size_t from) {
  const char *o = t->x->out;
  for (size_t k = from; k < t->x->n; k++) {
    if (o[k] == '\\') k++;
    else if (o[k] == '(' && (k + 1 == t->x->n || o[k + 1] != '?')) return 1;
  }
  return 0;
}


/* Does the output from offset `from` on hold a look-behind? */
static int has_lookbehind (const Xlat *t, size_t from) {
  const char *o = t->x->out;
  for (size_t k = from; k + 3 < t->x->n; k++) {
    if (o[k] == '\\') k++;
    else if (memcmp(o + k, "(?<", 3) == 0 && (o[k + 3] == '=' || o[k + 3] == '!'))
      return 1;
  }
  return 0;
}


/* Is the item emitted from output offset `item` a look-behind? */
static int is_lookbehind (const Xlat *t, size_t item) {
  const char *o = t->x->out + item;
  return t->x->n - item >= 4 && memcmp(o, "(?<", 3) == 0 &&
         (o[3] == '=' || o[3] == '!');
}


/*
** A quantifier (`optional`: of minimum 0) on the look-behind emitted from
** `item`, inside a look-behind: PCRE2 10.42 finds no fixed length for
** (?<=(?<=x)?) or (?<=(?<=x)+), which CPython takes.  Repeating an
** assertion is having it once (minimum > 0), or it or nothing: X? is
** (?:X|), X?? is (?:|X), X?+ is (?>X|).  The lazy or possessive mark at
** t->i, if any, is consumed.
*/
static int repeat_lookbehind (Xlat *t, size_t item, size_t at,
                              int optional) {
  char mark = 0;
  if (t->i < t->len && (t->p[t->i] == '?' || t->p[t->i] == '+'))
    mark = t->p[t->i++];
  if (!optional) return 1;
  if (mark == '?') {
    insert_at(t, item, "(?:|", at);
    emits(t, ")", at);
    return 1;
  }
  if (mark == '+') t->x->atomic = 1;
  insert_at(t, item, mark == '+' ? "(?>" : "(?:", at);
  emits(t, "|)", at);
  return 1;
}


/*
** Under the TEMPLATE flag CPython 3.11 compiles no repeat: it fails on
** the first it meets, the one whose item starts first.  Note the repeat
** of the item emitted from `item` (named by the lazy or possessive mark
** at t->i, if any) when it is that one, for pattern.c to raise.
*/
static void note_template_repeat (Xlat *t, size_t item) {
  ReXlat *x = t->x;
  char mark = (t->i < t->len) ? t->p[t->i] : 0;
  size_t pos = (item < x->n) ? x->map[item] : t->i;
  if (!(x->flags & RE_T) || (x->repeat_op && x->repeat_pos <= pos)) return;
  x->repeat_op = (mark == '?') ? "MIN_REPEAT"
               : (mark == '+') ? "POSSESSIVE_REPEAT" : "MAX_REPEAT";
  x->repeat_pos = pos;
  x->repeat_lookbehind = (t->lookbehind_first != 0);
}


/*
** A quantifier at t->i ('*', '+', '?' or '{') for the item emitted from
** output offset `item`; returns -1 when a '{' turns out to be a literal,
** 0 on error, 1 when emitted.  A possessive X*+ becomes (?>X*): PCRE2
** 10.42's JIT keeps stale captures of possessive groups.
*/
static int parse_quantifier (Xlat *t, int last, size_t item) {
  size_t at = t->i;
  char c = t->p[t->i];
  char buf[48];
  int never = 0;  /* {0} */
  int optional = (c == '*' || c == '?');  /* of minimum 0 */
  int unbounded = (c != '?');
  if (c == '{') {
    unsigned long lo, hi;
    size_t nlo, nhi;
    int comma = 0;
    t->i++;
    if (t->i < t->len && t->p[t->i] == '}') { t->i = at; return -1; }
    nlo = read_number(t, &lo);
    if (t->i < t->len && t->p[t->i] == ',') {
      t->i++; comma = 1;
      nhi = read_number(t, &hi);
    }
    else { nhi = nlo; hi = lo; }
    if (t->i >= t->len || t->p[t->i] != '}') { t->i = at; return -1; }
    t->i++;
    if (lo >= PY_MAXREPEAT || (nhi && hi >= PY_MAXREPEAT)) {
      t->x->errtype = "OverflowError";
      return fail(t, at + 1, "the repetition number is too large");
    }
    if (lo > RE_MAXREPEAT || (nhi && hi > RE_MAXREPEAT))
      return fail(t, at + 1, "the repetition number is too large");
    if (nhi && hi < lo)
      return fail(t, at + 1, "min repeat greater than max repeat");
    never = (lo == 0 && nhi && hi == 0);
    optional = (lo == 0);
    unbounded = comma && !nhi;
    if (!comma) snprintf(buf, sizeof(buf), "{%lu}", lo);
    else if (nhi) snprintf(buf, sizeof(buf), "{%lu,%lu}", lo, hi);
    else snprintf(buf, sizeof(buf), "{%lu,}", lo);
  }
  else {
    t->i++;
    buf[0] = c; buf[1] = '\0';
  }
  if (last == LAST_NONE || last == LAST_AT)
    return fail(t, at, "nothing to repeat");
  if (last == LAST_REPEAT) return fail(t, at, "multiple repeat");
  note_template_repeat(t, item);
  if (never && t->lookbehind_first == 0) {
    /* X{0} matches "": X goes, or becomes (?:(?!)X)? when it has groups
       (they stay unset), which spares PCRE2 10.42 a wrong anchoring:
       (?:x|^){0}a never matched "ba".  (A look-behind keeps X{0}, of
       fixed length 0 to PCRE2.)  X with a look-behind stays too, so that
       PCRE2 still checks its width, as CPython does: (?<!a*){0} is an
       error. */
    if (!opens_group(t, item) && !has_lookbehind(t, item)) t->x->n = item;
    else {
      insert_at(t, item, "(?:(?!)", at);
      emits(t, ")?", at);
    }
    if (t->i < t->len && (t->p[t->i] == '+' || t->p[t->i] == '?')) t->i++;
    return 1;
  }
  if (!never && t->lookbehind_first != 0 && is_lookbehind(t, item))
    return repeat_lookbehind(t, item, at, optional);
  if (optional && unbounded && t->alternatives && t->x->out[item] != '(')
    t->x->altstar = 1;
  emits(t, buf, at);
  if (t->i < t->len && t->p[t->i] == '+') {
    t->x->atomic = 1;
    insert_at(t, item, "(?>", at);
    emits(t, ")", t->i++);
  }
  else if (t->i < t->len && t->p[t->i] == '?')
    emits(t, "?", t->i++);
  return 1;
}


/* Flag letter -> Python flag bit (0 if not a flag). */
static lua_Integer flag_bit (char c) {
  switch (c) {
    case 'a': return RE_A;
    case 'i': return RE_I;
    case 't': return RE_T;
    case 'L': return RE_L;
    case 'm': return RE_M;
    case 's': return RE_S;
    case 'u': return RE_U;
    case 'x': return RE_X;
    default: return 0;
  }
}

/* str.isalpha for messages: ASCII letters, and non-ASCII as letters */
/* Is the character at `at` a letter (str.isalpha, for the messages)? */
static int is_letter (const Xlat *t, size_t at) {
  unsigned char c = (unsigned char)t->p[at];
  if (c < 0x80) return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  return unicode_matches("\\p{L}", t->p + at, token_length(t, at), t->utf);
}


/* Emit PCRE2's letters for the i/m/s bits of `bits`. */
static void emit_flag_letters (Xlat *t, lua_Integer bits, size_t src) {
  if (bits & RE_I) emits(t, "i", src);
  if (bits & RE_M) emits(t, "m", src);
  if (bits & RE_S) emits(t, "s", src);
}


/* Check the type flags (a, L, u) turned on by inline flags `add`. */
static int check_type_flags (Xlat *t, lua_Integer add) {
  lua_Integer typeflags = add & (RE_A | RE_L | RE_U);
  if ((add & RE_L) && t->utf)
    return fail(t, t->i, "bad inline flags: cannot use 'L' flag with a str "
                "pattern");
  if ((add & RE_U) && !t->utf)
    return fail(t, t->i, "bad inline flags: cannot use 'u' flag with a "
                "bytes pattern");
  if (typeflags & (typeflags - 1))
    return fail(t, t->i, "bad inline flags: flags 'a', 'u' and 'L' are "
                "incompatible");
  return 1;
}


/* Read the flags to turn off after '-' in "(?x-y:"; 0 on error. */
static int read_off_flags (Xlat *t, lua_Integer *del) {
  t->i++;
  if (t->i >= t->len) return fail(t, t->i, "missing flag");
  for (;;) {
    lua_Integer bit;
    char c;
    if (t->i >= t->len) return fail(t, t->i, "missing :");
    c = t->p[t->i];
    if (c == ':' && (*del & RE_T))
      return fail(t, t->i, "bad inline flags: cannot turn off global flag");
    if (c == ':') return *del ? 1 : fail(t, t->i, "missing flag");
    if (!(bit = flag_bit(c))) {
      size_t at = t->i;
      t->i += token_length(t, at);  /* consumed, as CPython's tokenizer has */
      if (is_letter(t, at)) return fail(t, at, "unknown flag");
      return fail(t, at, *del ? "missing :" : "missing flag");
    }
    if (bit & (RE_A | RE_L | RE_U))
      return fail(t, t->i + 1, "bad inline flags: cannot turn off flags "
                  "'a', 'u' and 'L'");
    *del |= bit;
    t->i++;
  }
}


/*
** Inline flags "(?aiLmsux-imsx)" or "(?...:" with t->i after "(?".
** Global flags update the translation (returns 1); scoped ones open a
** group (returns 2).
*/
static int parse_flags (Xlat *t, Scope *sc, int depth, int top,
                        size_t paren) {
  lua_Integer add = 0, del = 0;
  char c;
  Scope inner = *sc;
  for (;;) {
    lua_Integer bit;
    if (t->i >= t->len) return fail(t, t->i, "missing -, : or )");
    c = t->p[t->i];
    if (c == ')' || c == ':' || c == '-') break;
    if (!(bit = flag_bit(c))) {
      size_t at = t->i;
      t->i += token_length(t, at);  /* consumed, as CPython's tokenizer has */
      return fail(t, at, is_letter(t, at) ? "unknown flag"
                                          : "missing -, : or )");
    }
    add |= bit;
    t->i++;
    if (!check_type_flags(t, add)) return 0;
  }
  if (c == ')') {  /* global flags */
    t->i++;
    if (!top || t->topitems)
      return fail(t, paren, "global flags not at the start of the "
                  "expression");
    t->x->flags |= add;
    if (add & RE_X) sc->verbose = 1;
    if (add & RE_I) sc->icase = 1;
    if (add & RE_A) { t->ucp = 0; sc->ascii = 1; }
    return 1;
  }
  if (add & RE_T)
    return fail(t, t->i, "bad inline flags: cannot turn on global flag");
  if (c == '-' && !read_off_flags(t, &del)) return 0;
  t->i++;  /* skip ':' */
  if (add & del)
    return fail(t, t->i - 1, "bad inline flags: flag turned on and off");
  if (add & RE_X) inner.verbose = 1;
  if (del & RE_X) inner.verbose = 0;
  if (add & RE_A) inner.ascii = 1;
  if (add & RE_U) inner.ascii = 0;
  if (add & RE_I) inner.icase = 1;
  if (del & RE_I) inner.icase = 0;
  add &= RE_M | RE_S;  /* PCRE2's i follows pcre_caseless */
  del &= RE_M | RE_S;
  if (pcre_caseless(t, &inner) && !pcre_caseless(t, sc)) add |= RE_I;
  if (!pcre_caseless(t, &inner) && pcre_caseless(t, sc)) del |= RE_I;
  emits(t, "(?", paren);
  emit_flag_letters(t, add, paren);
  if (del) {
    emits(t, "-", paren);
    emit_flag_letters(t, del, paren);
  }
  emits(t, ":", paren);
  if (!parse_alternation(t, inner, depth + 1, 0)) return 0;
  if (t->i >= t->len)
    return fail(t, paren, "missing ), unterminated subpattern");
  emits(t, ")", t->i++);
  return 2;
}


/* Record that a conditional at `pos` tests group g; 0 on error. */
static int note_condref (Xlat *t, unsigned long g, size_t pos) {
  if (t->nconds == t->condcap) {
    CondRef *conds = grow_array(t, t->conds, &t->condcap, sizeof(CondRef),
                                pos);
    if (conds == NULL) return 0;
    t->conds = conds;
  }
  t->conds[t->nconds].group = g;
  t->conds[t->nconds++].pos = pos;
  return 1;
}


/* A conditional "(?(id)yes|no)" with t->i after "(?(". */
static int parse_conditional (Xlat *t, const Scope *sc, int depth,
                              size_t paren) {
  size_t off, n;
  int g;
  char buf[32];
  if (!read_name(t, ')', "group name", &off, &n)) return 0;
  if (pyre_isidentifier(t->p + off, n, t->utf)) {
    if (!(g = find_name(t->x, t->p, t->p + off, n)))
      return fail(t, off, "unknown group name %s",
                quote_name(t, off, n));
  }
  else {
    unsigned long v = 0;
    size_t lead = 0;
    for (size_t k = 0; k < n; k++) {
      if (!is_digit(t->p[off + k]))
        return fail(t, off, "bad character in group name %s",
                quote_name(t, off, n));
      v = (v > PY_MAXGROUPS / 10) ? PY_MAXGROUPS  /* saturated */
                                  : v * 10 + (unsigned)(t->p[off + k] - '0');
    }
    while (lead + 1 < n && t->p[off + lead] == '0') lead++;
    if (v == 0) return fail(t, off, "bad group number");
    if (v >= PY_MAXGROUPS)  /* the number as written, as CPython's int() */
      return fail(t, off, "invalid group reference %.*s", (int)(n - lead),
                  t->p + off + lead);
    if (!note_condref(t, v, off)) return 0;
    g = (int)v;
  }
  if (!check_lookbehind_ref(t, g)) return 0;
  snprintf(buf, sizeof(buf), "(?(%d)", g);
  emits(t, buf, paren);
  if (!parse_alternation(t, *sc, depth + 1, -1)) return 0;
  if (t->i < t->len && t->p[t->i] == '|') {
    emits(t, "|", t->i++);
    if (!parse_alternation(t, *sc, depth + 1, -1)) return 0;
    if (t->i < t->len && t->p[t->i] == '|')
      return fail(t, t->i, "conditional backref with more than two "
                  "branches");
  }
  else if (t->lookbehind_first != 0 && t->i < t->len)
    /* In a look-behind, the empty "no" branch is written out: PCRE2
       10.42 takes the length of "(?(1)b)" from its one branch, where
       CPython (and the branch left implicit) make it variable; the
       look-behind then stepped back over "b" whether group 1 was set or
       not: (b)?x(?<=(?(1)b)x) never matched "x" */
    emits(t, "|", t->i);
  if (t->i >= t->len)
    return fail(t, paren, "missing ), unterminated subpattern");
  emits(t, ")", t->i++);
  return 1;
}


/*
** Fail with "unknown extension" for the "(" at `paren`: `what` and the
** token at `at`, which is consumed first (as CPython's tokenizer has it:
** a pattern that ends in a lone backslash then fails there instead).
*/
static int unknown_extension (Xlat *t, size_t paren, const char *what,
                              size_t at) {
  size_t n = token_length(t, at);
  t->i = at + n;
  return fail(t, paren + 1, "unknown extension %s%.*s", what, (int)n,
              t->p + at);
}


/*
** The "(?P..." forms with t->i after "(?P": a named group (returns its
** number, opening it), or a named back reference (emitted; returns -1).
*/
static int parse_p_extension (Xlat *t, const Scope *sc, size_t paren) {
  size_t off, n;
  char c;
  int g;
  if (t->i >= t->len) return fail(t, t->i, "unexpected end of pattern");
  c = t->p[t->i++];
  if (c == '<') {
    if (!read_name(t, '>', "group name", &off, &n)) return 0;
    if (!pyre_isidentifier(t->p + off, n, t->utf))
      return fail(t, off, "bad character in group name %s",
                quote_name(t, off, n));
    if (!(g = open_group(t))) return 0;
    return add_name(t, off, n, g) ? g : 0;
  }
  if (c == '=') {
    if (!read_name(t, ')', "group name", &off, &n)) return 0;
    if (!(g = named_reference(t, off, n))) return 0;
    if (t->open[g]) return fail(t, off, "cannot refer to an open group");
    if (!check_lookbehind_ref(t, g)) return 0;
    emit_backref(t, sc, g, paren);
    return -1;
  }
  return unknown_extension(t, paren, "?P", t->i - 1);
}


/*
** A group whose '(' is at t->i.  Returns 0 on error, 1 for an item,
** 3 for something that is no item (global flags, comments).
*/
static int parse_group (Xlat *t, Scope *sc, int depth, int top) {
  size_t paren = t->i;
  const char *open = "(";
  int capture = 0, lookbehind_first = t->lookbehind_first;
  if (depth >= RE_MAXNEST)
    return fail(t, paren, "too many nested parentheses");
  t->i++;
  if (t->i < t->len && t->p[t->i] == '?') {
    unsigned char c;
    t->i++;
    if (t->i >= t->len) return fail(t, t->i, "unexpected end of pattern");
    c = (unsigned char)t->p[t->i];
    switch (c) {
      case ':': open = "(?:"; t->i++; break;
      case '=': open = "(?="; t->i++; t->x->lookahead = 1; break;
      case '!': open = "(?!"; t->i++; break;
      case '>': open = "(?>"; t->i++; t->x->atomic = 1; break;
      case '<':
        t->i++;
        if (t->i >= t->len) return fail(t, t->i, "unexpected end of pattern");
        c = (unsigned char)t->p[t->i];
        if (c != '=' && c != '!')
          return unknown_extension(t, paren, "?<", t->i);
        open = (c == '=') ? "(?<=" : "(?<!";
        if (lookbehind_first == 0) t->lookbehind_first = t->x->groups + 1;
        t->i++;
        break;
      case '#':  /* to the first ')' that no backslash escapes */
        while (t->i < t->len && t->p[t->i] != ')')
          t->i += (t->p[t->i] == '\\') ? 2 : 1;
        if (t->i >= t->len)
          return fail(t, paren, "missing ), unterminated comment");
        t->i++;
        return 3;
      case '(':
        t->i++;
        return parse_conditional(t, sc, depth, paren);
      case 'P':
        t->i++;
        if ((capture = parse_p_extension(t, sc, paren)) <= 0)
          return capture < 0;
        break;
      default: {
        int r;
        if (flag_bit((char)c) || c == '-') {
          if (!(r = parse_flags(t, sc, depth, top, paren))) return 0;
          return r == 1 ? 3 : 1;
        }
        return unknown_extension(t, paren, "?", t->i);
      }
    }
  }
  else if (!(capture = open_group(t))) return 0;
  emits(t, open, paren);
  if (!parse_alternation(t, *sc, depth + 1, 0)) return 0;
  if (t->i >= t->len)
    return fail(t, paren, "missing ), unterminated subpattern");
  emits(t, ")", t->i++);
  t->lookbehind_first = lookbehind_first;
  if (capture) {
    t->open[capture] = 0;
    t->x->order[capture] = ++t->closed;
  }
  return 1;
}


/*
** A branch of `branches` (one of several, or a conditional's) just ended
** with `last`: one that matches nothing but zero-width items makes PCRE2
** 10.42's JIT start-up optimizations miss matches, as `(?:a|)b*a` on "a".
*/
static void note_branch (Xlat *t, int last, int branches) {
  if (branches > 1 && (last == LAST_NONE || last == LAST_AT))
    t->x->emptybranch = 1;
}


/*
** Branches separated by '|' up to a ')' or the end; `top` is 1 at the
** top level, -1 for a conditional's branch (stops at '|' too).
*/
static int parse_alternation (Xlat *t, Scope sc, int depth, int top) {
  int last = LAST_NONE, branches = 1;
  size_t item = t->x->n;  /* output offset of the last item */
  while (!t->failed) {
    char c;
    unsigned cp;
    size_t at, previtem = item;
    if (sc.verbose) skip_verbose(t);
    if (t->i >= t->len) break;
    at = t->i;
    c = t->p[t->i];
    if (c != '*' && c != '+' && c != '?' && c != '{') item = t->x->n;
    switch (c) {
      case '|':
        note_branch(t, last, branches + (top < 0));
        if (top < 0) return 1;
        emits(t, "|", t->i++);
        last = LAST_NONE;
        branches++;
        if (top == 1) t->topitems++;
        continue;
      case ')':
        if (top == 1) {
          t->x->late = 1;
          return fail(t, t->i, "unbalanced parenthesis");
        }
        note_branch(t, last, branches + (top < 0));
        if (branches > 1 && top == 0) t->alternatives = 1;
        return 1;
      case '(': {
        int r = parse_group(t, &sc, depth, top == 1);
        if (!r) return 0;
        if (r == 3) {  /* a comment or flags: a quantifier next applies */
          item = previtem;  /* to the item before */
          continue;
        }
        last = LAST_ITEM;
        break;
      }
      case '[':
        if (!parse_class(t, &sc)) return 0;
        last = LAST_ITEM;
        break;
      case '*': case '+': case '?': case '{': {
        int r = parse_quantifier(t, last, item);
        if (r == 0) return 0;
        if (r > 0) { last = LAST_REPEAT; break; }
        item = t->x->n;  /* a literal '{' */
        t->i++;
        emits(t, "\\{", at);
        last = LAST_ITEM;
        break;
      }
      case '^': case '$':
        emitn(t, &c, 1, t->i++);
        last = LAST_AT;
        break;
      case '.':
        emits(t, ".", t->i++);
        last = LAST_ITEM;
        break;
      case '\\':
        switch (parse_escape(t, &sc, 0, &cp)) {
          case ESC_ERROR: return 0;
          case ESC_CHAR: emit_char(t, &sc, cp, at); last = LAST_ITEM; break;
          case ESC_AT: last = LAST_AT; break;
          default: last = LAST_ITEM; break;
        }
        break;
      default:
        if ((unsigned char)c >= 0x80 && t->utf) {
          unsigned u = next_char(t);
          if (needs_case_sets(t, &sc, u, u)) emit_char(t, &sc, u, at);
          else emitn(t, t->p + at, t->i - at, at);
          t->x->ascii = 0;
        }
        else emit_char(t, &sc, (unsigned char)t->p[t->i++], at);
        last = LAST_ITEM;
        break;
    }
    if (top == 1) t->topitems++;
  }
  note_branch(t, last, branches + (top < 0));
  return !t->failed;
}

/* }====================================================== */


/* {====================================================== Entry points */

/* Does the pattern end with a lone (unescaped) backslash? */
static int ends_in_backslash (const char *pat, size_t len) {
  size_t n = 0;
  while (n < len && pat[len - 1 - n] == '\\') n++;
  return n % 2 == 1;
}


/*
** Translate pattern `pat` under Python flags `flags` into x (zeroed by
** the caller).  Returns 1, or 0 with x->msg and x->errpos set.  The
** pattern must be valid UTF-8 unless RE_BYTES is set.
*/
int pyre_translate (const char *pat, size_t len, lua_Integer flags,
                    ReXlat *x) {
  Xlat t;
  Scope sc;
  memset(&t, 0, sizeof(t));
  t.p = pat;
  t.len = len;
  t.x = x;
  t.utf = !(flags & RE_BYTES);
  t.ucp = t.utf && !(flags & RE_A);
  x->flags = flags;
  x->ascii = t.utf;
  sc.verbose = (flags & RE_X) != 0;
  sc.ascii = !t.ucp;
  sc.icase = (flags & RE_I) != 0;
  if (reserve_group(&t, 0)) {
    emits(&t, "", 0);
    parse_alternation(&t, sc, 0, 1);
    if (t.x->flags & RE_I) sc.icase = 1;  /* a global (?i) */
    if (t.x->flags & RE_A) sc.ascii = 1;
    x->caseless = pcre_caseless(&t, &sc);
    for (int k = 0; k < t.nconds && !t.failed; k++)  /* the first bad one */
      if (t.conds[k].group > (unsigned long)x->groups) {
        x->late = 1;
        fail(&t, t.conds[k].pos, "invalid group reference %lu",
             t.conds[k].group);
        break;
      }
  }
  free(t.open);
  free(t.conds);
  free(t.quoted);
  if (t.failed && ends_in_backslash(pat, len) &&
      (t.stop + 1 >= len || strstr(x->msg, "unterminated name"))) {
    /* CPython's tokenizer, one token ahead, meets the backslash first */
    x->msg = "bad escape (end of pattern)";
    x->errpos = len - 1;
  }
  return !t.failed;
}


void pyre_xlatfree (ReXlat *x) {
  free(x->out);
  free(x->map);
  free(x->order);
  free(x->names);
  free(x->msgmem);
  memset(x, 0, sizeof(*x));
}


/* }====================================================== */
