/* SPDX-License-Identifier: MIT */
/* Guest-side programming for the fuzz targets: enabling the SMMU, publishing
 * commands, the fixed scenario's tables, CDs and STEs (raw encodings from
 * IHI0070 and the Arm ARM). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "internal.h"

/* ---- guest programming -------------------------------------------------------------- */

static void w32(struct fz_env *e, struct vsmmu *s, uint64_t off, uint32_t v)
{
    fz_mmio_write(e, s, off, v, 4);
}

static void w64(struct fz_env *e, struct vsmmu *s, uint64_t off, uint64_t v)
{
    fz_mmio_write(e, s, off, v, 8);
}

void fz_enable(struct fz_env *e, struct vsmmu *s, unsigned log2sid, unsigned cmdq_log2,
               unsigned evtq_log2, uint64_t evtq_base)
{
    fz_enable_at(e, s, FZ_STRTAB, log2sid, cmdq_log2, evtq_log2, evtq_base);
}

void fz_enable_at(struct fz_env *e, struct vsmmu *s, uint64_t strtab, uint32_t strtab_cfg,
                  unsigned cmdq_log2, unsigned evtq_log2, uint64_t evtq_base)
{
    const struct vsmmu_config *c = vsmmu_get_config(s);
    w32(e, s, SMMU_CR0, 0);
    /* IHI0070 6.3.24: STRTAB_BASE.ADDR [51:6], RA [62]; BASE_CFG LOG2SIZE [5:0] */
    w64(e, s, SMMU_STRTAB_BASE, strtab);
    w32(e, s, SMMU_STRTAB_BASE_CFG, strtab_cfg);
    /* 6.3.26: CMDQ_BASE.ADDR [51:5], LOG2SIZE [4:0] */
    w64(e, s, SMMU_CMDQ_BASE, FZ_CMDQ | cmdq_log2);
    w32(e, s, SMMU_CMDQ_PROD, 0);
    w32(e, s, SMMU_CMDQ_CONS, 0);
    w64(e, s, SMMU_EVENTQ_BASE, evtq_base | evtq_log2);
    w32(e, s, SMMU_EVENTQ_PROD, 0);
    w32(e, s, SMMU_EVENTQ_CONS, 0);
    if (c->msi) {
        w64(e, s, SMMU_GERROR_IRQ_CFG0, FZ_MSI);
        w32(e, s, SMMU_GERROR_IRQ_CFG1, 0x6E);
        w64(e, s, SMMU_EVENTQ_IRQ_CFG0, FZ_MSI + 8);
        w32(e, s, SMMU_EVENTQ_IRQ_CFG1, 0x6F);
    }
    uint32_t priqen = 0;
    if (c->pri && c->priqs) {
        w64(e, s, SMMU_PRIQ_BASE, FZ_PRIQ | (c->priqs < 4 ? c->priqs : 4));
        w32(e, s, SMMU_PRIQ_PROD, 0);
        w32(e, s, SMMU_PRIQ_CONS, 0);
        priqen = CR0_PRIQEN;
    }
    w32(e, s, SMMU_IRQ_CTRL, IRQ_CTRL_GERROR_IRQEN | IRQ_CTRL_EVENTQ_IRQEN | IRQ_CTRL_PRIQ_IRQEN);
    w32(e, s, SMMU_CR0, CR0_CMDQEN);
    w32(e, s, SMMU_CR0, CR0_CMDQEN | CR0_EVENTQEN | priqen);
    uint64_t cmd[3][2] = { { 0, 0 }, { fz_cmd_tlbi_nsnh_all(), 0 }, { fz_cmd_sync(), 0 } };
    cmd[0][0] = fz_cmd_cfgi_all(&cmd[0][1]);
    fz_cmds(e, s, cmd, 3);
    w32(e, s, SMMU_CR0, CR0_CMDQEN | CR0_EVENTQEN | priqen | CR0_SMMUEN);
}

uint32_t fz_cmds(struct fz_env *e, struct vsmmu *s, const uint64_t (*cmd)[2], unsigned n)
{
    const struct vsmmu_config *c = vsmmu_get_config(s);
    uint64_t base = fz_rd64(s, SMMU_CMDQ_BASE);
    unsigned qs = vsmmu_q_log2size(base, c->cmdqs);
    uint64_t addr = base & Q_BASE_ADDR & ~((16ull << qs) - 1);
    uint32_t pm = (2u << qs) - 1;
    uint32_t prod = fz_rd32(s, SMMU_CMDQ_PROD) & pm;
    /* Never overwrite unconsumed commands: let the SMMU drain first (each
     * PROD write consumes up to cmdq_batch commands). */
    const unsigned tries = 64;
    for (unsigned k = 0; k <= tries; k++) {
        uint32_t used = (prod - (fz_rd32(s, SMMU_CMDQ_CONS) & pm)) & pm;
        if (used <= (1u << qs) && (1u << qs) - used >= n)
            break;
        if (k == tries)
            return fz_rd32(s, SMMU_CMDQ_CONS);       /* stuck: give up */
        fz_mmio_write(e, s, SMMU_CMDQ_PROD, prod, 4);
    }
    for (unsigned i = 0; i < n; i++) {
        uint64_t slot = addr + 16ull * (prod & ((1u << qs) - 1));
        if (kit_mem_w64(e->mem, slot, cmd[i][0]) || kit_mem_w64(e->mem, slot + 8, cmd[i][1]))
            break;
        prod = (prod + 1) & pm;
    }
    /* publish, then let the SMMU run to completion (or an error/stop) */
    for (unsigned k = 0; k <= tries; k++) {
        fz_mmio_write(e, s, SMMU_CMDQ_PROD, prod, 4);
        uint32_t cons = fz_rd32(s, SMMU_CMDQ_CONS);
        if ((cons & pm) == prod || ((fz_rd32(s, SMMU_GERROR) ^ fz_rd32(s, SMMU_GERRORN)) & 1) ||
            !(fz_rd32(s, SMMU_CR0ACK) & CR0_CMDQEN))
            break;
    }
    return fz_rd32(s, SMMU_CMDQ_CONS);
}

bool fz_cmdq_recover(struct fz_env *e, struct vsmmu *s)
{
    uint32_t g = fz_rd32(s, SMMU_GERROR), gn = fz_rd32(s, SMMU_GERRORN);
    if (!((g ^ gn) & GERROR_CMDQ_ERR))
        return false;
    const struct vsmmu_config *c = vsmmu_get_config(s);
    uint64_t base = fz_rd64(s, SMMU_CMDQ_BASE);
    unsigned qs = vsmmu_q_log2size(base, c->cmdqs);
    uint64_t addr = base & Q_BASE_ADDR & ~((16ull << qs) - 1);
    uint32_t cons = fz_rd32(s, SMMU_CMDQ_CONS);
    uint64_t slot = addr + 16ull * (cons & ((1u << qs) - 1));
    kit_mem_w64(e->mem, slot, fz_cmd_sync());
    kit_mem_w64(e->mem, slot + 8, 0);
    fz_mmio_write(e, s, SMMU_GERRORN, gn ^ GERROR_CMDQ_ERR, 4);
    return true;
}

/* IHI0070 4.7.3 CMD_SYNC: opcode 0x46, CS [13:12] = 0 (no completion signal). */
uint64_t fz_cmd_sync(void) { return 0x46; }

/* IHI0070 4.3.3 CMD_CFGI_STE_RANGE (0x04) with Range = 31: CMD_CFGI_ALL. */
uint64_t fz_cmd_cfgi_all(uint64_t *dw1)
{
    *dw1 = 31;
    return 0x04;
}

/* IHI0070 4.4.9 CMD_TLBI_NSNH_ALL (0x30). */
uint64_t fz_cmd_tlbi_nsnh_all(void) { return 0x30; }

/* ---- the fixed scenario ---------------------------------------------------------------- */

void fz_put(struct fz_env *e, uint64_t pa, const uint64_t *dw, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        kit_w64(e->mem, pa + 8ull * i, dw[i]);
}

static unsigned ias_t0sz(const struct fz_env *e)
{
    /* 39-bit input if IAS allows, else the full IAS (T0SZ = 64 - IAS):
     * with the 4K granule, T0SZ 25..33 starts at level 1 (Arm ARM D8.2). */
    unsigned t = 64 - vsmmu_config_ias(&e->cfg);
    return t < 25 ? 25 : t;
}

void fz_ste(const struct fz_env *e, uint64_t ste[8], unsigned config, uint64_t cdptr,
            unsigned cdmax, unsigned vmid, bool s2stall)
{
    const struct vsmmu_config *c = &e->cfg;
    memset(ste, 0, 64);
    bool forced = c->stall_model == VSMMU_STALL_FORCED;
    /* IHI0070 5.2 DW0: V[0] Config[3:1] S1Fmt[5:4]=linear S1ContextPtr[51:6] S1CDMax[63:59] */
    ste[0] = (config ? 1ull : 0) | (uint64_t)(config & 7) << 1 | (cdptr & GENMASK(51, 6)) |
             (uint64_t)(cdmax & 31) << 59;
    /* DW1: S1DSS[1:0]=0b10 (no-SSID traffic uses CD 0), S1CIR/S1COR WB[5:2],
     * S1CSH ISH[7:6], SHCFG[45:44]=0b01 (incoming) */
    ste[1] = 2ull | 1ull << 2 | 1ull << 4 | 3ull << 6 | 1ull << 44;
    /* DW2: S2VMID[15:0] S2T0SZ[37:32] S2SL0[39:38]=1 (level 1) S2IR0/S2OR0 WB
     * S2SH0 ISH S2TG[47:46]=4K S2PS[50:48]=OAS S2AA64[51] S2S[57] S2R[58] */
    unsigned ps = vsmmu_oas_encode(c->oas_bits);
    ste[2] = (uint64_t)(vmid & 0xFF) | (uint64_t)ias_t0sz(e) << 32 | 1ull << 38 | 1ull << 40 |
             1ull << 42 | 3ull << 44 | (uint64_t)(ps & 7) << 48 | 1ull << 51 |
             (uint64_t)(s2stall || forced) << 57 | 1ull << 58;
    /* DW3: S2TTB[51:4] */
    ste[3] = fz_slot(8);
}

void fz_cd(const struct fz_env *e, uint64_t cd[8], uint64_t ttb0, unsigned asid, bool stall,
           bool httu)
{
    const struct vsmmu_config *c = &e->cfg;
    memset(cd, 0, 64);
    bool forced = c->stall_model == VSMMU_STALL_FORCED;
    unsigned ips = vsmmu_oas_encode(c->oas_bits);
    /* IHI0070 5.4 DW0: T0SZ[5:0]=25 TG0[7:6]=4K IR0/OR0 WB SH0 ISH, EPD1[30],
     * T1SZ[21:16]=25 TG1[23:22]=0b10 (4K), V[31], IPS[34:32], AA64[41],
     * HD[42] HA[43], S[44], R[45], A[46], ASID[63:48] */
    cd[0] = 25ull | 1ull << 8 | 1ull << 10 | 3ull << 12 | 25ull << 16 | 2ull << 22 | 1ull << 30 |
            1ull << 31 | (uint64_t)(ips & 7) << 32 | 1ull << 41 |
            (uint64_t)(httu && c->httu == VSMMU_HTTU_AF_DIRTY) << 42 |
            (uint64_t)(httu && c->httu != VSMMU_HTTU_NONE) << 43 |
            (uint64_t)((stall && c->stall_model != VSMMU_TERM_ONLY) || forced) << 44 |
            1ull << 45 | 1ull << 46 | (uint64_t)(asid & 0xFFFF) << 48;
    cd[1] = ttb0 & GENMASK(51, 4);          /* TTB0[51:4] */
    cd[3] = 0x0044FFull;                        /* MAIR: Attr0 WB, Attr1 NC, Attr2 Device */
}

/* Arm ARM D8.3: stage-1 page/block: AttrIndx[4:2] AP[7:6] SH[9:8] AF[10]
 * DBM[51]; stage 2: MemAttr[5:2] S2AP[7:6] SH[9:8] AF[10]. */
#define S1_PAGE(pa, ap, af, dbm) ((pa) | 3ull | (uint64_t)(ap) << 6 | 3ull << 8 | \
                                  (uint64_t)(af) << 10 | (uint64_t)(dbm) << 51)
#define S2_BLOCK(pa, s2ap) ((pa) | 1ull | 0xFull << 2 | (uint64_t)(s2ap) << 6 | 3ull << 8 | \
                            1ull << 10)

void fz_scenario(struct fz_env *e)
{
    /* Stage 1: L1 (slot 0) -> L2 (slot 1) -> L3 (slot 2). */
    kit_w64(e->mem, fz_slot(0), fz_slot(1) | 3);
    /* L1[1]: 1 GiB block at IPA 1 GiB (outside the stage-2 map) */
    kit_w64(e->mem, fz_slot(0) + 8, (1ull << 30) | 1 | 1ull << 6 | 3ull << 8 | 1ull << 10);
    kit_w64(e->mem, fz_slot(1), fz_slot(2) | 3);
    /* L2[1]: 2 MiB block at 0x200000, RW */
    kit_w64(e->mem, fz_slot(1) + 8, 0x200000ull | 1 | 1ull << 6 | 3ull << 8 | 1ull << 10);
    for (unsigned i = 0; i < 15; i++) {
        uint64_t pa = FZ_DATA + 0x1000ull * i;
        uint64_t d;
        switch (i % 4) {
        case 0: d = S1_PAGE(pa, 1, 1, 0); break;   /* RW, EL0+EL1 */
        case 1: d = S1_PAGE(pa, 3, 1, 0); break;   /* RO */
        case 2: d = S1_PAGE(pa, 1, 0, 0); break;   /* AF = 0 */
        default: d = S1_PAGE(pa, 3, 1, 1); break;  /* RO + DBM: dirty-state candidate */
        }
        kit_w64(e->mem, fz_slot(2) + 8ull * i, d);
    }
    /* Stage 2: L1 (slot 8) -> L2 (slot 9), identity 2 MiB blocks for 0-16 MiB,
     * block 3 read-only. */
    kit_w64(e->mem, fz_slot(8), fz_slot(9) | 3);
    for (unsigned i = 0; i < 8; i++)
        kit_w64(e->mem, fz_slot(9) + 8ull * i, S2_BLOCK((uint64_t)i << 21, i == 3 ? 1 : 3));

    /* CDs: table A at FZ_CD (4 CDs, ASID 1..4), table B at FZ_CD + 4K (stall + HTTU). */
    uint64_t cd[8];
    for (unsigned i = 0; i < 4; i++) {
        fz_cd(e, cd, fz_slot(0), 1 + i, false, false);
        fz_put(e, FZ_CD + 64ull * i, cd, 8);
        fz_cd(e, cd, fz_slot(0), 0x100 + i, true, true);
        fz_put(e, FZ_CD + 0x1000 + 64ull * i, cd, 8);
    }
    unsigned cdmax = e->cfg.ssidsize >= 2 ? 2 : 0;
    uint64_t ste[8];
    fz_ste(e, ste, 4, 0, 0, 0, false);            fz_put(e, FZ_STRTAB + 0 * 64, ste, 8);
    fz_ste(e, ste, 5, FZ_CD, cdmax, 0, false);     fz_put(e, FZ_STRTAB + 1 * 64, ste, 8);
    fz_ste(e, ste, 6, 0, 0, 1, false);            fz_put(e, FZ_STRTAB + 2 * 64, ste, 8);
    fz_ste(e, ste, 7, FZ_CD, cdmax, 2, false);     fz_put(e, FZ_STRTAB + 3 * 64, ste, 8);
    fz_ste(e, ste, 0, 0, 0, 0, false);            ste[0] |= 1;  /* V=1 Config=abort */
    fz_put(e, FZ_STRTAB + 4 * 64, ste, 8);
    memset(ste, 0, sizeof(ste));                  fz_put(e, FZ_STRTAB + 5 * 64, ste, 8);
    fz_ste(e, ste, 5, FZ_CD + 0x1000, cdmax, 0, false); fz_put(e, FZ_STRTAB + 6 * 64, ste, 8);
    fz_ste(e, ste, 6, 0, 0, 3, true);             fz_put(e, FZ_STRTAB + 7 * 64, ste, 8);

    /* 2-level: L1STD[0] -> the 64 STEs at FZ_STRTAB (Span 7 = 2^6 STEs). */
    kit_w64(e->mem, FZ_L1STD, FZ_STRTAB | 7);
}

void fz_scenario_strtab(const struct fz_env *e, bool st2l, uint64_t *base, uint32_t *cfg)
{
    if (st2l && e->cfg.st2l) {
        /* IHI0070 6.3.25: FMT[17:16]=2-level, SPLIT[10:6]=6, LOG2SIZE 8 */
        *base = FZ_L1STD;
        *cfg = 1u << 16 | 6u << 6 | (e->cfg.sidsize < 8 ? e->cfg.sidsize : 8);
    } else {
        *base = FZ_STRTAB;
        *cfg = e->cfg.sidsize < 6 ? e->cfg.sidsize : 6;
    }
}
