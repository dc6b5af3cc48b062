/* The go index: the GOCACHEPROG child's side (go-index.c, docs/protocol.md "The go index"). */
#ifndef REPRISE_GO_INDEX_H
#define REPRISE_GO_INDEX_H

#include <stddef.h>

/* Length of a base64 action or output ID (32 bytes). */
#define GO_INDEX_ID_LEN 44

struct go_index;

/* Maps runtime_dir's go-index and indexes its lines by action ID; NULL when there is none. */
struct go_index *go_index_open(const char *runtime_dir);

/*
 * Writes go's answer to get `id` for `action_id` into out (a hit with the store file's
 * DiskPath) and returns 1, when the last line for that action ID is whole and the file it
 * names still has the stamp the daemon verified; else 0 (the get goes to the daemon).
 */
int go_index_answer(struct go_index *ix, long long id, const char *action_id, char *out, size_t cap);

/* The child put this action ID: the line it had no longer says what the store will hold. */
void go_index_forget(struct go_index *ix, const char *action_id);

/*
 * 1 when the index is complete (its first line is "R1 ALL": the store has no Go entry it
 * has no line for) and has no line for action_id, which this go command has not put either:
 * the get is a miss, and the child says so itself.
 */
int go_index_absent(struct go_index *ix, const char *action_id);

#endif
