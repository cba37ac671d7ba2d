/* test_sum.c - the sum module: the kernel is exact from n = 0 to the top of its range
 * (against a one-by-one 128-bit loop and the closed form), the pieces cover every
 * number exactly once, and so do the ranks' shares (mapo-mpi) at several sizes, the
 * 128-bit combine of a reduction over ranks carries, every model verifies at 1, 2 and
 * 3 threads with both splits, bad jobs are refused, a wrong answer is caught, and the
 * report (src/report/sum.c) writes JSON that parses with every key, and its text.
 *
 * Run: ctest -R unit.test_sum --output-on-failure
 */
#define _GNU_SOURCE /* open_memstream */
#include <stdio.h>
#include <string.h>

#include "mapo/mapo.h"
#include "mapo_test.h"

static mapo_u128 one_by_one(uint64_t lo, uint64_t hi) {
  mapo_u128 s = 0;
  for (uint64_t i = lo; i < hi; i++) s += (mapo_u128)i * i;
  return s;
}

static void assert_u128(mapo_u128 got, mapo_u128 want, const char *what, uint64_t a, uint64_t b) {
  if (got != want) {
    char g[40], w[40];
    fprintf(stderr, "\n  %s(%llu, %llu) = %s, want %s\n", what, (unsigned long long)a,
            (unsigned long long)b, mapo_u128_format(got, g), mapo_u128_format(want, w));
  }
  CU_ASSERT(got == want);
}

static void test_kernel_small(void) {
  for (uint64_t n = 0; n <= 300; n++) {
    assert_u128(mapo_sum_squares(0, n), one_by_one(0, n), "squares", 0, n);
    assert_u128(mapo_sum_formula(n), one_by_one(0, n), "formula", 0, n);
  }
  /* Ranges that start anywhere, across the 32-term rounds. */
  for (uint64_t lo = 0; lo < 70; lo += 7)
    for (uint64_t hi = lo; hi < lo + 200; hi += 13)
      assert_u128(mapo_sum_squares(lo, hi), one_by_one(lo, hi), "squares", lo, hi);
  assert_u128(mapo_sum_squares(5, 5), 0, "squares", 5, 5);
  assert_u128(mapo_sum_squares(9, 3), 0, "squares", 9, 3); /* empty, not wrapped */
}

/* The notebook's size: each sum is about 4.2e19, past 2^64. */
static void test_kernel_notebook(void) {
  const uint64_t n = 5000000;
  mapo_u128 s = mapo_sum_squares(0, n);
  assert_u128(s, mapo_sum_formula(n), "squares", 0, n);
  CU_ASSERT(s > (mapo_u128)UINT64_MAX);
  char buf[40];
  CU_ASSERT_STRING_EQUAL(mapo_u128_format(s, buf), "41666654166667500000");
}

/* Near the top of the range, where a lane may take a single round before it must be
 * flushed: n = 2^32 is the largest n, and its closed form must not overflow. */
static void test_kernel_top(void) {
  const uint64_t top = MAPO_SUM_N_MAX;
  for (uint64_t lo = top - 3000; lo < top; lo += 997)
    assert_u128(mapo_sum_squares(lo, top), one_by_one(lo, top), "squares", lo, top);
  assert_u128(mapo_sum_formula(top) - mapo_sum_formula(top - 1), (mapo_u128)(top - 1) * (top - 1),
              "formula step", top - 1, top);
  /* 2^32 (2^32 - 1)(2^33 - 1) / 6, worked out by hand in decimal */
  char buf[40];
  CU_ASSERT_STRING_EQUAL(mapo_u128_format(mapo_sum_formula(top), buf),
                         "26409387495531407161709035520");
  /* Out of range: nothing, never a wrong number. */
  assert_u128(mapo_sum_squares(0, top + 1), 0, "squares", 0, top + 1);
  assert_u128(mapo_sum_formula(top + 1), 0, "formula", top + 1, 0);
}

/* Every copy of the kernel this CPU runs, not only the one the loader chose (a portable
 * build has an SSE2, an AVX2 and an AVX-512 copy): small ranges across the rounds, blocks
 * flushed after 256, 4 and 1 rounds (n near 2^28, 2^31, 2^32), the notebook's size. */
static void test_kernel_copies(void) {
  static const char *const names[] = {"sse2", "avx2", "avx512", "generic"};
  int found = 0;
  for (int c = 0; c < 4; c++) {
    const mapo_sum_squares_fn f = mapo_sum_kernel_copy(names[c]);
    if (f == NULL) continue;
    found++;
    for (uint64_t lo = 0; lo < 130; lo += 11)
      for (uint64_t hi = lo; hi < lo + 450; hi += 17)
        assert_u128(f(lo, hi), one_by_one(lo, hi), names[c], lo, hi);
    const uint64_t ends[][2] = {{(UINT64_C(1) << 28) - 20000, UINT64_C(1) << 28},
                                {(UINT64_C(1) << 31) - 3001, UINT64_C(1) << 31},
                                {MAPO_SUM_N_MAX - 2999, MAPO_SUM_N_MAX}};
    for (int e = 0; e < 3; e++)
      assert_u128(f(ends[e][0], ends[e][1]), one_by_one(ends[e][0], ends[e][1]), names[c],
                  ends[e][0], ends[e][1]);
    assert_u128(f(0, 5000000), mapo_sum_formula(5000000), names[c], 0, 5000000);
    assert_u128(f(0, MAPO_SUM_N_MAX + 1), 0, names[c], 0, MAPO_SUM_N_MAX + 1);
  }
  CU_ASSERT(found >= 1);
  CU_ASSERT_PTR_NOT_NULL(mapo_sum_kernel_copy(mapo_sum_kernel()));
  CU_ASSERT_PTR_NULL(mapo_sum_kernel_copy("nope"));
}

static void test_format(void) {
  char buf[40];
  CU_ASSERT_STRING_EQUAL(mapo_u128_format(0, buf), "0");
  CU_ASSERT_STRING_EQUAL(mapo_u128_format((mapo_u128)UINT64_MAX + 1, buf), "18446744073709551616");
  CU_ASSERT_STRING_EQUAL(mapo_u128_format(~(mapo_u128)0, buf),
                         "340282366920938463463374607431768211455");
}

static void test_job_validation(void) {
  mapo_sum_job job;
  MAPO_ASSERT_INT(mapo_sum_job_init(&job, 0, 100, 1, MAPO_SPLIT_NUMBERS), MAPO_EINVAL);
  MAPO_ASSERT_INT(mapo_sum_job_init(&job, MAPO_SUM_NUMBERS_MAX + 1, 1, 1, MAPO_SPLIT_NUMBERS),
                  MAPO_EINVAL);
  MAPO_ASSERT_INT(mapo_sum_job_init(&job, 20, 100, 0, MAPO_SPLIT_NUMBERS), MAPO_EINVAL);
  MAPO_ASSERT_INT(mapo_sum_job_init(&job, 20, 100, MAPO_SUM_THREADS_MAX + 1, MAPO_SPLIT_NUMBERS),
                  MAPO_EINVAL);
  MAPO_ASSERT_INT(mapo_sum_job_init(&job, 20, MAPO_SUM_N_MAX - 18, 1, MAPO_SPLIT_NUMBERS),
                  MAPO_EINVAL); /* the last n would be 2^32 + 1 */
  MAPO_ASSERT_INT(mapo_sum_job_init(&job, 20, MAPO_SUM_N_MAX - 19, 1, MAPO_SPLIT_NUMBERS), 0);
  mapo_sum_job_free(&job);
  MAPO_ASSERT_INT(mapo_sum_job_init(&job, 1, 1, 1, (mapo_split)7), MAPO_EINVAL);
}

/* Every number's [0, n) is covered by its pieces, in order, without gaps or overlap. */
static void test_pieces(void) {
  for (int threads = 1; threads <= 5; threads++)
    for (int split = 0; split < 2; split++) {
      mapo_sum_job job;
      CU_ASSERT_EQUAL_FATAL(mapo_sum_job_init(&job, 7, 10, threads, (mapo_split)split), 0);
      uint64_t next[7] = {0};
      const int pieces = mapo_sum_pieces(&job);
      MAPO_ASSERT_INT(pieces, split ? 7 * threads : 7);
      for (int p = 0; p < pieces; p++) {
        mapo_sum_piece w = mapo_sum_piece_at(&job, p);
        CU_ASSERT(w.number >= 0 && w.number < 7);
        MAPO_ASSERT_INT(w.lo, next[w.number]);
        CU_ASSERT(w.hi >= w.lo);
        next[w.number] = w.hi;
      }
      for (int k = 0; k < 7; k++) MAPO_ASSERT_INT(next[k], 10 + k);
      mapo_sum_job_free(&job);
    }
}

/* Over the ranks, the share pieces tile every number's [0, n): sorted by lo, each piece
 * starts where the one before ended. Split by numbers a rank touches only its own
 * numbers (k % size == rank). */
typedef struct span {
  uint64_t lo, hi;
} span;

static int by_lo(const void *a, const void *b) {
  const span *x = a, *y = b;
  return (x->lo > y->lo) - (x->lo < y->lo);
}

static void check_shares(int numbers, int threads, int size, mapo_split split) {
  mapo_sum_job job;
  CU_ASSERT_EQUAL_FATAL(mapo_sum_job_init(&job, numbers, 10, threads, split), 0);
  static span got[16][64 * 4];
  int count[16] = {0};
  for (int rank = 0; rank < size; rank++) {
    const int pieces = mapo_sum_share_pieces(&job, rank, size);
    CU_ASSERT(pieces >= 0);
    for (int p = 0; p < pieces; p++) {
      const mapo_sum_piece w = mapo_sum_share_piece_at(&job, rank, size, p);
      CU_ASSERT_FATAL(w.number >= 0 && w.number < numbers && count[w.number] < 64 * 4);
      if (split == MAPO_SPLIT_NUMBERS) MAPO_ASSERT_INT(w.number % size, rank);
      CU_ASSERT(w.lo <= w.hi);
      got[w.number][count[w.number]++] = (span){w.lo, w.hi};
    }
  }
  for (int k = 0; k < numbers; k++) {
    qsort(got[k], (size_t)count[k], sizeof *got[k], by_lo);
    uint64_t next = 0;
    for (int i = 0; i < count[k]; i++) {
      MAPO_ASSERT_INT(got[k][i].lo, next);
      next = got[k][i].hi;
    }
    MAPO_ASSERT_INT(next, 10 + k);
  }
  mapo_sum_job_free(&job);
}

static void test_shares(void) {
  for (int size = 1; size <= 5; size++)
    for (int threads = 1; threads <= 3; threads++)
      for (int numbers = 1; numbers <= 11; numbers += 5) {
        check_shares(numbers, threads, size, MAPO_SPLIT_NUMBERS);
        check_shares(numbers, threads, size, MAPO_SPLIT_RANGE);
      }
  mapo_sum_job job;
  CU_ASSERT_EQUAL_FATAL(mapo_sum_job_init(&job, 3, 10, 1, MAPO_SPLIT_NUMBERS), 0);
  MAPO_ASSERT_INT(mapo_sum_share_pieces(&job, 2, 2), MAPO_EINVAL);
  MAPO_ASSERT_INT(mapo_sum_share_pieces(&job, -1, 2), MAPO_EINVAL);
  MAPO_ASSERT_INT(mapo_sum_share_pieces(&job, 0, 0), MAPO_EINVAL);
  MAPO_ASSERT_INT(mapo_sum_share_pieces(&job, 3, 4), 0); /* more ranks than numbers */
  mapo_sum_job_free(&job);
}

/* The combine adds 128-bit totals as two words, the carry crossing into the high word,
 * in buffers aligned to 8 bytes only (as a transport may hand them over). */
static void test_combine(void) {
  const mapo_u128 big = ((mapo_u128)3 << 64) | UINT64_MAX, one = 1, top = ~(mapo_u128)0 >> 1;
  const mapo_u128 a[3] = {big, UINT64_MAX, top}, b[3] = {one, UINT64_MAX, 5};
  uint64_t in_buf[1 + 6], inout_buf[1 + 6]; /* +1: start the words 8 bytes in */
  for (int i = 0; i < 3; i++) {
    mapo_u128_words x = mapo_u128_pack(a[i]), y = mapo_u128_pack(b[i]);
    memcpy(&in_buf[1 + 2 * i], &x, sizeof x);
    memcpy(&inout_buf[1 + 2 * i], &y, sizeof y);
  }
  MAPO_ASSERT_INT(mapo_u128_pack(big).lo, UINT64_MAX);
  MAPO_ASSERT_INT(mapo_u128_pack(big).hi, 3);
  mapo_sum_combine(&in_buf[1], &inout_buf[1], 3);
  for (int i = 0; i < 3; i++) {
    mapo_u128_words w;
    memcpy(&w, &inout_buf[1 + 2 * i], sizeof w);
    assert_u128(mapo_u128_unpack(w), a[i] + b[i], "combine", (uint64_t)i, 0);
  }
  assert_u128(mapo_u128_unpack(mapo_u128_pack(top)), top, "pack", 0, 0);
}

/* --split and --model come from the library's tables. */
static void test_tables(void) {
  MAPO_ASSERT_INT(mapo_sum_split_find("numbers"), MAPO_SPLIT_NUMBERS);
  MAPO_ASSERT_INT(mapo_sum_split_find("range"), MAPO_SPLIT_RANGE);
  MAPO_ASSERT_INT(mapo_sum_split_find("halves"), MAPO_EINVAL);
  MAPO_ASSERT_INT(mapo_sum_split_find(NULL), MAPO_EINVAL);
  const char *const *names = mapo_sum_model_names();
  int n = 0;
  for (; mapo_sum_models[n].name != NULL; n++)
    CU_ASSERT_PTR_EQUAL(names[n], mapo_sum_models[n].name);
  CU_ASSERT_PTR_NULL(names[n]);
  CU_ASSERT_PTR_NOT_NULL(mapo_sum_model_how(mapo_sum_model_find("atomic")));
  CU_ASSERT_PTR_NULL(mapo_sum_model_how(mapo_sum_model_find("reduction")));
}

static void test_every_model(void) {
  for (const mapo_sum_model *m = mapo_sum_models; m->name; m++)
    for (int threads = 1; threads <= 3; threads++)
      for (int split = 0; split < 2; split++) {
        mapo_sum_job job;
        CU_ASSERT_EQUAL_FATAL(mapo_sum_job_init(&job, 7, 2001, threads, (mapo_split)split), 0);
        double seconds[2];
        mapo_spread s;
        int bad = -1, rc = mapo_sum_time(m, &job, 2, seconds, &s, &bad);
        if (rc != 0)
          fprintf(stderr, "\n  %s, %d threads, split %d: %s (number %d)\n", m->name, threads, split,
                  mapo_strerror(rc), bad);
        MAPO_ASSERT_INT(rc, 0);
        MAPO_ASSERT_INT(job.threads_used, m->threaded ? threads : 1);
        CU_ASSERT(s.min > 0 && s.min <= s.median && s.median <= s.max);
        mapo_u128 want = 0;
        for (int k = 0; k < 7; k++) want += mapo_sum_formula(2001 + (uint64_t)k);
        assert_u128(mapo_sum_checksum(&job), want, m->name, (uint64_t)threads, (uint64_t)split);
        mapo_sum_job_free(&job);
      }
}

/* A model that gets number 3 wrong: the harness says so, and which. */
static int wrong(mapo_sum_job *job) {
  for (int k = 0; k < job->numbers; k++) job->result[k] = mapo_sum_formula(job->base + (uint64_t)k);
  job->result[3] += 1;
  return 0;
}

static void test_wrong_answer_caught(void) {
  const mapo_sum_model broken = {"broken", wrong, 0, "wrong on purpose"};
  mapo_sum_job job;
  CU_ASSERT_EQUAL_FATAL(mapo_sum_job_init(&job, 5, 100, 1, MAPO_SPLIT_NUMBERS), 0);
  double seconds[1];
  int bad = -1;
  MAPO_ASSERT_INT(mapo_sum_time(&broken, &job, 1, seconds, NULL, &bad), MAPO_EVERIFY);
  MAPO_ASSERT_INT(bad, 3);
  mapo_sum_job_free(&job);
  CU_ASSERT_PTR_NULL(mapo_sum_model_find("nope"));
  CU_ASSERT_PTR_NOT_NULL(mapo_sum_model_find("reduction"));
  CU_ASSERT(mapo_sum_openmp_version() >= 201511);
  CU_ASSERT(mapo_sum_processors() >= 1);
  CU_ASSERT_PTR_NOT_NULL(strstr(mapo_sum_atomic_how(), "lock"));
}

/* ------------------------------------------------------------------- the report */

/* A small JSON reader: whether text is one valid value, and the keys of the top-level
 * object (comma-separated, in order, into keys). */
typedef struct reader {
  const char *p;
  int depth;
  char *keys;
  size_t room;
} reader;

static int value(reader *r);

static void blanks(reader *r) {
  while (*r->p == ' ' || *r->p == '\n' || *r->p == '\t' || *r->p == '\r') r->p++;
}

static int string(reader *r, int is_key) {
  if (*r->p++ != '"') return 0;
  const char *start = r->p;
  for (; *r->p != '"'; r->p++) {
    if (*r->p == '\0' || (unsigned char)*r->p < 0x20) return 0;
    if (*r->p == '\\' && *++r->p == '\0') return 0;
  }
  if (is_key && r->depth == 1) {
    size_t len = strlen(r->keys);
    snprintf(r->keys + len, r->room - len, "%.*s,", (int)(r->p - start), start);
  }
  r->p++;
  return 1;
}

static int items(reader *r, char close, int keyed) {
  r->p++;
  r->depth++;
  blanks(r);
  if (*r->p == close) return r->p++, r->depth--, 1;
  for (;;) {
    blanks(r);
    if (keyed && (!string(r, 1) || (blanks(r), *r->p++ != ':'))) return 0;
    if (!value(r)) return 0;
    blanks(r);
    if (*r->p == close) return r->p++, r->depth--, 1;
    if (*r->p++ != ',') return 0;
  }
}

static int value(reader *r) {
  blanks(r);
  if (*r->p == '{') return items(r, '}', 1);
  if (*r->p == '[') return items(r, ']', 0);
  if (*r->p == '"') return string(r, 0);
  for (const char *const *w = (const char *const[]){"true", "false", "null", NULL}; *w; w++)
    if (strncmp(r->p, *w, strlen(*w)) == 0) return r->p += strlen(*w), 1;
  char *end;
  strtod(r->p, &end);
  if (end == r->p) return 0;
  r->p = end;
  return 1;
}

static int parses(const char *text, char *keys, size_t room) {
  reader r = {text, 0, keys, room};
  keys[0] = '\0';
  if (!value(&r)) return 0;
  blanks(&r);
  return *r.p == '\0';
}

/* What a writer wrote, as a string the caller frees. */
static char *written(int (*write)(FILE *, const mapo_sum_result *), const mapo_sum_result *x,
                     int *rc) {
  char *text = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&text, &len);
  CU_ASSERT_PTR_NOT_NULL_FATAL(f);
  *rc = write(f, x);
  fclose(f);
  return text;
}

/* Every key of `want` (comma-separated, each followed by a comma) is among keys. */
static void assert_keys(const char *keys, const char *want) {
  char key[64];
  for (const char *w = want; *w; w = strchr(w, ',') + 1) {
    snprintf(key, sizeof key, "%.*s,", (int)(strchr(w, ',') - w), w);
    char anchored[80];
    snprintf(anchored, sizeof anchored, ",%s", key);
    int found = strncmp(keys, key, strlen(key)) == 0 || strstr(keys, anchored) != NULL;
    if (!found) fprintf(stderr, "\n  key %s missing from %s\n", key, keys);
    CU_ASSERT(found);
  }
}

/* r's JSON, checked: written without error, one valid value, every key of want in it. */
static char *json_with_keys(const mapo_sum_result *r, const char *want) {
  char keys[2048];
  int rc;
  char *json = written(mapo_report_sum_json, r, &rc);
  MAPO_ASSERT_INT(rc, 0);
  CU_ASSERT(parses(json, keys, sizeof keys));
  assert_keys(keys, want);
  return json;
}

static const double synthetic_seconds[3] = {0.002, 0.001, 0.003};
static const int synthetic_cpus[4] = {0, 1, 2, 3};

static mapo_sum_result synthetic(void) {
  mapo_sum_result r = {.model = "atomic",
                       .lesson = "A \"quoted\" lesson.",
                       .how = "a lock",
                       .atomic = "a lock",
                       .numbers = 4,
                       .base = 100,
                       .split = "range",
                       .threads = 2,
                       .threads_used = 2,
                       .repeat = 3,
                       .seconds = synthetic_seconds,
                       .spread = {0.002, 0.001, 0.003, 3},
                       .verified = 1,
                       .cpus = synthetic_cpus,
                       .processors = 2,
                       .openmp = 201511,
                       .warning = "threads\tshare",
                       .text = {0, 1}}; /* unfolded (--wide): each line whole */
  strcpy(r.checksum, "1313400");
  return r;
}

static void test_report_one(void) {
  mapo_sum_result r = synthetic();
  char keys[2048];
  int rc;
  /* The reader itself: it refuses what is not JSON. */
  CU_ASSERT(parses("{\"a\":[1,-2.5e3,\"x\\\"\"],\"b\":{\"c\":null}}", keys, sizeof keys));
  CU_ASSERT_STRING_EQUAL(keys, "a,b,");
  CU_ASSERT(!parses("{\"a\":}", keys, sizeof keys));
  CU_ASSERT(!parses("{\"a\":1", keys, sizeof keys));
  CU_ASSERT(!parses("{\"a\":1}}", keys, sizeof keys));
  char *json = json_with_keys(&r, "model,threads,threads_used,numbers,base,split,repeat,"
                                  "seconds_median,seconds_min,seconds_max,seconds,verified,"
                                  "checksum,cpus,processors,openmp,atomic,lesson,warnings,"
                                  "environment,");
  CU_ASSERT_PTR_NOT_NULL(strstr(json, "\"seconds\":[0.002,0.001,0.003]"));
  CU_ASSERT_PTR_NOT_NULL(strstr(json, "\"warnings\":[\"threads\\tshare\"]"));
  free(json);

  r.verified = 0;
  r.bad_n = 102;
  strcpy(r.got, "333336");
  strcpy(r.want, "333335");
  char *text = written(mapo_report_sum_text, &r, &rc);
  MAPO_ASSERT_INT(rc, 0);
  CU_ASSERT_PTR_NOT_NULL(strstr(text, "n = 100 .. 103 (4 numbers), model atomic, 2 threads, "
                                      "split by range\n"));
  CU_ASSERT_PTR_NOT_NULL(strstr(text, "  verified   NO: n = 102 gave 333336, the formula "
                                      "333335\n"));
  CU_ASSERT_PTR_NOT_NULL(strstr(text, "  threads    2 on CPUs 0, 1 of 2 processors\n"));
  CU_ASSERT_PTR_NOT_NULL(strstr(text, "  atomic     here: a lock\n"));
  free(text);
  r.lesson = r.atomic = NULL; /* a program with nothing to say: null, not a crash */
  json = written(mapo_report_sum_json, &r, &rc);
  CU_ASSERT(parses(json, keys, sizeof keys));
  CU_ASSERT_PTR_NOT_NULL(strstr(json, "\"verified\":false"));
  CU_ASSERT_PTR_NOT_NULL(strstr(json, "\"lesson\":null"));
  free(json);
}

static void test_report_mpi(void) {
  const mapo_sum_placement where[2] = {{"node-a", 1, synthetic_cpus},
                                       {NULL, 4, synthetic_cpus + 2}};
  const mapo_sum_mpi mpi = {
      .ranks = 2, .placement = where, .one_thread = {0.008, 0.007, 0.009, 3}, .columns = 80};
  mapo_sum_result r = synthetic();
  r.model = "mpi";
  r.mpi = &mpi;
  int rc;
  char *json = json_with_keys(&r, "model,ranks,threads,numbers,base,split,repeat,"
                                  "seconds_median,seconds_min,seconds_max,seconds_one_thread,"
                                  "one_thread_seconds_min,one_thread_seconds_max,speedup,"
                                  "efficiency,verdict,verdict_class,verified,checksum,"
                                  "placement,warnings,environment,");
  /* speedup 0.008 / 0.002; efficiency that over 2 ranks x 2 threads */
  CU_ASSERT_PTR_NOT_NULL(strstr(json, "\"speedup\":4,\"efficiency\":1,"));
  CU_ASSERT_PTR_NOT_NULL(strstr(json, "\"verdict_class\":\"faster\""));
  CU_ASSERT_PTR_NOT_NULL(strstr(json, "{\"rank\":1,\"host\":null,\"allowed_cpus\":4,"
                                      "\"cpus\":[2,3]}"));
  free(json);
  char *text = written(mapo_report_sum_text, &r, &rc);
  MAPO_ASSERT_INT(rc, 0);
  CU_ASSERT_PTR_NOT_NULL(strstr(text, "2 ranks x 2 threads,"));
  CU_ASSERT_PTR_NOT_NULL(strstr(text, "split by range\n"));
  CU_ASSERT_PTR_NOT_NULL(
      strstr(text, "  speedup     4.00, efficiency 1.00 (medians; 4 workers)\n"));
  CU_ASSERT_PTR_NOT_NULL(strstr(text, "  one thread    0.008000    0.007000    0.009000  3"));
  CU_ASSERT_PTR_NOT_NULL(strstr(text, "  verdict     2 ranks x 2 threads 4.00x one thread"));
  CU_ASSERT_PTR_NOT_NULL(strstr(text, "  placement   rank 0 on CPUs 0,1; rank 1 on CPUs 2,3\n"));
  CU_ASSERT_PTR_NOT_NULL(strstr(text, "  warning     threads\tshare\n"));
  free(text);
  MAPO_ASSERT_INT(mapo_report_sum_text(stdout, NULL), MAPO_EINVAL);
}

int main(void) {
  static const mapo_test tests[] = {
      {"kernel: exact for n = 0..300 and any range", test_kernel_small},
      {"kernel: the notebook's size, past 2^64", test_kernel_notebook},
      {"kernel: the top of the range, no overflow", test_kernel_top},
      {"kernel: every copy this CPU runs (SSE2, AVX2, AVX-512)", test_kernel_copies},
      {"128-bit decimal text", test_format},
      {"bad jobs refused", test_job_validation},
      {"pieces cover every number once", test_pieces},
      {"ranks' shares cover every number once, 1-5 ranks", test_shares},
      {"the 128-bit combine carries", test_combine},
      {"--split and --model from the tables", test_tables},
      {"every model, 1-3 threads, both splits, verified", test_every_model},
      {"a wrong answer is caught, and where", test_wrong_answer_caught},
      {"report, one process: JSON parses with every key; text", test_report_one},
      {"report, MPI ranks: JSON parses with every key; text", test_report_mpi},
      {NULL, NULL},
  };
  return mapo_test_run("sum", tests);
}
