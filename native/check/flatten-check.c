// Checks the shim's direct flatten walk against tree-sitter's own cursor walk, node record for node record, on
// every file of a list (one path per line). Built and run by native/check-flatten.sh; exit 1 on any difference.
#include "unsafescope_ts.c"
#include <stdio.h>
int main(int argc, char **argv) {
  FILE *list = fopen(argv[1], "r");
  char path[4096];
  us_parser *p = us_parser_new();
  long files = 0, bad = 0, nodes = 0;
  while (fgets(path, sizeof path, list)) {
    path[strcspn(path, "\n")] = 0;
    FILE *f = fopen(path, "rb"); if (!f) continue;
    fseek(f, 0, SEEK_END); long len = ftell(f); fseek(f, 0, SEEK_SET);
    char *buf = malloc(len + 1); fread(buf, 1, len, f); fclose(f);
    us_buffer buffer = {(const uint8_t *)buf, (uint32_t)len};
    TSInput input = {&buffer, read_buffer, TSInputEncodingUTF8, NULL};
    TSParseOptions options = {NULL, NULL};
    TSParser *parser = us_begin(p);
    TSTree *tree = ts_parser_parse_with_options(parser, NULL, input, options);
    flatten(p, tree);
    uint32_t n1 = p->count; us_node *a = malloc(sizeof(us_node) * (n1 ? n1 : 1)); memcpy(a, p->nodes, sizeof(us_node) * n1);
    flatten_cursor(p, tree);
    uint32_t n2 = p->count;
    files++; nodes += n2;
    if (n1 != n2 || memcmp(a, p->nodes, sizeof(us_node) * n1) != 0) {
      bad++;
      if (bad <= 5) {
        uint32_t k = 0; while (k < n1 && k < n2 && memcmp(&a[k], &p->nodes[k], sizeof(us_node)) == 0) k++;
        fprintf(stderr, "%s: counts %u vs %u, first difference at %u: direct {%u %u par %u end %u prev %u sym %u field %u flags %u} cursor {%u %u par %u end %u prev %u sym %u field %u flags %u}\n", path, n1, n2, k,
          a[k].start_byte, a[k].end_byte, a[k].parent, a[k].subtree_end, a[k].prev_sibling, a[k].symbol, a[k].field, a[k].flags,
          p->nodes[k].start_byte, p->nodes[k].end_byte, p->nodes[k].parent, p->nodes[k].subtree_end, p->nodes[k].prev_sibling, p->nodes[k].symbol, p->nodes[k].field, p->nodes[k].flags);
      }
    }
    us_end(p, parser);
    free(a); free(buf);
  }
  printf("files %ld nodes %ld different %ld\n", files, nodes, bad);
  return bad != 0;
}
