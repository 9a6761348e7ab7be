// UnsafeScope native shim: parses Rust with tree-sitter and flattens the tree
// into one array of compact records, so managed code makes one native call per
// file and never holds a native tree or node handle.
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "tree_sitter/api.h"
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#if defined(_WIN32)
#define US_EXPORT __declspec(dllexport)
#include <windows.h>
#else
#define US_EXPORT __attribute__((visibility("default")))
#endif

const TSLanguage *tree_sitter_rust(void);

#define US_NONE 0xFFFFFFFFu

enum {
  US_FLAG_NAMED = 1,
  US_FLAG_MISSING = 2,
  US_FLAG_EXTRA = 4,
  US_FLAG_HAS_ERROR = 8,
  US_FLAG_ERROR = 16,
};

// One node in preorder. Descendants of node i are exactly i+1 .. subtree_end-1.
typedef struct {
  uint32_t start_byte;
  uint32_t end_byte;
  uint32_t parent;        // US_NONE for the root
  uint32_t subtree_end;   // one past the last descendant
  uint32_t prev_sibling;  // US_NONE for a first child
  uint16_t symbol;        // tree-sitter public symbol (65535 = ERROR)
  uint16_t field;         // field id in the parent, 0 for none
  uint16_t flags;         // US_FLAG_*
  uint16_t reserved;
} us_node;

enum {
  US_STATUS_OK = 0,
  US_STATUS_CANCELLED = 1,   // the cancel flag was raised or the time limit passed
  US_STATUS_NO_MEMORY = 2,
  US_STATUS_FAILED = 3,
};

// A query match: which query and pattern, and its captures' place in the capture buffer.
typedef struct {
  uint32_t query;
  uint32_t pattern;
  uint32_t first_capture;
  uint32_t capture_count;
} us_match;

// A captured node, identified by span and symbol (unique in the flattened preorder array).
typedef struct {
  uint32_t capture;
  uint32_t start_byte;
  uint32_t end_byte;
  uint32_t symbol;
} us_capture;

// A parser owned by one worker thread, with its reusable output buffers.
typedef struct {
  TSParser *parser;
  us_node *nodes;
  uint32_t count;
  uint32_t capacity;
  uint32_t *stack;         // open ancestors during the flatten walk
  uint32_t stack_capacity;
  us_match *matches;
  uint32_t match_count, match_capacity;
  us_capture *captures;
  uint32_t capture_count, capture_capacity;
  TSQueryCursor *cursor;
  uint32_t skip_to;        // the next parse starts lexing here (the bytes before are blank)
} us_parser;

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

US_EXPORT uint32_t us_node_size(void) { return (uint32_t)sizeof(us_node); }
US_EXPORT uint32_t us_abi_version(void) { return 4; }
US_EXPORT uint32_t us_language_version(void) { return ts_language_abi_version(tree_sitter_rust()); }
US_EXPORT uint32_t us_symbol_count(void) { return ts_language_symbol_count(tree_sitter_rust()); }
US_EXPORT const char *us_symbol_name(uint16_t symbol) { return ts_language_symbol_name(tree_sitter_rust(), symbol); }
US_EXPORT int32_t us_symbol_type(uint16_t symbol) { return (int32_t)ts_language_symbol_type(tree_sitter_rust(), symbol); }
US_EXPORT uint32_t us_field_count(void) { return ts_language_field_count(tree_sitter_rust()); }
US_EXPORT const char *us_field_name(uint16_t field) { return ts_language_field_name_for_id(tree_sitter_rust(), field); }

US_EXPORT us_parser *us_parser_new(void) {
  us_parser *p = (us_parser *)calloc(1, sizeof(us_parser));
  if (!p) return NULL;
  p->parser = ts_parser_new();
  if (!p->parser || !ts_parser_set_language(p->parser, tree_sitter_rust())) {
    if (p->parser) ts_parser_delete(p->parser);
    free(p);
    return NULL;
  }
  return p;
}

US_EXPORT void us_parser_delete(us_parser *p) {
  if (!p) return;
  ts_parser_delete(p->parser);
  if (p->cursor) ts_query_cursor_delete(p->cursor);
  free(p->matches);
  free(p->captures);
  free(p->nodes);
  free(p->stack);
  free(p);
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

// Iterative preorder walk with a cursor: deep nesting cannot overflow the stack.
static int flatten(us_parser *p, TSTree *tree) {
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

// us_parse: parses `source` and flattens it into the parser's buffer (us_parse_query without queries).
// Time limit in microseconds (0 = none); `cancel` may be NULL. On success *out_nodes points at the
// parser-owned buffer, valid until the next call on this parser. The tree itself is freed before returning.
US_EXPORT int32_t us_parse_query(us_parser *p, const uint8_t *source, uint32_t length,
                                 uint64_t timeout_us, const volatile int32_t *cancel,
                                 const TSQuery *const *queries, uint32_t query_count, uint32_t match_limit,
                                 const us_node **out_nodes, uint32_t *out_count,
                                 const us_match **out_matches, uint32_t *out_match_count,
                                 const us_capture **out_captures, uint32_t *out_capture_count,
                                 int32_t *exceeded);

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

// Parse only, no flatten: the C baseline for benchmarks. Returns the root's
// child count so the work cannot be optimised away.
US_EXPORT int32_t us_parse_only(us_parser *p, const uint8_t *source, uint32_t length) {
  us_buffer buffer = {source, length};
  TSInput input = {&buffer, read_buffer, TSInputEncodingUTF8, NULL};
  TSParseOptions options = {NULL, NULL};
  ts_parser_reset(p->parser);
  TSTree *tree = ts_parser_parse_with_options(p->parser, NULL, input, options);
  if (!tree) return -1;
  int32_t n = (int32_t)ts_node_child_count(ts_tree_root_node(tree));
  ts_tree_delete(tree);
  return n;
}

// ---- queries ----

US_EXPORT uint32_t us_match_size(void) { return (uint32_t)sizeof(us_match); }
US_EXPORT uint32_t us_capture_size(void) { return (uint32_t)sizeof(us_capture); }

// The bytes before `start` are blank (a macro fragment kept at its offsets in the file): the next parse on this parser
// starts lexing at `start` (an included range) instead of scanning the blanks. Only that parse: it resets afterwards.
US_EXPORT void us_parser_skip_to(us_parser *p, uint32_t start) { p->skip_to = start; }

// Compiles a query for the Rust grammar; on failure returns NULL with the byte offset and TSQueryError.
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
// How often a capture occurs in a pattern's matches (TSQuantifier: 0 zero, 1 zero-or-one, 2 zero-or-more,
// 3 one, 4 one-or-more): a predicate on a capture that is always there must hold in every match.
US_EXPORT int32_t us_query_capture_quantifier(const TSQuery *q, uint32_t pattern, uint32_t capture) {
  return (int32_t)ts_query_capture_quantifier_for_id(q, pattern, capture);
}
US_EXPORT const char *us_query_string_value(const TSQuery *q, uint32_t id, uint32_t *length) { return ts_query_string_value_for_id(q, id, length); }
// Predicate steps of a pattern: pairs of (type, value_id) as TSQueryPredicateStep.
US_EXPORT const TSQueryPredicateStep *us_query_predicates(const TSQuery *q, uint32_t pattern, uint32_t *count) {
  return ts_query_predicates_for_pattern(q, pattern, count);
}

static bool on_query_progress(TSQueryCursorState *state) {
  const us_progress *p = (const us_progress *)state->payload;
  if (p->cancel && *p->cancel) return true;
  if (p->deadline_ns && now_ns() > p->deadline_ns) return true;
  return false;
}

// Parses and flattens like us_parse, then runs the queries over the tree before freeing it.
// Match and capture buffers are parser-owned, valid until the next call. Status 1 also means a
// query ran past the time limit; *exceeded is set when a query hit its match limit.
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
  ts_parser_reset(p->parser);
  bool ranged = false;
  if (p->skip_to > 0 && p->skip_to < length) {
    TSRange range = {{0, p->skip_to}, {UINT32_MAX, UINT32_MAX}, p->skip_to, UINT32_MAX};
    ranged = ts_parser_set_included_ranges(p->parser, &range, 1);
  }
  p->skip_to = 0;
  TSTree *tree = ts_parser_parse_with_options(p->parser, NULL, input, options);
  if (ranged) ts_parser_set_included_ranges(p->parser, NULL, 0);
  if (!tree) {
    ts_parser_reset(p->parser);
    return US_STATUS_CANCELLED;
  }
  int status = flatten(p, tree);
  p->match_count = 0;
  p->capture_count = 0;
  if (status == US_STATUS_OK && query_count > 0) {
    if (!p->cursor) p->cursor = ts_query_cursor_new();
    ts_query_cursor_set_match_limit(p->cursor, match_limit ? match_limit : 256);
    TSQueryCursorOptions qopts = {&progress, on_query_progress};
    for (uint32_t q = 0; q < query_count && status == US_STATUS_OK; q++) {
      ts_query_cursor_exec_with_options(p->cursor, queries[q], ts_tree_root_node(tree), &qopts);
      TSQueryMatch m;
      while (ts_query_cursor_next_match(p->cursor, &m)) {
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
      if (ts_query_cursor_did_exceed_match_limit(p->cursor)) *exceeded = 1;
      if (on_query_progress(&(TSQueryCursorState){&progress, 0})) status = US_STATUS_CANCELLED;
    }
  }
  ts_tree_delete(tree);
#if defined(__GLIBC__)
  // A big tree's nodes are freed into this thread's malloc arena, which glibc keeps: hand them back, or every
  // worker holds the memory of the largest file it ever parsed for the rest of the run.
  if (length >= (1u << 20)) malloc_trim(0);
#endif
  if (status == US_STATUS_OK) {
    *out_nodes = p->nodes; *out_count = p->count;
    *out_matches = p->matches; *out_match_count = p->match_count;
    *out_captures = p->captures; *out_capture_count = p->capture_count;
  }
  return status;
}
