/* SPDX-License-Identifier: MIT */
/* The accelerated front-end against mock backends: configuration masking,
 * the device registry, command routing and batching, CERROR on rejection,
 * garbage from a backend, host event injection. */
#include "test.h"
#include "internal.h"
#include "mem.h"
#include "vsmmu/accel.h"
#include "accel/accel_int.h"
#include "accel/frontend.h"
#include "accel/nested.h"

/* QEMU's nested SMMUv3 (the e2e guest's host): IDR0=0x0d44101b: S2P, S1P,
 * TTF=0b10, COHACC, ASID16, VMID16, TTENDIAN=0b10, STALL_MODEL=0b01,
 * TERM_MODEL, ST_LEVEL=0b01, CD2L=0; IDR1=0x02730010: SIDSIZE=16,
 * SSIDSIZE=0; IDR3=0x1414: RIL, BBML=2; IDR5=0x74: OAS=0b100 (44), GRAN4K,
 * GRAN16K, GRAN64K. */
static const struct vsmmu_accel_hw_info qemu_hw = {
    .idr = { 0x0d44101b, 0x02730010, 0, 0x1414, 0, 0x74 }, .iidr = 0, .aidr = 1,
};

/* ---- mock backend ----------------------------------------------------------- */

struct mock {
    struct vsmmu_accel_hw_info hw;
    int hw_rc;
    uint32_t vsid[16];
    uint64_t host[16];
    unsigned ndev;
    unsigned installs;
    uint32_t last_vsid;
    uint64_t last_ste[2];
    int install_rc;            /* returned for S1 vSTEs */
    unsigned calls;
    uint64_t cmd[4096][2];
    unsigned ncmd;
    uint32_t call_n[64];
    int reject_op;             /* opcode rejected (-1 none) */
    bool garbage;              /* OK with a short count */
    uint64_t ev[8][4];
    uint32_t nev;
    uint32_t ev_n_override;
    bool ev_lost;
    bool released;
    unsigned dels;
};

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}
static bool chaos;   /* mock answers at random */

static int m_hw(void *c, struct vsmmu_accel_hw_info *o)
{
    struct mock *m = c;
    *o = m->hw;
    return m->hw_rc;
}
static int m_add(void *c, uint32_t vsid, uint64_t host)
{
    struct mock *m = c;
    m->vsid[m->ndev] = vsid;
    m->host[m->ndev++] = host;
    return VSMMU_OK;
}
static int m_del(void *c, uint32_t vsid)
{
    ((struct mock *)c)->dels++;
    return VSMMU_OK;
}
static int m_install(void *c, uint32_t vsid, const uint64_t ste[2])
{
    struct mock *m = c;
    m->installs++;
    if (chaos)
        return (rnd() & 1) ? VSMMU_OK : (rnd() & 1) ? VSMMU_EINVAL : VSMMU_EBACKEND;
    if (FIELD_GET(VSTE0_CONFIG, ste[0]) == VSTE_CFG_S1 && m->install_rc)
        return m->install_rc;
    m->last_vsid = vsid;
    m->last_ste[0] = ste[0];
    m->last_ste[1] = ste[1];
    return VSMMU_OK;
}
static int m_inv(void *c, const uint64_t (*cmd)[2], uint32_t n, uint32_t *done)
{
    struct mock *m = c;
    if (chaos) {
        m->calls++;
        *done = (uint32_t)(rnd() % (n + 3));
        int rcs[] = { VSMMU_OK, VSMMU_EBACKEND, VSMMU_EINVAL, -99, 5 };
        return rcs[rnd() % 5];
    }
    if (m->calls < 64)
        m->call_n[m->calls] = n;
    m->calls++;
    for (uint32_t i = 0; i < n; i++) {
        if ((int)(cmd[i][0] & 0xff) == m->reject_op) {
            *done = i;
            return VSMMU_EBACKEND;
        }
        m->cmd[m->ncmd][0] = cmd[i][0];
        m->cmd[m->ncmd][1] = cmd[i][1];
        m->ncmd++;
    }
    *done = m->garbage ? n - 1 : n;
    return VSMMU_OK;
}
static int m_events(void *c, uint64_t (*rec)[4], uint32_t max, uint32_t *n, bool *lost)
{
    struct mock *m = c;
    if (chaos) {
        *n = (uint32_t)(rnd() % (max + 4));
        *lost = rnd() & 1;
        for (uint32_t i = 0; i < max; i++)
            for (int j = 0; j < 4; j++)
                rec[i][j] = rnd();
        return (rnd() % 4) ? VSMMU_OK : VSMMU_EBACKEND;
    }
    uint32_t k = m->nev < max ? m->nev : max;
    memcpy(rec, m->ev, k * sizeof(rec[0]));
    *n = m->ev_n_override ? m->ev_n_override : k;
    *lost = m->ev_lost;
    m->nev = 0;
    m->ev_lost = false;
    m->ev_n_override = 0;
    return VSMMU_OK;
}
static const char *m_err(void *c) { return "mock says no"; }
static void m_release(void *c) { ((struct mock *)c)->released = true; }

static const struct vsmmu_accel_backend_ops mock_ops = {
    .hw_info = m_hw, .add_device = m_add, .del_device = m_del, .install_ste = m_install,
    .invalidate = m_inv, .read_events = m_events, .last_error = m_err, .release = m_release,
};

static struct mock M[2];
static struct vsmmu_accel_backend MB[2];
static struct kit_mem *mem;

static struct vsmmu *mk_vsmmu(void)
{
    struct vsmmu_config cfg;
    vsmmu_config_profile(&cfg, "qemu-v3.1");
    mem = kit_mem_new();
    kit_mem_add(mem, 0, 1 << 20);
    struct vsmmu_host_ops ops;
    kit_mem_ops(mem, &ops, false);
    struct vsmmu *s = NULL;
    char err[200];
    if (vsmmu_create(&cfg, &ops, &s, err, sizeof(err)) != VSMMU_OK) {
        fprintf(stderr, "create: %s\n", err);
        exit(1);
    }
    return s;
}

static void done(struct vsmmu *s)
{
    vsmmu_destroy(s);
    kit_mem_free(mem);
}

static void mock_init(unsigned nbe)
{
    memset(M, 0, sizeof(M));
    for (unsigned i = 0; i < nbe; i++) {
        M[i].hw = qemu_hw;
        M[i].reject_op = -1;
        MB[i] = (struct vsmmu_accel_backend){ .ops = &mock_ops, .ctx = &M[i], .name = "mock" };
    }
}

/* Two backends; devices 0x08 on backend 0, 0x10 and 0x11 on backend 1. */
static struct vsmmu *setup2(void)
{
    mock_init(2);
    struct vsmmu *s = mk_vsmmu();
    CHECK_EQ(vsmmu_accel_add_backend(s, &MB[0]), 0);
    CHECK_EQ(vsmmu_accel_add_backend(s, &MB[1]), 1);
    struct vsmmu_accel_dev d = { .kind = VSMMU_ACCEL_DEV_PASSTHROUGH, .vsid = 0x08, .backend = 0,
                                 .host_id = 0x108, .name = "vfio0" };
    CHECK_EQ(vsmmu_accel_attach(s, &d), VSMMU_OK);
    d.vsid = 0x10; d.backend = 1; d.host_id = 0x210;
    CHECK_EQ(vsmmu_accel_attach(s, &d), VSMMU_OK);
    d.vsid = 0x11; d.host_id = 0x211;
    CHECK_EQ(vsmmu_accel_attach(s, &d), VSMMU_OK);
    return s;
}

static void cmd(struct vsmmu *s, uint64_t c0, uint64_t c1, uint32_t cons, int expect)
{
    uint64_t c[2] = { c0, c1 };
    int rc = vsmmu_accel_cmd(s, c, cons);
    CHECK_MSG(rc == expect, "cmd 0x%llx at %u: %d, expected %d", (unsigned long long)c0, cons,
              rc, expect);
}

/* ---- configuration masking ----------------------------------------------------- */

static void test_mask(void)
{
    struct vsmmu_config c;
    char err[200];
    vsmmu_config_profile(&c, "qemu-v3.1");
    CHECK_EQ(vsmmu_accel_mask_config(&c, &qemu_hw, err, sizeof(err)), VSMMU_OK);
    CHECK(c.s1p);
    CHECK(!c.s2p);            /* the host owns stage 2 */
    CHECK(!c.vmid16);
    CHECK(!c.cd2l);           /* host IDR0.CD2L = 0 */
    CHECK(c.asid16);          /* host IDR0.ASID16 = 1 */
    CHECK(c.term_model);      /* host TERM_MODEL = 1 */
    CHECK_EQ(c.stall_model, VSMMU_TERM_ONLY);
    CHECK(c.ril);
    CHECK_EQ(c.bbml, 2);
    CHECK_EQ(c.oas_bits, 44);
    CHECK_EQ(c.sidsize, 16);
    CHECK(c.gran4k && c.gran16k && c.gran64k);

    struct { const char *field; void (*edit)(struct vsmmu_config *, struct vsmmu_accel_hw_info *); } cases[] = {
        { "SIDSIZE", NULL }, { "SSIDSIZE", NULL }, { "OAS", NULL }, { "GRAN16K", NULL },
        { "RIL", NULL }, { "TTF", NULL }, { "TTENDIAN", NULL }, { "STALL_MODEL", NULL },
        { "S1P", NULL },
    };
    for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct vsmmu_accel_hw_info hw = qemu_hw;
        vsmmu_config_profile(&c, "qemu-v3.1");
        switch (i) {
        case 0: c.sidsize = 17; break;                                /* host 16 */
        case 1: c.ssidsize = 4; break;                                /* host 0 */
        case 2: hw.idr[5] = (hw.idr[5] & ~7u) | 2u; break;            /* host 40 < 44 */
        case 3: hw.idr[5] &= ~(uint32_t)IDR5_GRAN16K; break;
        case 4: hw.idr[3] &= ~(uint32_t)IDR3_RIL; break;              /* cfg has RIL */
        case 5: hw.idr[0] = (hw.idr[0] & ~(uint32_t)IDR0_TTF) | (1u << 2); break; /* AArch32 */
        case 6: hw.idr[0] |= (uint32_t)IDR0_TTENDIAN; break;          /* 0b11: BE only */
        case 7: hw.idr[0] = (hw.idr[0] & ~(uint32_t)IDR0_STALL_MODEL) | (2u << 24); break;
        case 8: c.s1p = false; break;
        }
        err[0] = 0;
        CHECK_EQ(vsmmu_accel_mask_config(&c, &hw, err, sizeof(err)), VSMMU_EINVAL);
        CHECK_MSG(strstr(err, cases[i].field) != NULL, "%s: '%s'", cases[i].field, err);
    }
    /* Host with CD2L: the guest keeps it */
    struct vsmmu_accel_hw_info hw = qemu_hw;
    hw.idr[0] |= (uint32_t)IDR0_CD2L;
    vsmmu_config_profile(&c, "qemu-v3.1");
    CHECK_EQ(vsmmu_accel_mask_config(&c, &hw, err, sizeof(err)), VSMMU_OK);
    CHECK(c.cd2l);
}

static void test_add_backend(void)
{
    mock_init(2);
    struct vsmmu *s = mk_vsmmu();
    CHECK_EQ(vsmmu_accel_add_backend(s, &MB[0]), 0);
    const struct vsmmu_config *c = vsmmu_get_config(s);
    CHECK(!c->s2p);
    CHECK(!c->cd2l);
    /* what the guest reads (IHI0070 6.3.1-6.3.6): qemu-v3.1 masked by the
     * QEMU host: S1P=1, S2P=0, HTTU=0, HYP=0, ATS=0, PRI=0, VMID16=0,
     * CD2L=0, ASID16=1, STALL_MODEL=0b01, TERM_MODEL=1; SIDSIZE 16,
     * SSIDSIZE 0, PRIQS 0; OAS 0b100 (44 bits), all granules, RIL */
    uint64_t idr0 = 0, idr1 = 0, idr3 = 0, idr5 = 0;
    vsmmu_mmio_read(s, SMMU_IDR0, 4, &idr0);
    vsmmu_mmio_read(s, SMMU_IDR1, 4, &idr1);
    vsmmu_mmio_read(s, SMMU_IDR3, 4, &idr3);
    vsmmu_mmio_read(s, SMMU_IDR5, 4, &idr5);
    CHECK(idr0 & IDR0_S1P);
    CHECK(!(idr0 & (IDR0_S2P | IDR0_HTTU | IDR0_HYP | IDR0_ATS | IDR0_PRI | IDR0_VMID16 |
                    IDR0_CD2L | IDR0_BTM)));
    CHECK(idr0 & IDR0_ASID16);
    CHECK_EQ(FIELD_GET(IDR0_STALL_MODEL, idr0), 1);
    CHECK(idr0 & IDR0_TERM_MODEL);
    CHECK_EQ(FIELD_GET(IDR1_SIDSIZE, idr1), 16);
    CHECK_EQ(FIELD_GET(IDR1_SSIDSIZE, idr1), 0);
    CHECK_EQ(FIELD_GET(IDR1_PRIQS, idr1), 0);
    CHECK(idr3 & IDR3_RIL);
    CHECK_EQ(FIELD_GET(IDR5_OAS, idr5), 4);
    CHECK_EQ(idr5 & (IDR5_GRAN4K | IDR5_GRAN16K | IDR5_GRAN64K),
             IDR5_GRAN4K | IDR5_GRAN16K | IDR5_GRAN64K);
    /* an incompatible second host is refused, named, and released */
    M[1].hw.idr[1] = 8;      /* SIDSIZE 8 < 16 */
    CHECK_EQ(vsmmu_accel_add_backend(s, &MB[1]), VSMMU_EINVAL);
    CHECK_MSG(strstr(vsmmu_last_error(s), "SIDSIZE") != NULL, "%s", vsmmu_last_error(s));
    CHECK(M[1].released);
    /* hardware info failure */
    M[1] = M[0];
    M[1].released = false;
    M[1].hw_rc = VSMMU_EBACKEND;
    CHECK_EQ(vsmmu_accel_add_backend(s, &MB[1]), VSMMU_EBACKEND);
    CHECK(M[1].released);
    /* a backend without operations */
    struct vsmmu_accel_backend_ops none = { 0 };
    struct vsmmu_accel_backend bad = { .ops = &none };
    CHECK_EQ(vsmmu_accel_add_backend(s, &bad), VSMMU_EINVAL);
    /* not once the guest runs: CR0.CMDQEN set */
    CHECK_EQ(vsmmu_mmio_write(s, SMMU_CR0, CR0_CMDQEN, 4), VSMMU_OK);
    M[1].hw_rc = 0;
    M[1].released = false;
    CHECK_EQ(vsmmu_accel_add_backend(s, &MB[1]), VSMMU_EBUSY);
    CHECK(M[1].released);
    done(s);
    CHECK(M[0].released);
}

/* ---- registry ------------------------------------------------------------------- */

static void test_registry(void)
{
    mock_init(1);
    struct vsmmu *s = mk_vsmmu();
    struct vsmmu_accel_dev d = { .kind = VSMMU_ACCEL_DEV_EMULATED, .vsid = 3, .name = "e1000" };
    /* refused before and after accel mode is on, with a message */
    CHECK_EQ(vsmmu_accel_attach(s, &d), VSMMU_EUNSUPPORTED);
    CHECK_EQ(vsmmu_accel_add_backend(s, &MB[0]), 0);
    CHECK_EQ(vsmmu_accel_attach(s, &d), VSMMU_EUNSUPPORTED);
    CHECK_MSG(strstr(vsmmu_last_error(s), "e1000") && strstr(vsmmu_last_error(s), "emulated"),
              "%s", vsmmu_last_error(s));
    CHECK(!vsmmu_accel_owns(s, 3));

    d.kind = VSMMU_ACCEL_DEV_ROOT_PORT; d.vsid = 0; d.name = "rp0";
    CHECK_EQ(vsmmu_accel_attach(s, &d), VSMMU_OK);
    d.kind = VSMMU_ACCEL_DEV_BRIDGE; d.vsid = 8; d.name = "br0";
    CHECK_EQ(vsmmu_accel_attach(s, &d), VSMMU_OK);
    CHECK(!vsmmu_accel_owns(s, 8));  /* a bridge issues no DMA of its own */
    CHECK_EQ(M[0].ndev, 0);

    d.kind = VSMMU_ACCEL_DEV_PASSTHROUGH; d.vsid = 0x10; d.backend = 0; d.host_id = 77;
    CHECK_EQ(vsmmu_accel_attach(s, &d), VSMMU_OK);
    CHECK(vsmmu_accel_owns(s, 0x10));
    CHECK_EQ(M[0].ndev, 1);
    CHECK_EQ(M[0].vsid[0], 0x10);
    CHECK_EQ(M[0].host[0], 77);
    /* SMMUEN=0 and GBPA.ABORT=0 (qemu-v3.1 reset GBPA 0x1000): bypass vSTE
     * {V=1, Config=0b100} = 0x9 installed at once */
    CHECK_EQ(M[0].last_ste[0], 0x9);
    CHECK_EQ(M[0].last_ste[1], 0);

    CHECK_EQ(vsmmu_accel_attach(s, &d), VSMMU_EBUSY);          /* duplicate */
    d.vsid = 0x10000;                                            /* SIDSIZE 16 */
    CHECK_EQ(vsmmu_accel_attach(s, &d), VSMMU_EINVAL);
    d.vsid = 0x20; d.backend = 1;
    CHECK_EQ(vsmmu_accel_attach(s, &d), VSMMU_EINVAL);          /* no backend 1 */

    /* GBPA.ABORT=1 (with Update) while SMMUEN=0: abort vSTE {V=1} */
    CHECK_EQ(vsmmu_mmio_write(s, SMMU_GBPA, GBPA_UPDATE | GBPA_ABORT, 4), VSMMU_OK);
    CHECK_EQ(M[0].last_ste[0], 0x1);

    unsigned before = M[0].installs;
    CHECK_EQ(vsmmu_accel_detach(s, 0x10), VSMMU_OK);
    CHECK_EQ(M[0].installs, before + 1);   /* abort */
    CHECK_EQ(M[0].dels, 1);
    CHECK(!vsmmu_accel_owns(s, 0x10));
    CHECK_EQ(vsmmu_accel_detach(s, 0x10), VSMMU_ENOENT);
    CHECK_EQ(vsmmu_accel_detach(s, 8), VSMMU_OK);
    /* the registry is bounded (256 slots, the root port holds one) and
     * detached slots are reused */
    d.kind = VSMMU_ACCEL_DEV_BRIDGE;
    for (uint32_t i = 0; i < 255; i++) {
        d.vsid = 0x100 + i;
        CHECK_EQ(vsmmu_accel_attach(s, &d), VSMMU_OK);
    }
    d.vsid = 0x300;
    CHECK_EQ(vsmmu_accel_attach(s, &d), VSMMU_EINVAL);
    CHECK_EQ(vsmmu_accel_detach(s, 0x180), VSMMU_OK);
    CHECK_EQ(vsmmu_accel_attach(s, &d), VSMMU_OK);
    done(s);
}

/* ---- commands ----------------------------------------------------------------------- */

/* N TLBIs + CMD_SYNC: exactly one backend call per backend, commands in
 * guest order; SID-scoped ones only to the owner. */
static void test_batching(void)
{
    struct vsmmu *s = setup2();
    uint32_t cons = 0;
    for (int i = 0; i < 20; i++)
        cmd(s, ACMD_TLBI_NH_VA | ((uint64_t)i << 48), 0x1000ull * (uint64_t)i, cons++, 1);
    cmd(s, ACMD_CFGI_CD | (0x10ull << 32), 0, cons++, 1);      /* backend 1 only */
    cmd(s, ACMD_ATC_INV | (0x08ull << 32), 0, cons++, 1);      /* backend 0 only */
    cmd(s, ACMD_TLBI_NSNH_ALL, 0, cons++, 1);
    cmd(s, ACMD_CFGI_CD_ALL | (0x99ull << 32), 0, cons++, 0);  /* nobody's: emulated */
    CHECK_EQ(M[0].calls, 0);       /* nothing before the sync */
    CHECK_EQ(M[1].calls, 0);
    uint32_t fc = 0xdead;
    CHECK_EQ(vsmmu_accel_sync(s, &fc), 0);
    CHECK_EQ(M[0].calls, 1);
    CHECK_EQ(M[1].calls, 1);
    CHECK_EQ(M[0].ncmd, 22);       /* 20 TLBI + ATC_INV + NSNH_ALL */
    CHECK_EQ(M[1].ncmd, 22);       /* 20 TLBI + CFGI_CD + NSNH_ALL */
    CHECK_EQ(M[0].cmd[20][0] & 0xff, ACMD_ATC_INV);
    CHECK_EQ(M[1].cmd[20][0] & 0xff, ACMD_CFGI_CD);
    CHECK_EQ(M[0].cmd[7][1], 0x7000);
    struct vsmmu_accel_stats st;
    CHECK_EQ(vsmmu_accel_get_stats(s, &st), VSMMU_OK);
    CHECK_EQ(st.syncs, 1);
    CHECK_EQ(st.backend_calls, 2);
    /* an empty sync calls nobody */
    CHECK_EQ(vsmmu_accel_sync(s, &fc), 0);
    CHECK_EQ(M[0].calls, 1);
    /* S2/EL2 TLBIs, CMD_SYNC, PREFETCH of unknown SIDs: not taken;
     * PREFETCH of a passthrough device: taken as a no-op */
    cmd(s, 0x2a, 0, cons++, 0);   /* TLBI_S2_IPA */
    cmd(s, 0x20, 0, cons++, 0);   /* TLBI_EL2_ALL */
    cmd(s, ACMD_PREFETCH_CONFIG | (0x77ull << 32), 0, cons++, 0);
    cmd(s, ACMD_PREFETCH_CONFIG | (0x08ull << 32), 0, cons++, 1);
    CHECK_EQ(vsmmu_accel_sync(s, &fc), 0);
    CHECK_EQ(M[0].calls, 1);
    done(s);
}

/* A backend rejects command k: CERROR at exactly k's CONS, nothing after it
 * executed (the later backend only gets what precedes k). */
static void test_reject(void)
{
    struct vsmmu *s = setup2();
    M[0].reject_op = ACMD_ATC_INV;
    cmd(s, ACMD_TLBI_NH_ASID, 0, 100, 1);
    cmd(s, ACMD_TLBI_NH_ASID | (1ull << 48), 0, 101, 1);
    cmd(s, ACMD_ATC_INV | (0x08ull << 32), 0, 102, 1);
    cmd(s, ACMD_TLBI_NH_ALL, 0, 103, 1);
    cmd(s, ACMD_CFGI_CD | (0x11ull << 32), 0, 104, 1);
    uint32_t fc = 0;
    CHECK_EQ(vsmmu_accel_sync(s, &fc), -CERROR_ILL);
    CHECK_EQ(fc, 102);
    CHECK_EQ(M[0].ncmd, 2);
    CHECK_EQ(M[1].ncmd, 2);        /* only the two TLBIs before 102 */
    CHECK(strstr(vsmmu_last_error(s), "mock says no") != NULL);
    /* the guest re-issues after handling the error: nothing stale remains */
    M[0].reject_op = -1;
    CHECK_EQ(vsmmu_accel_sync(s, &fc), 0);
    CHECK_EQ(M[1].ncmd, 2);
    struct vsmmu_accel_stats st;
    vsmmu_accel_get_stats(s, &st);
    CHECK_EQ(st.rejected, 1);
    done(s);
}

/* Garbage from a backend (success with a short count): CERROR at the
 * first command of its batch. */
static void test_garbage(void)
{
    struct vsmmu *s = setup2();
    M[1].garbage = true;
    cmd(s, ACMD_TLBI_NH_ALL, 0, 7, 1);
    cmd(s, ACMD_TLBI_NH_ALL, 0, 8, 1);
    uint32_t fc = 0;
    CHECK_EQ(vsmmu_accel_sync(s, &fc), -CERROR_ILL);
    CHECK_EQ(fc, 7);
    done(s);
}

/* A full batch is sent before the next command is queued. */
static void test_full_batch(void)
{
    struct vsmmu *s = setup2();
    s->accel->batch_max = 4;
    for (uint32_t i = 0; i < 10; i++)
        cmd(s, ACMD_TLBI_NH_ASID, 0, i, 1);
    /* 10 commands, batches of 4: two full flushes happened, 2 pending */
    CHECK_EQ(M[0].calls, 2);
    uint32_t fc;
    CHECK_EQ(vsmmu_accel_sync(s, &fc), 0);
    CHECK_EQ(M[0].calls, 3);
    CHECK_EQ(M[0].call_n[0], 4);
    CHECK_EQ(M[0].call_n[2], 2);
    CHECK_EQ(M[0].ncmd, 10);
    /* a rejection inside a full batch: CERROR at the command that found
     * the batch full, and the commands after the rejected one still run */
    M[0].reject_op = ACMD_TLBI_NH_VAA;
    M[0].ncmd = 0;
    cmd(s, ACMD_TLBI_NH_ASID, 0, 20, 1);
    cmd(s, ACMD_TLBI_NH_VAA, 0, 21, 1);
    cmd(s, ACMD_TLBI_NH_ASID | (2ull << 48), 0, 22, 1);
    cmd(s, ACMD_TLBI_NH_ASID | (3ull << 48), 0, 23, 1);
    cmd(s, ACMD_TLBI_NH_ALL, 0, 24, -CERROR_ILL);
    CHECK_EQ(M[0].ncmd, 3);
    CHECK_EQ(M[0].cmd[2][0] >> 48, 3);
    /* the reported command itself is still executed (a guest skips it) */
    CHECK_EQ(vsmmu_accel_sync(s, &fc), 0);
    CHECK_EQ(M[0].ncmd, 4);
    CHECK_EQ(M[0].cmd[3][0] & 0xff, ACMD_TLBI_NH_ALL);
    done(s);
}

/* CFGI_STE of a passthrough device is executed in order at CMD_SYNC and
 * touches only that device. */
static void test_cfgi_ste(void)
{
    struct vsmmu *s = setup2();
    unsigned i0 = M[0].installs, i1 = M[1].installs;
    cmd(s, ACMD_CFGI_STE | (0x10ull << 32), 0, 1, 1);
    cmd(s, ACMD_CFGI_STE | (0x55ull << 32), 0, 2, 0);    /* not ours */
    CHECK_EQ(M[1].installs, i1);
    uint32_t fc;
    CHECK_EQ(vsmmu_accel_sync(s, &fc), 0);
    CHECK_EQ(M[1].installs, i1 + 1);
    CHECK_EQ(M[1].last_vsid, 0x10);
    CHECK_EQ(M[0].installs, i0);
    /* CFGI_ALL (CFGI_STE_RANGE, Range=31) reaches all three; the emulated
     * caches invalidate too (returns 0) */
    cmd(s, ACMD_CFGI_STE_RANGE, 31, 3, 0);
    CHECK_EQ(vsmmu_accel_sync(s, &fc), 0);
    CHECK_EQ(M[0].installs, i0 + 1);
    CHECK_EQ(M[1].installs, i1 + 3);
    /* Range = 0: SIDs 0x10-0x11 */
    cmd(s, ACMD_CFGI_STE_RANGE | (0x11ull << 32), 0, 4, 0);
    CHECK_EQ(vsmmu_accel_sync(s, &fc), 0);
    CHECK_EQ(M[1].installs, i1 + 5);
    CHECK_EQ(M[0].installs, i0 + 1);
    /* A rejected forward before a CFGI_STE: the CFGI_STE is not executed */
    M[1].reject_op = ACMD_TLBI_NH_ALL;
    cmd(s, ACMD_TLBI_NH_ALL, 0, 5, 1);
    cmd(s, ACMD_CFGI_STE | (0x10ull << 32), 0, 6, 1);
    CHECK_EQ(vsmmu_accel_sync(s, &fc), -CERROR_ILL);
    CHECK_EQ(fc, 5);
    CHECK_EQ(M[1].installs, i1 + 5);
    done(s);
}

static void test_detach_drops_pending(void)
{
    struct vsmmu *s = setup2();
    cmd(s, ACMD_CFGI_CD | (0x11ull << 32), 0, 1, 1);
    cmd(s, ACMD_CFGI_CD | (0x10ull << 32), 0, 2, 1);
    CHECK_EQ(vsmmu_accel_detach(s, 0x11), VSMMU_OK);
    uint32_t fc;
    CHECK_EQ(vsmmu_accel_sync(s, &fc), 0);
    CHECK_EQ(M[1].ncmd, 1);
    CHECK_EQ(M[1].cmd[0][0] >> 32, 0x10);
    done(s);
}

/* ---- events ------------------------------------------------------------------------ */

static void test_events(void)
{
    struct vsmmu *s = setup2();
    /* F_TRANSLATION for vSID 0x10 from backend 1; one for 0x08 claimed by
     * backend 1 (not its device: dropped); an unknown type (dropped). */
    M[1].ev[0][0] = 0x10 | (0x10ull << 32);
    M[1].ev[1][0] = 0x10 | (0x08ull << 32);
    M[1].ev[2][0] = 0x77 | (0x10ull << 32);
    M[1].nev = 3;
    M[0].ev[0][0] = 0x13 | (0x08ull << 32);
    M[0].nev = 1;
    CHECK_EQ(vsmmu_accel_poll(s), 2);
    struct vsmmu_accel_stats st;
    vsmmu_accel_get_stats(s, &st);
    CHECK_EQ(st.events_in, 2);
    CHECK_EQ(st.events_dropped, 2);

    /* lost host events: the guest's EVENTQ overflow flag (PROD.OVFLG !=
     * CONS.OVACKFLG), set once, not toggled back by a second loss */
    uint32_t prod0 = s->regs.eventq_prod;
    M[0].ev_lost = true;
    CHECK_EQ(vsmmu_accel_poll(s), 0);
    CHECK_EQ((s->regs.eventq_prod ^ s->regs.eventq_cons) & Q_PROD_OVFLG, Q_PROD_OVFLG);
    CHECK_EQ((s->regs.eventq_prod ^ prod0) & Q_PROD_OVFLG, Q_PROD_OVFLG);
    M[0].ev_lost = true;
    CHECK_EQ(vsmmu_accel_poll(s), 0);
    CHECK_EQ((s->regs.eventq_prod ^ s->regs.eventq_cons) & Q_PROD_OVFLG, Q_PROD_OVFLG);

    /* garbage count */
    M[0].ev_n_override = 1000;
    CHECK_EQ(vsmmu_accel_poll(s), VSMMU_EBACKEND);
    done(s);
}

/* Backends answering at random (counts past the end, unknown codes,
 * garbage events) and random guest commands: never a crash, a CERROR always
 * names a command that was pending, the front-end keeps working. */
static void test_chaos(void)
{
    struct vsmmu *s = setup2();
    chaos = true;
    uint32_t cons = 0, pending_lo = 0;
    for (int it = 0; it < 20000; it++) {
        unsigned what = (unsigned)(rnd() % 10);
        if (what < 7) {
            static const unsigned ops[] = { 0x03, 0x04, 0x05, 0x06, 0x10, 0x11, 0x12, 0x13, 0x30,
                                            0x40, 0x01, 0x02, 0x2a, 0x46, 0xff };
            uint64_t c[2] = { ops[rnd() % 15] | (rnd() & ~0xffull), rnd() };
            if (rnd() & 1)   /* often a StreamID we own */
                c[0] = (c[0] & 0xffffffffull) | ((uint64_t)(0x08u + (rnd() % 10)) << 32);
            int rc = vsmmu_accel_cmd(s, c, cons++);
            CHECK(rc == 0 || rc == 1 || rc == -CERROR_ILL || rc == -CERROR_ABT);
        } else if (what < 9) {
            uint32_t fc = 0xffffffffu;
            int rc = vsmmu_accel_sync(s, &fc);
            CHECK(rc == 0 || rc == -CERROR_ILL);
            if (rc)
                CHECK_MSG(fc >= pending_lo && fc < cons, "failed cons %u not in [%u, %u)", fc,
                          pending_lo, cons);
            pending_lo = cons;
        } else {
            int rc = vsmmu_accel_poll(s);
            CHECK(rc >= 0 || rc == VSMMU_EBACKEND);
        }
    }
    chaos = false;
    CHECK_EQ(s->accel->npend <= s->accel->batch_max, 1);
    done(s);
}

int main(void)
{
    RUN(test_chaos);
    RUN(test_mask);
    RUN(test_add_backend);
    RUN(test_registry);
    RUN(test_batching);
    RUN(test_reject);
    RUN(test_garbage);
    RUN(test_full_batch);
    RUN(test_cfgi_ste);
    RUN(test_detach_drops_pending);
    RUN(test_events);
    return t_done();
}
