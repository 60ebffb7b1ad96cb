/* SPDX-License-Identifier: MIT */
/*
 * vsmmu — an embeddable emulator of the Arm SMMUv3 (IHI 0070), Non-secure
 * programming interface.
 *
 * One `struct vsmmu` models one SMMU instance. The embedder supplies the
 * memory the SMMU's own accesses go to (host ops), receives its interrupts
 * (signal ops), forwards CPU accesses to the register pages (MMIO) and asks
 * for translations of device transactions (translate).
 *
 * Threading: MMIO calls must be serialised by the embedder (one CPU thread
 * at a time, as a bus would). vsmmu_translate() may be called from any number
 * of threads concurrently with each other and with MMIO.
 *
 * Errors: every call that can fail returns a negative VSMMU_E* code; the
 * human-readable reason is available from vsmmu_last_error() (per instance)
 * or, for vsmmu_create(), in the caller's buffer.
 */
#ifndef VSMMU_VSMMU_H
#define VSMMU_VSMMU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(VSMMU_BUILDING) && defined(__GNUC__)
#define VSMMU_API __attribute__((visibility("default")))
#else
#define VSMMU_API
#endif

#define VSMMU_VERSION_MAJOR 0
#define VSMMU_VERSION_MINOR 1

/* ---- status codes ------------------------------------------------------- */
enum vsmmu_status {
    VSMMU_OK = 0,
    VSMMU_EINVAL = -1,      /* bad argument or inconsistent configuration */
    VSMMU_ENOMEM = -2,      /* allocation failed */
    VSMMU_ERANGE = -3,      /* MMIO offset outside the register window */
    VSMMU_EUNSUPPORTED = -4,/* feature not implemented or not configured */
    VSMMU_EBUSY = -5,       /* operation not allowed in the current state */
    VSMMU_EBACKEND = -6,    /* an accelerated-mode backend failed */
    VSMMU_ENOENT = -7,      /* no such object (device, profile, ...) */
};

/* ---- configuration ------------------------------------------------------ */

/* IDR0.STALL_MODEL */
enum vsmmu_stall_model {
    VSMMU_STALL_AND_TERM = 0, /* 0b00: stall and terminate supported */
    VSMMU_TERM_ONLY = 1,      /* 0b01: no stalls */
    VSMMU_STALL_FORCED = 2,   /* 0b10: stall forced (CD.S, STE.S2S must be 1) */
};

/* IDR0.HTTU */
enum vsmmu_httu {
    VSMMU_HTTU_NONE = 0,
    VSMMU_HTTU_AF = 1,        /* hardware Access flag update */
    VSMMU_HTTU_AF_DIRTY = 2,  /* Access flag and dirty state */
};

/*
 * Everything that shows in the ID registers, plus model capacities.
 * Fill with vsmmu_config_default() or vsmmu_config_profile(), then adjust.
 * vsmmu_create() checks the result for consistency.
 */
struct vsmmu_config {
    /* AIDR.ArchMinorRev: 0..3 for SMMUv3.0..v3.3 */
    unsigned arch_minor;

    /* IDR0 */
    bool s1p, s2p;            /* stages implemented */
    bool cohacc;              /* coherent access */
    bool btm;                 /* broadcast TLB maintenance */
    enum vsmmu_httu httu;
    bool hyp;                 /* EL2 / EL2-E2H StreamWorlds */
    bool ats;
    bool ns1ats;              /* 1: split-stage ATS NOT supported */
    bool asid16, vmid16;
    bool msi, sev;
    bool pri;
    bool vmw;                 /* VMID wildcard (CR0.VMW) */
    bool cd2l;                /* 2-level CD tables */
    bool st2l;                /* 2-level stream tables (IDR0.ST_LEVEL=01) */
    enum vsmmu_stall_model stall_model;
    bool term_model;          /* 1: abort-only termination (CD.A must be 1) */
    bool dormhint;

    /* IDR1 */
    unsigned sidsize;         /* 0..32 */
    unsigned ssidsize;        /* 0..20 */
    unsigned cmdqs, eventqs, priqs; /* log2 max queue entries, <= 19 */
    bool attr_types_ovr, attr_perms_ovr;

    /* IDR3 */
    bool had, pbha, xnx, mpam, fwb, stt, ril, e0pd, ptwnnc;
    unsigned bbml;            /* 0..2 */

    /* IDR5 */
    unsigned oas_bits;        /* 32,36,40,42,44,48,52 */
    bool gran4k, gran16k, gran64k;
    bool vax52;               /* 52-bit stage-1 VA (IDR5.VAX=01) */
    unsigned stall_max;       /* IDR5.STALL_MAX */

    /* Identification */
    uint32_t iidr;
    bool page0_alias;         /* EVENTQ/PRIQ PROD/CONS aliased in page 0 */

    /* Reset value of GBPA (ABORT bit, attributes); Update is forced to 0. */
    uint32_t gbpa_reset;

    /* Model capacities (not architectural) */
    uint32_t tlb_entries;     /* translation cache entries (0: no caching) */
    uint32_t cfg_entries;     /* configuration cache entries (0: no caching) */
    uint32_t cmdq_batch;      /* max commands consumed per MMIO call */
};

/* Fill with the model's defaults: a full v3.2 SMMU. */
VSMMU_API void vsmmu_config_default(struct vsmmu_config *cfg);

/*
 * Fill from a named profile. Known names: "qemu-v3.1" (the feature set of
 * QEMU's emulated SMMUv3), "full-v3.2", "full-v3.3", "minimal-v3.0".
 * Returns VSMMU_ENOENT for an unknown name.
 */
VSMMU_API int vsmmu_config_profile(struct vsmmu_config *cfg, const char *name);

/* NULL-terminated list of profile names, for CLIs. */
VSMMU_API const char *const *vsmmu_profile_names(void);

/* Input/output address sizes in bits implied by a configuration. */
VSMMU_API unsigned vsmmu_config_ias(const struct vsmmu_config *cfg);

/*
 * Check a configuration without creating an instance. Returns VSMMU_OK or
 * VSMMU_EINVAL with a message naming the field in err (may be NULL).
 */
VSMMU_API int vsmmu_config_check(const struct vsmmu_config *cfg, char *err, size_t errlen);

/* ---- host and signal ops ------------------------------------------------ */

/* Memory access attributes passed with SMMU-originated accesses. */
enum vsmmu_mem_kind {
    VSMMU_MEM_STE = 0,   /* L1STD / STE fetch */
    VSMMU_MEM_CD,        /* L1CD / CD fetch */
    VSMMU_MEM_PTW,       /* translation table walk (and HTTU update) */
    VSMMU_MEM_CMDQ,      /* command fetch, CMD_SYNC MSI-to-slot */
    VSMMU_MEM_EVTQ,      /* event record write */
    VSMMU_MEM_PRIQ,      /* PRI record write */
    VSMMU_MEM_OTHER,
};

/* A region of RAM the model may access directly (fast path). */
struct vsmmu_ram_region {
    uint64_t pa;
    uint64_t len;
    void *host;          /* len bytes, 8-byte aligned */
};

/* Wired interrupt lines (edge: each call is one pulse). */
enum vsmmu_irq_line {
    VSMMU_IRQ_EVTQ = 0,
    VSMMU_IRQ_PRIQ,
    VSMMU_IRQ_CMD_SYNC,
    VSMMU_IRQ_GERROR,
    VSMMU_IRQ_COUNT
};

struct vsmmu_host_ops {
    void *opaque;
    /* Read/write `len` bytes of the SMMU's physical address space.
     * Return 0 on success, non-zero for an external abort. Required. */
    int (*read)(void *opaque, uint64_t pa, void *buf, size_t len, enum vsmmu_mem_kind kind);
    int (*write)(void *opaque, uint64_t pa, const void *buf, size_t len, enum vsmmu_mem_kind kind);
    /* Atomic 64-bit compare-and-swap at `pa` (8-byte aligned), for HTTU.
     * Returns 0 if swapped, 1 if *expected did not match (and *expected is
     * updated with the current value), negative for an external abort.
     * Optional: without it, HTTU updates use read+write (not atomic). */
    int (*cas64)(void *opaque, uint64_t pa, uint64_t *expected, uint64_t desired);
    /* Optional RAM regions the walker may read directly. */
    const struct vsmmu_ram_region *ram;
    size_t nram;

    /* MSI write of `data` to `addr` (32-bit store). attrs: IRQ_CFG2 MemAttr|SH.
     * Returns 0, or non-zero if the write aborted (sets GERROR.MSI_*_ABT_ERR). */
    int (*msi)(void *opaque, uint64_t addr, uint32_t data, uint32_t attrs);
    /* Pulse a wired interrupt line. Optional. */
    void (*irq)(void *opaque, enum vsmmu_irq_line line);
    /* Send a WFE wake event (CMD_SYNC CS=SEV, queue no longer full). Optional. */
    void (*sev)(void *opaque);
};

/* ---- trace -------------------------------------------------------------- */

enum vsmmu_trace_kind {
    VSMMU_TR_MMIO_READ = 0,  /* a0=offset a1=value a2=size */
    VSMMU_TR_MMIO_WRITE,     /* a0=offset a1=value a2=size */
    VSMMU_TR_TXN,            /* a0=sid a1=ssid(or ~0) a2=addr a3=flags */
    VSMMU_TR_CONFIG,         /* a0=config source (0 GBPA, 1 STE) */
    VSMMU_TR_L1STD,          /* a0=pa raw[0] */
    VSMMU_TR_STE,            /* a0=pa raw[0..7] */
    VSMMU_TR_L1CD,           /* a0=pa (after S2) raw[0] */
    VSMMU_TR_CD,             /* a0=pa (after S2) raw[0..7] */
    VSMMU_TR_DESC,           /* a0=pa a1=stage a2=level a3=input addr raw[0]=descriptor */
    VSMMU_TR_HTTU,           /* a0=pa a1=old a2=new */
    VSMMU_TR_TLB_HIT,        /* a0=addr a1=stage */
    VSMMU_TR_TLB_MISS,       /* a0=addr */
    VSMMU_TR_RESULT,         /* a0=oa a1=perm a2=log2 size */
    VSMMU_TR_FAULT,          /* a0=event type raw[0..3]=record */
    VSMMU_TR_CMD,            /* a0=cons index raw[0..1]=command */
    VSMMU_TR_CERROR,         /* a0=cons index a1=error code */
    VSMMU_TR_EVENT,          /* a0=prod index raw[0..3]=record */
    VSMMU_TR_GERROR,         /* a0=bits activated */
    VSMMU_TR_IRQ,            /* a0=line a1=msi addr a2=msi data */
};

struct vsmmu_trace_rec {
    enum vsmmu_trace_kind kind;
    uint64_t a0, a1, a2, a3;
    uint64_t raw[8];
    unsigned nraw;
    const char *msg;         /* optional human-readable note (static or short-lived) */
};

typedef void (*vsmmu_trace_fn)(void *opaque, const struct vsmmu_trace_rec *rec);

/* ---- instance ------------------------------------------------------------ */

struct vsmmu;

/*
 * Create an instance. cfg and ops are copied. On failure returns a negative
 * VSMMU_E* and, if err is non-NULL, a NUL-terminated reason in err.
 */
VSMMU_API int vsmmu_create(const struct vsmmu_config *cfg, const struct vsmmu_host_ops *ops,
                           struct vsmmu **out, char *err, size_t errlen);
VSMMU_API void vsmmu_destroy(struct vsmmu *s);

/* Architectural reset: registers to reset values, caches emptied. */
VSMMU_API void vsmmu_reset(struct vsmmu *s);

/* The configuration the instance runs with. */
VSMMU_API const struct vsmmu_config *vsmmu_get_config(const struct vsmmu *s);

/* Reason for the last failing call on this instance ("" if none). */
VSMMU_API const char *vsmmu_last_error(const struct vsmmu *s);

/* Short name for a status code. */
VSMMU_API const char *vsmmu_strerror(int status);

/* Install (or remove with NULL) a trace callback. Called synchronously. */
VSMMU_API void vsmmu_set_trace(struct vsmmu *s, vsmmu_trace_fn fn, void *opaque);

/* ---- MMIO ----------------------------------------------------------------- */

/* Size of the register window: page 0 and page 1. */
#define VSMMU_MMIO_SIZE 0x20000u

/*
 * CPU access to the register window. size is 1, 2, 4 or 8. Accesses other
 * than aligned 32-bit, or aligned 64-bit to a 64-bit register, are RAZ/WI
 * (the CONSTRAINED UNPREDICTABLE choice this model makes; see docs).
 * Returns VSMMU_ERANGE for offsets outside the window, VSMMU_EINVAL for a
 * size not in {1,2,4,8}; otherwise VSMMU_OK.
 */
VSMMU_API int vsmmu_mmio_read(struct vsmmu *s, uint64_t offset, unsigned size, uint64_t *val);
VSMMU_API int vsmmu_mmio_write(struct vsmmu *s, uint64_t offset, uint64_t val, unsigned size);

/* ---- translation ------------------------------------------------------------ */

/* Transaction flags. */
#define VSMMU_TXN_WRITE   (1u << 0)  /* 0: read */
#define VSMMU_TXN_EXEC    (1u << 1)  /* instruction fetch (InD=1); reads only */
#define VSMMU_TXN_PRIV    (1u << 2)  /* privileged (PnU=1) */
#define VSMMU_TXN_SSV     (1u << 3)  /* a SubstreamID accompanies the transaction */
#define VSMMU_TXN_ATOMIC  (1u << 4)  /* atomic: checked as read and write */
/* Probe (explain, doorbell lookups): no event is recorded, no descriptor is
 * written (HTTU), nothing is inserted in the caches and no stall slot is
 * taken. A probe that would stall returns VSMMU_XLATE_STALL with stag 0; on a
 * writable-clean (DBM) page the result omits VSMMU_PERM_W, since the dirty
 * update a write needs was not made. */
#define VSMMU_TXN_NOEVENT (1u << 5)

struct vsmmu_txn {
    uint32_t sid;
    uint32_t ssid;           /* valid with VSMMU_TXN_SSV */
    uint64_t addr;
    uint32_t flags;
};

/* What the device sees. */
enum vsmmu_outcome {
    VSMMU_XLATE_OK = 0,      /* translated (or bypassed): use out_addr */
    VSMMU_XLATE_ABORT,       /* terminated with an abort */
    VSMMU_XLATE_RAZWI,       /* terminated: reads return zero, writes ignored */
    VSMMU_XLATE_STALL,       /* stalled, awaits CMD_RESUME / CMD_STALL_TERM */
};

/* Permission bits of a successful translation. */
#define VSMMU_PERM_R (1u << 0)
#define VSMMU_PERM_W (1u << 1)
#define VSMMU_PERM_X (1u << 2)

struct vsmmu_result {
    enum vsmmu_outcome outcome;
    uint64_t out_addr;       /* output PA (OK) */
    uint8_t  size_log2;      /* log2 of the mapping the address came from */
    uint8_t  perm;           /* VSMMU_PERM_* granted for this stream/access class */
    uint8_t  memattr;        /* output memory type, MAIR encoding (0x00 Device-nGnRnE ... 0xff WB) */
    uint8_t  sh;             /* shareability: 0 NSH, 2 OSH, 3 ISH */
    bool     bypass;         /* no translation stage applied */
    bool     from_cache;     /* answered by the translation cache */
    /* Event: set when the model produced an event record for this
     * transaction (whether or not it could be written to the EVTQ). */
    bool     has_event;
    uint64_t event[4];       /* the 32-byte record, little-endian DW0..DW3 */
    uint16_t stag;           /* stall tag when outcome == STALL */
};

/*
 * Translate one device transaction. Thread-safe. Writes the event record to
 * the event queue (if enabled and recording applies), raising interrupts.
 * Returns VSMMU_OK (see res->outcome) or VSMMU_EINVAL for a NULL argument.
 */
VSMMU_API int vsmmu_translate(struct vsmmu *s, const struct vsmmu_txn *txn, struct vsmmu_result *res);

/* ---- counters ---------------------------------------------------------------- */

struct vsmmu_stats {
    uint64_t translations;
    uint64_t tlb_hits, tlb_misses;
    uint64_t cfg_hits, cfg_misses;
    uint64_t walks;              /* translation table walks started */
    uint64_t desc_reads;         /* translation table descriptor reads */
    uint64_t ste_fetches, cd_fetches;
    uint64_t httu_updates;
    uint64_t faults;             /* transactions that did not translate */
    uint64_t events;             /* event records written to the EVTQ */
    uint64_t events_lost;        /* overflowed or could not be written */
    uint64_t commands;           /* commands consumed */
    uint64_t cmd_by_opcode[256];
    uint64_t cerrors;
    uint64_t tlb_invalidated;    /* translation-cache entries removed by TLBI */
    uint64_t cfg_invalidated;    /* config-cache entries removed by CFGI */
    uint64_t msis, irqs;
    uint64_t event_by_type[256];
};

VSMMU_API void vsmmu_get_stats(const struct vsmmu *s, struct vsmmu_stats *st);
VSMMU_API void vsmmu_reset_stats(struct vsmmu *s);

#ifdef __cplusplus
}
#endif
#endif /* VSMMU_VSMMU_H */
