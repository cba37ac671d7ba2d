/* cli.h - private to the mapo program: its subcommands and what they share. */
#ifndef MAPO_CLI_H
#define MAPO_CLI_H

#include "args.h"
#include "mapo/mapo.h"

int mapo__cmd_cook(int argc, char **argv);
int mapo__cmd_recipe(int argc, char **argv);
int mapo__cmd_sum(int argc, char **argv);
int mapo__cmd_scale(int argc, char **argv);
int mapo__cmd_race(int argc, char **argv);
int mapo__cmd_io(int argc, char **argv);
int mapo__cmd_io_supplier(int argc, char **argv); /* hidden: `mapo io` starts it */
int mapo__cmd_compare(int argc, char **argv);
int mapo__cmd_load(int argc, char **argv);
int mapo__cmd_lesson(int argc, char **argv);

/* The sum models' names, for a --model choice (NULL-terminated). */
const char *const *mapo__cli_sum_models(void);
/* The flags sum and scale share (cmd_sum.c): --numbers and --split, from sum's limits
 * and its split table. */
cli_opt mapo__cli_sum_numbers(int *numbers);
cli_opt mapo__cli_sum_split(const char **split);

/* Load the recipe at path, or the built-in one when path is NULL. On failure prints
 * "path:line: message" (one line) and returns the exit status: 2 for a bad recipe, 1 when
 * memory ran out (the run failed, the input may be fine). */
int mapo__cli_load_recipe(const char *path, mapo_recipe *r);

#endif
