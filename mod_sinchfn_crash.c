/*
 * mod_sinchfn_crash.c: names the function, export and route of a request whose handler
 * crashes the child. Debian's httpd 2.4 is built without AP_ENABLE_EXCEPTION_HOOK, so
 * the fatal_exception hook is not available. Instead each child installs handlers for
 * the fatal signals that write a line formatted before the handler ran (formatting is not
 * async-signal-safe), then pass the signal on to the handler httpd installed.
 *
 * NOTE: the handlers run on the thread's own stack, so a stack overflow in a handler
 * kills the child without this line; httpd still logs the child's exit signal.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <apr_portable.h>
#include <apr_strings.h>

#include "mod_sinchfn_glue.h"

#include <http_log.h>
#include <httpd.h>

APLOG_USE_MODULE(sinchfn);

/* The crash line of the request running on this thread, split around the signal name. */
typedef struct {
    int fd;
    const char *head;
    apr_size_t head_length;
    const char *tail;
    apr_size_t tail_length;
} crash_note;

static __thread const crash_note *current_note;

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

/* Writes the note, restores httpd's handler and raises the signal again, so the child
 * dies as it would without this module (httpd's parent then logs "exit signal"). */
static void on_fatal_signal(int number)
{
    const crash_note *note = current_note;
    apr_size_t i;

    for (i = 0; i < FATAL_SIGNAL_COUNT; i++) {
        if (fatal_signals[i].number != number)
            continue;
        if (note) {
            write_all(note->fd, note->head, note->head_length);
            write_all(note->fd, fatal_signals[i].name, strlen(fatal_signals[i].name));
            write_all(note->fd, note->tail, note->tail_length);
        }
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

/* The error log file descriptor of the request's server, or stderr, which httpd points
 * at the main error log, when the log is syslog or a pipe. */
static int error_log_fd(const request_rec *r)
{
    apr_os_file_t fd;

    if (r->server->error_log && apr_os_file_get(&fd, r->server->error_log) == APR_SUCCESS)
        return fd;
    return STDERR_FILENO;
}

void mod_sinchfn_crash_enter(request_rec *r, const sinchfn_ctx *ctx, const char *export, const char *route)
{
    crash_note *note = apr_palloc(r->pool, sizeof(*note));

    note->fd = error_log_fd(r);
    note->head = apr_psprintf(r->pool, "[sinchfn:crit] [pid %" APR_PID_T_FMT "] SFN0310: function '%s', handler "
                              "'%s' (route '%s') crashed with ", getpid(), ctx->function_name, export, route);
    note->head_length = strlen(note->head);
    note->tail = apr_psprintf(r->pool, " on request %s (%s %s); the child process exits\n", ctx->request_id,
                              ap_escape_logitem(r->pool, r->method), ap_escape_logitem(r->pool, r->uri));
    note->tail_length = strlen(note->tail);
    current_note = note;
}

void mod_sinchfn_crash_leave(void)
{
    current_note = NULL;
}

void mod_sinchfn_crash_register_hooks(apr_pool_t *pool)
{
    (void)pool;
    ap_hook_child_init(install_signal_handlers, NULL, NULL, APR_HOOK_MIDDLE);
}
