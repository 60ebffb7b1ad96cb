/* SPDX-License-Identifier: MIT */
/* Walker: stage-1 Direct permissions (AP, UXN/PXN, WXN, PAN, hierarchical
 * APTable/XNTable with HAD), single-privilege EL2 regime, atomics, and
 * stage-1 memory attributes. Expected permissions are written out by hand
 * from Arm ARM D8.4.1 (Table D8-65) and translation.md §7.1. */
#include "walk_common.h"

#define PR VSMMU_PERM_R
#define PW VSMMU_PERM_W
#define PX VSMMU_PERM_X
#define UR (VSMMU_PERM_R << 3)
#define UW (VSMMU_PERM_W << 3)
#define UX (VSMMU_PERM_X << 3)

/* Check every access class against an expected 6-bit permission set. */
static void check_accesses(struct wt *w, const struct vsmmu_s1_cfg *c, uint64_t va,
                           unsigned expect, const char *what)
{
    static const struct { uint32_t acc; unsigned bit; } a[] = {
        { RD | PRIV, PR }, { WR | PRIV, PW }, { EXEC | PRIV, PX },
        { RD, UR }, { WR, UW }, { EXEC, UX },
    };
    for (size_t i = 0; i < 6; i++) {
        struct vsmmu_walk_out o;
        struct vsmmu_fault f;
        int rc = wt_walk(w, c, NULL, va, a[i].acc, &o, &f);
        bool allowed = (expect & a[i].bit) != 0;
        CHECK_MSG(allowed ? rc == 0 : (rc == -1 && f.type == EVT_F_PERMISSION && !f.s2 &&
                                       f.cls == EVT_CLASS_IN),
                  "%s: access 0x%x expected %s, got rc=%d type=0x%x", what, a[i].acc,
                  allowed ? "ok" : "F_PERMISSION", rc, f.type);
        if (rc == 0)
            CHECK_MSG(o.perm == expect, "%s: perm 0x%x != 0x%x", what, o.perm, expect);
    }
}

/* Table D8-65 written out: AP[2:1] x PXN x UXN x WXN (two privilege levels).
 * AP=01 is EL0-writable, so privileged execute is never allowed there. */
static void s1_ap_xn_wxn_table(void)
{
    static const struct { unsigned ap, pxn, uxn, wxn, perm; } t[] = {
        { 0, 0, 0, 0, PR | PW | PX | UX }, { 0, 1, 0, 0, PR | PW | UX },
        { 0, 0, 1, 0, PR | PW | PX },      { 0, 1, 1, 0, PR | PW },
        { 1, 0, 0, 0, PR | PW | UR | UW | UX }, { 1, 1, 0, 0, PR | PW | UR | UW | UX },
        { 1, 0, 1, 0, PR | PW | UR | UW }, { 1, 1, 1, 0, PR | PW | UR | UW },
        { 2, 0, 0, 0, PR | PX | UX },      { 2, 1, 0, 0, PR | UX },
        { 2, 0, 1, 0, PR | PX },           { 2, 1, 1, 0, PR },
        { 3, 0, 0, 0, PR | PX | UR | UX }, { 3, 1, 0, 0, PR | UR | UX },
        { 3, 0, 1, 0, PR | PX | UR },      { 3, 1, 1, 0, PR | UR },
        /* WXN: writable regions are execute-never for the level(s) that can write */
        { 0, 0, 0, 1, PR | PW | UX },      { 0, 1, 0, 1, PR | PW | UX },
        { 0, 0, 1, 1, PR | PW },           { 0, 1, 1, 1, PR | PW },
        { 1, 0, 0, 1, PR | PW | UR | UW }, { 1, 1, 0, 1, PR | PW | UR | UW },
        { 1, 0, 1, 1, PR | PW | UR | UW }, { 1, 1, 1, 1, PR | PW | UR | UW },
        { 2, 0, 0, 1, PR | PX | UX },      { 2, 1, 0, 1, PR | UX },
        { 2, 0, 1, 1, PR | PX },           { 2, 1, 1, 1, PR },
        { 3, 0, 0, 1, PR | PX | UR | UX }, { 3, 1, 0, 1, PR | UR | UX },
        { 3, 0, 1, 1, PR | PX | UR },      { 3, 1, 1, 1, PR | UR },
    };
    struct wt w;
    wt_open(&w);
    struct kit_ptb p;
    REQUIRE(kit_ptb_init_s1(&p, w.m, 12, 25) == 0);
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        uint64_t attrs = PTE_AF | FIELD_PREP(PTE_AP, t[i].ap) | (t[i].pxn ? PTE_PXN : 0) |
                         (t[i].uxn ? PTE_UXN : 0);
        REQUIRE(kit_ptb_map(&p, 0x1000 * (i + 1), 0x100000 + 0x1000 * i, 0x1000, 3, attrs) == 0);
    }
    struct vsmmu_s1_cfg c = wt_s1(&p, 25);
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        char what[64];
        snprintf(what, sizeof(what), "AP=%u PXN=%u UXN=%u WXN=%u", t[i].ap, t[i].pxn, t[i].uxn,
                 t[i].wxn);
        c.wxn = t[i].wxn;
        check_accesses(&w, &c, 0x1000 * (i + 1) + 0x10, t[i].perm, what);
    }
    wt_close(&w);
}

/* PAN: privileged data accesses to pages with unprivileged data access
 * fault; privileged instruction fetches do not change. */
static void s1_pan(void)
{
    struct wt w;
    wt_open(&w);
    struct kit_ptb p;
    REQUIRE(kit_ptb_init_s1(&p, w.m, 12, 25) == 0);
    REQUIRE(kit_ptb_map(&p, 0x1000, 0x10000, 0x1000, 3, S1_RW_PRIV) == 0);   /* AP=00 */
    REQUIRE(kit_ptb_map(&p, 0x2000, 0x20000, 0x1000, 3, S1_RW_ALL) == 0);    /* AP=01 */
    REQUIRE(kit_ptb_map(&p, 0x3000, 0x30000, 0x1000, 3, S1_RO_ALL) == 0);    /* AP=11 */
    struct vsmmu_s1_cfg c = wt_s1(&p, 25);
    c.pan = true;
    check_accesses(&w, &c, 0x1000, PR | PW | PX | UX, "PAN AP=00");
    check_accesses(&w, &c, 0x2000, UR | UW | UX, "PAN AP=01");
    check_accesses(&w, &c, 0x3000, PX | UR | UX, "PAN AP=11");
    wt_close(&w);
}

/* Hierarchical attributes: APTable[0] removes unprivileged data access,
 * APTable[1] removes write, UXNTable/PXNTable execute; HAD=1 ignores them
 * (Arm ARM D8.4.1.3, IHI0070 5.4 HAD0). Set on the level-1 table
 * descriptor (start level 1 for T0SZ=25). */
static void s1_hierarchical(void)
{
    static const struct { uint64_t tbits; unsigned ap; unsigned perm; } t[] = {
        { PTE_APTABLE0, AP_RW, PR | PW | PX | UX },        /* effective AP=00 */
        { PTE_APTABLE1, AP_RW, PR | PX | UR | UX },        /* effective AP=11 */
        { PTE_APTABLE1, AP_PRIV_RW, PR | PX | UX },        /* effective AP=10 */
        { PTE_APTABLE, AP_RW, PR | PX | UX },              /* effective AP=10 */
        { PTE_UXNTABLE, AP_RO, PR | PX | UR },
        { PTE_PXNTABLE, AP_RO, PR | UR | UX },
        { PTE_UXNTABLE | PTE_PXNTABLE, AP_PRIV_RW, PR | PW },
    };
    for (int had = 0; had < 2; had++) {
        for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
            struct wt w;
            wt_open(&w);
            struct kit_ptb p;
            REQUIRE(kit_ptb_init_s1(&p, w.m, 12, 25) == 0);
            REQUIRE(kit_ptb_map(&p, 0x1000, 0x10000, 0x1000, 3,
                                PTE_AF | FIELD_PREP(PTE_AP, t[i].ap)) == 0);
            REQUIRE(kit_ptb_table_bits(&p, 0x1000, 1, t[i].tbits) == 0);
            struct vsmmu_s1_cfg c = wt_s1(&p, 25);
            c.tt[0].had = had;
            /* without the table bits: the plain AP rows of Table D8-65 */
            static const unsigned plain[4] = { PR | PW | PX | UX, PR | PW | UR | UW | UX,
                                               PR | PX | UX, PR | PX | UR | UX };
            char what[64];
            snprintf(what, sizeof(what), "case %zu HAD=%d", i, had);
            check_accesses(&w, &c, 0x1000, had ? plain[t[i].ap] : t[i].perm, what);
            wt_close(&w);
        }
    }
}

/* Single-privilege regime (StreamWorld EL2, E2H=0): AP[1] ignored (treated
 * as 1), PnU ignored, PXN/PXNTable/APTable[0] RES0, XN (bit 54) and
 * XNTable apply, one VA range (VA[55]=1 faults), EPD ignored, all
 * translations global (IHI0070 5.4, 13.4.1; Arm ARM D8.4.1). */
static void s1_el2_single_privilege(void)
{
    static const struct { uint64_t attrs; unsigned wxn; unsigned perm; } t[] = {
        { FIELD_PREP(PTE_AP, AP_PRIV_RW), 0, PR | PW | PX },
        { FIELD_PREP(PTE_AP, AP_RW), 0, PR | PW | PX },    /* no implicit PXN */
        { FIELD_PREP(PTE_AP, AP_PRIV_RO), 0, PR | PX },
        { FIELD_PREP(PTE_AP, AP_RO), 0, PR | PX },
        { FIELD_PREP(PTE_AP, AP_PRIV_RW) | PTE_XN, 0, PR | PW },
        { FIELD_PREP(PTE_AP, AP_PRIV_RW) | PTE_PXN, 0, PR | PW | PX },   /* PXN RES0 */
        { FIELD_PREP(PTE_AP, AP_PRIV_RW), 1, PR | PW },
        { FIELD_PREP(PTE_AP, AP_PRIV_RO), 1, PR | PX },
    };
    struct wt w;
    wt_open(&w);
    struct kit_ptb p;
    REQUIRE(kit_ptb_init_s1(&p, w.m, 12, 25) == 0);
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
        REQUIRE(kit_ptb_map(&p, 0x1000 * (i + 1), 0x100000, 0x1000, 3,
                            PTE_AF | PTE_NG | t[i].attrs) == 0);
    struct vsmmu_s1_cfg c = wt_s1(&p, 25);
    c.el2 = true;
    c.tt[0].epd = true;     /* EPD is IGNORED for EL2 */
    c.pan = true;           /* PAN ignored */
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        char what[32];
        snprintf(what, sizeof(what), "EL2 case %zu", i);
        c.wxn = t[i].wxn;
        /* PnU ignored: both classes get the same permissions */
        check_accesses(&w, &c, 0x1000 * (i + 1), t[i].perm | (t[i].perm << 3), what);
    }
    struct vsmmu_walk_out o;
    struct vsmmu_fault f;
    c.wxn = false;
    CHECK_EQ(wt_walk(&w, &c, NULL, 0x1000, RD, &o, &f), 0);
    CHECK_EQ(o.global, 1);                /* nG RES0 in the EL2 regime */
    /* one range: an upper-half VA is outside TTB0's range */
    CHECK_FAULT(wt_walk(&w, &c, NULL, 0xffffff8000001000, RD, &o, &f), f, EVT_F_TRANSLATION, 0,
                EVT_CLASS_IN, 0);
    /* APTable[0]/PXNTable are RES0 (ignored); XNTable and APTable[1] apply */
    REQUIRE(kit_ptb_table_bits(&p, 0x1000, 1, PTE_APTABLE0 | PTE_PXNTABLE) == 0);
    check_accesses(&w, &c, 0x1000, (PR | PW | PX) * 9, "EL2 APTable0|PXNTable");
    REQUIRE(kit_ptb_table_bits(&p, 0x1000, 1, PTE_XNTABLE | PTE_APTABLE1) == 0);
    check_accesses(&w, &c, 0x1000, PR * 9, "EL2 XNTable|APTable1");

    /* EL2-E2H: two privilege levels, two ranges, nG honoured (the table
     * bits set above are cleared again) */
    uint64_t d1 = kit_ptb_desc_pa(&p, 0x1000, 1);
    kit_ptb_set(&p, d1, kit_ptb_get(&p, d1) & ~(PTE_APTABLE | PTE_XNTABLE | PTE_PXNTABLE));
    c.el2_e2h = true;
    c.tt[0].epd = false;
    CHECK_EQ(wt_walk(&w, &c, NULL, 0x2000, RD, &o, &f), 0);   /* AP=01 */
    CHECK_EQ(o.global, 0);
    CHECK_FAULT(wt_walk(&w, &c, NULL, 0x3000, RD, &o, &f), f, EVT_F_PERMISSION, 0, EVT_CLASS_IN, 0);
    wt_close(&w);
}

/* Atomics are checked as read and write; the record's RnW is 1 when only
 * read permission was missing, 0 when write was (events.md §3). Instruction
 * fetches need execute only; a write marked EXEC is a data write. */
static void s1_atomic_exec(void)
{
    struct wt w;
    wt_open(&w);
    struct kit_ptb p;
    REQUIRE(kit_ptb_init_s1(&p, w.m, 12, 25) == 0);
    REQUIRE(kit_ptb_map(&p, 0x1000, 0x10000, 0x1000, 3, S1_RW_ALL) == 0);
    REQUIRE(kit_ptb_map(&p, 0x2000, 0x20000, 0x1000, 3, S1_RO_ALL) == 0);
    REQUIRE(kit_ptb_map(&p, 0x3000, 0x30000, 0x1000, 3, S1_RW_PRIV) == 0);
    struct vsmmu_s1_cfg c = wt_s1(&p, 25);
    struct vsmmu_walk_out o;
    struct vsmmu_fault f;
    CHECK_EQ(wt_walk(&w, &c, NULL, 0x1000, ATOMIC, &o, &f), 0);
    CHECK_FAULT(wt_walk(&w, &c, NULL, 0x2000, ATOMIC | PRIV, &o, &f), f, EVT_F_PERMISSION, 0,
                EVT_CLASS_IN, 0);
    CHECK_EQ(f.rnw_override, 1);
    CHECK_EQ(f.rnw, 0);                   /* write missing */
    CHECK_FAULT(wt_walk(&w, &c, NULL, 0x3000, ATOMIC, &o, &f), f, EVT_F_PERMISSION, 0,
                EVT_CLASS_IN, 0);
    CHECK_EQ(f.rnw, 0);                   /* both missing: reported as the write */
    /* a non-atomic fault does not override RnW */
    CHECK_FAULT(wt_walk(&w, &c, NULL, 0x2000, WR, &o, &f), f, EVT_F_PERMISSION, 0, EVT_CLASS_IN, 0);
    CHECK_EQ(f.rnw_override, 0);
    /* AP=00, unprivileged: execute-only */
    CHECK_EQ(wt_walk(&w, &c, NULL, 0x3000, EXEC, &o, &f), 0);
    CHECK_FAULT(wt_walk(&w, &c, NULL, 0x3000, WR | EXEC, &o, &f), f, EVT_F_PERMISSION, 0,
                EVT_CLASS_IN, 0);
    /* AP=01 with EXEC|WRITE privileged: a data write (allowed), although
     * privileged execute is not */
    CHECK_EQ(wt_walk(&w, &c, NULL, 0x1000, WR | EXEC | PRIV, &o, &f), 0);
    CHECK_FAULT(wt_walk(&w, &c, NULL, 0x1000, EXEC | PRIV, &o, &f), f, EVT_F_PERMISSION, 0,
                EVT_CLASS_IN, 0);
    wt_close(&w);
}

/* Stage-1 memory attributes: AttrIndx selects a MAIR byte; Device and
 * Normal iNC-oNC are reported Outer Shareable; nG. */
static void s1_memattr(void)
{
    struct wt w;
    wt_open(&w);
    struct kit_ptb p;
    REQUIRE(kit_ptb_init_s1(&p, w.m, 12, 25) == 0);
    /* T_MAIR: Attr0 0xff, Attr1 0x04, Attr2 0x44, Attr3 0xbb */
    REQUIRE(kit_ptb_map(&p, 0x1000, 0x10000, 0x1000, 3, S1_RW_ALL | FIELD_PREP(PTE_ATTRINDX, 1)) == 0);
    REQUIRE(kit_ptb_map(&p, 0x2000, 0x20000, 0x1000, 3,
                        PTE_AF | FIELD_PREP(PTE_ATTRINDX, 2) | FIELD_PREP(PTE_SH, 0)) == 0);
    REQUIRE(kit_ptb_map(&p, 0x3000, 0x30000, 0x1000, 3,
                        PTE_AF | PTE_NG | FIELD_PREP(PTE_ATTRINDX, 3) | FIELD_PREP(PTE_SH, 0)) == 0);
    REQUIRE(kit_ptb_map(&p, 0x4000, 0x40000, 0x1000, 3,
                        PTE_AF | FIELD_PREP(PTE_ATTRINDX, 0) | FIELD_PREP(PTE_SH, 2)) == 0);
    struct vsmmu_s1_cfg c = wt_s1(&p, 25);
    struct vsmmu_walk_out o;
    struct vsmmu_fault f;
    CHECK_EQ(wt_walk(&w, &c, NULL, 0x1000, RD, &o, &f), 0);
    CHECK_EQ(o.memattr, 0x04);
    CHECK_EQ(o.sh, 2);
    CHECK_EQ(wt_walk(&w, &c, NULL, 0x2000, RD | PRIV, &o, &f), 0);
    CHECK_EQ(o.memattr, 0x44);
    CHECK_EQ(o.sh, 2);
    CHECK_EQ(o.global, 1);
    CHECK_EQ(wt_walk(&w, &c, NULL, 0x3000, RD | PRIV, &o, &f), 0);
    CHECK_EQ(o.memattr, 0xbb);
    CHECK_EQ(o.sh, 0);
    CHECK_EQ(o.global, 0);
    CHECK_EQ(wt_walk(&w, &c, NULL, 0x4000, RD | PRIV, &o, &f), 0);
    CHECK_EQ(o.memattr, 0xff);
    CHECK_EQ(o.sh, 2);
    wt_close(&w);
}

int main(void)
{
    RUN(s1_ap_xn_wxn_table);
    RUN(s1_pan);
    RUN(s1_hierarchical);
    RUN(s1_el2_single_privilege);
    RUN(s1_atomic_exec);
    RUN(s1_memattr);
    return t_done();
}
