// UnsafeScope native shim: parses Rust with tree-sitter and flattens the tree
// into one array of compact records, so managed code makes one native call per
// file and never holds a native tree or node handle.
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "tree_sitter/api.h"
// tree-sitter's internal headers, for the direct flatten walk (the library is built from the same pinned sources).
#include "subtree.h"
#include "language.h"
#include "tree.h"
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#if defined(_WIN32)
#define US_EXPORT __declspec(dllexport)
#include <windows.h>
#else
#define US_EXPORT __attribute__((visibility("default")))
#include <sys/mman.h>
#endif
#include "unsafescope_ts.h"

const TSLanguage *tree_sitter_rust(void);

// ---- per-parse arena ----
// Every allocation tree-sitter makes while one file is parsed, flattened and queried comes from an arena owned by
// the us_parser, and the tree is dropped with it instead of being freed node by node: glibc's malloc and free of
// millions of small subtrees, and ts_tree_delete's walk over them, were a sixth of the parse (measured with the C
// baseline: the same parse under mimalloc was 13-19% faster). Blocks freed during the parse are reused by size
// class. Outside a parse (queries, parsers) the allocator is libc's. Each block has an 8-byte header: its arena's
// id (0 for libc) and its size class, so free and realloc know where it came from. Tree-sitter's structures need
// 8-byte alignment, not malloc's 16: a 16-byte header and 16-byte classes made the most common block (a two-child
// subtree, 88 bytes) take 112 bytes instead of 96.

typedef struct us_chunk {
  struct us_chunk *next;
  size_t size;   // bytes, this header included
  size_t used;
} us_chunk;

#define US_SMALL_CLASSES 128  // 8-byte steps up to 1 KB
#define US_CLASSES (US_SMALL_CLASSES + 32)
#define US_CHUNK_MIN ((size_t)1 << 20)
#define US_CHUNK_MAX ((size_t)64 << 20)
#define US_ARENA_KEEP ((size_t)8 << 20)  // kept for the next parse; the rest is unmapped

typedef struct us_arena {
  uint32_t id;        // in each block's header; 0 until the arena's first parse
  us_chunk *chunks;   // in use: the current chunk first
  us_chunk *spare;    // kept from earlier parses, unused yet in this one
  void *free_lists[US_CLASSES];
  size_t next_size;
} us_arena;

typedef struct {
  uint32_t arena;  // the owning arena's id; 0: a libc block
  uint32_t cls;    // an arena block's size class
} us_header;

static _Thread_local us_arena *tl_arena;
static volatile uint32_t us_arena_ids;

// Size classes: 1..128 in 8-byte steps up to 1 KB, then 129.. for powers of two from 2 KB.
static size_t us_class(size_t n) {
  if (n <= 1024) return n == 0 ? 1 : (n + 7) >> 3;
  unsigned k = 11;
  while (((size_t)1 << k) < n) k++;
  return US_SMALL_CLASSES + (k - 10);
}

static size_t us_capacity(size_t cls) { return cls <= US_SMALL_CLASSES ? cls << 3 : (size_t)1 << (cls - US_SMALL_CLASSES + 10); }

static us_chunk *us_chunk_map(size_t size) {
#if defined(_WIN32)
  void *m = VirtualAlloc(NULL, size, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
  if (!m) return NULL;
#else
  void *m = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (m == MAP_FAILED) return NULL;
#if defined(MADV_HUGEPAGE)
  // Chunks past what the arena keeps are mapped afresh for each big file: as 4 KB pages that was 132 k page faults
  // per one-worker corpus run (0.5 s of system time); as transparent huge pages, where the system allows them, a
  // few hundred. Outputs do not depend on it; a refusal leaves the small pages.
  if (size >= ((size_t)2 << 20)) madvise(m, size, MADV_HUGEPAGE);
#endif
#endif
  us_chunk *c = (us_chunk *)m;
  c->next = NULL;
  c->size = size;
  c->used = sizeof(us_chunk);  // a multiple of 8, as are headers and blocks: every block 8-byte aligned
  return c;
}

static void us_chunk_unmap(us_chunk *c) {
#if defined(_WIN32)
  VirtualFree(c, 0, MEM_RELEASE);
#else
  munmap(c, c->size);
#endif
}

static void *us_arena_alloc(us_arena *a, size_t n) {
  size_t cls = us_class(n);
  if (cls >= US_CLASSES) return NULL;
  us_header *h;
  if (a->free_lists[cls]) {
    h = (us_header *)a->free_lists[cls] - 1;
    a->free_lists[cls] = *(void **)a->free_lists[cls];
  } else {
    size_t need = sizeof(us_header) + us_capacity(cls);
    us_chunk *c = a->chunks;
    if (!c || c->size - c->used < need) {
      // A kept chunk with room, else a new one (twice the last, up to 64 MB, or as big as the block).
      us_chunk **s = &a->spare;
      while (*s && (*s)->size - (*s)->used < need) s = &(*s)->next;
      if (*s) {
        c = *s;
        *s = c->next;
      } else {
        size_t size = a->next_size < US_CHUNK_MIN ? US_CHUNK_MIN : a->next_size;
        while (size - sizeof(us_chunk) - 8 < need) size *= 2;
        if (!(c = us_chunk_map(size))) return NULL;
        a->next_size = size * 2 > US_CHUNK_MAX ? US_CHUNK_MAX : size * 2;
      }
      c->next = a->chunks;
      a->chunks = c;
    }
    h = (us_header *)((char *)c + c->used);
    c->used += need;
  }
  h->arena = a->id;
  h->cls = (uint32_t)cls;
  return h + 1;
}

// Forgets every block: the chunks are kept (up to US_ARENA_KEEP bytes, the rest unmapped) for the next parse.
static void us_arena_reset(us_arena *a, int keep) {
  us_chunk *all = a->chunks;
  while (all) {
    us_chunk *next = all->next;
    all->next = a->spare;
    a->spare = all;
    all = next;
  }
  a->chunks = NULL;
  memset(a->free_lists, 0, sizeof a->free_lists);
  size_t kept = 0;
  us_chunk **s = &a->spare;
  while (*s) {
    us_chunk *c = *s;
    if (keep && kept + c->size <= US_ARENA_KEEP) {
      kept += c->size;
      c->used = sizeof(us_chunk);
      s = &c->next;
    } else {
      *s = c->next;
      us_chunk_unmap(c);
    }
  }
  a->next_size = US_CHUNK_MIN;
}

static void *us_malloc(size_t n) {
  us_header *h;
  if (tl_arena) {
    void *p = us_arena_alloc(tl_arena, n);
    if (p) return p;
    abort();  // as tree-sitter's own allocator does when memory runs out
  }
  if (!(h = (us_header *)malloc(sizeof(us_header) + n))) abort();
  h->arena = 0;
  return h + 1;
}

static void *us_calloc(size_t count, size_t size) {
  if (size && count > SIZE_MAX / size) abort();
  void *p = us_malloc(count * size);
  memset(p, 0, count * size);
  return p;
}

static void us_free(void *p) {
  if (!p) return;
  us_header *h = (us_header *)p - 1;
  if (!h->arena) {
    free(h);
    return;
  }
  // Reused only by its own arena's parse; otherwise it simply goes when that arena is reset.
  if (!tl_arena || tl_arena->id != h->arena) return;
  *(void **)p = tl_arena->free_lists[h->cls];
  tl_arena->free_lists[h->cls] = p;
}

static void *us_realloc(void *p, size_t n) {
  if (!p) return us_malloc(n);
  us_header *h = (us_header *)p - 1;
  if (!h->arena) {
    us_header *m = (us_header *)realloc(h, sizeof(us_header) + n);
    if (!m) abort();
    return m + 1;
  }
  size_t old = us_capacity(h->cls);
  if (n <= old) return p;
  void *q = us_malloc(n);
  memcpy(q, p, old);
  us_free(p);
  return q;
}

__attribute__((constructor)) static void us_install_allocator(void) {
  ts_set_allocator(us_malloc, us_calloc, us_realloc, us_free);
}

// A parser owned by one worker thread, with its reusable output buffers.
struct us_parser {
  us_node *nodes;
  uint32_t count;
  uint32_t capacity;
  uint32_t *stack;         // open ancestors during the flatten walk
  uint32_t stack_capacity;
  us_match *matches;
  uint32_t match_count, match_capacity;
  us_capture *captures;
  uint32_t capture_count, capture_capacity;
  uint32_t skip_to;        // the next parse starts lexing here (the bytes before are blank)
  us_arena arena;          // what tree-sitter allocates during one parse of us_parse_query
};

typedef struct {
  uint64_t deadline_ns;            // 0 = no limit
  const volatile int32_t *cancel;  // may be NULL
} us_progress;


static uint64_t now_ns(void) {
#if defined(_WIN32)
  LARGE_INTEGER f, c;
  QueryPerformanceFrequency(&f);
  QueryPerformanceCounter(&c);
  return (uint64_t)((double)c.QuadPart * 1e9 / (double)f.QuadPart);
#else
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
#endif
}

static bool on_progress(TSParseState *state) {
  const us_progress *p = (const us_progress *)state->payload;
  if (p->cancel && *p->cancel) return true;
  if (p->deadline_ns && now_ns() > p->deadline_ns) return true;
  return false;
}

// ---- exports: what each one does is said once, in unsafescope_ts.h ----

US_EXPORT uint32_t us_node_size(void) { return (uint32_t)sizeof(us_node); }
US_EXPORT uint32_t us_abi_version(void) { return 4; }
US_EXPORT uint32_t us_language_version(void) { return ts_language_abi_version(tree_sitter_rust()); }
US_EXPORT uint32_t us_symbol_count(void) { return ts_language_symbol_count(tree_sitter_rust()); }
US_EXPORT const char *us_symbol_name(uint16_t symbol) { return ts_language_symbol_name(tree_sitter_rust(), symbol); }
US_EXPORT int32_t us_symbol_type(uint16_t symbol) { return (int32_t)ts_language_symbol_type(tree_sitter_rust(), symbol); }
US_EXPORT uint32_t us_field_count(void) { return ts_language_field_count(tree_sitter_rust()); }
US_EXPORT const char *us_field_name(uint16_t field) { return ts_language_field_name_for_id(tree_sitter_rust(), field); }

US_EXPORT us_parser *us_parser_new(void) {
  // Each parse makes its own TSParser in the parser's arena; this one only checks that the language loads.
  TSParser *check = ts_parser_new();
  bool ok = check && ts_parser_set_language(check, tree_sitter_rust());
  if (check) ts_parser_delete(check);
  if (!ok) return NULL;
  return (us_parser *)calloc(1, sizeof(us_parser));
}

US_EXPORT void us_parser_delete(us_parser *p) {
  if (!p) return;
  us_arena_reset(&p->arena, 0);
  free(p->matches);
  free(p->captures);
  free(p->nodes);
  free(p->stack);
  free(p);
}

#define US_BUFFER_KEEP ((size_t)4 << 20)

// An output buffer grown for a big file is the caller's until the next call: then it is freed rather than kept at
// that size for every later (mostly small) file of the worker.
static void us_shrink(void **buf, uint32_t *capacity, size_t elem) {
  if ((size_t)*capacity * elem <= US_BUFFER_KEEP) return;
  free(*buf);
  *buf = NULL;
  *capacity = 0;
}

// A fresh TSParser whose allocations, and those of the tree it parses, come from the parser's arena.
static TSParser *us_begin(us_parser *p) {
  if (!p->arena.id) {
#if defined(_WIN32)
    p->arena.id = (uint32_t)InterlockedIncrement((volatile LONG *)&us_arena_ids);
#else
    p->arena.id = __atomic_add_fetch(&us_arena_ids, 1, __ATOMIC_RELAXED);
#endif
  }
  us_shrink((void **)&p->nodes, &p->capacity, sizeof(us_node));
  us_shrink((void **)&p->stack, &p->stack_capacity, sizeof(uint32_t));
  us_shrink((void **)&p->matches, &p->match_capacity, sizeof(us_match));
  us_shrink((void **)&p->captures, &p->capture_capacity, sizeof(us_capture));
  tl_arena = &p->arena;
  TSParser *parser = ts_parser_new();
  if (ts_parser_set_language(parser, tree_sitter_rust())) return parser;
  ts_parser_delete(parser);
  tl_arena = NULL;
  us_arena_reset(&p->arena, 1);
  return NULL;
}

// The tree, query cursor and parser state are not freed one node at a time: the arena drops them. The parser is
// deleted first (cheaply: its blocks go back to the arena) because its external scanner's state is libc memory.
static void us_end(us_parser *p, TSParser *parser) {
  ts_parser_delete(parser);
  tl_arena = NULL;
  us_arena_reset(&p->arena, 1);
}

static bool grow(void **buf, uint32_t *capacity, uint32_t need, size_t elem) {
  if (need <= *capacity) return true;
  uint32_t cap = *capacity ? *capacity : 1024;
  while (cap < need) cap *= 2;
  void *n = realloc(*buf, (size_t)cap * elem);
  if (!n) return false;
  *buf = n;
  *capacity = cap;
  return true;
}

// The cursor walk this replaced, kept only to check the direct walk against (US_FLATTEN_CHECK builds).
#ifdef US_FLATTEN_CHECK
// Iterative preorder walk with a cursor: deep nesting cannot overflow the stack.
static int flatten_cursor(us_parser *p, TSTree *tree) {
  TSTreeCursor cursor = ts_tree_cursor_new(ts_tree_root_node(tree));
  uint32_t depth = 0;
  uint32_t prev = US_NONE;  // previous sibling of the node written next
  int status = US_STATUS_OK;
  p->count = 0;
  for (;;) {
    if (!grow((void **)&p->nodes, &p->capacity, p->count + 1, sizeof(us_node)) ||
        !grow((void **)&p->stack, &p->stack_capacity, depth + 1, sizeof(uint32_t))) {
      status = US_STATUS_NO_MEMORY;
      break;
    }
    TSNode node = ts_tree_cursor_current_node(&cursor);
    uint32_t index = p->count++;
    us_node *n = &p->nodes[index];
    n->start_byte = ts_node_start_byte(node);
    n->end_byte = ts_node_end_byte(node);
    n->parent = depth ? p->stack[depth - 1] : US_NONE;
    n->subtree_end = index + 1;
    n->prev_sibling = prev;
    n->symbol = ts_node_symbol(node);
    n->field = ts_tree_cursor_current_field_id(&cursor);
    n->flags = (uint16_t)((ts_node_is_named(node) ? US_FLAG_NAMED : 0) |
                          (ts_node_is_missing(node) ? US_FLAG_MISSING : 0) |
                          (ts_node_is_extra(node) ? US_FLAG_EXTRA : 0) |
                          (ts_node_has_error(node) ? US_FLAG_HAS_ERROR : 0) |
                          (ts_node_is_error(node) ? US_FLAG_ERROR : 0));
    n->reserved = 0;
    if (ts_tree_cursor_goto_first_child(&cursor)) {
      p->stack[depth++] = index;
      prev = US_NONE;
      continue;
    }
    // Close finished subtrees while climbing to the next sibling.
    uint32_t last = index;
    for (;;) {
      p->nodes[last].subtree_end = p->count;
      if (depth > 0 && ts_tree_cursor_goto_next_sibling(&cursor)) {
        prev = last;
        break;
      }
      if (depth == 0 || !ts_tree_cursor_goto_parent(&cursor)) goto done;
      last = p->stack[--depth];
    }
  }
done:
  ts_tree_cursor_delete(&cursor);
  return status;
}

#endif

// One level of the direct walk: a node whose children are being visited.
typedef struct {
  Subtree parent;
  uint32_t child_index, structural_index;
  uint32_t position;               // start byte of the next child
  const TSSymbol *aliases;         // the parent's alias sequence, or NULL
  const TSFieldMapEntry *fields, *fields_end;
  uint32_t visible_parent;         // record of the nearest visible ancestor (the parent itself when visible)
  uint32_t last_child;             // last record written under visible_parent (visible levels only)
  uint16_t inherited_field;        // a hidden parent's own field, which its children take when they have none
  bool visible;                    // the parent is a visible node (its record closes when the level ends)
} us_level;

static void us_level_open(us_level *l, const TSLanguage *language, Subtree parent, uint32_t position, uint32_t visible_parent,
                          bool visible, uint16_t inherited_field) {
  uint16_t production = parent.ptr->production_id;
  l->parent = parent;
  l->child_index = 0;
  l->structural_index = 0;
  l->position = position;
  l->aliases = ts_language_alias_sequence(language, production);
  ts_language_field_map(language, production, &l->fields, &l->fields_end);
  l->visible_parent = visible_parent;
  l->last_child = US_NONE;
  l->inherited_field = inherited_field;
  l->visible = visible;
}

// Preorder over the visible nodes, walking the subtrees directly with an explicit stack (deep nesting cannot
// overflow the C stack). It gives exactly what a TSTreeCursor walk gives — hidden nodes are transparent, an alias
// makes a child visible, a field found through hidden wrappers counts — without the cursor's per-step re-derivation
// of positions, aliases and fields, which was a tenth of a run's CPU.
static int flatten(us_parser *p, TSTree *tree) {
  const TSLanguage *language = tree->language;
  Subtree root = tree->root;
  p->count = 0;
  if (!grow((void **)&p->nodes, &p->capacity, 1, sizeof(us_node))) return US_STATUS_NO_MEMORY;
  uint32_t root_start = ts_subtree_padding(root).bytes;
  us_node *r = &p->nodes[p->count++];
  TSSymbol root_symbol = ts_language_public_symbol(language, ts_subtree_symbol(root));
  r->start_byte = root_start;
  r->end_byte = root_start + ts_subtree_size(root).bytes;
  r->parent = US_NONE;
  r->subtree_end = 1;
  r->prev_sibling = US_NONE;
  r->symbol = root_symbol;
  r->field = 0;
  r->flags = (uint16_t)((ts_subtree_named(root) ? US_FLAG_NAMED : 0) | (ts_subtree_missing(root) ? US_FLAG_MISSING : 0) |
                        (ts_subtree_extra(root) ? US_FLAG_EXTRA : 0) | (ts_subtree_error_cost(root) > 0 ? US_FLAG_HAS_ERROR : 0) |
                        (root_symbol == ts_builtin_sym_error ? US_FLAG_ERROR : 0));
  r->reserved = 0;
  if (ts_subtree_child_count(root) == 0) return US_STATUS_OK;
  // The walk's levels live in the parser's reusable stack buffer.
  uint32_t depth = 0;
  if (!grow((void **)&p->stack, &p->stack_capacity, (uint32_t)(sizeof(us_level) / sizeof(uint32_t)), sizeof(uint32_t)))
    return US_STATUS_NO_MEMORY;
  us_level *levels = (us_level *)p->stack;
  us_level_open(&levels[depth++], language, root, root_start, 0, true, 0);
  while (depth > 0) {
    us_level *l = &levels[depth - 1];
    uint32_t count = l->parent.ptr->child_count;
    if (l->child_index == count) {
      if (l->visible) p->nodes[l->visible_parent].subtree_end = p->count;
      depth--;
      if (!l->visible && depth > 0) levels[depth - 1].last_child = l->last_child;  // hidden levels share their visible parent's siblings
      continue;
    }
    const Subtree *children = ts_subtree_children(l->parent);
    Subtree child = children[l->child_index];
    uint32_t start = l->position;
    bool extra = ts_subtree_extra(child);
    bool visible = ts_subtree_visible(child);
    TSSymbol alias = 0;
    uint16_t field = 0;
    if (!extra) {
      uint32_t structural = l->structural_index++;
      if (l->aliases) {
        alias = l->aliases[structural];
        visible |= alias != 0;
      }
      for (const TSFieldMapEntry *m = l->fields; m < l->fields_end; m++)
        if (!m->inherited && m->child_index == structural) { field = m->field_id; break; }
      if (!field && !l->visible) field = l->inherited_field;
    }
    uint32_t end = start + ts_subtree_size(child).bytes;
    l->child_index++;
    l->position = end;
    if (l->child_index < count) l->position += ts_subtree_padding(children[l->child_index]).bytes;
    uint32_t child_count = ts_subtree_child_count(child);
    if (visible) {
      if (!grow((void **)&p->nodes, &p->capacity, p->count + 1, sizeof(us_node))) return US_STATUS_NO_MEMORY;
      uint32_t index = p->count++;
      us_node *n = &p->nodes[index];
      TSSymbol symbol = ts_language_public_symbol(language, alias ? alias : ts_subtree_symbol(child));
      n->start_byte = start;
      n->end_byte = end;
      n->parent = l->visible_parent;
      n->subtree_end = index + 1;
      n->prev_sibling = l->last_child;
      n->symbol = symbol;
      n->field = field;
      bool named = alias ? ts_language_symbol_metadata(language, alias).named : ts_subtree_named(child);
      n->flags = (uint16_t)((named ? US_FLAG_NAMED : 0) | (ts_subtree_missing(child) ? US_FLAG_MISSING : 0) |
                            (extra ? US_FLAG_EXTRA : 0) | (ts_subtree_error_cost(child) > 0 ? US_FLAG_HAS_ERROR : 0) |
                            (symbol == ts_builtin_sym_error ? US_FLAG_ERROR : 0));
      n->reserved = 0;
      l->last_child = index;
      if (child_count == 0) continue;
    } else if (ts_subtree_visible_child_count(child) == 0) {
      continue;  // a hidden node with nothing visible below: not walked, as the cursor does not
    }
    uint32_t need = (uint32_t)((depth + 1) * (sizeof(us_level) / sizeof(uint32_t)));
    if (!grow((void **)&p->stack, &p->stack_capacity, need, sizeof(uint32_t))) return US_STATUS_NO_MEMORY;
    levels = (us_level *)p->stack;
    l = &levels[depth - 1];
    us_level *next = &levels[depth++];
    if (visible) us_level_open(next, language, child, start, p->count - 1, true, 0);
    else {
      us_level_open(next, language, child, start, l->visible_parent, false, field);
      next->last_child = l->last_child;
    }
  }
  return US_STATUS_OK;
}

typedef struct {
  const uint8_t *source;
  uint32_t length;
} us_buffer;

static const char *read_buffer(void *payload, uint32_t byte_index, TSPoint position, uint32_t *bytes_read) {
  (void)position;
  const us_buffer *b = (const us_buffer *)payload;
  if (byte_index >= b->length) {
    *bytes_read = 0;
    return "";
  }
  *bytes_read = b->length - byte_index;
  return (const char *)b->source + byte_index;
}

US_EXPORT int32_t us_parse(us_parser *p, const uint8_t *source, uint32_t length,
                           uint64_t timeout_us, const volatile int32_t *cancel,
                           const us_node **out_nodes, uint32_t *out_count) {
  const us_match *matches;
  const us_capture *captures;
  uint32_t match_count, capture_count;
  int32_t exceeded;
  return us_parse_query(p, source, length, timeout_us, cancel, NULL, 0, 0, out_nodes, out_count,
                        &matches, &match_count, &captures, &capture_count, &exceeded);
}

US_EXPORT int32_t us_parse_only(us_parser *p, const uint8_t *source, uint32_t length) {
  us_buffer buffer = {source, length};
  TSInput input = {&buffer, read_buffer, TSInputEncodingUTF8, NULL};
  TSParseOptions options = {NULL, NULL};
  TSParser *parser = us_begin(p);
  if (!parser) return -1;
  TSTree *tree = ts_parser_parse_with_options(parser, NULL, input, options);
  int32_t n = tree ? (int32_t)ts_node_child_count(ts_tree_root_node(tree)) : -1;
  us_end(p, parser);
  return n;
}

// ---- queries ----

US_EXPORT uint32_t us_match_size(void) { return (uint32_t)sizeof(us_match); }
US_EXPORT uint32_t us_capture_size(void) { return (uint32_t)sizeof(us_capture); }

// A macro fragment kept at its offsets in the file: the next parse lexes from `start` (an included range) instead of
// scanning the blanks, and resets afterwards.
US_EXPORT void us_parser_skip_to(us_parser *p, uint32_t start) { p->skip_to = start; }

US_EXPORT TSQuery *us_query_new(const char *source, uint32_t length, uint32_t *error_offset, int32_t *error_type) {
  TSQueryError type = TSQueryErrorNone;
  TSQuery *q = ts_query_new(tree_sitter_rust(), source, length, error_offset, &type);
  *error_type = (int32_t)type;
  return q;
}

US_EXPORT void us_query_delete(TSQuery *q) { ts_query_delete(q); }
US_EXPORT uint32_t us_query_pattern_count(const TSQuery *q) { return ts_query_pattern_count(q); }
US_EXPORT uint32_t us_query_capture_count(const TSQuery *q) { return ts_query_capture_count(q); }
US_EXPORT uint32_t us_query_string_count(const TSQuery *q) { return ts_query_string_count(q); }
US_EXPORT uint32_t us_query_start_byte_for_pattern(const TSQuery *q, uint32_t pattern) { return ts_query_start_byte_for_pattern(q, pattern); }
US_EXPORT const char *us_query_capture_name(const TSQuery *q, uint32_t id, uint32_t *length) { return ts_query_capture_name_for_id(q, id, length); }
// The quantifier tells the managed side whether a predicate on the capture must hold in every match.
US_EXPORT int32_t us_query_capture_quantifier(const TSQuery *q, uint32_t pattern, uint32_t capture) {
  return (int32_t)ts_query_capture_quantifier_for_id(q, pattern, capture);
}
US_EXPORT const char *us_query_string_value(const TSQuery *q, uint32_t id, uint32_t *length) { return ts_query_string_value_for_id(q, id, length); }
US_EXPORT const TSQueryPredicateStep *us_query_predicates(const TSQuery *q, uint32_t pattern, uint32_t *count) {
  return ts_query_predicates_for_pattern(q, pattern, count);
}

static bool on_query_progress(TSQueryCursorState *state) {
  const us_progress *p = (const us_progress *)state->payload;
  if (p->cancel && *p->cancel) return true;
  if (p->deadline_ns && now_ns() > p->deadline_ns) return true;
  return false;
}

US_EXPORT int32_t us_parse_query(us_parser *p, const uint8_t *source, uint32_t length,
                                 uint64_t timeout_us, const volatile int32_t *cancel,
                                 const TSQuery *const *queries, uint32_t query_count, uint32_t match_limit,
                                 const us_node **out_nodes, uint32_t *out_count,
                                 const us_match **out_matches, uint32_t *out_match_count,
                                 const us_capture **out_captures, uint32_t *out_capture_count,
                                 int32_t *exceeded) {
  *out_nodes = NULL; *out_count = 0; *out_matches = NULL; *out_match_count = 0; *out_captures = NULL; *out_capture_count = 0;
  *exceeded = 0;
  us_buffer buffer = {source, length};
  us_progress progress = {timeout_us ? now_ns() + timeout_us * 1000ull : 0, cancel};
  TSInput input = {&buffer, read_buffer, TSInputEncodingUTF8, NULL};
  TSParseOptions options = {&progress, on_progress};
  TSParser *parser = us_begin(p);
  if (!parser) return US_STATUS_FAILED;
  if (p->skip_to > 0 && p->skip_to < length) {
    TSRange range = {{0, p->skip_to}, {UINT32_MAX, UINT32_MAX}, p->skip_to, UINT32_MAX};
    ts_parser_set_included_ranges(parser, &range, 1);
  }
  p->skip_to = 0;
  TSTree *tree = ts_parser_parse_with_options(parser, NULL, input, options);
  int status = tree ? flatten(p, tree) : US_STATUS_CANCELLED;
  TSQueryCursor *cursor = NULL;
  p->match_count = 0;
  p->capture_count = 0;
  if (status == US_STATUS_OK && query_count > 0) {
    cursor = ts_query_cursor_new();
    ts_query_cursor_set_match_limit(cursor, match_limit ? match_limit : 256);
    TSQueryCursorOptions qopts = {&progress, on_query_progress};
    for (uint32_t q = 0; q < query_count && status == US_STATUS_OK; q++) {
      ts_query_cursor_exec_with_options(cursor, queries[q], ts_tree_root_node(tree), &qopts);
      TSQueryMatch m;
      while (ts_query_cursor_next_match(cursor, &m)) {
        if (!grow((void **)&p->matches, &p->match_capacity, p->match_count + 1, sizeof(us_match)) ||
            !grow((void **)&p->captures, &p->capture_capacity, p->capture_count + m.capture_count, sizeof(us_capture))) {
          status = US_STATUS_NO_MEMORY;
          break;
        }
        us_match *out = &p->matches[p->match_count++];
        out->query = q;
        out->pattern = m.pattern_index;
        out->first_capture = p->capture_count;
        out->capture_count = m.capture_count;
        for (uint16_t c = 0; c < m.capture_count; c++) {
          us_capture *cap = &p->captures[p->capture_count++];
          cap->capture = m.captures[c].index;
          cap->start_byte = ts_node_start_byte(m.captures[c].node);
          cap->end_byte = ts_node_end_byte(m.captures[c].node);
          cap->symbol = ts_node_symbol(m.captures[c].node);
        }
      }
      if (ts_query_cursor_did_exceed_match_limit(cursor)) *exceeded = 1;
      if (on_query_progress(&(TSQueryCursorState){&progress, 0})) status = US_STATUS_CANCELLED;
    }
  }
  us_end(p, parser);
#if defined(__GLIBC__)
  // The flattened buffers of a big file are libc memory this thread's malloc arena keeps: hand back what is free.
  if (length >= (1u << 20)) malloc_trim(0);
#endif
  if (status == US_STATUS_OK) {
    *out_nodes = p->nodes; *out_count = p->count;
    *out_matches = p->matches; *out_match_count = p->match_count;
    *out_captures = p->captures; *out_capture_count = p->capture_count;
  }
  return status;
}
