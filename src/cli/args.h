/* args.h - private to the mapo program: flags described once, in a table, from which
 * both the parsing (with type and range checks) and the --help text come. */
#ifndef MAPO_CLI_ARGS_H
#define MAPO_CLI_ARGS_H

#include <stdio.h>

typedef enum { CLI_FLAG, CLI_INT, CLI_U64, CLI_DOUBLE, CLI_STRING, CLI_CHOICE } cli_kind;

typedef struct cli_opt {
  const char *name; /* "unit-ms", given as --unit-ms */
  cli_kind kind;
  void *dst;                  /* int* for FLAG and INT, uint64_t* for U64, double*, const char** */
  double min, max;            /* INT, U64 and DOUBLE: the range allowed */
  const char *const *choices; /* CHOICE: NULL-terminated */
  const char *meta;           /* what the value is: "MS", "FILE" */
  const char *help;
} cli_opt;

typedef struct cli_cmd {
  const char *name;     /* "cook", "recipe show" */
  const char *usage;    /* the rest of the usage line */
  const char *about;    /* what it does, a paragraph */
  const cli_opt *opts;  /* terminated by an entry with a NULL name */
  int min_pos, max_pos; /* positional arguments allowed */
} cli_cmd;

/* The run time a command may be asked for without --insist: 10 minutes, above the
 * longest documented example (`mapo compare` takes about 10 s, `mapo scale` a minute)
 * and far below the years a flag at its maximum can ask for. */
#define CLI_TIME_LIMIT_MIN 10
#define CLI_TIME_LIMIT_S (CLI_TIME_LIMIT_MIN * 60.0)
#define CLI_STR_(x) #x
#define CLI_STR(x) CLI_STR_(x)
/* --insist: the one row of every command whose run time follows from its flags (a
 * macro, so that a table at file scope can hold it too). */
#define CLI_INSIST(dst)                                                                  \
  {                                                                                      \
    "insist", CLI_FLAG, (dst), 0, 0, NULL, NULL,                                         \
        "run even if the estimated run time is over " CLI_STR(CLI_TIME_LIMIT_MIN) " min" \
  }

/* --wide: the one row of every command with a text report wider than a projector's when
 * unfolded (cli_width). */
#define CLI_WIDE(dst)                                                                  \
  {                                                                                    \
    "wide", CLI_FLAG, (dst), 0, 0, NULL, NULL,                                         \
        "the long tables, and sentences not folded to the terminal's width (default: " \
        "COLUMNS, the terminal's, else 80)"                                            \
  }

/* Set by a program run as many processes (mapo-mpi) on all but one of them: the parser
 * then decides the same way everywhere but prints nothing. */
extern int cli_silent;
extern const char *cli_program; /* "mapo" or "mapo-mpi", in messages */

/* The words of the last line cli_fail made, printed or not (cli_silent), without the
 * "PROGRAM CMD: " before them (cut to fit): a program that reports elsewhere (mapo-mpi
 * sends the line of the rank that failed to rank 0) reads it here. */
enum { CLI_ERROR_MAX = 8192 };
extern char cli_error[CLI_ERROR_MAX];

/* Parse argv (argv[0] is the command's name). Returns 0 to go on, 1 when --help was
 * printed (exit 0), 2 after printing one line on stderr (exit 2). */
int cli_parse(const cli_cmd *cmd, int argc, char **argv, const char **pos, int *npos);
/* The usage line (the fixed part, then every flag of the table it does not name), the
 * about text and the options, folded to cli_columns (unfolded with --wide). */
void cli_help(FILE *f, const cli_cmd *cmd);
/* A number as a person writes it: whole numbers in full ("10000000", never "1e+07"),
 * others with up to 6 significant digits. Returns buf. */
const char *cli_number(char *buf, size_t size, double v);
/* The run estimated to take at least estimate_s seconds (a lower bound, worked out
 * from the flags by the library's mapo_*_estimate_s) may go on: 0 when it is within
 * CLI_TIME_LIMIT_S or insist (--insist) is set; else 2 after one line on stderr saying
 * the estimate, the limit and the flag that insists. Nothing has run yet. */
int cli_check_time(const cli_cmd *cmd, double estimate_s, int insist);
/* "mapo <cmd>: <message>" on stderr (unless cli_silent), the message kept in cli_error;
 * returns 2. */
int cli_fail(const cli_cmd *cmd, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

#endif
