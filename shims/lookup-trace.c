/*
 * lookup-trace.so: preloaded (LD_PRELOAD) into every process of a cache fill, it records
 * each file-system lookup the compiler makes (opens, stats, access checks, link reads,
 * directory listings, execs, dlopens) with its answer, and each environment variable it
 * reads, so the daemon can check that the key covers every question the compile asked
 * (docs/trust-model.md, "Traced fills"). It changes no answer: each hook calls the real
 * function and only notes what it returned.
 *
 * Records go to the file named by REPRISE_TRACE (opened append-only), buffered per
 * process and written whole at exit, before an exec or a fork, and when the buffer fills.
 * One record: kind, answer, path, NUL. Kinds: r open for reading, w open for writing,
 * s stat/access/readlink/realpath, d opendir, x exec, l dlopen, e getenv (path = name=program),
 * v the same getenv by the object whose code called it (path = name=object),
 * t the wall clock read (a realtime clock_gettime, gettimeofday, time: once per process,
 * path = the program's own), B process start (path = pid), E process end (path = pid).
 * Answers: '+' found, '-' absent (ENOENT, ENOTDIR, ELOOP), '!' any other error. Relative
 * paths are made absolute from the working directory, or from the directory an *at call's
 * descriptor names.
 * A process that ends without its E record (killed, a raw exit system call) left an
 * incomplete trace; exit, _exit and _Exit all write it.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/types.h>
#include <unistd.h>

#define BUF_SIZE (64 * 1024)

static char g_buf[BUF_SIZE];
static size_t g_len;
static int g_fd = -1;
static int g_lock;
static __thread int t_inside; /* a hook called from a hook (fopen -> open) records once */

static void lock(void)
{
    while (__atomic_exchange_n(&g_lock, 1, __ATOMIC_ACQUIRE))
        ;
}
static void unlock(void) { __atomic_store_n(&g_lock, 0, __ATOMIC_RELEASE); }

/* Raw writes (no hook of ours, no stdio), retried after a signal. */
static void write_all(int fd, const char *p, size_t len)
{
    size_t off = 0;
    while (fd >= 0 && off < len) {
        ssize_t n = syscall(SYS_write, fd, p + off, len - off);
        if (n <= 0) {
            if (n < 0 && errno == EINTR)
                continue;
            break;
        }
        off += (size_t)n;
    }
}

static void flush_locked(void)
{
    write_all(g_fd, g_buf, g_len);
    g_len = 0;
}

static void flush(void)
{
    int saved = errno;
    lock();
    flush_locked();
    unlock();
    errno = saved;
}

static void put(char kind, char answer, const char *a, const char *b)
{
    size_t la = a ? strlen(a) : 0, lb = b ? strlen(b) : 0;
    size_t need = 3 + la + lb;
    if (g_fd < 0 || need > BUF_SIZE)
        return;
    lock();
    if (g_len + need > BUF_SIZE)
        flush_locked();
    char *p = g_buf + g_len;
    *p++ = kind;
    *p++ = answer;
    if (la) memcpy(p, a, la), p += la;
    if (lb) memcpy(p, b, lb), p += lb;
    *p++ = '\0';
    g_len += need;
    unlock();
}

static char answer_of(int failed, int err)
{
    if (!failed)
        return '+';
    return err == ENOENT || err == ENOTDIR || err == ELOOP ? '-' : '!';
}

/* Records a lookup of path (relative to dirfd) that failed or not; errno is kept. */
static void note(char kind, int dirfd, const char *path, int failed)
{
    int saved = errno;
    if (!path || t_inside) {
        errno = saved;
        return;
    }
    if (path[0] == '/') {
        put(kind, answer_of(failed, saved), path, NULL);
    } else {
        char dir[PATH_MAX + 2];
        ssize_t n = -1;
        if (dirfd == AT_FDCWD) {
            n = syscall(SYS_getcwd, dir, sizeof dir - 1) > 0 ? (ssize_t)strlen(dir) : -1;
        } else {
            char link[64];
            snprintf(link, sizeof link, "/proc/self/fd/%d", dirfd);
            n = syscall(SYS_readlink, link, dir, sizeof dir - 1);
        }
        if (n > 0) {
            dir[n] = '\0';
            if (n > 1)
                strcat(dir, "/");
            put(kind, answer_of(failed, saved), dir, path);
        } else {
            put(kind, '!', "?/", path); /* cannot say where: the daemon takes it as untraced */
        }
    }
    errno = saved;
}

/* Kept out of line: the hooked functions' parameters are declared nonnull, so a test there would be dropped. */
__attribute__((noinline)) static const char *nonempty(const char *p) { return p && p[0] ? p : NULL; }

static char open_kind(int flags) { return (flags & O_ACCMODE) == O_RDONLY && !(flags & O_CREAT) ? 'r' : 'w'; }

#define P(...) __VA_ARGS__

#define REAL(ret, name, ...)                                                          \
    static ret (*real_##name)(__VA_ARGS__);                                           \
    static ret (*get_##name(void))(__VA_ARGS__)                                       \
    {                                                                                 \
        if (!real_##name)                                                             \
            real_##name = (ret(*)(__VA_ARGS__))dlsym(RTLD_NEXT, #name);               \
        return real_##name;                                                           \
    }

/* ---- opens ------------------------------------------------------------------------- */

REAL(int, open, const char *, int, ...)
REAL(int, open64, const char *, int, ...)
REAL(int, openat, int, const char *, int, ...)
REAL(int, openat64, int, const char *, int, ...)
REAL(int, __open_2, const char *, int)
REAL(int, __open64_2, const char *, int)
REAL(int, __openat_2, int, const char *, int)
REAL(int, __openat64_2, int, const char *, int)
REAL(FILE *, fopen, const char *, const char *)
REAL(FILE *, fopen64, const char *, const char *)
REAL(FILE *, freopen, const char *, const char *, FILE *)
REAL(FILE *, freopen64, const char *, const char *, FILE *)

static mode_t mode_arg(int flags, va_list ap)
{
    return (flags & O_CREAT) || (flags & __O_TMPFILE) == __O_TMPFILE ? (mode_t)va_arg(ap, int) : 0;
}

#define OPEN_HOOK(name)                                                               \
    int name(const char *path, int flags, ...)                                        \
    {                                                                                 \
        va_list ap;                                                                   \
        va_start(ap, flags);                                                          \
        mode_t mode = mode_arg(flags, ap);                                            \
        va_end(ap);                                                                   \
        int fd = get_##name()(path, flags, mode);                                     \
        note(open_kind(flags), AT_FDCWD, path, fd < 0);                               \
        return fd;                                                                    \
    }
OPEN_HOOK(open)
OPEN_HOOK(open64)

#define OPENAT_HOOK(name)                                                             \
    int name(int dirfd, const char *path, int flags, ...)                             \
    {                                                                                 \
        va_list ap;                                                                   \
        va_start(ap, flags);                                                          \
        mode_t mode = mode_arg(flags, ap);                                            \
        va_end(ap);                                                                   \
        int fd = get_##name()(dirfd, path, flags, mode);                              \
        note(open_kind(flags), dirfd, path, fd < 0);                                  \
        return fd;                                                                    \
    }
OPENAT_HOOK(openat)
OPENAT_HOOK(openat64)

int __open_2(const char *path, int flags)
{
    int fd = get___open_2()(path, flags);
    note(open_kind(flags), AT_FDCWD, path, fd < 0);
    return fd;
}
int __open64_2(const char *path, int flags)
{
    int fd = get___open64_2()(path, flags);
    note(open_kind(flags), AT_FDCWD, path, fd < 0);
    return fd;
}
int __openat_2(int dirfd, const char *path, int flags)
{
    int fd = get___openat_2()(dirfd, path, flags);
    note(open_kind(flags), dirfd, path, fd < 0);
    return fd;
}
int __openat64_2(int dirfd, const char *path, int flags)
{
    int fd = get___openat64_2()(dirfd, path, flags);
    note(open_kind(flags), dirfd, path, fd < 0);
    return fd;
}

static char fopen_kind(const char *mode) { return mode && mode[0] == 'r' && !strchr(mode, '+') ? 'r' : 'w'; }

#define FOPEN_HOOK(name)                                                              \
    FILE *name(const char *path, const char *mode)                                    \
    {                                                                                 \
        t_inside++;                                                                   \
        FILE *f = get_##name()(path, mode);                                           \
        t_inside--;                                                                   \
        note(fopen_kind(mode), AT_FDCWD, path, f == NULL);                            \
        return f;                                                                     \
    }
FOPEN_HOOK(fopen)
FOPEN_HOOK(fopen64)

#define FREOPEN_HOOK(name)                                                            \
    FILE *name(const char *path, const char *mode, FILE *stream)                      \
    {                                                                                 \
        t_inside++;                                                                   \
        FILE *f = get_##name()(path, mode, stream);                                   \
        t_inside--;                                                                   \
        note(fopen_kind(mode), AT_FDCWD, path, f == NULL);                            \
        return f;                                                                     \
    }
FREOPEN_HOOK(freopen)
FREOPEN_HOOK(freopen64)

/* Temporary files the compile makes itself (objcopy's beside its output): created, so its own. */
#define MKSTEMP_HOOK(name, params, args)                                              \
    REAL(int, name, params)                                                           \
    int name(params)                                                                  \
    {                                                                                 \
        t_inside++;                                                                   \
        int fd = get_##name()(args);                                                  \
        t_inside--;                                                                   \
        if (fd >= 0)                                                                  \
            note('w', AT_FDCWD, t, 0);                                                \
        return fd;                                                                    \
    }
MKSTEMP_HOOK(mkstemp, P(char *t), P(t))
MKSTEMP_HOOK(mkstemp64, P(char *t), P(t))
MKSTEMP_HOOK(mkostemp, P(char *t, int f), P(t, f))
MKSTEMP_HOOK(mkostemp64, P(char *t, int f), P(t, f))
MKSTEMP_HOOK(mkstemps, P(char *t, int n), P(t, n))
MKSTEMP_HOOK(mkstemps64, P(char *t, int n), P(t, n))
MKSTEMP_HOOK(mkostemps, P(char *t, int n, int f), P(t, n, f))
MKSTEMP_HOOK(mkostemps64, P(char *t, int n, int f), P(t, n, f))

/* ---- stats and other existence questions ----------------------------------------- */

#define PATH_HOOK(ret, name, fail, params, args, pathexpr, direxpr)                   \
    REAL(ret, name, params)                                                           \
    ret name(params)                                                                  \
    {                                                                                 \
        t_inside++;                                                                   \
        ret r = get_##name()(args);                                                   \
        t_inside--;                                                                   \
        note('s', direxpr, pathexpr, fail);                                           \
        return r;                                                                     \
    }

PATH_HOOK(int, stat, r != 0, P(const char *p, struct stat *b), P(p, b), p, AT_FDCWD)
PATH_HOOK(int, lstat, r != 0, P(const char *p, struct stat *b), P(p, b), p, AT_FDCWD)
PATH_HOOK(int, stat64, r != 0, P(const char *p, struct stat64 *b), P(p, b), p, AT_FDCWD)
PATH_HOOK(int, lstat64, r != 0, P(const char *p, struct stat64 *b), P(p, b), p, AT_FDCWD)
PATH_HOOK(int, fstatat, r != 0, P(int d, const char *p, struct stat *b, int f), P(d, p, b, f), nonempty(p), d)
PATH_HOOK(int, fstatat64, r != 0, P(int d, const char *p, struct stat64 *b, int f), P(d, p, b, f), nonempty(p), d)
PATH_HOOK(int, statx, r != 0, P(int d, const char *p, int f, unsigned m, struct statx *b), P(d, p, f, m, b), nonempty(p), d)
/* Programs built against glibc before 2.33 (a rustup rustc) call these instead. */
PATH_HOOK(int, __xstat, r != 0, P(int v, const char *p, struct stat *b), P(v, p, b), p, AT_FDCWD)
PATH_HOOK(int, __lxstat, r != 0, P(int v, const char *p, struct stat *b), P(v, p, b), p, AT_FDCWD)
PATH_HOOK(int, __xstat64, r != 0, P(int v, const char *p, struct stat64 *b), P(v, p, b), p, AT_FDCWD)
PATH_HOOK(int, __lxstat64, r != 0, P(int v, const char *p, struct stat64 *b), P(v, p, b), p, AT_FDCWD)
PATH_HOOK(int, __fxstatat, r != 0, P(int v, int d, const char *p, struct stat *b, int f), P(v, d, p, b, f), p, d)
PATH_HOOK(int, __fxstatat64, r != 0, P(int v, int d, const char *p, struct stat64 *b, int f), P(v, d, p, b, f), p, d)
PATH_HOOK(int, access, r != 0, P(const char *p, int m), P(p, m), p, AT_FDCWD)
PATH_HOOK(int, faccessat, r != 0, P(int d, const char *p, int m, int f), P(d, p, m, f), p, d)
PATH_HOOK(int, euidaccess, r != 0, P(const char *p, int m), P(p, m), p, AT_FDCWD)
PATH_HOOK(int, eaccess, r != 0, P(const char *p, int m), P(p, m), p, AT_FDCWD)
PATH_HOOK(ssize_t, readlink, r < 0, P(const char *p, char *b, size_t n), P(p, b, n), p, AT_FDCWD)
PATH_HOOK(ssize_t, readlinkat, r < 0, P(int d, const char *p, char *b, size_t n), P(d, p, b, n), p, d)
PATH_HOOK(char *, realpath, r == NULL, P(const char *p, char *b), P(p, b), p, AT_FDCWD)
PATH_HOOK(char *, canonicalize_file_name, r == NULL, P(const char *p), P(p), p, AT_FDCWD)

REAL(DIR *, opendir, const char *)
DIR *opendir(const char *path)
{
    t_inside++;
    DIR *d = get_opendir()(path);
    t_inside--;
    note('d', AT_FDCWD, path, d == NULL);
    return d;
}

REAL(void *, dlopen, const char *, int)
void *dlopen(const char *path, int flags)
{
    t_inside++;
    void *h = get_dlopen()(path, flags);
    t_inside--;
    if (path && strchr(path, '/'))
        note('l', AT_FDCWD, path, h == NULL);
    else if (path)
        put('l', h ? '+' : '-', "?/", path); /* found by the loader's own search */
    return h;
}

/* ---- children ---------------------------------------------------------------------- */

REAL(int, execve, const char *, char *const[], char *const[])
REAL(int, execv, const char *, char *const[])
REAL(int, execvp, const char *, char *const[])
REAL(int, execvpe, const char *, char *const[], char *const[])
REAL(int, posix_spawn, pid_t *, const char *, const posix_spawn_file_actions_t *, const posix_spawnattr_t *, char *const[], char *const[])
REAL(int, posix_spawnp, pid_t *, const char *, const posix_spawn_file_actions_t *, const posix_spawnattr_t *, char *const[], char *const[])
REAL(pid_t, fork, void)

/* An exec is noted before it is tried ('?', with the records so far written out), and
 * again with its answer when it returns, which means it failed; one that succeeds is
 * followed by the new image's B record. */
static void note_exec(const char *path, int tried)
{
    int saved = errno;
    if (!tried)
        put('x', '?', strchr(path, '/') ? NULL : "?/", path);
    else if (strchr(path, '/'))
        note('x', AT_FDCWD, path, 1);
    else
        put('x', answer_of(1, saved), "?/", path);
    flush();
    errno = saved;
}

int execve(const char *p, char *const a[], char *const e[])
{
    note_exec(p, 0);
    int r = get_execve()(p, a, e);
    note_exec(p, 1);
    return r;
}
int execv(const char *p, char *const a[])
{
    note_exec(p, 0);
    int r = get_execv()(p, a);
    note_exec(p, 1);
    return r;
}
int execvp(const char *p, char *const a[])
{
    note_exec(p, 0);
    int r = get_execvp()(p, a);
    note_exec(p, 1);
    return r;
}
int execvpe(const char *p, char *const a[], char *const e[])
{
    note_exec(p, 0);
    int r = get_execvpe()(p, a, e);
    note_exec(p, 1);
    return r;
}
/* The list forms gather their arguments and go through the vector forms above (glibc's own
 * call execve internally, past the hooks, and the records buffered so far would be lost). */
#define MAX_LIST_ARGS 4096
#define GATHER(argv, first, ap)                                                       \
    char *argv[MAX_LIST_ARGS + 1];                                                    \
    size_t n_ = 0;                                                                    \
    argv[n_++] = (char *)(first);                                                     \
    while (argv[n_ - 1] && n_ < MAX_LIST_ARGS)                                        \
        argv[n_++] = va_arg(ap, char *);                                              \
    argv[n_] = NULL;

int execl(const char *p, const char *arg, ...)
{
    va_list ap;
    va_start(ap, arg);
    GATHER(argv, arg, ap)
    va_end(ap);
    return execv(p, argv);
}
int execlp(const char *p, const char *arg, ...)
{
    va_list ap;
    va_start(ap, arg);
    GATHER(argv, arg, ap)
    va_end(ap);
    return execvp(p, argv);
}
int execle(const char *p, const char *arg, ...)
{
    va_list ap;
    va_start(ap, arg);
    GATHER(argv, arg, ap)
    char *const *envp = va_arg(ap, char *const *);
    va_end(ap);
    return execve(p, argv, envp);
}

int posix_spawn(pid_t *pid, const char *p, const posix_spawn_file_actions_t *fa, const posix_spawnattr_t *at, char *const a[], char *const e[])
{
    note_exec(p, 0);
    int r = get_posix_spawn()(pid, p, fa, at, a, e);
    if (r != 0) {
        errno = r;
        note_exec(p, 1);
    }
    return r;
}
int posix_spawnp(pid_t *pid, const char *p, const posix_spawn_file_actions_t *fa, const posix_spawnattr_t *at, char *const a[], char *const e[])
{
    note_exec(p, 0);
    int r = get_posix_spawnp()(pid, p, fa, at, a, e);
    if (r != 0) {
        errno = r;
        note_exec(p, 1);
    }
    return r;
}
pid_t fork(void)
{
    flush(); /* else the child would write the parent's records again */
    return get_fork()();
}
pid_t vfork(void)
{
    /* The child shares our memory until it execs: fork keeps the buffer simple. */
    flush();
    return get_fork()();
}

/* ---- the environment --------------------------------------------------------------- */

/* "=" and the program this process runs, once per image: which program read a variable (a
 * splice inside ghc, or the C compiler ghc runs) decides whether it is keyed. */
static const char *self_suffix(void)
{
    static char self[PATH_MAX + 1];
    if (!self[0]) {
        ssize_t n = syscall(SYS_readlink, "/proc/self/exe", self + 1, sizeof self - 2);
        self[0] = '=';
        self[n > 0 ? n + 1 : 1] = '\0';
    }
    return self;
}
/* Also 'v', NAME=OBJECT: the loaded object whose code asked (dladdr of the return address). A
 * proc-macro reading PATH runs in the rustc process that reads PATH itself; only the caller
 * tells them apart. */
static void note_env(const char *name, const char *value, const void *caller)
{
    if (!nonempty(name) || t_inside)
        return;
    put('e', value ? '+' : '-', name, self_suffix());
    Dl_info info;
    t_inside = 1;
    int found = dladdr(caller, &info);
    t_inside = 0;
    /* The program itself is named by its argv[0]: its own reads are the 'e' record's. */
    if (found && nonempty(info.dli_fname) && strcmp(info.dli_fname, program_invocation_name) != 0) {
        /* An object dlopen'ed by a relative path keeps that name; its 'l' record is absolute. */
        char cwd[PATH_MAX + 1] = "";
        if (info.dli_fname[0] != '/' && syscall(SYS_getcwd, cwd, sizeof cwd - 1) <= 0)
            return;
        char tail[2 * PATH_MAX + 3];
        if ((size_t)snprintf(tail, sizeof tail, "=%s%s%s", cwd, cwd[0] ? "/" : "", info.dli_fname) < sizeof tail)
            put('v', value ? '+' : '-', name, tail);
    }
}
REAL(char *, getenv, const char *)
REAL(char *, secure_getenv, const char *)
char *getenv(const char *name)
{
    char *v = get_getenv()(name);
    note_env(name, v, __builtin_return_address(0));
    return v;
}
char *secure_getenv(const char *name)
{
    char *v = get_secure_getenv()(name);
    note_env(name, v, __builtin_return_address(0));
    return v;
}

/* ---- the wall clock --------------------------------------------------------------- */

/* A compile-time program (a proc-macro, a splice) that reads the time of day makes an output
 * of the moment. The vDSO answers these without a system call, but programs reach it
 * through the C library's functions, which the preload comes before. Once per process is
 * enough: the run as a whole read the clock. */
static int g_clock_read;
static void note_clock(void)
{
    if (g_clock_read || t_inside || g_fd < 0) /* before the trace opened (another library's constructor): asked again later */
        return;
    g_clock_read = 1;
    /* Which program: the C compiler's own read (cc1 seeds its random numbers) is not a splice's. */
    char exe[PATH_MAX];
    ssize_t n = syscall(SYS_readlink, "/proc/self/exe", exe, sizeof exe - 1);
    exe[n > 0 ? n : 0] = '\0';
    put('t', '+', n > 0 ? exe : "?", NULL);
}
REAL(int, clock_gettime, clockid_t, struct timespec *)
REAL(int, gettimeofday, struct timeval *, void *)
REAL(time_t, time, time_t *)
int clock_gettime(clockid_t id, struct timespec *ts)
{
    if (id == CLOCK_REALTIME || id == CLOCK_REALTIME_COARSE || id == CLOCK_TAI)
        note_clock();
    return get_clock_gettime()(id, ts);
}
int gettimeofday(struct timeval *tv, void *tz)
{
    note_clock();
    return get_gettimeofday()(tv, tz);
}
time_t time(time_t *t)
{
    note_clock();
    return get_time()(t);
}

/* ---- start and end ----------------------------------------------------------------- */

static void trace_end(void);

/* lld and others leave through _exit, skipping destructors: the end record is written here too. */
REAL(void, _exit, int)
REAL(void, _Exit, int)
void _exit(int code)
{
    trace_end();
    get__exit()(code);
    __builtin_unreachable();
}
void _Exit(int code)
{
    trace_end();
    get__Exit()(code);
    __builtin_unreachable();
}

/* The environment of the program named by REPRISE_ENVIRON_OF, written whole (NUL-separated)
 * into the existing file REPRISE_ENVIRON_TO when its image starts: what a launcher in front
 * of it (rustup's proxy) gave it, which the daemon gives it too when it runs it directly. */
static void write_environ(void)
{
    const char *of = get_getenv()("REPRISE_ENVIRON_OF"), *to = get_getenv()("REPRISE_ENVIRON_TO");
    if (!nonempty(of) || !nonempty(to) || strcmp(self_suffix() + 1, of) != 0)
        return;
    int fd = (int)syscall(SYS_open, to, O_WRONLY | O_TRUNC | O_CLOEXEC);
    if (fd < 0)
        return;
    for (char **e = environ; *e; e++)
        write_all(fd, *e, strlen(*e) + 1);
    syscall(SYS_close, fd);
}

__attribute__((constructor)) static void trace_start(void)
{
    write_environ();
    const char *path = get_getenv()("REPRISE_TRACE");
    if (!path || !*path)
        return;
    g_fd = (int)syscall(SYS_open, path, O_WRONLY | O_APPEND | O_CLOEXEC);
    char pid[24];
    snprintf(pid, sizeof pid, "%ld", (long)getpid());
    put('B', '+', pid, NULL);
}

__attribute__((destructor)) static void trace_end(void)
{
    static int ended;
    if (ended++)
        return;
    char pid[24];
    snprintf(pid, sizeof pid, "%ld", (long)getpid());
    put('E', '+', pid, NULL);
    flush();
}
