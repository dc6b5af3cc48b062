/*
 * The go index on the GOCACHEPROG child's side. The daemon appends one line per Go entry it
 * stores or serves (src/pipeline/go/go-index-line.ts):
 *   R1 CRC ACTION OUTPUT SIZE TIME DEV INO MTIME_NS CTIME_NS PATH\n
 * The child maps the file once at start-up and notes where the last line for each action
 * ID starts; a get for one of them is answered here, with no round trip, once the line's
 * CRC holds and PATH still has exactly the stamp the daemon verified its content under. Any
 * doubt (a torn or damaged line, a file evicted, replaced or rewritten) sends the get to the
 * daemon, which answers it as before: a stale line is a miss here, never a wrong answer.
 * A file whose first line is "R1 ALL" is complete: the store has no Go entry it names no
 * line for, so a get with no line (and not put by this go command) is a miss said here.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "go-index.h"
#include "protocol.h"
#include "ticket.h"

#define TAG_LEN 12 /* "R1 " + 8 hex digits + " " */

#define COMPLETE_LINE "R1 ALL\n"

struct go_index {
    const char *map;
    size_t len;
    uint32_t *slot; /* line offset + 1; 0: empty, UINT32_MAX: forgotten */
    size_t mask;
    int complete;   /* the file started with COMPLETE_LINE */
    char (*put)[GO_INDEX_ID_LEN]; /* action IDs this go command put (open addressing; "" empty) */
    size_t nput, put_mask;
};

static uint64_t id_hash(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (int i = 0; i < GO_INDEX_ID_LEN; i++)
        h = (h ^ (unsigned char)s[i]) * 0x100000001b3ull;
    return h;
}

/* The slot for this action ID: its line's, or the empty one where it would go. */
static uint32_t *find(struct go_index *ix, const char *id)
{
    for (size_t i = (size_t)id_hash(id) & ix->mask;; i = (i + 1) & ix->mask) {
        uint32_t v = ix->slot[i];
        if (v == 0)
            return &ix->slot[i];
        if (v != UINT32_MAX && memcmp(ix->map + v - 1 + TAG_LEN, id, GO_INDEX_ID_LEN) == 0)
            return &ix->slot[i];
    }
}

struct go_index *go_index_open(const char *runtime_dir)
{
    char path[PATH_MAX];
    struct stat st;
    if (!runtime_dir || snprintf(path, sizeof path, "%s/%s", runtime_dir, RP_FILE_GO_INDEX) >= (int)sizeof path)
        return NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    if (fstat(fd, &st) != 0 || st.st_size <= 0 || st.st_size >= (off_t)UINT32_MAX - 1 || st.st_uid != geteuid()) {
        close(fd);
        return NULL;
    }
    size_t len = (size_t)st.st_size;
    const char *map = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (map == MAP_FAILED)
        return NULL;
    size_t lines = 0;
    for (const char *p = map; (p = memchr(p, '\n', (size_t)(map + len - p))); p++)
        lines++;
    size_t cap = 64;
    while (cap < lines * 2)
        cap *= 2;
    struct go_index *ix = calloc(1, sizeof *ix);
    uint32_t *slot = calloc(cap, sizeof *slot);
    if (!ix || !slot) {
        free(ix);
        free(slot);
        munmap((void *)map, len);
        return NULL;
    }
    ix->map = map;
    ix->len = len;
    ix->slot = slot;
    ix->mask = cap - 1;
    /* Complete only when whole: a torn tail or a line that is none may hide an entry's line. */
    ix->complete = len >= sizeof COMPLETE_LINE - 1 && memcmp(map, COMPLETE_LINE, sizeof COMPLETE_LINE - 1) == 0 && map[len - 1] == '\n';
    /* A later line for an action ID replaces an earlier one: the daemon appends as it learns. */
    for (const char *p = map + (ix->complete ? sizeof COMPLETE_LINE - 1 : 0), *nl; (nl = memchr(p, '\n', (size_t)(map + len - p))); p = nl + 1) {
        if (nl - p > TAG_LEN + GO_INDEX_ID_LEN && memcmp(p, "R1 ", 3) == 0 && p[TAG_LEN + GO_INDEX_ID_LEN] == ' ')
            *find(ix, p + TAG_LEN) = (uint32_t)(p - map) + 1;
        else
            ix->complete = 0;
    }
    return ix;
}

/* The put table's slot for this action ID: its own, or the empty one where it would go. */
static char *put_slot(char (*tab)[GO_INDEX_ID_LEN], size_t mask, const char *id)
{
    for (size_t i = (size_t)id_hash(id) & mask;; i = (i + 1) & mask)
        if (tab[i][0] == '\0' || memcmp(tab[i], id, GO_INDEX_ID_LEN) == 0)
            return tab[i];
}

/* Notes a put of this action ID; 0 when there was no memory (then nothing is a local miss any more). */
static int note_put(struct go_index *ix, const char *id)
{
    if (2 * (ix->nput + 1) > (ix->put ? ix->put_mask + 1 : 0)) {
        size_t cap = ix->put ? 2 * (ix->put_mask + 1) : 256;
        char (*tab)[GO_INDEX_ID_LEN] = calloc(cap, GO_INDEX_ID_LEN);
        if (!tab)
            return 0;
        for (size_t i = 0; ix->put && i <= ix->put_mask; i++)
            if (ix->put[i][0])
                memcpy(put_slot(tab, cap - 1, ix->put[i]), ix->put[i], GO_INDEX_ID_LEN);
        free(ix->put);
        ix->put = tab;
        ix->put_mask = cap - 1;
    }
    char *s = put_slot(ix->put, ix->put_mask, id);
    if (s[0] == '\0') {
        memcpy(s, id, GO_INDEX_ID_LEN);
        ix->nput++;
    }
    return 1;
}

void go_index_forget(struct go_index *ix, const char *action_id)
{
    if (!ix)
        return;
    uint32_t *s = find(ix, action_id);
    if (*s)
        *s = UINT32_MAX;
    /* The store may hold it from now on (the daemon stores the put): a later get asks the daemon. */
    if (ix->complete && !note_put(ix, action_id))
        ix->complete = 0;
}

int go_index_absent(struct go_index *ix, const char *action_id)
{
    if (!ix || !ix->complete || *find(ix, action_id) != 0)
        return 0;
    return !ix->put || put_slot(ix->put, ix->put_mask, action_id)[0] == '\0';
}

/* The next space-separated unsigned number; -1 on anything else. */
static int take_num(const char **p, const char *end, unsigned long long *v)
{
    const char *s = *p;
    unsigned long long x = 0;
    if (s >= end || *s < '0' || *s > '9')
        return -1;
    for (; s < end && *s >= '0' && *s <= '9'; s++) {
        if (x > (ULLONG_MAX - 9) / 10)
            return -1;
        x = x * 10 + (unsigned long long)(*s - '0');
    }
    if (s >= end || *s != ' ')
        return -1;
    *v = x;
    *p = s + 1;
    return 0;
}

int go_index_answer(struct go_index *ix, long long id, const char *action_id, char *out, size_t cap)
{
    if (!ix)
        return 0;
    uint32_t v = *find(ix, action_id);
    if (v == 0 || v == UINT32_MAX)
        return 0;
    const char *line = ix->map + v - 1;
    const char *end = memchr(line, '\n', (size_t)(ix->map + ix->len - line));
    if (!end)
        return 0;
    /* The CRC-32 of everything after "R1 CRC " */
    char hex[9];
    memcpy(hex, line + 3, 8);
    hex[8] = '\0';
    char *stop;
    unsigned long crc = strtoul(hex, &stop, 16);
    if (stop != hex + 8 || rp_crc32((const unsigned char *)line + TAG_LEN, (size_t)(end - line - TAG_LEN)) != (uint32_t)crc)
        return 0;
    const char *p = line + TAG_LEN + GO_INDEX_ID_LEN + 1;
    const char *output = p;
    if (end - p < GO_INDEX_ID_LEN + 1 || p[GO_INDEX_ID_LEN] != ' ')
        return 0;
    p += GO_INDEX_ID_LEN + 1;
    unsigned long long size, dev, ino, mtime_ns, ctime_ns;
    if (take_num(&p, end, &size))
        return 0;
    const char *time = p;
    while (p < end && *p != ' ')
        p++;
    size_t time_len = (size_t)(p - time);
    if (p >= end || time_len == 0 || time_len > 64)
        return 0;
    for (size_t i = 0; i < time_len; i++)
        if (!strchr("0123456789TZ:.+-", time[i]))
            return 0;
    p++;
    if (take_num(&p, end, &dev) || take_num(&p, end, &ino) || take_num(&p, end, &mtime_ns) || take_num(&p, end, &ctime_ns))
        return 0;
    char path[PATH_MAX];
    size_t plen = (size_t)(end - p);
    if (plen == 0 || plen >= sizeof path || *p != '/')
        return 0;
    memcpy(path, p, plen);
    path[plen] = '\0';
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) || (unsigned long long)st.st_size != size
        || (unsigned long long)st.st_dev != dev || (unsigned long long)st.st_ino != ino
        || (unsigned long long)st.st_mtim.tv_sec * 1000000000ull + (unsigned long long)st.st_mtim.tv_nsec != mtime_ns
        || (unsigned long long)st.st_ctim.tv_sec * 1000000000ull + (unsigned long long)st.st_ctim.tv_nsec != ctime_ns)
        return 0;
    int n = snprintf(out, cap, "{\"ID\":%lld,\"OutputID\":\"%.44s\",\"Size\":%llu,\"Time\":\"%.*s\",\"DiskPath\":\"", id, output, size, (int)time_len, time);
    if (n < 0 || (size_t)n >= cap)
        return 0;
    size_t o = (size_t)n;
    for (const char *s = path; *s; s++) {
        if ((unsigned char)*s < 0x20 || o + 4 >= cap)
            return 0;
        if (*s == '"' || *s == '\\')
            out[o++] = '\\';
        out[o++] = *s;
    }
    if (o + 3 > cap)
        return 0;
    memcpy(out + o, "\"}", 3);
    return 1;
}
