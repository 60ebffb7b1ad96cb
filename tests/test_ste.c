/* SPDX-License-Identifier: MIT */
/* Stream table lookup (IHI0070 3.3, 5.1, 6.3.24/25) and STE decode with the
 * ILLEGAL rules of IHI0070 5.2 (SteIllegal()), one row per rule; exact
 * C_BAD_STREAMID / F_STE_FETCH / C_BAD_STE records; attribute overrides of
 * bypass STEs and GBPA. Expected values are derived in the comments. */
#include "cfg_common.h"

/* ---- ILLEGAL rules, table-driven ------------------------------------------ */

enum { M_NOS1P = 1, M_NOS2P = 2, M_TERMONLY = 4, M_FORCED = 8, M_NOHTTU = 16, M_HTTU_AF = 32,
       M_NOCD2L = 64, M_NOVMID16 = 128, M_NOGRAN16K = 256, M_NS1ATS = 512, M_NOATS = 1024,
       M_SSID0 = 2048 };

static void apply_mods(struct vsmmu_config *c, unsigned m)
{
    if (m & M_NOS1P) { c->s1p = false; c->hyp = false; c->had = false; c->ns1ats = false; }
    if (m & M_NOS2P) { c->s2p = false; c->hyp = false; c->vmw = false; c->vmid16 = false; }
    if (m & M_TERMONLY) { c->stall_model = VSMMU_TERM_ONLY; c->stall_max = 0; }
    if (m & M_FORCED) { c->stall_model = VSMMU_STALL_FORCED; c->ats = c->pri = false; }
    if (m & M_NOHTTU) c->httu = VSMMU_HTTU_NONE;
    if (m & M_HTTU_AF) c->httu = VSMMU_HTTU_AF;
    if (m & M_NOCD2L) c->cd2l = false;
    if (m & M_NOVMID16) c->vmid16 = false;
    if (m & M_NOGRAN16K) c->gran16k = false;
    if (m & M_NS1ATS) c->ns1ats = true;
    if (m & M_NOATS) { c->ats = c->pri = false; }
    if (m & M_SSID0) c->ssidsize = 0;
}

/* Base STEs: a valid stage-1 STE (single CD at 0x100000) and a valid
 * stage-2 STE (4K, S2T0SZ 24 = 40-bit IPA starting at level 0 with
 * S2SL0 = 0b10, S2PS 48, S2TTB 0x200000, VMID 1). */
enum base { B_S1, B_S2, B_NESTED };

static void base_ste(struct kit_ste *f, enum base b)
{
    if (b == B_S1) {
        kit_ste_s1(f, 0x100000);
    } else {
        kit_ste_s2(f, 0x200000, 40, 1);
        if (b == B_NESTED) {
            f->config = KIT_CFG_NESTED;
            f->s1ctxptr = 0x100000;
        }
    }
}

struct ill_row {
    const char *name;
    unsigned mods;
    enum base base;
    void (*edit)(struct kit_ste *f);
    uint8_t want;          /* enum vsmmu_ste_illegal */
};

static void e_none(struct kit_ste *f) { (void)f; }
static void e_v0(struct kit_ste *f) { f->v = false; }
static void e_eats_split(struct kit_ste *f) { f->eats = 2; }
static void e_eats_split_s2s(struct kit_ste *f) { f->eats = 2; f->s2s = true; }
static void e_eats_full_s2s(struct kit_ste *f) { f->eats = 1; f->s2s = true; }
static void e_strw01(struct kit_ste *f) { f->strw = 1; }
static void e_strw11(struct kit_ste *f) { f->strw = 3; }
static void e_s1stalld(struct kit_ste *f) { f->s1stalld = true; }
static void e_cdmax21(struct kit_ste *f) { f->s1cdmax = 21; }
static void e_fmt2l(struct kit_ste *f) { f->s1cdmax = 4; f->s1fmt = 1; }
static void e_fmt64k(struct kit_ste *f) { f->s1cdmax = 12; f->s1fmt = 2; }
static void e_ctx_oas(struct kit_ste *f) { f->s1ctxptr = 1ull << 48; }
static void e_s2s1(struct kit_ste *f) { f->s2s = true; }
static void e_s2s0(struct kit_ste *f) { f->s2s = false; }
static void e_aa32(struct kit_ste *f) { f->s2aa64 = false; }
static void e_s2ha(struct kit_ste *f) { f->s2ha = true; }
static void e_s2hd(struct kit_ste *f) { f->s2ha = true; f->s2hd = true; }
static void e_tg3(struct kit_ste *f) { f->s2tg = 3; }
static void e_tg16k(struct kit_ste *f) { f->s2tg = 2; f->s2sl0 = 1; }  /* 16K, L2: T0SZ 24 ok */
static void e_ttb48(struct kit_ste *f) { f->s2ttb = 1ull << 48; }
static void e_ttb_ps40(struct kit_ste *f) { f->s2ps = KIT_PS_40; f->s2ttb = 1ull << 40; }
static void e_t0sz15(struct kit_ste *f) { f->s2t0sz = 15; }
static void e_t0sz40(struct kit_ste *f) { f->s2t0sz = 40; f->s2sl0 = 0; }
static void e_64k_t0sz15(struct kit_ste *f) { f->s2tg = 1; f->s2t0sz = 15; f->s2sl0 = 2; }
static void e_sl0_mismatch(struct kit_ste *f) { f->s2t0sz = 25; f->s2sl0 = 2; }
static void e_sl0_4k_l3(struct kit_ste *f) { f->s2t0sz = 39; f->s2sl0 = 3; }
static void e_sl0_16k_rsvd(struct kit_ste *f) { f->s2tg = 2; f->s2sl0 = 3; }
static void e_endi(struct kit_ste *f) { f->s2endi = true; }
static void e_vmid16(struct kit_ste *f) { f->s2vmid = 0x100; }
static void e_ctx_ias(struct kit_ste *f) { f->s1ctxptr = 1ull << 48; }

/* Spec rule (IHI0070 5.2 SteIllegal()) -> the row that makes it fire. The
 * default configuration is full-v3.2: both stages, ATS, NS1ATS=0, HTTU AF+dirty,
 * stall and terminate, CD2L, VMID16, 4K/16K/64K, OAS = IAS = 48, TTENDIAN LE. */
static const struct ill_row ill_rows[] = {
    { "V=0", 0, B_S1, e_v0, STE_ILL_V },
    { "Config=101 without S1P", M_NOS1P, B_S1, e_none, STE_ILL_S1P },
    { "Config=110 without S2P", M_NOS2P, B_S2, e_none, STE_ILL_S2P },
    { "EATS=10 with Config!=111", 0, B_S1, e_eats_split, STE_ILL_EATS_SPLIT },
    { "EATS=10, Config=111, S2S=1", 0, B_NESTED, e_eats_split_s2s, STE_ILL_EATS_SPLIT },
    { "EATS=10 with NS1ATS=1", M_NS1ATS, B_NESTED, e_eats_split, STE_ILL_EATS_SPLIT },
    { "EATS=01, S2S=1, stage 2", 0, B_S2, e_eats_full_s2s, STE_ILL_EATS_S2S },
    { "STRW=01 (used)", 0, B_S1, e_strw01, STE_ILL_STRW },
    { "STRW=11 (used)", 0, B_S1, e_strw11, STE_ILL_STRW },
    { "S1STALLD with terminate-only", M_TERMONLY, B_S1, e_s1stalld, STE_ILL_S1STALLD },
    { "S1STALLD with stall-forced", M_FORCED, B_S1, e_s1stalld, STE_ILL_S1STALLD },
    { "S1CDMax 21 > SSIDSIZE 20", 0, B_S1, e_cdmax21, STE_ILL_S1CDMAX },
    { "S1Fmt=01 without CD2L", M_NOCD2L, B_S1, e_fmt2l, STE_ILL_S1FMT },
    { "S1Fmt=10 without CD2L", M_NOCD2L, B_S1, e_fmt64k, STE_ILL_S1FMT },
    { "S1ContextPtr PA >= 2^OAS", 0, B_S1, e_ctx_oas, STE_ILL_S1CTXPTR },
    { "S1ContextPtr IPA >= 2^IAS", 0, B_NESTED, e_ctx_ias, STE_ILL_S1CTXPTR },
    { "S2S=1 with terminate-only", M_TERMONLY, B_S2, e_s2s1, STE_ILL_S2S },
    { "S2S=0 with stall-forced", M_FORCED, B_S2, e_s2s0, STE_ILL_S2S },
    { "S2AA64=0 (TTF AArch64 only)", 0, B_S2, e_aa32, STE_ILL_S2AA64 },
    { "S2HA without HTTU", M_NOHTTU, B_S2, e_s2ha, STE_ILL_S2HTTU },
    { "S2HD with HTTU=AF only", M_HTTU_AF, B_S2, e_s2hd, STE_ILL_S2HTTU },
    { "S2TG=11 reserved", 0, B_S2, e_tg3, STE_ILL_S2TG },
    { "S2TG=16K not supported", M_NOGRAN16K, B_S2, e_tg16k, STE_ILL_S2TG },
    { "S2TTB >= 2^48", 0, B_S2, e_ttb48, STE_ILL_S2TTB },
    { "S2TTB >= 2^eff_S2PS (40)", 0, B_S2, e_ttb_ps40, STE_ILL_S2TTB },
    { "S2T0SZ 15 < 16 (4K)", 0, B_S2, e_t0sz15, STE_ILL_S2T0SZ },
    { "S2T0SZ 40 > 39", 0, B_S2, e_t0sz40, STE_ILL_S2T0SZ },
    { "S2T0SZ 15 (64K, IAS 48: min 16)", 0, B_S2, e_64k_t0sz15, STE_ILL_S2T0SZ },
    { "S2SL0 level 0 for a 39-bit IPA", 0, B_S2, e_sl0_mismatch, STE_ILL_S2SL0 },
    { "S2SL0=11 4K without STT", 0, B_S2, e_sl0_4k_l3, STE_ILL_S2SL0 },
    { "S2SL0=11 16K reserved", 0, B_S2, e_sl0_16k_rsvd, STE_ILL_S2SL0 },
    { "S2ENDI=1 with TTENDIAN LE", 0, B_S2, e_endi, STE_ILL_S2ENDI },
    { "S2VMID[15:8] without VMID16 (S2)", M_NOVMID16, B_S2, e_vmid16, STE_ILL_S2VMID },
    { "S2VMID[15:8] without VMID16 (S1 NS-EL1)", M_NOVMID16, B_S1, e_vmid16, STE_ILL_S2VMID },
};

static struct vsmmu *mk(unsigned mods, struct kit_mem **mo)
{
    struct vsmmu_config c;
    env_default_cfg(&c);
    apply_mods(&c, mods);
    struct kit_mem *m = kit_mem_new();
    kit_mem_add(m, 0, 1 << 20);
    struct vsmmu_host_ops ops;
    kit_mem_ops(m, &ops, false);
    struct vsmmu *s = NULL;
    char err[256];
    if (vsmmu_create(&c, &ops, &s, err, sizeof(err))) {
        fprintf(stderr, "create (mods 0x%x): %s\n", mods, err);
        exit(2);
    }
    *mo = m;
    return s;
}

static void illegal_rules(void)
{
    for (size_t i = 0; i < sizeof(ill_rows) / sizeof(ill_rows[0]); i++) {
        const struct ill_row *r = &ill_rows[i];
        struct kit_mem *m;
        struct vsmmu *s = mk(r->mods, &m);
        struct kit_ste f;
        uint64_t raw[8];
        struct vsmmu_ste ste;
        /* the base is legal under the row's configuration ... */
        base_ste(&f, r->base);
        if (r->mods & M_FORCED)
            f.s2s = true;            /* stall-forced needs S2S = 1 */
        kit_ste_encode(&f, raw);
        int rc0 = vsmmu_ste_decode(s, raw, &ste);
        bool base_fires = r->want == STE_ILL_S1P || r->want == STE_ILL_S2P;
        CHECK_MSG(base_fires || rc0 == 0, "%s: base STE rejected (%u)", r->name, ste.illegal);
        /* ... and the edit makes exactly this rule fire */
        r->edit(&f);
        kit_ste_encode(&f, raw);
        int rc = vsmmu_ste_decode(s, raw, &ste);
        CHECK_MSG(rc == -1 && ste.illegal == r->want, "%s: rc %d illegal %u, want %u", r->name,
                  rc, ste.illegal, r->want);
        vsmmu_destroy(s);
        kit_mem_free(m);
    }
}

/* Fields that are not checked: Config 0b0xx is never ILLEGAL whatever the
 * other fields hold; Config=100 ignores every translation field; S1CDMax is
 * ignored without substreams; EATS without ATS; S2VMID in an EL2 world;
 * reserved S1Fmt/S1DSS fold to their defaults. */
static void legal_encodings(void)
{
    struct kit_mem *m;
    struct vsmmu *s = mk(0, &m);
    uint64_t raw[8];
    struct vsmmu_ste ste;
    for (unsigned cfg = 0; cfg < 4; cfg++) {
        /* V=1, Config=cfg, every other DW0..DW3 bit set */
        raw[0] = ~UINT64_C(0xF) | 1 | (uint64_t)cfg << 1;
        raw[1] = raw[2] = raw[3] = ~UINT64_C(0);
        raw[4] = raw[5] = raw[6] = raw[7] = ~UINT64_C(0);
        CHECK_EQ(vsmmu_ste_decode(s, raw, &ste), 0);
        CHECK_EQ(ste.config, STE_CFG_ABORT);
    }
    raw[0] = ~UINT64_C(0xF) | 1 | 4ull << 1;      /* Config = 100 */
    CHECK_EQ(vsmmu_ste_decode(s, raw, &ste), 0);
    CHECK_EQ(ste.config, STE_CFG_BYPASS);
    CHECK(!ste.s1 && !ste.s2);

    /* S1Fmt = 11 behaves as linear, S1DSS = 11 as terminate (5.2) */
    struct kit_ste f;
    kit_ste_s1(&f, 0x100000);
    f.s1cdmax = 3;
    f.s1fmt = 3;
    f.s1dss = 3;
    kit_ste_encode(&f, raw);
    CHECK_EQ(vsmmu_ste_decode(s, raw, &ste), 0);
    CHECK_EQ(ste.s1fmt, 0);
    CHECK_EQ(ste.s1dss, 0);
    CHECK_EQ(ste.s1cdmax, 3);

    /* STRW = 10 (EL2) is legal with Hyp; its S2VMID is ignored */
    kit_ste_s1(&f, 0x100000);
    f.strw = 2;
    f.s2vmid = 0xABCD;
    kit_ste_encode(&f, raw);
    CHECK_EQ(vsmmu_ste_decode(s, raw, &ste), 0);
    CHECK_EQ(ste.strw, 2);
    CHECK_EQ(ste.vmid, 0);
    /* NS-EL1 stage 1 only: S2VMID tags the context (5.2 S2VMID) */
    f.strw = 0;
    kit_ste_encode(&f, raw);
    CHECK_EQ(vsmmu_ste_decode(s, raw, &ste), 0);
    CHECK_EQ(ste.vmid, 0xABCD);
    /* STRW is unused with stage 2: STRW = 01 is then not ILLEGAL */
    base_ste(&f, B_NESTED);
    f.strw = 1;
    kit_ste_encode(&f, raw);
    CHECK_EQ(vsmmu_ste_decode(s, raw, &ste), 0);
    CHECK_EQ(ste.strw, 0);
    vsmmu_destroy(s);
    kit_mem_free(m);

    /* Without substreams, S1CDMax and S1Fmt are ignored */
    s = mk(M_SSID0 | M_NOCD2L, &m);
    kit_ste_s1(&f, 0x100000);
    f.s1cdmax = 31;
    f.s1fmt = 1;
    kit_ste_encode(&f, raw);
    CHECK_EQ(vsmmu_ste_decode(s, raw, &ste), 0);
    CHECK_EQ(ste.s1cdmax, 0);
    vsmmu_destroy(s);
    kit_mem_free(m);

    /* Without ATS, EATS = 10 on a stage-1 STE is ignored */
    s = mk(M_NOATS, &m);
    kit_ste_s1(&f, 0x100000);
    f.eats = 2;
    kit_ste_encode(&f, raw);
    CHECK_EQ(vsmmu_ste_decode(s, raw, &ste), 0);
    CHECK_EQ(ste.eats, 0);
    vsmmu_destroy(s);
    kit_mem_free(m);
}

/* Stage-2 decode: 4K, S2T0SZ 24 (40-bit IPA), S2SL0 01 -> level 1 with
 * 2 concatenated tables (Arm ARM D8-21: ias 40 = ias_max(L1) 39 + 1); the
 * start table is 2 x 4 KB, so S2TTB bits [12:0] are ignored. S2PS 101 = 48. */
static void s2_fields(void)
{
    struct kit_mem *m;
    struct vsmmu *s = mk(0, &m);
    struct kit_ste f;
    uint64_t raw[8];
    struct vsmmu_ste ste;
    kit_ste_s2(&f, 0x201000, 40, 0x1234);
    f.s2sl0 = 1;
    f.s2affd = f.s2ha = f.s2hd = f.s2s = true;
    f.s2r = false;
    f.s2ptw = true;
    f.s2ir0 = 1; f.s2or0 = 2; f.s2sh0 = 3;
    kit_ste_encode(&f, raw);
    CHECK_EQ(vsmmu_ste_decode(s, raw, &ste), 0);
    CHECK_EQ(ste.s2cfg.ttb, 0x200000);
    CHECK_EQ(ste.s2cfg.start_level, 1);
    CHECK_EQ(ste.s2cfg.concat, 2);
    CHECK_EQ(ste.s2cfg.granule, 12);
    CHECK_EQ(ste.s2cfg.t0sz, 24);
    CHECK_EQ(ste.s2cfg.ps_bits, 48);
    CHECK_EQ(ste.s2cfg.vmid, 0x1234);
    CHECK(ste.s2cfg.affd && ste.s2cfg.ha && ste.s2cfg.hd && ste.s2cfg.s && !ste.s2cfg.r);
    CHECK(!ste.s2cfg.ptw);          /* S2PTW only with Config = 111 */
    CHECK_EQ(ste.s2cfg.ir0, 1);
    CHECK_EQ(ste.s2cfg.or0, 2);
    CHECK_EQ(ste.s2cfg.sh0, 3);
    /* S2PS = 110 (52) capped to OAS 48; S2PS = 111 behaves as 52 in v3.2 */
    f.s2ps = 7;
    kit_ste_encode(&f, raw);
    CHECK_EQ(vsmmu_ste_decode(s, raw, &ste), 0);
    CHECK_EQ(ste.s2cfg.ps_bits, 48);
    f.s2ps = KIT_PS_40;
    kit_ste_encode(&f, raw);
    CHECK_EQ(vsmmu_ste_decode(s, raw, &ste), 0);
    CHECK_EQ(ste.s2cfg.ps_bits, 40);
    /* {S2HA,S2HD} = 01 is reserved: behaves as 00 */
    f.s2ha = false;
    kit_ste_encode(&f, raw);
    CHECK_EQ(vsmmu_ste_decode(s, raw, &ste), 0);
    CHECK(!ste.s2cfg.ha && !ste.s2cfg.hd);
    /* nested: S2PTW honoured */
    f.config = KIT_CFG_NESTED;
    f.s1ctxptr = 0x1000;
    kit_ste_encode(&f, raw);
    CHECK_EQ(vsmmu_ste_decode(s, raw, &ste), 0);
    CHECK(ste.s2cfg.ptw && ste.s1 && ste.s2);
    CHECK_EQ(ste.s1_ctx_ptr, 0x1000);
    vsmmu_destroy(s);
    kit_mem_free(m);
}

/* ---- lookups ------------------------------------------------------------------ */

static struct kit_ste bypass_ste(void)
{
    struct kit_ste f;
    memset(&f, 0, sizeof(f));
    f.v = true;
    f.config = KIT_CFG_BYPASS;
    return f;
}

/* Linear table, LOG2SIZE 8: STE of sid n at base + 64 n (3.3.1). */
static void linear_lookup(void)
{
    struct env e;
    env_open(&e);
    uint64_t st = env_linear(&e, 8, CR2_RECINV);
    struct kit_ste f = bypass_ste();
    put_ste(&e, st + 5 * 64, &f);
    put_ste(&e, st + 255 * 64, &f);
    struct vsmmu_result r = tx(&e, 5, 0x12345678, 0);
    CHECK_EQ(r.outcome, VSMMU_XLATE_OK);
    CHECK_EQ(r.out_addr, 0x12345678);
    CHECK(r.bypass);
    r = tx(&e, 255, 0xABC, VSMMU_TXN_WRITE);
    CHECK_EQ(r.outcome, VSMMU_XLATE_OK);
    /* sid 6: STE all zero (V=0) -> C_BAD_STE: DW0 = 0x04 | 6 << 32 */
    r = tx(&e, 6, 0x1000, 0);
    CHECK_EQ(r.outcome, VSMMU_XLATE_ABORT);
    CHECK(r.has_event);
    CHECK_REC(r.event, EV_DW0(0x04, 6), 0, 0, 0);
    uint64_t rec[4];
    CHECK_EQ(env_event(&e, rec), 1);
    CHECK_REC(rec, EV_DW0(0x04, 6), 0, 0, 0);
    /* with a SubstreamID the header carries SSV and the SSID (7.3.5) */
    r = txs(&e, 6, 0xABCDE, 0x1000, 0);
    CHECK_REC(r.event, EV_DW0_SSID(0x04, 6, 0xABCDE), 0, 0, 0);
    /* sid 256 >= 2^8 -> C_BAD_STREAMID: DW0 = 0x02 | 256 << 32 */
    r = tx(&e, 256, 0x1000, 0);
    CHECK_EQ(r.outcome, VSMMU_XLATE_ABORT);
    CHECK_REC(r.event, EV_DW0(0x02, 256), 0, 0, 0);
    CHECK_EQ(env_event(&e, rec), 1);
    CHECK_EQ(env_event(&e, rec), 1);
    CHECK_REC(rec, EV_DW0(0x02, 256), 0, 0, 0);
    CHECK_EQ(env_event(&e, rec), 0);
    env_close(&e);
}

/* CR2.RECINVSID = 0: out-of-range StreamIDs abort silently (6.3.12). */
static void bad_sid_not_recorded(void)
{
    struct env e;
    env_open(&e);
    env_linear(&e, 4, 0);
    struct vsmmu_result r = tx(&e, 16, 0x1000, 0);
    CHECK_EQ(r.outcome, VSMMU_XLATE_ABORT);
    CHECK(!r.has_event);
    CHECK_EQ(env_events_pending(&e), 0);
    /* SIDSIZE 16 caps LOG2SIZE 20: sid 0x10000 is out of range although
     * LOG2SIZE would cover it (6.3.25) */
    w32(&e, R_CR0, 0);
    w32(&e, R_STRTAB_CFG, 20);
    w32(&e, R_CR2, CR2_RECINV);
    w32(&e, R_CR0, CR0_EN | CR0_EVTQEN);
    r = tx(&e, 0x10000, 0x1000, 0);
    CHECK_REC(r.event, EV_DW0(0x02, 0x10000), 0, 0, 0);
    env_close(&e);
}

/* Linear base alignment: ADDR[LOG2SIZE+5:0] are treated as 0, so a base
 * programmed as st + 0x40 still finds sid 5 at st + 5 * 64 (6.3.24). */
static void linear_alignment(void)
{
    struct env e;
    env_open(&e);
    uint64_t st = kit_mem_alloc(e.m, 64 << 8, 64 << 8);
    struct kit_ste f = bypass_ste();
    put_ste(&e, st + 5 * 64, &f);
    env_enable(&e, st + 0x40, 8, CR2_RECINV);
    CHECK_EQ(tx(&e, 5, 0x5000, 0).outcome, VSMMU_XLATE_OK);
    env_close(&e);
}

/* 2-level, SPLIT 8, LOG2SIZE 16: L1 has 256 L1STDs (2 KB); sid 0x105 uses
 * L1STD 1 and entry 5 of its L2 array (5.1, 3.3.2). */
static void two_level_lookup(void)
{
    struct env e;
    env_open(&e);
    uint64_t l1 = kit_mem_alloc(e.m, 2048, 2048);
    uint64_t l2 = kit_mem_alloc(e.m, 64 << 8, 64 << 8);
    struct kit_ste f = bypass_ste();
    put_ste(&e, l2 + 5 * 64, &f);
    put_ste(&e, l2 + 3 * 64, &f);
    env_enable(&e, l1, 16 | 8 << 6 | 1 << 16, CR2_RECINV);
    uint64_t rec[4];

    kit_w64(e.m, l1 + 8, kit_l1std(9, l2));          /* 2^(9-1) = 256 STEs */
    env_inval(&e);
    CHECK_EQ(tx(&e, 0x105, 0x7000, 0).outcome, VSMMU_XLATE_OK);
    /* L2Ptr[5+(Span-1):0] ignored: L2Ptr = l2 + 0x40 still finds entry 5 */
    kit_w64(e.m, l1 + 8, kit_l1std(9, l2 + 0x40));
    env_inval(&e);
    CHECK_EQ(tx(&e, 0x105, 0x7000, 0).outcome, VSMMU_XLATE_OK);

    /* Span 0, reserved 12, and 10 > SPLIT + 1 = 9 make every sid under the
     * descriptor invalid: C_BAD_STREAMID (5.1.1) */
    static const unsigned bad_spans[] = { 0, 12, 31, 10 };
    for (unsigned i = 0; i < 4; i++) {
        kit_w64(e.m, l1 + 8, kit_l1std(bad_spans[i], l2));
        env_inval(&e);
        struct vsmmu_result r = tx(&e, 0x105, 0x7000, 0);
        CHECK_EQ(r.outcome, VSMMU_XLATE_ABORT);
        CHECK_REC(r.event, EV_DW0(0x02, 0x105), 0, 0, 0);
    }
    /* L2Ptr above OAS (48): the STE address 2^48 + 5 * 64 is out of range:
     * F_STE_FETCH with the untruncated FetchAddr (3.4.3 (5), this model's
     * choice) */
    kit_w64(e.m, l1 + 8, kit_l1std(9, 1ull << 48));
    env_inval(&e);
    struct vsmmu_result r0 = tx(&e, 0x105, 0x7000, 0);
    CHECK_EQ(r0.outcome, VSMMU_XLATE_ABORT);
    CHECK_REC(r0.event, EV_DW0(0x03, 0x105), 0, 0, (1ull << 48) + 5 * 64);
    /* Span 3: 4 STEs; sid 0x103 is entry 3 (valid), 0x105 is beyond */
    kit_w64(e.m, l1 + 8, kit_l1std(3, l2));
    env_inval(&e);
    CHECK_EQ(tx(&e, 0x103, 0x7000, 0).outcome, VSMMU_XLATE_OK);
    struct vsmmu_result r = tx(&e, 0x105, 0x7000, 0);
    CHECK_REC(r.event, EV_DW0(0x02, 0x105), 0, 0, 0);
    while (env_event(&e, rec))
        ;
    /* L1STD in poisoned memory: F_STE_FETCH, FetchAddr = L1STD address
     * l1 + 8 (DW3[51:3]) */
    kit_mem_poison(e.m, l1 + 8, 8);
    env_inval(&e);
    r = tx(&e, 0x105, 0x7000, 0);
    CHECK_EQ(r.outcome, VSMMU_XLATE_ABORT);
    CHECK_REC(r.event, EV_DW0(0x03, 0x105), 0, 0, l1 + 8);
    CHECK_EQ(env_event(&e, rec), 1);
    CHECK_REC(rec, EV_DW0(0x03, 0x105), 0, 0, l1 + 8);
    kit_mem_unpoison_all(e.m);
    /* STE in poisoned memory: FetchAddr = the STE's first doubleword */
    kit_w64(e.m, l1 + 8, kit_l1std(9, l2));
    env_inval(&e);
    kit_mem_poison(e.m, l2 + 5 * 64, 64);
    env_inval(&e);
    r = tx(&e, 0x105, 0x7000, 0);
    CHECK_REC(r.event, EV_DW0(0x03, 0x105), 0, 0, l2 + 5 * 64);
    /* only DW4..7 poisoned: FetchAddr = the first aborting doubleword */
    kit_mem_unpoison_all(e.m);
    kit_mem_poison(e.m, l2 + 5 * 64 + 32, 32);
    env_inval(&e);
    r = tx(&e, 0x105, 0x7000, 0);
    CHECK_REC(r.event, EV_DW0(0x03, 0x105), 0, 0, l2 + 5 * 64 + 32);
    env_close(&e);
}

/* SPLIT = 7 behaves as 6 (6.3.25): sid 0x105 -> L1STD 4 (0x105 >> 6),
 * L2 entry 5. */
static void split_reserved(void)
{
    struct env e;
    env_open(&e);
    uint64_t l1 = kit_mem_alloc(e.m, 8 << 10, 8 << 10);
    uint64_t l2 = kit_mem_alloc(e.m, 64 << 6, 64 << 6);
    struct kit_ste f = bypass_ste();
    put_ste(&e, l2 + 5 * 64, &f);
    kit_w64(e.m, l1 + 4 * 8, kit_l1std(7, l2));
    env_enable(&e, l1, 16 | 7 << 6 | 1 << 16, CR2_RECINV);
    CHECK_EQ(tx(&e, 0x105, 0x7000, 0).outcome, VSMMU_XLATE_OK);
    env_close(&e);
}

/* The largest StreamID: SIDSIZE 32, 2-level, SPLIT 10, LOG2SIZE 32. The L1
 * table has 2^22 entries (32 MB) aligned to 32 MB: base 0. sid 0xFFFFFFFF
 * uses L1STD 0x3FFFFF at 0x1FFFFF8 and L2 entry 0x3FF. */
static void max_streamid(void)
{
    struct env e;
    struct vsmmu_config c;
    env_default_cfg(&c);
    c.sidsize = 32;
    env_open_cfg(&e, &c);
    env_enable(&e, 0, 32 | 10 << 6 | 1 << 16, CR2_RECINV);
    /* L1STD outside RAM: F_STE_FETCH with FetchAddr 0x1FFFFF8 */
    struct vsmmu_result r = tx(&e, 0xFFFFFFFFu, 0x1000, 0);
    CHECK_EQ(r.outcome, VSMMU_XLATE_ABORT);
    CHECK_REC(r.event, EV_DW0(0x03, 0xFFFFFFFFu), 0, 0, 0x1FFFFF8);
    /* back it with memory: Span 11 (1024 STEs) */
    kit_mem_add(e.m, 0x1FF0000, 0x10000);
    uint64_t l2 = kit_mem_alloc(e.m, 64 << 10, 64 << 10);
    kit_w64(e.m, 0x1FFFFF8, kit_l1std(11, l2));
    struct kit_ste f = bypass_ste();
    put_ste(&e, l2 + 0x3FF * 64, &f);
    env_inval(&e);
    r = tx(&e, 0xFFFFFFFFu, 0x1000, 0);
    CHECK_EQ(r.outcome, VSMMU_XLATE_OK);
    env_close(&e);
}

/* Without 2-level support (IDR0.ST_LEVEL = 00) FMT is RES0: a table
 * programmed as 2-level is used as linear. SIDSIZE 6 caps LOG2SIZE 8 at 64
 * StreamIDs (6.3.25). */
static void linear_only_implementation(void)
{
    struct env e;
    struct vsmmu_config c;
    env_default_cfg(&c);
    c.st2l = false;
    c.sidsize = 6;
    env_open_cfg(&e, &c);
    uint64_t st = kit_mem_alloc(e.m, 64 << 8, 64 << 8);
    struct kit_ste f = bypass_ste();
    put_ste(&e, st + 63 * 64, &f);
    env_enable(&e, st, 8 | 6 << 6 | 1 << 16, CR2_RECINV);
    CHECK_EQ(tx(&e, 63, 0x2000, 0).outcome, VSMMU_XLATE_OK);
    struct vsmmu_result r = tx(&e, 64, 0x2000, 0);
    CHECK_REC(r.event, EV_DW0(0x02, 64), 0, 0, 0);
    env_close(&e);
}

/* STE Config = 000 and reserved 001..011: abort without an event. */
static void config_abort_silent(void)
{
    struct env e;
    env_open(&e);
    uint64_t st = env_linear(&e, 4, CR2_RECINV);
    for (unsigned cfg = 0; cfg < 4; cfg++) {
        struct kit_ste f;
        memset(&f, 0, sizeof(f));
        f.v = true;
        f.config = cfg;
        put_ste(&e, st + 64 * cfg, &f);
        struct vsmmu_result r = tx(&e, cfg, 0x1000, 0);
        CHECK_EQ(r.outcome, VSMMU_XLATE_ABORT);
        CHECK(!r.has_event);
    }
    CHECK_EQ(env_events_pending(&e), 0);
    env_close(&e);
}

/* Config = 100: address above OAS (48) -> F_ADDR_SIZE, S2 = 0, CLASS = IN,
 * always abort, recorded (3.4.1, 7.3.14). PnU/InD/RnW after PRIVCFG/INSTCFG:
 * DW1 = PnU[33] | InD[34] | RnW[35] | CLASS[41:40] = 0b10. */
static void bypass_addr_size_and_overrides(void)
{
    struct env e;
    env_open(&e);
    uint64_t st = env_linear(&e, 4, CR2_RECINV);
    struct kit_ste f = bypass_ste();
    put_ste(&e, st + 64, &f);
    const uint64_t big = 1ull << 48, cls_in = 2ull << 40;
    struct vsmmu_result r = tx(&e, 1, big, 0);               /* unprivileged data read */
    CHECK_EQ(r.outcome, VSMMU_XLATE_ABORT);
    CHECK_REC(r.event, EV_DW0(0x11, 1), (1ull << 35) | cls_in, big, 0);
    r = tx(&e, 1, big | 0x123, VSMMU_TXN_WRITE | VSMMU_TXN_PRIV);
    CHECK_REC(r.event, EV_DW0(0x11, 1), (1ull << 33) | cls_in, big | 0x123, 0);
    r = tx(&e, 1, big, VSMMU_TXN_EXEC);
    CHECK_REC(r.event, EV_DW0(0x11, 1), (1ull << 34) | (1ull << 35) | cls_in, big, 0);
    /* PRIVCFG = 11 (privileged), INSTCFG = 11 (instruction): a data read
     * reports PnU = InD = 1; a write stays data (InD = 0) */
    f.privcfg = 3;
    f.instcfg = 3;
    put_ste(&e, st + 2 * 64, &f);
    r = tx(&e, 2, big, 0);
    CHECK_REC(r.event, EV_DW0(0x11, 2), (1ull << 33) | (1ull << 34) | (1ull << 35) | cls_in,
              big, 0);
    r = tx(&e, 2, big, VSMMU_TXN_WRITE);
    CHECK_REC(r.event, EV_DW0(0x11, 2), (1ull << 33) | cls_in, big, 0);
    /* PRIVCFG = 10 (unprivileged), INSTCFG = 10 (data) on a privileged fetch */
    f.privcfg = 2;
    f.instcfg = 2;
    put_ste(&e, st + 3 * 64, &f);
    r = tx(&e, 3, big, VSMMU_TXN_EXEC | VSMMU_TXN_PRIV);
    CHECK_REC(r.event, EV_DW0(0x11, 3), (1ull << 35) | cls_in, big, 0);
    /* in range: bypass; MTCFG = 1, MemAttr = 0001 -> Device-nGnRE (MAIR
     * 0x04), Device is Outer Shareable (2) */
    f = bypass_ste();
    f.mtcfg = true;
    f.memattr = 1;
    f.shcfg = 0;
    put_ste(&e, st + 4 * 64, &f);
    r = tx(&e, 4, 0x4000, 0);
    CHECK_EQ(r.outcome, VSMMU_XLATE_OK);
    CHECK_EQ(r.memattr, 0x04);
    CHECK_EQ(r.sh, 2);
    /* MemAttr = 1111 (WB/WB) with SHCFG = 00: Normal WB RW-alloc, NSH */
    f.memattr = 0xF;
    put_ste(&e, st + 5 * 64, &f);
    r = tx(&e, 5, 0x4000, 0);
    CHECK_EQ(r.memattr, 0xFF);
    CHECK_EQ(r.sh, 0);
    /* MemAttr = 0101 (NC/NC): 0x44, which is Outer Shareable (D8.6.2) */
    f.memattr = 5;
    f.shcfg = 3;
    put_ste(&e, st + 6 * 64, &f);
    r = tx(&e, 6, 0x4000, 0);
    CHECK_EQ(r.memattr, 0x44);
    CHECK_EQ(r.sh, 2);
    /* MTCFG = 0: incoming (Normal WB, ISH); SHCFG = 01 incoming */
    f = bypass_ste();
    f.shcfg = 1;
    put_ste(&e, st + 7 * 64, &f);
    r = tx(&e, 7, 0x4000, 0);
    CHECK_EQ(r.memattr, 0xFF);
    CHECK_EQ(r.sh, 3);
    env_close(&e);

    /* Without IDR1.ATTR_TYPES_OVR / ATTR_PERMS_OVR the overrides are
     * "use incoming" */
    struct vsmmu_config c;
    env_default_cfg(&c);
    c.attr_types_ovr = c.attr_perms_ovr = false;
    env_open_cfg(&e, &c);
    st = env_linear(&e, 4, CR2_RECINV);
    f = bypass_ste();
    f.mtcfg = true;
    f.memattr = 1;
    f.shcfg = 0;
    f.privcfg = 3;
    put_ste(&e, st + 64, &f);
    r = tx(&e, 1, 0x4000, 0);
    CHECK_EQ(r.memattr, 0xFF);
    CHECK_EQ(r.sh, 3);
    r = tx(&e, 1, big, 0);
    CHECK_REC(r.event, EV_DW0(0x11, 1), (1ull << 35) | cls_in, big, 0);
    env_close(&e);
}

/* SMMUEN = 0: GBPA (6.3.14). ABORT -> abort, no event; bypass with the
 * GBPA overrides; above OAS -> abort, no event. */
static void gbpa(void)
{
    struct env e;
    env_open(&e);
    w64(&e, R_EVTQ_BASE, e.evtq | C_EVTQ_LOG2);
    w32(&e, R_CR0, CR0_EVTQEN);
    /* Update | ABORT */
    w32(&e, R_GBPA, 0x80000000u | (1u << 20));
    struct vsmmu_result r = tx(&e, 3, 0x1000, 0);
    CHECK_EQ(r.outcome, VSMMU_XLATE_ABORT);
    CHECK(!r.has_event);
    /* MTCFG = 1, MemAttr = 0001, SHCFG = 10: Device-nGnRE, OSH */
    w32(&e, R_GBPA, 0x80000000u | (1u << 4) | 1u | (2u << 12));
    r = tx(&e, 3, 0x1000, 0);
    CHECK_EQ(r.outcome, VSMMU_XLATE_OK);
    CHECK_EQ(r.out_addr, 0x1000);
    CHECK_EQ(r.memattr, 0x04);
    CHECK_EQ(r.sh, 2);
    /* MemAttr = 1111, SHCFG = 00, ALLOCCFG = 1 R=0 W=1 T=0 (0b1010):
     * outer/inner WB non-transient, write-allocate only: MAIR 0xDD */
    w32(&e, R_GBPA, 0x80000000u | (1u << 4) | 0xFu | (0xAu << 8));
    r = tx(&e, 3, 0x1000, 0);
    CHECK_EQ(r.memattr, 0xDD);
    CHECK_EQ(r.sh, 0);
    r = tx(&e, 3, 1ull << 48, 0);
    CHECK_EQ(r.outcome, VSMMU_XLATE_ABORT);
    CHECK(!r.has_event);
    CHECK_EQ(env_events_pending(&e), 0);
    env_close(&e);
}

int main(void)
{
    RUN(illegal_rules);
    RUN(legal_encodings);
    RUN(s2_fields);
    RUN(linear_lookup);
    RUN(bad_sid_not_recorded);
    RUN(linear_alignment);
    RUN(two_level_lookup);
    RUN(split_reserved);
    RUN(max_streamid);
    RUN(linear_only_implementation);
    RUN(config_abort_silent);
    RUN(bypass_addr_size_and_overrides);
    RUN(gbpa);
    return t_done();
}
