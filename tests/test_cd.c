/* SPDX-License-Identifier: MIT */
/* Context descriptors: the ILLEGAL rules of IHI0070 5.4 (CdIllegal()), one
 * row per rule; SubstreamID handling (S1CDMax, S1DSS, 5.2) through the
 * whole pipeline; linear and 2-level CD tables (S1Fmt, 5.3 L1CD); fetch
 * aborts; exact C_BAD_SUBSTREAMID / F_STREAM_DISABLED / F_CD_FETCH /
 * C_BAD_CD records (7.3.7, 7.3.9-7.3.11). */
#include "cfg_common.h"

/* ---- ILLEGAL rules ----------------------------------------------------------- */

enum { M_TERMMODEL = 1, M_TERMONLY = 2, M_FORCED = 4, M_NOHTTU = 8, M_HTTU_AF = 16,
       M_NOASID16 = 32, M_NOGRAN16K = 64, M_VAX52 = 128, M_V30 = 256 };

static void apply_mods(struct vsmmu_config *c, unsigned m)
{
    if (m & M_TERMMODEL) c->term_model = true;
    if (m & M_TERMONLY) { c->stall_model = VSMMU_TERM_ONLY; c->stall_max = 0; }
    if (m & M_FORCED) { c->stall_model = VSMMU_STALL_FORCED; c->ats = c->pri = false; }
    if (m & M_NOHTTU) c->httu = VSMMU_HTTU_NONE;
    if (m & M_HTTU_AF) c->httu = VSMMU_HTTU_AF;
    if (m & M_NOASID16) c->asid16 = false;
    if (m & M_NOGRAN16K) c->gran16k = false;
    if (m & M_VAX52) { c->vax52 = true; }
    if (m & M_V30) {
        vsmmu_config_profile(c, "minimal-v3.0");
        c->oas_bits = 48;
    }
}

struct cd_row {
    const char *name;
    unsigned mods;
    bool stalld;              /* STE.S1STALLD */
    unsigned strw;            /* STE.STRW */
    bool e2h;                 /* CR2.E2H */
    void (*edit)(struct kit_cd *f);
    uint8_t want;             /* enum vsmmu_cd_illegal (0: legal) */
};

static void c_v0(struct kit_cd *f) { f->v = false; }
static void c_s1(struct kit_cd *f) { f->s = true; }
static void c_a0(struct kit_cd *f) { f->a = false; }
static void c_s0(struct kit_cd *f) { f->s = false; }
static void c_endi(struct kit_cd *f) { f->endi = true; }
static void c_endi_both_off(struct kit_cd *f) { f->endi = true; f->epd0 = f->epd1 = true; }
static void c_aa32(struct kit_cd *f) { f->aa64 = false; }
static void c_ha(struct kit_cd *f) { f->ha = true; }
static void c_hd(struct kit_cd *f) { f->ha = f->hd = true; }
static void c_asid(struct kit_cd *f) { f->asid = 0x100; }
static void c_t0sz15(struct kit_cd *f) { f->t0sz = 15; }
static void c_t0sz40(struct kit_cd *f) { f->t0sz = 40; }
static void c_64k_t0sz12(struct kit_cd *f) { f->tg0 = KIT_TG0_64K; f->t0sz = 12; }
static void c_t1sz40(struct kit_cd *f) { f->epd1 = false; f->t1sz = 40; f->ttb1 = 0x400000; }
static void c_tg0_rsvd(struct kit_cd *f) { f->tg0 = 3; }
static void c_tg0_16k(struct kit_cd *f) { f->tg0 = KIT_TG0_16K; f->t0sz = 17; }
static void c_ttb0_48(struct kit_cd *f) { f->ttb0 = 1ull << 48; }
static void c_ttb0_ips40(struct kit_cd *f) { f->ips = KIT_PS_40; f->ttb0 = 1ull << 40; }
static void c_tg1_rsvd(struct kit_cd *f) { f->epd1 = false; f->tg1 = 0; f->ttb1 = 0x400000; }
static void c_ttb1_48(struct kit_cd *f) { f->epd1 = false; f->ttb1 = 1ull << 48; }
static void c_epd0_garbage(struct kit_cd *f)
{
    f->epd0 = true; f->t0sz = 63; f->tg0 = 3; f->ttb0 = ~0ull;
    f->epd1 = false; f->ttb1 = 0x400000;
}
static void c_ips_rsvd(struct kit_cd *f) { f->ips = 7; f->ttb0 = 1ull << 47; }
static void c_el2_garbage_t1(struct kit_cd *f) { f->epd1 = false; f->t1sz = 63; f->tg1 = 0; f->asid = 0xFF00; }

/* Base: AArch64 CD, TTB0 4K T0SZ 16 at 0x300000, TTB1 disabled, IPS 48,
 * A = R = 1, S = 0, ASID 1, under a stage-1 STE. Default configuration
 * full-v3.2 (stall+terminate, TERM_MODEL 0, HTTU AF+dirty, ASID16, all
 * granules, VAX 48-bit, TTENDIAN LE, OAS 48). */
static const struct cd_row cd_rows[] = {
    { "V=0", 0, false, 0, false, c_v0, CD_ILL_V },
    { "S=1 under STE.S1STALLD", 0, true, 0, false, c_s1, CD_ILL_S1STALLD },
    { "A=0 with TERM_MODEL=1", M_TERMMODEL, false, 0, false, c_a0, CD_ILL_TERM_MODEL },
    { "S=1 with terminate-only", M_TERMONLY, false, 0, false, c_s1, CD_ILL_STALL_MODEL },
    { "S=0 with stall-forced", M_FORCED, false, 0, false, c_s0, CD_ILL_STALL_MODEL },
    { "ENDI=1 with TTENDIAN LE", 0, false, 0, false, c_endi, CD_ILL_ENDI },
    { "ENDI=1, both halves disabled: ignored", 0, false, 0, false, c_endi_both_off, CD_OK },
    { "AA64=0 (TTF AArch64 only)", 0, false, 0, false, c_aa32, CD_ILL_AA64 },
    { "HA=1 without HTTU", M_NOHTTU, false, 0, false, c_ha, CD_ILL_HTTU },
    { "HD=1 with HTTU=AF only", M_HTTU_AF, false, 0, false, c_hd, CD_ILL_HTTU },
    { "ASID[15:8] without ASID16", M_NOASID16, false, 0, false, c_asid, CD_ILL_ASID },
    { "T0SZ 15 < 16 (4K)", 0, false, 0, false, c_t0sz15, CD_ILL_T0SZ },
    { "T0SZ 40 > 39 (no STT)", 0, false, 0, false, c_t0sz40, CD_ILL_T0SZ },
    { "T0SZ 12, 64K, VAX 48-bit", 0, false, 0, false, c_64k_t0sz12, CD_ILL_T0SZ },
    { "T0SZ 12, 64K, VAX 52-bit: legal", M_VAX52, false, 0, false, c_64k_t0sz12, CD_OK },
    { "T1SZ 40 with TTB1 enabled", 0, false, 0, false, c_t1sz40, CD_ILL_T1SZ },
    { "TG0=11 reserved", 0, false, 0, false, c_tg0_rsvd, CD_ILL_TG0 },
    { "TG0=16K not supported", M_NOGRAN16K, false, 0, false, c_tg0_16k, CD_ILL_TG0 },
    { "TTB0 >= 2^48", 0, false, 0, false, c_ttb0_48, CD_ILL_TTB0 },
    { "TTB0 >= 2^eff_IPS (40)", 0, false, 0, false, c_ttb0_ips40, CD_ILL_TTB0 },
    { "TG1=00 reserved", 0, false, 0, false, c_tg1_rsvd, CD_ILL_TG1 },
    { "TTB1 >= 2^48", 0, false, 0, false, c_ttb1_48, CD_ILL_TTB1 },
    { "EPD0=1: TTB0 fields not checked", 0, false, 0, false, c_epd0_garbage, CD_OK },
    { "IPS=111 reserved: behaves as 52 (not ILLEGAL)", 0, false, 0, false, c_ips_rsvd, CD_OK },
    { "IPS=111 in v3.0: behaves as 48", M_V30, false, 0, false, c_ips_rsvd, CD_OK },
    { "EL2: TTB1 and ASID ignored", 0, false, 2, false, c_el2_garbage_t1, CD_OK },
    { "EL2-E2H: TTB1 checked", 0, false, 2, true, c_el2_garbage_t1, CD_ILL_T1SZ },
};

static void illegal_rules(void)
{
    for (size_t i = 0; i < sizeof(cd_rows) / sizeof(cd_rows[0]); i++) {
        const struct cd_row *r = &cd_rows[i];
        struct vsmmu_config c;
        env_default_cfg(&c);
        apply_mods(&c, r->mods);
        struct env e;
        env_open_cfg(&e, &c);
        if (r->e2h)
            w32(&e, R_CR2, 1);
        struct kit_ste sf;
        kit_ste_s1(&sf, 0x100000);
        sf.s1stalld = r->stalld;
        sf.strw = r->strw;
        uint64_t raw[8];
        struct vsmmu_ste ste;
        kit_ste_encode(&sf, raw);
        REQUIRE(vsmmu_ste_decode(e.s, raw, &ste) == 0);
        struct kit_cd f;
        kit_cd_s1(&f, 0x300000, 48, 1);
        if (r->mods & M_FORCED)
            f.s = true;
        struct vsmmu_cd cd;
        kit_cd_encode(&f, raw);
        CHECK_MSG(vsmmu_cd_decode(e.s, &ste, raw, &cd) == 0, "%s: base CD rejected (%u)",
                  r->name, cd.illegal);
        r->edit(&f);
        kit_cd_encode(&f, raw);
        int rc = vsmmu_cd_decode(e.s, &ste, raw, &cd);
        CHECK_MSG(rc == (r->want ? -1 : 0) && cd.illegal == r->want,
                  "%s: rc %d illegal %u, want %u", r->name, rc, cd.illegal, r->want);
        env_close(&e);
    }
}

/* Decoded values: T0SZ 16 4K -> start level 0, table 4 KB (TTB0 bits
 * [11:0] ignored); IPS 111 -> 52 capped to OAS 48; HA/HD, A/R/S, ASID, MAIR;
 * {HD,HA} = 10 reserved -> both off (5.4 HD). */
static void decoded_fields(void)
{
    struct env e;
    env_open(&e);
    struct kit_ste sf;
    kit_ste_s1(&sf, 0x100000);
    uint64_t raw[8];
    struct vsmmu_ste ste;
    kit_ste_encode(&sf, raw);
    REQUIRE(vsmmu_ste_decode(e.s, raw, &ste) == 0);
    struct kit_cd f;
    kit_cd_s1(&f, 0x300ABC, 48, 0xBEEF);
    f.ips = 7;
    f.ha = f.hd = true;
    f.s = true;
    f.r = false;
    f.tbi0 = true;
    f.had0 = true;
    f.wxn = f.pan = f.affd = true;
    struct vsmmu_cd cd;
    kit_cd_encode(&f, raw);
    REQUIRE(vsmmu_cd_decode(e.s, &ste, raw, &cd) == 0);
    CHECK_EQ(cd.s1.tt[0].ttb, 0x300000);
    CHECK_EQ(cd.s1.tt[0].start_level, 0);
    CHECK_EQ(cd.s1.tt[0].granule, 12);
    CHECK_EQ(cd.s1.tt[0].tsz, 16);
    CHECK(cd.s1.tt[0].tbi && cd.s1.tt[0].had && !cd.s1.tt[0].epd);
    CHECK(cd.s1.tt[1].epd);
    CHECK_EQ(cd.s1.ips_bits, 48);
    CHECK_EQ(cd.s1.asid, 0xBEEF);
    CHECK_EQ(cd.s1.mair, KIT_MAIR);
    CHECK(cd.s1.ha && cd.s1.hd && cd.s1.s && !cd.s1.r && cd.s1.a);
    CHECK(cd.s1.wxn && cd.s1.pan && cd.s1.affd);
    CHECK(!cd.s1.el2);
    f.ha = false;
    kit_cd_encode(&f, raw);
    REQUIRE(vsmmu_cd_decode(e.s, &ste, raw, &cd) == 0);
    CHECK(!cd.s1.ha && !cd.s1.hd);
    /* 64K granule, T0SZ 22 (42-bit VA): start level 2, 8192 entries x 8 B =
     * 64 KB start table: TTB0 bits [15:0] ignored (Arm ARM D8-37) */
    f.tg0 = KIT_TG0_64K;
    f.t0sz = 22;
    f.ttb0 = 0x30F000;
    kit_cd_encode(&f, raw);
    REQUIRE(vsmmu_cd_decode(e.s, &ste, raw, &cd) == 0);
    CHECK_EQ(cd.s1.tt[0].start_level, 2);
    CHECK_EQ(cd.s1.tt[0].ttb, 0x300000);
    /* 16K granule via TG1 = 01, T1SZ 28 (36-bit VA): level 2, 2^11 entries:
     * 16 KB table */
    f.epd1 = false;
    f.tg1 = KIT_TG1_16K;
    f.t1sz = 28;
    f.ttb1 = 0x407000;
    kit_cd_encode(&f, raw);
    REQUIRE(vsmmu_cd_decode(e.s, &ste, raw, &cd) == 0);
    CHECK_EQ(cd.s1.tt[1].granule, 14);
    CHECK_EQ(cd.s1.tt[1].start_level, 2);
    CHECK_EQ(cd.s1.tt[1].ttb, 0x404000);
    CHECK(!cd.s1.tt[1].epd);
    env_close(&e);
}

/* ---- SubstreamIDs through the pipeline ------------------------------------------- */

/* A linear stream table of 16 STEs; a linear CD table of 8 CDs (S1CDMax 3)
 * where CD 0 (ASID 1) maps VA 0x1000 -> 0xA000, CD 5 (ASID 2) maps VA
 * 0x1000 -> 0xB000, the others are invalid. The pages are non-global
 * (nG = 1): a global entry would be shared by both ASIDs. */
struct ssid_env {
    struct env e;
    uint64_t st, cdt;
    struct kit_ptb pa, pb;
};

static void ssid_open(struct ssid_env *x, const struct vsmmu_config *c)
{
    memset(x, 0, sizeof(*x));
    env_open_cfg(&x->e, c);
    x->st = env_linear(&x->e, 4, CR2_RECINV);
    x->cdt = kit_mem_alloc(x->e.m, 64 * 8, 64 * 8);
    struct kit_cd f;
    kit_cd_s1(&f, s1_map_page(&x->e, &x->pa, 0x1000, 0xA000, S1_RW_ALL | PTE_NG), 48, 1);
    put_cd(&x->e, x->cdt, &f);
    kit_cd_s1(&f, s1_map_page(&x->e, &x->pb, 0x1000, 0xB000, S1_RW_ALL | PTE_NG), 48, 2);
    put_cd(&x->e, x->cdt + 5 * 64, &f);
}

static void put_s1_ste(struct ssid_env *x, uint32_t sid, unsigned cdmax, unsigned dss)
{
    struct kit_ste f;
    kit_ste_s1(&f, x->cdt);
    f.s1cdmax = cdmax;
    f.s1dss = dss;
    put_ste(&x->e, x->st + 64 * sid, &f);
}

static void ssid_matrix(void)
{
    struct ssid_env x;
    struct vsmmu_config c;
    env_default_cfg(&c);
    ssid_open(&x, &c);
    struct env *e = &x.e;
    for (unsigned dss = 0; dss < 4; dss++)
        put_s1_ste(&x, dss, 3, dss);          /* sid = S1DSS value */
    struct vsmmu_result r;

    /* S1DSS = 00 (and reserved 11): no SSID -> F_STREAM_DISABLED, a record
     * with the StreamID only (7.3.7) */
    for (unsigned sid = 0; sid < 4; sid += 3) {
        r = tx(e, sid, 0x1000, 0);
        CHECK_EQ(r.outcome, VSMMU_XLATE_ABORT);
        CHECK_REC(r.event, EV_DW0(0x06, sid), 0, 0, 0);
    }
    /* S1DSS = 01: no SSID -> stage 1 bypassed (no stage 2: address out) */
    r = tx(e, 1, 0x1000, 0);
    CHECK_EQ(r.outcome, VSMMU_XLATE_OK);
    CHECK_EQ(r.out_addr, 0x1000);
    CHECK(r.bypass);
    /* S1DSS = 10: no SSID -> CD 0 */
    r = tx(e, 2, 0x1234, 0);
    CHECK_EQ(r.outcome, VSMMU_XLATE_OK);
    CHECK_EQ(r.out_addr, 0xA234);
    /* ... and SSID 0 is then F_STREAM_DISABLED (StreamID only, no SSV) */
    r = txs(e, 2, 0, 0x1000, 0);
    CHECK_EQ(r.outcome, VSMMU_XLATE_ABORT);
    CHECK_REC(r.event, EV_DW0(0x06, 2), 0, 0, 0);
    /* SSID 0 under S1DSS 00/01/11 uses CD 0; SSID 5 uses CD 5 everywhere */
    for (unsigned sid = 0; sid < 4; sid++) {
        if (sid != 2) {
            r = txs(e, sid, 0, 0x1000, 0);
            CHECK_EQ(r.outcome, VSMMU_XLATE_OK);
            CHECK_EQ(r.out_addr, 0xA000);
        }
        r = txs(e, sid, 5, 0x1FF8, 0);
        CHECK_EQ(r.outcome, VSMMU_XLATE_OK);
        CHECK_EQ(r.out_addr, 0xBFF8);
        /* SSID 8 >= 2^S1CDMax: C_BAD_SUBSTREAMID, SubstreamID without SSV
         * (7.3.9): DW0 = 0x08 | 8 << 12 | sid << 32 */
        r = txs(e, sid, 8, 0x1000, 0);
        CHECK_EQ(r.outcome, VSMMU_XLATE_ABORT);
        CHECK_REC(r.event, 0x08 | 8ull << 12 | (uint64_t)sid << 32, 0, 0, 0);
        /* SSID 1: CD V = 0 -> C_BAD_CD with SSV and SubstreamID */
        r = txs(e, sid, 1, 0x1000, 0);
        CHECK_REC(r.event, EV_DW0_SSID(0x0A, sid, 1), 0, 0, 0);
    }
    /* S1CDMax = 0: one CD; any SSID -> C_BAD_SUBSTREAMID */
    put_s1_ste(&x, 4, 0, 0);
    r = tx(e, 4, 0x1000, 0);
    CHECK_EQ(r.out_addr, 0xA000);
    r = txs(e, 4, 0, 0x1000, 0);
    CHECK_REC(r.event, 0x08 | 4ull << 32, 0, 0, 0);
    /* Config = 110 and 100 with an SSID: C_BAD_SUBSTREAMID (7.3.9) */
    struct kit_ste f;
    kit_ste_s2(&f, 0x200000, 40, 1);
    put_ste(e, x.st + 64 * 5, &f);
    memset(&f, 0, sizeof(f));
    f.v = true;
    f.config = KIT_CFG_BYPASS;
    put_ste(e, x.st + 64 * 6, &f);
    r = txs(e, 5, 0x77, 0x1000, 0);
    CHECK_REC(r.event, 0x08 | 0x77ull << 12 | 5ull << 32, 0, 0, 0);
    r = txs(e, 6, 0xFFFFF, 0x1000, 0);
    CHECK_REC(r.event, 0x08 | 0xFFFFFull << 12 | 6ull << 32, 0, 0, 0);
    /* every record above reached the queue: 2 (S1DSS 00/11) + 1 (SSID 0
     * under 10) + 4 x 2 + 1 (S1CDMax 0) + 2 (Config 110/100) = 14 */
    CHECK_EQ(env_events_pending(e), 14);
    env_close(e);

    /* SSIDSIZE = 0: S1CDMax ignored, any SSID -> C_BAD_SUBSTREAMID */
    env_default_cfg(&c);
    c.ssidsize = 0;
    ssid_open(&x, &c);
    put_s1_ste(&x, 0, 3, 0);
    r = tx(&x.e, 0, 0x1000, 0);
    CHECK_EQ(r.out_addr, 0xA000);
    r = txs(&x.e, 0, 5, 0x1000, 0);
    CHECK_REC(r.event, 0x08 | 5ull << 12, 0, 0, 0);
    env_close(&x.e);
}

/* 2-level CD table, S1Fmt = 01 (4 KB leaves of 64 CDs), S1CDMax = 20: the
 * L1 table has 2^14 L1CDs (128 KB). SSID 0xFFFFF -> L1CD 0x3FFF, leaf entry
 * 63. SSID 0x40 -> L1CD 1, entry 0. */
static void two_level_4k(void)
{
    struct env e;
    env_open(&e);
    uint64_t st = env_linear(&e, 4, CR2_RECINV);
    uint64_t l1 = kit_mem_alloc(e.m, 8 << 14, 8 << 14);
    uint64_t leafa = kit_mem_alloc(e.m, 4096, 4096), leafb = kit_mem_alloc(e.m, 4096, 4096);
    struct kit_ptb p = { 0 };
    struct kit_cd cf;
    kit_cd_s1(&cf, s1_map_page(&e, &p, 0x1000, 0xC000, S1_RW_ALL), 48, 3);
    put_cd(&e, leafa + 63 * 64, &cf);
    put_cd(&e, leafb, &cf);
    kit_w64(e.m, l1 + 8 * 0x3FFF, kit_l1cd(true, leafa));
    kit_w64(e.m, l1 + 8, kit_l1cd(true, leafb));
    struct kit_ste f;
    kit_ste_s1(&f, l1);
    f.s1fmt = 1;
    f.s1cdmax = 20;
    f.s1dss = 2;
    put_ste(&e, st + 64, &f);
    struct vsmmu_result r = txs(&e, 1, 0xFFFFF, 0x1000, 0);
    CHECK_EQ(r.outcome, VSMMU_XLATE_OK);
    CHECK_EQ(r.out_addr, 0xC000);
    r = txs(&e, 1, 0x40, 0x1000, 0);
    CHECK_EQ(r.out_addr, 0xC000);
    /* L1CD 2 (SSID 0x80..0xBF) invalid: C_BAD_SUBSTREAMID with the SSID */
    r = txs(&e, 1, 0x85, 0x1000, 0);
    CHECK_REC(r.event, 0x08 | 0x85ull << 12 | 1ull << 32, 0, 0, 0);
    /* no SSID, S1DSS = 10 -> CD 0 via L1CD 0 (invalid): SubstreamID 0 */
    r = tx(&e, 1, 0x1000, 0);
    CHECK_REC(r.event, 0x08 | 1ull << 32, 0, 0, 0);
    /* L1CD.L2Ptr >= 2^OAS: C_BAD_SUBSTREAMID (3.4.3, v3.1+) */
    kit_w64(e.m, l1 + 8 * 3, kit_l1cd(true, 1ull << 48));
    r = txs(&e, 1, 0xC1, 0x1000, 0);
    CHECK_REC(r.event, 0x08 | 0xC1ull << 12 | 1ull << 32, 0, 0, 0);
    /* L1CD in poisoned memory: F_CD_FETCH, FetchAddr = l1 + 8 * 4 */
    kit_mem_poison(e.m, l1 + 8 * 4, 8);
    r = txs(&e, 1, 0x100, 0x1000, 0);
    CHECK_REC(r.event, EV_DW0_SSID(0x09, 1, 0x100), 0, 0, l1 + 32);
    /* CD in poisoned memory: FetchAddr = the CD */
    kit_mem_poison(e.m, leafb, 64);
    r = txs(&e, 1, 0x40, 0x1000, 0);
    /* (a cached configuration would hide the change: invalidate first) */
    env_inval(&e);
    r = txs(&e, 1, 0x40, 0x1000, 0);
    CHECK_REC(r.event, EV_DW0_SSID(0x09, 1, 0x40), 0, 0, leafb);
    uint64_t rec[4], last[4] = { 0 };
    unsigned n = 0;
    while (env_event(&e, rec)) {
        memcpy(last, rec, sizeof(last));
        n++;
    }
    CHECK_EQ(n, 5);
    CHECK_REC(last, EV_DW0_SSID(0x09, 1, 0x40), 0, 0, leafb);
    env_close(&e);
}

/* S1Fmt = 10 (64 KB leaves of 1024 CDs), S1CDMax 20: L1 of 2^10 L1CDs.
 * SSID 0xFFFFF -> L1CD 0x3FF, entry 0x3FF. L2Ptr[15:12] are treated as 0
 * by this model (5.3: 64 KB aligned leaf). S1CDMax 5 (< 10): one L1CD. */
static void two_level_64k(void)
{
    struct env e;
    env_open(&e);
    uint64_t st = env_linear(&e, 4, CR2_RECINV);
    uint64_t l1 = kit_mem_alloc(e.m, 8 << 10, 8 << 10);
    uint64_t leaf = kit_mem_alloc(e.m, 64 << 10, 64 << 10);
    struct kit_ptb p = { 0 };
    struct kit_cd cf;
    kit_cd_s1(&cf, s1_map_page(&e, &p, 0x1000, 0xD000, S1_RW_ALL), 48, 3);
    put_cd(&e, leaf + 0x3FF * 64, &cf);
    put_cd(&e, leaf + 0x1F * 64, &cf);
    kit_w64(e.m, l1 + 8 * 0x3FF, kit_l1cd(true, leaf + 0x5000));
    kit_w64(e.m, l1, kit_l1cd(true, leaf));
    struct kit_ste f;
    kit_ste_s1(&f, l1);
    f.s1fmt = 2;
    f.s1cdmax = 20;
    put_ste(&e, st + 64, &f);
    CHECK_EQ(txs(&e, 1, 0xFFFFF, 0x1000, 0).out_addr, 0xD000);
    f.s1cdmax = 5;
    put_ste(&e, st + 2 * 64, &f);
    CHECK_EQ(txs(&e, 2, 0x1F, 0x1000, 0).out_addr, 0xD000);
    struct vsmmu_result r = txs(&e, 2, 0x20, 0x1000, 0);
    CHECK_REC(r.event, 0x08 | 0x20ull << 12 | 2ull << 32, 0, 0, 0);
    env_close(&e);
}

/* Linear CD table base alignment: S1ContextPtr bits [S1CDMax+5:6] are
 * RES0; this model treats them as 0. Single CD in poisoned memory:
 * F_CD_FETCH without SSV. */
static void linear_cd_alignment_and_fetch(void)
{
    struct env e;
    env_open(&e);
    uint64_t st = env_linear(&e, 4, CR2_RECINV);
    uint64_t cdt = kit_mem_alloc(e.m, 64 * 16, 64 * 16);
    struct kit_ptb p = { 0 };
    struct kit_cd cf;
    kit_cd_s1(&cf, s1_map_page(&e, &p, 0x1000, 0xE000, S1_RW_ALL), 48, 3);
    put_cd(&e, cdt + 9 * 64, &cf);
    struct kit_ste f;
    kit_ste_s1(&f, cdt + 0x40);
    f.s1cdmax = 4;
    put_ste(&e, st, &f);
    CHECK_EQ(txs(&e, 0, 9, 0x1000, 0).out_addr, 0xE000);
    kit_ste_s1(&f, cdt + 9 * 64);
    put_ste(&e, st + 64, &f);
    kit_mem_poison(e.m, cdt + 9 * 64, 64);
    struct vsmmu_result r = tx(&e, 1, 0x1000, 0);
    CHECK_EQ(r.outcome, VSMMU_XLATE_ABORT);
    CHECK_REC(r.event, EV_DW0(0x09, 1), 0, 0, cdt + 9 * 64);
    env_close(&e);
}

int main(void)
{
    RUN(illegal_rules);
    RUN(decoded_fields);
    RUN(ssid_matrix);
    RUN(two_level_4k);
    RUN(two_level_64k);
    RUN(linear_cd_alignment_and_fetch);
    return t_done();
}
