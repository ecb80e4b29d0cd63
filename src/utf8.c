/*
 * utf8.c: strict UTF-8 validation (RFC 3629): no overlong forms, no surrogates, nothing
 * above U+10FFFF. json-c's own check accepts overlong forms and surrogates.
 */
#include <string.h>

#include "sinchfn_core.h"

/* Returns the length of the valid sequence starting at text, or 0 when it is invalid. */
static apr_size_t sequence_length(const unsigned char *text, apr_size_t available)
{
    unsigned char lead = text[0];
    apr_size_t length, i;
    apr_uint32_t code, minimum;

    if (lead < 0x80)
        return 1;
    if (lead >= 0xc2 && lead <= 0xdf)
        length = 2, code = lead & 0x1f, minimum = 0x80;
    else if (lead >= 0xe0 && lead <= 0xef)
        length = 3, code = lead & 0x0f, minimum = 0x800;
    else if (lead >= 0xf0 && lead <= 0xf4)
        length = 4, code = lead & 0x07, minimum = 0x10000;
    else
        return 0;

    if (available < length)
        return 0;
    for (i = 1; i < length; i++) {
        if ((text[i] & 0xc0) != 0x80)
            return 0;
        code = (code << 6) | (text[i] & 0x3f);
    }
    if (code < minimum || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff))
        return 0;
    return length;
}

apr_ssize_t sinchfn_utf8_invalid_offset(const char *text, apr_size_t length)
{
    const unsigned char *bytes = (const unsigned char *)text;
    apr_size_t offset = 0;

    while (offset < length) {
        apr_size_t step;
        apr_uint64_t word;

        /* Eight ASCII bytes at a time: callback bodies are mostly ASCII. */
        if (length - offset >= sizeof(word)) {
            memcpy(&word, bytes + offset, sizeof(word));
            if (!(word & APR_UINT64_C(0x8080808080808080))) {
                offset += sizeof(word);
                continue;
            }
        }
        step = sequence_length(bytes + offset, length - offset);

        if (step == 0)
            return (apr_ssize_t)offset;
        offset += step;
    }
    return -1;
}
