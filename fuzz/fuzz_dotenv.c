/*
 * fuzz_dotenv.c: the dotenv parser of SinchEnvFile and a function's .env file.
 */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *pool = fuzz_pool();
    apr_hash_t *values = apr_hash_make(pool);
    const char *text = apr_pstrmemdup(pool, (const char *)data, size);
    const char *problem;
    apr_hash_index_t *entry;

    if ((problem = sinchfn_dotenv_parse(pool, text, size, "fuzz.env", values))) {
        FUZZ_ASSERT(*problem);
        apr_pool_destroy(pool);
        return 0;
    }
    for (entry = apr_hash_first(pool, values); entry; entry = apr_hash_next(entry)) {
        const void *name;
        void *value;

        apr_hash_this(entry, &name, NULL, &value);
        FUZZ_ASSERT(*(const char *)name && value);
    }
    apr_pool_destroy(pool);
    return 0;
}
