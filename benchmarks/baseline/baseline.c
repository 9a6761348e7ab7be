// C baseline for UnsafeScope's parser: the same libunsafescope_ts.so the managed side loads,
// driven from C so the managed overhead can be measured against it.
//
//   baseline MODE JOBS LIST
//     MODE  parse  us_parse_only per file (tree-sitter parse, tree freed, no walk)
//           walk   us_parse per file (parse + the shim's flatten walk into 24-byte records)
//     JOBS  worker threads (one us_parser each; files taken largest first from an atomic counter)
//     LIST  file with one path per line
//
// All files are read into memory (a UTF-8 BOM is dropped, as UnsafeScope's SourceText does)
// before the clock starts; the timed region is CLOCK_MONOTONIC from the moment every worker
// has its parser until the last worker is joined. Prints one line of key=value pairs:
//   mode=walk jobs=1 files=9499 bytes=117127324 seconds=12.345678 mbps=9.487 nodes=... failed=0 peak_rss_kb=...
// (MB = 10^6 bytes.) Exit status 0, or 1 on a usage or I/O error, or 2 when a parse failed.
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

// The shim's interface: its record layout and prototypes (the library exports only what it declares).
#include "../../native/shim/unsafescope_ts.h"

typedef struct {
  const char *path;
  uint8_t *data;
  uint32_t length;
} file_t;

enum { MODE_PARSE, MODE_WALK };

static file_t *files;
static size_t file_count;
static int mode;
static atomic_size_t next_file;
static pthread_barrier_t start_barrier;

typedef struct {
  pthread_t thread;
  uint64_t nodes;     // walk: records produced; parse: root child counts (keeps the work observable)
  uint64_t failed;
  int setup_failed;
} worker_t;

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void *worker_main(void *arg) {
  worker_t *w = (worker_t *)arg;
  us_parser *p = us_parser_new();
  if (!p) w->setup_failed = 1;
  pthread_barrier_wait(&start_barrier);
  if (!p) return NULL;
  for (;;) {
    size_t i = atomic_fetch_add_explicit(&next_file, 1, memory_order_relaxed);
    if (i >= file_count) break;
    const file_t *f = &files[i];
    if (mode == MODE_PARSE) {
      int32_t n = us_parse_only(p, f->data, f->length);
      if (n < 0) w->failed++;
      else w->nodes += (uint64_t)n;
    } else {
      const us_node *nodes;
      uint32_t count;
      if (us_parse(p, f->data, f->length, 0, NULL, &nodes, &count) != 0) w->failed++;
      else w->nodes += count;
    }
  }
  us_parser_delete(p);
  return NULL;
}

static int by_size_desc(const void *a, const void *b) {
  const file_t *x = a, *y = b;
  if (x->length != y->length) return x->length < y->length ? 1 : -1;
  return strcmp(x->path, y->path);  // stable, deterministic order among equal sizes
}

static int read_file(const char *path, file_t *out) {
  FILE *fp = fopen(path, "rb");
  if (!fp) return -1;
  size_t cap = 1 << 16, len = 0;
  uint8_t *buf = malloc(cap);
  if (!buf) { fclose(fp); return -1; }
  for (;;) {
    if (len == cap) {
      cap *= 2;
      uint8_t *n = realloc(buf, cap);
      if (!n) { free(buf); fclose(fp); return -1; }
      buf = n;
    }
    size_t r = fread(buf + len, 1, cap - len, fp);
    len += r;
    if (r == 0) break;
  }
  int err = ferror(fp);
  fclose(fp);
  if (err || len > UINT32_MAX) { free(buf); return -1; }
  size_t skip = (len >= 3 && buf[0] == 0xEF && buf[1] == 0xBB && buf[2] == 0xBF) ? 3 : 0;
  if (skip) memmove(buf, buf + 3, len - 3);
  uint8_t *fit = realloc(buf, len - skip ? len - skip : 1);  // no slack: peak RSS stays comparable
  if (fit) buf = fit;
  out->path = strdup(path);
  out->data = buf;
  out->length = (uint32_t)(len - skip);
  return 0;
}

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: %s parse|walk JOBS LIST\n", argv[0]);
    return 1;
  }
  if (strcmp(argv[1], "parse") == 0) mode = MODE_PARSE;
  else if (strcmp(argv[1], "walk") == 0) mode = MODE_WALK;
  else { fprintf(stderr, "unknown mode '%s' (parse|walk)\n", argv[1]); return 1; }
  int jobs = atoi(argv[2]);
  if (jobs < 1 || jobs > 256) { fprintf(stderr, "JOBS must be 1..256\n"); return 1; }
  if (us_node_size() != sizeof(us_node)) {
    fprintf(stderr, "node record size mismatch: library %u, baseline %zu\n", us_node_size(), sizeof(us_node));
    return 1;
  }

  FILE *list = fopen(argv[3], "r");
  if (!list) { fprintf(stderr, "%s: %s\n", argv[3], strerror(errno)); return 1; }
  size_t cap = 1024;
  files = malloc(cap * sizeof(file_t));
  char *line = NULL;
  size_t line_cap = 0;
  ssize_t n;
  uint64_t total = 0;
  while ((n = getline(&line, &line_cap, list)) >= 0) {
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r')) line[--n] = 0;
    if (n == 0) continue;
    if (file_count == cap) {
      cap *= 2;
      files = realloc(files, cap * sizeof(file_t));
      if (!files) { fprintf(stderr, "out of memory\n"); return 1; }
    }
    if (read_file(line, &files[file_count]) != 0) {
      fprintf(stderr, "%s: cannot read: %s\n", line, strerror(errno));
      return 1;
    }
    total += files[file_count].length;
    file_count++;
  }
  free(line);
  fclose(list);
  qsort(files, file_count, sizeof(file_t), by_size_desc);

  worker_t *workers = calloc((size_t)jobs, sizeof(worker_t));
  pthread_barrier_init(&start_barrier, NULL, (unsigned)jobs + 1);
  for (int i = 0; i < jobs; i++)
    if (pthread_create(&workers[i].thread, NULL, worker_main, &workers[i]) != 0) {
      fprintf(stderr, "pthread_create failed\n");
      return 1;
    }
  pthread_barrier_wait(&start_barrier);
  double t0 = now_s();
  for (int i = 0; i < jobs; i++) pthread_join(workers[i].thread, NULL);
  double seconds = now_s() - t0;

  uint64_t nodes = 0, failed = 0;
  for (int i = 0; i < jobs; i++) {
    if (workers[i].setup_failed) { fprintf(stderr, "us_parser_new failed\n"); return 1; }
    nodes += workers[i].nodes;
    failed += workers[i].failed;
  }
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  printf("mode=%s jobs=%d files=%zu bytes=%llu seconds=%.6f mbps=%.3f nodes=%llu failed=%llu peak_rss_kb=%ld\n",
         argv[1], jobs, file_count, (unsigned long long)total, seconds, (double)total / 1e6 / seconds,
         (unsigned long long)nodes, (unsigned long long)failed, ru.ru_maxrss);
  return failed ? 2 : 0;
}
