// UnsafeScope native shim: its C interface, the one declaration of the records and functions the library exports.
// The shim includes it (so the compiler checks each definition against it), and so do the C programs that call the
// library: the profile trainer (native/pgo/train.c) and the benchmark baseline (benchmarks/baseline/baseline.c).
// The managed side mirrors it in src/UnsafeScope/Syntax/Native (NativeMethods, NodeRecord, MatchRecord,
// CaptureRecord) and checks the record sizes and us_abi_version when it loads the library.
#ifndef UNSAFESCOPE_TS_H
#define UNSAFESCOPE_TS_H

#include <stdint.h>

// The shim defines it as its export attribute before including this; a caller needs nothing.
#ifndef US_EXPORT
#define US_EXPORT
#endif

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

// A parser owned by one thread, with its reusable output buffers (opaque to callers).
typedef struct us_parser us_parser;
// tree-sitter's types, opaque here (the shim includes tree_sitter/api.h, which defines them).
typedef struct TSQuery TSQuery;
typedef struct TSQueryPredicateStep TSQueryPredicateStep;

// ---- the library and its grammar ----
US_EXPORT uint32_t us_node_size(void);
US_EXPORT uint32_t us_match_size(void);
US_EXPORT uint32_t us_capture_size(void);
US_EXPORT uint32_t us_abi_version(void);
US_EXPORT uint32_t us_language_version(void);
US_EXPORT uint32_t us_symbol_count(void);
US_EXPORT const char *us_symbol_name(uint16_t symbol);
US_EXPORT int32_t us_symbol_type(uint16_t symbol);
US_EXPORT uint32_t us_field_count(void);
US_EXPORT const char *us_field_name(uint16_t field);

// ---- parsers ----
US_EXPORT us_parser *us_parser_new(void);
US_EXPORT void us_parser_delete(us_parser *p);
// The bytes before `start` are blank: the next parse on this parser starts lexing there (that parse only).
US_EXPORT void us_parser_skip_to(us_parser *p, uint32_t start);

// Parses `source`, flattens the tree into the parser's node buffer and runs the queries over it before the tree is
// freed. Time limit in microseconds (0 = none); `cancel` may be NULL. On success (US_STATUS_OK) the out pointers
// name parser-owned buffers, valid until the next call on this parser; *exceeded is set when a query hit its match
// limit. US_STATUS_CANCELLED: the flag was raised or the time limit passed (also while querying).
US_EXPORT int32_t us_parse_query(us_parser *p, const uint8_t *source, uint32_t length,
                                 uint64_t timeout_us, const volatile int32_t *cancel,
                                 const TSQuery *const *queries, uint32_t query_count, uint32_t match_limit,
                                 const us_node **out_nodes, uint32_t *out_count,
                                 const us_match **out_matches, uint32_t *out_match_count,
                                 const us_capture **out_captures, uint32_t *out_capture_count,
                                 int32_t *exceeded);
// us_parse_query without queries.
US_EXPORT int32_t us_parse(us_parser *p, const uint8_t *source, uint32_t length,
                           uint64_t timeout_us, const volatile int32_t *cancel,
                           const us_node **out_nodes, uint32_t *out_count);
// Parse only, no flatten (the C baseline for benchmarks): the root's child count, so the work is not optimised away.
US_EXPORT int32_t us_parse_only(us_parser *p, const uint8_t *source, uint32_t length);

// ---- queries ----
// Compiles a query for the Rust grammar; on failure NULL, with the byte offset and TSQueryError.
US_EXPORT TSQuery *us_query_new(const char *source, uint32_t length, uint32_t *error_offset, int32_t *error_type);
US_EXPORT void us_query_delete(TSQuery *q);
US_EXPORT uint32_t us_query_pattern_count(const TSQuery *q);
US_EXPORT uint32_t us_query_capture_count(const TSQuery *q);
US_EXPORT uint32_t us_query_string_count(const TSQuery *q);
US_EXPORT uint32_t us_query_start_byte_for_pattern(const TSQuery *q, uint32_t pattern);
US_EXPORT const char *us_query_capture_name(const TSQuery *q, uint32_t id, uint32_t *length);
// How often a capture occurs in a pattern's matches (TSQuantifier: 0 zero, 1 zero-or-one, 2 zero-or-more, 3 one,
// 4 one-or-more).
US_EXPORT int32_t us_query_capture_quantifier(const TSQuery *q, uint32_t pattern, uint32_t capture);
US_EXPORT const char *us_query_string_value(const TSQuery *q, uint32_t id, uint32_t *length);
// A pattern's predicate steps, pairs of (type, value id).
US_EXPORT const TSQueryPredicateStep *us_query_predicates(const TSQuery *q, uint32_t pattern, uint32_t *count);

#endif
