/*
 * mod_sinchfn_crash.c: names the function, export and route of a request whose handler
 * crashes the child. Debian's httpd 2.4 is built without AP_ENABLE_EXCEPTION_HOOK, so
 * the fatal_exception hook is not available. Instead each child installs handlers for
 * the fatal signals that write a line naming the request, assembled with async-signal-safe
 * calls only, then pass the signal on to the handler httpd installed.
 *
 * NOTE: the handlers run on the thread's own stack, so a stack overflow in a handler
 * kills the child without this line; httpd still logs the child's exit signal.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <apr_portable.h>

#include "mod_sinchfn_glue.h"

#include <http_log.h>
#include <httpd.h>

APLOG_USE_MODULE(sinchfn);

/* The request running a handler on this thread. Only pointers are stored per request,
 * and the signal handler assembles the line from the strings they point to. */
typedef struct {
    const request_rec *r;
    const sinchfn_ctx *ctx;
    const char *export;
    const char *route;
} crash_note;

static __thread crash_note current_note;

static const struct {
    int number;
    const char *name;
} fatal_signals[] = {
    { SIGSEGV, "SIGSEGV" }, { SIGBUS, "SIGBUS" }, { SIGILL, "SIGILL" }, { SIGFPE, "SIGFPE" }, { SIGABRT, "SIGABRT" },
};
#define FATAL_SIGNAL_COUNT (sizeof(fatal_signals) / sizeof(fatal_signals[0]))

static struct sigaction previous_actions[FATAL_SIGNAL_COUNT];

static void write_all(int fd, const char *text, apr_size_t length)
{
    while (length > 0) {
        ssize_t written = write(fd, text, length);

        if (written <= 0)
            return;
        text += written;
        length -= (apr_size_t)written;
    }
}

/* The error log file descriptor of the request's server, or stderr, which httpd points
 * at the main error log, when the log is syslog or a pipe. */
static int error_log_fd(const request_rec *r)
{
    apr_os_file_t fd;

    if (r->server->error_log && apr_os_file_get(&fd, r->server->error_log) == APR_SUCCESS)
        return fd;
    return STDERR_FILENO;
}

/* Copies text into out for the crash line, writing quotes, backslashes, control and
 * non-ASCII bytes as \xNN, so the line stays one line. Stops when out is full. */
static apr_size_t escape_into(char *out, apr_size_t size, const char *text)
{
    static const char hex[] = "0123456789abcdef";
    apr_size_t used = 0;

    for (; text && *text && used + 4 < size; text++) {
        unsigned char c = (unsigned char)*text;

        if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') {
            out[used++] = '\\';
            out[used++] = 'x';
            out[used++] = hex[c >> 4];
            out[used++] = hex[c & 0xf];
        }
        else {
            out[used++] = (char)c;
        }
    }
    return used;
}

static void write_text(int fd, const char *text)
{
    write_all(fd, text, strlen(text));
}

/* Writes the crash line of the request on this thread. Only async-signal-safe calls are
 * made: write, and string copies into buffers on the stack. */
static void write_crash_line(const crash_note *note, const char *signal_name)
{
    char line[2048], pid_digits[20];
    char *out = line, *pid_start, *pid_end;
    apr_size_t room;
    int fd = error_log_fd(note->r);

#define APPEND(text) do { room = sizeof(line) - (apr_size_t)(out - line); \
                          out += escape_into(out, room, (text)); } while (0)
    APPEND("[sinchfn:crit] [pid ");
    pid_end = pid_digits + sizeof(pid_digits);
    pid_start = sinchfn_format_unsigned(pid_end, (apr_uint64_t)getpid(), 10);
    memcpy(out, pid_start, (apr_size_t)(pid_end - pid_start));
    out += pid_end - pid_start;
    APPEND("] SFN0310: function '");
    APPEND(note->ctx->function_name);
    APPEND("', handler '");
    APPEND(note->export);
    APPEND("' (route '");
    APPEND(note->route);
    APPEND("') crashed with ");
    APPEND(signal_name);
    APPEND(" on request ");
    APPEND(note->ctx->request_id);
    APPEND(" (");
    APPEND(note->r->method);
    APPEND(" ");
    APPEND(note->r->uri);
    APPEND("); the child process exits");
#undef APPEND
    write_all(fd, line, (apr_size_t)(out - line));
    write_text(fd, "\n");
}

/* Writes the crash line, restores httpd's handler and raises the signal again, so the
 * child dies as it would without this module (httpd's parent then logs "exit signal"). */
static void on_fatal_signal(int number)
{
    apr_size_t i;

    for (i = 0; i < FATAL_SIGNAL_COUNT; i++) {
        if (fatal_signals[i].number != number)
            continue;
        if (current_note.r)
            write_crash_line(&current_note, fatal_signals[i].name);
        sigaction(number, &previous_actions[i], NULL);
        break;
    }
    raise(number);
}

static void install_signal_handlers(apr_pool_t *pool, server_rec *s)
{
    struct sigaction action;
    apr_size_t i;

    (void)pool;
    memset(&action, 0, sizeof(action));
    action.sa_handler = on_fatal_signal;
    sigemptyset(&action.sa_mask);
    for (i = 0; i < FATAL_SIGNAL_COUNT; i++) {
        if (sigaction(fatal_signals[i].number, &action, &previous_actions[i]) != 0)
            ap_log_error(APLOG_MARK, APLOG_WARNING, errno, s, "SFN0311: installing the %s handler failed; a "
                         "crashing handler is logged by httpd without its function and route",
                         fatal_signals[i].name);
    }
}

void mod_sinchfn_crash_enter(request_rec *r, const sinchfn_ctx *ctx, const char *export, const char *route)
{
    current_note.ctx = ctx;
    current_note.export = export;
    current_note.route = route;
    current_note.r = r;
}

void mod_sinchfn_crash_leave(void)
{
    current_note.r = NULL;
}

void mod_sinchfn_crash_register_hooks(apr_pool_t *pool)
{
    (void)pool;
    ap_hook_child_init(install_signal_handlers, NULL, NULL, APR_HOOK_MIDDLE);
}
