#ifndef REPRISE_BLAKE3_H
#define REPRISE_BLAKE3_H
#include <stddef.h>
#include <stdint.h>

/* BLAKE3 in its plain hash mode, 32-byte digests: what the daemon digests file contents with. */
struct blake3 {
    uint32_t cv[8];         /* the current chunk's chaining value */
    uint64_t chunk;         /* its index */
    uint8_t block[64];
    size_t block_len;       /* bytes in `block` */
    unsigned blocks_done;   /* blocks of this chunk compressed */
    uint32_t stack[54][8];  /* chaining values of complete subtrees (2^54 chunks is past any file) */
    size_t depth;
};

void blake3_init(struct blake3 *h);
void blake3_update(struct blake3 *h, const void *data, size_t len);
void blake3_final(const struct blake3 *h, uint8_t out[32]);

#endif
