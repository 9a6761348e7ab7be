// Profile training for the native parser (native/build.sh, Linux): runs the instrumented shim the way the managed
// side does (parse, flatten, the query packs) over a list of Rust files, so gcc's -fprofile-use can lay out
// tree-sitter's lexer and parse loop for real Rust. Outputs nothing but a count; the profile is the product.
//   train LIST [QUERY.scm...]     LIST: one path per line
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../shim/unsafescope_ts.h"

static char *slurp(const char *path, long *length) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *buf = malloc(n > 0 ? (size_t)n : 1);
  if (buf && n > 0 && fread(buf, 1, (size_t)n, f) != (size_t)n) { free(buf); buf = NULL; }
  fclose(f);
  *length = n;
  return buf;
}

int main(int argc, char **argv) {
  if (argc < 2) { fprintf(stderr, "usage: %s LIST [QUERY.scm...]\n", argv[0]); return 1; }
  TSQuery *queries[16];
  uint32_t query_count = 0;
  if (argc - 2 > 16) { fprintf(stderr, "at most 16 query packs (%d given)\n", argc - 2); return 1; }
  for (int i = 2; i < argc; i++) {
    long n;
    char *text = slurp(argv[i], &n);
    uint32_t offset; int32_t type;
    TSQuery *q = text ? us_query_new(text, (uint32_t)n, &offset, &type) : NULL;
    free(text);
    if (!q) { fprintf(stderr, "%s: not a query this grammar accepts\n", argv[i]); return 1; }
    queries[query_count++] = q;
  }
  FILE *list = fopen(argv[1], "r");
  if (!list) { fprintf(stderr, "%s: cannot open\n", argv[1]); return 1; }
  us_parser *p = us_parser_new();
  char path[4096];
  long files = 0, nodes = 0;
  while (fgets(path, sizeof path, list)) {
    path[strcspn(path, "\n")] = 0;
    long n;
    char *text = slurp(path, &n);
    if (!text) continue;
    const us_node *out_nodes;
    const us_match *matches;
    const us_capture *captures;
    uint32_t count = 0, match_count, capture_count;
    int32_t exceeded;
    if (us_parse_query(p, (const uint8_t *)text, (uint32_t)n, 0, NULL, (const TSQuery *const *)queries, query_count,
                       256, &out_nodes, &count, &matches, &match_count, &captures, &capture_count, &exceeded) == 0) {
      files++;
      nodes += count;
    }
    free(text);
  }
  fclose(list);
  us_parser_delete(p);
  for (uint32_t i = 0; i < query_count; i++) us_query_delete(queries[i]);
  printf("trained on %ld files, %ld nodes\n", files, nodes);
  return files > 0 ? 0 : 1;
}
