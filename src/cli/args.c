/* args.c - table-driven flags for every mapo subcommand: one line on stderr and exit 2
 * for anything wrong, --help generated from the same table. */
#include "args.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mapo/report.h"
#include "mapo/text.h"
#include "outputs.h"

int cli_silent;
const char *cli_program = "mapo";

char cli_error[CLI_ERROR_MAX];

int cli_fail(const cli_cmd *cmd, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  if (!cli_silent) {
    va_list again;
    va_copy(again, ap);
    fprintf(stderr, "%s %s: ", cli_program, cmd->name);
    vfprintf(stderr, fmt, again);  // NOLINT(clang-analyzer-valist.Uninitialized): va_copy above
    fputc('\n', stderr);
    va_end(again);
  }
  /* Printed whole above; kept cut to size, for a program that prints it elsewhere. */
  vsnprintf(cli_error, sizeof cli_error, fmt, ap);  // NOLINT(clang-analyzer-valist.Uninitialized)
  va_end(ap);
  return 2;
}

/* Seconds in the largest unit that keeps the number at 1 or more: "45 s", "10 min",
 * "2.78 h", "1.9 years". */
static const char *duration(char *buf, size_t size, double s) {
  static const struct {
    double seconds;
    const char *unit;
  } units[] = {{365.25 * 86400, "years"}, {86400, "days"}, {3600, "h"}, {60, "min"}, {1, "s"}};
  size_t i = 0;
  while (i + 1 < sizeof units / sizeof units[0] && s < units[i].seconds) i++;
  snprintf(buf, size, "%.3g %s", s / units[i].seconds, units[i].unit);
  return buf;
}

/* A bound as a person writes it: a whole number in full ("10000000", never "1e+07"),
 * anything else with up to 6 significant digits. Returns buf. */
const char *cli_number(char *buf, size_t size, double v) {
  if (v == floor(v) && fabs(v) <= 9007199254740992.0) /* 2^53: every whole double up to it */
    snprintf(buf, size, "%.0f", v);
  else
    snprintf(buf, size, "%g", v);
  return buf;
}

/* "[1..10000000]": an option's range, as --help and the messages print it. */
static const char *range_of(char *buf, size_t size, const cli_opt *o) {
  char lo[32], hi[32];
  snprintf(buf, size, "%s..%s", cli_number(lo, sizeof lo, o->min),
           cli_number(hi, sizeof hi, o->max));
  return buf;
}

/* Whether the usage's fixed part already names --NAME (a required flag: race's --demo). */
static int named(const char *usage, const char *name) {
  const size_t n = strlen(name);
  for (const char *p = usage; (p = strstr(p, "--")) != NULL; p += 2)
    if (strncmp(p + 2, name, n) == 0 && !(p[2 + n] == '-' || (p[2 + n] >= 'a' && p[2 + n] <= 'z')))
      return 1;
  return 0;
}

/* --help's width: the reader's (cli_columns), unfolded when --wide came with --help. */
static int help_wide;

/* "usage: mapo CMD <fixed part> [--flag META] ...": every flag of the table that the
 * fixed part does not name, in the table's order, so that the usage line and the list
 * below it cannot disagree. */
static void usage_line(FILE *f, int cols, const cli_cmd *cmd) {
  char *text = NULL;
  size_t len = 0;
  FILE *mem = open_memstream(&text, &len);
  if (mem == NULL) return;
  fputs(cmd->usage, mem);
  for (const cli_opt *o = cmd->opts; o->name != NULL; o++)
    if (!named(cmd->usage, o->name))
      fprintf(mem, "%s[--%s%s%s]", *cmd->usage || o != cmd->opts ? " " : "", o->name,
              o->meta ? " " : "", o->meta ? o->meta : "");
  if (fclose(mem) != 0) { /* what was written is not to be trusted */
    free(text);
    text = NULL;
  }
  if (text == NULL) return;
  char first[128];
  snprintf(first, sizeof first, "usage: %s %s ", cli_program, cmd->name);
  char rest[128];
  const size_t indent = strlen(first) < 40 ? strlen(first) : 8;
  memset(rest, ' ', indent);
  rest[indent] = '\0';
  /* Folded at blanks, so "[--flag META]" may break between the flag and its value. */
  mapo_report_paragraph(f, cols, first, rest, text);
  free(text);
}

/* A block of lines as written, each too long for cols folded under its second column
 * (after the first run of two blanks: "  serial   one connection, ..."). */
static void table(FILE *f, int cols, const char *block) {
  for (const char *line = block; *line != '\0';) {
    const size_t n = strcspn(line, "\n");
    const char *gap = strstr(line, "  ");
    if (gap == line) gap = strstr(line + strspn(line, " "), "  ");
    int indent = 0;
    if (gap != NULL && gap < line + n) indent = (int)(gap - line + (long)strspn(gap, " "));
    mapo_report_line(f, cols, indent, "%.*s", (int)n, line);
    line += n + (line[n] == '\n');
  }
}

/* The about text: each paragraph folded, but a block of lines that start with blanks
 * (a table, such as io's models) written as it is. */
static void about(FILE *f, int cols, const char *text) {
  while (*text != '\0') {
    const char *end = strstr(text, "\n\n");
    const size_t n = end ? (size_t)(end - text) : strlen(text);
    char *para = strndup(text, n);
    if (para == NULL) return;
    if (para[0] == ' ' || strstr(para, "\n ") != NULL)
      table(f, cols, para);
    else
      mapo_report_paragraph(f, cols, "", "", para);
    free(para);
    text += n;
    if (end != NULL) {
      fputc('\n', f);
      text += 2;
    }
  }
}

void cli_help(FILE *f, const cli_cmd *cmd) {
  const int cols = cli_columns(help_wide);
  usage_line(f, cols, cmd);
  fputc('\n', f);
  about(f, cols, cmd->about);
  if (cmd->opts[0].name != NULL) fputs("\noptions:\n", f);
  char text[1024], range[80];
  for (const cli_opt *o = cmd->opts; o->name != NULL; o++) {
    char head[64];
    snprintf(head, sizeof head, "  --%s%s%s", o->name, o->meta ? " " : "", o->meta ? o->meta : "");
    size_t n = (size_t)snprintf(text, sizeof text, "%s", o->help);
    if (o->kind == CLI_CHOICE)
      for (int i = 0; o->choices[i] && n < sizeof text; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, "%s%s%s", i ? ", " : " (", o->choices[i],
                              o->choices[i + 1] ? "" : ")");
    if ((o->kind == CLI_INT || o->kind == CLI_DOUBLE || o->kind == CLI_U64) && n < sizeof text)
      snprintf(text + n, sizeof text - n, " [%s]", range_of(range, sizeof range, o));
    char first[80];
    snprintf(first, sizeof first, "%-24s ", head);
    mapo_report_paragraph(f, cols, first, "                         ", text);
  }
  fprintf(f, "  %-22s %s\n", "--help", "this text");
}

int cli_check_time(const cli_cmd *cmd, double estimate_s, int insist) {
  if (!(estimate_s > CLI_TIME_LIMIT_S) || insist) return 0;
  char estimate[32], limit[32];
  return cli_fail(cmd,
                  "this run would take at least %s (estimated from the flags), more than "
                  "the limit of %s: add --insist to run it anyway",
                  duration(estimate, sizeof estimate, estimate_s),
                  duration(limit, sizeof limit, CLI_TIME_LIMIT_S));
}

/* Numbers are strictly decimal (mapo_is_decimal) before strtoll or strtod reads them:
 * those would also take " 5", "+5" and, for strtod, "0x10". */
static int set_value(const cli_cmd *cmd, const cli_opt *o, const char *v) {
  char *end, range[80];
  errno = 0;
  switch (o->kind) {
  case CLI_INT: {
    long long x = strtoll(v, &end, 10);
    if (!mapo_is_decimal(v, 1) || end == v || *end != '\0' || errno == ERANGE)
      return cli_fail(cmd, "--%s: '%s' is not a whole number", o->name, v);
    if ((double)x < o->min || (double)x > o->max)
      return cli_fail(cmd, "--%s: %lld is out of range (%s)", o->name, x,
                      range_of(range, sizeof range, o));
    *(int *)o->dst = (int)x;
    return 0;
  }
  case CLI_U64: {
    unsigned long long x = strtoull(v, &end, 10);
    if (!mapo_is_decimal(v, 1) || end == v || *end != '\0' || errno == ERANGE ||
        strchr(v, '-') != NULL)
      return cli_fail(cmd, "--%s: '%s' is not a whole number", o->name, v);
    if ((double)x < o->min || (double)x > o->max)
      return cli_fail(cmd, "--%s: %llu is out of range (%s)", o->name, x,
                      range_of(range, sizeof range, o));
    *(uint64_t *)o->dst = (uint64_t)x;
    return 0;
  }
  case CLI_DOUBLE: {
    double x = strtod(v, &end);
    if (!mapo_is_decimal(v, 0) || end == v || *end != '\0' || errno == ERANGE || !isfinite(x))
      return cli_fail(cmd, "--%s: '%s' is not a number", o->name, v);
    if (x < o->min || x > o->max)
      return cli_fail(cmd, "--%s: %s is out of range (%s)", o->name, v,
                      range_of(range, sizeof range, o));
    *(double *)o->dst = x;
    return 0;
  }
  case CLI_STRING:
    if (*v == '\0') return cli_fail(cmd, "--%s: the value is empty", o->name);
    *(const char **)o->dst = v;
    return 0;
  case CLI_CHOICE:
    for (int i = 0; o->choices[i]; i++)
      if (strcmp(v, o->choices[i]) == 0) {
        *(const char **)o->dst = o->choices[i];
        return 0;
      }
    {
      char list[256] = "";
      size_t n = 0;
      for (int i = 0; o->choices[i] && n < sizeof list; i++)
        n += (size_t)snprintf(list + n, sizeof list - n, "%s%s", i ? ", " : "", o->choices[i]);
      return cli_fail(cmd, "--%s: '%s' is not one of: %s", o->name, v, list);
    }
  case CLI_FLAG: break;
  }
  return 0;
}

int cli_parse(const cli_cmd *cmd, int argc, char **argv, const char **pos, int *npos) {
  char seen[64] = {0};
  *npos = 0;
  for (int i = 1; i < argc; i++) help_wide |= strcmp(argv[i], "--wide") == 0;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
      if (!cli_silent) cli_help(stdout, cmd);
      return 1;
    }
    if (a[0] != '-' || a[1] == '\0') {
      if (*npos >= cmd->max_pos)
        return cli_fail(cmd, "unexpected argument '%s' (see %s %s --help)", a, cli_program,
                        cmd->name);
      pos[(*npos)++] = a;
      continue;
    }
    if (a[1] != '-')
      return cli_fail(cmd, "unknown option '%s' (options are spelled --name; see %s %s --help)", a,
                      cli_program, cmd->name);
    const char *name = a + 2, *eq = strchr(name, '=');
    size_t len = eq ? (size_t)(eq - name) : strlen(name);
    const cli_opt *o = cmd->opts;
    int idx = 0;
    for (; o->name != NULL; o++, idx++)
      if (strlen(o->name) == len && strncmp(o->name, name, len) == 0) break;
    if (o->name == NULL)
      return cli_fail(cmd, "unknown option '--%.*s' (see %s %s --help)", (int)len, name,
                      cli_program, cmd->name);
    if (idx < (int)sizeof seen && seen[idx]++) return cli_fail(cmd, "--%s is given twice", o->name);
    if (o->kind == CLI_FLAG) {
      if (eq) return cli_fail(cmd, "--%s takes no value", o->name);
      *(int *)o->dst = 1;
      continue;
    }
    const char *v = eq ? eq + 1 : NULL;
    if (v == NULL) {
      if (i + 1 >= argc) return cli_fail(cmd, "--%s needs a value (%s)", o->name, o->meta);
      v = argv[++i];
    }
    if (set_value(cmd, o, v) != 0) return 2;
  }
  if (*npos < cmd->min_pos)
    return cli_fail(cmd, "missing argument (usage: %s %s %s)", cli_program, cmd->name, cmd->usage);
  return 0;
}
