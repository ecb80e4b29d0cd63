/*
 * fuzz_common.h: setup shared by the libFuzzer targets. Each input gets its own APR
 * pool, destroyed before the next one, so LeakSanitizer sees anything that outlives it.
 */
#ifndef SINCHFN_FUZZ_COMMON_H
#define SINCHFN_FUZZ_COMMON_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <apr_general.h>
#include <apr_pools.h>
#include <apr_strings.h>
#include <apr_tables.h>

#include "sinchfn_core.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static apr_pool_t *fuzz_root_pool;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    if (apr_initialize() != APR_SUCCESS || apr_pool_create(&fuzz_root_pool, NULL) != APR_SUCCESS)
        abort();
    return 0;
}

static inline apr_pool_t *fuzz_pool(void)
{
    apr_pool_t *pool;

    if (apr_pool_create(&pool, fuzz_root_pool) != APR_SUCCESS)
        abort();
    return pool;
}

/* Splits an input into count fields at '\n': field i is NUL-terminated pool memory and
 * lengths[i] its byte count. The last field keeps the rest of the input, newlines and
 * NUL bytes included. Fields past the end of a short input are NULL. */
static inline void fuzz_split(apr_pool_t *pool, const uint8_t *data, size_t size, int count, const char **fields,
                              apr_size_t *lengths)
{
    const char *cursor = (const char *)data;
    const char *limit = cursor + size;
    int i;

    for (i = 0; i < count; i++) {
        const char *end = NULL;

        if (cursor > limit || (cursor == limit && i > 0)) {
            fields[i] = NULL;
            lengths[i] = 0;
            continue;
        }
        if (i + 1 < count)
            end = memchr(cursor, '\n', (size_t)(limit - cursor));
        end = end ? end : limit;
        fields[i] = apr_pstrmemdup(pool, cursor, (apr_size_t)(end - cursor));
        lengths[i] = (apr_size_t)(end - cursor);
        cursor = end + 1;
    }
}

/* Stops the run when a checked property fails; libFuzzer keeps the input as a crash. */
#define FUZZ_ASSERT(condition)                                                                 \
    do {                                                                                       \
        if (!(condition))                                                                      \
            __builtin_trap();                                                                  \
    } while (0)

#endif /* SINCHFN_FUZZ_COMMON_H */
