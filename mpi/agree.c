/* agree.c - how the ranks of mapo-mpi agree: on the command line, on the input, and on
 * the exit status, with the one line that says why.
 *
 * Every rank is a process of its own, with its own argv, files and stdin, and under
 * mpirun they need not be the same: MPMD (`mpirun -np 1 mapo-mpi cook : -np 1 mapo-mpi
 * cook --bogus`), a node-local file that differs from node to node, stdin (it reaches
 * rank 0 only). A lesson that trusted each rank's own copy sent rank 0's step numbers
 * to cooks that had parsed another recipe. What to notice:
 *  - rank 0's command line is the job's: every rank checks its own (a mistake anywhere
 *    stops the job), then parses rank 0's, broadcast (mapo__mpi_parse);
 *  - an input is read once, by rank 0, and its bytes broadcast (mapo__mpi_share): every
 *    rank parses the same bytes, so every rank holds the same recipe;
 *  - the ranks agree on a failure with one all-reduce, MPI_MAXLOC over (status, rank):
 *    the worst status and the lowest rank that has it, as PRK's bail-out does. That
 *    rank's line, kept by mapo__mpi_fail, goes to rank 0, the only rank that prints:
 *    one line in all, "mapo-mpi cook: rank 2: ..." when it came from another rank.
 * The agreement's messages travel on a communicator of their own (a duplicate of
 * MPI_COMM_WORLD), so that they never meet a lesson's; every wait naps between tests
 * (ranks are oversubscribed on small machines, and Open MPI's blocking calls poll).
 */
#define _GNU_SOURCE
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"

enum {
  TAG_REASON = 1,
  REASON_MAX = CLI_ERROR_MAX + 128, /* room for cli_error and the prefix */
  OPTS_MAX = 64,                    /* a lesson's flags, checked against scratch */
  POS_MAX = 16,
};

static int rank, size;
static MPI_Comm agreeing = MPI_COMM_NULL;
static char reason[REASON_MAX]; /* this rank's line, until the ranks next agree */

/* Rank 0's command line, as parsed on this rank (mapo__mpi_parse): its values point
 * into it, so it lives until mapo__mpi_end. */
static char *argv0_bytes;
static char **argv0;

int mapo__mpi_rank(void) { return rank; }
int mapo__mpi_size(void) { return size; }

void mapo__mpi_begin(void) {
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  MPI_Comm_dup(MPI_COMM_WORLD, &agreeing);
  /* No rank prints the parser's lines: the agreement prints the one that counts. */
  cli_program = "mapo-mpi";
  cli_silent = 1;
}

void mapo__mpi_end(void) {
  free(argv0_bytes);
  free(argv0);
  argv0_bytes = NULL;
  argv0 = NULL;
  MPI_Comm_free(&agreeing);
}

void mapo__mpi_wait_idle(MPI_Request *req) {
  int done = 0;
  for (int spins = 0;; spins++) {
    MPI_Test(req, &done, MPI_STATUS_IGNORE);
    if (done) return;
    /* A few quick tests first (it may be about to complete), then short naps. */
    if (spins > 64) {
      struct timespec nap = {0, 20000};
      nanosleep(&nap, NULL);
    }
  }
}

int mapo__mpi_recv_idle(void *buf, int count, MPI_Datatype type, int source, int tag, MPI_Comm comm,
                        MPI_Status *status) {
  int flag = 0;
  MPI_Status st;
  for (int spins = 0;; spins++) {
    MPI_Iprobe(source, tag, comm, &flag, &st);
    if (flag) break;
    if (spins > 64) {
      struct timespec nap = {0, 20000};
      nanosleep(&nap, NULL);
    }
  }
  return MPI_Recv(buf, count, type, st.MPI_SOURCE, st.MPI_TAG, comm,
                  status ? status : MPI_STATUS_IGNORE);
}

int mapo__mpi_fail(int status, const char *name, const char *fmt, ...) {
  if (reason[0] != '\0') return status; /* the first failure is the one told */
  /* The prefix says which program and lesson, and which rank when it is not rank 0's
   * (rank 0's lines read as they always have: a recipe's "FILE:LINE: ..." alone). */
  int n = 0;
  if (name != NULL || rank != 0)
    n = snprintf(reason, sizeof reason, "mapo-mpi%s%s: ", name && *name ? " " : "",
                 name ? name : "");
  if (rank != 0) n += snprintf(reason + n, sizeof reason - (size_t)n, "rank %d: ", rank);
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(reason + n, sizeof reason - (size_t)n, fmt, ap);
  va_end(ap);
  return status;
}

/* The rank `who` (the lowest with the worst status) has the line to print: it sends it
 * to rank 0, which prints it. Rank 0 may have kept none (it printed its own line, or
 * the failure was told at an earlier agreement); another rank never prints, so when it
 * kept none, a failure (`failed`) is still one line. */
static void tell(int who, int failed) {
  if (who != 0 && rank == who)
    MPI_Send(reason, (int)strlen(reason) + 1, MPI_CHAR, 0, TAG_REASON, agreeing);
  if (rank != 0) return;
  if (who != 0) {
    mapo__mpi_recv_idle(reason, REASON_MAX, MPI_CHAR, who, TAG_REASON, agreeing, NULL);
    reason[REASON_MAX - 1] = '\0';
    if (reason[0] == '\0' && failed) snprintf(reason, REASON_MAX, "mapo-mpi: rank %d failed", who);
  }
  if (reason[0] != '\0') fprintf(stderr, "%s\n", reason);
}

/* mapo__mpi_agree, where a status below `failure` is not one (the parser's agreement
 * counts --help as 1, failures from 2). */
// NOLINTBEGIN(clang-analyzer-optin.mpi.MPI-Checker): mapo__mpi_wait_idle completes req
static int agree(int status, int failure) {
  /* MPI_2INT's layout: the value, then its index. MPI_MAXLOC keeps the largest value
   * and, among ties, the smallest index. */
  struct {
    int status, rank;
  } mine = {status, rank}, worst = mine;
  MPI_Request req;
  MPI_Iallreduce(&mine, &worst, 1, MPI_2INT, MPI_MAXLOC, agreeing, &req);
  mapo__mpi_wait_idle(&req);
  if (worst.status != 0) tell(worst.rank, worst.status >= failure);
  reason[0] = '\0';
  return worst.status;
}
// NOLINTEND(clang-analyzer-optin.mpi.MPI-Checker)

int mapo__mpi_agree(int status) { return agree(status, 1); }

/* mapo__mpi_share, told once whether this is rank 0 (root): a caller that holds rank
 * 0's bytes decides it with the same test as here. */
static int share(const char *name, int root, char **data, size_t *len) {
  uint64_t n = *len;
  MPI_Bcast(&n, 1, MPI_UINT64_T, 0, agreeing);
  /* One broadcast of at most INT_MAX bytes: more than any input mapo reads (a recipe is
   * at most MAPO_RECIPE_BYTES_MAX). */
  char *room = !root && n <= INT_MAX ? malloc((size_t)n + 1) : NULL;
  char *buf = root ? *data : room;
  int status = n > INT_MAX ? mapo__mpi_fail(1, name, "rank 0's input of %llu bytes is too large",
                                            (unsigned long long)n)
               : buf == NULL
                   ? mapo__mpi_fail(1, name, "out of memory for rank 0's input (%llu bytes)",
                                    (unsigned long long)n)
                   : 0;
  if ((status = mapo__mpi_agree(status)) != 0 || buf == NULL) {
    free(room);
    return status != 0 ? status : 1;
  }
  MPI_Bcast(buf, (int)n, MPI_CHAR, 0, agreeing);
  if (room != NULL) {
    room[n] = '\0';
    *data = room;
    *len = (size_t)n;
  }
  return 0;
}

int mapo__mpi_share(const char *name, char **data, size_t *len) {
  return share(name, rank == 0, data, len);
}

/* Rank 0's argv onto every rank, into argv0: its strings one after another, each with
 * its NUL. Returns argc, or -1 when a rank ran out of memory (agreed, its line told). */
static int share_argv(const char *name, int argc, char **argv) {
  const int root = rank == 0;
  size_t len = 0;
  char *bytes = NULL;
  if (root) {
    for (int i = 0; i < argc; i++) len += strlen(argv[i]) + 1;
    bytes = malloc(len ? len : 1);
    for (size_t i = 0, at = 0; bytes != NULL && i < (size_t)argc; i++) {
      memcpy(bytes + at, argv[i], strlen(argv[i]) + 1);
      at += strlen(argv[i]) + 1;
    }
  }
  const int status = root && bytes == NULL ? mapo__mpi_fail(1, name, "out of memory") : 0;
  if (mapo__mpi_agree(status) != 0 || share(name, root, &bytes, &len) != 0 || bytes == NULL) {
    free(bytes); /* rank 0's own; NULL on the others */
    return -1;
  }
  int n = 0;
  for (size_t at = 0; at < len; at += strlen(bytes + at) + 1) n++;
  char **v = malloc(((size_t)n + 1) * sizeof *v);
  for (size_t i = 0, at = 0; v != NULL && i < (size_t)n; at += strlen(bytes + at) + 1)
    v[i++] = bytes + at;
  if (v != NULL) v[n] = NULL;
  free(argv0_bytes);
  free(argv0);
  argv0_bytes = bytes;
  argv0 = v;
  return mapo__mpi_agree(v == NULL ? mapo__mpi_fail(1, name, "out of memory") : 0) ? -1 : n;
}

/* cli_parse on this rank's own argv with every value stored in scratch, not in the
 * lesson's variables: the check that this rank's command line is sound. Returns what
 * cli_parse returns, or -1 for a table too large to check (its line kept). */
static int check_only(const cli_cmd *cmd, int argc, char **argv) {
  cli_opt opts[OPTS_MAX + 1];
  union {
    int i;
    uint64_t u;
    double d;
    const char *s;
  } scratch[OPTS_MAX];
  int n = 0;
  while (n < OPTS_MAX && cmd->opts[n].name != NULL) n++;
  if ((n == OPTS_MAX && cmd->opts[n].name != NULL) || cmd->max_pos > POS_MAX)
    return mapo__mpi_fail(-1, cmd->name, "more than %d flags or %d arguments", OPTS_MAX, POS_MAX);
  for (int i = 0; i <= n; i++) {
    opts[i] = cmd->opts[i];
    opts[i].dst = i < n ? &scratch[i] : NULL;
  }
  cli_cmd mine = *cmd;
  mine.opts = opts;
  const char *pos[POS_MAX + 1];
  int npos;
  return cli_parse(&mine, argc, argv, pos, &npos);
}

int mapo__mpi_parse(const cli_cmd *cmd, int argc, char **argv, const char **pos, int *npos) {
  const int argc0 = share_argv(cmd->name, argc, argv);
  if (argc0 < 0) return 1;
  /* Agreed in one all-reduce, worst first: bad input (3), a failure (2), --help (1), go
   * on (0). This rank's own line is checked first, then rank 0's parsed for real (the
   * same program everywhere agrees; two different builds need not). */
  const int own = check_only(cmd, argc, argv);
  int status = own < 0 ? 2 : own == 2 ? mapo__mpi_fail(3, cmd->name, "%s", cli_error) : own;
  const int zero = cli_parse(cmd, argc0, argv0, pos, npos);
  if (zero == 2 && status < 3)
    status = mapo__mpi_fail(3, cmd->name, "rank 0's flags: %s", cli_error);
  if (zero == 1 && status == 0) status = 1;
  status = agree(status, 2);
  if (status == 1 && rank == 0) cli_help(stdout, cmd);
  return status == 0 ? -1 : status == 1 ? 0 : status == 2 ? 1 : 2;
}
