/* mapo/report.h - what every report shares: JSON helpers, all-or-nothing output files,
 * and the build a measurement was taken with.
 *
 * Everything here writes to a FILE* the program hands over: the library itself never
 * chooses to print. Output files go through mapo_report_write_file(), which writes a
 * temporary file in the same folder and renames it into place, so a killed run never
 * leaves half a file under the name asked for.
 *
 * Each concept's own reports have a header of their own (report_recipe.h,
 * report_cook.h, ...), which includes this one; this one includes none of them, so the
 * arrows run one way: a concept's report down to what all reports share.
 */
#ifndef MAPO_REPORT_H
#define MAPO_REPORT_H

#include <stdio.h>

/* The environment a measurement was taken in: gathered by the core (env.h), written as
 * JSON by mapo_report_environment_json. */
#include "report_env.h"
/* mapo_text_width, the width a program asks its reports for. */
#include "text.h"

/* JSON helpers: a string with its quotes and escapes; a number or null. */
void mapo_json_string(FILE *f, const char *s);
void mapo_json_number(FILE *f, double v); /* NAN and infinities become null */
/* ,"key":v  -- a member after the first, its number or null. */
void mapo_json_member(FILE *f, const char *key, double v);

/* Text reports fit the reader's width: MAPO_REPORT_COLUMNS (80, a projector's) unless
 * the program was told otherwise (the terminal's width on a tty, --wide). A width of 0
 * or less means unwrapped (at most MAPO_REPORT_UNWRAPPED columns a line). */
#define MAPO_REPORT_COLUMNS 80
#define MAPO_REPORT_UNWRAPPED 100000
/* Write text (words separated by blanks; a newline is a blank) folded to `columns`: the
 * first line starts with `first`, every later one with `rest` (the hanging indent), and
 * the paragraph ends with a newline. A word longer than a line is written whole. */
void mapo_report_paragraph(FILE *f, int columns, const char *first, const char *rest,
                           const char *text);
/* The columns a NUL-terminated UTF-8 text takes: one per character. */
int mapo_report_columns_of(const char *s);

/* The columns for mapo_report_paragraph: 0 (unwrapped) when wide. */
int mapo_report_width(mapo_text_width w);
/* A line as printf would write it, written whole when it fits `columns` (mapo_report_width;
 * 0: unwrapped), else folded with every later line indented by `indent` blanks (a label's
 * column: "  first      " then the text). Returns nothing; errors show in ferror(f). */
void mapo_report_line(FILE *f, int columns, int indent, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

/* Write a file through `write`, all or nothing: a temporary name in the same folder,
 * then rename(). Returns 0 or a negative code (-errno); on failure nothing is left. */
typedef int (*mapo_writer)(FILE *f, const void *arg);
int mapo_report_write_file(const char *path, mapo_writer writer, const void *arg);
/* A device, FIFO or socket that exists under path is written in place, never replaced;
 * a folder is -EISDIR. */

/* Prove before a run that path can be written: for a regular file or a new name, its
 * temporary is created beside it and removed (a missing or read-only folder, no
 * permission, a name too long with the suffix all fail here); a device is opened for
 * writing; a folder is -EISDIR. Returns 0 or -errno. */
int mapo_report_check_file(const char *path);

/* 1 when a and b name the same file (same device and inode; for names not there yet,
 * the same folder and last part), else 0. */
int mapo_report_same_file(const char *a, const char *b);

#endif
