/* SPDX-License-Identifier: MIT */
/* fuzz_walk: the VMSAv8-64 walker alone (stage 1, stage 2, nested) on
 * hostile translation tables, with every configuration the STE/CD decoders
 * can hand it (granule, TxSZ, start level, concatenation, IPS/PS, TBI, EPD,
 * HAD, E0PD, endianness, AFFD, HA/HD, S2PTW, S2FWB, EL2 regimes).
 *
 * Invariants: the walk returns; a success has its output below the
 * effective output size of the last stage (and the IPA below IPS when
 * nested), keeps the input's offset within the mapping, reads a bounded
 * number of descriptors; a fault is one of the walk faults with a valid
 * CLASS; a repeated walk gives the same answer.
 *
 * Input: 4 config bytes, 1 harness byte, 24 bytes of stage configuration,
 * then operations: 0 descriptor, 1 raw word, 2 walk. */
#include <string.h>

#include "fuzz_common.h"
#include "fuzz_format.h"
#include "internal.h"
#include "walk.h"

static const uint8_t granules[] = { 12, 14, 16, 12 };
static const uint8_t sizes[] = { 32, 36, 40, 42, 44, 48, 52, 48 };

static bool mk_s1(struct fz_in *in, const struct vsmmu_config *c, struct vsmmu_s1_cfg *s1)
{
    memset(s1, 0, sizeof(*s1));
    uint16_t fl = fz_u16(in);
    for (unsigned i = 0; i < 2; i++) {
        struct vsmmu_s1_tt *tt = &s1->tt[i];
        uint8_t b = fz_u8(in), tsz = fz_u8(in);
        tt->granule = granules[b & 3];
        tt->tsz = (uint8_t)(12 + tsz % 37);
        int sl = vsmmu_s1_start_level(tt->granule, tt->tsz);
        if (sl < 0)
            return false;
        tt->start_level = (int8_t)sl;
        tt->ttb = fz_slot(fz_u8(in)) & ~((1ull << tt->granule) - 1);
        tt->epd = b & 4;
        tt->tbi = b & 8;
        tt->had = b & 16;
        tt->e0pd = b & 32;
    }
    s1->ips_bits = sizes[fl & 7];
    if (s1->ips_bits > c->oas_bits)
        s1->ips_bits = (uint8_t)c->oas_bits;
    s1->asid = 1;
    s1->mair = 0x0044FF04ull | (uint64_t)fz_u8(in) << 32;
    s1->aa64 = true;
    s1->endi = fl & 0x8;
    s1->affd = fl & 0x10;
    s1->wxn = fl & 0x20;
    s1->pan = fl & 0x40;
    s1->ha = fl & 0x80;
    s1->hd = fl & 0x100;
    s1->r = true;
    s1->a = true;
    s1->el2 = fl & 0x200;
    s1->el2_e2h = fl & 0x400;
    return true;
}

static bool mk_s2(struct fz_in *in, const struct vsmmu_config *c, struct vsmmu_s2_cfg *s2)
{
    memset(s2, 0, sizeof(*s2));
    uint8_t b = fz_u8(in), t = fz_u8(in), fl = fz_u8(in);
    s2->granule = granules[b & 3];
    s2->sl0 = (b >> 2) & 3;
    s2->t0sz = (uint8_t)(12 + t % 37);
    s2->ps_bits = sizes[(b >> 4) & 7];
    if (s2->ps_bits > c->oas_bits)
        s2->ps_bits = (uint8_t)c->oas_bits;
    unsigned concat = 1;
    int sl = vsmmu_s2_start_level(s2->granule, s2->sl0, s2->t0sz, s2->ps_bits, &concat);
    if (sl < 0 || 64u - s2->t0sz > c->oas_bits)
        return false;
    s2->start_level = (int8_t)sl;
    s2->concat = (uint8_t)concat;
    s2->ttb = fz_slot(fz_u8(in)) & ~((concat << s2->granule) - 1);
    s2->vmid = 1;
    s2->aa64 = true;
    s2->endi = fl & 1;
    s2->affd = fl & 2;
    s2->ha = fl & 4;
    s2->hd = fl & 8;
    s2->ptw = fl & 16;
    s2->fwb = fl & 32;
    s2->r = true;
    return true;
}

static void check_walk(const struct vsmmu_walk_req *rq, int rc, const struct vsmmu_walk_out *o,
                       const struct vsmmu_fault *f)
{
    if (rc == 0) {
        /* Arm ARM D8.15 R_CVSBH: the address *in a descriptor* (block
         * base) is checked against the OA size; a 64K level-1 block (4 TB,
         * 52-bit OA SMMUs) can then reach above a smaller IPS/PS with its
         * offset bits. */
        unsigned obits = rq->s2 ? rq->s2->ps_bits : rq->s1->ips_bits;
        if (obits < o->size_log2)
            obits = o->size_log2;
        if (o->oa >> obits)
            fz_fail("walk: OA 0x%llx above %u bits (input 0x%llx; s1 %d g %u tsz %u ips %u; "
                    "s2 %d g %u t0sz %u ps %u; IPA 0x%llx)", (unsigned long long)o->oa,
                    obits, (unsigned long long)rq->addr, rq->s1 != NULL,
                    rq->s1 ? rq->s1->tt[0].granule : 0, rq->s1 ? rq->s1->tt[0].tsz : 0,
                    rq->s1 ? rq->s1->ips_bits : 0, rq->s2 != NULL,
                    rq->s2 ? rq->s2->granule : 0, rq->s2 ? rq->s2->t0sz : 0,
                    rq->s2 ? rq->s2->ps_bits : 0, (unsigned long long)o->ipa);
        if (rq->s1 && rq->s2 && (o->ipa >> rq->s1->ips_bits))
            fz_fail("walk: IPA 0x%llx above IPS %u", (unsigned long long)o->ipa,
                    rq->s1->ips_bits);
        if (o->size_log2 < 12 || o->size_log2 > 48)
            fz_fail("walk: mapping size 2^%u", o->size_log2);
        if ((o->oa ^ rq->addr) & ((1ull << o->size_log2) - 1))
            fz_fail("walk: 0x%llx -> 0x%llx does not keep the offset in a 2^%u mapping",
                    (unsigned long long)rq->addr, (unsigned long long)o->oa, o->size_log2);
        /* 4 stage-1 levels, each table address through <= 4 stage-2 levels,
         * plus the final stage-2 walk (Arm ARM D8.2). */
        if (o->desc_reads > 4 * 5 + 4)
            fz_fail("walk: %u descriptor reads", o->desc_reads);
    } else if (rc == -1) {
        switch (f->type) {
        case EVT_F_WALK_EABT: case EVT_F_TRANSLATION: case EVT_F_ADDR_SIZE:
        case EVT_F_ACCESS: case EVT_F_PERMISSION:
            break;
        default:
            fz_fail("walk: fault type 0x%02x", f->type);
        }
        if (f->cls > EVT_CLASS_IN)
            fz_fail("walk: CLASS %u", f->cls);
        if (f->s2 && !rq->s2)
            fz_fail("walk: stage-2 fault without stage 2");
        if (!f->s2 && !rq->s1 && f->type != EVT_F_WALK_EABT)
            fz_fail("walk: stage-1 fault 0x%02x without stage 1", f->type);
    } else {
        fz_fail("walk returned %d", rc);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fz_in in = { data, size };
    struct vsmmu_config cfg;
    fz_config(&in, &cfg);
    uint8_t hflags = fz_u8(&in);
    struct fz_env e;
    fz_env_init(&e, &cfg, hflags & FZH_DIRECT, false);
    if (hflags & FZH_TRACE)
        fz_trace_on(&e);
    struct vsmmu_s1_cfg s1;
    struct vsmmu_s2_cfg s2;
    uint8_t stages = fz_u8(&in);
    bool h1 = mk_s1(&in, &cfg, &s1) && (stages & 1);
    bool h2 = mk_s2(&in, &cfg, &s2) && (stages & 2);
    fz_scenario(&e);

    unsigned nops = 0;
    while (fz_more(&in) && nops++ < 512) {
        uint8_t op = fz_u8(&in);
        switch (op % 3) {
        case 0: {
            uint8_t slot = fz_u8(&in), kind = fz_u8(&in), target = fz_u8(&in);
            uint16_t idx = fz_u16(&in) & 0x1FFF;
            uint64_t lo = fz_u16(&in), hi = fz_u16(&in);
            uint64_t d;
            switch (kind & 3) {
            case 0: d = lo << 48; break;
            case 1: d = fz_slot(target) | 3 | hi << 48 | (lo & 0xF000); break;
            case 2: d = (FZ_DATA + ((uint64_t)target << 12)) | (lo & 0xFFFC) | ((kind >> 2) & 1 ? 3 : 1) |
                        hi << 48; break;
            default: d = lo | hi << 48 | (uint64_t)target << 16 | (uint64_t)kind << 32; break;
            }
            uint64_t pa = fz_slot(slot) + 8ull * idx;
            if (pa + 8 <= FZ_RAM_SIZE)
                kit_w64(e.mem, pa, d);
            break;
        }
        case 1: {
            uint64_t pa = (fz_u32(&in) & (FZ_RAM_SIZE - 1)) & ~7ull;
            kit_w64(e.mem, pa, fz_u64(&in));
            break;
        }
        default: {
            if (!h1 && !h2)
                break;
            struct vsmmu_walk_req rq = { 0 };
            rq.s1 = h1 ? &s1 : NULL;
            rq.s2 = h2 ? &s2 : NULL;
            uint8_t f = fz_u8(&in);
            rq.addr = (f & 0x80) ? fz_u64(&in) : (uint64_t)fz_u16(&in) << 12 | (f & 0x7F);
            rq.access = fz_u8(&in) & (VSMMU_TXN_WRITE | VSMMU_TXN_EXEC | VSMMU_TXN_PRIV |
                                      VSMMU_TXN_ATOMIC);
            rq.no_httu = f & 0x40;
            struct vsmmu_walk_out o1, o2;
            struct vsmmu_fault f1, f2;
            memset(&f1, 0, sizeof(f1));
            memset(&f2, 0, sizeof(f2));
            uint64_t before = e.accesses, w0 = e.ptw_writes;
            int rc1 = vsmmu_walk(e.s, &rq, &o1, &f1);
            /* An HTTU update may rewrite a descriptor that the hostile
             * tables also use in another role: repeat only if none. */
            bool pure = e.ptw_writes == w0 && !(e.direct && (s1.ha || s2.ha));
            if (!e.direct && e.accesses - before > 128)
                fz_fail("walk made %llu host accesses",
                        (unsigned long long)(e.accesses - before));
            check_walk(&rq, rc1, &o1, &f1);
            int rc2 = vsmmu_walk(e.s, &rq, &o2, &f2);
            check_walk(&rq, rc2, &o2, &f2);
            /* After HTTU has set AF/dirty, a success stays a success with
             * the same output; without HTTU the walk is a pure function. */
            if (pure && rc1 == 0 && (rc2 != 0 || o1.oa != o2.oa))
                fz_fail("walk of 0x%llx (access 0x%x, httu %d, s1 %d s2 %d): 0x%llx then %s "
                        "0x%llx (fault 0x%x s2 %d cls %d ipa 0x%llx); s2: g %u t0sz %u sl %d "
                        "ps %u ha %d hd %d affd %d; s1: g %u tsz %u ha %d hd %d",
                        (unsigned long long)rq.addr, rq.access, !rq.no_httu, h1, h2,
                        (unsigned long long)o1.oa, rc2 ? "fault" : "ok",
                        (unsigned long long)o2.oa, f2.type, f2.s2, f2.cls,
                        (unsigned long long)f2.ipa, s2.granule, s2.t0sz, s2.start_level,
                        s2.ps_bits, s2.ha, s2.hd, s2.affd, s1.tt[0].granule, s1.tt[0].tsz,
                        s1.ha, s1.hd);
            if (pure && (rc1 != rc2 || (rc1 && f1.type != f2.type)))
                fz_fail("walk of 0x%llx without HTTU: %d/0x%x then %d/0x%x",
                        (unsigned long long)rq.addr, rc1, f1.type, rc2, f2.type);
            break;
        }
        }
    }
    fz_env_fini(&e);
    return 0;
}
