/*
 * Hit tickets (docs/protocol.md, "Hit tickets"): after a hit the daemon leaves a file that
 * lets the shim serve the same call again without a round trip. The ticket holds the exact
 * CALL it answers, the stat of every file the hit depended on (and for sources and headers,
 * the BLAKE3 digest that a file with another stat must have), the paths that had to stay
 * absent or present, and the outputs (store blobs checked by inode, size and CRC-32).
 * Every check must pass before anything is written; any doubt returns to the daemon path.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "blake3.h"
#include "protocol.h"
#include "ticket.h"

#define TICKET_MAX (1u << 20)   /* the daemon writes none bigger */
#define MAX_OUTPUTS 16
#define BLOB_MAX (256u << 20)
/* Content checks stop past this many bytes (about 10 ms of hashing): the daemon hashes faster. */
#define CONTENT_BUDGET (4u << 20)

struct cursor {
    const unsigned char *p, *end;
    int bad;
};

struct out {
    char path[PATH_MAX];
    unsigned mode;
    const unsigned char *data; /* into the ticket, or `owned` */
    size_t len;
    unsigned char *owned;
};

static uint64_t take(struct cursor *c, int bytes)
{
    uint64_t v = 0;
    if (c->bad || c->end - c->p < bytes) {
        c->bad = 1;
        return 0;
    }
    for (int i = 0; i < bytes; i++)
        v |= (uint64_t)c->p[i] << 8 * i;
    c->p += bytes;
    return v;
}

static const unsigned char *take_bytes(struct cursor *c, size_t *n)
{
    *n = (size_t)take(c, 4);
    if (c->bad || (size_t)(c->end - c->p) < *n) {
        c->bad = 1;
        return NULL;
    }
    const unsigned char *at = c->p;
    c->p += *n;
    return at;
}

/* A path: no NUL inside, and it fits. */
static int take_path(struct cursor *c, char *out)
{
    size_t n;
    const unsigned char *s = take_bytes(c, &n);
    if (!s || n == 0 || n >= PATH_MAX || memchr(s, 0, n))
        return c->bad = 1, -1;
    memcpy(out, s, n);
    out[n] = '\0';
    return 0;
}

uint32_t rp_crc32(const unsigned char *p, size_t n)
{
    static uint32_t table[256];
    if (!table[1])
        for (uint32_t i = 0; i < 256; i++) {
            uint32_t c = i;
            for (int k = 0; k < 8; k++)
                c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            table[i] = c;
        }
    uint32_t crc = 0xFFFFFFFFu;
    while (n--)
        crc = table[(crc ^ *p++) & 0xFF] ^ (crc >> 8);
    return crc ^ 0xFFFFFFFFu;
}

static uint64_t fnv1a64(const unsigned char *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull;
    while (n--)
        h = (h ^ *p++) * 0x100000001b3ull;
    return h;
}

static int64_t ns(struct timespec t)
{
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

struct stamp {
    uint64_t dev, ino, size;
    int64_t mtime, ctime;
};

static struct stamp take_stamp(struct cursor *c)
{
    struct stamp s;
    s.dev = take(c, 8);
    s.ino = take(c, 8);
    s.size = take(c, 8);
    s.mtime = (int64_t)take(c, 8);
    s.ctime = (int64_t)take(c, 8);
    return s;
}

/* dev, ino, size, mtime, ctime as the ticket has them; a directory's size is not compared. */
static int stamp_is(const struct stamp *s, const struct stat *st, int with_size)
{
    return s->dev == (uint64_t)st->st_dev && s->ino == (uint64_t)st->st_ino
        && (!with_size || s->size == (uint64_t)st->st_size) && s->mtime == ns(st->st_mtim)
        && s->ctime == ns(st->st_ctim);
}

/*
 * Whether the file holds exactly `size` bytes with this BLAKE3 digest: the same content
 * under another stat, as a fresh copy or checkout of the tree has. Its stat must not move
 * while it is read.
 */
static int content_is(const char *path, uint64_t size, const unsigned char digest[32])
{
    static uint64_t spent;
    unsigned char buf[1 << 16], got[32];
    struct stat before, after;
    struct blake3 h;
    uint64_t total = 0;
    ssize_t r;
    if (size > CONTENT_BUDGET - spent)
        return 0;
    spent += size;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    blake3_init(&h);
    int ok = fstat(fd, &before) == 0 && S_ISREG(before.st_mode) && (uint64_t)before.st_size == size;
    while (ok && (r = read(fd, buf, sizeof buf)) != 0) {
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0 || (total += (uint64_t)r) > size)
            ok = 0;
        else
            blake3_update(&h, buf, (size_t)r);
    }
    ok = ok && total == size && fstat(fd, &after) == 0 && after.st_ino == before.st_ino
        && after.st_size == before.st_size && ns(after.st_mtim) == ns(before.st_mtim)
        && ns(after.st_ctim) == ns(before.st_ctim);
    close(fd);
    if (!ok)
        return 0;
    blake3_final(&h, got);
    return memcmp(got, digest, 32) == 0;
}

static int nothing_there(const char *path)
{
    struct stat st;
    return stat(path, &st) != 0 && (errno == ENOENT || errno == ENOTDIR);
}

/* Every check, in order; 0 when all hold. A directory guard may vouch for the absent names after it. */
static int checks_hold(struct cursor *c)
{
    char path[PATH_MAX], guard[PATH_MAX] = "";
    struct stat st;
    uint32_t n = (uint32_t)take(c, 4), skip = 0;
    for (uint32_t i = 0; i < n; i++) {
        unsigned kind = (unsigned)take(c, 1);
        if (take_path(c, path))
            return -1;
        if (kind == RP_CHECK_ABSENT) { /* a name in the guard's directory */
            if (!guard[0] || strchr(path, '/'))
                return -1;
            if (skip > 0) {
                skip--;
                continue;
            }
            char full[PATH_MAX];
            int len = snprintf(full, sizeof full, "%s/%s", guard, path);
            if (len < 0 || (size_t)len >= sizeof full || !nothing_there(full))
                return -1;
            continue;
        }
        if (skip > 0)
            return -1; /* a guard covers only its absent names */
        int ok;
        switch (kind) {
        case RP_CHECK_FILE: {
            struct stamp want = take_stamp(c);
            size_t len;
            const unsigned char *digest = take_bytes(c, &len);
            if (c->bad || (len != 0 && len != 32))
                return -1;
            ok = stat(path, &st) == 0 && S_ISREG(st.st_mode)
                && (stamp_is(&want, &st, 1) || (len == 32 && content_is(path, want.size, digest)));
            break;
        }
        case RP_CHECK_PRESENT:
            ok = stat(path, &st) == 0;
            break;
        case RP_CHECK_DIR_GUARD: {
            uint32_t covers = (uint32_t)take(c, 4);
            memcpy(guard, path, strlen(path) + 1);
            if (stat(path, &st) != 0) {
                if (errno != ENOENT && errno != ENOTDIR)
                    return -1;
                memset(&st, 0, sizeof st); /* no directory: nothing can be in it */
                st.st_mode = S_IFREG;
            }
            /* Not a directory, or one whose entries are unchanged: the names are still absent. */
            struct stamp want = take_stamp(c);
            int same = !c->bad && stamp_is(&want, &st, 0);
            skip = !S_ISDIR(st.st_mode) || same ? covers : 0;
            ok = 1;
            break;
        }
        case RP_CHECK_SAME_NODE: {
            uint64_t dev = take(c, 8), ino = take(c, 8);
            ok = lstat(path, &st) == 0 && dev == (uint64_t)st.st_dev && ino == (uint64_t)st.st_ino;
            break;
        }
        case RP_CHECK_SAME_DIR: { /* $PWD names the cwd, or not, as it did (make-invocation.ts) */
            char other[PATH_MAX];
            struct stat st2;
            if (take_path(c, other))
                return -1;
            int want = (int)take(c, 1);
            int same = stat(path, &st) == 0 && stat(other, &st2) == 0 && st.st_dev == st2.st_dev
                && st.st_ino == st2.st_ino;
            ok = same == want;
            break;
        }
        default:
            return -1;
        }
        if (!ok || c->bad)
            return -1;
    }
    return c->bad || skip ? -1 : 0;
}

/* All `size` bytes of fd in a new buffer, or NULL. */
static unsigned char *read_whole(int fd, size_t size)
{
    unsigned char *p = malloc(size ? size : 1);
    size_t got = 0;
    while (p && got < size) {
        ssize_t r = read(fd, p + got, size - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    if (p && got != size) {
        free(p);
        p = NULL;
    }
    return p;
}

/* A store blob, only if it is the file the ticket names and still holds the same bytes. */
static int load_blob(struct cursor *c, struct out *o)
{
    char path[PATH_MAX];
    struct stat st;
    if (take_path(c, path))
        return -1;
    uint64_t dev = take(c, 8), ino = take(c, 8), size = take(c, 8);
    uint32_t crc = (uint32_t)take(c, 4);
    if (c->bad || size > BLOB_MAX)
        return -1;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int ok = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (uint64_t)st.st_dev == dev
        && (uint64_t)st.st_ino == ino && (uint64_t)st.st_size == size;
    o->owned = ok ? read_whole(fd, size) : NULL;
    close(fd);
    if (!o->owned || rp_crc32(o->owned, size) != crc)
        return -1;
    o->data = o->owned;
    o->len = size;
    return 0;
}

/* As the daemon writes a replayed output: a temp file beside it with the mode, then rename. */
static int place(const struct out *o, int index)
{
    char tmp[PATH_MAX];
    const char *slash = strrchr(o->path, '/');
    if (!slash)
        return -1;
    int n = snprintf(tmp, sizeof tmp, "%.*s/.reprise-shim-%ld-%d.tmp", (int)(slash - o->path), o->path, (long)getpid(), index);
    if (n < 0 || (size_t)n >= sizeof tmp)
        return -1;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, o->mode);
    if (fd < 0)
        return -1;
    size_t at = 0;
    while (at < o->len) {
        ssize_t w = write(fd, o->data + at, o->len - at);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            break;
        at += (size_t)w;
    }
    int ok = at == o->len && fchmod(fd, o->mode) == 0;
    ok = close(fd) == 0 && ok;
    /* Unlinking first spares ext4's flush on rename-over (see write-output.ts). */
    struct stat st;
    if (ok && lstat(o->path, &st) == 0)
        unlink(o->path);
    if (ok && rename(tmp, o->path) == 0)
        return 0;
    unlink(tmp);
    return -1;
}

void ticket_replay(const char *dir, const unsigned char *payload, size_t len)
{
    char path[PATH_MAX];
    struct stat st;
    struct out outs[MAX_OUTPUTS];
    unsigned char *t = NULL;
    size_t nouts = 0, got = 0, n, line_len, out_len, err_len;
    const unsigned char *asked, *line, *out_bytes, *err_bytes;
    struct cursor c, tail;
    int fd;

    memset(outs, 0, sizeof outs);
    if (snprintf(path, sizeof path, "%s/%s/%016llx", dir, RP_FILE_TICKETS,
                 (unsigned long long)fnv1a64(payload, len)) >= (int)sizeof path)
        return;
    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
        return;
    if (fstat(fd, &st) == 0 && st.st_size > 8 && st.st_size <= TICKET_MAX)
        t = read_whole(fd, got = (size_t)st.st_size);
    close(fd);
    if (!t || memcmp(t, RP_TICKET_MAGIC, 4) != 0)
        goto out;
    c = (struct cursor){ t + 4, t + got - 4, 0 };
    tail = (struct cursor){ t + got - 4, t + got, 0 };
    if ((uint32_t)take(&tail, 4) != rp_crc32(t, got - 4))
        goto out;
    asked = take_bytes(&c, &n);
    if (!asked || n != len || memcmp(asked, payload, len) != 0)
        goto out;
    line = take_bytes(&c, &line_len);
    if (!line || checks_hold(&c))
        goto out;
    nouts = (size_t)take(&c, 4);
    if (c.bad || nouts > MAX_OUTPUTS)
        goto out;
    for (size_t i = 0; i < nouts; i++) {
        struct out *o = &outs[i];
        if (take_path(&c, o->path) || o->path[0] != '/')
            goto out;
        o->mode = (unsigned)take(&c, 4) & 07777;
        unsigned source = (unsigned)take(&c, 1);
        if (source == RP_SOURCE_INLINE) {
            if (!(o->data = take_bytes(&c, &o->len)))
                goto out;
        } else if (source != RP_SOURCE_BLOB || load_blob(&c, o)) {
            goto out;
        }
    }
    out_bytes = take_bytes(&c, &out_len);
    err_bytes = take_bytes(&c, &err_len);
    if (c.bad || c.p != c.end)
        goto out;
    for (size_t i = 0; i < nouts; i++)
        if (place(&outs[i], (int)i))
            goto out; /* the daemon writes them all again, or the compiler does */
    append_line(dir, RP_FILE_HITS, line, line_len);
    write_all(1, out_bytes, out_len);
    write_all(2, err_bytes, err_len);
    exit(0);
out:
    for (size_t i = 0; i < MAX_OUTPUTS; i++)
        free(outs[i].owned);
    free(t);
}
