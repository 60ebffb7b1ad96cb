/* SPDX-License-Identifier: MIT */
/* The soft backend: a second vsmmu instance plays the host SMMU and the
 * backend drives it as the Linux host driver would. Checked here: the
 * physical STEs it builds (IHI0070 5.2), the vSTE checks and the command
 * conversion of the Linux nested path (linux-driver.md 5.3, 5.5), and the
 * host event filtering (5.8), by looking at the host's stream table, the
 * commands the host consumed (trace) and its event queue. */
#include "test.h"
#include "internal.h"
#include "mem.h"
#include "ptb.h"
#include "vsmmu/accel.h"
#include "accel/nested.h"

#define VMID  7u
#define PSID  0x21u
#define VSID  0x08u

static struct kit_mem *HM;
static struct vsmmu *H;
static struct kit_ptb S2;
static uint64_t soft_pa;
static struct vsmmu_accel_backend *BE;

/* commands the host consumed */
static uint64_t seen[1024][2];
static unsigned nseen;

static void trace_fn(void *o, const struct vsmmu_trace_rec *r)
{
    (void)o;
    if (r->kind == VSMMU_TR_CMD && r->nraw >= 2 && nseen < 1024) {
        seen[nseen][0] = r->raw[0];
        seen[nseen][1] = r->raw[1];
        nseen++;
    }
}

static unsigned count_op(unsigned op)
{
    unsigned n = 0;
    for (unsigned i = 0; i < nseen; i++)
        n += (seen[i][0] & 0xff) == op;
    return n;
}

static struct vsmmu *mk_host(const char *profile)
{
    HM = kit_mem_new();
    kit_mem_add(HM, 0, 8u << 20);
    struct vsmmu_config cfg;
    vsmmu_config_profile(&cfg, profile);
    struct vsmmu_host_ops ops;
    kit_mem_ops(HM, &ops, false);
    struct vsmmu *h = NULL;
    char err[200];
    if (vsmmu_create(&cfg, &ops, &h, err, sizeof(err)) != VSMMU_OK) {
        fprintf(stderr, "host: %s\n", err);
        exit(1);
    }
    return h;
}

static struct vsmmu_soft_cfg soft_cfg(void)
{
    soft_pa = kit_mem_alloc(HM, vsmmu_soft_mem_size(H), 0x10000);
    struct vsmmu_soft_cfg c = {
        .host = H, .mem_pa = soft_pa, .mem_len = vsmmu_soft_mem_size(H),
        .mem = kit_mem_ptr(HM, soft_pa, vsmmu_soft_mem_size(H)),
        .s2_ttb = kit_ptb_ttb(&S2), .s2_t0sz = 32, .s2_sl0 = 1, .s2_granule = 12,
        .s2_ps = 5 /* 48 bits */, .vmid = VMID,
    };
    return c;
}

static void setup(void)
{
    H = mk_host("full-v3.2");
    /* host stage 2: 4K granule, IPA 32 bits (S2T0SZ 32), start level 1
     * (S2SL0 = 1 for 4K) */
    if (kit_ptb_init_s2(&S2, HM, 12, 1, 32) != 0)
        exit(1);
    struct vsmmu_soft_cfg c = soft_cfg();
    char err[200] = "";
    int rc = vsmmu_soft_backend_new(&c, &BE, err, sizeof(err));
    if (rc != VSMMU_OK) {
        fprintf(stderr, "soft: %s\n", err);
        exit(1);
    }
    nseen = 0;
    vsmmu_set_trace(H, trace_fn, NULL);
}

static void teardown(void)
{
    BE->ops->release(BE->ctx);
    vsmmu_destroy(H);
    kit_mem_free(HM);
}

/* soft_pa is 64K aligned: the stream table (256 x 64 B) starts there */
static uint64_t host_ste(uint32_t psid, unsigned dw)
{
    return kit_r64(HM, soft_pa + (uint64_t)psid * 64 + 8u * dw);
}

static void test_create(void)
{
    setup();
    uint64_t v = 0;
    vsmmu_mmio_read(H, SMMU_CR0ACK, 4, &v);
    CHECK_EQ(v, CR0_SMMUEN | CR0_CMDQEN | CR0_EVENTQEN);
    vsmmu_mmio_read(H, SMMU_STRTAB_BASE, 8, &v);
    CHECK_EQ(v & STRTAB_BASE_ADDR, soft_pa);
    struct vsmmu_accel_hw_info hw;
    CHECK_EQ(BE->ops->hw_info(BE->ctx, &hw), VSMMU_OK);
    for (unsigned i = 0; i < 6; i++) {
        vsmmu_mmio_read(H, SMMU_IDR0 + 4 * i, 4, &v);
        CHECK_EQ(hw.idr[i], v);
    }
    teardown();

    /* a host without stage 2 cannot nest (IOMMU_VIOMMU_ALLOC: EOPNOTSUPP) */
    H = mk_host("minimal-v3.0");
    kit_ptb_init_s2(&S2, HM, 12, 1, 32);
    struct vsmmu_soft_cfg c = soft_cfg();
    char err[200] = "";
    struct vsmmu_accel_backend *be = NULL;
    CHECK_EQ(vsmmu_soft_backend_new(&c, &be, err, sizeof(err)), VSMMU_EUNSUPPORTED);
    CHECK_MSG(strstr(err, "S2P") != NULL, "%s", err);
    c.mem_len = 100;
    CHECK_EQ(vsmmu_soft_backend_new(&c, &be, err, sizeof(err)), VSMMU_EINVAL);
    CHECK(be == NULL);
    vsmmu_destroy(H);
    kit_mem_free(HM);
}

static void test_ste(void)
{
    setup();
    CHECK_EQ(BE->ops->add_device(BE->ctx, VSID, PSID), VSMMU_OK);
    CHECK_EQ(BE->ops->add_device(BE->ctx, VSID, 0x22), VSMMU_EBUSY);   /* vSID unique */
    CHECK_EQ(BE->ops->add_device(BE->ctx, 0x9, 0x1000), VSMMU_EINVAL); /* beyond table */
    /* attached to the nest parent: Config=0b110, S2 words of the parent:
     * S2VMID 7, S2T0SZ 32, S2SL0 1, S2TG 0 (4K), S2PS 5, S2AA64, S2R, S2TTB */
    CHECK_EQ(host_ste(PSID, 0), 1 | (6u << 1));
    uint64_t d2 = host_ste(PSID, 2);
    CHECK_EQ(d2 & 0xffff, VMID);
    CHECK_EQ((d2 >> 32) & 0x3f, 32);
    CHECK_EQ((d2 >> 38) & 3, 1);
    CHECK_EQ((d2 >> 46) & 3, 0);
    CHECK_EQ((d2 >> 48) & 7, 5);
    CHECK((d2 >> 51) & 1);
    CHECK((d2 >> 58) & 1);
    CHECK_EQ(host_ste(PSID, 3), kit_ptb_ttb(&S2));
    CHECK_EQ(count_op(0x03), 1);       /* CFGI_STE on the host */

    /* stage-1 vSTE -> nested physical STE: Config 0b111, S1 words kept,
     * EATS removed, MEV set */
    uint64_t v[2] = { 1 | (5u << 1) | (1u << 4) | 0x12340000ull | (3ull << 59),
                      1 | (1u << 2) | (1u << 4) | (3u << 6) | (1u << 27) | (1ull << 28) };
    CHECK_EQ(BE->ops->install_ste(BE->ctx, VSID, v), VSMMU_OK);
    CHECK_EQ(host_ste(PSID, 0), 1 | (7u << 1) | (1u << 4) | 0x12340000ull | (3ull << 59));
    CHECK_EQ(host_ste(PSID, 1), (1 | (1u << 2) | (1u << 4) | (3u << 6) | (1u << 27)) |
                                (1u << 19) | (1ull << 44));
    CHECK_EQ(host_ste(PSID, 2), d2);
    CHECK_EQ(count_op(0x03), 2);
    for (unsigned i = 0; i < nseen; i++)
        if ((seen[i][0] & 0xff) == 0x03)
            CHECK_EQ(seen[i][0] >> 32, PSID);   /* the physical StreamID */

    /* bypass -> stage 2 only; abort; V=0 -> abort */
    uint64_t by[2] = { 1 | (4u << 1), 0 };
    CHECK_EQ(BE->ops->install_ste(BE->ctx, VSID, by), VSMMU_OK);
    CHECK_EQ(host_ste(PSID, 0), 1 | (6u << 1));
    uint64_t ab[2] = { 1, 0 };
    CHECK_EQ(BE->ops->install_ste(BE->ctx, VSID, ab), VSMMU_OK);
    CHECK_EQ(host_ste(PSID, 0), 1);
    CHECK_EQ(BE->ops->install_ste(BE->ctx, VSID, by), VSMMU_OK);
    uint64_t inval[2] = { 0xffff000000000000ull, 0xffff };   /* V=0: anything else ignored */
    CHECK_EQ(BE->ops->install_ste(BE->ctx, VSID, inval), VSMMU_OK);
    CHECK_EQ(host_ste(PSID, 0), 1);

    /* refused (the kernel's EIO): the host STE stays as it was */
    CHECK_EQ(BE->ops->install_ste(BE->ctx, VSID, by), VSMMU_OK);
    const uint64_t bad[][2] = {
        { 1 | (6u << 1), 0 },                       /* Config stage 2 */
        { 1 | (7u << 1), 0 },                       /* Config nested */
        { 1 | (1u << 1), 0 },                       /* reserved Config */
        { 1 | (5u << 1) | (1ull << 52), 0 },        /* dword 0 RES0 bit */
        { 1 | (5u << 1), 1u << 19 },                /* MEV is the host's */
        { 1 | (5u << 1), 2ull << 28 },              /* EATS split-stage */
        { 1 | (5u << 1), 1ull << 44 },              /* SHCFG override */
    };
    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        CHECK_MSG(BE->ops->install_ste(BE->ctx, VSID, bad[i]) == VSMMU_EINVAL, "bad[%u]", i);
        CHECK_EQ(host_ste(PSID, 0), 1 | (6u << 1));
    }
    CHECK(strstr(BE->ops->last_error(BE->ctx), "EIO") != NULL);
    CHECK_EQ(BE->ops->install_ste(BE->ctx, 0x55, by), VSMMU_ENOENT);

    CHECK_EQ(BE->ops->del_device(BE->ctx, VSID), VSMMU_OK);
    CHECK_EQ(host_ste(PSID, 0), 1);    /* left aborting */
    teardown();
}

static void test_invalidate(void)
{
    setup();
    BE->ops->add_device(BE->ctx, VSID, PSID);
    nseen = 0;
    uint64_t c[5][2] = {
        { 0x11 | (3ull << 48), 0 },                 /* TLBI_NH_ASID VMID 0 ASID 3 */
        { 0x30, 0x1234 },                           /* TLBI_NSNH_ALL */
        { 0x05 | ((uint64_t)VSID << 32), 1 },       /* CFGI_CD vSID */
        { 0x12 | (0x55ull << 32) | (9ull << 48), 0x7000 | 1 },  /* TLBI_NH_VA VMID 0x55 */
        { 0x06 | ((uint64_t)VSID << 32), 0 },       /* CFGI_CD_ALL */
    };
    uint32_t done = 0;
    CHECK_EQ(BE->ops->invalidate(BE->ctx, (const uint64_t (*)[2])c, 5, &done), VSMMU_OK);
    CHECK_EQ(done, 5);
    REQUIRE(nseen == 6);   /* 5 + the CMD_SYNC */
    CHECK_EQ(seen[0][0], 0x11 | ((uint64_t)VMID << 32) | (3ull << 48));
    CHECK_EQ(seen[1][0], 0x10 | ((uint64_t)VMID << 32));     /* -> TLBI_NH_ALL */
    CHECK_EQ(seen[1][1], 0);
    CHECK_EQ(seen[2][0], 0x05 | ((uint64_t)PSID << 32));     /* vSID -> pSID */
    CHECK_EQ(seen[2][1], 1);
    CHECK_EQ(seen[3][0], 0x12 | ((uint64_t)VMID << 32) | (9ull << 48));
    CHECK_EQ(seen[3][1], 0x7001);
    CHECK_EQ(seen[4][0], 0x06 | ((uint64_t)PSID << 32));
    CHECK_EQ(seen[5][0] & 0xff, 0x46);

    /* chunks of 63, each followed by CMD_SYNC: 130 -> 63 + 63 + 4, 3 syncs */
    uint64_t many[130][2];
    for (int i = 0; i < 130; i++) {
        many[i][0] = 0x11 | ((uint64_t)i << 48);
        many[i][1] = 0;
    }
    nseen = 0;
    CHECK_EQ(BE->ops->invalidate(BE->ctx, (const uint64_t (*)[2])many, 130, &done), VSMMU_OK);
    CHECK_EQ(count_op(0x11), 130);
    CHECK_EQ(count_op(0x46), 3);
    CHECK_EQ(seen[63][0] & 0xff, 0x46);

    /* refusals: exactly the commands before the refused one run */
    const unsigned refused_op[] = { 0x2a, 0x28, 0x20, 0x03, 0x04, 0x01, 0x46, 0x44 };
    for (unsigned k = 0; k < sizeof(refused_op) / sizeof(refused_op[0]); k++) {
        uint64_t r[4][2] = { { 0x10, 0 }, { 0x10, 0 }, { refused_op[k], 0 }, { 0x10, 0 } };
        nseen = 0;
        CHECK_EQ(BE->ops->invalidate(BE->ctx, (const uint64_t (*)[2])r, 4, &done), VSMMU_EINVAL);
        CHECK_EQ(done, 2);
        CHECK_EQ(count_op(0x10), 2);
    }
    /* unknown vSID */
    uint64_t u[1][2] = { { 0x05 | (0x99ull << 32), 0 } };
    CHECK_EQ(BE->ops->invalidate(BE->ctx, (const uint64_t (*)[2])u, 1, &done), VSMMU_EINVAL);
    CHECK_EQ(done, 0);
    /* refused in the second chunk: the first chunk ran, 63..69 too */
    many[70][0] = 0x2a;
    nseen = 0;
    CHECK_EQ(BE->ops->invalidate(BE->ctx, (const uint64_t (*)[2])many, 130, &done), VSMMU_EINVAL);
    CHECK_EQ(done, 70);
    CHECK_EQ(count_op(0x11), 70);

    /* a host that stopped consuming: a backend failure, not a hang */
    vsmmu_mmio_write(H, SMMU_CR0, CR0_SMMUEN | CR0_EVENTQEN, 4);
    CHECK_EQ(BE->ops->invalidate(BE->ctx, (const uint64_t (*)[2])c, 1, &done), VSMMU_EBACKEND);
    CHECK(strstr(BE->ops->last_error(BE->ctx), "consume") != NULL);
    teardown();
}

static void host_event(uint8_t type, uint32_t sid, uint64_t dw1)
{
    uint64_t rec[4] = { type | ((uint64_t)sid << 32), dw1, 0xabc000, 0 };
    vsmmu_evtq_write(H, rec);
}

static void test_events(void)
{
    setup();
    BE->ops->add_device(BE->ctx, VSID, PSID);
    host_event(0x10, PSID, 0);                    /* forwarded, SID -> vSID */
    host_event(0x10, PSID, 1ull << 39);           /* stage 2: stays on the host */
    host_event(0x10, 0x30, 0);                    /* no vDEVICE */
    host_event(0x0b, PSID, 0);                    /* F_WALK_EABT: not forwarded */
    host_event(0x12, PSID, 1ull << 31);           /* stalled: fault path, not vEVENTQ */
    host_event(0x04, PSID, 0);                    /* C_BAD_STE */
    uint64_t rec[8][4];
    uint32_t n = 0;
    bool lost = true;
    CHECK_EQ(BE->ops->read_events(BE->ctx, rec, 8, &n, &lost), VSMMU_OK);
    CHECK(!lost);
    REQUIRE(n == 2);
    CHECK_EQ(rec[0][0], 0x10 | ((uint64_t)VSID << 32));
    CHECK_EQ(rec[0][2], 0xabc000);
    CHECK_EQ(rec[1][0], 0x04 | ((uint64_t)VSID << 32));
    CHECK_EQ(BE->ops->read_events(BE->ctx, rec, 8, &n, &lost), VSMMU_OK);
    CHECK_EQ(n, 0);
    /* host queue overflow (128 entries): lost, then acknowledged */
    for (int i = 0; i < 140; i++)
        host_event(0x10, PSID, 0);
    unsigned total = 0;
    bool any_lost = false;
    for (int r = 0; r < 40; r++) {
        CHECK_EQ(BE->ops->read_events(BE->ctx, rec, 8, &n, &lost), VSMMU_OK);
        total += n;
        any_lost |= lost;
        if (!n)
            break;
    }
    CHECK(any_lost);
    CHECK(total >= 127 && total <= 128);
    CHECK_EQ(BE->ops->read_events(BE->ctx, rec, 8, &n, &lost), VSMMU_OK);
    CHECK(!lost);
    teardown();
}

/* Random vSTEs: accepted exactly when the Linux rule accepts them
 * (linux-driver.md 5.3): V=0, or only the allowed bits (dword 0:
 * 0xF80FFFFFFFFFFFFF = V, Config, S1Fmt, S1ContextPtr[51:6], S1CDMax;
 * dword 1: 0x380000FF = S1DSS, S1CIR, S1COR, S1CSH, S1STALLD, EATS),
 * Config in {0b000, 0b100, 0b101} and EATS <= 1. */
static void test_random_vste(void)
{
    setup();
    BE->ops->add_device(BE->ctx, VSID, PSID);
    uint64_t x = 0x2545F4914F6CDD1Dull;
    unsigned accepted = 0;
    for (int i = 0; i < 3000; i++) {
        x ^= x << 13; x ^= x >> 7; x ^= x << 17;
        uint64_t w0 = x;
        x ^= x << 13; x ^= x >> 7; x ^= x << 17;
        uint64_t w1 = x;
        if (i % 3)   /* mostly within the allowed bits, to reach the other checks */
            w0 &= 0xF80FFFFFFFFFFFFFull, w1 &= 0x380000FFull;
        if (i % 5 == 0)
            w1 &= ~(1ull << 29);
        unsigned cfg = (unsigned)(w0 >> 1) & 7, eats = (unsigned)(w1 >> 28) & 3;
        bool ok = !(w0 & 1) || (!(w0 & ~0xF80FFFFFFFFFFFFFull) && !(w1 & ~0x380000FFull) &&
                                (cfg == 0 || cfg == 4 || cfg == 5) && eats <= 1);
        uint64_t v[2] = { w0, w1 };
        int rc = BE->ops->install_ste(BE->ctx, VSID, v);
        CHECK_MSG((rc == VSMMU_OK) == ok, "vSTE %016llx %016llx: rc %d, expected %s",
                  (unsigned long long)w0, (unsigned long long)w1, rc, ok ? "ok" : "EIO");
        CHECK(rc == VSMMU_OK || rc == VSMMU_EINVAL);
        accepted += ok;
    }
    CHECK(accepted > 300 && accepted < 2700);
    teardown();
}

int main(void)
{
    RUN(test_create);
    RUN(test_ste);
    RUN(test_invalidate);
    RUN(test_events);
    RUN(test_random_vste);
    return t_done();
}
