/* SPDX-License-Identifier: MIT */
/* Public API: configuration profiles and validation, create/destroy, MMIO
 * argument checking, GBPA behaviour while SMMUEN=0. */
#include "test.h"
#include "mem.h"
#include "vsmmu/vsmmu.h"

static struct vsmmu *mk(const struct vsmmu_config *c, struct kit_mem **mo)
{
    struct kit_mem *m = kit_mem_new();
    kit_mem_add(m, 0, 1 << 20);
    struct vsmmu_host_ops ops;
    kit_mem_ops(m, &ops, false);
    struct vsmmu *s = NULL;
    char err[256];
    int rc = vsmmu_create(c, &ops, &s, err, sizeof(err));
    if (rc)
        fprintf(stderr, "create: %s\n", err);
    *mo = m;
    return s;
}

static void profiles_are_valid(void)
{
    for (const char *const *n = vsmmu_profile_names(); *n; n++) {
        struct vsmmu_config c;
        CHECK_EQ(vsmmu_config_profile(&c, *n), VSMMU_OK);
        char err[256] = "";
        int rc = vsmmu_config_check(&c, err, sizeof(err));
        CHECK_MSG(rc == VSMMU_OK, "profile %s rejected: %s", *n, err);
    }
    struct vsmmu_config c;
    CHECK_EQ(vsmmu_config_profile(&c, "no-such-profile"), (uint64_t)VSMMU_ENOENT);
}

static void rejects_inconsistent(void)
{
    struct vsmmu_config c;
    char err[256];

    vsmmu_config_default(&c); c.s1p = c.s2p = false;
    CHECK_EQ(vsmmu_config_check(&c, err, sizeof(err)), (uint64_t)VSMMU_EINVAL);
    CHECK(strstr(err, "stage") != NULL);

    vsmmu_config_default(&c); c.ssidsize = 21;
    CHECK_EQ(vsmmu_config_check(&c, err, sizeof(err)), (uint64_t)VSMMU_EINVAL);
    CHECK(strstr(err, "ssidsize") != NULL);

    vsmmu_config_default(&c); c.arch_minor = 1; c.e0pd = true; c.ril = true; c.fwb = true;
    CHECK_EQ(vsmmu_config_check(&c, err, sizeof(err)), (uint64_t)VSMMU_EINVAL);
    CHECK(strstr(err, "e0pd") != NULL);

    vsmmu_config_default(&c); c.arch_minor = 0; c.ril = true;
    CHECK_EQ(vsmmu_config_check(&c, err, sizeof(err)), (uint64_t)VSMMU_EINVAL);

    vsmmu_config_default(&c); c.oas_bits = 47;
    CHECK_EQ(vsmmu_config_check(&c, err, sizeof(err)), (uint64_t)VSMMU_EINVAL);
    CHECK(strstr(err, "oas_bits") != NULL);

    vsmmu_config_default(&c); c.sidsize = 33;
    CHECK_EQ(vsmmu_config_check(&c, err, sizeof(err)), (uint64_t)VSMMU_EINVAL);

    vsmmu_config_default(&c); c.pri = true; c.ats = false;
    CHECK_EQ(vsmmu_config_check(&c, err, sizeof(err)), (uint64_t)VSMMU_EINVAL);

    vsmmu_config_default(&c); c.arch_minor = 2; c.ril = false;
    CHECK_EQ(vsmmu_config_check(&c, err, sizeof(err)), (uint64_t)VSMMU_EINVAL);

    /* create() refuses it too, with the message, and returns no instance */
    struct kit_mem *m = kit_mem_new();
    struct vsmmu_host_ops ops;
    kit_mem_ops(m, &ops, false);
    struct vsmmu *s = (struct vsmmu *)1;
    vsmmu_config_default(&c); c.gran4k = c.gran16k = c.gran64k = false;
    CHECK_EQ(vsmmu_create(&c, &ops, &s, err, sizeof(err)), (uint64_t)VSMMU_EINVAL);
    CHECK(s == NULL);
    CHECK(strstr(err, "granule") != NULL);
    CHECK_EQ(vsmmu_create(NULL, &ops, &s, err, sizeof(err)), (uint64_t)VSMMU_EINVAL);
    ops.read = NULL;
    vsmmu_config_default(&c);
    CHECK_EQ(vsmmu_create(&c, &ops, &s, err, sizeof(err)), (uint64_t)VSMMU_EINVAL);
    kit_mem_free(m);
}

static void mmio_arguments(void)
{
    struct vsmmu_config c;
    vsmmu_config_default(&c);
    struct kit_mem *m;
    struct vsmmu *s = mk(&c, &m);
    REQUIRE(s);
    uint64_t v = 1;
    CHECK_EQ(vsmmu_mmio_read(s, VSMMU_MMIO_SIZE, 4, &v), (uint64_t)VSMMU_ERANGE);
    CHECK(strlen(vsmmu_last_error(s)) > 0);
    CHECK_EQ(vsmmu_mmio_read(s, 0, 3, &v), (uint64_t)VSMMU_EINVAL);
    CHECK_EQ(vsmmu_mmio_write(s, VSMMU_MMIO_SIZE - 4, 0, 8), (uint64_t)VSMMU_ERANGE);
    CHECK_EQ(vsmmu_mmio_read(s, 0x20, 4, &v), (uint64_t)VSMMU_OK);
    CHECK_EQ(v, 0);  /* CR0 resets to 0 */
    vsmmu_destroy(s);
    kit_mem_free(m);
}

/* IHI0070 6.3.9: with SMMUEN=0, GBPA.ABORT aborts; else bypass. */
static void gbpa_bypass_and_abort(void)
{
    struct vsmmu_config c;
    vsmmu_config_default(&c);
    c.gbpa_reset = 0x00100000;  /* ABORT */
    struct kit_mem *m;
    struct vsmmu *s = mk(&c, &m);
    REQUIRE(s);
    struct vsmmu_txn t = { .sid = 1, .addr = 0x1234000 };
    struct vsmmu_result r;
    CHECK_EQ(vsmmu_translate(s, &t, &r), VSMMU_OK);
    CHECK_EQ(r.outcome, VSMMU_XLATE_ABORT);
    CHECK_EQ(r.has_event, 0);
    /* GBPA update handshake: write Update=1 with ABORT=0 */
    CHECK_EQ(vsmmu_mmio_write(s, 0x44, 0x80000000u, 4), VSMMU_OK);
    uint64_t g = 0;
    vsmmu_mmio_read(s, 0x44, 4, &g);
    CHECK_EQ(g & 0x80000000u, 0);
    CHECK_EQ(g & 0x00100000u, 0);
    CHECK_EQ(vsmmu_translate(s, &t, &r), VSMMU_OK);
    CHECK_EQ(r.outcome, VSMMU_XLATE_OK);
    CHECK_EQ(r.out_addr, 0x1234000);
    /* Bypass address above OAS (48 bits): aborted, no event (6.3.9) */
    t.addr = 1ull << 48;
    CHECK_EQ(vsmmu_translate(s, &t, &r), VSMMU_OK);
    CHECK_EQ(r.outcome, VSMMU_XLATE_ABORT);
    CHECK_EQ(r.has_event, 0);
    vsmmu_destroy(s);
    kit_mem_free(m);
}

int main(void)
{
    RUN(profiles_are_valid);
    RUN(rejects_inconsistent);
    RUN(mmio_arguments);
    RUN(gbpa_bypass_and_abort);
    return t_done();
}
