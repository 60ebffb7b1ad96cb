/* SPDX-License-Identifier: MIT */
/* kit/ptb: translation table builder for tests, from Arm ARM D8.2/D8.3. */
#include <string.h>

#include "ptb.h"

#define D_VALID   UINT64_C(1)
#define D_TABLE   UINT64_C(2)      /* L0-2: table; L3: page */
#define D_ADDR    UINT64_C(0x0000fffffffff000)   /* bits [47:12] */

static uint64_t lowmask(unsigned n) { return n >= 64 ? ~UINT64_C(0) : (UINT64_C(1) << n) - 1; }

static unsigned lsb_of(const struct kit_ptb *p, int level)
{
    return p->g + (unsigned)(3 - level) * (p->g - 3);
}

uint64_t kit_ptb_level_size(const struct kit_ptb *p, int level)
{
    return UINT64_C(1) << lsb_of(p, level);
}

uint64_t kit_ptb_get(const struct kit_ptb *p, uint64_t pa)
{
    uint64_t v = kit_r64(p->m, pa);
    return p->be ? __builtin_bswap64(v) : v;
}

void kit_ptb_set(struct kit_ptb *p, uint64_t pa, uint64_t desc)
{
    kit_w64(p->m, pa, p->be ? __builtin_bswap64(desc) : desc);
}

static void alloc_root(struct kit_ptb *p)
{
    /* start-level index bits: ias - lsb(sl), including concatenation */
    unsigned bits = p->ias - lsb_of(p, p->sl);
    p->root_size = UINT64_C(8) << bits;
    uint64_t align = p->root_size < 64 ? 64 : p->root_size;
    p->root = kit_mem_alloc(p->m, p->root_size, align);
}

static void common(struct kit_ptb *p, struct kit_mem *m, int stage, unsigned g, unsigned ias)
{
    memset(p, 0, sizeof(*p));
    p->m = m;
    p->stage = stage;
    p->g = g;
    p->ias = ias;
    p->concat = 1;
}

int kit_ptb_init_s1(struct kit_ptb *p, struct kit_mem *m, unsigned g, unsigned tsz)
{
    if ((g != 12 && g != 14 && g != 16) || tsz > 48 || tsz < 12)
        return -1;
    common(p, m, 1, g, 64 - tsz);
    /* the start level is the highest level whose entries still cover
     * fewer than ias bits: levels resolve s = g-3 bits above the page offset */
    unsigned s = g - 3;
    int sl = 3;
    while (sl > 0 && p->ias > g + (unsigned)(4 - sl) * s)
        sl--;
    if (p->ias > g + (unsigned)(4 - sl) * s)
        return -1;
    p->sl = sl;
    alloc_root(p);
    return 0;
}

int kit_ptb_init_s2(struct kit_ptb *p, struct kit_mem *m, unsigned g, unsigned sl0, unsigned t0sz)
{
    int sl;
    if (g == 12)
        sl = sl0 == 0 ? 2 : sl0 == 1 ? 1 : sl0 == 2 ? 0 : 3;
    else if ((g == 14 || g == 16) && sl0 <= 2)
        sl = 3 - (int)sl0;
    else
        return -1;
    if (t0sz > 63)
        return -1;
    common(p, m, 2, g, 64 - t0sz);
    p->sl = sl;
    unsigned full = g + (unsigned)(4 - sl) * (g - 3);   /* one start table */
    unsigned below = lsb_of(p, sl);                     /* bits under the start level */
    if (p->ias <= below || p->ias > full + 4)
        return -1;
    p->concat = p->ias > full ? 1u << (p->ias - full) : 1u;
    alloc_root(p);
    return 0;
}

uint64_t kit_ptb_ttb(const struct kit_ptb *p) { return p->root + p->delta; }

static uint64_t enc_addr(const struct kit_ptb *p, uint64_t a)
{
    uint64_t d = a & D_ADDR;
    if (p->g == 16 && p->oa52)
        d = (a & UINT64_C(0x0000ffffffff0000)) | (((a >> 48) & 0xf) << 12);
    return d;
}

static uint64_t dec_addr(const struct kit_ptb *p, uint64_t d)
{
    if (p->g == 16 && p->oa52)
        return (d & UINT64_C(0x0000ffffffff0000)) | (((d >> 12) & 0xf) << 48);
    return d & D_ADDR & ~lowmask(p->g);
}

static bool block_ok(const struct kit_ptb *p, int level)
{
    if (level == 3)
        return true;
    if (p->g == 12)
        return level == 1 || level == 2;
    if (p->g == 14)
        return level == 2;
    return level == 2 || (level == 1 && p->oa52);
}

static uint64_t index_of(const struct kit_ptb *p, uint64_t in, int level)
{
    unsigned lsb = lsb_of(p, level);
    unsigned n = level == p->sl ? p->ias - lsb : p->g - 3;
    return (in >> lsb) & lowmask(n);
}

/* PA of the table at `level` for `in`, creating tables on the way. */
static uint64_t table_for(struct kit_ptb *p, uint64_t in, int level)
{
    uint64_t t = p->root;
    for (int l = p->sl; l < level; l++) {
        uint64_t dpa = t + 8 * index_of(p, in, l);
        uint64_t d = kit_ptb_get(p, dpa);
        if ((d & 3) != 3) {
            uint64_t gsz = UINT64_C(1) << p->g;
            uint64_t nt = kit_mem_alloc(p->m, gsz, gsz);
            kit_ptb_set(p, dpa, enc_addr(p, nt + p->delta) | D_VALID | D_TABLE);
            t = nt;
        } else {
            t = dec_addr(p, d) - p->delta;
        }
    }
    return t;
}

int kit_ptb_map(struct kit_ptb *p, uint64_t in, uint64_t out, uint64_t size, int level,
                uint64_t attrs)
{
    uint64_t pg = UINT64_C(1) << p->g;
    if ((in | out | size) & (pg - 1))
        return -1;
    if (in + size < in || (p->ias < 64 && (in + size - 1) >> p->ias))
        return -1;
    if (level >= 0 && (level < p->sl || level > 3 || !block_ok(p, level)))
        return -1;
    while (size) {
        int l = level;
        if (l < 0) {
            for (l = p->sl; l < 3; l++) {
                uint64_t bs = kit_ptb_level_size(p, l);
                if (block_ok(p, l) && !((in | out) & (bs - 1)) && size >= bs)
                    break;
            }
        }
        uint64_t bs = kit_ptb_level_size(p, l);
        if ((in | out) & (bs - 1) || size < bs)
            return -1;
        uint64_t t = table_for(p, in, l);
        uint64_t d = enc_addr(p, out) | attrs | D_VALID | (l == 3 ? D_TABLE : 0);
        kit_ptb_set(p, t + 8 * index_of(p, in, l), d);
        in += bs;
        out += bs;
        size -= bs;
    }
    return 0;
}

/* Walk the built tables for `in` down to `level`; 0 when not reachable. */
uint64_t kit_ptb_desc_pa(const struct kit_ptb *p, uint64_t in, int level)
{
    if (level < p->sl || level > 3)
        return 0;
    uint64_t t = p->root;
    for (int l = p->sl; ; l++) {
        uint64_t dpa = t + 8 * index_of(p, in, l);
        if (l == level)
            return dpa;
        uint64_t d = kit_ptb_get(p, dpa);
        if ((d & 3) != 3)
            return 0;
        t = dec_addr(p, d) - p->delta;
    }
}

void kit_ptb_unmap(struct kit_ptb *p, uint64_t in, uint64_t size)
{
    uint64_t end = in + size;
    while (in < end) {
        uint64_t step = UINT64_C(1) << p->g;
        for (int l = p->sl; l <= 3; l++) {
            uint64_t dpa = kit_ptb_desc_pa(p, in, l);
            if (!dpa)
                break;
            uint64_t d = kit_ptb_get(p, dpa);
            if (!(d & D_VALID)) {
                step = kit_ptb_level_size(p, l);   /* nothing mapped below */
                break;
            }
            if (l == 3 || !(d & D_TABLE)) {
                kit_ptb_set(p, dpa, 0);
                step = kit_ptb_level_size(p, l);
                break;
            }
        }
        uint64_t next = (in & ~(step - 1)) + step;
        if (next <= in)
            break;
        in = next;
    }
}

int kit_ptb_table_bits(struct kit_ptb *p, uint64_t in, int level, uint64_t bits)
{
    uint64_t dpa = kit_ptb_desc_pa(p, in, level);
    if (!dpa)
        return -1;
    uint64_t d = kit_ptb_get(p, dpa);
    if ((d & 3) != 3 || level == 3)
        return -1;
    kit_ptb_set(p, dpa, d | bits);
    return 0;
}
