/* outputs.h - private to the programs (mapo, mapo-mpi): the files a run will write,
 * proved before the run. A typo, a folder, a read-only place or two flags naming one
 * file (an input included) cost nothing: one line on stderr, exit 2, nothing run. */
#ifndef MAPO_CLI_OUTPUTS_H
#define MAPO_CLI_OUTPUTS_H

#include "args.h"
#include "mapo/report.h"

/* The file --FLAG names (NULL: none) can be written: 0, or 2 after one line
 * "--FLAG: cannot write 'PATH' (why)". */
int cli_check_output(const cli_cmd *cmd, const char *flag, const char *path);

/* --A and --B (either may be NULL) do not name one file, by device and inode: 0, or 2
 * after one line "--A and --B name the same file". */
int cli_check_distinct(const cli_cmd *cmd, const char *flag_a, const char *a, const char *flag_b,
                       const char *b);

/* Descriptors 0, 1 and 2 open: each one closed at startup is opened on /dev/null, so
 * that no descriptor the program makes (an eventfd, a socket, an output file) becomes
 * stdout and receives what is printed, or has its bytes printed onto it. 0, or -errno
 * after one line on stderr when /dev/null cannot be opened. */
int cli_std_fds(void);

/* The columns text reports wrap to (mapo_report_paragraph): 0 (unwrapped) with --wide;
 * else COLUMNS from the environment where it is a number from 20 to 1000 (a script's
 * `COLUMNS=80`); else the terminal's width when stdout is one; else 80
 * (MAPO_REPORT_COLUMNS), a projector's. */
int cli_columns(int wide);
/* The width a report's options take (mapo/report.h): cli_columns, and --wide. */
mapo_text_width cli_width(int wide);
/* The time axis of a text Gantt chart: what fits beside its labels in cli_columns (at
 * least 20, at most 200), 64 with --wide. */
int cli_gantt_columns(int wide);

#endif
