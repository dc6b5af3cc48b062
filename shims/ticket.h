/* Hit tickets: the shim's side (ticket.c, docs/protocol.md "Hit tickets"). */
#ifndef REPRISE_TICKET_H
#define REPRISE_TICKET_H

#include <stddef.h>
#include <stdint.h>

/*
 * Replays the call whose CALL payload is `payload` from the ticket the daemon left for it
 * in `runtime_dir`, and exits 0. Returns (having written nothing the caller sees) when there
 * is no ticket, or any check of it fails: the call then goes to the daemon as usual.
 */
void ticket_replay(const char *runtime_dir, const unsigned char *payload, size_t len);

/* shim.c: writes all of p to fd (a closed fd or EPIPE loses the output, never the exit status). */
void write_all(int fd, const unsigned char *p, size_t n);

/* shim.c: appends n bytes to dir/file in one write (best effort: a lost count must not fail the build). */
void append_line(const char *dir, const char *file, const void *line, size_t n);

/* CRC-32 (zlib's), as node:zlib's crc32 computes it. */
uint32_t rp_crc32(const unsigned char *p, size_t n);

#endif
