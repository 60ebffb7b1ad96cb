/* SPDX-License-Identifier: MIT */
/* fuzz_config: any configuration an embedder may pass (every field from the
 * input, in and out of range). vsmmu_config_check accepts or refuses it
 * with a message; vsmmu_create agrees with it; a created instance shows the
 * configuration in its ID registers (IHI0070 6.3.1-6.3.6), follows GBPA
 * with SMMUEN=0, resets and is destroyed without leaks.
 * Capacities are kept below 2^16 entries: larger ones are legitimate
 * requests for a lot of memory, not malformed input. */
#include <string.h>

#include "fuzz_common.h"
#include "internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fz_in in = { data, size };
    struct vsmmu_config c;
    /* start from a profile so that valid configurations are common */
    struct fz_in pin = { data, size ? 1 : 0 };
    fz_config(&pin, &c);
    fz_u8(&in);
    uint64_t f = fz_u64(&in);
    uint8_t sel = fz_u8(&in);
#define B(field, bit) do { if (sel & 1) c.field = (f >> (bit)) & 1; } while (0)
    B(s1p, 0); B(s2p, 1); B(cohacc, 2); B(btm, 3); B(hyp, 4); B(ats, 5); B(ns1ats, 6);
    B(asid16, 7); B(vmid16, 8); B(msi, 9); B(sev, 10); B(pri, 11); B(vmw, 12); B(cd2l, 13);
    B(st2l, 14); B(term_model, 15); B(dormhint, 16); B(attr_types_ovr, 17);
    B(attr_perms_ovr, 18); B(had, 19); B(pbha, 20); B(xnx, 21); B(mpam, 22); B(fwb, 23);
    B(stt, 24); B(ril, 25); B(e0pd, 26); B(ptwnnc, 27); B(gran4k, 28); B(gran16k, 29);
    B(gran64k, 30); B(vax52, 31); B(page0_alias, 32);
#undef B
    if (sel & 2) {
        c.arch_minor = fz_u8(&in) % 6;
        c.httu = (enum vsmmu_httu)(fz_u8(&in) % 4);
        c.stall_model = (enum vsmmu_stall_model)(fz_u8(&in) % 4);
        c.bbml = fz_u8(&in) % 4;
    }
    if (sel & 4) {
        c.sidsize = fz_u8(&in) % 40;
        c.ssidsize = fz_u8(&in) % 24;
        c.cmdqs = fz_u8(&in) % 24;
        c.eventqs = fz_u8(&in) % 24;
        c.priqs = fz_u8(&in) % 24;
        c.oas_bits = fz_u8(&in) % 64;
    }
    if (sel & 8) {
        c.stall_max = fz_u32(&in) % 0x20000;
        c.gbpa_reset = fz_u32(&in);
        c.iidr = fz_u32(&in);
    }
    if (sel & 16) {
        c.tlb_entries = fz_u16(&in);
        c.cfg_entries = fz_u16(&in);
        c.cmdq_batch = fz_u16(&in);
    }

    char err[128];
    memset(err, 'x', sizeof(err));
    int rc = vsmmu_config_check(&c, err, sizeof(err));
    if (rc != VSMMU_OK && rc != VSMMU_EINVAL)
        fz_fail("vsmmu_config_check returned %d", rc);
    if (rc == VSMMU_EINVAL && !memchr(err, 0, sizeof(err)))
        fz_fail("vsmmu_config_check left an unterminated message");
    if (rc == VSMMU_EINVAL && !err[0])
        fz_fail("vsmmu_config_check refused without a reason");

    struct kit_mem *m = kit_mem_new();
    kit_mem_add(m, 0, 1u << 16);
    struct vsmmu_host_ops ops;
    kit_mem_ops(m, &ops, false);
    struct vsmmu *s = (struct vsmmu *)&c;
    char cerr[128];
    int crc = vsmmu_create(&c, &ops, &s, cerr, sizeof(cerr));
    if (rc == VSMMU_EINVAL) {
        if (crc != VSMMU_EINVAL || s != NULL)
            fz_fail("vsmmu_create(%d) of a configuration vsmmu_config_check refused (%s)", crc,
                    err);
    } else if (crc != VSMMU_OK) {
        if (crc != VSMMU_ENOMEM)
            fz_fail("vsmmu_create refused a checked configuration: %d %s", crc, cerr);
    } else {
        uint64_t idr0, idr1, idr5, aidr;
        vsmmu_mmio_read(s, SMMU_IDR0, 4, &idr0);
        vsmmu_mmio_read(s, SMMU_IDR1, 4, &idr1);
        vsmmu_mmio_read(s, SMMU_IDR5, 4, &idr5);
        vsmmu_mmio_read(s, SMMU_AIDR, 4, &aidr);
        const struct vsmmu_config *g = vsmmu_get_config(s);
        /* IHI0070 6.3.1 IDR0, 6.3.2 IDR1, 6.3.6 IDR5, 6.3.8 AIDR */
        bool ok = FIELD_GET(IDR0_S1P, idr0) == g->s1p && FIELD_GET(IDR0_S2P, idr0) == g->s2p &&
                  FIELD_GET(IDR0_STALL_MODEL, idr0) == (unsigned)g->stall_model &&
                  FIELD_GET(IDR0_CD2L, idr0) == g->cd2l &&
                  FIELD_GET(IDR0_ST_LEVEL, idr0) == (g->st2l ? 1u : 0u) &&
                  FIELD_GET(IDR0_HTTU, idr0) == (unsigned)g->httu &&
                  FIELD_GET(IDR1_SIDSIZE, idr1) == g->sidsize &&
                  FIELD_GET(IDR1_SSIDSIZE, idr1) == g->ssidsize &&
                  FIELD_GET(IDR1_CMDQS, idr1) == g->cmdqs &&
                  FIELD_GET(IDR1_EVENTQS, idr1) == g->eventqs &&
                  vsmmu_oas_decode((unsigned)FIELD_GET(IDR5_OAS, idr5)) == g->oas_bits &&
                  FIELD_GET(IDR5_STALL_MAX, idr5) == g->stall_max &&
                  FIELD_GET(IDR5_GRAN4K, idr5) == g->gran4k &&
                  FIELD_GET(IDR5_GRAN16K, idr5) == g->gran16k &&
                  FIELD_GET(IDR5_GRAN64K, idr5) == g->gran64k &&
                  FIELD_GET(AIDR_MINOR, aidr) == g->arch_minor && FIELD_GET(AIDR_MAJOR, aidr) == 0;
        if (!ok)
            fz_fail("ID registers do not show the configuration: IDR0 %08llx IDR1 %08llx "
                    "IDR5 %08llx AIDR %08llx", (unsigned long long)idr0,
                    (unsigned long long)idr1, (unsigned long long)idr5,
                    (unsigned long long)aidr);
        /* SMMUEN=0: GBPA decides (IHI0070 6.3.14) */
        for (unsigned i = 0; i < 4; i++) {
            struct vsmmu_txn t = { .sid = fz_u32(&in), .ssid = fz_u32(&in), .addr = fz_u64(&in),
                                   .flags = fz_u8(&in) & 0x3F };
            struct vsmmu_result r;
            if (vsmmu_translate(s, &t, &r) != VSMMU_OK)
                fz_fail("translate failed");
            bool abort_ = (c.gbpa_reset & GBPA_ABORT) || (g->oas_bits < 64 && (t.addr >> g->oas_bits));
            if (r.outcome != (abort_ ? VSMMU_XLATE_ABORT : VSMMU_XLATE_OK))
                fz_fail("SMMUEN=0, GBPA 0x%08x: outcome %d for 0x%llx", c.gbpa_reset, r.outcome,
                        (unsigned long long)t.addr);
            if (r.outcome == VSMMU_XLATE_OK && r.out_addr != t.addr)
                fz_fail("GBPA bypass changed the address");
        }
        vsmmu_reset(s);
        vsmmu_destroy(s);
    }
    kit_mem_free(m);
    return 0;
}
