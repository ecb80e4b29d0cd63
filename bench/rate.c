/*
 * rate.c: drives one HTTP/1.1 endpoint on 127.0.0.1 at a constant request rate and
 * prints latency percentiles, for the half-rate runs of bench/run.
 *
 * Request k of the schedule is due at start + k / RATE and goes out on connection
 * k mod CONNECTIONS. Each connection therefore sends every CONNECTIONS / RATE seconds,
 * and the connections are spread evenly over that interval, so the server never gets
 * a burst of CONNECTIONS requests at once. A connection carries one request at a time:
 * a request whose connection is still busy at its due time goes out when the response
 * arrives, and its latency counts from its due time, not from when it was sent. Waiting
 * behind a slow response is thus part of the latency (no coordinated omission).
 *
 * Usage: rate PORT REQUEST_FILE RATE CONNECTIONS WARMUP_SECONDS SECONDS
 *   REQUEST_FILE contains the exact bytes of one HTTP/1.1 request, sent as they are.
 *   Requests due during the first WARMUP_SECONDS are sent but not counted.
 * Output, one line: COUNT THROUGHPUT P50_US P99_US NON_2XX ERRORS
 *   COUNT is the number of responses to requests due in the measured SECONDS, and the
 *   percentiles and NON_2XX are over those. THROUGHPUT is the number of responses that
 *   arrived during the measured SECONDS, per second: below RATE, the server did not
 *   keep up. ERRORS counts the requests due in the measured SECONDS that failed or had
 *   no response within GRACE_SECONDS after the schedule ended.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#define GRACE_SECONDS 5
#define BUFFER_SIZE 65536
#define MAX_CONNECTIONS 1024
#define MAX_RATE 1000000.0
#define MAX_SECONDS 600

typedef struct {
    int fd;
    int busy;            /* a request is in flight */
    uint64_t next;       /* index j of the next request of this connection */
    int64_t due_ns;      /* due time of the request in flight */
    size_t written;      /* bytes of the request in flight already written */
    char buffer[BUFFER_SIZE];
    size_t length;       /* bytes of the response read so far */
} connection;

static const char *request_bytes;
static size_t request_length;
static int port;
static double rate;
static int connection_count;
static int64_t start_ns, measure_ns, end_ns;

static int64_t *latencies;
static size_t latency_count, latency_capacity;
static size_t non_2xx, errors, received_in_window;

static void fail(const char *message)
{
    fprintf(stderr, "rate: %s: %s\n", message, strerror(errno));
    exit(1);
}

static int64_t now_ns(void)
{
    struct timespec now;

    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
}

/* Returns the due time of request j of connection c: global index c + j * connections. */
static int64_t due_time(int c, uint64_t j)
{
    double index = (double)c + (double)j * connection_count;

    return start_ns + (int64_t)(index * 1e9 / rate);
}

static int open_connection(int epoll_fd, int c)
{
    struct sockaddr_in address = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    struct epoll_event event = { .events = EPOLLIN | EPOLLOUT | EPOLLET, .data.u32 = (uint32_t)c };
    int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;

    if (fd < 0)
        fail("socket failed");
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    /* A blocking connect on loopback completes at once, and the socket is made
     * non-blocking afterwards. */
    if (connect(fd, (struct sockaddr *)&address, sizeof(address)) != 0) {
        fprintf(stderr, "rate: connecting to 127.0.0.1:%d failed: %s\n", port, strerror(errno));
        exit(1);
    }
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    if (epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &event) != 0)
        fail("epoll_ctl failed");
    return fd;
}

static void record(int64_t due_ns, int64_t done_ns, int status)
{
    if (done_ns >= measure_ns && done_ns < end_ns)
        received_in_window++;
    if (due_ns < measure_ns || due_ns >= end_ns)
        return;
    if (latency_count == latency_capacity) {
        latency_capacity = latency_capacity ? latency_capacity * 2 : 65536;
        latencies = realloc(latencies, latency_capacity * sizeof(*latencies));
        if (!latencies)
            fail("out of memory");
    }
    latencies[latency_count++] = done_ns - due_ns;
    if (status < 200 || status > 299)
        non_2xx++;
}

/* Drops a broken connection: its request in flight counts as an error, and a new
 * connection takes its place. */
static void reconnect(int epoll_fd, connection *conn, int c)
{
    if (conn->busy && conn->due_ns >= measure_ns && conn->due_ns < end_ns)
        errors++;
    close(conn->fd);
    conn->busy = 0;
    conn->length = 0;
    conn->fd = open_connection(epoll_fd, c);
}

/* Writes what is left of the request in flight. Returns -1 when the connection broke. */
static int write_request(connection *conn)
{
    while (conn->written < request_length) {
        ssize_t n = write(conn->fd, request_bytes + conn->written, request_length - conn->written);

        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return 0;
        if (n <= 0)
            return -1;
        conn->written += (size_t)n;
    }
    return 0;
}

/* Sends the next request of a free connection when it is due. Returns -1 when the
 * connection broke. */
static int send_if_due(connection *conn, int c, int64_t now)
{
    int64_t due = due_time(c, conn->next);

    if (conn->busy || due > now || due >= end_ns)
        return 0;
    conn->busy = 1;
    conn->due_ns = due;
    conn->next++;
    conn->written = 0;
    return write_request(conn);
}

/* Returns the length of a complete chunked body at body, or 0 while it is incomplete. */
static size_t chunked_length(const char *body, size_t available)
{
    size_t offset = 0;

    for (;;) {
        const char *line_end = memmem(body + offset, available - offset, "\r\n", 2);
        unsigned long size;

        if (!line_end)
            return 0;
        size = strtoul(body + offset, NULL, 16);
        offset = (size_t)(line_end - body) + 2;
        if (size == 0) {
            /* Trailer fields end with an empty line. */
            const char *end = memmem(body + offset - 2, available - offset + 2, "\r\n\r\n", 4);
            return end ? (size_t)(end - body) + 4 : 0;
        }
        if (available - offset < size + 2)
            return 0;
        offset += size + 2;
    }
}

/* Returns 1 when the header line [line, end) starts with the field name (with its colon) and a
 * value that contains word, both compared case-insensitively. */
static int header_has(const char *line, const char *end, const char *name, const char *word)
{
    char value[256];
    size_t name_length = strlen(name), length = (size_t)(end - line);

    if (length <= name_length || strncasecmp(line, name, name_length))
        return 0;
    length -= name_length;
    if (length >= sizeof(value))
        length = sizeof(value) - 1;
    memcpy(value, line + name_length, length);
    value[length] = '\0';
    return strcasestr(value, word) != NULL;
}

/* Returns the length of the complete response at the start of the buffer, or 0 while
 * it is incomplete, and sets *status and *closes (Connection: close). */
static size_t response_length(const connection *conn, int *status, int *closes)
{
    const char *head_end = memmem(conn->buffer, conn->length, "\r\n\r\n", 4);
    const char *line, *line_end;
    size_t head, content_length = 0;
    int chunked = 0;

    if (!head_end)
        return 0;
    head = (size_t)(head_end - conn->buffer) + 4;
    *status = head > 12 ? atoi(conn->buffer + 9) : 0;
    *closes = 0;
    /* The header fields lie between the end of the status line and head_end. */
    for (line = (const char *)memmem(conn->buffer, head, "\r\n", 2) + 2; line < head_end; line = line_end + 2) {
        line_end = memmem(line, (size_t)(head_end - line) + 2, "\r\n", 2);
        if (!strncasecmp(line, "Content-Length:", 15))
            content_length = strtoul(line + 15, NULL, 10);
        else if (header_has(line, line_end, "Transfer-Encoding:", "chunked"))
            chunked = 1;
        else if (header_has(line, line_end, "Connection:", "close"))
            *closes = 1;
    }
    if (chunked) {
        size_t body = chunked_length(conn->buffer + head, conn->length - head);
        return body ? head + body : 0;
    }
    return conn->length >= head + content_length ? head + content_length : 0;
}

/* Reads what arrived. Returns -1 when the connection broke or the server closed it. */
static int read_responses(connection *conn)
{
    for (;;) {
        ssize_t n;
        size_t complete;
        int status, closes;

        /* A response larger than the buffer counts as an error. The benchmark's
         * responses are far below BUFFER_SIZE. */
        if (conn->length == BUFFER_SIZE) {
            errno = EMSGSIZE;
            return -1;
        }
        n = read(conn->fd, conn->buffer + conn->length, BUFFER_SIZE - conn->length);
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return 0;
        if (n <= 0)
            return -1;
        conn->length += (size_t)n;
        complete = response_length(conn, &status, &closes);
        if (!complete)
            continue;
        if (!conn->busy)
            return -1; /* an unsolicited response */
        record(conn->due_ns, now_ns(), status);
        conn->busy = 0;
        memmove(conn->buffer, conn->buffer + complete, conn->length - complete);
        conn->length -= complete;
        if (closes)
            return -1;
    }
}

static int compare(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

    return (x > y) - (x < y);
}

/* Returns the nearest-rank percentile of the sorted latencies, in microseconds. */
static double percentile(double fraction)
{
    size_t rank = (size_t)ceil(fraction * (double)latency_count);

    if (latency_count == 0)
        return 0.0;
    if (rank == 0)
        rank = 1;
    return (double)latencies[rank - 1] / 1000.0;
}

static char *read_file(const char *path, size_t *length)
{
    FILE *file = fopen(path, "rb");
    char *data;
    long size;

    if (!file || fseek(file, 0, SEEK_END) != 0 || (size = ftell(file)) < 0 || fseek(file, 0, SEEK_SET) != 0)
        fail("reading the request file failed");
    if (size == 0) {
        fprintf(stderr, "rate: the request file %s is empty; write one HTTP/1.1 request into it\n", path);
        exit(2);
    }
    data = malloc((size_t)size);
    if (!data || fread(data, 1, (size_t)size, file) != (size_t)size)
        fail("reading the request file failed");
    fclose(file);
    *length = (size_t)size;
    return data;
}

int main(int argc, char **argv)
{
    connection *connections;
    int epoll_fd, timer_fd, c;
    double warmup, seconds;

    if (argc != 7) {
        fprintf(stderr, "usage: rate PORT REQUEST_FILE RATE CONNECTIONS WARMUP_SECONDS SECONDS\n");
        return 2;
    }
    port = atoi(argv[1]);
    request_bytes = read_file(argv[2], &request_length);
    rate = atof(argv[3]);
    connection_count = atoi(argv[4]);
    warmup = atof(argv[5]);
    seconds = atof(argv[6]);
    if (port < 1 || port > 65535 || !(rate > 0 && rate <= MAX_RATE) || connection_count < 1 ||
        connection_count > MAX_CONNECTIONS || !(warmup >= 0 && warmup <= MAX_SECONDS) ||
        !(seconds > 0 && seconds <= MAX_SECONDS)) {
        fprintf(stderr, "rate: PORT must be 1-65535, RATE above 0 and at most %.0f requests per second, "
                "CONNECTIONS 1-%d, WARMUP_SECONDS 0-%d and SECONDS above 0 and at most %d\n", MAX_RATE,
                MAX_CONNECTIONS, MAX_SECONDS, MAX_SECONDS);
        return 2;
    }

    if ((epoll_fd = epoll_create1(0)) < 0 || (timer_fd = timerfd_create(CLOCK_MONOTONIC, 0)) < 0)
        fail("creating the event loop failed");
    {
        struct epoll_event event = { .events = EPOLLIN, .data.u32 = (uint32_t)MAX_CONNECTIONS };

        if (epoll_ctl(epoll_fd, EPOLL_CTL_ADD, timer_fd, &event) != 0)
            fail("epoll_ctl failed");
    }
    connections = calloc((size_t)connection_count, sizeof(*connections));
    if (!connections)
        fail("out of memory");
    for (c = 0; c < connection_count; c++)
        connections[c].fd = open_connection(epoll_fd, c);

    start_ns = now_ns();
    measure_ns = start_ns + (int64_t)(warmup * 1e9);
    end_ns = measure_ns + (int64_t)(seconds * 1e9);

    for (;;) {
        struct epoll_event events[64];
        int64_t now = now_ns(), next = INT64_MAX;
        int busy = 0, n, i;

        /* Send what is due and find the next due time of a free connection. */
        for (c = 0; c < connection_count; c++) {
            connection *conn = &connections[c];

            if (send_if_due(conn, c, now) < 0)
                reconnect(epoll_fd, conn, c);
            if (conn->busy)
                busy++;
            else if (due_time(c, conn->next) < end_ns && due_time(c, conn->next) < next)
                next = due_time(c, conn->next);
        }
        if (next == INT64_MAX && busy == 0)
            break;
        if (now >= end_ns + (int64_t)GRACE_SECONDS * 1000000000) {
            /* Requests of the measured window still in flight or never sent failed. */
            for (c = 0; c < connection_count; c++) {
                uint64_t j;

                if (connections[c].busy && connections[c].due_ns >= measure_ns)
                    errors++;
                for (j = connections[c].next; due_time(c, j) < end_ns; j++) {
                    if (due_time(c, j) >= measure_ns)
                        errors++;
                }
            }
            break;
        }

        if (next != INT64_MAX) {
            struct itimerspec when = { .it_value = { .tv_sec = next / 1000000000, .tv_nsec = next % 1000000000 } };

            timerfd_settime(timer_fd, TFD_TIMER_ABSTIME, &when, NULL);
        }
        n = epoll_wait(epoll_fd, events, 64, next == INT64_MAX ? 100 : -1);
        if (n < 0 && errno != EINTR)
            fail("epoll_wait failed");
        for (i = 0; i < n; i++) {
            uint32_t id = events[i].data.u32;
            connection *conn;

            if (id == MAX_CONNECTIONS) {
                uint64_t expirations;

                if (read(timer_fd, &expirations, sizeof(expirations)) < 0 && errno != EAGAIN)
                    fail("reading the timer failed");
                continue;
            }
            conn = &connections[id];
            if ((events[i].events & EPOLLOUT) && conn->busy && write_request(conn) < 0) {
                reconnect(epoll_fd, conn, (int)id);
                continue;
            }
            if ((events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) && read_responses(conn) < 0)
                reconnect(epoll_fd, conn, (int)id);
        }
    }

    qsort(latencies, latency_count, sizeof(*latencies), compare);
    printf("%zu %.0f %.0f %.0f %zu %zu\n", latency_count, (double)received_in_window / seconds, percentile(0.50),
           percentile(0.99), non_2xx, errors);

    for (c = 0; c < connection_count; c++)
        close(connections[c].fd);
    free(connections);
    free(latencies);
    free((char *)request_bytes);
    return 0;
}
