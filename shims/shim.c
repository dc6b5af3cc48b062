/*
 * reprise-shim: installed first on PATH as gcc, cc, rustc, ghc, go, ..., it hands each
 * call to the reprise daemon over a private Unix socket, relays the tool's output and
 * exit status, and runs the real tool itself whenever the daemon cannot answer
 * (docs/protocol.md, "The shim's rules"). libc only; every trouble ends in that
 * fallback, so a build never sees the cache fail.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cacheprog.h"
#include "protocol.h"
#include "ticket.h"

#define SELF_NAME "reprise-shim"
#define LAUNCHER "reprise-daemon"
#define START_TIMEOUT_MS 3000
#define SHIM_TIMEOUT_MS 10000
#define READ_CHUNK 65536
/* No buffer outgrows two maximal frames: a bound on what a broken peer can make us hold. */
#define BUF_LIMIT (2 * ((size_t)RP_MAX_FRAME_PAYLOAD + RP_FRAME_HEADER_SIZE))

extern char **environ;

/* The process group the daemon STARTED for this call (0: none), for the signal handler. */
static volatile sig_atomic_t g_pgid;

/*
 * Groups the daemon said it RUNS for this call outside the sandbox besides the started one,
 * each with the files it writes in place (NUL-terminated paths, back to back): killed, and
 * those files deleted, before a fallback (docs/protocol.md, "No half-written outputs").
 */
#define MAX_RUNNING 64
static struct running {
    pid_t pgid;
    char *writes;
    size_t len;
} g_running[MAX_RUNNING];
static size_t g_nrunning;

/* Forwarded to the started group; SIGPIPE comes last and is only ignored. */
static const int k_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE };
#define NSIGS (sizeof k_signals / sizeof k_signals[0])

struct buf {
    unsigned char *p;
    size_t len, cap;
};

struct shim {
    const char *name;  /* basename of argv[0], or of the wrapped tool */
    char **argv;       /* the tool's argv as we were called */
    int argc;
    char *tool;        /* the real tool: a path from the caller, or tool_buf */
    char tool_buf[PATH_MAX];
    char dir[PATH_MAX]; /* the runtime dir once validated, else "" */
    struct sockaddr_un addr;
    long timeout_ms;   /* REPRISE_SHIM_TIMEOUT_MS */
    uid_t uid;
    int sock;
    int trapped;
    struct sigaction saved[NSIGS]; /* dispositions at start, restored before any exec */
    unsigned char changed[NSIGS];
};

struct reader {
    int fd;
    struct buf in;
    size_t off;          /* start of the unconsumed bytes in `in` */
    long long deadline;  /* CLOCK_MONOTONIC ms, or -1 once the daemon has answered */
};

struct output {
    struct buf held;     /* records: u8 fd, u32 length, bytes */
    size_t held_bytes;
    int streaming;       /* past RP_SHIM_HOLD_LIMIT: write frames as they come */
};

/* ---- small helpers ---------------------------------------------------------------- */

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    nanosleep(&ts, NULL); /* waking early only shortens one polling step */
}

static long env_ms(const char *name, long fallback)
{
    const char *v = getenv(name);
    char *end;
    if (!v || !*v)
        return fallback;
    errno = 0;
    long n = strtol(v, &end, 10);
    return errno || *end || n < 0 ? fallback : n;
}

/* out = dir/file; an empty dir means "." as in execvp. */
static int path_join(char *out, size_t size, const char *dir, size_t dlen, const char *file)
{
    if (dlen == 0) {
        dir = ".";
        dlen = 1;
    }
    int n = snprintf(out, size, "%.*s/%s", (int)dlen, dir, file);
    return n >= 0 && (size_t)n < size ? 0 : -1;
}

static uint32_t get_u32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void set_u32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> 8 * i);
}

static int buf_reserve(struct buf *b, size_t more)
{
    if (more <= b->cap - b->len)
        return 0;
    if (more > BUF_LIMIT - b->len)
        return -1;
    size_t cap = b->cap ? b->cap : 16384;
    while (cap - b->len < more)
        cap *= 2;
    unsigned char *p = realloc(b->p, cap);
    if (!p)
        return -1;
    b->p = p;
    b->cap = cap;
    return 0;
}

static int put_bytes(struct buf *b, const void *p, size_t n)
{
    if (buf_reserve(b, n))
        return -1;
    if (n)
        memcpy(b->p + b->len, p, n);
    b->len += n;
    return 0;
}

static int put_u32(struct buf *b, uint32_t v)
{
    unsigned char le[4];
    set_u32(le, v);
    return put_bytes(b, le, 4);
}

static int put_str(struct buf *b, const char *s)
{
    size_t n = strlen(s);
    return n > RP_MAX_FRAME_PAYLOAD || put_u32(b, (uint32_t)n) || put_bytes(b, s, n) ? -1 : 0;
}

/* Writes all of p to fd. A closed fd or EPIPE loses the output, never the exit status. */
void write_all(int fd, const unsigned char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w > 0) {
            p += w;
            n -= (size_t)w;
        } else if (w < 0 && errno == EINTR) {
            continue;
        } else if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            struct pollfd pfd = { fd, POLLOUT, 0 }; /* a non-blocking stdout we inherited */
            if (poll(&pfd, 1, -1) < 0 && errno != EINTR)
                return;
        } else {
            return;
        }
    }
}

/* ---- signals ------------------------------------------------------------------------ */

static void on_signal(int sig)
{
    int saved_errno = errno;
    pid_t pgid = (pid_t)g_pgid;
    if (pgid > 0) {
        kill(-pgid, sig); /* the tool's death comes back as EXIT */
    } else {
        signal(sig, SIG_DFL);
        raise(sig); /* delivered, and fatal, when this handler returns */
    }
    errno = saved_errno;
}

/*
 * Installed only once the daemon has committed to answering. Signals the caller ignores
 * stay ignored (nohup, background jobs); no SA_RESTART, so a blocked read returns EINTR.
 */
static void trap_signals(struct shim *s)
{
    struct sigaction sa;
    if (s->trapped)
        return;
    s->trapped = 1;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < NSIGS; i++) {
        int ignore_only = k_signals[i] == SIGPIPE; /* EPIPE instead, so the exit status survives */
        if (sigaction(k_signals[i], NULL, &s->saved[i]) != 0)
            continue;
        if (!ignore_only && s->saved[i].sa_handler == SIG_IGN)
            continue;
        sa.sa_handler = ignore_only ? SIG_IGN : on_signal;
        s->changed[i] = sigaction(k_signals[i], &sa, NULL) == 0;
    }
}

static void restore_signals(struct shim *s)
{
    for (size_t i = 0; i < NSIGS; i++)
        if (s->changed[i])
            sigaction(k_signals[i], &s->saved[i], NULL);
}

/* ---- the real tool and the fallback ------------------------------------------------- */

/*
 * The tools an enclosing shim ran, as ",dev:ino" items. A wrapper that finds "gcc" on PATH
 * again (ccache's /usr/lib/ccache, distcc, a script) would otherwise bring the call back
 * here, and we would run the wrapper again, for ever.
 */
#define SKIP_ENV "REPRISE_SHIM_SKIP"

/* A file's item in the list. */
static void skip_item(const struct stat *st, char item[64])
{
    snprintf(item, 64, ",%llu:%llu", (unsigned long long)st->st_dev, (unsigned long long)st->st_ino);
}

static int skipped(const struct stat *st)
{
    char item[64];
    const char *list = getenv(SKIP_ENV);
    if (!list)
        return 0;
    skip_item(st, item);
    size_t n = strlen(item);
    for (const char *p = strstr(list, item); p; p = strstr(p + 1, item))
        if (p[n] == ',' || p[n] == '\0')
            return 1;
    return 0;
}

/*
 * Another compiler cache's masquerade link (/usr/lib/ccache/gcc and the like) finds "gcc"
 * on PATH again, which may be us: the two would call each other for ever. We cache, so
 * we skip it (ccache, ahead of us on PATH, still reaches us and then the compiler).
 */
static int other_cache(const char *path)
{
    char real[PATH_MAX];
    if (!realpath(path, real))
        return 0;
    const char *base = strrchr(real, '/');
    base = base ? base + 1 : real;
    return strcmp(base, "ccache") == 0 || strcmp(base, "sccache") == 0;
}

/* Before running the tool ourselves: a shim it leads back to skips it. */
static void mark_skipped(const char *tool)
{
    struct stat st;
    char buf[4096], item[64];
    const char *list = getenv(SKIP_ENV);
    if (stat(tool, &st) != 0 || skipped(&st))
        return;
    skip_item(&st, item);
    int n = snprintf(buf, sizeof buf, "%s%s", list ? list : "", item);
    if (n > 0 && (size_t)n < sizeof buf)
        setenv(SKIP_ENV, buf, 1);
}

/*
 * The real tool: a wrapped tool given as a path is used as is; otherwise the first
 * executable named like us on PATH that is not this binary (same device and inode), nor
 * a tool an enclosing shim ran.
 */
static void resolve_tool(struct shim *s, int wrapped)
{
    struct stat self, st;
    if (wrapped && strchr(s->argv[0], '/')) {
        s->tool = s->argv[0];
        return;
    }
    if (stat("/proc/self/exe", &self) != 0) {
        /* Without it we cannot skip ourselves, and running on could loop forever. */
        fprintf(stderr, "reprise: %s: cannot stat /proc/self/exe: %s\n", s->name, strerror(errno));
        exit(127);
    }
    const char *path = getenv("PATH");
    if (!path)
        path = "/bin:/usr/bin"; /* execvp's default */
    for (const char *p = path;; ) {
        const char *end = strchrnul(p, ':');
        if (path_join(s->tool_buf, sizeof s->tool_buf, p, (size_t)(end - p), s->name) == 0
            && stat(s->tool_buf, &st) == 0 && S_ISREG(st.st_mode)
            && !(st.st_dev == self.st_dev && st.st_ino == self.st_ino) && !skipped(&st)
            && access(s->tool_buf, X_OK) == 0 && !other_cache(s->tool_buf)) {
            s->tool = s->tool_buf;
            return;
        }
        if (!*end)
            break;
        p = end + 1;
    }
    fprintf(stderr, "reprise: %s: not found on PATH after the shim\n", s->name);
    exit(127);
}

static _Noreturn void run_tool(struct shim *s)
{
    s->argv[0] = s->tool; /* gcc finds its install from argv[0]: give the real path */
    mark_skipped(s->tool);
    execv(s->tool, s->argv);
    int err = errno;
    fprintf(stderr, "reprise: %s: cannot run %s: %s\n", s->name, s->tool, strerror(err));
    exit(err == EACCES ? 126 : 127);
}

void append_line(const char *dir, const char *file, const void *line, size_t n)
{
    char path[PATH_MAX];
    if (!dir[0] || path_join(path, sizeof path, dir, strlen(dir), file))
        return;
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return;
    ssize_t lost = write(fd, line, n); /* a lost count must not fail the build */
    (void)lost;
    close(fd);
}

/* Appends "NAME REASON" to the fallbacks file, for `reprise stats`; best effort. */
static void record_fallback(const struct shim *s, const char *reason)
{
    char line[512];
    int n = snprintf(line, sizeof line, "%s %s\n", s->name, reason);
    if (n > 0 && (size_t)n < sizeof line)
        append_line(s->dir, RP_FILE_FALLBACKS, line, (size_t)n);
}

/* Kills a process group, and waits (bounded) until it is gone. */
static void kill_group(pid_t pgid)
{
    kill(-pgid, SIGKILL);
    for (int i = 0; i < 1000 && kill(-pgid, 0) == 0; i++)
        sleep_ms(2);
}

/* Kills the group the daemon started. */
static void kill_started_group(void)
{
    pid_t pgid = (pid_t)g_pgid;
    if (pgid <= 0)
        return;
    kill_group(pgid);
    g_pgid = 0;
}

/* Kills each RUNNING group as the started one, then deletes the files it was writing. */
static void undo_running(void)
{
    for (size_t i = 0; i < g_nrunning; i++) {
        kill_group(g_running[i].pgid);
        for (size_t at = 0; at < g_running[i].len; at += strlen(g_running[i].writes + at) + 1)
            unlink(g_running[i].writes + at);
    }
    g_nrunning = 0;
}

/*
 * A RUNNING frame: u32 pgid, u32 n, n strings. n == 0 ends that group's entry. -1 when it
 * is malformed, names a group we must never kill, or overflows the table.
 */
static int note_running(const unsigned char *p, uint32_t len)
{
    if (len < 8)
        return -1;
    uint32_t pgid = get_u32(p), n = get_u32(p + 4);
    if (pgid <= 1 || pgid > INT_MAX || (pid_t)pgid == getpgrp())
        return -1;
    if (n == 0) {
        for (size_t i = 0; i < g_nrunning; i++)
            if (g_running[i].pgid == (pid_t)pgid) {
                free(g_running[i].writes);
                g_running[i] = g_running[--g_nrunning];
                break;
            }
        return 0;
    }
    if (g_nrunning == MAX_RUNNING)
        return -1;
    /* Each string becomes NUL-terminated in place of the next one's length: the copy is never longer. */
    char *writes = malloc(len);
    size_t at = 8, out = 0;
    if (!writes)
        return -1;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t l = at + 4 <= len ? get_u32(p + at) : UINT32_MAX;
        if (l == UINT32_MAX || l == 0 || l > len - at - 4 || p[at + 4] != '/' || memchr(p + at + 4, 0, l)) {
            free(writes);
            return -1;
        }
        memcpy(writes + out, p + at + 4, l);
        writes[out + l] = '\0';
        out += l + 1;
        at += 4 + l;
    }
    if (at != len) {
        free(writes);
        return -1;
    }
    g_running[g_nrunning++] = (struct running){ (pid_t)pgid, writes, out };
    return 0;
}

/* Runs the tool ourselves. reason == NULL: the daemon declined and counts it itself. */
static _Noreturn void fall_back(struct shim *s, const char *reason)
{
    kill_started_group(); /* never two compilers writing the same output */
    undo_running();
    if (reason)
        record_fallback(s, reason);
    if (s->sock >= 0)
        close(s->sock);
    restore_signals(s);
    run_tool(s);
}

/* ---- runtime dir, connecting, starting the daemon ----------------------------------- */

/* Finds the runtime dir, creates it if missing, and refuses one others could write to. */
static const char *setup_runtime(struct shim *s)
{
    const char *env = getenv("REPRISE_RUNTIME_DIR"), *xdg = getenv("XDG_RUNTIME_DIR");
    uid_t uid = s->uid = getuid();
    char dir[PATH_MAX];
    struct stat st;
    int n;
    if (env && *env)
        n = snprintf(dir, sizeof dir, "%s", env);
    else if (xdg && *xdg)
        n = snprintf(dir, sizeof dir, "%s/reprise", xdg);
    else
        n = snprintf(dir, sizeof dir, "/tmp/reprise-%u", (unsigned)uid);
    if (n <= 0 || (size_t)n >= sizeof dir)
        return "bad-runtime-dir";
    if (lstat(dir, &st) != 0
        && (errno != ENOENT || (mkdir(dir, 0700) != 0 && errno != EEXIST) || lstat(dir, &st) != 0))
        return "bad-runtime-dir";
    if (!S_ISDIR(st.st_mode) || st.st_uid != uid || (st.st_mode & 077) != 0)
        return "bad-runtime-dir";
    memcpy(s->dir, dir, (size_t)n + 1);
    s->addr.sun_family = AF_UNIX;
    if (path_join(s->addr.sun_path, sizeof s->addr.sun_path, dir, (size_t)n, RP_FILE_SOCKET))
        return "socket-path-too-long";
    return NULL;
}

static int try_connect(struct shim *s)
{
    int rc;
    do
        rc = connect(s->sock, (const struct sockaddr *)&s->addr, sizeof s->addr);
    while (rc != 0 && errno == EINTR);
    return rc;
}

/* The daemon's side of the double fork: fd 3 is the lock, nothing else leaks in. */
static _Noreturn void exec_daemon(const char *launcher, int lock_fd)
{
    sigset_t none;
    if (lock_fd == 3 ? fcntl(3, F_SETFD, 0) != 0 : dup2(lock_fd, 3) != 3)
        _exit(127);
    int null = open("/dev/null", O_RDWR);
    if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(null, 2) < 0)
        _exit(127);
    /* Pipes inherited from make or a CI runner must not live on in the daemon. */
#if defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 34)
    if (close_range(4, ~0U, 0) != 0)
#endif
        for (int fd = 4; fd < 1024; fd++)
            close(fd);
    for (size_t i = 0; i < NSIGS; i++)
        signal(k_signals[i], SIG_DFL);
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    if (chdir("/") != 0)
        _exit(127);
    execl(launcher, LAUNCHER, "--lock-fd=3", (char *)0);
    _exit(127);
}

/* Spawns the launcher next to our binary, detached, holding the lock we just took. */
static const char *spawn_daemon(int lock_fd)
{
    char launcher[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", launcher, sizeof launcher - sizeof LAUNCHER);
    if (n <= 0)
        return "no-daemon";
    launcher[n] = '\0';
    char *slash = strrchr(launcher, '/'); /* the buffer keeps room for the name */
    if (!slash)
        return "no-daemon";
    memcpy(slash + 1, LAUNCHER, sizeof LAUNCHER);
    if (access(launcher, X_OK) != 0)
        return "no-daemon";
    pid_t child = fork();
    if (child < 0)
        return "no-daemon";
    if (child == 0) {
        if (setsid() < 0)
            _exit(1);
        pid_t daemon = fork();
        if (daemon == 0)
            exec_daemon(launcher, lock_fd);
        _exit(daemon < 0);
    }
    while (waitpid(child, NULL, 0) < 0 && errno == EINTR)
        ;
    return NULL;
}

/*
 * Starts the daemon if nobody holds the lock, then polls connect(). Re-taking the lock
 * after our own spawn means our daemon died: give up at once instead of at the deadline.
 */
static const char *start_daemon(struct shim *s)
{
    char lock[PATH_MAX];
    long long deadline = now_ms() + env_ms("REPRISE_START_TIMEOUT_MS", START_TIMEOUT_MS);
    int spawned = 0;
    if (path_join(lock, sizeof lock, s->dir, strlen(s->dir), RP_FILE_LOCK))
        return "no-daemon";
    for (;;) {
        int fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        if (fd < 0)
            return "no-daemon";
        if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
            const char *why = spawned ? "no-daemon" : spawn_daemon(fd);
            if (why) {
                close(fd);
                return why;
            }
            spawned = 1;
        } else if (errno != EWOULDBLOCK) {
            close(fd);
            return "no-daemon";
        }
        close(fd); /* the daemon, if we started it, holds the lock through its own fd 3 */
        if (try_connect(s) == 0)
            return NULL;
        if (errno != ENOENT && errno != ECONNREFUSED)
            return errno == EAGAIN ? "timeout" : "no-daemon";
        if (now_ms() >= deadline)
            return "no-daemon";
        sleep_ms(5);
    }
}

/* Connects to the daemon's socket, starting the daemon when nobody listens. */
static const char *connect_daemon(struct shim *s)
{
    struct stat st;
    /* Bounds connect() and send() against a wedged daemon with a full backlog or buffer. */
    struct timeval tv = { s->timeout_ms / 1000, (s->timeout_ms % 1000) * 1000 };
    s->sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s->sock < 0 || setsockopt(s->sock, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) != 0)
        return "no-daemon";
    if (lstat(s->addr.sun_path, &st) == 0) {
        if (!S_ISSOCK(st.st_mode) || st.st_uid != s->uid)
            return "foreign-socket";
        if (try_connect(s) == 0)
            return NULL;
        if (errno != ENOENT && errno != ECONNREFUSED)
            return errno == EAGAIN ? "timeout" : "no-daemon";
    } else if (errno != ENOENT) {
        return "no-daemon";
    }
    return start_daemon(s);
}

/* ---- talking to the daemon ---------------------------------------------------------- */

static int frame_begin(struct buf *b, size_t *at)
{
    static const unsigned char blank[RP_FRAME_HEADER_SIZE];
    *at = b->len;
    return put_bytes(b, blank, sizeof blank);
}

static int frame_end(struct buf *b, size_t at, unsigned kind)
{
    size_t n = b->len - at - RP_FRAME_HEADER_SIZE;
    if (n > RP_MAX_FRAME_PAYLOAD)
        return -1;
    set_u32(b->p + at, (uint32_t)n);
    b->p[at + 4] = (unsigned char)kind;
    b->p[at + 5] = (unsigned char)(kind >> 8);
    return 0;
}

/* The terminal width on fd, 0 when it is not a terminal (gcc asks fd 0, clang fd 2). */
static uint32_t columns(int fd)
{
    struct winsize ws;
    return ioctl(fd, TIOCGWINSZ, &ws) == 0 ? ws.ws_col : 0;
}

/* Whether a ticket ignores this environment entry (RP_TICKET_UNMATCHED_ENV: make's jobserver). */
static int unmatched(const char *entry)
{
    for (const char *p = RP_TICKET_UNMATCHED_ENV; *p; p += strlen(p) + 1)
        if (strncmp(entry, p, strlen(p)) == 0)
            return 1;
    return 0;
}

/* What a CALL says of the caller besides argv and the environment: read once, for the ticket view and the request. */
struct call_head {
    char tool_buf[PATH_MAX];
    const char *tool; /* absolute */
    uint32_t mask, flags, stdin_cols, stderr_cols;
};

static int read_call_head(const struct shim *s, const char *cwd, struct call_head *h)
{
    mode_t mask = umask(0);
    umask(mask);
    h->mask = (uint32_t)mask;
    h->flags = (isatty(1) ? RP_CALL_STDOUT_TTY : 0) | (isatty(2) ? RP_CALL_STDERR_TTY : 0)
        | (isatty(0) ? RP_CALL_STDIN_TTY : 0);
    h->stdin_cols = columns(0);
    h->stderr_cols = columns(2);
    /* The daemon wants an absolute tool path; a relative one comes from PATH or the caller. */
    h->tool = s->tool;
    if (s->tool[0] != '/') {
        if (path_join(h->tool_buf, sizeof h->tool_buf, cwd, strlen(cwd), s->tool))
            return -1;
        h->tool = h->tool_buf;
    }
    return 0;
}

/*
 * HELLO and CALL in one buffer, so one write and one round trip per call; *call_at: where
 * the CALL's payload starts. for_ticket: the CALL alone, as a ticket is matched on it.
 */
static int build_request(const struct shim *s, const struct call_head *h, struct buf *b, const char *cwd,
                         size_t *call_at, int for_ticket)
{
    size_t envc = 0, at = 0;
    for (size_t i = 0; environ && environ[i]; i++)
        envc += !(for_ticket && unmatched(environ[i]));
    int err = !for_ticket && (frame_begin(b, &at) || put_u32(b, RP_PROTOCOL_VERSION) || put_u32(b, RP_CAP_RUNNING)
        || put_str(b, SELF_NAME) || frame_end(b, at, RP_FRAME_HELLO));
    err = err || frame_begin(b, &at);
    *call_at = at + RP_FRAME_HEADER_SIZE;
    err = err || put_str(b, s->name) || put_str(b, h->tool) || put_str(b, cwd) || put_u32(b, h->mask)
        || put_u32(b, h->flags) || put_u32(b, h->stdin_cols) || put_u32(b, h->stderr_cols)
        || put_u32(b, (uint32_t)s->argc);
    for (int i = 0; !err && i < s->argc; i++)
        err = put_str(b, s->argv[i]);
    err = err || put_u32(b, (uint32_t)envc);
    for (size_t i = 0; !err && environ && environ[i]; i++)
        if (!(for_ticket && unmatched(environ[i])))
            err = put_str(b, environ[i]);
    return err || frame_end(b, at, RP_FRAME_CALL) ? -1 : 0;
}

static const char *send_all(int fd, const unsigned char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w >= 0) {
            p += w;
            n -= (size_t)w;
        } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
            return "timeout";
        } else if (errno == EPIPE || errno == ECONNRESET) {
            return NULL; /* the daemon hung up; a DECLINE may still be waiting to be read */
        } else if (errno != EINTR) {
            return "connection-lost";
        }
    }
    return NULL;
}

static int wait_readable(int fd, long long deadline)
{
    for (;;) {
        long long left = deadline - now_ms();
        struct pollfd pfd = { fd, POLLIN, 0 };
        if (left <= 0)
            return -1;
        int rc = poll(&pfd, 1, left > INT_MAX ? INT_MAX : (int)left);
        if (rc > 0)
            return 0;
        if (rc < 0 && errno != EINTR)
            return -1;
    }
}

/* Reads the next whole, header-checked frame; returns NULL, or why to fall back. */
static const char *read_frame(struct reader *r, unsigned *kind, const unsigned char **payload,
                              uint32_t *len)
{
    for (;;) {
        size_t avail = r->in.len - r->off, need = RP_FRAME_HEADER_SIZE;
        if (avail >= RP_FRAME_HEADER_SIZE) {
            const unsigned char *h = r->in.p + r->off;
            uint32_t n = get_u32(h);
            if (h[6] != 0 || h[7] != 0 || n > RP_MAX_FRAME_PAYLOAD)
                return "bad-frame";
            need += n;
            if (avail >= need) {
                *kind = (unsigned)h[4] | (unsigned)h[5] << 8;
                *payload = h + RP_FRAME_HEADER_SIZE;
                *len = n;
                r->off += need;
                return NULL;
            }
        }
        if (r->off) { /* the caller is done with earlier frames */
            memmove(r->in.p, r->in.p + r->off, avail);
            r->in.len = avail;
            r->off = 0;
        }
        if (buf_reserve(&r->in, need - avail > READ_CHUNK ? need - avail : READ_CHUNK))
            return "bad-frame";
        if (r->deadline >= 0 && wait_readable(r->fd, r->deadline) != 0)
            return "timeout";
        ssize_t got = read(r->fd, r->in.p + r->in.len, r->in.cap - r->in.len);
        if (got < 0 && errno == EINTR)
            continue; /* a forwarded signal; the tool's EXIT will follow */
        if (got <= 0)
            return "connection-lost";
        r->in.len += (size_t)got;
    }
}

static void flush_held(struct output *o)
{
    for (size_t i = 0; i + 5 <= o->held.len; ) {
        uint32_t n = get_u32(o->held.p + i + 1);
        write_all(o->held.p[i], o->held.p + i + 5, n);
        i += 5 + (size_t)n;
    }
    o->held.len = 0;
}

/* Holds output until EXIT, so a fallback never repeats diagnostics; streams past the limit. */
static void emit(struct output *o, int fd, const unsigned char *p, uint32_t n)
{
    unsigned char tag = (unsigned char)fd;
    if (!o->streaming && (put_bytes(&o->held, &tag, 1) || put_u32(&o->held, n)
                          || put_bytes(&o->held, p, n))) {
        o->held.len = 0; /* cannot hold (no memory): stream from here, like past the limit */
        o->streaming = 1;
        return;
    }
    if (o->streaming) {
        write_all(fd, p, n);
        return;
    }
    o->held_bytes += n;
    if (o->held_bytes > RP_SHIM_HOLD_LIMIT) {
        flush_held(o);
        o->streaming = 1;
    }
}

static _Noreturn void finish(struct output *o, const unsigned char *p)
{
    int32_t code = (int32_t)get_u32(p);
    int sig = (int)get_u32(p + 4);
    g_pgid = 0; /* the group is gone; its id may be reused */
    flush_held(o);
    if (sig != 0) {
        sigset_t set;
        signal(sig, SIG_DFL);
        sigemptyset(&set);
        sigaddset(&set, sig);
        sigprocmask(SIG_UNBLOCK, &set, NULL);
        raise(sig);
        exit(128 + sig);
    }
    exit(code & 0xff);
}

/* EXEC_ENV: set each NAME=value given, then run the tool ourselves (not a fallback). */
static void exec_with_env(struct shim *s, const unsigned char *p, uint32_t len)
{
    if (len < 4)
        return;
    uint32_t n = get_u32(p), off = 4;
    for (uint32_t i = 0; i < n; i++) {
        if (len - off < 4 || get_u32(p + off) > len - off - 4)
            return;
        uint32_t l = get_u32(p + off);
        char *kv = strndup((const char *)p + off + 4, l);
        char *eq = kv ? strchr(kv, '=') : NULL;
        if (!eq || eq == kv)
            return;
        *eq = '\0';
        setenv(kv, eq + 1, 1);
        free(kv);
        off += 4 + l;
    }
    if (off != len)
        return;
    close(s->sock);
    s->sock = -1;
    restore_signals(s);
    run_tool(s);
}

/* One call: send HELLO+CALL (req), then relay the answer. Returns only through exit or exec. */
static _Noreturn void converse(struct shim *s, struct buf *req)
{
    struct reader r = { s->sock, { NULL, 0, 0 }, 0, 0 };
    struct output out = { { NULL, 0, 0 }, 0, 0 };
    const unsigned char *p;
    const char *why;
    unsigned kind;
    uint32_t len;

    why = send_all(s->sock, req->p, req->len);
    free(req->p);
    if (why)
        fall_back(s, why);
    r.deadline = now_ms() + s->timeout_ms;

    /* First answer: WELCOME, or a DECLINE (version-mismatch) without one. */
    if ((why = read_frame(&r, &kind, &p, &len)))
        fall_back(s, why);
    if (kind == RP_FRAME_DECLINE && len >= 4 && get_u32(p) == len - 4)
        fall_back(s, NULL);
    if (kind != RP_FRAME_WELCOME || len < 16 || get_u32(p + 12) != len - 16)
        fall_back(s, "bad-frame");
    if (get_u32(p) != RP_PROTOCOL_VERSION)
        fall_back(s, "version-mismatch");
    r.deadline = -1; /* from here the tool may run for minutes */

    while (!(why = read_frame(&r, &kind, &p, &len))) {
        if (kind != RP_FRAME_DECLINE)
            trap_signals(s);
        if (kind == RP_FRAME_DECLINE && len >= 4 && get_u32(p) == len - 4) {
            fall_back(s, NULL);
        } else if (kind == RP_FRAME_STARTED && len == 4) {
            uint32_t pgid = get_u32(p);
            /* kill(-pgid) with 0, 1 or our own group would hit far more than the tool */
            if (pgid <= 1 || pgid > INT_MAX || (pid_t)pgid == getpgrp())
                break;
            g_pgid = (sig_atomic_t)pgid;
        } else if (kind == RP_FRAME_RUNNING) {
            if (note_running(p, len) != 0)
                break;
        } else if (kind == RP_FRAME_STDOUT || kind == RP_FRAME_STDERR) {
            emit(&out, kind == RP_FRAME_STDOUT ? 1 : 2, p, len);
        } else if (kind == RP_FRAME_EXIT && len == 8 && get_u32(p + 4) < NSIG) {
            finish(&out, p);
        } else if (kind == RP_FRAME_EXEC_ENV && out.held.len == 0) {
            exec_with_env(s, p, len); /* the go shim: GOCACHEPROG, then go itself */
        } else {
            break;
        }
    }
    fall_back(s, why ? why : "bad-frame");
}

/* ---- entry ------------------------------------------------------------------------- */

static int start_only(struct shim *s)
{
    const char *why = setup_runtime(s);
    if (!why)
        why = connect_daemon(s);
    if (why) {
        fprintf(stderr, "reprise-shim: daemon not reachable: %s (runtime dir %s)\n", why,
                s->dir[0] ? s->dir : "unusable");
        return 1;
    }
    close(s->sock);
    return 0;
}

static int disabled(void)
{
    const char *v = getenv("REPRISE_DISABLE");
    return v && *v && strcmp(v, "0") != 0;
}

int main(int argc, char **argv)
{
    struct shim s;
    struct buf req = { NULL, 0, 0 }, view = { NULL, 0, 0 };
    struct call_head head;
    char cwd[PATH_MAX];
    size_t call_at = 0;
    const char *why;
    memset(&s, 0, sizeof s);
    s.sock = -1;
    if (argc < 1 || !argv[0]) {
        fputs("reprise: called without argv[0]\n", stderr);
        return 127;
    }
    s.name = base_name(argv[0]);
    s.argv = argv;
    s.argc = argc;
    s.timeout_ms = env_ms("REPRISE_SHIM_TIMEOUT_MS", SHIM_TIMEOUT_MS);

    if (strcmp(s.name, SELF_NAME) == 0) {
        if (argc >= 2 && strcmp(argv[1], "--version") == 0) {
            printf("%s %u\n", SELF_NAME, RP_PROTOCOL_VERSION);
            return 0;
        }
        if (argc >= 2 && strcmp(argv[1], "--start-daemon") == 0)
            return start_only(&s);
        if (argc >= 2 && strcmp(argv[1], "--cacheprog") == 0) {
            /* go's GOCACHEPROG child (cacheprog.c): without a daemon it still answers, locally */
            s.name = "go";
            why = setup_runtime(&s);
            if (!why)
                why = connect_daemon(&s);
            if (why && s.sock >= 0) {
                close(s.sock);
                s.sock = -1;
            }
            if (why)
                record_fallback(&s, why);
            return cacheprog_serve(s.sock, s.dir, s.timeout_ms);
        }
        if (argc < 2 || argv[1][0] == '-') {
            fputs("usage: reprise-shim TOOL [ARG]...   (run TOOL through the reprise daemon)\n"
                  "       reprise-shim --start-daemon | --cacheprog | --version\n", stderr);
            return 2;
        }
        s.argv = argv + 1; /* wrapper mode, like RUSTC_WRAPPER */
        s.argc = argc - 1;
        s.name = base_name(argv[1]);
    }

    resolve_tool(&s, s.argv != argv);
    if (disabled())
        run_tool(&s);
    if ((why = setup_runtime(&s)))
        fall_back(&s, why);
    if (!getcwd(cwd, sizeof cwd))
        fall_back(&s, "unknown");
    if (read_call_head(&s, cwd, &head))
        fall_back(&s, "request-too-large");
    /* A hit the daemon left a ticket for is replayed here, with no round trip. */
    if (build_request(&s, &head, &view, cwd, &call_at, 1) == 0)
        ticket_replay(s.dir, view.p + call_at, view.len - call_at);
    free(view.p);
    if (build_request(&s, &head, &req, cwd, &call_at, 0))
        fall_back(&s, "request-too-large");
    if ((why = connect_daemon(&s)))
        fall_back(&s, why);
    converse(&s, &req);
}
