/* SPDX-License-Identifier: MIT */
/* Command queue: decoding and validation of every opcode (IHI0070 4.1-4.7,
 * commands.md), TLBI range computation (4.4.1), consumption, CERROR and the
 * restart after GERRORN (7.1), CMD_SYNC completion signals (4.7.3). */
#include <stddef.h>

#include "test.h"
#include "qtest.h"

/* ---- validation table ------------------------------------------------------- */

enum cfgv { V_FULL, V_S2ONLY, V_S1ONLY, V_NOHYP, V_NOATS, V_TERMONLY, V_NORIL, V_V30,
            V_VMID8, V_ASID8 };

static void mkcfg(enum cfgv v, struct vsmmu_config *c)
{
    vsmmu_config_default(c);      /* full v3.2: S1P S2P HYP ATS PRI RIL MSI SEV, stalls */
    switch (v) {
    case V_S2ONLY: c->s1p = false; c->hyp = false; c->had = false; break;
    case V_S1ONLY: c->s2p = false; c->hyp = false; c->vmid16 = false; c->vmw = false; break;
    case V_NOHYP: c->arch_minor = 1; c->hyp = false; break;
    case V_NOATS: c->ats = false; c->pri = false; break;
    case V_TERMONLY: c->stall_model = VSMMU_TERM_ONLY; c->stall_max = 0; break;
    case V_NORIL: c->arch_minor = 1; c->ril = false; break;
    case V_V30: c->arch_minor = 0; c->ril = false; c->bbml = 0; c->fwb = false; c->xnx = false;
        c->had = false; c->pbha = false; c->vax52 = false; break;
    case V_VMID8: c->vmid16 = false; break;
    case V_ASID8: c->asid16 = false; break;
    default: break;
    }
}

struct vcase {
    const char *name;
    enum cfgv cfg;
    uint64_t d0, d1;
    int err;           /* expected CERROR */
};

#define R(a, n, s, t, g, l) (&(struct kit_tlbi_range){ .addr = (a), .num = (n), .scale = (s), \
                                                       .ttl = (t), .tg = (g), .leaf = (l) })

/* Build the table at run time from the kit encoders. Expected values come
 * from commands.md §2-5 / IHI0070 4.1.3-4.7. */
static unsigned build_cases(struct vcase *v)
{
    unsigned n = 0;
    uint64_t c[2];
#define ADD(nm, cf, e) do { v[n].name = (nm); v[n].cfg = (cf); v[n].d0 = c[0]; v[n].d1 = c[1]; \
                            v[n].err = (e); n++; } while (0)
#define RAW(nm, cf, a, b, e) do { c[0] = (a); c[1] = (b); ADD(nm, cf, e); } while (0)

    /* Every opcode, well formed, on the full implementation: accepted. */
    kit_cmd_prefetch_config(c, 7, true, 3); ADD("PREFETCH_CONFIG", V_FULL, 0);
    kit_cmd_prefetch_addr(c, 7, false, 0, 0x1234000, 3, 2); ADD("PREFETCH_ADDR", V_FULL, 0);
    kit_cmd_cfgi_ste(c, 5, true); ADD("CFGI_STE", V_FULL, 0);
    kit_cmd_cfgi_ste_range(c, 5, 3); ADD("CFGI_STE_RANGE", V_FULL, 0);
    kit_cmd_cfgi_all(c); ADD("CFGI_ALL", V_FULL, 0);
    kit_cmd_cfgi_cd(c, 5, 9, false); ADD("CFGI_CD", V_FULL, 0);
    kit_cmd_cfgi_cd_all(c, 5); ADD("CFGI_CD_ALL", V_FULL, 0);
    kit_cmd_tlbi_nh_all(c, 3); ADD("TLBI_NH_ALL", V_FULL, 0);
    kit_cmd_tlbi_nh_asid(c, 3, 0x1234); ADD("TLBI_NH_ASID", V_FULL, 0);
    kit_cmd_tlbi_nh_va(c, 3, 4, R(0x10000, 2, 0, 3, KIT_TG_4K, true)); ADD("TLBI_NH_VA", V_FULL, 0);
    kit_cmd_tlbi_nh_vaa(c, 3, R(0x10000, 0, 0, 0, 0, false)); ADD("TLBI_NH_VAA", V_FULL, 0);
    kit_cmd_tlbi_el2_all(c); ADD("TLBI_EL2_ALL", V_FULL, 0);
    kit_cmd_tlbi_el2_asid(c, 9); ADD("TLBI_EL2_ASID", V_FULL, 0);
    kit_cmd_tlbi_el2_va(c, 9, R(0xffff000000001000, 0, 1, 0, KIT_TG_4K, false)); ADD("TLBI_EL2_VA", V_FULL, 0);
    kit_cmd_tlbi_el2_vaa(c, R(0x2000, 0, 0, 0, 0, true)); ADD("TLBI_EL2_VAA", V_FULL, 0);
    kit_cmd_tlbi_s12_vmall(c, 77); ADD("TLBI_S12_VMALL", V_FULL, 0);
    kit_cmd_tlbi_s2_ipa(c, 77, R(0xfffffffff000, 1, 2, 2, KIT_TG_64K, true)); ADD("TLBI_S2_IPA", V_FULL, 0);
    kit_cmd_tlbi_nsnh_all(c); ADD("TLBI_NSNH_ALL", V_FULL, 0);
    kit_cmd_atc_inv(c, 5, true, 1, true, 0x40000, 52); ADD("ATC_INV size 52", V_FULL, 0);
    kit_cmd_pri_resp(c, 5, true, 1, 0x1ff, KIT_PRI_SUCCESS); ADD("PRI_RESP", V_FULL, 0);
    kit_cmd_resume(c, 5, 0xbeef, true, false); ADD("RESUME", V_FULL, 0);
    kit_cmd_stall_term(c, 5); ADD("STALL_TERM", V_FULL, 0);
    kit_cmd_sync(c, KIT_CS_IRQ, 0x40001000, 0xdead, 3, 0xf); ADD("SYNC IRQ", V_FULL, 0);
    kit_cmd_sync(c, KIT_CS_SEV, 0, 0, 0, 0); ADD("SYNC SEV", V_FULL, 0);
    kit_cmd_sync(c, KIT_CS_NONE, 0, 0, 1, 0); ADD("SYNC MSH=01 (reserved, treated as NSH)", V_FULL, 0);

    /* Reserved and Secure-only opcodes (4.1.1): CERROR_ILL. */
    RAW("opcode 0x00", V_FULL, 0x00, 0, CERROR_ILL);
    RAW("opcode 0x08", V_FULL, 0x08, 0, CERROR_ILL);
    RAW("opcode 0x14", V_FULL, 0x14, 0, CERROR_ILL);
    RAW("TLBI_EL3_ALL on the NS queue", V_FULL, 0x18, 0, CERROR_ILL);
    RAW("TLBI_EL3_VA on the NS queue", V_FULL, 0x1A, 0, CERROR_ILL);
    RAW("opcode 0x29", V_FULL, 0x29, 0, CERROR_ILL);
    RAW("opcode 0x42", V_FULL, 0x42, 0, CERROR_ILL);
    RAW("opcode 0x47", V_FULL, 0x47, 0, CERROR_ILL);
    RAW("TLBI_S_EL2_ALL", V_FULL, 0x50, 0, CERROR_ILL);
    RAW("TLBI_S_S12_VMALL", V_FULL, 0x58, 0, CERROR_ILL);
    RAW("TLBI_SNH_ALL", V_FULL, 0x60, 0, CERROR_ILL);
    RAW("DPTI_ALL without DPT", V_FULL, 0x70, 0, CERROR_ILL);
    RAW("IMPDEF 0x80", V_FULL, 0x80, 0, CERROR_ILL);
    RAW("opcode 0xff", V_FULL, 0xff, 0, CERROR_ILL);
    RAW("CFGI_VMS_PIDM without MPAM", V_FULL, 0x07, 0, CERROR_ILL);

    /* SSec == 1 on the Non-secure queue (4.1.6). */
    kit_cmd_cfgi_ste(c, 5, false); c[0] |= 1u << 10; ADD("CFGI_STE SSec=1", V_FULL, CERROR_ILL);
    kit_cmd_prefetch_config(c, 5, false, 0); c[0] |= 1u << 10; ADD("PREFETCH_CONFIG SSec=1", V_FULL, CERROR_ILL);
    kit_cmd_resume(c, 5, 1, true, false); c[0] |= 1u << 10; ADD("RESUME SSec=1", V_FULL, CERROR_ILL);
    kit_cmd_stall_term(c, 5); c[0] |= 1u << 10; ADD("STALL_TERM SSec=1", V_FULL, CERROR_ILL);
    kit_cmd_cfgi_cd_all(c, 5); c[0] |= 1u << 10; ADD("CFGI_CD_ALL SSec=1", V_FULL, CERROR_ILL);

    /* Non-zero RES0 fields (4.1.5, first option). */
    kit_cmd_cfgi_ste(c, 5, true); c[1] |= 2; ADD("CFGI_STE DW1[1]", V_FULL, CERROR_ILL);
    kit_cmd_cfgi_ste_range(c, 5, 3); c[1] |= 1u << 5; ADD("CFGI_STE_RANGE DW1[5]", V_FULL, CERROR_ILL);
    kit_cmd_cfgi_cd(c, 5, 1, true); c[0] |= 1u << 11; ADD("CFGI_CD has no SSV", V_FULL, CERROR_ILL);
    kit_cmd_tlbi_nh_all(c, 1); c[0] |= 1u << 8; ADD("TLBI_NH_ALL DW0[8]", V_FULL, CERROR_ILL);
    kit_cmd_tlbi_nh_all(c, 1); c[0] |= UINT64_C(1) << 48; ADD("TLBI_NH_ALL ASID field", V_FULL, CERROR_ILL);
    kit_cmd_tlbi_nh_vaa(c, 1, R(0x1000, 0, 0, 0, 0, false)); c[0] |= UINT64_C(1) << 48;
    ADD("TLBI_NH_VAA ASID field", V_FULL, CERROR_ILL);
    kit_cmd_tlbi_nh_va(c, 1, 1, R(0x1000, 0, 0, 0, 0, false)); c[1] |= 1u << 1;
    ADD("TLBI_NH_VA DW1[1]", V_FULL, CERROR_ILL);
    kit_cmd_tlbi_nh_va(c, 1, 1, R(0x1000, 1, 0, 3, 1, false)); c[1] |= 1u << 7;
    ADD("TLBI_NH_VA TTL128 (v3.4 only)", V_FULL, CERROR_ILL);
    kit_cmd_tlbi_nh_va(c, 1, 1, R(0x1000, 1, 0, 3, 1, false)); c[0] |= UINT64_C(1) << 25;
    ADD("TLBI_NH_VA SCALE[5] without DS", V_FULL, CERROR_ILL);
    kit_cmd_tlbi_el2_all(c); c[0] |= UINT64_C(1) << 32; ADD("TLBI_EL2_ALL VMID field", V_FULL, CERROR_ILL);
    kit_cmd_tlbi_s12_vmall(c, 1); c[1] = 1; ADD("TLBI_S12_VMALL DW1", V_FULL, CERROR_ILL);
    kit_cmd_tlbi_s2_ipa(c, 1, R(0x1000, 0, 0, 0, 0, false)); c[1] |= UINT64_C(1) << 52;
    ADD("TLBI_S2_IPA IPA[52] (RES0 v3.1-3.3)", V_FULL, CERROR_ILL);
    kit_cmd_tlbi_s2_ipa(c, 1, R(0x1000, 0, 0, 0, 0, false)); c[1] |= UINT64_C(1) << 48;
    ADD("TLBI_S2_IPA IPA[48] v3.2", V_FULL, 0);
    kit_cmd_tlbi_s2_ipa(c, 1, R(0x1000, 0, 0, 0, 0, false)); c[1] |= UINT64_C(1) << 48;
    ADD("TLBI_S2_IPA IPA[48] v3.0 (RES0)", V_V30, CERROR_ILL);
    kit_cmd_tlbi_nsnh_all(c); c[0] |= UINT64_C(1) << 63; ADD("TLBI_NSNH_ALL DW0[63]", V_FULL, CERROR_ILL);
    kit_cmd_atc_inv(c, 5, false, 0, false, 0x1000, 0); c[1] |= 1u << 6; ADD("ATC_INV DW1[6]", V_FULL, CERROR_ILL);
    kit_cmd_pri_resp(c, 5, false, 0, 1, 1); c[1] |= 1u << 9; ADD("PRI_RESP DW1[9]", V_FULL, CERROR_ILL);
    kit_cmd_resume(c, 5, 1, true, false); c[1] |= UINT64_C(1) << 16; ADD("RESUME DW1[16]", V_FULL, CERROR_ILL);
    kit_cmd_resume(c, 5, 1, true, false); c[0] |= 1u << 11; ADD("RESUME DW0[11]", V_FULL, CERROR_ILL);
    kit_cmd_sync(c, KIT_CS_NONE, 0, 0, 0, 0); c[1] = 1; ADD("SYNC MSIAddress[0]", V_FULL, CERROR_ILL);
    kit_cmd_sync(c, KIT_CS_NONE, 0, 0, 0, 0); c[1] = UINT64_C(1) << 52; ADD("SYNC MSIAddress[52]", V_FULL, CERROR_ILL);
    kit_cmd_sync(c, KIT_CS_NONE, 0, 0, 0, 0); c[0] |= 1u << 14; ADD("SYNC DW0[14]", V_FULL, CERROR_ILL);
    kit_cmd_prefetch_addr(c, 5, false, 0, 0x1000, 0, 0); c[1] |= 1u << 11; ADD("PREFETCH_ADDR NS", V_FULL, CERROR_ILL);
    kit_cmd_prefetch_addr(c, 5, false, 0, 0x1000, 0, 1); ADD("PREFETCH_ADDR Stride v3.0", V_V30, CERROR_ILL);

    /* Illegal parameter values. */
    kit_cmd_sync(c, 3, 0, 0, 0, 0); ADD("SYNC CS=0b11", V_FULL, CERROR_ILL);
    kit_cmd_pri_resp(c, 5, false, 0, 1, 3); ADD("PRI_RESP Resp=0b11", V_FULL, CERROR_ILL);
    kit_cmd_atc_inv(c, 5, false, 0, false, 0, 53); ADD("ATC_INV Size=53", V_FULL, CERROR_ILL);
    kit_cmd_tlbi_nh_va(c, 1, 1, R(0x1000, 0, 0, 0, KIT_TG_4K, true));
    ADD("NH_VA TG=4K NUM=SCALE=TTL=0", V_FULL, CERROR_ILL);
    kit_cmd_tlbi_s2_ipa(c, 1, R(0x1000, 0, 0, 1, KIT_TG_16K, true));
    ADD("S2_IPA TG=16K TTL=01 NUM=SCALE=0 (TTL treated as 00)", V_FULL, CERROR_ILL);
    kit_cmd_tlbi_el2_vaa(c, R(0x1000, 0, 0, 3, KIT_TG_64K, true)); ADD("EL2_VAA TG=64K TTL=3", V_FULL, 0);
    kit_cmd_tlbi_nh_vaa(c, 1, R(0x1000, 1, 0, 0, 0, true)); ADD("NH_VAA TG=0 NUM=1", V_FULL, CERROR_ILL);
    kit_cmd_tlbi_nh_vaa(c, 1, R(0x1000, 0, 0, 2, 0, true)); ADD("NH_VAA TG=0 TTL=2", V_FULL, CERROR_ILL);
    kit_cmd_tlbi_nh_vaa(c, 1, R(0x1000, 1, 0, 3, KIT_TG_4K, true)); ADD("NH_VAA range without RIL", V_NORIL, CERROR_ILL);
    kit_cmd_tlbi_nh_vaa(c, 1, R(0x1000, 0, 0, 0, 0, true)); ADD("NH_VAA single without RIL", V_NORIL, 0);

    /* Commands irrelevant to the implementation (4.1.3, commands.md §2). */
    kit_cmd_tlbi_nh_all(c, 0); ADD("NH_ALL without S1P", V_S2ONLY, CERROR_ILL);
    kit_cmd_tlbi_nh_asid(c, 0, 1); ADD("NH_ASID without S1P", V_S2ONLY, CERROR_ILL);
    kit_cmd_tlbi_nh_va(c, 0, 1, R(0x1000, 0, 0, 0, 0, 0)); ADD("NH_VA without S1P", V_S2ONLY, CERROR_ILL);
    kit_cmd_tlbi_nh_vaa(c, 0, R(0x1000, 0, 0, 0, 0, 0)); ADD("NH_VAA without S1P", V_S2ONLY, CERROR_ILL);
    kit_cmd_cfgi_cd(c, 1, 0, true); ADD("CFGI_CD without S1P", V_S2ONLY, CERROR_ILL);
    kit_cmd_cfgi_cd_all(c, 1); ADD("CFGI_CD_ALL without S1P", V_S2ONLY, CERROR_ILL);
    kit_cmd_tlbi_s12_vmall(c, 1); ADD("S12_VMALL stage-2 only", V_S2ONLY, 0);
    kit_cmd_tlbi_nsnh_all(c); ADD("NSNH_ALL stage-2 only", V_S2ONLY, 0);
    kit_cmd_tlbi_s12_vmall(c, 0); ADD("S12_VMALL without S2P", V_S1ONLY, CERROR_ILL);
    kit_cmd_tlbi_s2_ipa(c, 0, R(0x1000, 0, 0, 0, 0, 0)); ADD("S2_IPA without S2P", V_S1ONLY, CERROR_ILL);
    kit_cmd_tlbi_nsnh_all(c); ADD("NSNH_ALL stage-1 only", V_S1ONLY, 0);
    kit_cmd_tlbi_el2_all(c); ADD("EL2_ALL without Hyp", V_NOHYP, CERROR_ILL);
    kit_cmd_tlbi_el2_asid(c, 1); ADD("EL2_ASID without Hyp", V_NOHYP, CERROR_ILL);
    kit_cmd_tlbi_el2_va(c, 1, R(0x1000, 0, 0, 0, 0, 0)); ADD("EL2_VA without Hyp", V_NOHYP, CERROR_ILL);
    kit_cmd_tlbi_el2_vaa(c, R(0x1000, 0, 0, 0, 0, 0)); ADD("EL2_VAA without Hyp", V_NOHYP, CERROR_ILL);
    kit_cmd_atc_inv(c, 1, false, 0, false, 0, 0); ADD("ATC_INV without ATS", V_NOATS, CERROR_ILL);
    kit_cmd_pri_resp(c, 1, false, 0, 0, 2); ADD("PRI_RESP without PRI", V_NOATS, CERROR_ILL);
    kit_cmd_resume(c, 1, 1, true, false); ADD("RESUME terminate-only", V_TERMONLY, CERROR_ILL);
    kit_cmd_stall_term(c, 1); ADD("STALL_TERM terminate-only", V_TERMONLY, CERROR_ILL);
    /* 8-bit ASID/VMID with the upper byte set: no error (4.4). */
    kit_cmd_tlbi_s12_vmall(c, 0x1ff); ADD("S12_VMALL VMID 0x1ff, 8-bit VMID", V_VMID8, 0);
    kit_cmd_tlbi_nh_asid(c, 0, 0x1ff); ADD("NH_ASID ASID 0x1ff, 8-bit ASID", V_ASID8, 0);
    return n;
#undef ADD
#undef RAW
}

static void test_validation_table(void)
{
    static struct vcase v[200];
    unsigned n = build_cases(v);
    REQUIRE(n < 200);
    for (unsigned i = 0; i < n; i++) {
        struct vsmmu_config cfg;
        mkcfg(v[i].cfg, &cfg);
        uint64_t cmd[2] = { v[i].d0, v[i].d1 };
        struct vsmmu_cmd o;
        int rc = vsmmu_cmd_decode(&cfg, cmd, &o);
        CHECK_MSG(rc == v[i].err, "%s: CERROR %d, expected %d", v[i].name, rc, v[i].err);
    }
}

/* The same table through the queue: a failing command leaves CONS.RD at it
 * with CONS.ERR set and GERROR.CMDQ_ERR active; a good one is consumed. */
static void test_validation_through_queue(void)
{
    static struct vcase v[200];
    unsigned n = build_cases(v);
    for (unsigned i = 0; i < n; i++) {
        struct vsmmu_config cfg;
        mkcfg(v[i].cfg, &cfg);
        struct qt t;
        REQUIRE(qt_init(&t, &cfg) == 0);
        qt_cmdq(&t, 3);
        uint64_t cmd[2] = { v[i].d0, v[i].d1 };
        qt_put(&t, 0, cmd);
        qt_prod(&t, 1);
        if (v[i].err) {
            CHECK_MSG(t.s->regs.cmdq_cons == (uint32_t)(v[i].err << 24),
                      "%s: CONS 0x%x", v[i].name, t.s->regs.cmdq_cons);
            CHECK_MSG(qt_gerror_active(&t) == GERROR_CMDQ_ERR, "%s: GERROR", v[i].name);
            CHECK_EQ(QT_STAT(&t, cerrors), 1);
            CHECK_EQ(QT_STAT(&t, commands), 0);
        } else {
            CHECK_MSG((t.s->regs.cmdq_cons & 0xfffff) == 1, "%s: CONS 0x%x", v[i].name,
                      t.s->regs.cmdq_cons);
            CHECK_MSG(qt_gerror_active(&t) == 0, "%s: GERROR", v[i].name);
            CHECK_EQ(QT_STAT(&t, commands), 1);
            CHECK_EQ(QT_STAT(&t, cmd_by_opcode[v[i].d0 & 0xff]), 1);
        }
        qt_fini(&t);
    }
}

/* ---- decoded fields ---------------------------------------------------------------- */

static struct vsmmu_cmd dec(enum cfgv cv, const uint64_t c[2], int *rc)
{
    struct vsmmu_config cfg;
    mkcfg(cv, &cfg);
    struct vsmmu_cmd o;
    *rc = vsmmu_cmd_decode(&cfg, c, &o);
    return o;
}

static void test_tlbi_fields(void)
{
    uint64_t c[2];
    int rc;
    struct vsmmu_cmd o;

    /* NH_VA, 4K granule, NUM=2 SCALE=0: (2+1) * 2^0 * 4K = 0x3000 at 0x10000. */
    kit_cmd_tlbi_nh_va(c, 0x12, 0x3456, R(0x10000, 2, 0, 3, KIT_TG_4K, true));
    o = dec(V_FULL, c, &rc);
    CHECK_EQ(rc, 0);
    CHECK_EQ(o.tlbi.op, VSMMU_TLBI_NH_VA);
    CHECK_EQ(o.tlbi.vmid, 0x12);
    CHECK_EQ(o.tlbi.asid, 0x3456);
    CHECK_EQ(o.tlbi.addr, 0x10000);
    CHECK_EQ(o.tlbi.size, 0x3000);
    CHECK_EQ(o.tlbi.tg_log2, 12);
    CHECK_EQ(o.tlbi.ttl, 3);
    CHECK(o.tlbi.leaf);
    CHECK(!o.no_effect);

    /* NUM=0 SCALE=5: 1 * 32 * 4K = 0x20000. */
    kit_cmd_tlbi_nh_va(c, 0, 1, R(0x13000, 0, 5, 3, KIT_TG_4K, true));
    o = dec(V_FULL, c, &rc);
    CHECK_EQ(o.tlbi.size, 0x20000);
    CHECK_EQ(o.tlbi.addr, 0x13000);

    /* 16K granule, TTL=01 is treated as 00 without DS: NUM=1 -> 2 * 16K. */
    kit_cmd_tlbi_nh_vaa(c, 0, R(0x8000, 1, 0, 1, KIT_TG_16K, false));
    o = dec(V_FULL, c, &rc);
    CHECK_EQ(rc, 0);
    CHECK_EQ(o.tlbi.op, VSMMU_TLBI_NH_VAA);
    CHECK_EQ(o.tlbi.size, 0x8000);
    CHECK_EQ(o.tlbi.tg_log2, 14);
    CHECK_EQ(o.tlbi.ttl, 0);
    CHECK(!o.tlbi.leaf);

    /* Largest range: 64K granule NUM=31 SCALE=31 = 32 * 2^31 * 64K = 2^52;
     * starting at 0xFFFFF00000000000 it is clipped at 2^64 (no wrap):
     * 2^64 - 0xFFFFF00000000000 = 0x100000000000. */
    kit_cmd_tlbi_el2_vaa(c, R(0xFFFFF00000000000, 31, 31, 3, KIT_TG_64K, true));
    o = dec(V_FULL, c, &rc);
    CHECK_EQ(rc, 0);
    CHECK_EQ(o.tlbi.op, VSMMU_TLBI_EL2_VAA);
    CHECK_EQ(o.tlbi.size, UINT64_C(0x100000000000));
    kit_cmd_tlbi_el2_va(c, 7, R(0x0, 31, 31, 3, KIT_TG_64K, true));
    o = dec(V_FULL, c, &rc);
    CHECK_EQ(o.tlbi.size, UINT64_C(1) << 52);
    CHECK_EQ(o.tlbi.asid, 7);

    /* Non-range form (TG=0): one 4K page; TTL/granule unknown. */
    kit_cmd_tlbi_nh_vaa(c, 0, R(0xabcdef000, 0, 0, 0, 0, true));
    o = dec(V_FULL, c, &rc);
    CHECK_EQ(o.tlbi.addr, 0xabcdef000);
    CHECK_EQ(o.tlbi.size, 0x1000);
    CHECK_EQ(o.tlbi.tg_log2, 0);
    CHECK_EQ(o.tlbi.ttl, 0);

    /* S2_IPA: IPA [51:12], 64K granule NUM=1 SCALE=2: 2 * 4 * 64K = 0x80000. */
    kit_cmd_tlbi_s2_ipa(c, 0xffff, R(0xfffffff80000, 1, 2, 2, KIT_TG_64K, true));
    o = dec(V_FULL, c, &rc);
    CHECK_EQ(rc, 0);
    CHECK_EQ(o.tlbi.op, VSMMU_TLBI_S2_IPA);
    CHECK_EQ(o.tlbi.vmid, 0xffff);
    CHECK_EQ(o.tlbi.addr, 0xfffffff80000);
    CHECK_EQ(o.tlbi.size, 0x80000);
    CHECK_EQ(o.tlbi.ttl, 2);

    /* Without RIL every address TLBI covers one 4K page. */
    kit_cmd_tlbi_s2_ipa(c, 1, R(0x5000, 0, 0, 0, 0, false));
    o = dec(V_NORIL, c, &rc);
    CHECK_EQ(o.tlbi.size, 0x1000);

    /* Widths: 8-bit VMID with upper byte set -> no effect; 16-bit -> used. */
    kit_cmd_tlbi_s12_vmall(c, 0x1ff);
    o = dec(V_VMID8, c, &rc);
    CHECK(o.no_effect);
    o = dec(V_FULL, c, &rc);
    CHECK(!o.no_effect);
    CHECK_EQ(o.tlbi.vmid, 0x1ff);
    kit_cmd_tlbi_el2_asid(c, 0x100);
    o = dec(V_ASID8, c, &rc);
    CHECK(o.no_effect);
    /* Without S2P the NH_* VMID is RES0: 0 acts, non-zero has no effect. */
    kit_cmd_tlbi_nh_all(c, 0);
    o = dec(V_S1ONLY, c, &rc);
    CHECK(!o.no_effect);
    CHECK_EQ(o.tlbi.op, VSMMU_TLBI_NH_ALL);
    kit_cmd_tlbi_nh_all(c, 3);
    o = dec(V_S1ONLY, c, &rc);
    CHECK_EQ(rc, 0);
    CHECK(o.no_effect);
    kit_cmd_tlbi_nsnh_all(c);
    o = dec(V_FULL, c, &rc);
    CHECK_EQ(o.tlbi.op, VSMMU_TLBI_NSNH_ALL);
    kit_cmd_tlbi_el2_all(c);
    o = dec(V_FULL, c, &rc);
    CHECK_EQ(o.tlbi.op, VSMMU_TLBI_EL2_ALL);
    kit_cmd_tlbi_nh_asid(c, 2, 3);
    o = dec(V_FULL, c, &rc);
    CHECK_EQ(o.tlbi.op, VSMMU_TLBI_NH_ASID);
    CHECK_EQ(o.tlbi.vmid, 2);
    CHECK_EQ(o.tlbi.asid, 3);
}

/* Linux's generator (linux-driver.md 2.4 worked examples) produces
 * commands whose decoded ranges tile the request exactly. */
struct gen { uint64_t cmds[8][2]; unsigned n; };
static void gen_emit(void *arg, const struct kit_tlbi_range *r)
{
    struct gen *g = arg;
    if (g->n < 8)
        kit_cmd_tlbi_nh_va(g->cmds[g->n], 0, 1, r);
    g->n++;
}

static void test_linux_ranges(void)
{
    struct gen g = { .n = 0 };
    int rc;
    /* 35 pages at 0x10000, leaf, 4K: (NUM 2, SCALE 0) + (NUM 0, SCALE 5). */
    CHECK_EQ(kit_tlbi_linux_ranges(0x10000, 35 * 4096, 4096, 12, true, true, gen_emit, &g), 2);
    struct vsmmu_cmd a = dec(V_FULL, g.cmds[0], &rc), b = dec(V_FULL, g.cmds[1], &rc);
    CHECK_EQ(a.tlbi.addr, 0x10000);
    CHECK_EQ(a.tlbi.size, 3 * 4096);
    CHECK_EQ(a.tlbi.ttl, 3);
    CHECK_EQ(b.tlbi.addr, 0x13000);
    CHECK_EQ(b.tlbi.size, 32 * 4096);
    /* 1 page non-leaf: over-invalidates 2 pages (NUM 0, SCALE 1, TTL 0). */
    g.n = 0;
    CHECK_EQ(kit_tlbi_linux_ranges(0x7000, 4096, 4096, 12, false, true, gen_emit, &g), 1);
    a = dec(V_FULL, g.cmds[0], &rc);
    CHECK_EQ(rc, 0);
    CHECK_EQ(a.tlbi.size, 2 * 4096);
    CHECK_EQ(a.tlbi.ttl, 0);
    /* 2 MiB block, leaf, granule 2M: NUM 0, SCALE 9, TTL 2. */
    g.n = 0;
    CHECK_EQ(kit_tlbi_linux_ranges(0x200000, 0x200000, 0x200000, 12, true, true, gen_emit, &g), 1);
    a = dec(V_FULL, g.cmds[0], &rc);
    CHECK_EQ(a.tlbi.size, 0x200000);
    CHECK_EQ(a.tlbi.ttl, 2);
    /* Without RIL: one command per granule. */
    g.n = 0;
    CHECK_EQ(kit_tlbi_linux_ranges(0x10000, 3 * 4096, 4096, 12, true, false, gen_emit, &g), 3);
    a = dec(V_NORIL, g.cmds[2], &rc);
    CHECK_EQ(rc, 0);
    CHECK_EQ(a.tlbi.addr, 0x12000);
}

static void test_other_fields(void)
{
    uint64_t c[2];
    int rc;
    struct vsmmu_cmd o;

    kit_cmd_sync(c, KIT_CS_IRQ, 0x0000fedcba987654, 0xcafef00d, 3, 0xf);
    o = dec(V_FULL, c, &rc);
    CHECK_EQ(rc, 0);
    CHECK_EQ(o.cs, CMD_SYNC_CS_IRQ);
    CHECK_EQ(o.msiaddr, 0x0000fedcba987654);   /* bits [1:0] dropped by the encoder: ..54 */
    CHECK_EQ(o.msidata, 0xcafef00d);
    CHECK_EQ(o.msh, 3);
    CHECK_EQ(o.msiattr, 0xf);

    kit_cmd_resume(c, 0x89abcdef, 0x1234, false, true);
    o = dec(V_FULL, c, &rc);
    CHECK_EQ(o.sid, 0x89abcdef);
    CHECK_EQ(o.stag, 0x1234);
    CHECK(!o.retry);
    CHECK(o.abort);
    /* TERM_MODEL == 1: terminate always aborts. */
    kit_cmd_resume(c, 1, 1, false, false);
    struct vsmmu_config cfg;
    mkcfg(V_FULL, &cfg);
    cfg.term_model = true;
    CHECK_EQ(vsmmu_cmd_decode(&cfg, c, &o), 0);
    CHECK(o.abort);

    kit_cmd_pri_resp(c, 42, true, 0xfffff, 0x155, KIT_PRI_INVALID);
    o = dec(V_FULL, c, &rc);
    CHECK_EQ(o.sid, 42);
    CHECK(o.ssv);
    CHECK_EQ(o.ssid, 0xfffff);
    CHECK_EQ(o.prgi, 0x155);
    CHECK_EQ(o.resp, CMD_PRI_RESP_INVALID);

    kit_cmd_atc_inv(c, 9, false, 5, true, 0x123456789000, 20);
    o = dec(V_FULL, c, &rc);
    CHECK_EQ(o.sid, 9);
    CHECK(!o.ssv);
    CHECK_EQ(o.ssid, 0);          /* SubstreamID ignored without SSV */
    CHECK(o.global);
    CHECK_EQ(o.size, 20);
    CHECK_EQ(o.addr, 0x123456789000);

    kit_cmd_cfgi_cd(c, 0xffffffff, 0xabcde, false);
    o = dec(V_FULL, c, &rc);
    CHECK_EQ(o.sid, 0xffffffff);
    CHECK_EQ(o.ssid, 0xabcde);
    CHECK(!o.leaf);
    kit_cmd_cfgi_ste_range(c, 0x1234, 4);
    o = dec(V_FULL, c, &rc);
    CHECK_EQ(o.range, 4);
}

/* ---- consumption ------------------------------------------------------------------ */

static void test_consume_and_sync(void)
{
    struct qt t;
    REQUIRE(qt_init(&t, NULL) == 0);
    qt_cmdq(&t, 4);
    uint64_t c[2];
    kit_cmd_cfgi_all(c); qt_put(&t, 0, c);
    kit_cmd_tlbi_nsnh_all(c); qt_put(&t, 1, c);
    kit_cmd_sync(c, KIT_CS_NONE, 0, 0, 0, 0); qt_put(&t, 2, c);
    qt_prod(&t, 3);
    CHECK_EQ(t.s->regs.cmdq_cons, 3);
    CHECK_EQ(QT_STAT(&t, commands), 3);
    CHECK_EQ(QT_STAT(&t, cmd_by_opcode[CMD_SYNC]), 1);
    CHECK_EQ(QT_STAT(&t, cmd_by_opcode[CMD_CFGI_STE_RANGE]), 1);
    CHECK_EQ(t.s->cmdq.syncs, 1);
    CHECK_EQ(t.m->nmsi, 0);
    /* CMDQEN == 0: nothing is consumed (4.1.2). */
    t.s->regs.cr0 &= ~(uint32_t)CR0_CMDQEN;
    qt_put(&t, 3, c);
    qt_prod(&t, 4);
    CHECK_EQ(t.s->regs.cmdq_cons, 3);
    /* CMDQEN 0 -> 1 starts consumption. */
    t.s->regs.cr0 |= CR0_CMDQEN;
    vsmmu_cmdq_process(t.s);
    CHECK_EQ(t.s->regs.cmdq_cons, 4);
    qt_fini(&t);
}

static void test_wrap(void)
{
    struct qt t;
    REQUIRE(qt_init(&t, NULL) == 0);
    qt_cmdq(&t, 2);              /* 4 entries: index [1:0], wrap bit [2] */
    uint64_t c[2];
    kit_cmd_tlbi_nsnh_all(c);
    for (unsigned i = 0; i < 4; i++)
        qt_put(&t, i, c);
    qt_prod(&t, 3);
    CHECK_EQ(t.s->regs.cmdq_cons, 3);
    /* Three more: indexes 3, 0, 1; PROD = wrap | 2 = 0b110. */
    qt_prod(&t, 6);
    CHECK_EQ(t.s->regs.cmdq_cons, 6);
    /* A full queue (PROD = CONS with different wrap) is 4 commands. */
    qt_prod(&t, 2);              /* 6 -> 2: 0b110 -> 0b010 = 4 entries */
    CHECK_EQ(t.s->regs.cmdq_cons, 2);
    CHECK_EQ(QT_STAT(&t, commands), 10);
    qt_fini(&t);
}

static void test_error_and_restart(void)
{
    struct qt t;
    REQUIRE(qt_init(&t, NULL) == 0);
    qt_cmdq(&t, 3);
    uint64_t c[2];
    kit_cmd_cfgi_all(c); qt_put(&t, 0, c);
    uint64_t bad[2] = { 0x00, 0 };  qt_put(&t, 1, bad);     /* reserved opcode */
    kit_cmd_sync(c, KIT_CS_NONE, 0, 0, 0, 0); qt_put(&t, 2, c);
    qt_prod(&t, 3);
    /* 7.1: RD stays at the failing command (1), ERR = CERROR_ILL (1) in
     * [30:24], GERROR.CMDQ_ERR activated (toggled to 1). */
    CHECK_EQ(t.s->regs.cmdq_cons, (1u << 24) | 1);
    CHECK_EQ(t.s->regs.gerror, GERROR_CMDQ_ERR);
    CHECK_EQ(QT_STAT(&t, commands), 1);
    CHECK_EQ(t.s->cmdq.syncs, 0);
    /* While active, PROD writes consume nothing. */
    qt_prod(&t, 3);
    CHECK_EQ(t.s->regs.cmdq_cons, (1u << 24) | 1);
    /* Software may move PROD back to CONS and re-produce (7.1). */
    t.s->regs.cmdq_prod = 1;
    /* Fix the command, acknowledge: consumption resumes at RD without a
     * PROD write. */
    kit_cmd_tlbi_nsnh_all(c); qt_put(&t, 1, c);
    t.s->regs.cmdq_prod = 3;
    qt_ack(&t);
    CHECK_EQ(t.s->regs.cmdq_cons & 0xfffff, 3);
    CHECK_EQ(qt_gerror_active(&t), 0);
    CHECK_EQ(t.s->cmdq.syncs, 1);
    /* A second error toggles GERROR.CMDQ_ERR back to 0 (active again). */
    qt_put(&t, 3, bad);
    qt_prod(&t, 4);
    CHECK_EQ(t.s->regs.gerror, 0);
    CHECK_EQ(qt_gerror_active(&t), GERROR_CMDQ_ERR);
    CHECK_EQ(t.s->regs.cmdq_cons, (1u << 24) | 3);
    CHECK_EQ(QT_STAT(&t, cerrors), 2);
    /* Toggling CMDQEN does not clear the error (6.3.9.3). */
    t.s->regs.cr0 &= ~(uint32_t)CR0_CMDQEN;
    t.s->regs.cr0 |= CR0_CMDQEN;
    kit_cmd_tlbi_nsnh_all(c); qt_put(&t, 3, c);
    vsmmu_cmdq_process(t.s);
    CHECK_EQ(t.s->regs.cmdq_cons & 0xfffff, 3);
    qt_ack(&t);
    CHECK_EQ(t.s->regs.cmdq_cons & 0xfffff, 4);
    qt_fini(&t);
}

static void test_fetch_abort(void)
{
    struct qt t;
    REQUIRE(qt_init(&t, NULL) == 0);
    qt_cmdq(&t, 3);
    uint64_t c[2];
    kit_cmd_tlbi_nsnh_all(c);
    qt_put(&t, 0, c);
    qt_put(&t, 1, c);
    kit_mem_poison(t.m, t.cmdq + 16, 16);
    qt_prod(&t, 2);
    /* CERROR_ABT (2); RD must not advance past the aborted fetch (7.1). */
    CHECK_EQ(t.s->regs.cmdq_cons, (2u << 24) | 1);
    CHECK_EQ(qt_gerror_active(&t), GERROR_CMDQ_ERR);
    /* Retry after the acknowledgement, memory repaired. */
    kit_mem_unpoison_all(t.m);
    qt_ack(&t);
    CHECK_EQ(t.s->regs.cmdq_cons & 0xfffff, 2);
    qt_fini(&t);
}

static void test_batch_bound(void)
{
    struct vsmmu_config cfg;
    vsmmu_config_default(&cfg);
    cfg.cmdq_batch = 4;
    struct qt t;
    REQUIRE(qt_init(&t, &cfg) == 0);
    qt_cmdq(&t, 4);
    uint64_t c[2];
    kit_cmd_tlbi_nsnh_all(c);
    for (unsigned i = 0; i < 10; i++)
        qt_put(&t, i, c);
    /* At most cmdq_batch commands per call; each further PROD write moves on. */
    qt_prod(&t, 10);
    CHECK_EQ(t.s->regs.cmdq_cons, 4);
    qt_prod(&t, 10);
    CHECK_EQ(t.s->regs.cmdq_cons, 8);
    qt_prod(&t, 10);
    CHECK_EQ(t.s->regs.cmdq_cons, 10);
    qt_fini(&t);
}

static void test_sync_msi_own_slot(void)
{
    struct qt t;
    REQUIRE(qt_init(&t, NULL) == 0);
    qt_cmdq(&t, 3);
    uint64_t c[2];
    /* Linux MSIPOLL: MSIAddress = the sync's own slot, MSIData = 0. */
    uint64_t slot = t.cmdq + 16 * 1;
    kit_cmd_cfgi_all(c); qt_put(&t, 0, c);
    kit_cmd_sync(c, KIT_CS_IRQ, slot, 0, 3, 0xf); qt_put(&t, 1, c);
    CHECK(kit_r32(t.m, slot) != 0);
    qt_prod(&t, 2);
    CHECK_EQ(t.s->regs.cmdq_cons, 2);
    CHECK_EQ(t.m->nmsi, 1);
    CHECK_EQ(t.m->msi[0].addr, slot);
    CHECK_EQ(t.m->msi[0].data, 0);
    /* attrs: MemAttr [3:0] = MSIAttr 0xF, SH [5:4] = MSH 3 -> 0x3F */
    CHECK_EQ(t.m->msi[0].attrs, 0x3f);
    /* The 32-bit store cleared the first word only. */
    CHECK_EQ(kit_r32(t.m, slot), 0);
    CHECK_EQ(kit_r32(t.m, slot + 4), c[0] >> 32);
    /* The wired CMD_SYNC output (the host has an irq op) pulses regardless
     * of MSIAddress (4.7.3). */
    CHECK_EQ(t.m->irq_count[VSMMU_IRQ_CMD_SYNC], 1);
    qt_fini(&t);

    /* No host msi op: a 32-bit write through the memory op. */
    REQUIRE(qt_init_ops(&t, NULL, false) == 0);
    qt_cmdq(&t, 3);
    slot = t.cmdq;
    kit_cmd_sync(c, KIT_CS_IRQ, slot, 0x11223344, 0, 0); qt_put(&t, 0, c);
    qt_prod(&t, 1);
    CHECK_EQ(kit_r32(t.m, slot), 0x11223344);
    CHECK_EQ(kit_r32(t.m, slot + 4), c[0] >> 32);
    CHECK_EQ(kit_r64(t.m, slot + 8), c[1]);
    CHECK_EQ(QT_STAT(&t, msis), 1);
    qt_fini(&t);
}

static void test_sync_signals(void)
{
    struct qt t;
    uint64_t c[2];
    REQUIRE(qt_init(&t, NULL) == 0);
    qt_cmdq(&t, 3);
    /* CS=IRQ, MSIAddress == 0: no MSI, only the wired CMD_SYNC line. */
    kit_cmd_sync(c, KIT_CS_IRQ, 0, 5, 0, 0); qt_put(&t, 0, c);
    /* CS=SEV with IDR0.SEV: a wake-up event. */
    kit_cmd_sync(c, KIT_CS_SEV, 0, 0, 0, 0); qt_put(&t, 1, c);
    /* CS=NONE: nothing. */
    kit_cmd_sync(c, KIT_CS_NONE, 0x40000000, 0, 0, 0); qt_put(&t, 2, c);
    qt_prod(&t, 3);
    CHECK_EQ(t.m->irq_count[VSMMU_IRQ_CMD_SYNC], 1);
    CHECK_EQ(t.m->sev_count, 1);
    CHECK_EQ(t.m->nmsi, 0);
    CHECK_EQ(t.s->cmdq.syncs, 3);
    /* Not gated by IRQ_CTRL (IRQ_CTRL is 0 here). An aborted MSI sets
     * GERROR.MSI_CMDQ_ABT_ERR; the SYNC is still consumed. */
    t.m->msi_abort = true;
    kit_cmd_sync(c, KIT_CS_IRQ, 0x40000000, 0, 0, 0); qt_put(&t, 3, c);
    qt_prod(&t, 4);
    CHECK_EQ(t.s->regs.cmdq_cons, 4);
    CHECK_EQ(qt_gerror_active(&t), GERROR_MSI_CMDQ_ABT_ERR);
    CHECK_EQ(t.m->irq_count[VSMMU_IRQ_CMD_SYNC], 2);
    qt_fini(&t);

    /* Without IDR0.MSI and IDR0.SEV: MSIAddress is IGNORED (wired line
     * only), SEV is NONE. */
    struct vsmmu_config cfg;
    vsmmu_config_default(&cfg);
    cfg.msi = false;
    cfg.sev = false;
    REQUIRE(qt_init(&t, &cfg) == 0);
    qt_cmdq(&t, 3);
    kit_cmd_sync(c, KIT_CS_IRQ, 0x40000000, 0, 0, 0); qt_put(&t, 0, c);
    kit_cmd_sync(c, KIT_CS_SEV, 0, 0, 0, 0); qt_put(&t, 1, c);
    qt_prod(&t, 2);
    CHECK_EQ(t.m->nmsi, 0);
    CHECK_EQ(t.m->irq_count[VSMMU_IRQ_CMD_SYNC], 1);
    CHECK_EQ(t.m->sev_count, 0);
    qt_fini(&t);
}

static void test_sev_when_not_full(void)
{
    struct qt t;
    REQUIRE(qt_init(&t, NULL) == 0);
    qt_cmdq(&t, 2);
    uint64_t c[2];
    kit_cmd_tlbi_nsnh_all(c);
    for (unsigned i = 0; i < 4; i++)
        qt_put(&t, i, c);
    /* Full queue (4 of 4) becomes non-full: one WFE wake-up (4.1.2). */
    qt_prod(&t, 4);
    CHECK_EQ(t.s->regs.cmdq_cons, 4);
    CHECK_EQ(t.m->sev_count, 1);
    /* A queue that was never full: none. */
    qt_prod(&t, 5);
    CHECK_EQ(t.m->sev_count, 1);
    qt_fini(&t);
}

/* ---- routing to other modules ---------------------------------------------------- */

static struct { unsigned n; uint32_t sid; uint16_t stag; bool retry, abort; unsigned terms; } stall;
static void hook_resume(struct vsmmu *s, uint32_t sid, uint16_t stag, bool retry, bool abort)
{
    stall.n++; stall.sid = sid; stall.stag = stag; stall.retry = retry; stall.abort = abort;
}
static void hook_term(struct vsmmu *s, uint32_t sid) { stall.terms++; stall.sid = sid; }
static unsigned pri_hook_calls;
static void hook_pri(struct vsmmu *s, const struct vsmmu_pri_resp *r) { pri_hook_calls++; }

static void test_routing(void)
{
    struct qt t;
    REQUIRE(qt_init(&t, NULL) == 0);
    t.s->cmdq.hooks.stall_resume = hook_resume;
    t.s->cmdq.hooks.stall_term = hook_term;
    t.s->cmdq.hooks.pri_resp = hook_pri;
    qt_cmdq(&t, 3);
    uint64_t c[2];
    kit_cmd_resume(c, 17, 0x4242, true, false); qt_put(&t, 0, c);
    kit_cmd_stall_term(c, 18); qt_put(&t, 1, c);
    /* PRI_RESP is IGNORED with SMMUEN == 0. */
    kit_cmd_pri_resp(c, 19, true, 7, 0x11, KIT_PRI_SUCCESS); qt_put(&t, 2, c);
    qt_prod(&t, 3);
    CHECK_EQ(stall.n, 1);
    CHECK_EQ(stall.stag, 0x4242);
    CHECK(stall.retry);
    CHECK_EQ(stall.terms, 1);
    CHECK_EQ(stall.sid, 18);
    CHECK_EQ(t.s->cmdq.pri_resps, 0);
    CHECK_EQ(pri_hook_calls, 0);
    qt_cr0(&t, CR0_SMMUEN);
    qt_put(&t, 3, c);
    qt_prod(&t, 4);
    CHECK_EQ(t.s->cmdq.pri_resps, 1);
    CHECK_EQ(pri_hook_calls, 1);
    CHECK_EQ(t.s->cmdq.last_pri_resp.sid, 19);
    CHECK_EQ(t.s->cmdq.last_pri_resp.ssid, 7);
    CHECK_EQ(t.s->cmdq.last_pri_resp.prgi, 0x11);
    CHECK_EQ(t.s->cmdq.last_pri_resp.resp, CMD_PRI_RESP_SUCCESS);
    /* Terminate with abort. */
    kit_cmd_resume(c, 17, 1, false, true); qt_put(&t, 4, c);
    qt_prod(&t, 5);
    CHECK(!stall.retry);
    CHECK(stall.abort);
    qt_fini(&t);
}

/* A host op that re-enters the consumer (as an interrupt handler writing
 * CMDQ_PROD would) neither recurses nor loses the new commands. */
static struct qt *reent_t;
static int reent_msi(void *o, uint64_t addr, uint32_t data, uint32_t attrs)
{
    uint64_t c[2];
    kit_cmd_tlbi_nsnh_all(c);
    qt_put(reent_t, 2, c);
    reent_t->s->regs.cmdq_prod = 3;
    vsmmu_cmdq_process(reent_t->s);
    return 0;
}

static void test_reentry(void)
{
    struct qt t;
    REQUIRE(qt_init(&t, NULL) == 0);
    reent_t = &t;
    t.s->ops.msi = reent_msi;
    qt_cmdq(&t, 3);
    uint64_t c[2];
    kit_cmd_tlbi_nsnh_all(c); qt_put(&t, 0, c);
    kit_cmd_sync(c, KIT_CS_IRQ, 0x40000000, 0, 0, 0); qt_put(&t, 1, c);
    qt_prod(&t, 2);
    CHECK_EQ(t.s->regs.cmdq_cons, 3);
    CHECK_EQ(QT_STAT(&t, commands), 3);
    qt_fini(&t);
}

/* Trace records for commands and CERRORs. */
static unsigned tr_cmd, tr_cerr;
static uint64_t tr_cerr_code;
static void tracer(void *o, const struct vsmmu_trace_rec *r)
{
    if (r->kind == VSMMU_TR_CMD)
        tr_cmd++;
    if (r->kind == VSMMU_TR_CERROR) {
        tr_cerr++;
        tr_cerr_code = r->a1;
    }
}

static void test_trace(void)
{
    struct qt t;
    REQUIRE(qt_init(&t, NULL) == 0);
    vsmmu_set_trace(t.s, tracer, NULL);
    qt_cmdq(&t, 3);
    uint64_t c[2];
    kit_cmd_tlbi_nsnh_all(c); qt_put(&t, 0, c);
    kit_cmd_sync(c, 3, 0, 0, 0, 0); qt_put(&t, 1, c);
    qt_prod(&t, 2);
    CHECK_EQ(tr_cmd, 2);
    CHECK_EQ(tr_cerr, 1);
    CHECK_EQ(tr_cerr_code, CERROR_ILL);
    qt_fini(&t);
}

int main(void)
{
    RUN(test_validation_table);
    RUN(test_validation_through_queue);
    RUN(test_tlbi_fields);
    RUN(test_linux_ranges);
    RUN(test_other_fields);
    RUN(test_consume_and_sync);
    RUN(test_wrap);
    RUN(test_error_and_restart);
    RUN(test_fetch_abort);
    RUN(test_batch_bound);
    RUN(test_sync_msi_own_slot);
    RUN(test_sync_signals);
    RUN(test_sev_when_not_full);
    RUN(test_routing);
    RUN(test_reentry);
    RUN(test_trace);
    return t_done();
}
