/* SPDX-License-Identifier: MIT */
/* kit/cmd: SMMUv3 command encoders (IHI0070 chapter 4), written from the
 * command layouts independently of the model's decoder so that tests compare
 * two readings of the spec. Each function fills c[0] (DW0) and c[1] (DW1);
 * the caller stores them little-endian in the queue slot. Values are placed
 * as given (excess bits of a field are dropped). */
#ifndef KIT_CMD_H
#define KIT_CMD_H

#include <stdbool.h>
#include <stdint.h>

/* Opcodes */
enum {
    KIT_OP_PREFETCH_CONFIG = 0x01, KIT_OP_PREFETCH_ADDR = 0x02,
    KIT_OP_CFGI_STE = 0x03, KIT_OP_CFGI_STE_RANGE = 0x04, KIT_OP_CFGI_CD = 0x05,
    KIT_OP_CFGI_CD_ALL = 0x06, KIT_OP_CFGI_VMS_PIDM = 0x07,
    KIT_OP_TLBI_NH_ALL = 0x10, KIT_OP_TLBI_NH_ASID = 0x11, KIT_OP_TLBI_NH_VA = 0x12,
    KIT_OP_TLBI_NH_VAA = 0x13, KIT_OP_TLBI_EL3_ALL = 0x18, KIT_OP_TLBI_EL3_VA = 0x1A,
    KIT_OP_TLBI_EL2_ALL = 0x20, KIT_OP_TLBI_EL2_ASID = 0x21, KIT_OP_TLBI_EL2_VA = 0x22,
    KIT_OP_TLBI_EL2_VAA = 0x23, KIT_OP_TLBI_S12_VMALL = 0x28, KIT_OP_TLBI_S2_IPA = 0x2A,
    KIT_OP_TLBI_NSNH_ALL = 0x30, KIT_OP_ATC_INV = 0x40, KIT_OP_PRI_RESP = 0x41,
    KIT_OP_RESUME = 0x44, KIT_OP_STALL_TERM = 0x45, KIT_OP_SYNC = 0x46,
};

/* CMD_SYNC completion signal */
enum { KIT_CS_NONE = 0, KIT_CS_IRQ = 1, KIT_CS_SEV = 2 };
/* PRI_RESP.Resp */
enum { KIT_PRI_FAILURE = 0, KIT_PRI_INVALID = 1, KIT_PRI_SUCCESS = 2 };
/* TLBI TG */
enum { KIT_TG_ANY = 0, KIT_TG_4K = 1, KIT_TG_16K = 2, KIT_TG_64K = 3 };

/* Address-based TLBI parameters (IHI0070 4.4.1). With tg == 0 the command is
 * the non-range form and num/scale/ttl must be 0. */
struct kit_tlbi_range {
    uint64_t addr;     /* VA (or IPA for S2_IPA); bits [11:0] are dropped */
    unsigned num;      /* NUM, 0..31 */
    unsigned scale;    /* SCALE, 0..31 */
    unsigned ttl;      /* TTL, 0..3 */
    unsigned tg;       /* TG, KIT_TG_* */
    bool leaf;
};

void kit_cmd_prefetch_config(uint64_t c[2], uint32_t sid, bool ssv, uint32_t ssid);
void kit_cmd_prefetch_addr(uint64_t c[2], uint32_t sid, bool ssv, uint32_t ssid,
                           uint64_t addr, unsigned size, unsigned stride);
void kit_cmd_cfgi_ste(uint64_t c[2], uint32_t sid, bool leaf);
void kit_cmd_cfgi_ste_range(uint64_t c[2], uint32_t sid, unsigned range);
void kit_cmd_cfgi_all(uint64_t c[2]);
void kit_cmd_cfgi_cd(uint64_t c[2], uint32_t sid, uint32_t ssid, bool leaf);
void kit_cmd_cfgi_cd_all(uint64_t c[2], uint32_t sid);
void kit_cmd_tlbi_nh_all(uint64_t c[2], uint16_t vmid);
void kit_cmd_tlbi_nh_asid(uint64_t c[2], uint16_t vmid, uint16_t asid);
void kit_cmd_tlbi_nh_va(uint64_t c[2], uint16_t vmid, uint16_t asid, const struct kit_tlbi_range *r);
void kit_cmd_tlbi_nh_vaa(uint64_t c[2], uint16_t vmid, const struct kit_tlbi_range *r);
void kit_cmd_tlbi_el2_all(uint64_t c[2]);
void kit_cmd_tlbi_el2_asid(uint64_t c[2], uint16_t asid);
void kit_cmd_tlbi_el2_va(uint64_t c[2], uint16_t asid, const struct kit_tlbi_range *r);
void kit_cmd_tlbi_el2_vaa(uint64_t c[2], const struct kit_tlbi_range *r);
void kit_cmd_tlbi_s12_vmall(uint64_t c[2], uint16_t vmid);
void kit_cmd_tlbi_s2_ipa(uint64_t c[2], uint16_t vmid, const struct kit_tlbi_range *r);
void kit_cmd_tlbi_nsnh_all(uint64_t c[2]);
void kit_cmd_atc_inv(uint64_t c[2], uint32_t sid, bool ssv, uint32_t ssid, bool global,
                     uint64_t addr, unsigned size);
void kit_cmd_pri_resp(uint64_t c[2], uint32_t sid, bool ssv, uint32_t ssid, unsigned prgi,
                      unsigned resp);
/* retry: Ac=1; abort: Ab=1 (for terminate). */
void kit_cmd_resume(uint64_t c[2], uint32_t sid, uint16_t stag, bool retry, bool abort);
void kit_cmd_stall_term(uint64_t c[2], uint32_t sid);
/* msh: 0 NSH, 2 OSH, 3 ISH; msiattr: STE.MemAttr encoding; msiaddr bits [1:0]
 * are dropped. */
void kit_cmd_sync(uint64_t c[2], unsigned cs, uint64_t msiaddr, uint32_t msidata,
                  unsigned msh, unsigned msiattr);

/* Opcode of an encoded command. */
static inline unsigned kit_cmd_op(const uint64_t c[2]) { return (unsigned)(c[0] & 0xff); }

/*
 * Linux's range invalidation generator (arm_smmu_cmdq_batch_add_range, see
 * linux-driver.md 2.4): invalidate [iova, iova+size) mapped with leaf pages
 * of 2^tg bytes and entries of `granule` bytes, using range commands when
 * `ril`. Calls emit(r) once per command with the TLBI parameters; returns
 * the number of commands. Useful to drive the model as a Linux guest would.
 */
unsigned kit_tlbi_linux_ranges(uint64_t iova, uint64_t size, uint64_t granule, unsigned tg,
                               bool leaf, bool ril,
                               void (*emit)(void *arg, const struct kit_tlbi_range *r),
                               void *arg);

#endif
