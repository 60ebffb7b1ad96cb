/* SPDX-License-Identifier: MIT */
/* Random garbage tables and random (including inconsistent)
 * stage configurations, stage 1 / stage 2 / nested, with a racing agent
 * flipping descriptor bits before some compare-and-swaps. Checks only the
 * invariants that hold for any input: termination, the read bounds, a
 * defined result (success or one of the walk faults with consistent
 * fields). */
#include "walk_common.h"

static uint64_t rng = 0x2545f4914f6cdd1du;
static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

#define AREA_PAGES 8

static void racer(struct kit_mem *m, uint64_t pa, void *arg)
{
    (void)arg;
    if ((rnd() & 3) == 0)
        kit_w64(m, pa, kit_r64(m, pa) ^ (UINT64_C(1) << (rnd() % 64)));
}

static void fuzz(void)
{
    static const unsigned gs[3] = { 12, 14, 16 };
    struct wt w;
    wt_open(&w);
    w.m->cas_hook = racer;
    uint64_t gmax = UINT64_C(1) << 16;
    uint64_t base = kit_mem_alloc(w.m, AREA_PAGES * gmax, gmax);
    unsigned ok = 0, deep = 0, nested_deep = 0;
    for (unsigned it = 0; it < 400000; it++) {
        if (it % 5000 == 0) {
            for (uint64_t a = base; a < base + AREA_PAGES * gmax; a += 8) {
                uint64_t v = rnd();
                if (v & 0x70)
                    v = (v & ~(PTE_ADDR | PTE_ADDR_HI)) | (base + (rnd() % (AREA_PAGES * 16)) * 4096) | 3;
                kit_w64(w.m, a, v);
            }
        }
        bool wild = (rnd() & 7) == 0;      /* mostly consistent configurations */
        struct vsmmu_s1_cfg c;
        memset(&c, 0, sizeof(c));
        for (int h = 0; h < 2; h++) {
            c.tt[h].ttb = base + (rnd() % (AREA_PAGES * 16)) * 4096 + (rnd() & 0xff8);
            c.tt[h].granule = (uint8_t)(wild ? rnd() % 20 : gs[rnd() % 3]);
            c.tt[h].tsz = (uint8_t)(wild ? rnd() % 64 : 16 + rnd() % 24);
            c.tt[h].epd = (rnd() & 15) == 0;
            c.tt[h].tbi = rnd() & 1;
            c.tt[h].had = rnd() & 1;
            c.tt[h].e0pd = (rnd() & 15) == 0;
        }
        c.ips_bits = (uint8_t)(wild ? rnd() % 64 : 48);
        c.mair = rnd();
        c.ha = rnd() & 1;
        c.hd = rnd() & 1;
        c.affd = rnd() & 1;
        c.pan = rnd() & 1;
        c.wxn = rnd() & 1;
        c.endi = (rnd() & 15) == 0;
        c.el2 = (rnd() & 3) == 0;
        c.el2_e2h = rnd() & 1;
        /* stage 2: consistent geometries (translation.md §5.2) */
        static const struct { uint8_t g, sl0, t0sz; } s2g[] = {
            { 12, 2, 16 }, { 12, 1, 25 }, { 12, 1, 22 }, { 12, 0, 34 }, { 14, 2, 17 },
            { 14, 2, 16 }, { 14, 1, 28 }, { 16, 2, 16 }, { 16, 1, 22 }, { 16, 0, 35 },
        };
        unsigned k = (unsigned)(rnd() % (sizeof(s2g) / sizeof(s2g[0])));
        struct vsmmu_s2_cfg s2;
        memset(&s2, 0, sizeof(s2));
        s2.ttb = base + (rnd() % (AREA_PAGES * 16)) * 4096;
        s2.granule = wild ? gs[rnd() % 3] : s2g[k].g;
        s2.sl0 = (uint8_t)(wild ? rnd() % 4 : s2g[k].sl0);
        s2.t0sz = (uint8_t)(wild ? rnd() % 64 : s2g[k].t0sz);
        s2.ps_bits = (uint8_t)(wild ? rnd() % 64 : 48);
        s2.ha = rnd() & 1;
        s2.hd = rnd() & 1;
        s2.affd = rnd() & 1;
        s2.ptw = (rnd() & 3) == 0;
        s2.fwb = rnd() & 1;
        s2.endi = (rnd() & 15) == 0;
        unsigned mode = (unsigned)(rnd() % 3);   /* 0 S1, 1 S2, 2 nested */
        struct vsmmu_walk_req r;
        memset(&r, 0, sizeof(r));
        r.s1 = mode != 1 ? &c : NULL;
        r.s2 = mode != 0 ? &s2 : NULL;
        r.addr = rnd();
        if (!wild) {
            unsigned ias = mode == 1 ? 64u - s2.t0sz : 64u - c.tt[0].tsz;
            r.addr &= bits_mask_low(ias);
            if (mode != 1 && (rnd() & 1))
                r.addr |= ~bits_mask_low(ias);      /* upper range */
        }
        r.access = (uint32_t)(rnd() & 0x1f);
        r.no_httu = (rnd() & 15) == 0;
        struct vsmmu_walk_out o;
        struct vsmmu_fault f;
        int rc = vsmmu_walk(w.s, &r, &o, &f);
        unsigned bound = mode == 2 ? 4 * 5 + 4 + 9 * 4 : 4;
        deep += o.desc_reads >= 3;
        nested_deep += mode == 2 && o.desc_reads >= 10;
        CHECK_MSG(o.desc_reads <= bound, "it=%u mode=%u: %u reads", it, mode, o.desc_reads);
        if (rc == 0) {
            ok++;
            CHECK(o.size_log2 >= 12 && o.size_log2 <= 42);
            CHECK((o.perm & ~0x3fu) == 0);
        } else {
            CHECK(f.type == EVT_F_TRANSLATION || f.type == EVT_F_ADDR_SIZE ||
                  f.type == EVT_F_ACCESS || f.type == EVT_F_PERMISSION ||
                  f.type == EVT_F_WALK_EABT);
            CHECK(f.cls <= EVT_CLASS_IN);
            CHECK(!f.s2 || mode != 0);
            CHECK(f.s2 || mode != 1);
        }
    }
    CHECK(ok > 0);
    if (getenv("VSMMU_TEST_VERBOSE"))
        fprintf(stderr, "ok %u, >=3 reads %u, nested >=10 reads %u\n", ok, deep, nested_deep);
    CHECK(deep > 1000 && nested_deep > 100);
    wt_close(&w);
}

int main(void)
{
    RUN(fuzz);
    return t_done();
}
