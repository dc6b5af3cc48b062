/*
 * reprise-spawner: the daemon's child that starts tools for it (docs/protocol.md, "The
 * daemon ⇄ spawner protocol"). Node's spawn forks the whole daemon; forking this tiny
 * process costs a fraction. Requests arrive as frames on stdin; replies and the tools'
 * output leave as frames on stdout. One poll() loop serves stdin, a signalfd and every
 * job's pipes. No job outlives the spawner: every way out kills their process groups.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/capability.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sched.h>
#include <time.h>
#include <unistd.h>

#include "protocol.h"

#define READ_CHUNK 65536
#define HEAD (RP_FRAME_HEADER_SIZE + 4) /* frame header and job id, ahead of every reply */
#define REAP_WAIT_MS 2000
/* One line to the daemon's log; stderr is unbuffered, and glibc writes a line in one go. */
#define diag(fmt, ...) fprintf(stderr, "reprise-spawner: " fmt "\n", __VA_ARGS__)

/* Where starting a job failed; JOB_FAILED's message names any stage but the exec. */
enum { STAGE_EXEC, STAGE_PIPE, STAGE_FORK, STAGE_SESSION, STAGE_CHDIR, STAGE_STDIO, STAGE_VIEW };
static const char *const k_stage[] = { NULL, "pipe2", "fork", "setsid", "chdir", "stdio", "sandbox view" };

/* Signals that end the spawner (SIGTERM is also the parent-death signal). */
static const int k_stop[] = { SIGTERM, SIGINT, SIGHUP, SIGQUIT };
#define NSTOP (sizeof k_stop / sizeof k_stop[0])

struct job {
    uint32_t id;
    pid_t pid;  /* also its process group: the child is a session leader */
    int fd[2];  /* read ends of its stdout and stderr, -1 after end of file */
    int reaped;
    int status;
};

struct request {
    uint32_t id, mask;
    char *tool, *cwd, **argv, **envp;
    char **view; /* triples (op, a, b); empty: run in the spawner's own view */
};

/* Reads a SPAWN payload, copying its strings NUL-terminated into arena. */
struct cursor {
    const unsigned char *p, *end;
    char *arena;
    int bad;     /* the fields do not fit the payload */
    int has_nul; /* a string holds a NUL, which execve would silently cut it at */
};

static struct {
    struct job *jobs;
    size_t njobs, jcap;
    struct pollfd *pfd;
    size_t *slot; /* pfd[i], i >= 2, is pipe slot[i] % 2 of job slot[i] / 2 */
    size_t pcap;
    unsigned char *in;
    size_t inlen, incap;
    int sfd, devnull;
    pid_t self;
    const char *root; /* --sandbox ROOT: where each sandboxed job mounts its view's tmpfs */
} g;

/* ---- small helpers ---------------------------------------------------------------- */

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
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

static void close_fd(int *fd)
{
    if (*fd >= 0)
        close(*fd); /* pipes: nothing to flush, so an error here loses nothing */
    *fd = -1;
}

static struct job *find_job(uint32_t id)
{
    for (size_t i = 0; i < g.njobs; i++)
        if (g.jobs[i].id == id)
            return &g.jobs[i];
    return NULL;
}

/* ---- children and the way out ------------------------------------------------------- */

static void reap_children(void)
{
    for (;;) {
        int status;
        pid_t pid = waitpid(-1, &status, WNOHANG);
        if (pid < 0 && errno == EINTR)
            continue;
        if (pid < 0 && errno != ECHILD)
            diag("waitpid: %s", strerror(errno));
        if (pid <= 0)
            return;
        for (size_t i = 0; i < g.njobs; i++) /* a reaped job's pid may already be reused */
            if (g.jobs[i].pid == pid && !g.jobs[i].reaped) {
                g.jobs[i].reaped = 1;
                g.jobs[i].status = status;
                break;
            }
    }
}

/* Drains the signalfd and reaps; returns 1 when a stopping signal arrived. */
static int drain_signals(void)
{
    struct signalfd_siginfo si[16];
    int stop = 0;
    for (;;) {
        ssize_t n = read(g.sfd, si, sizeof si);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno != EAGAIN) {
            diag("signalfd: %s", strerror(errno));
            stop = 1;
        }
        if (n <= 0)
            break;
        for (size_t i = 0; i < (size_t)n / sizeof si[0]; i++)
            stop |= si[i].ssi_signo != SIGCHLD;
    }
    reap_children(); /* SIGCHLDs merge: always look for every exited child */
    return stop;
}

/*
 * Kills every job's process group (a reaped leader may have left a background process
 * holding its pipes), then waits a bounded time for our own children, so that nobody
 * finds a killed job still there as our zombie.
 */
static _Noreturn void quit(int code)
{
    size_t unreaped = 0;
    long long deadline = now_ms() + REAP_WAIT_MS, left;
    for (size_t i = 0; i < g.njobs; i++) {
        if (kill(-g.jobs[i].pid, SIGKILL) != 0 && errno != ESRCH)
            diag("kill(-%d, SIGKILL): %s", (int)g.jobs[i].pid, strerror(errno));
        unreaped += !g.jobs[i].reaped;
    }
    while (unreaped > 0 && (left = deadline - now_ms()) > 0) {
        struct pollfd p = { g.sfd, POLLIN, 0 };
        if (poll(&p, 1, (int)left) < 0 && errno != EINTR)
            break;
        drain_signals();
        unreaped = 0;
        for (size_t i = 0; i < g.njobs; i++)
            unreaped += !g.jobs[i].reaped;
    }
    exit(code);
}

static _Noreturn void malformed(unsigned kind, uint32_t len, const char *why)
{
    diag("bad frame from the daemon (kind %u, %u bytes): %s; killing all jobs", kind,
         (unsigned)len, why);
    quit(2);
}

/* ---- replies ------------------------------------------------------------------------ */

/* One frame in one piece: nothing else is written until it is out, so none interleave. */
static void send_frame(unsigned kind, uint32_t id, unsigned char *f, size_t payload)
{
    size_t n = HEAD + payload;
    set_u32(f, (uint32_t)(payload + 4));
    f[4] = (unsigned char)kind;
    f[5] = (unsigned char)(kind >> 8);
    f[6] = f[7] = 0;
    set_u32(f + RP_FRAME_HEADER_SIZE, id);
    while (n > 0) {
        ssize_t w = write(1, f, n);
        if (w > 0) {
            f += w;
            n -= (size_t)w;
        } else if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            /* The daemon is not reading: the jobs wait for it, but SIGTERM still works. */
            struct pollfd p[2] = { { 1, POLLOUT, 0 }, { g.sfd, POLLIN, 0 } };
            if (poll(p, 2, -1) < 0 && errno != EINTR)
                break;
            if (p[1].revents && drain_signals())
                quit(0);
        } else if (w == 0 || errno != EINTR) {
            errno = w == 0 ? EIO : errno;
            break;
        }
    }
    if (n == 0)
        return;
    if (errno != EPIPE) /* EPIPE: the daemon is gone, as with end of file on stdin */
        diag("writing to the daemon: %s", strerror(errno));
    quit(errno == EPIPE ? 0 : 1);
}

static void job_failed(uint32_t id, int err, const char *context)
{
    unsigned char f[HEAD + 8 + 256];
    int n = context ? snprintf((char *)f + HEAD + 8, 256, "%s: %s", context, strerror(err))
                    : snprintf((char *)f + HEAD + 8, 256, "%s", strerror(err));
    size_t len = n < 0 ? 0 : n > 255 ? 255 : (size_t)n;
    set_u32(f + HEAD, (uint32_t)err);
    set_u32(f + HEAD + 4, (uint32_t)len);
    send_frame(RP_SPAWNER_JOB_FAILED, id, f, 8 + len);
}

/* ---- starting a job ----------------------------------------------------------------- */

/* Room for one more job before the fork: after it nothing may fail but the child itself. */
static int reserve_job(void)
{
    if (g.njobs < g.jcap)
        return 0;
    size_t cap = g.jcap ? 2 * g.jcap : 16;
    struct job *jobs = realloc(g.jobs, cap * sizeof *jobs);
    if (!jobs)
        return -1;
    g.jobs = jobs;
    g.jcap = cap;
    return 0;
}

/* What a child that could not exec reports: errno, stage, and for STAGE_VIEW the op's index. */
struct report {
    int err, stage, op;
};

static _Noreturn void child_fail_at(int st, int stage, int op)
{
    struct report rep = { errno, stage, op };
    while (write(st, &rep, sizeof rep) < 0 && errno == EINTR)
        ;
    _exit(127);
}

static _Noreturn void child_fail(int st, int stage)
{
    child_fail_at(st, stage, -1);
}

/* Closes every descriptor from 3 up but keep, which must live until the exec. */
static void close_others(int keep)
{
#ifdef SYS_close_range
    if ((keep == 3 || syscall(SYS_close_range, 3u, (unsigned)keep - 1, 0u) == 0)
        && syscall(SYS_close_range, (unsigned)keep + 1, ~0u, 0u) == 0)
        return;
#endif
    struct rlimit rl; /* kernels before 5.9 */
    rlim_t max = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < 65536 ? rl.rlim_cur : 65536;
    for (int fd = 3; (rlim_t)fd < max; fd++)
        if (fd != keep)
            close(fd);
}

/* ---- the sandbox view (docs/protocol.md, "Sandboxed jobs") --------------------------- */

/* mkdir -p of path's parent directories (path itself when whole), in the view being built. */
static int make_parents(char *path, int whole)
{
    char *end = whole ? path + strlen(path) : strrchr(path, '/');
    for (char *p = path + 1; end && p <= end; p++) {
        if (*p != '/' && p != end)
            continue;
        char c = *p;
        *p = '\0';
        int r = mkdir(path, 0755);
        *p = c;
        if (r != 0 && errno != EEXIST)
            return -1;
    }
    return 0;
}

/* A bind mount: its mountpoint made first, a directory or an empty file as the source is. */
static int bind_into(const char *src, char *dst, int readonly)
{
    struct stat st;
    if (stat(src, &st) != 0)
        return -1;
    if (S_ISDIR(st.st_mode)) {
        if (make_parents(dst, 1) != 0)
            return -1;
    } else {
        if (make_parents(dst, 0) != 0)
            return -1;
        int fd = open(dst, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
        if (fd < 0 && access(dst, F_OK) != 0) /* one already there (read-only) will do */
            return -1;
        if (fd >= 0)
            close(fd);
    }
    if (mount(src, dst, NULL, MS_BIND | MS_REC, NULL) != 0)
        return -1;
    /* A bind keeps its source mount's flags, and the outer view (bubblewrap's --ro-bind) is
     * read-only, nosuid and nodev already: a second mount call per file only for the rest. */
    struct statvfs vfs;
    const unsigned long want = ST_RDONLY | ST_NOSUID | ST_NODEV;
    if (!readonly || (statvfs(dst, &vfs) == 0 && (vfs.f_flag & want) == want))
        return 0;
    return mount(NULL, dst, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV, NULL);
}

/*
 * The host directory `lower` seen at `path` with its writes going to `scratch`/u (and
 * `scratch`/w, overlayfs's work directory): a tool that writes temporary files beside its
 * outputs and renames them (objcopy for split DWARF) sees every host file and changes none.
 */
static int mount_overlay(const char *scratch, const char *lower, const char *path)
{
    static char opts[3 * 4096 + 64];
    if (strpbrk(lower, ",:\\") || strpbrk(scratch, ",:\\"))
        return errno = EINVAL, -1;
    int n = snprintf(opts, sizeof opts, "lowerdir=%s,upperdir=%s/u,workdir=%s/w,userxattr", lower, scratch, scratch);
    if (n < 0 || (size_t)n >= sizeof opts)
        return errno = ENAMETOOLONG, -1;
    return mount("overlay", path, "overlay", 0, opts);
}

/*
 * In the forked child, inside the outer sandbox (its user, pid, network and IPC
 * namespaces, where we hold every capability): a private mount namespace whose root is a
 * fresh tmpfs holding only what the view names, then every capability dropped, so the
 * tool runs as a plain process that sees nothing else. Fails with errno and *op set.
 */
static int enter_view(char **view, int *op)
{
    static char path[8192];
    size_t rootlen = strlen(g.root);
    *op = -1;
    if (unshare(CLONE_NEWNS) != 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0
        || mount("tmpfs", g.root, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") != 0)
        return -1;
    for (int i = 0; view[i]; i += 3) {
        *op = i / 3;
        const char *kind = view[i], *a = view[i + 1], *b = view[i + 2];
        if (!a || !b || b[0] != '/' || rootlen + strlen(b) + 1 > sizeof path)
            return errno = EINVAL, -1;
        memcpy(path, g.root, rootlen);
        strcpy(path + rootlen, b);
        int r;
        if (strcmp(kind, "dir") == 0)
            r = make_parents(path, 1);
        else if (strcmp(kind, "ro") == 0 || strcmp(kind, "rw") == 0)
            r = bind_into(a, path, kind[0] == 'r' && kind[1] == 'o');
        else if (strcmp(kind, "symlink") == 0)
            r = make_parents(path, 0) != 0 ? -1 : symlink(a, path) != 0 && errno != EEXIST ? -1 : 0;
        else if (strcmp(kind, "overlay") == 0)
            r = make_parents(path, 1) != 0 ? -1 : mount_overlay(a, b, path);
        else if (strcmp(kind, "tmpfs") == 0)
            r = make_parents(path, 1) != 0 ? -1 : mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777");
        else
            r = (errno = EINVAL, -1);
        if (r != 0)
            return -1;
    }
    *op = -1;
    /* pivot_root(".", ".") stacks the old root under the new one; detaching it leaves none. */
    if (chdir(g.root) != 0 || syscall(SYS_pivot_root, ".", ".") != 0 || umount2(".", MNT_DETACH) != 0
        || chdir("/") != 0)
        return -1;
    /* The view's own directories are read-only: a write anywhere but an output fails. */
    if (mount(NULL, "/", NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV, NULL) != 0)
        return -1;
    for (int cap = 0; cap <= 63; cap++)
        if (prctl(PR_CAPBSET_DROP, cap) != 0 && errno != EINVAL)
            return -1;
    struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
    struct __user_cap_data_struct none[2];
    memset(none, 0, sizeof none);
    if (syscall(SYS_capset, &h, none) != 0 || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
        return -1;
    return 0;
}

/* In the forked child: only syscalls from here to execve, and any failure goes to st. */
static _Noreturn void run_child(const struct request *r, int out, int err, int st)
{
    struct sigaction dfl;
    sigset_t none;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    sigaction(SIGPIPE, &dfl, NULL); /* SIG_IGN would survive the exec */
    sigaction(SIGCHLD, &dfl, NULL);
    for (size_t i = 0; i < NSTOP; i++)
        sigaction(k_stop[i], &dfl, NULL);
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    /* setsid: the job's group is its own to kill. PDEATHSIG: even a SIGKILLed spawner
     * takes its direct children along (the getppid check closes the race). */
    if (setsid() < 0 || prctl(PR_SET_PDEATHSIG, SIGKILL) != 0)
        child_fail(st, STAGE_SESSION);
    if (getppid() != g.self)
        _exit(127);
    int op;
    if (r->view[0] && (!g.root || enter_view(r->view, &op) != 0))
        child_fail_at(st, STAGE_VIEW, g.root ? op : -1);
    umask((mode_t)(r->mask & 0777));
    if (chdir(r->cwd) != 0)
        child_fail(st, STAGE_CHDIR);
    if (dup2(g.devnull, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
        child_fail(st, STAGE_STDIO);
    close_others(st); /* st is O_CLOEXEC: the exec closes it, and EOF tells the parent */
    execve(r->tool, r->argv, r->envp);
    child_fail(st, STAGE_EXEC);
}

/* Forks and waits for the exec; returns the pid, or -1 with rep filled in. */
static pid_t fork_exec(const struct request *r, int out, int err, struct report *rep)
{
    int st[2];
    ssize_t got = -1;
    if (pipe2(st, O_CLOEXEC) != 0)
        return rep->err = errno, -1;
    pid_t pid = fork();
    if (pid == 0)
        run_child(r, out, err, st[1]);
    *rep = (struct report){ errno, STAGE_FORK, -1 };
    close(st[1]); /* the child now holds the only write end */
    if (pid > 0) /* blocks until the exec, which is short */
        while ((got = read(st[0], rep, sizeof *rep)) < 0 && errno == EINTR)
            ;
    int read_errno = errno;
    close(st[0]);
    if (pid < 0 || got == 0) /* end of file: the exec closed the pipe, the tool runs */
        return pid;
    if (got != sizeof *rep) { /* cannot happen with a pipe; leave nothing running */
        *rep = (struct report){ got < 0 ? read_errno : EIO, STAGE_EXEC, -1 };
        kill(pid, SIGKILL);
    }
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) /* no JOB_EXIT will report it */
        ;
    return -1;
}

static void start_job(const struct request *r)
{
    int out[2] = { -1, -1 }, err[2] = { -1, -1 };
    struct report rep = { 0, STAGE_PIPE, -1 };
    pid_t pid = -1;
    if (pipe2(out, O_CLOEXEC) == 0 && pipe2(err, O_CLOEXEC) == 0)
        pid = fork_exec(r, out[1], err[1], &rep);
    else
        rep.err = errno;
    close_fd(&out[1]); /* the child's copies are the only write ends: EOF means it is done */
    close_fd(&err[1]);
    if (pid < 0) {
        close_fd(&out[0]);
        close_fd(&err[0]);
        char where[300];
        const char *ctx = k_stage[rep.stage];
        if (rep.stage == STAGE_VIEW && rep.op >= 0) { /* name the op: the daemon logs it */
            char **v = r->view + 3 * rep.op;
            snprintf(where, sizeof where, "sandbox view: %s %.240s", v[0], v[2]);
            ctx = where;
        } else if (rep.stage == STAGE_VIEW && !g.root) {
            ctx = "sandbox view: this spawner runs no sandbox";
        }
        job_failed(r->id, rep.err, ctx);
        return;
    }
    unsigned char f[HEAD + 4];
    g.jobs[g.njobs++] = (struct job){ r->id, pid, { out[0], err[0] }, 0, 0 };
    set_u32(f + HEAD, (uint32_t)pid);
    send_frame(RP_SPAWNER_JOB_STARTED, r->id, f, 4);
}

/* ---- requests ----------------------------------------------------------------------- */

static uint32_t take_u32(struct cursor *c)
{
    if (c->bad || c->end - c->p < 4) {
        c->bad = 1;
        return 0;
    }
    c->p += 4;
    return get_u32(c->p - 4);
}

static char *take_str(struct cursor *c)
{
    uint32_t n = take_u32(c);
    if (c->bad || (size_t)(c->end - c->p) < n) {
        c->bad = 1;
        return NULL;
    }
    char *s = memcpy(c->arena, c->p, n);
    s[n] = '\0';
    c->has_nul |= memchr(s, 0, n) != NULL;
    c->p += n;
    c->arena += (size_t)n + 1;
    return s;
}

/* A u32 count and that many strings into list, NULL-terminated; returns the next free slot. */
static char **take_list(struct cursor *c, char **list)
{
    uint32_t n = take_u32(c), i = 0;
    for (char *s; i < n && (s = take_str(c)); i++)
        list[i] = s;
    list[i] = NULL;
    return list + i + 1;
}

static void handle_spawn(const unsigned char *p, uint32_t len)
{
    /* A string costs at least its 4-byte length, so len bounds the copies and the pointers. */
    size_t nptr = len / 4 + 3;
    char **block = len >= 4 ? malloc(nptr * sizeof *block + len) : NULL;
    struct request r;
    if (!block) {
        if (len < 4)
            malformed(RP_SPAWNER_SPAWN, len, "no job id");
        job_failed(get_u32(p), ENOMEM, "request");
        return;
    }
    struct cursor c = { p, p + len, (char *)(block + nptr), 0, 0 };
    r.id = take_u32(&c);
    r.tool = take_str(&c);
    r.cwd = take_str(&c);
    r.mask = take_u32(&c);
    r.argv = block;
    r.envp = take_list(&c, r.argv);
    r.view = take_list(&c, r.envp);
    char **view_end = take_list(&c, r.view);
    if (c.bad || c.p != c.end)
        malformed(RP_SPAWNER_SPAWN, len, "fields do not match the payload length");
    if (find_job(r.id))
        job_failed(r.id, EEXIST, "job id in use");
    else if (c.has_nul || !r.argv[0])
        job_failed(r.id, EINVAL, c.has_nul ? "NUL byte in a string" : "empty argv");
    else if ((view_end - r.view - 1) % 3 != 0)
        job_failed(r.id, EINVAL, "sandbox view: not whole (op, a, b) triples");
    else if (reserve_job() != 0)
        job_failed(r.id, ENOMEM, "job table");
    else
        start_job(&r);
    free(block);
}

/* KILL reaches a job until its JOB_EXIT, also a background process left in its group. */
static void handle_kill(uint32_t id, uint32_t sig)
{
    struct job *job = find_job(id);
    if (!job)
        return;
    if (sig >= NSIG)
        diag("KILL job %u: no signal %u", (unsigned)id, (unsigned)sig);
    else if (kill(-job->pid, (int)sig) != 0 && errno != ESRCH)
        diag("kill(-%d, %u): %s", (int)job->pid, (unsigned)sig, strerror(errno));
}

static void handle_frame(unsigned kind, const unsigned char *p, uint32_t len)
{
    if (kind == RP_SPAWNER_SPAWN)
        handle_spawn(p, len);
    else if (kind == RP_SPAWNER_KILL && len == 8)
        handle_kill(get_u32(p), get_u32(p + 4));
    else
        malformed(kind, len, kind == RP_SPAWNER_KILL ? "KILL is 8 bytes" : "unknown kind");
}

/* One read (poll said stdin is ready), then every whole frame in the buffer. */
static void read_requests(void)
{
    size_t want = READ_CHUNK, off = 0;
    if (g.inlen >= RP_FRAME_HEADER_SIZE) { /* its header was checked by the last call */
        size_t whole = RP_FRAME_HEADER_SIZE + (size_t)get_u32(g.in);
        if (whole > g.inlen + want)
            want = whole - g.inlen;
    }
    if (g.incap - g.inlen < want) {
        size_t cap = g.incap * 2 > g.inlen + want ? g.incap * 2 : g.inlen + want;
        unsigned char *in = realloc(g.in, cap);
        if (!in) {
            diag("%s", "no memory for a request");
            quit(1);
        }
        g.in = in;
        g.incap = cap;
    }
    ssize_t n = read(0, g.in + g.inlen, g.incap - g.inlen);
    if (n == 0)
        quit(0); /* the daemon closed our stdin or died */
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return;
    if (n < 0) {
        diag("reading requests: %s", strerror(errno));
        quit(1);
    }
    g.inlen += (size_t)n;
    while (g.inlen - off >= RP_FRAME_HEADER_SIZE) {
        const unsigned char *h = g.in + off;
        uint32_t len = get_u32(h);
        unsigned kind = (unsigned)h[4] | (unsigned)h[5] << 8;
        if (h[6] != 0 || h[7] != 0 || len > RP_MAX_FRAME_PAYLOAD)
            malformed(kind, len, "bad header");
        if (g.inlen - off - RP_FRAME_HEADER_SIZE < len)
            break;
        off += RP_FRAME_HEADER_SIZE + len;
        handle_frame(kind, h + RP_FRAME_HEADER_SIZE, len);
    }
    memmove(g.in, g.in + off, g.inlen - off);
    g.inlen -= off;
    if (g.inlen == 0 && g.incap > 4 * READ_CHUNK) { /* a big request: forks copy less without it */
        free(g.in);
        g.in = NULL;
        g.incap = 0;
    }
}

/* ---- output and exits --------------------------------------------------------------- */

static void read_output(struct job *job, int which)
{
    static unsigned char f[HEAD + READ_CHUNK];
    ssize_t n = read(job->fd[which], f + HEAD, READ_CHUNK);
    if (n > 0) {
        send_frame(which ? RP_SPAWNER_JOB_STDERR : RP_SPAWNER_JOB_STDOUT, job->id, f, (size_t)n);
        return;
    }
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return;
    if (n < 0)
        diag("job %u: reading its %s: %s", (unsigned)job->id, which ? "stderr" : "stdout",
             strerror(errno));
    close_fd(&job->fd[which]);
}

/* JOB_EXIT for every job both reaped and at end of file on both pipes, whichever came last. */
static void finish_jobs(void)
{
    for (size_t i = 0; i < g.njobs; ) {
        struct job *job = &g.jobs[i];
        if (!job->reaped || job->fd[0] >= 0 || job->fd[1] >= 0) {
            i++;
            continue;
        }
        unsigned char f[HEAD + 8];
        int signaled = WIFSIGNALED(job->status);
        set_u32(f + HEAD, signaled ? (uint32_t)-1 : (uint32_t)WEXITSTATUS(job->status));
        set_u32(f + HEAD + 4, signaled ? (uint32_t)WTERMSIG(job->status) : 0);
        send_frame(RP_SPAWNER_JOB_EXIT, job->id, f, 8);
        *job = g.jobs[--g.njobs];
    }
}

static size_t build_pollset(void)
{
    size_t need = 2 + 2 * g.njobs, n = 2;
    if (need > g.pcap) {
        size_t cap = need * 2;
        struct pollfd *pfd = realloc(g.pfd, cap * sizeof *pfd);
        size_t *slot = pfd ? realloc(g.slot, cap * sizeof *slot) : NULL;
        if (pfd)
            g.pfd = pfd;
        if (!slot) {
            diag("%s", "no memory for the poll set");
            quit(1);
        }
        g.slot = slot;
        g.pcap = cap;
    }
    g.pfd[0] = (struct pollfd){ 0, POLLIN, 0 };
    g.pfd[1] = (struct pollfd){ g.sfd, POLLIN, 0 };
    for (size_t j = 0; j < g.njobs; j++)
        for (int w = 0; w < 2; w++)
            if (g.jobs[j].fd[w] >= 0) {
                g.pfd[n] = (struct pollfd){ g.jobs[j].fd[w], POLLIN, 0 };
                g.slot[n++] = 2 * j + (size_t)w;
            }
    return n;
}

/* ---- entry -------------------------------------------------------------------------- */

static void setup(int in_sandbox)
{
    sigset_t set;
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    /* Pipe fds must not land on 0-2, where the child's dup2 expects the protocol's. */
    for (int fd = 0; fd < 3; fd++)
        if (fcntl(fd, F_GETFD) < 0 && open("/dev/null", O_RDWR) != fd)
            exit(1);
    sa.sa_handler = SIG_DFL; /* an inherited SIG_IGN would make the kernel reap our jobs */
    if (sigaction(SIGCHLD, &sa, NULL) != 0)
        exit(1);
    sa.sa_handler = SIG_IGN; /* a dead daemon is EPIPE, handled where we write */
    if (sigaction(SIGPIPE, &sa, NULL) != 0)
        exit(1);
    sigemptyset(&set);
    sigaddset(&set, SIGCHLD);
    for (size_t i = 0; i < NSTOP; i++) /* a signal our parent had us ignore stays ignored */
        if (k_stop[i] == SIGTERM
            || (sigaction(k_stop[i], NULL, &old) == 0 && old.sa_handler != SIG_IGN))
            sigaddset(&set, k_stop[i]);
    int fl0 = fcntl(0, F_GETFL), fl1 = fcntl(1, F_GETFL); /* both ends are ours alone */
    if (fl0 < 0 || fl1 < 0 || fcntl(0, F_SETFL, fl0 | O_NONBLOCK) != 0
        || fcntl(1, F_SETFL, fl1 | O_NONBLOCK) != 0 || sigprocmask(SIG_BLOCK, &set, NULL) != 0
        || (g.sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK)) < 0
        || (g.devnull = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0) {
        diag("setup: %s", strerror(errno));
        exit(1);
    }
    /* Set after blocking SIGTERM, so a parent death from here on is read as a signal. */
    if (prctl(PR_SET_PDEATHSIG, SIGTERM) != 0) {
        diag("prctl(PR_SET_PDEATHSIG): %s", strerror(errno));
        exit(1);
    }
    /* Outside a sandbox: the daemon died before we could ask to follow it. Inside, pid 1 is
     * bubblewrap's reaper, which dies with the daemon (--die-with-parent) and takes us. */
    if (!in_sandbox && getppid() == 1)
        exit(0);
    g.self = getpid();
}

/* `reprise-spawner` runs tools as the daemon does; `reprise-spawner --sandbox ROOT`, started
 * inside bubblewrap's namespaces, can also run them in a view of their own (ROOT: an empty
 * directory, where each such job mounts its view's root privately). */
int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "--probe") == 0)
        return 0; /* run inside a view: the sandbox works */
    int in_sandbox = argc == 3 && strcmp(argv[1], "--sandbox") == 0;
    if (argc != 1 && !in_sandbox) {
        fprintf(stderr, "usage: reprise-spawner [--sandbox ROOT | --probe]\n");
        return 2;
    }
    g.root = in_sandbox ? argv[2] : NULL;
    setup(in_sandbox);
    for (;;) {
        size_t n = build_pollset();
        if (poll(g.pfd, n, -1) < 0) {
            if (errno == EINTR)
                continue;
            diag("poll: %s", strerror(errno));
            quit(1);
        }
        /* Output first, requests last: a SPAWN grows the job table the poll set points into. */
        for (size_t i = 2; i < n; i++)
            if (g.pfd[i].revents)
                read_output(&g.jobs[g.slot[i] / 2], (int)(g.slot[i] % 2));
        if (g.pfd[1].revents && drain_signals())
            quit(0);
        if (g.pfd[0].revents)
            read_requests();
        finish_jobs();
    }
}
