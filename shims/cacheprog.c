/*
 * reprise-shim --cacheprog: the GOCACHEPROG child the go shim names. go starts one per go
 * command, so it is this small binary (about 1 ms to start, where a Node child costs
 * 40-100 ms) relaying requests to the daemon, which serves them from the store
 * (src/pipeline/go/create-goprog-session.ts). It decodes each put's body into a spool file
 * itself and answers the put with it at once (the daemon stores it meanwhile), and when the
 * daemon is gone, killed, or stops answering, it answers every request on its own: a get
 * is a miss. go fails or
 * hangs when a child does not answer, dies, or answers a put with Err
 * (../shared/go/README.md); so nothing here ever does, and close is always answered.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "cacheprog.h"
#include "go-index.h"
#include "protocol.h"

void write_all(int fd, const unsigned char *p, size_t n);
void append_line(const char *dir, const char *file, const void *line, size_t n);

/* A put body is base64 of up to ~13 MB; a line past this is not go's. */
#define LINE_LIMIT ((size_t)64 << 20)
/* Gets served from the go index are reported to the daemon this many at a time (and before close). */
#define SERVED_BATCH 256

enum cmd { CMD_GET, CMD_PUT, CMD_CLOSE, CMD_OTHER };

struct pending {
    long long id;
    enum cmd cmd;
    long long sent_ms;
    int answered;        /* a put go already has its answer for (the spooled copy) */
    char body[PATH_MAX]; /* the spooled put body, "" when none */
};

struct prog {
    int sock;               /* -1 once the daemon is gone */
    const char *runtime_dir;
    long timeout_ms;
    char spool[PATH_MAX];   /* "" when none could be made */
    unsigned char *in;      /* stdin bytes not yet consumed */
    size_t in_len, in_cap, scan;
    unsigned char *rx;      /* socket bytes not yet consumed */
    size_t rx_len, rx_cap;
    struct pending *pend;
    size_t npend, cap_pend;
    int body_wait;          /* the last request was a put whose body line comes next */
    struct pending body_req;
    long long body_size;
    char *req_line;         /* that put's request line, sent with its body's spool path */
    size_t req_len;
    struct go_index *ix;    /* the daemon's go index, NULL when none (or the daemon is gone) */
    char served[SERVED_BATCH][GO_INDEX_ID_LEN]; /* action IDs of gets answered from it, not yet reported */
    size_t nserved;
    uint32_t nmissed;       /* gets answered as misses here (the index is complete), not yet reported */
    unsigned char *quiet;   /* bit per request ID: a put answered here and sent on, whose reply the daemon need not send */
    size_t quiet_cap;       /* bytes */
    int linkable;           /* a non-empty body was spooled: the daemon may have linked it into the store */
};

static long long mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int grow(unsigned char **p, size_t *cap, size_t need)
{
    if (need <= *cap)
        return 0;
    size_t c = *cap ? *cap : 65536;
    while (c < need)
        c *= 2;
    unsigned char *q = realloc(*p, c);
    if (!q)
        return -1;
    *p = q;
    *cap = c;
    return 0;
}

/* The number after "KEY": in a JSON line from go's encoder; -1 when absent. */
static long long json_int(const char *line, const char *key)
{
    const char *p = strstr(line, key);
    if (!p)
        return -1;
    p += strlen(key);
    while (*p == ' ')
        p++;
    if (*p < '0' || *p > '9')
        return -1;
    return strtoll(p, NULL, 10);
}

static enum cmd json_cmd(const char *line)
{
    const char *p = strstr(line, "\"Command\":\"");
    if (!p)
        return CMD_OTHER;
    p += 11;
    if (strncmp(p, "get\"", 4) == 0)
        return CMD_GET;
    if (strncmp(p, "put\"", 4) == 0)
        return CMD_PUT;
    if (strncmp(p, "close\"", 6) == 0)
        return CMD_CLOSE;
    return CMD_OTHER;
}

/* ---- answering go ------------------------------------------------------------------ */

static void say(const char *line)
{
    size_t n = strlen(line);
    char small[1024];
    if (n < sizeof small) { /* one write, so go wakes once */
        memcpy(small, line, n);
        small[n] = '\n';
        write_all(1, (const unsigned char *)small, n + 1);
        return;
    }
    write_all(1, (const unsigned char *)line, n);
    write_all(1, (const unsigned char *)"\n", 1);
}

static void remove_spool(struct prog *pg)
{
    if (!pg->spool[0])
        return;
    DIR *d = opendir(pg->spool);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)))
            if (e->d_name[0] != '.')
                unlinkat(dirfd(d), e->d_name, 0);
        closedir(d);
    }
    rmdir(pg->spool);
}

/* What we answer without the daemon: a miss, the spooled body, or close. */
static void answer_locally(struct prog *pg, const struct pending *q)
{
    char line[PATH_MAX * 2 + 64];
    if (q->cmd == CMD_PUT && q->body[0]) {
        char *o = line + sprintf(line, "{\"ID\":%lld,\"DiskPath\":\"", q->id);
        for (const char *s = q->body; *s; s++) {
            if (*s == '"' || *s == '\\')
                *o++ = '\\';
            if ((unsigned char)*s >= 0x20)
                *o++ = *s;
        }
        strcpy(o, "\"}");
    } else if (q->cmd == CMD_PUT) {
        /* Nowhere to keep it: the one answer left (this fails only this put's build step). */
        sprintf(line, "{\"ID\":%lld,\"Err\":\"reprise: cannot keep this output (disk full?)\"}", q->id);
    } else if (q->cmd == CMD_GET) {
        sprintf(line, "{\"ID\":%lld,\"Miss\":true}", q->id);
    } else {
        sprintf(line, "{\"ID\":%lld}", q->id);
    }
    say(line);
    if (q->cmd == CMD_CLOSE) {
        remove_spool(pg);
        exit(0);
    }
}

/* The daemon cannot answer any more: count it once, and answer everything it owed. */
static void lose_daemon(struct prog *pg, const char *why)
{
    char line[128];
    if (pg->sock < 0)
        return;
    close(pg->sock);
    pg->sock = -1;
    pg->ix = NULL;   /* only a live daemon's index is served from (its gets are counted) */
    pg->nserved = 0;
    pg->nmissed = 0;
    int n = snprintf(line, sizeof line, "go %s\n", why);
    append_line(pg->runtime_dir, RP_FILE_FALLBACKS, line, (size_t)n);
    /* close last, so that everything before it is answered first */
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < pg->npend; i++)
            if ((pg->pend[i].cmd == CMD_CLOSE) == pass && !pg->pend[i].answered)
                answer_locally(pg, &pg->pend[i]);
    pg->npend = 0;
}

/* ---- the daemon side ---------------------------------------------------------------- */

/* One frame in one sendmsg (the daemon then wakes once): the header, then up to three payload parts. */
static int send_parts(struct prog *pg, unsigned kind, struct iovec *iov, int n)
{
    unsigned char head[8];
    size_t len = 0;
    if (pg->sock < 0)
        return -1;
    for (int i = 1; i < n; i++)
        len += iov[i].iov_len;
    for (int i = 0; i < 4; i++)
        head[i] = (unsigned char)(len >> 8 * i);
    head[4] = (unsigned char)kind;
    head[5] = (unsigned char)(kind >> 8);
    head[6] = head[7] = 0;
    iov[0].iov_base = head;
    iov[0].iov_len = 8;
    int at = 0;
    while (at < n) {
        struct msghdr m;
        memset(&m, 0, sizeof m);
        m.msg_iov = iov + at;
        m.msg_iovlen = (size_t)(n - at);
        ssize_t w = sendmsg(pg->sock, &m, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            lose_daemon(pg, errno == EAGAIN ? "timeout" : "connection-lost");
            return -1;
        }
        size_t left = (size_t)w;
        while (at < n && left >= iov[at].iov_len)
            left -= iov[at++].iov_len;
        if (at < n) {
            iov[at].iov_base = (char *)iov[at].iov_base + left;
            iov[at].iov_len -= left;
        }
    }
    return 0;
}

/* A frame of one or two length-prefixed strings (b NULL: one). */
static int send_frame(struct prog *pg, unsigned kind, const char *a, size_t alen, const char *b, size_t blen)
{
    unsigned char alen_le[4], blen_le[4];
    for (int i = 0; i < 4; i++) {
        alen_le[i] = (unsigned char)(alen >> 8 * i);
        blen_le[i] = (unsigned char)(blen >> 8 * i);
    }
    struct iovec iov[5] = { { NULL, 0 }, { alen_le, 4 }, { (void *)a, alen }, { blen_le, 4 }, { (void *)b, blen } };
    return send_parts(pg, kind, iov, b ? 5 : 3);
}

/* GO_SERVED: the action IDs of the gets answered from the index since the last report. */
static void report_served(struct prog *pg)
{
    unsigned char buf[4 + SERVED_BATCH * (4 + GO_INDEX_ID_LEN)];
    size_t o = 4;
    if (pg->nserved == 0 || pg->sock < 0)
        return;
    for (int i = 0; i < 4; i++)
        buf[i] = (unsigned char)(pg->nserved >> 8 * i);
    for (size_t k = 0; k < pg->nserved; k++) {
        for (int i = 0; i < 4; i++)
            buf[o + i] = (unsigned char)(GO_INDEX_ID_LEN >> 8 * i);
        memcpy(buf + o + 4, pg->served[k], GO_INDEX_ID_LEN);
        o += 4 + GO_INDEX_ID_LEN;
    }
    pg->nserved = 0;
    struct iovec iov[2] = { { NULL, 0 }, { buf, o } };
    send_parts(pg, RP_FRAME_GO_SERVED, iov, 2);
}

/* GO_MISSED: how many gets were answered as misses here since the last report. */
static void report_missed(struct prog *pg)
{
    unsigned char buf[4];
    if (pg->nmissed == 0 || pg->sock < 0)
        return;
    for (int i = 0; i < 4; i++)
        buf[i] = (unsigned char)(pg->nmissed >> 8 * i);
    pg->nmissed = 0;
    struct iovec iov[2] = { { NULL, 0 }, { buf, sizeof buf } };
    send_parts(pg, RP_FRAME_GO_MISSED, iov, 2);
}

/* A put answered here: the daemon that read our capability sends nothing for it, an older one a reply we drop. */
static void note_quiet(struct prog *pg, long long id)
{
    size_t byte = (size_t)id / 8;
    if (id < 0 || id >= (1LL << 27))
        return; /* not go's numbering: a reply to it would be a reply to nothing */
    if (byte >= pg->quiet_cap) {
        size_t cap = pg->quiet_cap ? pg->quiet_cap : 4096;
        while (cap <= byte)
            cap *= 2;
        unsigned char *q = realloc(pg->quiet, cap);
        if (!q)
            return;
        memset(q + pg->quiet_cap, 0, cap - pg->quiet_cap);
        pg->quiet = q;
        pg->quiet_cap = cap;
    }
    pg->quiet[byte] |= (unsigned char)(1u << (id % 8));
}

static int was_quiet(const struct prog *pg, long long id)
{
    return id >= 0 && (size_t)id / 8 < pg->quiet_cap && (pg->quiet[(size_t)id / 8] >> (id % 8) & 1);
}

/* The ActionID of a request line from go's encoder (44 base64 characters), or NULL. */
static const char *action_id(const char *line)
{
    const char *p = strstr(line, "\"ActionID\":\"");
    if (!p)
        return NULL;
    p += 12;
    for (int i = 0; i < GO_INDEX_ID_LEN; i++)
        if (!p[i] || p[i] == '"')
            return NULL;
    return p[GO_INDEX_ID_LEN] == '"' ? p : NULL;
}

/* A get the go index answers: said to go here, and reported to the daemon in the next batch. */
static int serve_from_index(struct prog *pg, long long id, const char *line)
{
    char answer[PATH_MAX + 512];
    const char *aid = pg->ix && pg->sock >= 0 ? action_id(line) : NULL;
    if (!aid || !go_index_answer(pg->ix, id, aid, answer, sizeof answer))
        return 0;
    say(answer);
    memcpy(pg->served[pg->nserved++], aid, GO_INDEX_ID_LEN);
    if (pg->nserved == SERVED_BATCH)
        report_served(pg);
    return 1;
}

static void note_pending(struct prog *pg, const struct pending *q)
{
    if (pg->npend == pg->cap_pend) {
        size_t c = pg->cap_pend ? pg->cap_pend * 2 : 16;
        struct pending *p = realloc(pg->pend, c * sizeof *p);
        if (!p) {
            lose_daemon(pg, "unknown"); /* no memory to wait: answer on our own */
            if (!q->answered)
                answer_locally(pg, q);
            return;
        }
        pg->pend = p;
        pg->cap_pend = c;
    }
    pg->pend[pg->npend++] = *q;
}

/*
 * One request for the daemon, or answered here when it is gone. A put whose body is spooled
 * was answered already (go may read the spooled copy until it exits): the daemon stores it
 * meanwhile, off go's critical path, and answers close only once every put is stored.
 */
static void dispatch(struct prog *pg, const char *line, size_t len, struct pending *q)
{
    q->sent_ms = mono_ms();
    if (pg->sock >= 0 && q->answered && q->cmd == CMD_PUT) {
        /* Answered already: nothing to wait for (close waits for it in the daemon). */
        note_quiet(pg, q->id);
        send_frame(pg, RP_FRAME_GO_REQUEST, line, len, q->body, strlen(q->body));
        return;
    }
    if (pg->sock >= 0) {
        note_pending(pg, q);
        if (pg->sock >= 0 && send_frame(pg, RP_FRAME_GO_REQUEST, line, len, q->body, strlen(q->body)) == 0)
            return;
        return; /* lose_daemon answered it with the rest */
    }
    if (!q->answered)
        answer_locally(pg, q);
}

/*
 * After close: the spool is gone. The daemon may have stored spooled bodies by hard links,
 * and indexes those once our names for them are gone (their ctime changed with the link
 * count): tell it by ending our side, and wait (briefly) until it hangs up, so that the
 * next go command finds their lines. go is still waiting for our stdout to end meanwhile.
 */
static void hand_over_spool(struct prog *pg)
{
    if (!pg->linkable || pg->sock < 0 || shutdown(pg->sock, SHUT_WR) != 0)
        return;
    long long until = mono_ms() + (pg->timeout_ms < 2000 ? pg->timeout_ms : 2000);
    for (;;) {
        long long left = until - mono_ms();
        struct pollfd p = { pg->sock, POLLIN, 0 };
        if (left <= 0 || poll(&p, 1, (int)left) <= 0)
            return;
        char junk[512];
        ssize_t got = read(pg->sock, junk, sizeof junk);
        if (got == 0 || (got < 0 && errno != EINTR))
            return;
    }
}

/* A GO_REPLY: pass the line to go, and drop the spooled body the store now holds. */
static void on_reply(struct prog *pg, const unsigned char *p, uint32_t len)
{
    char *line = malloc((size_t)len + 1);
    if (!line)
        return lose_daemon(pg, "unknown");
    memcpy(line, p, len);
    line[len] = '\0';
    long long id = json_int(line, "\"ID\":");
    size_t i = 0;
    while (i < pg->npend && pg->pend[i].id != id)
        i++;
    if (i == pg->npend) { /* an answer to nothing: the daemon is confused, so stop asking it */
        free(line);
        if (was_quiet(pg, id))
            return; /* a put we answered, from a daemon that replies to every put */
        return lose_daemon(pg, "bad-frame");
    }
    struct pending q = pg->pend[i];
    pg->pend[i] = pg->pend[--pg->npend];
    if (!q.answered)
        say(line);
    free(line);
    if (q.cmd == CMD_CLOSE) {
        remove_spool(pg);
        hand_over_spool(pg);
        exit(0);
    }
}

static void read_daemon(struct prog *pg)
{
    if (grow(&pg->rx, &pg->rx_cap, pg->rx_len + 65536))
        return lose_daemon(pg, "unknown");
    ssize_t got = read(pg->sock, pg->rx + pg->rx_len, pg->rx_cap - pg->rx_len);
    if (got < 0 && errno == EINTR)
        return;
    if (got <= 0)
        return lose_daemon(pg, "connection-lost");
    pg->rx_len += (size_t)got;
    size_t off = 0;
    while (pg->sock >= 0 && pg->rx_len - off >= 8) {
        const unsigned char *h = pg->rx + off;
        uint32_t n = (uint32_t)h[0] | (uint32_t)h[1] << 8 | (uint32_t)h[2] << 16 | (uint32_t)h[3] << 24;
        unsigned kind = (unsigned)h[4] | (unsigned)h[5] << 8;
        if (n > RP_MAX_FRAME_PAYLOAD)
            return lose_daemon(pg, "bad-frame");
        if (pg->rx_len - off < 8 + (size_t)n)
            break;
        const unsigned char *p = h + 8;
        off += 8 + (size_t)n;
        uint32_t slen = n >= 4 ? (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24 : 0;
        if (kind == RP_FRAME_WELCOME && n >= 4 && slen == RP_PROTOCOL_VERSION)
            continue;
        if (kind == RP_FRAME_GO_REPLY && n >= 4 && slen == n - 4)
            on_reply(pg, p + 4, slen);
        else
            return lose_daemon(pg, kind == RP_FRAME_DECLINE || kind == RP_FRAME_WELCOME ? "version-mismatch" : "bad-frame");
    }
    if (pg->sock >= 0) {
        memmove(pg->rx, pg->rx + off, pg->rx_len - off);
        pg->rx_len -= off;
    }
}

/* ---- reading go --------------------------------------------------------------------- */

/* Decodes standard base64 in place, four characters at a time; returns the byte count, or -1. */
static long long unbase64(unsigned char *s, size_t n)
{
    static signed char table[256];
    static int ready;
    if (!ready) {
        static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        memset(table, -1, sizeof table);
        for (int i = 0; i < 64; i++)
            table[(unsigned char)alphabet[i]] = (signed char)i;
        ready = 1;
    }
    while (n > 0 && s[n - 1] == '=')
        n--;
    size_t o = 0, i = 0;
    for (; i + 4 <= n; i += 4) {
        int a = table[s[i]], b = table[s[i + 1]], c = table[s[i + 2]], d = table[s[i + 3]];
        if ((a | b | c | d) < 0)
            return -1;
        uint32_t v = (uint32_t)a << 18 | (uint32_t)b << 12 | (uint32_t)c << 6 | (uint32_t)d;
        s[o++] = (unsigned char)(v >> 16);
        s[o++] = (unsigned char)(v >> 8);
        s[o++] = (unsigned char)v;
    }
    uint32_t acc = 0;
    int bits = 0;
    for (; i < n; i++) {
        int v = table[s[i]];
        if (v < 0)
            return -1;
        acc = acc << 6 | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            s[o++] = (unsigned char)(acc >> bits);
        }
    }
    return (long long)o;
}

static int write_file(const char *path, const unsigned char *p, size_t n)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return -1;
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            close(fd);
            unlink(path);
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return close(fd);
}

/* The put body (a JSON string of base64) goes into the spool; q->body names it, or stays "". */
static void spool_body(struct prog *pg, struct pending *q, unsigned char *line, size_t len, long long size)
{
    q->body[0] = '\0';
    if (!pg->spool[0] || snprintf(q->body, sizeof q->body, "%s/%lld", pg->spool, q->id) >= (int)sizeof q->body) {
        q->body[0] = '\0';
        return;
    }
    long long n = len >= 2 && line[0] == '"' && line[len - 1] == '"' ? unbase64(line + 1, len - 2) : -1;
    if (n != size || write_file(q->body, line + 1, (size_t)n) != 0)
        q->body[0] = '\0';
    else if (n > 0)
        pg->linkable = 1;
}

static void answer_put_early(struct pending *q)
{
    if (!q->body[0])
        return; /* not spooled: the daemon's answer (or answer_locally's Err) it is */
    answer_locally(NULL, q);
    q->answered = 1;
}

static void on_line(struct prog *pg, unsigned char *line, size_t len)
{
    while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == ' '))
        len--;
    if (len == 0)
        return; /* go writes a blank line after each request */
    line[len] = '\0';
    if (pg->body_wait) {
        pg->body_wait = 0;
        spool_body(pg, &pg->body_req, line, len, pg->body_size);
        answer_put_early(&pg->body_req);
        dispatch(pg, pg->req_line ? pg->req_line : "", pg->req_line ? pg->req_len : 0, &pg->body_req);
        free(pg->req_line);
        pg->req_line = NULL;
        return;
    }
    struct pending q;
    memset(&q, 0, sizeof q);
    q.id = json_int((const char *)line, "\"ID\":");
    if (q.id < 0)
        return; /* nothing to answer to */
    q.cmd = json_cmd((const char *)line);
    if (q.cmd == CMD_GET && serve_from_index(pg, q.id, (const char *)line))
        return;
    if (q.cmd == CMD_GET && pg->ix && pg->sock >= 0) {
        const char *aid = action_id((const char *)line);
        if (aid && go_index_absent(pg->ix, aid)) { /* the store has no entry for it: a miss, with no round trip */
            char miss[64];
            snprintf(miss, sizeof miss, "{\"ID\":%lld,\"Miss\":true}", q.id);
            say(miss);
            pg->nmissed++;
            return;
        }
    }
    if (q.cmd == CMD_PUT && pg->ix) {
        const char *aid = action_id((const char *)line);
        if (aid)
            go_index_forget(pg->ix, aid);
    }
    if (q.cmd == CMD_CLOSE) { /* counted before close is answered */
        report_served(pg);
        report_missed(pg);
    }
    long long size = json_int((const char *)line, "\"BodySize\":");
    if (q.cmd == CMD_PUT && size > 0) {
        pg->body_wait = 1;
        pg->body_req = q;
        pg->body_size = size;
        pg->req_line = strndup((const char *)line, len);
        pg->req_len = pg->req_line ? len : 0;
        return;
    }
    if (q.cmd == CMD_PUT && pg->spool[0]) { /* an empty body: an empty file */
        snprintf(q.body, sizeof q.body, "%s/%lld", pg->spool, q.id);
        if (write_file(q.body, (const unsigned char *)"", 0) != 0)
            q.body[0] = '\0';
        answer_put_early(&q);
    }
    dispatch(pg, (const char *)line, len, &q);
}

/* Consumes every whole line in the input buffer. */
static void take_lines(struct prog *pg)
{
    size_t start = 0;
    for (;;) {
        unsigned char *nl = memchr(pg->in + pg->scan, '\n', pg->in_len - pg->scan);
        if (!nl) {
            pg->scan = pg->in_len;
            break;
        }
        size_t end = (size_t)(nl - pg->in);
        on_line(pg, pg->in + start, end - start);
        start = pg->scan = end + 1;
    }
    memmove(pg->in, pg->in + start, pg->in_len - start);
    pg->in_len -= start;
    pg->scan -= start;
}

/* A spool directory beside go's own cache (same disk as what go keeps), else in $TMPDIR. */
static void make_spool(struct prog *pg)
{
    const char *bases[2] = { getenv("GOCACHE"), getenv("TMPDIR") };
    for (int i = 0; i < 3; i++) {
        const char *base = i < 2 ? bases[i] : "/tmp";
        if (!base || base[0] != '/')
            continue;
        if (snprintf(pg->spool, sizeof pg->spool, "%s/reprise-spool-XXXXXX", base) < (int)sizeof pg->spool - 8
            && mkdtemp(pg->spool))
            return;
    }
    pg->spool[0] = '\0';
}

int cacheprog_serve(int sock, const char *runtime_dir, long timeout_ms)
{
    static const char hello_client[] = "reprise-shim cacheprog";
    struct prog pg;
    memset(&pg, 0, sizeof pg);
    pg.sock = sock;
    pg.runtime_dir = runtime_dir;
    pg.timeout_ms = timeout_ms > 0 ? timeout_ms : 10000;
    say("{\"ID\":0,\"KnownCommands\":[\"get\",\"put\",\"close\"]}");
    make_spool(&pg);
    if (pg.sock >= 0) {
        unsigned char hello[8 + 4 + 4 + 4 + sizeof hello_client - 1];
        size_t n = sizeof hello - 8, cl = sizeof hello_client - 1;
        memset(hello, 0, sizeof hello);
        for (int i = 0; i < 4; i++) {
            hello[i] = (unsigned char)(n >> 8 * i);
            hello[8 + i] = (unsigned char)(RP_PROTOCOL_VERSION >> 8 * i);
            hello[12 + i] = (unsigned char)(RP_CAP_GO_QUIET_PUTS >> 8 * i);
            hello[16 + i] = (unsigned char)(cl >> 8 * i);
        }
        hello[4] = RP_FRAME_HELLO;
        memcpy(hello + 20, hello_client, cl);
        if (send(pg.sock, hello, sizeof hello, MSG_NOSIGNAL) != (ssize_t)sizeof hello)
            lose_daemon(&pg, "connection-lost");
        else if (send_frame(&pg, RP_FRAME_GO_OPEN, hello_client, cl, NULL, 0) == 0 && !getenv("REPRISE_GO_NO_INDEX"))
            pg.ix = go_index_open(runtime_dir);
    }
    for (;;) {
        struct pollfd fds[2] = { { 0, POLLIN, 0 }, { pg.sock, POLLIN, 0 } };
        int wait = -1;
        if (pg.sock >= 0 && pg.npend > 0) {
            long long oldest = pg.pend[0].sent_ms;
            for (size_t i = 1; i < pg.npend; i++)
                if (pg.pend[i].sent_ms < oldest)
                    oldest = pg.pend[i].sent_ms;
            long long left = oldest + pg.timeout_ms - mono_ms();
            if (left <= 0) {
                lose_daemon(&pg, "timeout"); /* a wedged daemon must not hang go */
                continue;
            }
            wait = left > INT_MAX ? INT_MAX : (int)left;
        }
        int rc = poll(fds, pg.sock >= 0 ? 2 : 1, wait);
        if (rc < 0 && errno != EINTR)
            break;
        if (rc <= 0)
            continue;
        if (pg.sock >= 0 && (fds[1].revents & (POLLIN | POLLHUP | POLLERR)))
            read_daemon(&pg);
        if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
            size_t chunk = pg.in_len > (256u << 10) ? (4u << 20) : 262144;
            if (pg.in_len + chunk > LINE_LIMIT || grow(&pg.in, &pg.in_cap, pg.in_len + chunk)) {
                lose_daemon(&pg, "request-too-large");
                break;
            }
            ssize_t got = read(0, pg.in + pg.in_len, pg.in_cap - pg.in_len);
            if (got < 0 && errno == EINTR)
                continue;
            if (got <= 0) {
                report_served(&pg);
                report_missed(&pg);
                break; /* go is gone (it closes our stdin after close) */
            }
            pg.in_len += (size_t)got;
            take_lines(&pg);
        }
    }
    remove_spool(&pg);
    return 0;
}
