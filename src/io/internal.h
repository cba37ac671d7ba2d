/* internal.h - private to src/io: what the client models and the supplier share
 * (src/io/io.c). */
#ifndef MAPO_IO_INTERNAL_H
#define MAPO_IO_INTERNAL_H

#include <netinet/in.h>
#include <stddef.h>

#include "mapo/io.h"

/* "order NNNNNNNNN\n" for number n into msg (MAPO_IO_MSG_LEN bytes, no NUL). */
void mapo__io_order(char *msg, int number);
/* "ready NNNNNNNNN\n", the supplier's answer to order n. */
void mapo__io_ready(char *msg, int number);
/* The number in "<word> NNNNNNNNN\n", or -1 when msg is not such a line. */
int mapo__io_number_in(const char *msg, const char *word);
/* Whether msg (MAPO_IO_MSG_LEN bytes) is "<word> NNNNNNNNN\n" with NNNNNNNNN == number;
 * word is "ready" for an answer, "file " (with its space) for a file's first line. */
int mapo__io_is(const char *msg, const char *word, int number);
/* A file's first line, "file  NNNNNNNNN\n" for file n. */
void mapo__io_file_header(char *msg, int number);

/* TCP_NODELAY: an order is 16 bytes, which Nagle's algorithm would hold back. 0 or -errno. */
int mapo__io_no_delay(int fd);
/* 127.0.0.1:port. */
struct sockaddr_in mapo__io_loopback(int port);
/* A TCP connection to the supplier on 127.0.0.1:port, TCP_NODELAY, close-on-exec;
 * non-blocking after the connect when nonblocking is set. A blocking call on it
 * (connect() included) gives up after wait_ms. 0, -ETIMEDOUT, or -errno. */
int mapo__io_connect(int port, int nonblocking, int wait_ms, int *fd);
/* Blocking: send or receive exactly len bytes. 0, -EPIPE when the peer closed,
 * -ETIMEDOUT when the socket's wait (mapo__io_connect) ran out, -errno. */
int mapo__io_send_all(int fd, const void *buf, size_t len);
int mapo__io_recv_all(int fd, void *buf, size_t len);

/* The grace (opts.grace_ms, or its default), and how long a client waits for one
 * answer: the latency plus the grace. Every wait on the supplier is bounded by it. */
int mapo__io_grace_ms(const mapo_io_opts *o);
int mapo__io_wait_ms(const mapo_io_job *job);
/* A connection to the supplier (mapo__io_connect with the job's port and wait); a
 * failure is recorded in words. */
int mapo__io_dial(mapo_io_job *job, int nonblocking, int *fd);
/* An order that was not answered in time: recorded in words; returns -ETIMEDOUT. */
int mapo__io_overdue(mapo_io_job *job, int number);

/* Whether answer is "<word> NNNNNNNNN\n" for this number; when it is not, the first
 * such failure is recorded in words (thread-safe). */
int mapo__io_answer_ok(mapo_io_job *job, const char *answer, const char *word, int number);

/* Record the first failure of a run in words (thread-safe; later ones are dropped). */
void mapo__io_first(mapo_io_job *job, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

#endif
