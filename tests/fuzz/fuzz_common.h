/* SPDX-License-Identifier: MIT */
/* Shared harness of the libFuzzer targets: an input reader, a guest memory
 * with counting host ops, instance creation from fuzzed configuration bits,
 * and the model invariants every target asserts after each call.
 *
 * A violated invariant aborts the process with a message (libFuzzer records
 * the input as a crash). See docs/robustness.md. */
#ifndef VSMMU_FUZZ_COMMON_H
#define VSMMU_FUZZ_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mem.h"
#include "vsmmu/vsmmu.h"

/* ---- input reader: bytes are consumed from the front; past the end every
 * read returns zero (so any input is a complete program). ---------------- */
struct fz_in {
    const uint8_t *p;
    size_t n;
};

static inline bool fz_more(const struct fz_in *in) { return in->n > 0; }
uint8_t  fz_u8(struct fz_in *in);
uint16_t fz_u16(struct fz_in *in);
uint32_t fz_u32(struct fz_in *in);
uint64_t fz_u64(struct fz_in *in);

/* ---- guest memory layout shared by targets and the seed generator ------- */
#define FZ_RAM_BASE   0x0ull
#define FZ_RAM_SIZE   0x100000ull         /* 1 MiB of guest RAM at PA 0 */
#define FZ_STRTAB     0x00000ull          /* linear stream table, 64 STEs (4 KiB) */
#define FZ_CMDQ       0x01000ull          /* up to 2^8 commands (4 KiB) */
#define FZ_EVTQ       0x02000ull          /* up to 2^7 events (4 KiB) */
#define FZ_PRIQ       0x03000ull          /* up to 2^8 PRI records */
#define FZ_EVTQ_TWIN  0x04000ull          /* event queue of the uncached twin */
#define FZ_MSI        0x05000ull          /* MSI targets (CMD_SYNC, EVTQ, GERROR) */
#define FZ_L1STD      0x06000ull          /* 2-level stream table L1 */
#define FZ_CD         0x08000ull          /* CD tables (64 CDs = 4 KiB each) */
#define FZ_TABLES     0x10000ull          /* page tables: 64 slots of 4 KiB */
#define FZ_NSLOTS     64u
#define FZ_DATA       0x80000ull          /* pages that mappings point at */

/* Host-access bounds (model guarantees; docs/robustness.md derives them). */
#define FZ_MAX_ACCESS_PER_TRANSLATE 1024u
#define FZ_MAX_ACCESS_PER_COMMAND   1024u
#define FZ_MAX_ACCESS_PER_MMIO_BASE 256u

struct fz_env {
    struct kit_mem *mem;
    struct vsmmu *s;
    struct vsmmu *twin;           /* optional uncached twin (fuzz_tables) */
    struct vsmmu_config cfg;
    struct vsmmu_host_ops ops;     /* counting ops handed to the instances */
    struct vsmmu_host_ops kit;     /* the kit memory's own ops */
    bool direct;                  /* RAM regions offered: accesses not counted */
    /* host accesses seen by the counting ops */
    uint64_t accesses;
    /* constant registers captured at creation */
    uint32_t idr[6], iidr, aidr;
    unsigned nchecks;
    bool verbose;                  /* FZ_VERBOSE set: narrate translations */
    struct vsmmu *cur;             /* instance inside a checked call (for host ops) */
    uint64_t ntranslate;           /* fz_translate calls on e->s */
    /* An address only CMD_SYNC completion MSIs target (0: none) and the
     * CMDQ_CONS the current MMIO call started with: the MSI must follow the
     * SYNC's consumption (IHI0070 4.7.3, 3.18: no notification before the
     * data it announces). Checked only when a call cannot consume a whole
     * wrap of indices (cmdq_batch < 2^(QS+1)). */
    uint64_t sync_msi;
    uint32_t cons_at_call;
    bool cons_check;
    /* Guest-visible memory changed by the SMMU itself: HTTU descriptor
     * updates (CAS or PTW writes), and structure reads from the queue/MSI
     * pages the SMMU writes (tables aliasing queues). Differential checks
     * (cached vs uncached, repeated walks) are only sound without them. */
    uint64_t ptw_writes;
    bool aliased;
    /* Stalls of e->s known to be outstanding (IHI0070 3.12.2): a subset of
     * the model's, kept sound by forgetting entries whenever unsure. */
    struct { uint32_t sid[64]; uint16_t stag[64]; unsigned n; } stalls;
    uint64_t watch_lo, watch_hi;   /* command queue memory during an MMIO call */
    bool watch_hit;                /* ... written by the SMMU (MSI, event) */
};

/* Build a configuration from one profile index and a few tweak bytes. The
 * result always passes vsmmu_config_check (falls back to the profile). */
void fz_config(struct fz_in *in, struct vsmmu_config *cfg);
/* Create memory and an instance (and, with twin, an uncached twin on the
 * same memory). Aborts on failure: a valid configuration must create. */
void fz_env_init(struct fz_env *e, const struct vsmmu_config *cfg, bool direct, bool twin);
void fz_env_fini(struct fz_env *e);
/* Forget every outstanding stall (vsmmu_reset, SMMUEN cleared). */
static inline void fz_stalls_clear(struct fz_env *e) { e->stalls.n = 0; }
/* Trace every architectural step of e->s (and the twin) into a callback
 * that checks each record: a defined kind, at most 8 raw words, a short
 * NUL-terminated message. */
void fz_trace_on(struct fz_env *e);
/* Record the ID registers of e->s (checked constant from then on). */
void fz_capture_ids(struct fz_env *e);

/* Checked entry points: each asserts the call's invariants. */
int  fz_mmio_write(struct fz_env *e, struct vsmmu *s, uint64_t off, uint64_t val, unsigned size);
uint64_t fz_mmio_read(struct fz_env *e, struct vsmmu *s, uint64_t off, unsigned size);
void fz_translate(struct fz_env *e, struct vsmmu *s, const struct vsmmu_txn *t,
                  struct vsmmu_result *r);
/* Unchecked 32/64-bit register reads (abort on an API error). */
uint32_t fz_rd32(struct vsmmu *s, uint64_t off);
uint64_t fz_rd64(struct vsmmu *s, uint64_t off);
/* Register-level invariants (ID constancy, GERROR bits, queue indices). */
void fz_check_regs(struct fz_env *e, struct vsmmu *s);

/* Abort with a message (an invariant does not hold). */
void fz_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* True if `type` is an architected event number (IHI0070 7.3). */
bool fz_event_type_valid(unsigned type);

/* ---- guest programming helpers (raw encodings from IHI0070) ------------- */
/* Program queues and the stream table (STRTAB_BASE = strtab, STRTAB_BASE_CFG =
 * strtab_cfg), invalidate everything and enable SMMU + CMDQ + EVTQ. */
void fz_enable_at(struct fz_env *e, struct vsmmu *s, uint64_t strtab, uint32_t strtab_cfg,
                  unsigned cmdq_log2, unsigned evtq_log2, uint64_t evtq_base);
/* Same with a linear table of 2^log2sid STEs at FZ_STRTAB. */
void fz_enable(struct fz_env *e, struct vsmmu *s, unsigned log2sid, unsigned cmdq_log2,
               unsigned evtq_log2, uint64_t evtq_base);

/* The fixed scenario (docs/robustness.md): stage-1 tables in slots 0-2
 * mapping VA pages 0-15 (4K granule, 39-bit VA, start level 1), stage-2
 * identity blocks for IPA 0-16 MiB in slots 8-9, CDs at FZ_CD, and STEs:
 *   sid 0 bypass, 1 stage 1, 2 stage 2, 3 nested, 4 abort, 5 invalid,
 *   6 stage 1 with stall/HTTU CD, 7 stage 2 with stall/record.
 * With st2l the L1 stream table at FZ_L1STD points at the STEs (SPLIT 6). */
#define FZ_SCN_SIDS 8u
void fz_scenario(struct fz_env *e);
/* STRTAB_BASE / _CFG for the scenario. */
void fz_scenario_strtab(const struct fz_env *e, bool st2l, uint64_t *base, uint32_t *cfg);
static inline uint64_t fz_slot(unsigned i) { return FZ_TABLES + 0x1000ull * (i % FZ_NSLOTS); }
/* Scenario encoders (IHI0070 5.2 STE, 5.4 CD; Arm ARM D8.3 descriptors). */
void fz_ste(const struct fz_env *e, uint64_t ste[8], unsigned config, uint64_t cdptr,
            unsigned cdmax, unsigned vmid, bool s2stall);
void fz_cd(const struct fz_env *e, uint64_t cd[8], uint64_t ttb0, unsigned asid, bool stall,
           bool httu);
void fz_put(struct fz_env *e, uint64_t pa, const uint64_t *dw, unsigned n);
/* Put `n` commands on the command queue (waiting for space: never over
 * unconsumed ones) and publish them, writing PROD again until the SMMU has
 * consumed them, stopped on an error or is disabled (bounded); returns CONS. */
uint32_t fz_cmds(struct fz_env *e, struct vsmmu *s, const uint64_t (*cmd)[2], unsigned n);

/* Linux's CMDQ_ERR recovery: replace the command at CONS with a CMD_SYNC
 * and acknowledge the error (consumption resumes). False if none active. */
bool fz_cmdq_recover(struct fz_env *e, struct vsmmu *s);

/* Encoders */
uint64_t fz_cmd_sync(void);                           /* CMD_SYNC CS=NONE */
uint64_t fz_cmd_cfgi_all(uint64_t *dw1);              /* CFGI_STE_RANGE Range=31 */
uint64_t fz_cmd_tlbi_nsnh_all(void);

/* ---- accelerated mode (soft backend) -------------------------------------
 * A host vsmmu (full-v3.2) runs the guest's stage 1 nested on a host stage 2
 * mapping guest IPA [0, 2 MiB) to host PA FZ_HPA (the guest RAM, aliased).
 * Guest StreamIDs fz_accel_vsid[] are passthrough devices with host
 * StreamIDs 0x10 + vsid. fz_accel_setup puts e->s in accelerated mode before
 * the guest enables it and updates e->cfg to the masked configuration the
 * guest sees; false if the configuration cannot nest (e->s stays emulated).
 * fz_accel_fini destroys e->s (the backend) and then the host. */
#define FZ_HPA 0x40000000ull
struct fz_accel {
    struct kit_mem *hm;
    uint8_t *hm_own;
    struct vsmmu *host;
};
extern const uint32_t fz_accel_vsid[3];
uint32_t fz_accel_psid(uint32_t vsid);      /* ~0u: not a passthrough device */
bool fz_accel_setup(struct fz_env *e, struct fz_accel *a, bool verbose);
void fz_accel_fini(struct fz_env *e, struct fz_accel *a);

#endif
