/* SPDX-License-Identifier: MIT */
/* The translation pipeline end to end (IHI0070 chapter 15): stage 1,
 * stage 2 and nested translations through the STE/CD decode and the walker;
 * the fault model (CD.A/R/S, STE.S2R/S2S, 3.12, 5.5) and stalls (3.12.2,
 * CMD_RESUME / CMD_STALL_TERM); exact translation-fault records (7.3.12 -
 * 7.3.16); the translation and configuration caches as the pipeline uses
 * them; probes (VSMMU_TXN_NOEVENT); trace records. */
#include "cfg_common.h"

#define SID 1u
#define VA  0x1000u
#define CLS_CD 0ull
#define CLS_TT (1ull << 40)
#define CLS_IN (2ull << 40)
#define RNW    (1ull << 35)
#define IND    (1ull << 34)
#define PNU    (1ull << 33)
#define S2BIT  (1ull << 39)
#define STALLB (1ull << 31)

/* Stream table of 16 STEs; STE 1 stage 1 with a single CD at `cd`, which
 * maps VA 0x1000 -> 0xA000 (RW at EL0 and EL1) and VA 0x2000 -> 0xB000
 * (read-only). */
struct s1env {
    struct env e;
    uint64_t st, cd;
    struct kit_ptb p;
    struct kit_cd cf;
    struct kit_ste sf;
};

static void s1_open_cfg(struct s1env *x, const struct vsmmu_config *c)
{
    memset(x, 0, sizeof(*x));
    env_open_cfg(&x->e, c);
    x->st = env_linear(&x->e, 4, CR2_RECINV);
    x->cd = kit_mem_alloc(x->e.m, 64, 64);
    uint64_t ttb = s1_map_page(&x->e, &x->p, VA, 0xA000, S1_RW_ALL);
    s1_map_page(&x->e, &x->p, 0x2000, 0xB000, S1_RO_ALL);
    kit_cd_s1(&x->cf, ttb, 48, 1);
    put_cd(&x->e, x->cd, &x->cf);
    kit_ste_s1(&x->sf, x->cd);
    put_ste(&x->e, x->st + 64 * SID, &x->sf);
}

static void s1_open(struct s1env *x)
{
    struct vsmmu_config c;
    env_default_cfg(&c);
    s1_open_cfg(x, &c);
}

/* rewrite the CD / STE and invalidate the caches */
static void s1_update(struct s1env *x)
{
    put_cd(&x->e, x->cd, &x->cf);
    put_ste(&x->e, x->st + 64 * SID, &x->sf);
    env_inval(&x->e);
}

static void stage1_translates(void)
{
    struct s1env x;
    s1_open(&x);
    struct vsmmu_stats st0, st1;
    vsmmu_get_stats(x.e.s, &st0);
    struct vsmmu_result r = tx(&x.e, SID, VA + 0x123, 0);
    CHECK_EQ(r.outcome, VSMMU_XLATE_OK);
    CHECK_EQ(r.out_addr, 0xA123);
    CHECK_EQ(r.size_log2, 12);
    CHECK(!r.bypass && !r.from_cache && !r.has_event);
    /* AP = 01 (RW at both levels): unprivileged R, W, X (UXN = 0);
     * Attr0 = 0xFF Normal WB, SH = ISH */
    CHECK_EQ(r.perm, VSMMU_PERM_R | VSMMU_PERM_W | VSMMU_PERM_X);
    CHECK_EQ(r.memattr, 0xFF);
    CHECK_EQ(r.sh, 3);
    /* second time: configuration and translation caches hit */
    r = tx(&x.e, SID, VA + 0x456, VSMMU_TXN_WRITE);
    CHECK_EQ(r.outcome, VSMMU_XLATE_OK);
    CHECK_EQ(r.out_addr, 0xA456);
    CHECK(r.from_cache);
    vsmmu_get_stats(x.e.s, &st1);
    CHECK_EQ(st1.ste_fetches - st0.ste_fetches, 1);
    CHECK_EQ(st1.cd_fetches - st0.cd_fetches, 1);
    CHECK_EQ(st1.cfg_hits - st0.cfg_hits, 1);
    CHECK_EQ(st1.tlb_hits - st0.tlb_hits, 1);
    CHECK_EQ(st1.translations - st0.translations, 2);
    /* one walk: T0SZ 16 with 4K starts at level 0, so 4 descriptor reads */
    CHECK_EQ(st1.walks - st0.walks, 1);
    CHECK_EQ(st1.desc_reads - st0.desc_reads, 4);
    /* privileged execute of an EL0-writable page is not permitted (implicit
     * PXN, Arm ARM D8.4): the cached entry lacks X for EL1, the re-walk
     * faults: F_PERMISSION, stage 1, CLASS IN, PnU = InD = RnW = 1 */
    r = tx(&x.e, SID, VA, VSMMU_TXN_EXEC | VSMMU_TXN_PRIV);
    CHECK_EQ(r.outcome, VSMMU_XLATE_ABORT);
    CHECK_REC(r.event, EV_DW0(0x13, SID), PNU | IND | RNW | CLS_IN, VA, 0);
    /* write to the read-only page: F_PERMISSION, RnW = 0 */
    r = tx(&x.e, SID, 0x2008, VSMMU_TXN_WRITE);
    CHECK_REC(r.event, EV_DW0(0x13, SID), CLS_IN, 0x2008, 0);
    /* the read-only page reads fine, then a write misses the cached
     * permission and faults */
    CHECK_EQ(tx(&x.e, SID, 0x2000, 0).out_addr, 0xB000);
    r = tx(&x.e, SID, 0x2000, VSMMU_TXN_WRITE);
    CHECK_EQ(r.event[0], EV_DW0(0x13, SID));
    /* unmapped: F_TRANSLATION with an SSID-less header */
    r = tx(&x.e, SID, 0x7000, 0);
    CHECK_REC(r.event, EV_DW0(0x10, SID), RNW | CLS_IN, 0x7000, 0);
    /* VA outside the 48-bit TTB0 range, TTB1 disabled: F_TRANSLATION with
     * the full input address */
    r = tx(&x.e, SID, 0xFFFF000000001000ull, 0);
    CHECK_REC(r.event, EV_DW0(0x10, SID), RNW | CLS_IN, 0xFFFF000000001000ull, 0);
    uint64_t rec[4];
    unsigned n = 0;
    while (env_event(&x.e, rec))
        n++;
    CHECK_EQ(n, 5);
    env_close(&x.e);
}

/* Stage-1 fault model, IHI0070 5.5 / events.md §4:
 *   A R S   outcome  event
 *   0 0 0   RAZ/WI   none
 *   0 1 0   RAZ/WI   yes
 *   1 0 0   abort    none
 *   1 1 0   abort    yes
 *   x x 1   stall    yes, Stall = 1 + STAG */
static void fault_model_stage1(void)
{
    struct s1env x;
    s1_open(&x);
    static const struct { bool a, r; enum vsmmu_outcome out; bool ev; } rows[] = {
        { false, false, VSMMU_XLATE_RAZWI, false },
        { false, true, VSMMU_XLATE_RAZWI, true },
        { true, false, VSMMU_XLATE_ABORT, false },
        { true, true, VSMMU_XLATE_ABORT, true },
    };
    for (unsigned i = 0; i < 4; i++) {
        x.cf.a = rows[i].a;
        x.cf.r = rows[i].r;
        s1_update(&x);
        struct vsmmu_result r = tx(&x.e, SID, 0x7000, 0);
        CHECK_EQ(r.outcome, rows[i].out);
        CHECK_EQ(r.has_event, rows[i].ev);
        CHECK_EQ(env_events_pending(&x.e), rows[i].ev ? 1 : 0);
        uint64_t rec[4];
        if (rows[i].ev) {
            CHECK_EQ(env_event(&x.e, rec), 1);
            CHECK_REC(rec, EV_DW0(0x10, SID), RNW | CLS_IN, 0x7000, 0);
        }
    }
    /* stall: A = 0, R = 0, S = 1 still records, with Stall and STAG */
    x.cf.a = x.cf.r = false;
    x.cf.s = true;
    s1_update(&x);
    struct vsmmu_result r = tx(&x.e, SID, 0x7000, VSMMU_TXN_WRITE);
    CHECK_EQ(r.outcome, VSMMU_XLATE_STALL);
    CHECK_REC(r.event, EV_DW0(0x10, SID), STALLB | r.stag | CLS_IN, 0x7000, 0);
    CHECK_EQ(vsmmu_stall_count(x.e.s), 1);
    /* CMD_RESUME for another StreamID or STAG is ignored (4.6.1) */
    vsmmu_stall_resume(x.e.s, SID + 1, r.stag, false, true);
    vsmmu_stall_resume(x.e.s, SID, (uint16_t)(r.stag + 1), false, true);
    CHECK_EQ(vsmmu_stall_count(x.e.s), 1);
    vsmmu_stall_resume(x.e.s, SID, r.stag, false, true);
    CHECK_EQ(vsmmu_stall_count(x.e.s), 0);
    /* translation-unrelated events ignore A/R/S: C_BAD_STE always recorded */
    r = tx(&x.e, 5, 0x7000, 0);
    CHECK_EQ(r.outcome, VSMMU_XLATE_ABORT);
    CHECK_EQ(r.event[0], EV_DW0(0x04, 5));
    env_close(&x.e);
}

/* Stalls: retry re-runs the transaction (3.12.2): with the page now mapped
 * it completes without an event; without, it stalls again with a new
 * record. CMD_STALL_TERM ends every stall of a stream. With
 * IDR5.STALL_MAX = 2, a third stall is terminated with abort and recorded
 * with Stall = 0 (this model's choice, docs/translation.md). */
static void stalls(void)
{
    struct vsmmu_config c;
    env_default_cfg(&c);
    c.stall_max = 2;
    struct s1env x;
    s1_open_cfg(&x, &c);
    x.cf.s = true;
    s1_update(&x);
    uint64_t rec[4];
    struct vsmmu_result r1 = tx(&x.e, SID, 0x7000, 0);
    struct vsmmu_result r2 = tx(&x.e, SID, 0x8000, 0);
    CHECK_EQ(r1.outcome, VSMMU_XLATE_STALL);
    CHECK_EQ(r2.outcome, VSMMU_XLATE_STALL);
    CHECK(r1.stag != r2.stag);
    struct vsmmu_result r3 = tx(&x.e, SID, 0x9000, 0);
    CHECK_EQ(r3.outcome, VSMMU_XLATE_ABORT);
    CHECK_REC(r3.event, EV_DW0(0x10, SID), RNW | CLS_IN, 0x9000, 0);
    CHECK_EQ(env_events_pending(&x.e), 3);
    while (env_event(&x.e, rec))
        ;
    /* retry r1 unchanged: faults again -> a new stall record */
    vsmmu_stall_resume(x.e.s, SID, r1.stag, true, false);
    CHECK_EQ(vsmmu_stall_count(x.e.s), 2);
    CHECK_EQ(env_event(&x.e, rec), 1);
    CHECK_EQ(rec[0], EV_DW0(0x10, SID));
    CHECK(rec[1] & STALLB);
    uint16_t stag1 = (uint16_t)(rec[1] & 0xFFFF);
    /* map 0x7000 and retry: completes, no event */
    s1_map_page(&x.e, &x.p, 0x7000, 0xC000, S1_RW_ALL);
    vsmmu_stall_resume(x.e.s, SID, stag1, true, false);
    CHECK_EQ(vsmmu_stall_count(x.e.s), 1);
    CHECK_EQ(env_event(&x.e, rec), 0);
    /* CMD_STALL_TERM(SID) */
    vsmmu_stall_term(x.e.s, SID + 1);
    CHECK_EQ(vsmmu_stall_count(x.e.s), 1);
    vsmmu_stall_term(x.e.s, SID);
    CHECK_EQ(vsmmu_stall_count(x.e.s), 0);
    /* the event queue disabled: the stall record is kept and written once
     * the queue is enabled again (3.12.2: stall records are never lost) */
    w32(&x.e, R_CR0, CR0_EN);
    struct vsmmu_result r4 = tx(&x.e, SID, 0xA000, 0);
    CHECK_EQ(r4.outcome, VSMMU_XLATE_STALL);
    w32(&x.e, R_CR0, CR0_EN | CR0_EVTQEN);
    CHECK_EQ(env_events_pending(&x.e), 0);
    vsmmu_stall_flush(x.e.s);
    CHECK_EQ(env_event(&x.e, rec), 1);
    CHECK_REC(rec, EV_DW0(0x10, SID), STALLB | r4.stag | RNW | CLS_IN, 0xA000, 0);
    /* SMMUEN 1 -> 0 terminates every stall (6.3.9.6) */
    CHECK_EQ(tx(&x.e, SID, 0xB000, 0).outcome, VSMMU_XLATE_STALL);
    CHECK_EQ(vsmmu_stall_count(x.e.s), 2);
    w32(&x.e, R_CR0, CR0_EVTQEN);
    CHECK_EQ(vsmmu_stall_count(x.e.s), 0);
    w32(&x.e, R_CR0, CR0_EN | CR0_EVTQEN);
    /* reset terminates every stall */
    CHECK_EQ(tx(&x.e, SID, 0xB000, 0).outcome, VSMMU_XLATE_STALL);
    vsmmu_reset(x.e.s);
    CHECK_EQ(vsmmu_stall_count(x.e.s), 0);
    env_close(&x.e);
}

/* Stage-1 descriptor fetch abort: F_WALK_EABT, S2 = 0, CLASS = TT,
 * FetchAddr = the descriptor (7.3.12); never subject to A/R/S. */
static void walk_eabt(void)
{
    struct s1env x;
    s1_open(&x);
    x.cf.a = x.cf.r = false;
    s1_update(&x);
    uint64_t d = kit_ptb_desc_pa(&x.p, VA, 3);
    REQUIRE(d);
    kit_mem_poison(x.e.m, d, 8);
    struct vsmmu_result r = tx(&x.e, SID, VA, VSMMU_TXN_PRIV);
    CHECK_EQ(r.outcome, VSMMU_XLATE_ABORT);
    CHECK_REC(r.event, EV_DW0(0x0B, SID), PNU | RNW | CLS_TT, VA, d);
    env_close(&x.e);
}

/* Probes record nothing and cache nothing. */
static void probe(void)
{
    struct s1env x;
    s1_open(&x);
    unsigned t0 = vsmmu_tlb_count(x.e.s), c0 = vsmmu_cfgc_count(x.e.s);
    struct vsmmu_result r = tx(&x.e, SID, VA, VSMMU_TXN_NOEVENT);
    CHECK_EQ(r.outcome, VSMMU_XLATE_OK);
    CHECK_EQ(r.out_addr, 0xA000);
    CHECK_EQ(vsmmu_tlb_count(x.e.s), t0);
    CHECK_EQ(vsmmu_cfgc_count(x.e.s), c0);
    r = tx(&x.e, SID, 0x7000, VSMMU_TXN_NOEVENT);
    CHECK_EQ(r.outcome, VSMMU_XLATE_ABORT);
    CHECK(r.has_event);
    CHECK_REC(r.event, EV_DW0(0x10, SID), RNW | CLS_IN, 0x7000, 0);
    CHECK_EQ(env_events_pending(&x.e), 0);
    /* a probe of a stalling configuration reports the stall, keeps none */
    x.cf.s = true;
    s1_update(&x);
    r = tx(&x.e, SID, 0x7000, VSMMU_TXN_NOEVENT);
    CHECK_EQ(r.outcome, VSMMU_XLATE_STALL);
    CHECK_EQ(vsmmu_stall_count(x.e.s), 0);
    CHECK_EQ(env_events_pending(&x.e), 0);
    env_close(&x.e);
}

/* Cached translations and configurations stay until invalidated (DESIGN:
 * stale-until-invalidated, IHI0070 3.21). */
static void stale_until_invalidated(void)
{
    struct s1env x;
    s1_open(&x);
    CHECK_EQ(tx(&x.e, SID, VA, 0).out_addr, 0xA000);
    kit_ptb_map(&x.p, VA, 0xF000, 0x1000, 3, S1_RW_ALL);
    CHECK_EQ(tx(&x.e, SID, VA, 0).out_addr, 0xA000);
    struct vsmmu_tlbi op = { .op = VSMMU_TLBI_NH_ALL, .vmid = 0 };
    vsmmu_tlb_invalidate(x.e.s, &op);
    CHECK_EQ(tx(&x.e, SID, VA, 0).out_addr, 0xF000);
    /* the STE becomes invalid: the cached configuration still translates
     * until CFGI_STE */
    struct kit_ste bad;
    memset(&bad, 0, sizeof(bad));
    put_ste(&x.e, x.st + 64 * SID, &bad);
    CHECK_EQ(tx(&x.e, SID, VA, 0).outcome, VSMMU_XLATE_OK);
    vsmmu_cfg_invalidate(x.e.s, VSMMU_CFGI_STE, SID, 0, 0, true);
    CHECK_EQ(tx(&x.e, SID, VA, 0).event[0], EV_DW0(0x04, SID));
    env_close(&x.e);
}

/* TBI0: the top byte is ignored for the walk and TLB matching, the record
 * keeps the full address (7.3.13). */
static void tbi(void)
{
    struct s1env x;
    s1_open(&x);
    x.cf.tbi0 = true;
    s1_update(&x);
    CHECK_EQ(tx(&x.e, SID, 0x5A00000000001010ull, 0).out_addr, 0xA010);
    struct vsmmu_result r = tx(&x.e, SID, 0xA500000000001010ull, 0);
    CHECK(r.from_cache);
    CHECK_EQ(r.out_addr, 0xA010);
    r = tx(&x.e, SID, 0x5A00000000007010ull, 0);
    CHECK_REC(r.event, EV_DW0(0x10, SID), RNW | CLS_IN, 0x5A00000000007010ull, 0);
    env_close(&x.e);
}

/* StreamWorld EL2 (STRW = 10, CR2.E2H = 0): one VA range (TTB0), TTB1
 * fields and ASID ignored, AP[1] treated as 1 so an unprivileged access to
 * an "EL1-only" page is allowed (IHI0070 5.2 STRW, 5.4, 13.4.1). */
static void el2_world(void)
{
    struct s1env x;
    s1_open(&x);
    s1_map_page(&x.e, &x.p, 0x4000, 0xD000, S1_RW_PRIV);
    struct vsmmu_result r = tx(&x.e, SID, 0x4000, 0);
    CHECK_EQ(r.outcome, VSMMU_XLATE_ABORT);          /* NS-EL1: F_PERMISSION */
    CHECK_EQ(r.event[0], EV_DW0(0x13, SID));
    x.sf.strw = 2;
    x.cf.epd1 = false;
    x.cf.t1sz = 63;
    x.cf.tg1 = 0;
    x.cf.asid = 0xFF00;
    s1_update(&x);
    r = tx(&x.e, SID, 0x4000, VSMMU_TXN_WRITE);
    CHECK_EQ(r.outcome, VSMMU_XLATE_OK);
    CHECK_EQ(r.out_addr, 0xD000);
    /* VA[55] = 1 does not select TTB1: outside the single range */
    r = tx(&x.e, SID, 0xFFFF000000004000ull, 0);
    CHECK_REC(r.event, EV_DW0(0x10, SID), RNW | CLS_IN, 0xFFFF000000004000ull, 0);
    env_close(&x.e);
}

/* E0PD0 (v3.3): unprivileged accesses through TTB0 take F_TRANSLATION, even
 * when a privileged access already cached the page (5.4 E0PD0). */
static void e0pd_on_hit(void)
{
    struct vsmmu_config c;
    vsmmu_config_profile(&c, "full-v3.3");
    c.oas_bits = 48;
    c.sidsize = 16;
    struct s1env x;
    s1_open_cfg(&x, &c);
    x.cf.e0pd0 = true;
    s1_update(&x);
    CHECK_EQ(tx(&x.e, SID, VA, VSMMU_TXN_PRIV).out_addr, 0xA000);
    struct vsmmu_result r = tx(&x.e, SID, VA, 0);
    CHECK_EQ(r.outcome, VSMMU_XLATE_ABORT);
    CHECK_REC(r.event, EV_DW0(0x10, SID), RNW | CLS_IN, VA, 0);
    CHECK(tx(&x.e, SID, VA, VSMMU_TXN_PRIV).from_cache);
    env_close(&x.e);
}

/* ---- stage 2 and nested --------------------------------------------------------- */

/* Stage 2: 4K, S2T0SZ 24 (40-bit IPA), S2SL0 10 (level 0), identity map of
 * [0, 16 MB) in 2 MB blocks plus IPA 0x40000000 -> `extra` (one page). */
struct s2env {
    struct env e;
    uint64_t st;
    struct kit_ptb p2;
    struct kit_ste sf;
};

static void s2_open_lvl(struct s2env *x, int level)
{
    memset(x, 0, sizeof(*x));
    env_open(&x->e);
    x->st = env_linear(&x->e, 4, CR2_RECINV);
    if (kit_ptb_init_s2(&x->p2, x->e.m, 12, 2, 24) ||
        kit_ptb_map(&x->p2, 0, 0, C_RAM_SIZE, level, S2_RW))
        exit(5);
    kit_ste_s2(&x->sf, kit_ptb_ttb(&x->p2), 40, 7);
    put_ste(&x->e, x->st + 64 * SID, &x->sf);
}

static void s2_open(struct s2env *x)
{
    s2_open_lvl(x, 2);
}

static void stage2_translates(void)
{
    struct s2env x;
    s2_open(&x);
    struct vsmmu_result r = tx(&x.e, SID, 0x345678, VSMMU_TXN_WRITE);
    CHECK_EQ(r.outcome, VSMMU_XLATE_OK);
    CHECK_EQ(r.out_addr, 0x345678);
    CHECK_EQ(r.size_log2, 21);
    r = tx(&x.e, SID, 0x345000, 0);
    CHECK(r.from_cache);
    /* stage 2 Normal WB combined with the incoming attributes after the STE
     * override MTCFG = 1, MemAttr = 0001 (Device-nGnRE): Device-nGnRE wins
     * (Arm ARM D8.6.5), Device is Outer Shareable */
    x.sf.mtcfg = true;
    x.sf.memattr = 1;
    put_ste(&x.e, x.st + 64 * SID, &x.sf);
    env_inval(&x.e);
    r = tx(&x.e, SID, 0x345678, 0);
    CHECK_EQ(r.outcome, VSMMU_XLATE_OK);
    CHECK_EQ(r.memattr, 0x04);
    CHECK_EQ(r.sh, 2);
    /* another STE with the same VMID and no override: Normal WB, ISH, not
     * the first STE's Device view (the VMID-tagged entry is not shared) */
    struct kit_ste f2 = x.sf;
    f2.mtcfg = false;
    f2.memattr = 0;
    put_ste(&x.e, x.st + 64 * (SID + 1), &f2);
    r = tx(&x.e, SID + 1, 0x345678, 0);
    CHECK_EQ(r.memattr, 0xFF);
    CHECK_EQ(r.sh, 3);
    r = tx(&x.e, SID, 0x345678, 0);
    CHECK_EQ(r.memattr, 0x04);
    x.sf.mtcfg = false;
    x.sf.memattr = 0;
    put_ste(&x.e, x.st + 64 * SID, &x.sf);
    env_inval(&x.e);
    /* IPA beyond the mapping: stage-2 F_TRANSLATION, S2 = 1, CLASS IN,
     * IPA = the input (stage 1 bypassed) in DW3[51:12] */
    r = tx(&x.e, SID, 0x1000123, 0);
    CHECK_EQ(r.outcome, VSMMU_XLATE_ABORT);
    CHECK_REC(r.event, EV_DW0(0x10, SID), RNW | S2BIT | CLS_IN, 0x1000123, 0x1000000);
    /* IPA >= 2^40 (S2T0SZ range): stage-2 F_TRANSLATION too */
    r = tx(&x.e, SID, 1ull << 40, 0);
    CHECK_REC(r.event, EV_DW0(0x10, SID), RNW | S2BIT | CLS_IN, 1ull << 40, 1ull << 40);
    /* input >= 2^IAS (48) with stage 1 bypassed: stage-1 F_ADDR_SIZE,
     * recorded even with S2R = 0 (3.4.1) */
    x.sf.s2r = false;
    put_ste(&x.e, x.st + 64 * SID, &x.sf);
    env_inval(&x.e);
    r = tx(&x.e, SID, 1ull << 48, 0);
    CHECK_REC(r.event, EV_DW0(0x11, SID), RNW | CLS_IN, 1ull << 48, 0);
    /* S2R = 0: stage-2 faults abort silently */
    r = tx(&x.e, SID, 0x1000123, 0);
    CHECK_EQ(r.outcome, VSMMU_XLATE_ABORT);
    CHECK(!r.has_event);
    /* S2S = 1: stall, recorded with Stall and STAG */
    x.sf.s2s = true;
    put_ste(&x.e, x.st + 64 * SID, &x.sf);
    env_inval(&x.e);
    r = tx(&x.e, SID, 0x1000123, 0);
    CHECK_EQ(r.outcome, VSMMU_XLATE_STALL);
    CHECK_REC(r.event, EV_DW0(0x10, SID), STALLB | r.stag | RNW | S2BIT | CLS_IN, 0x1000123,
              0x1000000);
    env_close(&x.e);
}

/* Nested (Config 111): the CD pointer is an IPA translated by stage 2;
 * stage-1 table addresses too (3.4.3, 7.3.9). */
static void nested(void)
{
    struct s2env x;
    s2_open(&x);
    struct env *e = &x.e;
    uint64_t cdpa = kit_mem_alloc(e->m, 4096, 4096);
    struct kit_ptb p1 = { 0 };
    struct kit_cd cf;
    kit_cd_s1(&cf, s1_map_page(e, &p1, VA, 0xA000, S1_RW_ALL), 48, 9);
    put_cd(e, cdpa, &cf);
    const uint64_t cd_ipa = 0x40000000;
    x.sf.config = KIT_CFG_NESTED;
    x.sf.s1ctxptr = cd_ipa;
    put_ste(e, x.st + 64 * SID, &x.sf);
    /* CD IPA unmapped: stage-2 F_TRANSLATION, S2 = 1, CLASS = CD, IPA =
     * the CD address; attributes of the input transaction (7.3.13) */
    struct vsmmu_result r = tx(e, SID, VA, VSMMU_TXN_WRITE | VSMMU_TXN_PRIV);
    CHECK_EQ(r.outcome, VSMMU_XLATE_ABORT);
    CHECK_REC(r.event, EV_DW0(0x10, SID), PNU | S2BIT | CLS_CD, VA, cd_ipa);
    /* ... with S2R = 0 it is not recorded (stage-2 fault model) */
    x.sf.s2r = false;
    put_ste(e, x.st + 64 * SID, &x.sf);
    env_inval(e);
    r = tx(e, SID, VA, 0);
    CHECK_EQ(r.outcome, VSMMU_XLATE_ABORT);
    CHECK(!r.has_event);
    /* ... and with S2S = 1 the transaction stalls on the CD fetch (3.12.2:
     * a stage-2 fault while fetching a CD may stall) */
    x.sf.s2s = true;
    put_ste(e, x.st + 64 * SID, &x.sf);
    env_inval(e);
    r = tx(e, SID, VA, 0);
    CHECK_EQ(r.outcome, VSMMU_XLATE_STALL);
    CHECK_REC(r.event, EV_DW0(0x10, SID), STALLB | r.stag | RNW | S2BIT | CLS_CD, VA, cd_ipa);
    vsmmu_stall_term(e->s, SID);
    x.sf.s2s = false;
    x.sf.s2r = true;
    put_ste(e, x.st + 64 * SID, &x.sf);
    /* map the CD IPA: the nested translation completes, VA -> IPA 0xA000 ->
     * PA 0xA000 (identity stage 2) */
    REQUIRE(kit_ptb_map(&x.p2, cd_ipa, cdpa, 0x1000, 3, S2_RW) == 0);
    env_inval(e);
    r = tx(e, SID, VA + 8, 0);
    CHECK_EQ(r.outcome, VSMMU_XLATE_OK);
    CHECK_EQ(r.out_addr, 0xA008);
    /* substreams with S1DSS = 01: a transaction without SSID bypasses stage
     * 1 and is translated by stage 2 alone (VA taken as IPA: 0x1008 ->
     * 0x1008 by the identity stage 2); SSID 0 uses the CD table (a linear
     * table of 2 CDs at the CD IPA, CD 0 = the CD above) */
    x.sf.s1cdmax = 1;
    x.sf.s1dss = 1;
    put_ste(e, x.st + 64 * SID, &x.sf);
    env_inval(e);
    r = tx(e, SID, VA + 8, 0);
    CHECK_EQ(r.outcome, VSMMU_XLATE_OK);
    CHECK_EQ(r.out_addr, VA + 8);
    CHECK(!r.bypass);
    r = txs(e, SID, 0, VA + 8, 0);
    CHECK_EQ(r.out_addr, 0xA008);
    x.sf.s1cdmax = 0;
    x.sf.s1dss = 0;
    put_ste(e, x.st + 64 * SID, &x.sf);
    /* 2-level CD table through stage 2 (S1Fmt = 01, S1CDMax 7: L1 of 2
     * L1CDs): the L1CD address is an IPA too. L1 at IPA 0x50000000
     * (unmapped): stage-2 fault CLASS = CD, IPA = the L1CD (SSID 0x45 ->
     * L1CD 1 at 0x50000008). Mapped, its L2Ptr IPA 0x60000000 is unmapped:
     * the fault names the CD's IPA 0x60000000 + 5 * 64. */
    uint64_t l1pa = kit_mem_alloc(e->m, 4096, 4096);
    kit_w64(e->m, l1pa + 8, kit_l1cd(true, 0x60000000));
    x.sf.s1cdmax = 7;
    x.sf.s1fmt = 1;
    x.sf.s1ctxptr = 0x50000000;
    put_ste(e, x.st + 64 * SID, &x.sf);
    env_inval(e);
    r = txs(e, SID, 0x45, VA, 0);
    CHECK_REC(r.event, EV_DW0_SSID(0x10, SID, 0x45), RNW | S2BIT | CLS_CD, VA, 0x50000000);
    REQUIRE(kit_ptb_map(&x.p2, 0x50000000, l1pa, 0x1000, 3, S2_RW) == 0);
    env_inval(e);
    r = txs(e, SID, 0x45, VA, 0);
    CHECK_REC(r.event, EV_DW0_SSID(0x10, SID, 0x45), RNW | S2BIT | CLS_CD, VA, 0x60000000);
    CHECK_EQ(r.event[3], 0x60000000);    /* IPA[11:0] not recorded: 0x140 dropped */
    uint64_t l2pa = kit_mem_alloc(e->m, 4096, 4096);
    REQUIRE(kit_ptb_map(&x.p2, 0x60000000, l2pa, 0x1000, 3, S2_RW) == 0);
    put_cd(e, l2pa + 5 * 64, &cf);
    env_inval(e);
    r = txs(e, SID, 0x45, VA + 4, 0);
    CHECK_EQ(r.outcome, VSMMU_XLATE_OK);
    CHECK_EQ(r.out_addr, 0xA004);
    x.sf.s1cdmax = 0;
    x.sf.s1fmt = 0;
    x.sf.s1ctxptr = cd_ipa;
    put_ste(e, x.st + 64 * SID, &x.sf);
    /* the CD's PA aborts: F_CD_FETCH with FetchAddr = the PA */
    kit_mem_poison(e->m, cdpa, 64);
    env_inval(e);
    r = tx(e, SID, VA, 0);
    CHECK_REC(r.event, EV_DW0(0x09, SID), 0, 0, cdpa);
    kit_mem_unpoison_all(e->m);
    /* stage-1 table IPA outside stage 2 (TTB0 moved to IPA 0x2000000):
     * stage-2 F_TRANSLATION, CLASS = TT, IPA = the descriptor's IPA */
    cf.ttb0 = 0x2000000;
    put_cd(e, cdpa, &cf);
    env_inval(e);
    r = tx(e, SID, VA, 0);
    CHECK_EQ(r.outcome, VSMMU_XLATE_ABORT);
    CHECK_EQ(r.event[0], EV_DW0(0x10, SID));
    CHECK_EQ(r.event[1], RNW | S2BIT | CLS_TT);
    CHECK_EQ(r.event[3], 0x2000000);
    env_close(e);
}

/* Nested stage-2 permission faults on stage-1 table accesses (7.3.16,
 * events.md §9): the leaf descriptor read needs S2AP read -> TTRnW = 1;
 * the hardware Access-flag update (CD.HA = 1, AF = 0) is a write -> TTRnW
 * = 0. S2 = 1, CLASS = TT, IPA = the descriptor's page. Stage 2 maps
 * [0, 16 MB) with 4 KB pages here so one table page can change. */
static void nested_ttrnw(void)
{
    struct s2env x;
    s2_open_lvl(&x, 3);
    struct env *e = &x.e;
    uint64_t cdpa = kit_mem_alloc(e->m, 4096, 4096);
    struct kit_ptb p1 = { 0 };
    struct kit_cd cf;
    kit_cd_s1(&cf, s1_map_page(e, &p1, VA, 0xA000, S1_RW_ALL & ~PTE_AF), 48, 9);
    cf.ha = true;
    put_cd(e, cdpa, &cf);
    x.sf.config = KIT_CFG_NESTED;
    x.sf.s1ctxptr = cdpa;
    put_ste(e, x.st + 64 * SID, &x.sf);
    uint64_t d = kit_ptb_desc_pa(&p1, VA, 3), page = d & ~0xFFFull;
    REQUIRE(d);
    const uint64_t no_access = PTE_AF | FIELD_PREP(PTE_S2_MEMATTR, 0xf) | FIELD_PREP(PTE_SH, 3);
    REQUIRE(kit_ptb_map(&x.p2, page, page, 0x1000, 3, no_access) == 0);
    struct vsmmu_result r = tx(e, SID, VA, 0);
    CHECK_EQ(r.outcome, VSMMU_XLATE_ABORT);
    CHECK_REC(r.event, EV_DW0(0x13, SID), RNW | S2BIT | CLS_TT | (1ull << 44), VA, page);
    REQUIRE(kit_ptb_map(&x.p2, page, page, 0x1000, 3, S2_RO) == 0);
    env_inval(e);
    r = tx(e, SID, VA, 0);
    CHECK_EQ(r.outcome, VSMMU_XLATE_ABORT);
    CHECK_REC(r.event, EV_DW0(0x13, SID), RNW | S2BIT | CLS_TT, VA, page);
    /* stage 2 writable: the AF is set in memory and the read completes */
    REQUIRE(kit_ptb_map(&x.p2, page, page, 0x1000, 3, S2_RW) == 0);
    env_inval(e);
    r = tx(e, SID, VA, 0);
    CHECK_EQ(r.outcome, VSMMU_XLATE_OK);
    CHECK_EQ(r.out_addr, 0xA000);
    CHECK(kit_r64(e->m, d) & PTE_AF);
    env_close(e);
}

/* F_ACCESS (7.3.15): AF = 0, CD.AFFD = 0, CD.HA = 0; with AFFD = 1 the AF
 * is treated as 1. */
static void access_flag(void)
{
    struct s1env x;
    s1_open(&x);
    s1_map_page(&x.e, &x.p, 0x3000, 0xC000, S1_RW_ALL & ~PTE_AF);
    struct vsmmu_result r = tx(&x.e, SID, 0x3010, VSMMU_TXN_PRIV);
    CHECK_EQ(r.outcome, VSMMU_XLATE_ABORT);
    CHECK_REC(r.event, EV_DW0(0x12, SID), PNU | RNW | CLS_IN, 0x3010, 0);
    x.cf.affd = true;
    s1_update(&x);
    r = tx(&x.e, SID, 0x3010, VSMMU_TXN_PRIV);
    CHECK_EQ(r.outcome, VSMMU_XLATE_OK);
    CHECK_EQ(r.out_addr, 0xC010);
    /* a SubstreamID wider than 20 bits is refused (C_BAD_SUBSTREAMID; the
     * record holds SubstreamID[19:0]) */
    r = txs(&x.e, SID, 0x100005, 0x3010, 0);
    CHECK_REC(r.event, 0x08 | 5ull << 12 | (uint64_t)SID << 32, 0, 0, 0);
    env_close(&x.e);
}

/* ---- trace --------------------------------------------------------------------- */

struct tlog { unsigned n[VSMMU_TR_IRQ + 1]; };

static void trace_fn(void *opaque, const struct vsmmu_trace_rec *rec)
{
    struct tlog *l = opaque;
    if ((unsigned)rec->kind <= VSMMU_TR_IRQ)
        l->n[rec->kind]++;
}

static void trace(void)
{
    struct s1env x;
    s1_open(&x);
    struct tlog l;
    memset(&l, 0, sizeof(l));
    vsmmu_set_trace(x.e.s, trace_fn, &l);
    tx(&x.e, SID, VA, 0);
    tx(&x.e, SID, 0x7000, 0);
    vsmmu_set_trace(x.e.s, NULL, NULL);
    CHECK_EQ(l.n[VSMMU_TR_TXN], 2);
    CHECK_EQ(l.n[VSMMU_TR_STE], 1);
    CHECK_EQ(l.n[VSMMU_TR_CD], 1);
    CHECK_EQ(l.n[VSMMU_TR_RESULT], 1);
    CHECK_EQ(l.n[VSMMU_TR_FAULT], 1);
    env_close(&x.e);
}

int main(void)
{
    RUN(stage1_translates);
    RUN(fault_model_stage1);
    RUN(stalls);
    RUN(walk_eabt);
    RUN(probe);
    RUN(stale_until_invalidated);
    RUN(tbi);
    RUN(el2_world);
    RUN(e0pd_on_hit);
    RUN(stage2_translates);
    RUN(nested);
    RUN(nested_ttrnw);
    RUN(access_flag);
    RUN(trace);
    return t_done();
}
