/*
 * BLAKE3 (https://github.com/BLAKE3-team/BLAKE3-specs), hash mode only, portable C: the
 * shim checks a hit ticket's inputs by content when their stat changed (a fresh copy or
 * checkout of the same files), and must get the daemon's digests. A few hundred KB of
 * sources and headers per call, so no SIMD.
 */
#include <string.h>

#include "blake3.h"

static const uint32_t IV[8] = { 0x6A09E667, 0xBB67AE85, 0x3C6EF372, 0xA54FF53A,
                                0x510E527F, 0x9B05688C, 0x1F83D9AB, 0x5BE0CD19 };
/* The message word order of each of the 7 rounds (the spec's permutation applied r times). */
static const uint8_t SCHEDULE[7][16] = {
    { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 },
    { 2, 6, 3, 10, 7, 0, 4, 13, 1, 11, 12, 5, 9, 14, 15, 8 },
    { 3, 4, 10, 12, 13, 2, 7, 14, 6, 5, 9, 0, 11, 15, 8, 1 },
    { 10, 7, 12, 9, 14, 3, 13, 15, 4, 0, 11, 2, 5, 8, 1, 6 },
    { 12, 13, 9, 11, 15, 10, 14, 8, 7, 2, 5, 3, 0, 1, 6, 4 },
    { 9, 14, 11, 5, 8, 12, 15, 1, 13, 3, 0, 10, 2, 6, 4, 7 },
    { 11, 15, 5, 0, 1, 9, 8, 6, 14, 10, 2, 12, 3, 4, 7, 13 },
};
enum { CHUNK_START = 1, CHUNK_END = 2, PARENT = 4, ROOT = 8, BLOCKS_PER_CHUNK = 16 };

static uint32_t rotr(uint32_t x, int n)
{
    return x >> n | x << (32 - n);
}

static inline void g(uint32_t *s, int a, int b, int c, int d, uint32_t x, uint32_t y)
{
    s[a] += s[b] + x;
    s[d] = rotr(s[d] ^ s[a], 16);
    s[c] += s[d];
    s[b] = rotr(s[b] ^ s[c], 12);
    s[a] += s[b] + y;
    s[d] = rotr(s[d] ^ s[a], 8);
    s[c] += s[d];
    s[b] = rotr(s[b] ^ s[c], 7);
}

/* out[0..8] is the node's chaining value; all 16 words are its (first) output block. */
static void compress(const uint32_t cv[8], const uint32_t m[16], uint64_t counter, uint32_t len, uint32_t flags, uint32_t out[16])
{
    uint32_t s[16] = { cv[0], cv[1], cv[2], cv[3], cv[4], cv[5], cv[6], cv[7],
                       IV[0], IV[1], IV[2], IV[3], (uint32_t)counter, (uint32_t)(counter >> 32), len, flags };
    for (int r = 0; r < 7; r++) {
        const uint8_t *k = SCHEDULE[r];
        g(s, 0, 4, 8, 12, m[k[0]], m[k[1]]);
        g(s, 1, 5, 9, 13, m[k[2]], m[k[3]]);
        g(s, 2, 6, 10, 14, m[k[4]], m[k[5]]);
        g(s, 3, 7, 11, 15, m[k[6]], m[k[7]]);
        g(s, 0, 5, 10, 15, m[k[8]], m[k[9]]);
        g(s, 1, 6, 11, 12, m[k[10]], m[k[11]]);
        g(s, 2, 7, 8, 13, m[k[12]], m[k[13]]);
        g(s, 3, 4, 9, 14, m[k[14]], m[k[15]]);
    }
    for (int i = 0; i < 8; i++) {
        out[i] = s[i] ^ s[i + 8];
        out[i + 8] = s[i + 8] ^ cv[i];
    }
}

static void words(uint32_t m[16], const uint8_t b[64])
{
    for (int i = 0; i < 16; i++)
        m[i] = (uint32_t)b[4 * i] | (uint32_t)b[4 * i + 1] << 8 | (uint32_t)b[4 * i + 2] << 16 | (uint32_t)b[4 * i + 3] << 24;
}

void blake3_init(struct blake3 *h)
{
    memcpy(h->cv, IV, sizeof IV);
    h->chunk = 0;
    h->block_len = 0;
    h->blocks_done = 0;
    h->depth = 0;
}

/* A finished chunk joins the tree: merge it with every complete subtree of its size. */
static void push_chunk(struct blake3 *h, uint32_t cv[8])
{
    uint32_t m[16], out[16];
    for (uint64_t total = h->chunk + 1; (total & 1) == 0; total >>= 1) {
        memcpy(m, h->stack[--h->depth], 32);
        memcpy(m + 8, cv, 32);
        compress(IV, m, 0, 64, PARENT, out);
        memcpy(cv, out, 32);
    }
    memcpy(h->stack[h->depth++], cv, 32);
}

void blake3_update(struct blake3 *h, const void *data, size_t len)
{
    const uint8_t *p = data;
    uint32_t m[16], out[16];
    while (len > 0) {
        /* A full block is compressed only once more input comes: the last one is flagged. */
        if (h->block_len == 64) {
            uint32_t flags = h->blocks_done == 0 ? CHUNK_START : 0;
            words(m, h->block);
            if (h->blocks_done == BLOCKS_PER_CHUNK - 1) {
                compress(h->cv, m, h->chunk, 64, flags | CHUNK_END, out);
                push_chunk(h, out);
                h->chunk++;
                memcpy(h->cv, IV, sizeof IV);
                h->blocks_done = 0;
            } else {
                compress(h->cv, m, h->chunk, 64, flags, out);
                memcpy(h->cv, out, 32);
                h->blocks_done++;
            }
            h->block_len = 0;
        }
        size_t take = 64 - h->block_len < len ? 64 - h->block_len : len;
        memcpy(h->block + h->block_len, p, take);
        h->block_len += take;
        p += take;
        len -= take;
    }
}

void blake3_final(const struct blake3 *h, uint8_t digest[32])
{
    uint8_t last[64] = { 0 };
    uint32_t m[16], out[16];
    memcpy(last, h->block, h->block_len);
    words(m, last);
    const uint32_t *cv = h->cv;
    uint64_t counter = h->chunk;
    uint32_t len = (uint32_t)h->block_len, flags = (h->blocks_done == 0 ? CHUNK_START : 0) | CHUNK_END;
    /* Up the right edge of the tree: each pending subtree is the left child of the node above. */
    for (size_t i = h->depth; i > 0; i--) {
        compress(cv, m, counter, len, flags, out);
        memcpy(m, h->stack[i - 1], 32);
        memcpy(m + 8, out, 32);
        cv = IV;
        counter = 0;
        len = 64;
        flags = PARENT;
    }
    compress(cv, m, counter, len, flags | ROOT, out);
    for (int i = 0; i < 8; i++)
        for (int k = 0; k < 4; k++)
            digest[4 * i + k] = (uint8_t)(out[i] >> 8 * k);
}
