/* SPDX-License-Identifier: MIT */
/*
 * The iommufd backend: the host SMMU through Linux /dev/iommu and a VFIO
 * device cdev (kernel >= 6.13 for nesting, >= 6.15 for the vEVENTQ).
 *
 * Objects: one IOAS holding guest RAM at IOVA = guest PA, a nest-parent
 * HWPT on it (the host-owned stage 2), one vIOMMU on that parent, a vEVENTQ,
 * two shared nested HWPTs (abort and bypass vSTEs) and, per device, a
 * vDEVICE (its guest StreamID) and its own nested HWPT while the guest has
 * it translating at stage 1. Every system call goes through an injectable
 * table so that tests can play the kernel.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "internal.h"
#include "accel/iommufd_uapi.h"
#include "accel/nested.h"
#include "vsmmu/accel.h"

#define IFD_MAX_DEVS  64u
#define IFD_NO_ID     0u        /* iommufd object IDs start at 1 */
#define IFD_CHUNK     63u       /* commands the kernel issues per host CMD_SYNC */

struct ifd_dev {
    int fd;
    bool own_fd;
    uint32_t dev_id;
    bool has_vdev;
    uint32_t vsid;
    uint32_t vdev_id;
    uint32_t hwpt;            /* attached HWPT */
    uint32_t own_hwpt;        /* this device's S1 nested HWPT, or 0 */
};

struct ifd {
    struct vsmmu_iommufd_sys sys;
    int fd;
    uint32_t ioas, s2_hwpt, viommu, abort_hwpt, bypass_hwpt, veventq;
    int evfd;
    struct vsmmu_accel_hw_info hw;
    struct ifd_dev dev[IFD_MAX_DEVS];
    unsigned ndev;
    bool seq_valid;
    uint32_t last_seq;
    uint8_t evbuf[32 * (sizeof(struct ifd_vevent_header) + sizeof(struct ifd_vevent_arm_smmuv3))];
    char err[256];
    struct vsmmu_accel_backend be;
};

/* ---- the system call layer ------------------------------------------------ */

static int sys_open(struct ifd *f, const char *path, int flags)
{
    if (f->sys.open)
        return f->sys.open(f->sys.opaque, path, flags);
    return open(path, flags);
}

static int sys_close(struct ifd *f, int fd)
{
    if (f->sys.close)
        return f->sys.close(f->sys.opaque, fd);
    return close(fd);
}

static int sys_ioctl(struct ifd *f, int fd, unsigned long req, void *arg)
{
    if (f->sys.ioctl)
        return f->sys.ioctl(f->sys.opaque, fd, req, arg);
    return ioctl(fd, req, arg);
}

static long sys_read(struct ifd *f, int fd, void *buf, size_t len)
{
    if (f->sys.read)
        return f->sys.read(f->sys.opaque, fd, buf, len);
    return (long)read(fd, buf, len);
}

__attribute__((format(printf, 3, 4)))
static int ifd_fail(struct ifd *f, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(f->err, sizeof(f->err), fmt, ap);
    va_end(ap);
    return code;
}

/* What an errno from a given call most likely means (iommufd-uapi.md). */
static const char *hint(unsigned long req, int e)
{
    switch (e) {
    case ENOTTY:
        if (req == IFD_VIOMMU_ALLOC || req == IFD_VDEVICE_ALLOC)
            return " (kernel older than 6.13: no vIOMMU)";
        if (req == IFD_VEVENTQ_ALLOC)
            return " (kernel older than 6.15: no vEVENTQ)";
        return " (call unknown to this kernel)";
    case EOPNOTSUPP:
        if (req == IFD_VIOMMU_ALLOC || req == IFD_HWPT_ALLOC)
            return " (host SMMU cannot nest: needs S1P+S2P, and a CANWBS device or S2FWB)";
        return "";
    case EIO:
        return " (the host driver refused the data)";
    default:
        return "";
    }
}

static int xioctl(struct ifd *f, int fd, unsigned long req, void *arg, const char *what)
{
    if (sys_ioctl(f, fd, req, arg) == 0)
        return 0;
    int e = errno;
    ifd_fail(f, VSMMU_EBACKEND, "%s: %s%s", what, strerror(e), hint(req, e));
    errno = e;
    return -1;
}

static void destroy_obj(struct ifd *f, uint32_t id)
{
    if (id == IFD_NO_ID || f->fd < 0)
        return;
    struct ifd_destroy d = { .size = sizeof(d), .id = id };
    (void)sys_ioctl(f, f->fd, IFD_DESTROY, &d);
}

static int hwpt_alloc_nested(struct ifd *f, uint32_t dev_id, const uint64_t ste[2], uint32_t *out)
{
    struct ifd_hwpt_arm_smmuv3 data = { .ste = { htole64(ste[0]), htole64(ste[1]) } };
    struct ifd_hwpt_alloc a;
    memset(&a, 0, sizeof(a));
    a.size = sizeof(a);
    a.flags = 0;
    a.dev_id = dev_id;
    a.pt_id = f->viommu;
    a.data_type = IFD_HWPT_DATA_ARM_SMMUV3;
    a.data_len = sizeof(data);
    a.data_uptr = (uint64_t)(uintptr_t)&data;
    if (xioctl(f, f->fd, IFD_HWPT_ALLOC, &a, "IOMMU_HWPT_ALLOC (nested vSTE)") != 0)
        return -1;
    *out = a.out_hwpt_id;
    return 0;
}

static int attach(struct ifd *f, struct ifd_dev *d, uint32_t pt)
{
    struct ifd_vfio_attach at = { .argsz = sizeof(at), .flags = 0, .pt_id = pt };
    if (xioctl(f, d->fd, IFD_VFIO_ATTACH_PT, &at, "VFIO_DEVICE_ATTACH_IOMMUFD_PT") != 0)
        return -1;
    d->hwpt = pt;
    return 0;
}

static int bind_dev(struct ifd *f, const char *path, int fd, uint32_t *dev_id)
{
    if (f->ndev == IFD_MAX_DEVS)
        return ifd_fail(f, VSMMU_EINVAL, "at most %u devices per iommufd backend", IFD_MAX_DEVS);
    bool own = false;
    if (fd < 0) {
        if (!path)
            return ifd_fail(f, VSMMU_EINVAL, "no VFIO device cdev given");
        fd = sys_open(f, path, O_RDWR | O_CLOEXEC);
        if (fd < 0)
            return ifd_fail(f, VSMMU_EBACKEND, "open %s: %s%s", path, strerror(errno),
                            errno == ENOENT ? " (no VFIO cdev: CONFIG_VFIO_DEVICE_CDEV, device "
                                              "bound to vfio-pci?)" : "");
        own = true;
    }
    struct ifd_vfio_bind b = { .argsz = sizeof(b), .flags = 0, .iommufd = f->fd };
    if (xioctl(f, fd, IFD_VFIO_BIND_IOMMUFD, &b, "VFIO_DEVICE_BIND_IOMMUFD") != 0) {
        if (own)
            sys_close(f, fd);
        return VSMMU_EBACKEND;
    }
    struct ifd_dev *d = &f->dev[f->ndev++];
    memset(d, 0, sizeof(*d));
    d->fd = fd;
    d->own_fd = own;
    d->dev_id = b.out_devid;
    *dev_id = b.out_devid;
    return VSMMU_OK;
}

/* ---- backend operations -------------------------------------------------------- */

static struct ifd_dev *dev_by_vsid(struct ifd *f, uint32_t vsid)
{
    for (unsigned i = 0; i < f->ndev; i++)
        if (f->dev[i].has_vdev && f->dev[i].vsid == vsid)
            return &f->dev[i];
    return NULL;
}

static int op_hw_info(void *ctx, struct vsmmu_accel_hw_info *out)
{
    struct ifd *f = ctx;
    *out = f->hw;
    return VSMMU_OK;
}

static int op_add_device(void *ctx, uint32_t vsid, uint64_t host_id)
{
    struct ifd *f = ctx;
    struct ifd_dev *d = NULL;
    for (unsigned i = 0; i < f->ndev; i++)
        if (f->dev[i].dev_id == host_id)
            d = &f->dev[i];
    if (!d)
        return ifd_fail(f, VSMMU_ENOENT, "dev_id %llu is not bound to this backend",
                        (unsigned long long)host_id);
    if (d->has_vdev)
        return ifd_fail(f, VSMMU_EBUSY, "dev_id %u already has vSID 0x%x", d->dev_id, d->vsid);
    struct ifd_vdevice_alloc v = { .size = sizeof(v), .viommu_id = f->viommu,
                                   .dev_id = d->dev_id, .virt_id = vsid };
    if (xioctl(f, f->fd, IFD_VDEVICE_ALLOC, &v, "IOMMU_VDEVICE_ALLOC") != 0)
        return VSMMU_EBACKEND;
    d->has_vdev = true;
    d->vsid = vsid;
    d->vdev_id = v.out_vdevice_id;
    return VSMMU_OK;
}

static int op_del_device(void *ctx, uint32_t vsid)
{
    struct ifd *f = ctx;
    struct ifd_dev *d = dev_by_vsid(f, vsid);
    if (!d)
        return ifd_fail(f, VSMMU_ENOENT, "no device with vSID 0x%x", vsid);
    /* Aborting (shared HWPT), then the device's own objects can go. */
    (void)attach(f, d, f->abort_hwpt);
    destroy_obj(f, d->own_hwpt);
    d->own_hwpt = IFD_NO_ID;
    destroy_obj(f, d->vdev_id);
    d->has_vdev = false;
    return VSMMU_OK;
}

static int op_install_ste(void *ctx, uint32_t vsid, const uint64_t ste[2])
{
    struct ifd *f = ctx;
    struct ifd_dev *d = dev_by_vsid(f, vsid);
    if (!d)
        return ifd_fail(f, VSMMU_ENOENT, "no device with vSID 0x%x", vsid);
    unsigned cfg = (unsigned)FIELD_GET(VSTE0_CONFIG, ste[0]);
    uint32_t target, fresh = IFD_NO_ID;
    if (!(ste[0] & VSTE0_V) || (cfg == VSTE_CFG_ABORT && !(ste[0] & ~VSTE0_ALLOWED) &&
                                !(ste[1] & ~VSTE1_ALLOWED))) {
        target = f->abort_hwpt;
    } else if (cfg == VSTE_CFG_BYPASS && !(ste[0] & ~VSTE0_ALLOWED) &&
               !(ste[1] & ~VSTE1_ALLOWED)) {
        target = f->bypass_hwpt;
    } else {
        if (hwpt_alloc_nested(f, d->dev_id, ste, &fresh) != 0)
            return errno == EIO ? VSMMU_EINVAL : VSMMU_EBACKEND;
        target = fresh;
    }
    if (attach(f, d, target) != 0) {
        destroy_obj(f, fresh);
        return VSMMU_EBACKEND;
    }
    /* The replacement is atomic (VFIO attach while attached); the old
     * per-device HWPT is no longer referenced. */
    destroy_obj(f, d->own_hwpt);
    d->own_hwpt = fresh;
    return VSMMU_OK;
}

static int issue(struct ifd *f, const uint64_t (*cmd)[2], uint32_t n, uint32_t *done)
{
    struct ifd_hwpt_invalidate inv;
    memset(&inv, 0, sizeof(inv));
    inv.size = sizeof(inv);
    inv.hwpt_id = f->viommu;
    inv.data_uptr = (uint64_t)(uintptr_t)cmd;
    inv.data_type = IFD_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3;
    inv.entry_len = 16;
    inv.entry_num = n;
    if (xioctl(f, f->fd, IFD_HWPT_INVALIDATE, &inv, "IOMMU_HWPT_INVALIDATE") == 0) {
        *done = n;
        return 0;
    }
    /* entry_num = index of the failed entry; beyond the batch means the
     * call failed as a whole. */
    *done = inv.entry_num < n ? inv.entry_num : 0;
    return -1;
}

static int op_invalidate(void *ctx, const uint64_t (*cmd)[2], uint32_t n, uint32_t *done)
{
    struct ifd *f = ctx;
    uint64_t (*le)[2] = calloc(n ? n : 1, sizeof(*le));
    if (!le) {
        *done = 0;
        return ifd_fail(f, VSMMU_ENOMEM, "out of memory");
    }
    for (uint32_t i = 0; i < n; i++) {
        le[i][0] = htole64(cmd[i][0]);
        le[i][1] = htole64(cmd[i][1]);
    }
    uint32_t k = 0;
    int rc = VSMMU_OK;
    if (issue(f, (const uint64_t (*)[2])le, n, &k) != 0) {
        char first[256];
        memcpy(first, f->err, sizeof(first));
        /* The kernel converts a chunk of 63 before issuing it: the chunk's
         * commands before the failed one were converted but not issued.
         * Issue them again so that [0, k) really was executed. */
        uint32_t start = k - k % IFD_CHUNK, again = 0;
        if (k > start && issue(f, (const uint64_t (*)[2])&le[start], k - start, &again) != 0)
            k = start + again;
        memcpy(f->err, first, sizeof(first));
        rc = VSMMU_EBACKEND;
    }
    free(le);
    *done = k;
    return rc;
}

static int op_read_events(void *ctx, uint64_t (*rec)[4], uint32_t max, uint32_t *n, bool *lost)
{
    struct ifd *f = ctx;
    *n = 0;
    *lost = false;
    if (f->evfd < 0)
        return VSMMU_OK;
    const size_t hs = sizeof(struct ifd_vevent_header), ps = sizeof(struct ifd_vevent_arm_smmuv3);
    size_t want = (size_t)max * (hs + ps);
    if (want > sizeof(f->evbuf))
        want = sizeof(f->evbuf);
    long got = sys_read(f, f->evfd, f->evbuf, want);
    if (got < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            return VSMMU_OK;
        return ifd_fail(f, VSMMU_EBACKEND, "read vEVENTQ: %s", strerror(errno));
    }
    if ((size_t)got > want)
        return ifd_fail(f, VSMMU_EBACKEND, "read vEVENTQ returned %ld bytes for %zu", got, want);
    size_t off = 0;
    while (off < (size_t)got) {
        struct ifd_vevent_header h;
        if ((size_t)got - off < hs) {
            *lost = true;
            return ifd_fail(f, VSMMU_EBACKEND, "vEVENTQ: truncated record header");
        }
        memcpy(&h, f->evbuf + off, hs);
        off += hs;
        /* Sequence numbers count 0..INT_MAX and wrap; a gap is loss. */
        uint32_t expect = f->seq_valid ? (f->last_seq + 1) & 0x7fffffffu : h.sequence;
        if (h.sequence != expect)
            *lost = true;
        f->seq_valid = true;
        f->last_seq = h.sequence;
        if (h.flags & IFD_VEVENTQ_FLAG_LOST_EVENTS) {
            *lost = true;   /* header only, no payload */
            continue;
        }
        if ((size_t)got - off < ps) {
            *lost = true;
            return ifd_fail(f, VSMMU_EBACKEND, "vEVENTQ: truncated event record");
        }
        struct ifd_vevent_arm_smmuv3 e;
        memcpy(&e, f->evbuf + off, ps);
        off += ps;
        if (*n < max) {
            for (int i = 0; i < 4; i++)
                rec[*n][i] = le64toh(e.evt[i]);
            (*n)++;
        }
    }
    return VSMMU_OK;
}

static const char *op_last_error(void *ctx)
{
    return ((struct ifd *)ctx)->err;
}

static void op_release(void *ctx)
{
    struct ifd *f = ctx;
    if (!f)
        return;
    for (unsigned i = 0; i < f->ndev; i++) {
        struct ifd_dev *d = &f->dev[i];
        if (d->hwpt != IFD_NO_ID && d->hwpt != f->s2_hwpt && f->s2_hwpt != IFD_NO_ID)
            (void)attach(f, d, f->s2_hwpt);
        destroy_obj(f, d->own_hwpt);
    }
    destroy_obj(f, f->abort_hwpt);
    destroy_obj(f, f->bypass_hwpt);
    if (f->evfd >= 0)
        sys_close(f, f->evfd);
    destroy_obj(f, f->veventq);
    for (unsigned i = 0; i < f->ndev; i++)
        if (f->dev[i].has_vdev)
            destroy_obj(f, f->dev[i].vdev_id);
    destroy_obj(f, f->viommu);
    for (unsigned i = 0; i < f->ndev; i++) {
        struct ifd_dev *d = &f->dev[i];
        if (d->hwpt != IFD_NO_ID) {
            struct ifd_vfio_detach dt = { .argsz = sizeof(dt), .flags = 0 };
            (void)sys_ioctl(f, d->fd, IFD_VFIO_DETACH_PT, &dt);
        }
    }
    destroy_obj(f, f->s2_hwpt);
    destroy_obj(f, f->ioas);
    for (unsigned i = 0; i < f->ndev; i++)
        if (f->dev[i].own_fd)
            sys_close(f, f->dev[i].fd);
    if (f->fd >= 0)
        sys_close(f, f->fd);
    free(f);
}

static const struct vsmmu_accel_backend_ops ifd_ops = {
    .hw_info = op_hw_info,
    .add_device = op_add_device,
    .del_device = op_del_device,
    .install_ste = op_install_ste,
    .invalidate = op_invalidate,
    .read_events = op_read_events,
    .last_error = op_last_error,
    .release = op_release,
};

/* ---- construction ------------------------------------------------------------------ */

static int setup(struct ifd *f, const struct vsmmu_iommufd_cfg *cfg, uint32_t *first)
{
    const char *path = cfg->iommu_path ? cfg->iommu_path : "/dev/iommu";
    f->fd = sys_open(f, path, O_RDWR | O_CLOEXEC);
    if (f->fd < 0)
        return ifd_fail(f, errno == ENOENT ? VSMMU_EUNSUPPORTED : VSMMU_EBACKEND,
                        "open %s: %s%s", path, strerror(errno),
                        errno == ENOENT ? " (kernel without CONFIG_IOMMUFD)" : "");
    int rc = bind_dev(f, cfg->vfio_cdev, cfg->vfio_fd, first);
    if (rc)
        return rc;
    struct ifd_dev *d = &f->dev[0];

    struct ifd_ioas_alloc ia = { .size = sizeof(ia) };
    if (xioctl(f, f->fd, IFD_IOAS_ALLOC, &ia, "IOMMU_IOAS_ALLOC") != 0)
        return VSMMU_EBACKEND;
    f->ioas = ia.out_ioas_id;
    for (unsigned i = 0; i < cfg->nram; i++) {
        struct ifd_ioas_map m;
        memset(&m, 0, sizeof(m));
        m.size = sizeof(m);
        m.flags = IFD_IOAS_MAP_FIXED_IOVA | IFD_IOAS_MAP_READABLE | IFD_IOAS_MAP_WRITEABLE;
        m.ioas_id = f->ioas;
        m.user_va = (uint64_t)(uintptr_t)cfg->ram[i].host;
        m.length = cfg->ram[i].len;
        m.iova = cfg->ram[i].gpa;
        if (xioctl(f, f->fd, IFD_IOAS_MAP, &m, "IOMMU_IOAS_MAP (guest RAM)") != 0)
            return VSMMU_EBACKEND;
    }

    struct ifd_hw_info_arm_smmuv3 hw;
    memset(&hw, 0, sizeof(hw));
    struct ifd_hw_info hi;
    memset(&hi, 0, sizeof(hi));
    hi.size = sizeof(hi);
    hi.dev_id = d->dev_id;
    hi.data_len = sizeof(hw);
    hi.data_uptr = (uint64_t)(uintptr_t)&hw;
    if (xioctl(f, f->fd, IFD_GET_HW_INFO, &hi, "IOMMU_GET_HW_INFO") != 0)
        return VSMMU_EBACKEND;
    if (hi.out_data_type != IFD_HW_INFO_TYPE_ARM_SMMUV3)
        return ifd_fail(f, VSMMU_EUNSUPPORTED, "IOMMU_GET_HW_INFO: the host IOMMU is not an "
                        "SMMUv3 (type %u; SMMUv3 is 2, kernel >= 6.13)", hi.out_data_type);
    memcpy(f->hw.idr, hw.idr, sizeof(f->hw.idr));
    f->hw.iidr = hw.iidr;
    f->hw.aidr = hw.aidr;

    struct ifd_hwpt_alloc s2;
    memset(&s2, 0, sizeof(s2));
    s2.size = sizeof(s2);
    s2.flags = IFD_HWPT_ALLOC_NEST_PARENT;
    s2.dev_id = d->dev_id;
    s2.pt_id = f->ioas;
    s2.data_type = IFD_HWPT_DATA_NONE;
    if (xioctl(f, f->fd, IFD_HWPT_ALLOC, &s2, "IOMMU_HWPT_ALLOC (nest parent)") != 0)
        return VSMMU_EBACKEND;
    f->s2_hwpt = s2.out_hwpt_id;
    if (attach(f, d, f->s2_hwpt) != 0)
        return VSMMU_EBACKEND;

    struct ifd_viommu_alloc va = { .size = sizeof(va), .flags = 0,
                                   .type = IFD_VIOMMU_TYPE_ARM_SMMUV3, .dev_id = d->dev_id,
                                   .hwpt_id = f->s2_hwpt };
    if (xioctl(f, f->fd, IFD_VIOMMU_ALLOC, &va, "IOMMU_VIOMMU_ALLOC") != 0)
        return errno == ENOTTY || errno == EOPNOTSUPP ? VSMMU_EUNSUPPORTED : VSMMU_EBACKEND;
    f->viommu = va.out_viommu_id;

    struct ifd_veventq_alloc eq;
    memset(&eq, 0, sizeof(eq));
    eq.size = sizeof(eq);
    eq.viommu_id = f->viommu;
    eq.type = IFD_VEVENTQ_TYPE_ARM_SMMUV3;
    eq.veventq_depth = cfg->veventq_depth ? cfg->veventq_depth : 64;
    if (sys_ioctl(f, f->fd, IFD_VEVENTQ_ALLOC, &eq) == 0) {
        f->veventq = eq.out_veventq_id;
        f->evfd = (int)eq.out_veventq_fd;
    } else if (errno != ENOTTY) {
        int e = errno;
        return ifd_fail(f, VSMMU_EBACKEND, "IOMMU_VEVENTQ_ALLOC: %s", strerror(e));
    }
    /* ENOTTY (kernel < 6.15): no host events reach the guest. */

    uint64_t v[2] = { VSTE0_V | FIELD_PREP(VSTE0_CONFIG, VSTE_CFG_ABORT), 0 };
    if (hwpt_alloc_nested(f, d->dev_id, v, &f->abort_hwpt) != 0)
        return VSMMU_EBACKEND;
    v[0] = VSTE0_V | FIELD_PREP(VSTE0_CONFIG, VSTE_CFG_BYPASS);
    if (hwpt_alloc_nested(f, d->dev_id, v, &f->bypass_hwpt) != 0)
        return VSMMU_EBACKEND;
    return VSMMU_OK;
}

int vsmmu_iommufd_backend_new(const struct vsmmu_iommufd_cfg *cfg, struct vsmmu_accel_backend **out,
                              uint32_t *first_dev_id, char *err, size_t errlen)
{
    if (out)
        *out = NULL;
    if (!cfg || !out) {
        if (err && errlen)
            snprintf(err, errlen, "iommufd: configuration or out is NULL");
        return VSMMU_EINVAL;
    }
    struct ifd *f = calloc(1, sizeof(*f));
    if (!f) {
        if (err && errlen)
            snprintf(err, errlen, "iommufd: out of memory");
        return VSMMU_ENOMEM;
    }
    if (cfg->sys)
        f->sys = *cfg->sys;
    f->fd = -1;
    f->evfd = -1;
    uint32_t first = 0;
    int rc = setup(f, cfg, &first);
    if (rc != VSMMU_OK) {
        if (err && errlen)
            snprintf(err, errlen, "iommufd: %s", f->err);
        op_release(f);
        return rc;
    }
    if (first_dev_id)
        *first_dev_id = first;
    f->be.ops = &ifd_ops;
    f->be.ctx = f;
    f->be.name = "iommufd";
    *out = &f->be;
    return VSMMU_OK;
}

int vsmmu_iommufd_bind(struct vsmmu_accel_backend *be, const char *cdev_path, int fd,
                       uint32_t *dev_id)
{
    if (!be || be->ops != &ifd_ops || !dev_id)
        return VSMMU_EINVAL;
    struct ifd *f = be->ctx;
    int rc = bind_dev(f, cdev_path, fd, dev_id);
    if (rc)
        return rc;
    struct ifd_dev *d = &f->dev[f->ndev - 1];
    if (attach(f, d, f->s2_hwpt) != 0)
        return VSMMU_EBACKEND;
    return VSMMU_OK;
}

int vsmmu_iommufd_event_fd(const struct vsmmu_accel_backend *be)
{
    if (!be || be->ops != &ifd_ops)
        return -1;
    return ((const struct ifd *)be->ctx)->evfd;
}
