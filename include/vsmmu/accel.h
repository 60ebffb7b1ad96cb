/* SPDX-License-Identifier: MIT */
/*
 * vsmmu accelerated nested mode.
 *
 * For a passthrough device the guest's stage 1 runs on the host's physical
 * SMMU, nested with a stage 2 the host owns (guest IPA -> host PA). The vSMMU
 * (a normal `struct vsmmu`) keeps emulating the register file, the command
 * queue and the event queue; for the StreamIDs of passthrough devices it
 *  - turns guest STEs into vSTEs installed on a backend (CFGI_STE/_RANGE/ALL),
 *  - queues the invalidations the host takes (TLBI_NH_*, TLBI_NSNH_ALL,
 *    CFGI_CD, CFGI_CD_ALL, ATC_INV) and forwards them as one batch per
 *    backend at the next CMD_SYNC,
 *  - injects the host's events into the guest event queue with the guest
 *    StreamID.
 * The emulated translation caches are never used for those devices.
 *
 * A backend stands for one physical SMMU. One vSMMU may front several.
 * Two backends come with the library:
 *  - soft:    a second vsmmu instance plays the physical SMMU, with a stage 2
 *             and host StreamIDs chosen by the embedder. It checks what it is
 *             given exactly as the Linux kernel does (vsmmu_soft_*).
 *  - iommufd: Linux /dev/iommu with a VFIO device cdev (vsmmu_iommufd_*).
 * Embedders may supply their own through struct vsmmu_accel_backend_ops.
 *
 * Threading: every call here is serialised with MMIO by the embedder.
 */
#ifndef VSMMU_ACCEL_H
#define VSMMU_ACCEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "vsmmu/vsmmu.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- backend interface ------------------------------------------------- */

/* The host SMMU's identification (iommu_hw_info_arm_smmuv3): raw IDR0-5,
 * IIDR, AIDR. Only the fields the nested uAPI documents are relied on. */
struct vsmmu_accel_hw_info {
    uint32_t idr[6];
    uint32_t iidr;
    uint32_t aidr;
};

/* Maximum commands a backend is handed in one invalidate call. */
#define VSMMU_ACCEL_BATCH_MAX 1024u

struct vsmmu_accel_backend_ops {
    /* Host hardware information. */
    int (*hw_info)(void *ctx, struct vsmmu_accel_hw_info *out);
    /* A passthrough device with guest StreamID `vsid` and the backend's own
     * handle for it (soft: host StreamID; iommufd: the iommufd dev_id). */
    int (*add_device)(void *ctx, uint32_t vsid, uint64_t host_id);
    int (*del_device)(void *ctx, uint32_t vsid);
    /* Install a vSTE (dwords 0 and 1 of the guest STE, reduced to the fields
     * the host accepts) for `vsid`. VSMMU_EINVAL: the host refused the vSTE
     * as illegal (the device is then left aborting); other errors: failure. */
    int (*install_ste)(void *ctx, uint32_t vsid, const uint64_t ste[2]);
    /* Execute `n` (1..VSMMU_ACCEL_BATCH_MAX) raw 128-bit commands, guest
     * StreamIDs in them. VSMMU_OK with *done == n, or an error with *done =
     * the index of the first command that failed: commands [0, *done) were
     * executed, the others were not. */
    int (*invalidate)(void *ctx, const uint64_t (*cmd)[2], uint32_t n, uint32_t *done);
    /* Read up to `max` host event records (32 bytes, SID already the guest
     * StreamID). *lost is set if the host dropped events. */
    int (*read_events)(void *ctx, uint64_t (*rec)[4], uint32_t max, uint32_t *n, bool *lost);
    /* Human-readable reason for the last failure (may be NULL). */
    const char *(*last_error)(void *ctx);
    /* Free everything. */
    void (*release)(void *ctx);
};

struct vsmmu_accel_backend {
    const struct vsmmu_accel_backend_ops *ops;
    void *ctx;
    const char *name;       /* "soft", "iommufd", ... */
};

/* ---- front-end ---------------------------------------------------------- */

/*
 * Put `s` in accelerated mode (first call) and add a backend, which the
 * instance then owns (released by vsmmu_destroy, also on failure here).
 * The host's hardware information is read and the configuration reduced to
 * what nesting on that host supports (see vsmmu_accel_mask_config); the
 * instance is then reset so that its ID registers show the result.
 * Only allowed while the guest has every CR0 enable clear (VSMMU_EBUSY
 * otherwise: ID registers must not change under a running driver).
 * Returns the backend's index (>= 0) or a negative VSMMU_E*; the reason is in
 * vsmmu_last_error(s).
 */
VSMMU_API int vsmmu_accel_add_backend(struct vsmmu *s, struct vsmmu_accel_backend *be);

/*
 * Reduce `cfg` to what a guest may see when its stage 1 is nested on a host
 * with `hw`: features the nested path cannot carry are cleared (stage 2,
 * HTTU, BTM, HYP, ATS, PRI, stalls, MPAM, ...) and the host's optional
 * stage-1 features are intersected (CD2L, ASID16, VAX, BBML, TERM_MODEL).
 * A host that cannot provide what cfg promises is refused with VSMMU_EINVAL
 * and a message naming the field (S1P, TTF, TTENDIAN, SIDSIZE, SSIDSIZE,
 * OAS, GRAN4K/16K/64K, RIL, STALL_MODEL).
 */
VSMMU_API int vsmmu_accel_mask_config(struct vsmmu_config *cfg, const struct vsmmu_accel_hw_info *hw,
                                      char *err, size_t errlen);

/* ---- device registry ------------------------------------------------------ */

enum vsmmu_accel_dev_kind {
    VSMMU_ACCEL_DEV_PASSTHROUGH = 0, /* assigned endpoint on a backend */
    VSMMU_ACCEL_DEV_BRIDGE,          /* PCI(e) bridge: no DMA of its own */
    VSMMU_ACCEL_DEV_ROOT_PORT,       /* root port / root complex */
    VSMMU_ACCEL_DEV_EMULATED,        /* emulated endpoint: always refused */
};

struct vsmmu_accel_dev {
    enum vsmmu_accel_dev_kind kind;
    uint32_t vsid;          /* guest StreamID (PCI RID through the guest IORT) */
    unsigned backend;       /* passthrough: index from vsmmu_accel_add_backend */
    uint64_t host_id;       /* passthrough: the backend's handle for the device */
    const char *name;       /* for messages (may be NULL) */
};

/*
 * Place a device behind the accelerated vSMMU.
 *  - passthrough endpoints are registered with their backend and at once get
 *    the configuration the guest has for them: GBPA while SMMUEN=0, else the
 *    guest's STE as it is in guest memory now (as if CFGI_STE). This is what
 *    makes hot-plug after the guest enabled the SMMU work;
 *  - bridges and root ports are recorded (they issue no DMA);
 *  - an emulated endpoint is refused with VSMMU_EUNSUPPORTED: its DMA would
 *    need the emulated IOTLB, which nothing invalidates once TLBIs go to the
 *    host.
 * Other errors: VSMMU_EINVAL (vsid beyond SIDSIZE, unknown backend),
 * VSMMU_EBUSY (vsid already attached), VSMMU_EBACKEND.
 */
VSMMU_API int vsmmu_accel_attach(struct vsmmu *s, const struct vsmmu_accel_dev *dev);
/* Remove a device: its host configuration becomes abort and it is forgotten.
 * Pending invalidations that name it are dropped. */
VSMMU_API int vsmmu_accel_detach(struct vsmmu *s, uint32_t vsid);

/*
 * Move host events into the guest event queue (guest StreamID; host loss
 * becomes the guest's EVENTQ overflow flag) and follow SMMUEN/GBPA changes.
 * Call when a backend signals events (e.g. its fd is readable) or
 * periodically. Returns the number of events injected or a negative error.
 */
VSMMU_API int vsmmu_accel_poll(struct vsmmu *s);

/* ---- counters ----------------------------------------------------------- */

struct vsmmu_accel_stats {
    uint64_t syncs;            /* CMD_SYNCs that reached the front-end */
    uint64_t flushes;          /* syncs (or full batches) that had work */
    uint64_t backend_calls;    /* invalidate calls made to backends */
    uint64_t forwarded;        /* commands handed to backends */
    uint64_t ste_installs;     /* vSTEs installed */
    uint64_t bad_ste;          /* guest STEs that became abort + C_BAD_STE */
    uint64_t rejected;         /* commands that ended in CERROR */
    uint64_t events_in;        /* host events injected into the guest */
    uint64_t events_lost;      /* host events lost (guest overflow) */
    uint64_t events_dropped;   /* malformed host events discarded */
    uint64_t translations;     /* translate() calls walked by the front-end */
};

VSMMU_API int vsmmu_accel_get_stats(const struct vsmmu *s, struct vsmmu_accel_stats *st);

/* ---- soft backend ------------------------------------------------------- */

/*
 * The physical SMMU in software: `host` is a vsmmu instance (stage 1 and
 * stage 2, nesting) over host memory; the backend drives it through MMIO
 * and host memory as the host kernel would. Devices are added with their
 * host StreamID as host_id.
 */
struct vsmmu_soft_cfg {
    struct vsmmu *host;      /* not owned; must outlive the backend */
    /* Host memory for the backend's stream table and queues (host PA),
     * readable/writable through the host instance's host ops, and a host
     * pointer for the same range. */
    uint64_t mem_pa;
    uint64_t mem_len;        /* >= vsmmu_soft_mem_size(host) */
    void *mem;
    /* The host-owned stage 2 (the nest parent): guest IPA -> host PA. */
    uint64_t s2_ttb;         /* host PA of the stage-2 table */
    unsigned s2_t0sz;        /* 64 - IPA bits */
    unsigned s2_sl0;         /* raw S2SL0 */
    unsigned s2_granule;     /* 12, 14 or 16 */
    unsigned s2_ps;          /* raw S2PS code (IDR5.OAS encoding) */
    uint16_t vmid;           /* the VMID TLBIs are retagged with */
};

/* Bytes of host memory the soft backend needs for `host`. */
VSMMU_API uint64_t vsmmu_soft_mem_size(const struct vsmmu *host);
VSMMU_API int vsmmu_soft_backend_new(const struct vsmmu_soft_cfg *cfg, struct vsmmu_accel_backend **out,
                                     char *err, size_t errlen);

/* ---- iommufd backend ------------------------------------------------------ */

/*
 * The system calls the iommufd backend makes, injectable for tests. NULL
 * members (or a NULL table) use the real system calls. Each returns what
 * the system call returns, with errno set on failure.
 */
struct vsmmu_iommufd_sys {
    void *opaque;
    int (*open)(void *opaque, const char *path, int flags);
    int (*close)(void *opaque, int fd);
    int (*ioctl)(void *opaque, int fd, unsigned long req, void *arg);
    long (*read)(void *opaque, int fd, void *buf, size_t len);
};

struct vsmmu_iommufd_ram {
    uint64_t gpa;            /* guest PA = IOVA in the IOAS */
    uint64_t len;
    void *host;              /* the VMM's mapping of it */
};

struct vsmmu_iommufd_cfg {
    const char *iommu_path;      /* NULL: "/dev/iommu" */
    const char *vfio_cdev;       /* first device: /dev/vfio/devices/vfioN ... */
    int vfio_fd;                 /* ... or an open cdev fd (>= 0 wins) */
    const struct vsmmu_iommufd_ram *ram;   /* guest RAM, mapped at IOVA = GPA */
    unsigned nram;
    uint32_t veventq_depth;      /* 0: 64; no vEVENTQ if the kernel lacks it */
    const struct vsmmu_iommufd_sys *sys;
};

/*
 * Open /dev/iommu, bind the first device, build IOAS (guest RAM), nest-parent
 * HWPT, vIOMMU, abort/bypass nested HWPTs and the vEVENTQ. *first_dev_id
 * receives the iommufd dev_id of the first device (the host_id to attach it
 * with). Errors name the step and the errno (missing /dev/iommu, a kernel
 * without nesting, ...).
 */
VSMMU_API int vsmmu_iommufd_backend_new(const struct vsmmu_iommufd_cfg *cfg,
                                        struct vsmmu_accel_backend **out, uint32_t *first_dev_id,
                                        char *err, size_t errlen);
/* Bind one more device (same host SMMU) given its cdev path or fd (path
 * NULL); returns its dev_id for vsmmu_accel_dev.host_id. */
VSMMU_API int vsmmu_iommufd_bind(struct vsmmu_accel_backend *be, const char *cdev_path, int fd,
                                 uint32_t *dev_id);
/* The vEVENTQ fd to poll for host events (-1 if none). */
VSMMU_API int vsmmu_iommufd_event_fd(const struct vsmmu_accel_backend *be);

#ifdef __cplusplus
}
#endif
#endif /* VSMMU_ACCEL_H */
