/* SPDX-License-Identifier: MIT */
/* Command encoders from the command layouts of IHI0070 chapter 4, with
 * field positions written out here (not shared with src/spec/cmd.h). */
#include "cmd.h"

/* DW0 positions */
#define SH_OP      0
#define SH_GLOBAL  9
#define SH_SSV     11
#define SH_SSID    12
#define SH_SID     32
#define SH_VMID    32
#define SH_ASID    48
#define SH_NUM     12
#define SH_SCALE   20
#define SH_AC      12
#define SH_AB      13
#define SH_CS      12
#define SH_MSH     22
#define SH_MSIATTR 24
#define SH_MSIDATA 32
/* DW1 positions */
#define SH1_TTL    8
#define SH1_TG     10
#define SH1_RESP   12

static uint64_t fld(uint64_t v, unsigned width, unsigned shift)
{
    return (v & ((UINT64_C(1) << width) - 1)) << shift;
}

static void op(uint64_t c[2], unsigned opcode)
{
    c[0] = fld(opcode, 8, SH_OP);
    c[1] = 0;
}

static uint64_t subs(bool ssv, uint32_t ssid)
{
    return (ssv ? UINT64_C(1) << SH_SSV : 0) | fld(ssid, 20, SH_SSID);
}

void kit_cmd_prefetch_config(uint64_t c[2], uint32_t sid, bool ssv, uint32_t ssid)
{
    op(c, KIT_OP_PREFETCH_CONFIG);
    c[0] |= subs(ssv, ssid) | fld(sid, 32, SH_SID);
}

void kit_cmd_prefetch_addr(uint64_t c[2], uint32_t sid, bool ssv, uint32_t ssid,
                           uint64_t addr, unsigned size, unsigned stride)
{
    op(c, KIT_OP_PREFETCH_ADDR);
    c[0] |= subs(ssv, ssid) | fld(sid, 32, SH_SID);
    c[1] = fld(size, 5, 0) | fld(stride, 5, 5) | (addr & ~UINT64_C(0xfff));
}

void kit_cmd_cfgi_ste(uint64_t c[2], uint32_t sid, bool leaf)
{
    op(c, KIT_OP_CFGI_STE);
    c[0] |= fld(sid, 32, SH_SID);
    c[1] = leaf ? 1 : 0;
}

void kit_cmd_cfgi_ste_range(uint64_t c[2], uint32_t sid, unsigned range)
{
    op(c, KIT_OP_CFGI_STE_RANGE);
    c[0] |= fld(sid, 32, SH_SID);
    c[1] = fld(range, 5, 0);
}

void kit_cmd_cfgi_all(uint64_t c[2])
{
    kit_cmd_cfgi_ste_range(c, 0, 31);
}

void kit_cmd_cfgi_cd(uint64_t c[2], uint32_t sid, uint32_t ssid, bool leaf)
{
    op(c, KIT_OP_CFGI_CD);
    c[0] |= fld(ssid, 20, SH_SSID) | fld(sid, 32, SH_SID);
    c[1] = leaf ? 1 : 0;
}

void kit_cmd_cfgi_cd_all(uint64_t c[2], uint32_t sid)
{
    op(c, KIT_OP_CFGI_CD_ALL);
    c[0] |= fld(sid, 32, SH_SID);
}

static void range(uint64_t c[2], const struct kit_tlbi_range *r, uint64_t addr_mask)
{
    c[0] |= fld(r->num, 5, SH_NUM) | fld(r->scale, 5, SH_SCALE);
    c[1] = (r->leaf ? 1 : 0) | fld(r->ttl, 2, SH1_TTL) | fld(r->tg, 2, SH1_TG) |
           (r->addr & addr_mask);
}

#define VA_MASK  (~UINT64_C(0xfff))
#define IPA_MASK (((UINT64_C(1) << 52) - 1) & ~UINT64_C(0xfff))

void kit_cmd_tlbi_nh_all(uint64_t c[2], uint16_t vmid)
{
    op(c, KIT_OP_TLBI_NH_ALL);
    c[0] |= fld(vmid, 16, SH_VMID);
}

void kit_cmd_tlbi_nh_asid(uint64_t c[2], uint16_t vmid, uint16_t asid)
{
    op(c, KIT_OP_TLBI_NH_ASID);
    c[0] |= fld(vmid, 16, SH_VMID) | fld(asid, 16, SH_ASID);
}

void kit_cmd_tlbi_nh_va(uint64_t c[2], uint16_t vmid, uint16_t asid, const struct kit_tlbi_range *r)
{
    op(c, KIT_OP_TLBI_NH_VA);
    c[0] |= fld(vmid, 16, SH_VMID) | fld(asid, 16, SH_ASID);
    range(c, r, VA_MASK);
}

void kit_cmd_tlbi_nh_vaa(uint64_t c[2], uint16_t vmid, const struct kit_tlbi_range *r)
{
    op(c, KIT_OP_TLBI_NH_VAA);
    c[0] |= fld(vmid, 16, SH_VMID);
    range(c, r, VA_MASK);
}

void kit_cmd_tlbi_el2_all(uint64_t c[2])
{
    op(c, KIT_OP_TLBI_EL2_ALL);
}

void kit_cmd_tlbi_el2_asid(uint64_t c[2], uint16_t asid)
{
    op(c, KIT_OP_TLBI_EL2_ASID);
    c[0] |= fld(asid, 16, SH_ASID);
}

void kit_cmd_tlbi_el2_va(uint64_t c[2], uint16_t asid, const struct kit_tlbi_range *r)
{
    op(c, KIT_OP_TLBI_EL2_VA);
    c[0] |= fld(asid, 16, SH_ASID);
    range(c, r, VA_MASK);
}

void kit_cmd_tlbi_el2_vaa(uint64_t c[2], const struct kit_tlbi_range *r)
{
    op(c, KIT_OP_TLBI_EL2_VAA);
    range(c, r, VA_MASK);
}

void kit_cmd_tlbi_s12_vmall(uint64_t c[2], uint16_t vmid)
{
    op(c, KIT_OP_TLBI_S12_VMALL);
    c[0] |= fld(vmid, 16, SH_VMID);
}

void kit_cmd_tlbi_s2_ipa(uint64_t c[2], uint16_t vmid, const struct kit_tlbi_range *r)
{
    op(c, KIT_OP_TLBI_S2_IPA);
    c[0] |= fld(vmid, 16, SH_VMID);
    range(c, r, IPA_MASK);
}

void kit_cmd_tlbi_nsnh_all(uint64_t c[2])
{
    op(c, KIT_OP_TLBI_NSNH_ALL);
}

void kit_cmd_atc_inv(uint64_t c[2], uint32_t sid, bool ssv, uint32_t ssid, bool global,
                     uint64_t addr, unsigned size)
{
    op(c, KIT_OP_ATC_INV);
    c[0] |= (global ? UINT64_C(1) << SH_GLOBAL : 0) | subs(ssv, ssid) | fld(sid, 32, SH_SID);
    c[1] = fld(size, 6, 0) | (addr & VA_MASK);
}

void kit_cmd_pri_resp(uint64_t c[2], uint32_t sid, bool ssv, uint32_t ssid, unsigned prgi,
                      unsigned resp)
{
    op(c, KIT_OP_PRI_RESP);
    c[0] |= subs(ssv, ssid) | fld(sid, 32, SH_SID);
    c[1] = fld(prgi, 9, 0) | fld(resp, 2, SH1_RESP);
}

void kit_cmd_resume(uint64_t c[2], uint32_t sid, uint16_t stag, bool retry, bool abort)
{
    op(c, KIT_OP_RESUME);
    c[0] |= (retry ? UINT64_C(1) << SH_AC : 0) | (abort ? UINT64_C(1) << SH_AB : 0) |
            fld(sid, 32, SH_SID);
    c[1] = stag;
}

void kit_cmd_stall_term(uint64_t c[2], uint32_t sid)
{
    op(c, KIT_OP_STALL_TERM);
    c[0] |= fld(sid, 32, SH_SID);
}

void kit_cmd_sync(uint64_t c[2], unsigned cs, uint64_t msiaddr, uint32_t msidata,
                  unsigned msh, unsigned msiattr)
{
    op(c, KIT_OP_SYNC);
    c[0] |= fld(cs, 2, SH_CS) | fld(msh, 2, SH_MSH) | fld(msiattr, 4, SH_MSIATTR) |
            fld(msidata, 32, SH_MSIDATA);
    c[1] = msiaddr & (((UINT64_C(1) << 52) - 1) & ~UINT64_C(3));
}

static unsigned ilog2_u64(uint64_t v)
{
    unsigned l = 0;
    while (v >>= 1)
        l++;
    return l;
}

unsigned kit_tlbi_linux_ranges(uint64_t iova, uint64_t size, uint64_t granule, unsigned tg,
                               bool leaf, bool ril,
                               void (*emit)(void *arg, const struct kit_tlbi_range *r),
                               void *arg)
{
    struct kit_tlbi_range r = { .leaf = leaf };
    uint64_t end = iova + size, step = granule, num_pages = 0;
    unsigned n = 0;

    if (!size || !granule || tg < 12 || tg > 16)
        return 0;
    if (ril) {
        num_pages = size >> tg;
        r.tg = (tg - 10) / 2;
        if (leaf)
            r.ttl = 4 - ((ilog2_u64(granule) - 3) / (tg - 3));
        else if ((num_pages & 31) == 1)
            num_pages++;   /* avoid the reserved NUM=0, SCALE=0, TTL=0 */
    }
    while (iova < end) {
        if (ril) {
            if (!num_pages)
                break;
            unsigned scale = (unsigned)__builtin_ctzll(num_pages);
            uint64_t num = (num_pages >> scale) & 31;
            r.scale = scale;
            r.num = (unsigned)num - 1;
            step = num << (scale + tg);
            num_pages -= num << scale;
        }
        r.addr = iova;
        emit(arg, &r);
        n++;
        iova += step;
    }
    return n;
}
