/* SPDX-License-Identifier: MIT */
/* The iommufd backend against a fake kernel behind the injectable system
 * call layer: every struct it sends is checked against the uAPI
 * (iommufd-uapi layouts; values derived from the call sequence a nested
 * SMMUv3 needs), and the kernel's answers, errors and quirks are played. */
#include <errno.h>
#include <fcntl.h>
#include "test.h"
#include "internal.h"
#include "vsmmu/accel.h"
#include "accel/iommufd_uapi.h"
#include "accel/nested.h"
#include "mem.h"
#include "drv.h"
#include "cmd.h"
#include "stecd.h"

#define FK_IOMMUFD 10
#define FK_CDEV0   20
#define FK_EVFD    30
#define FK_LOG     256

struct fk_call {
    int fd;
    unsigned long req;
    uint8_t arg[64];
    uint64_t data[4];          /* nested vSTE / hw_info target snapshot */
};

struct fk {
    struct fk_call log[FK_LOG];
    unsigned nlog;
    int open_fds;
    int fail_open_errno;       /* for /dev/iommu */
    unsigned long fail_req;
    int fail_errno;
    uint32_t next_id;
    uint32_t hw_type;
    /* invalidate model */
    uint32_t viommu;
    uint64_t issued[512][2];
    unsigned nissued;
    uint32_t vsids[8];
    unsigned nvsid;
    unsigned inv_calls;
    /* vEVENTQ bytes to hand out */
    uint8_t ev[512];
    size_t nev;
    unsigned destroyed;
};

static struct fk K;

static int fk_open(void *o, const char *path, int flags)
{
    (void)o;
    CHECK(flags & O_RDWR);
    if (strcmp(path, "/dev/iommu") == 0) {
        if (K.fail_open_errno) {
            errno = K.fail_open_errno;
            return -1;
        }
        K.open_fds++;
        return FK_IOMMUFD;
    }
    if (strncmp(path, "/dev/vfio/devices/vfio", 22) == 0) {
        K.open_fds++;
        return FK_CDEV0 + atoi(path + 22);
    }
    errno = ENOENT;
    return -1;
}

static int fk_close(void *o, int fd)
{
    (void)o;
    K.open_fds--;
    return 0;
}

/* The SMMUv3 command conversion (arm_vsmmu_convert_user_cmd) in chunks of
 * 63: a bad entry fails the call before its chunk is issued. */
static int fk_invalidate(struct ifd_hwpt_invalidate *inv)
{
    K.inv_calls++;
    const uint64_t (*cmd)[2] = (const uint64_t (*)[2])(uintptr_t)inv->data_uptr;
    uint32_t n = inv->entry_num, chunk = 0;
    for (uint32_t i = 0; i < n; i++) {
        unsigned op = cmd[i][0] & 0xff;
        bool ok = op == 0x10 || op == 0x11 || op == 0x12 || op == 0x13 || op == 0x30;
        if (op == 0x05 || op == 0x06 || op == 0x40) {
            uint32_t sid = (uint32_t)(cmd[i][0] >> 32);
            for (unsigned v = 0; v < K.nvsid; v++)
                ok |= K.vsids[v] == sid;
        }
        if (!ok) {
            inv->entry_num = i;
            errno = EIO;
            return -1;
        }
        if (i + 1 - chunk == 63 || i + 1 == n) {
            for (uint32_t c = chunk; c <= i; c++) {
                K.issued[K.nissued][0] = cmd[c][0];
                K.issued[K.nissued][1] = cmd[c][1];
                K.nissued++;
            }
            chunk = i + 1;
        }
    }
    return 0;
}

static int fk_ioctl(void *o, int fd, unsigned long req, void *arg)
{
    (void)o;
    if (K.nlog < FK_LOG) {
        struct fk_call *c = &K.log[K.nlog++];
        c->fd = fd;
        c->req = req;
        memcpy(c->arg, arg, req == IFD_VFIO_ATTACH_PT ? 12 : req == IFD_VFIO_DETACH_PT ? 8 :
               req == IFD_DESTROY ? 8 : req == IFD_IOAS_ALLOC ? 12 : req == IFD_VFIO_BIND_IOMMUFD ?
               16 : req == IFD_VIOMMU_ALLOC || req == IFD_VDEVICE_ALLOC ? 24 :
               req == IFD_HWPT_INVALIDATE || req == IFD_VEVENTQ_ALLOC ? 32 :
               req == IFD_HWPT_ALLOC ? 48 : 40);
        if (req == IFD_HWPT_ALLOC) {
            struct ifd_hwpt_alloc *a = arg;
            if (a->data_len == 16)
                memcpy(c->data, (void *)(uintptr_t)a->data_uptr, 16);
        }
    }
    if (req == K.fail_req) {
        errno = K.fail_errno;
        if (req == IFD_HWPT_INVALIDATE)
            ((struct ifd_hwpt_invalidate *)arg)->entry_num = 0;
        return -1;
    }
    switch (req) {
    case IFD_VFIO_BIND_IOMMUFD: ((struct ifd_vfio_bind *)arg)->out_devid = 100 + (uint32_t)(fd - FK_CDEV0); return 0;
    case IFD_IOAS_ALLOC: ((struct ifd_ioas_alloc *)arg)->out_ioas_id = ++K.next_id; return 0;
    case IFD_IOAS_MAP: return 0;
    case IFD_GET_HW_INFO: {
        struct ifd_hw_info *h = arg;
        struct ifd_hw_info_arm_smmuv3 *d = (void *)(uintptr_t)h->data_uptr;
        /* QEMU's nested SMMUv3 as the e2e guest reports it */
        d->idr[0] = 0x0d44101b; d->idr[1] = 0x02730010; d->idr[3] = 0x1414; d->idr[5] = 0x74;
        d->iidr = 0x1234; d->aidr = 0x1;
        h->out_data_type = K.hw_type;
        return 0;
    }
    case IFD_HWPT_ALLOC: {
        struct ifd_hwpt_alloc *a = arg;
        if (a->data_len == 16) {
            const uint64_t *ste = (const uint64_t *)(uintptr_t)a->data_uptr;
            /* arm_smmu_validate_vste */
            if ((ste[0] & 1) && ((ste[0] & ~VSTE0_ALLOWED) || (ste[1] & ~VSTE1_ALLOWED) ||
                                 !(((ste[0] >> 1) & 7) == 0 || ((ste[0] >> 1) & 7) == 4 ||
                                   ((ste[0] >> 1) & 7) == 5))) {
                errno = EIO;
                return -1;
            }
        }
        a->out_hwpt_id = ++K.next_id;
        return 0;
    }
    case IFD_VFIO_ATTACH_PT: return 0;
    case IFD_VFIO_DETACH_PT: return 0;
    case IFD_VIOMMU_ALLOC: K.viommu = ((struct ifd_viommu_alloc *)arg)->out_viommu_id = ++K.next_id; return 0;
    case IFD_VDEVICE_ALLOC: {
        struct ifd_vdevice_alloc *v = arg;
        K.vsids[K.nvsid++] = (uint32_t)v->virt_id;
        v->out_vdevice_id = ++K.next_id;
        return 0;
    }
    case IFD_VEVENTQ_ALLOC: {
        struct ifd_veventq_alloc *e = arg;
        e->out_veventq_id = ++K.next_id;
        e->out_veventq_fd = FK_EVFD;
        K.open_fds++;
        return 0;
    }
    case IFD_HWPT_INVALIDATE: return fk_invalidate(arg);
    case IFD_DESTROY: K.destroyed++; return 0;
    default: errno = ENOTTY; return -1;
    }
}

static long fk_read(void *o, int fd, void *buf, size_t len)
{
    (void)o;
    CHECK_EQ(fd, FK_EVFD);
    size_t n = K.nev < len ? K.nev : len;
    memcpy(buf, K.ev, n);
    memmove(K.ev, K.ev + n, K.nev - n);
    K.nev -= n;
    return (long)n;
}

static const struct vsmmu_iommufd_sys fk_sys = {
    .open = fk_open, .close = fk_close, .ioctl = fk_ioctl, .read = fk_read,
};

static uint8_t guest_ram[8192];
static const struct vsmmu_iommufd_ram ram = { .gpa = 0x40000000, .len = sizeof(guest_ram),
                                              .host = guest_ram };

static void fk_reset(void)
{
    memset(&K, 0, sizeof(K));
    K.hw_type = IFD_HW_INFO_TYPE_ARM_SMMUV3;
}

static struct vsmmu_accel_backend *mk(uint32_t *dev_id)
{
    struct vsmmu_iommufd_cfg c = { .vfio_cdev = "/dev/vfio/devices/vfio0", .vfio_fd = -1,
                                   .ram = &ram, .nram = 1, .sys = &fk_sys };
    struct vsmmu_accel_backend *be = NULL;
    char err[256] = "";
    int rc = vsmmu_iommufd_backend_new(&c, &be, dev_id, err, sizeof(err));
    CHECK_MSG(rc == VSMMU_OK, "backend_new: %d %s", rc, err);
    return be;
}

static const struct fk_call *find_call(unsigned long req, unsigned nth)
{
    for (unsigned i = 0; i < K.nlog; i++)
        if (K.log[i].req == req && nth-- == 0)
            return &K.log[i];
    return NULL;
}

/* The set-up sequence of iommufd-uapi.md section 4, struct by struct. */
static void test_setup_sequence(void)
{
    fk_reset();
    uint32_t dev = 0;
    struct vsmmu_accel_backend *be = mk(&dev);
    REQUIRE(be);
    CHECK_EQ(dev, 100);
    static const unsigned long order[] = {
        IFD_VFIO_BIND_IOMMUFD, IFD_IOAS_ALLOC, IFD_IOAS_MAP, IFD_GET_HW_INFO, IFD_HWPT_ALLOC,
        IFD_VFIO_ATTACH_PT, IFD_VIOMMU_ALLOC, IFD_VEVENTQ_ALLOC, IFD_HWPT_ALLOC, IFD_HWPT_ALLOC,
    };
    REQUIRE(K.nlog == sizeof(order) / sizeof(order[0]));
    for (unsigned i = 0; i < K.nlog; i++)
        CHECK_EQ(K.log[i].req, order[i]);
    /* ioctl numbers: _IO(';', 0x80 + n) */
    CHECK_EQ(IFD_VIOMMU_ALLOC, 0x3B90);
    CHECK_EQ(IFD_VFIO_BIND_IOMMUFD, 0x3B76);

    struct ifd_vfio_bind b;
    memcpy(&b, K.log[0].arg, sizeof(b));
    CHECK_EQ(K.log[0].fd, FK_CDEV0);
    CHECK_EQ(b.argsz, 16);
    CHECK_EQ(b.flags, 0);
    CHECK_EQ(b.iommufd, FK_IOMMUFD);

    struct ifd_ioas_alloc ia;
    memcpy(&ia, K.log[1].arg, sizeof(ia));
    CHECK_EQ(ia.size, 12);
    CHECK_EQ(ia.flags, 0);
    uint32_t ioas = 1;

    struct ifd_ioas_map m;
    memcpy(&m, K.log[2].arg, sizeof(m));
    CHECK_EQ(m.size, 40);
    CHECK_EQ(m.flags, 1 | 2 | 4);    /* FIXED_IOVA | WRITEABLE | READABLE */
    CHECK_EQ(m.ioas_id, ioas);
    CHECK_EQ(m.reserved, 0);
    CHECK_EQ(m.user_va, (uintptr_t)guest_ram);
    CHECK_EQ(m.length, sizeof(guest_ram));
    CHECK_EQ(m.iova, 0x40000000);    /* IOVA = guest PA */

    struct ifd_hw_info hi;
    memcpy(&hi, K.log[3].arg, sizeof(hi));
    CHECK_EQ(hi.size, 40);
    CHECK_EQ(hi.flags, 0);
    CHECK_EQ(hi.dev_id, 100);
    CHECK_EQ(hi.data_len, 40);

    struct ifd_hwpt_alloc s2;
    memcpy(&s2, K.log[4].arg, sizeof(s2));
    CHECK_EQ(s2.size, 48);
    CHECK_EQ(s2.flags, 1);           /* exactly NEST_PARENT */
    CHECK_EQ(s2.dev_id, 100);
    CHECK_EQ(s2.pt_id, ioas);
    CHECK_EQ(s2.data_type, 0);
    CHECK_EQ(s2.data_len, 0);
    CHECK_EQ(s2.reserved, 0);
    uint32_t s2id = 2;

    struct ifd_vfio_attach at;
    memcpy(&at, K.log[5].arg, sizeof(at));
    CHECK_EQ(at.argsz, 12);
    CHECK_EQ(at.pt_id, s2id);
    CHECK_EQ(K.log[5].fd, FK_CDEV0);

    struct ifd_viommu_alloc va;
    memcpy(&va, K.log[6].arg, sizeof(va));
    CHECK_EQ(va.size, 24);
    CHECK_EQ(va.flags, 0);
    CHECK_EQ(va.type, 1);            /* ARM_SMMUV3 */
    CHECK_EQ(va.dev_id, 100);
    CHECK_EQ(va.hwpt_id, s2id);
    uint32_t viommu = 3;

    struct ifd_veventq_alloc eq;
    memcpy(&eq, K.log[7].arg, sizeof(eq));
    CHECK_EQ(eq.size, 32);
    CHECK_EQ(eq.flags, 0);
    CHECK_EQ(eq.viommu_id, viommu);
    CHECK_EQ(eq.type, 1);
    CHECK_EQ(eq.veventq_depth, 64);
    CHECK_EQ(eq.reserved, 0);
    CHECK_EQ(vsmmu_iommufd_event_fd(be), FK_EVFD);

    /* abort vSTE {V=1, Config=0} and bypass {V=1, Config=0b100} */
    for (int i = 0; i < 2; i++) {
        struct ifd_hwpt_alloc n;
        memcpy(&n, K.log[8 + i].arg, sizeof(n));
        CHECK_EQ(n.flags, 0);
        CHECK_EQ(n.pt_id, viommu);
        CHECK_EQ(n.dev_id, 100);
        CHECK_EQ(n.data_type, 2);
        CHECK_EQ(n.data_len, 16);
        CHECK_EQ(K.log[8 + i].data[0], i == 0 ? 0x1 : 0x9);
        CHECK_EQ(K.log[8 + i].data[1], 0);
    }

    struct vsmmu_accel_hw_info hw;
    CHECK_EQ(be->ops->hw_info(be->ctx, &hw), VSMMU_OK);
    CHECK_EQ(hw.idr[0], 0x0d44101b);
    CHECK_EQ(hw.idr[5], 0x74);
    CHECK_EQ(hw.iidr, 0x1234);

    unsigned before = K.nlog;
    be->ops->release(be->ctx);
    CHECK_EQ(K.open_fds, 0);        /* /dev/iommu, cdev, vEVENTQ fd closed */
    /* Teardown in reverse dependency order (iommufd-uapi.md 4, step 14):
     * nested HWPTs (abort 5, bypass 6), vEVENTQ 4, vIOMMU 3, detach, the S2
     * parent 2, the IOAS 1 */
    CHECK_EQ(K.destroyed, 6);
    static const uint32_t ids[] = { 5, 6, 4, 3, 0 /* detach */, 2, 1 };
    REQUIRE(K.nlog == before + 7);
    for (unsigned i = 0; i < 7; i++) {
        const struct fk_call *c = &K.log[before + i];
        if (ids[i] == 0) {
            CHECK_EQ(c->req, IFD_VFIO_DETACH_PT);
            struct ifd_vfio_detach dt;
            memcpy(&dt, c->arg, sizeof(dt));
            CHECK_EQ(dt.argsz, 8);
            CHECK_EQ(dt.flags, 0);
            CHECK_EQ(c->fd, FK_CDEV0);
            continue;
        }
        CHECK_EQ(c->req, IFD_DESTROY);
        struct ifd_destroy d;
        memcpy(&d, c->arg, sizeof(d));
        CHECK_EQ(d.size, 8);
        CHECK_EQ(d.id, ids[i]);
    }
}

/* vDEVICE with the guest StreamID; vSTE install, replace, illegal. */
static void test_devices_and_ste(void)
{
    fk_reset();
    uint32_t dev = 0;
    struct vsmmu_accel_backend *be = mk(&dev);
    REQUIRE(be);
    unsigned base = K.nlog;
    CHECK_EQ(be->ops->add_device(be->ctx, 0x18, dev), VSMMU_OK);
    const struct fk_call *c = find_call(IFD_VDEVICE_ALLOC, 0);
    REQUIRE(c);
    struct ifd_vdevice_alloc v;
    memcpy(&v, c->arg, sizeof(v));
    CHECK_EQ(v.size, 24);
    CHECK_EQ(v.viommu_id, 3);
    CHECK_EQ(v.dev_id, 100);
    CHECK_EQ(v.virt_id, 0x18);
    /* unknown dev_id */
    CHECK(be->ops->add_device(be->ctx, 0x19, 999) != VSMMU_OK);

    /* S1 vSTE: V | Config=5 | S1ContextPtr 0x40001000, S1CIR/COR/CSH */
    uint64_t ste[2] = { 1 | (5u << 1) | 0x40001000ull, (1u << 2) | (1u << 4) | (3u << 6) };
    base = K.nlog;
    CHECK_EQ(be->ops->install_ste(be->ctx, 0x18, ste), VSMMU_OK);
    REQUIRE(K.nlog == base + 2);
    CHECK_EQ(K.log[base].req, IFD_HWPT_ALLOC);
    CHECK_EQ(K.log[base].data[0], ste[0]);
    CHECK_EQ(K.log[base].data[1], ste[1]);
    struct ifd_hwpt_alloc n;
    memcpy(&n, K.log[base].arg, sizeof(n));
    CHECK_EQ(n.pt_id, 3);
    CHECK_EQ(n.data_type, 2);
    CHECK_EQ(K.log[base + 1].req, IFD_VFIO_ATTACH_PT);
    struct ifd_vfio_attach at;
    memcpy(&at, K.log[base + 1].arg, sizeof(at));
    uint32_t first = at.pt_id;
    CHECK(first > 6);

    /* Replace: new HWPT, attach (atomic replace), destroy the old one. */
    ste[0] = 1 | (5u << 1) | 0x40002000ull;
    base = K.nlog;
    CHECK_EQ(be->ops->install_ste(be->ctx, 0x18, ste), VSMMU_OK);
    REQUIRE(K.nlog == base + 3);
    CHECK_EQ(K.log[base + 2].req, IFD_DESTROY);
    struct ifd_destroy d;
    memcpy(&d, K.log[base + 2].arg, sizeof(d));
    CHECK_EQ(d.size, 8);
    CHECK_EQ(d.id, first);

    /* Abort and bypass use the shared HWPTs: attach only. */
    uint64_t ab[2] = { 1, 0 };
    base = K.nlog;
    CHECK_EQ(be->ops->install_ste(be->ctx, 0x18, ab), VSMMU_OK);
    CHECK_EQ(K.log[base].req, IFD_VFIO_ATTACH_PT);
    memcpy(&at, K.log[base].arg, sizeof(at));
    CHECK_EQ(at.pt_id, 5);          /* the abort HWPT (ids: ioas 1, s2 2, viommu 3, veventq 4) */

    /* Config=S2 is refused by the host with EIO: VSMMU_EINVAL (illegal). */
    uint64_t bad[2] = { 1 | (6u << 1), 0 };
    base = K.nlog;
    CHECK_EQ(be->ops->install_ste(be->ctx, 0x18, bad), VSMMU_EINVAL);
    CHECK(strstr(be->ops->last_error(be->ctx), "IOMMU_HWPT_ALLOC") != NULL);
    CHECK_EQ(K.nlog, base + 1);     /* no attach after the refusal */
    /* unknown vSID */
    CHECK_EQ(be->ops->install_ste(be->ctx, 0x55, ab), VSMMU_ENOENT);
    be->ops->release(be->ctx);
    CHECK_EQ(K.open_fds, 0);
}

static void test_invalidate_batch(void)
{
    fk_reset();
    uint32_t dev = 0;
    struct vsmmu_accel_backend *be = mk(&dev);
    REQUIRE(be);
    CHECK_EQ(be->ops->add_device(be->ctx, 0x18, dev), VSMMU_OK);
    uint64_t cmd[100][2];
    for (int i = 0; i < 100; i++) {
        cmd[i][0] = 0x12 | ((uint64_t)i << 12);   /* TLBI_NH_VA, ASID varies */
        cmd[i][1] = 0x1000ull * (uint64_t)i;
    }
    cmd[5][0] = 0x05 | (0x18ull << 32);             /* CFGI_CD with the vSID */
    uint32_t done = 0;
    unsigned base = K.nlog;
    CHECK_EQ(be->ops->invalidate(be->ctx, (const uint64_t (*)[2])cmd, 100, &done), VSMMU_OK);
    CHECK_EQ(done, 100);
    CHECK_EQ(K.inv_calls, 1);
    REQUIRE(K.nlog == base + 1);
    struct ifd_hwpt_invalidate inv;
    memcpy(&inv, K.log[base].arg, sizeof(inv));
    CHECK_EQ(inv.size, 32);
    CHECK_EQ(inv.hwpt_id, 3);        /* the vIOMMU */
    CHECK_EQ(inv.data_type, 1);      /* IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3 */
    CHECK_EQ(inv.entry_len, 16);
    CHECK_EQ(inv.entry_num, 100);
    CHECK_EQ(inv.reserved, 0);
    CHECK_EQ(K.nissued, 100);
    CHECK_EQ(K.issued[5][0], cmd[5][0]);
    CHECK_EQ(K.issued[99][1], cmd[99][1]);

    /* Entry 70 is rejected (CFGI_STE is never forwardable): the kernel
     * converted 63..69 without issuing them; the backend issues them again
     * so that exactly [0, 70) was executed. */
    K.nissued = 0;
    K.inv_calls = 0;
    cmd[70][0] = 0x03 | (0x18ull << 32);
    CHECK(be->ops->invalidate(be->ctx, (const uint64_t (*)[2])cmd, 100, &done) != VSMMU_OK);
    CHECK_EQ(done, 70);
    CHECK_EQ(K.inv_calls, 2);
    CHECK_EQ(K.nissued, 70);
    for (unsigned i = 0; i < K.nissued && i < 70; i++)
        CHECK_EQ(K.issued[i][0], cmd[i][0]);

    /* A failure the kernel reports past the end (garbage) means nothing is
     * known to have run: done = 0. */
    K.fail_req = IFD_HWPT_INVALIDATE;
    K.fail_errno = EINVAL;
    CHECK(be->ops->invalidate(be->ctx, (const uint64_t (*)[2])cmd, 3, &done) != VSMMU_OK);
    CHECK_EQ(done, 0);
    be->ops->release(be->ctx);
}

static size_t put_rec(size_t off, uint32_t flags, uint32_t seq, const uint64_t *evt)
{
    struct ifd_vevent_header h = { .flags = flags, .sequence = seq };
    memcpy(K.ev + off, &h, sizeof(h));
    off += sizeof(h);
    if (evt) {
        memcpy(K.ev + off, evt, 32);
        off += 32;
    }
    return off;
}

static void test_events(void)
{
    fk_reset();
    uint32_t dev = 0;
    struct vsmmu_accel_backend *be = mk(&dev);
    REQUIRE(be);
    uint64_t e1[4] = { 0x10 | (0x18ull << 32), 0, 0x1234000, 0 };
    uint64_t e2[4] = { 0x13 | (0x18ull << 32), 1, 0x5678000, 0 };
    size_t off = put_rec(0, 0, 0, e1);
    off = put_rec(off, 0, 1, e2);
    K.nev = off;
    uint64_t rec[8][4];
    uint32_t n = 0;
    bool lost = true;
    CHECK_EQ(be->ops->read_events(be->ctx, rec, 8, &n, &lost), VSMMU_OK);
    CHECK_EQ(n, 2);
    CHECK(!lost);
    CHECK_EQ(rec[0][0], e1[0]);
    CHECK_EQ(rec[0][2], e1[2]);
    CHECK_EQ(rec[1][0], e2[0]);

    /* LOST_EVENTS header (no payload) takes sequence 2 */
    off = put_rec(0, 1, 2, NULL);
    off = put_rec(off, 0, 3, e1);
    K.nev = off;
    CHECK_EQ(be->ops->read_events(be->ctx, rec, 8, &n, &lost), VSMMU_OK);
    CHECK_EQ(n, 1);
    CHECK(lost);

    /* a sequence gap (3 -> 6) is loss too */
    K.nev = put_rec(0, 0, 6, e1);
    CHECK_EQ(be->ops->read_events(be->ctx, rec, 8, &n, &lost), VSMMU_OK);
    CHECK_EQ(n, 1);
    CHECK(lost);

    /* empty queue: read returns 0 */
    CHECK_EQ(be->ops->read_events(be->ctx, rec, 8, &n, &lost), VSMMU_OK);
    CHECK_EQ(n, 0);
    CHECK(!lost);

    /* truncated record: an error, and treated as loss */
    off = put_rec(0, 0, 7, e1);
    K.nev = off - 5;
    CHECK(be->ops->read_events(be->ctx, rec, 8, &n, &lost) != VSMMU_OK);
    CHECK(lost);
    be->ops->release(be->ctx);
}

static void test_errors(void)
{
    struct vsmmu_iommufd_cfg c = { .vfio_cdev = "/dev/vfio/devices/vfio0", .vfio_fd = -1,
                                   .ram = &ram, .nram = 1, .sys = &fk_sys };
    struct vsmmu_accel_backend *be = NULL;
    char err[256];

    fk_reset();
    K.fail_open_errno = ENOENT;
    CHECK_EQ(vsmmu_iommufd_backend_new(&c, &be, NULL, err, sizeof(err)), VSMMU_EUNSUPPORTED);
    CHECK(be == NULL);
    CHECK_MSG(strstr(err, "/dev/iommu") != NULL, "%s", err);
    CHECK_EQ(K.open_fds, 0);

    fk_reset();
    c.vfio_cdev = "/dev/vfio/nothing";
    CHECK(vsmmu_iommufd_backend_new(&c, &be, NULL, err, sizeof(err)) != VSMMU_OK);
    CHECK_MSG(strstr(err, "/dev/vfio/nothing") != NULL, "%s", err);
    CHECK_EQ(K.open_fds, 0);
    c.vfio_cdev = "/dev/vfio/devices/vfio0";

    /* kernel without vIOMMU (< 6.13) */
    fk_reset();
    K.fail_req = IFD_VIOMMU_ALLOC;
    K.fail_errno = ENOTTY;
    CHECK_EQ(vsmmu_iommufd_backend_new(&c, &be, NULL, err, sizeof(err)), VSMMU_EUNSUPPORTED);
    CHECK_MSG(strstr(err, "IOMMU_VIOMMU_ALLOC") && strstr(err, "6.13"), "%s", err);
    CHECK_EQ(K.open_fds, 0);
    CHECK_EQ(K.destroyed, 2);       /* S2 HWPT and IOAS */

    /* host that cannot nest */
    fk_reset();
    K.fail_req = IFD_VIOMMU_ALLOC;
    K.fail_errno = EOPNOTSUPP;
    CHECK_EQ(vsmmu_iommufd_backend_new(&c, &be, NULL, err, sizeof(err)), VSMMU_EUNSUPPORTED);
    CHECK_MSG(strstr(err, "CANWBS") != NULL, "%s", err);

    /* not an SMMUv3 */
    fk_reset();
    K.hw_type = 1;
    CHECK_EQ(vsmmu_iommufd_backend_new(&c, &be, NULL, err, sizeof(err)), VSMMU_EUNSUPPORTED);
    CHECK_MSG(strstr(err, "not an SMMUv3") != NULL, "%s", err);
    CHECK_EQ(K.open_fds, 0);

    /* no vEVENTQ (< 6.15): works, without events */
    fk_reset();
    K.fail_req = IFD_VEVENTQ_ALLOC;
    K.fail_errno = ENOTTY;
    CHECK_EQ(vsmmu_iommufd_backend_new(&c, &be, NULL, err, sizeof(err)), VSMMU_OK);
    REQUIRE(be);
    CHECK_EQ(vsmmu_iommufd_event_fd(be), -1);
    uint64_t rec[2][4];
    uint32_t n = 5;
    bool lost = true;
    CHECK_EQ(be->ops->read_events(be->ctx, rec, 2, &n, &lost), VSMMU_OK);
    CHECK_EQ(n, 0);
    be->ops->release(be->ctx);
    CHECK_EQ(K.open_fds, 0);

    /* a second device: bind + attach to the S2 parent */
    fk_reset();
    uint32_t d0 = 0, d1 = 0;
    be = mk(&d0);
    REQUIRE(be);
    CHECK_EQ(vsmmu_iommufd_bind(be, "/dev/vfio/devices/vfio1", -1, &d1), VSMMU_OK);
    CHECK_EQ(d1, 101);
    const struct fk_call *at = find_call(IFD_VFIO_ATTACH_PT, 1);
    REQUIRE(at);
    CHECK_EQ(at->fd, FK_CDEV0 + 1);
    be->ops->release(be->ctx);
    CHECK_EQ(K.open_fds, 0);
}

static uint32_t cerr_rd[4];
static unsigned ncerr;
static void g_trace(void *o, const struct vsmmu_trace_rec *r)
{
    if (r->kind == VSMMU_TR_CERROR && ncerr < 4)
        cerr_rd[ncerr++] = (uint32_t)r->a0;
}

/* The whole VMM path without a kernel: guest driver -> vSMMU -> front-end
 * -> iommufd backend -> (fake) kernel, and back for events. */
static void test_full_stack(void)
{
    fk_reset();
    uint32_t dev = 0;
    struct vsmmu_accel_backend *be = mk(&dev);
    REQUIRE(be);
    struct kit_mem *gm = kit_mem_new();
    kit_mem_add(gm, 0x40000000, 1 << 20);
    struct vsmmu_host_ops ops;
    kit_mem_ops(gm, &ops, false);
    struct vsmmu_config cfg;
    vsmmu_config_profile(&cfg, "qemu-v3.1");
    struct vsmmu *s = NULL;
    char err[200];
    REQUIRE(vsmmu_create(&cfg, &ops, &s, err, sizeof(err)) == VSMMU_OK);
    CHECK_EQ(vsmmu_accel_add_backend(s, be), 0);
    struct vsmmu_accel_dev d = { .kind = VSMMU_ACCEL_DEV_PASSTHROUGH, .vsid = 8, .backend = 0,
                                 .host_id = dev, .name = "vfio0" };
    unsigned base = K.nlog;
    CHECK_EQ(vsmmu_accel_attach(s, &d), VSMMU_OK);
    /* vDEVICE(vSID 8), then GBPA (qemu-v3.1: bypass) -> the bypass HWPT (6) */
    REQUIRE(K.nlog >= base + 2);
    CHECK_EQ(K.log[base].req, IFD_VDEVICE_ALLOC);
    CHECK_EQ(K.log[base + 1].req, IFD_VFIO_ATTACH_PT);
    CHECK_EQ(((struct ifd_vfio_attach *)K.log[base + 1].arg)->pt_id, 6);
    vsmmu_set_trace(s, g_trace, NULL);
    ncerr = 0;

    struct kit_drv drv;
    REQUIRE(kit_drv_probe(&drv, s, gm) == 0);
    struct kit_drv_opts o;
    kit_drv_default_opts(&o);
    REQUIRE(kit_drv_reset(&drv, &o) == 0);
    /* SMMUEN=1 with the driver's abort STE: the abort HWPT (5) */
    const struct fk_call *last = &K.log[K.nlog - 1];
    CHECK_EQ(last->req, IFD_VFIO_ATTACH_PT);
    CHECK_EQ(((const struct ifd_vfio_attach *)last->arg)->pt_id, 5);

    struct kit_ste f;
    kit_ste_s1(&f, 0x40080000);
    f.s1cir = f.s1cor = 1;
    f.s1csh = 3;
    f.strw = 0;
    uint64_t ste[8];
    kit_ste_encode(&f, ste);
    ste[1] |= 0xfull << 32;           /* MemAttr (an override the host does not take) */
    base = K.nlog;
    CHECK_EQ(kit_drv_install_ste(&drv, 8, ste), 0);
    const struct fk_call *h = find_call(IFD_HWPT_ALLOC, 3);   /* after S2, abort, bypass */
    REQUIRE(h);
    /* canonical vSTE: V | Config 0b101 | S1ContextPtr; S1CIR/COR WBRA, S1CSH IS */
    CHECK_EQ(h->data[0], 1 | (5u << 1) | 0x40080000ull);
    CHECK_EQ(h->data[1], (1u << 2) | (1u << 4) | (3u << 6));

    /* 10 TLBIs + CFGI_CD + CMD_SYNC: one HWPT_INVALIDATE of 11 entries */
    uint64_t c[11][2];
    for (int i = 0; i < 10; i++)
        kit_cmd_tlbi_nh_asid(c[i], 0, (uint16_t)(i + 1));
    kit_cmd_cfgi_cd(c[10], 8, 0, true);
    K.inv_calls = 0;
    CHECK_EQ(kit_drv_submit(&drv, (const uint64_t (*)[2])c, 11, true), 0);
    CHECK_EQ(K.inv_calls, 1);
    const struct fk_call *iv = NULL;
    for (unsigned i = 0; i < K.nlog; i++)
        if (K.log[i].req == IFD_HWPT_INVALIDATE)
            iv = &K.log[i];
    REQUIRE(iv);
    CHECK_EQ(((const struct ifd_hwpt_invalidate *)iv->arg)->entry_num, 11);

    /* the kernel refuses entry 3 (it does not know vSID 9: the fake was
     * told only about 8; the front-end believes 9 is a device) */
    struct vsmmu_accel_dev d9 = { .kind = VSMMU_ACCEL_DEV_PASSTHROUGH, .vsid = 9, .backend = 0,
                                  .host_id = dev, .name = "ghost" };
    CHECK(vsmmu_accel_attach(s, &d9) != VSMMU_OK);   /* dev_id already has a vSID */
    K.vsids[0] = 0x77;                                /* the kernel forgets vSID 8 */
    uint32_t cons0 = kit_drv_r32(&drv, SMMU_CMDQ_CONS);
    kit_cmd_cfgi_cd(c[3], 8, 0, true);
    int rc = kit_drv_submit(&drv, (const uint64_t (*)[2])c, 5, true);
    CHECK_EQ(rc, CERROR_ILL);
    REQUIRE(ncerr == 1);
    unsigned qmask = (1u << drv.cmdq_log2) - 1;
    CHECK_EQ(cerr_rd[0] & qmask, (cons0 + 3) & qmask);
    K.vsids[0] = 8;

    /* host events: one fault for vSID 8, then a LOST_EVENTS header */
    uint64_t e1[4] = { 0x10 | (8ull << 32), 0, 0x5000, 0 };
    size_t off = put_rec(0, 0, 0, e1);
    off = put_rec(off, 1, 1, NULL);
    K.nev = off;
    CHECK_EQ(vsmmu_accel_poll(s), 1);
    uint64_t rec[4];
    REQUIRE(kit_drv_event(&drv, rec) == 1);
    CHECK_EQ(rec[0], e1[0]);
    CHECK_EQ(rec[2], 0x5000);
    CHECK_EQ(drv.evtq_overflows, 1);   /* host loss -> guest EVENTQ overflow */

    vsmmu_destroy(s);                  /* releases the backend */
    CHECK_EQ(K.open_fds, 0);
    kit_mem_free(gm);
}

/* Real system: /dev/iommu absent gives a clean error, never a crash. */
static void test_real_absent(void)
{
    struct vsmmu_iommufd_cfg c = { .iommu_path = "/nonexistent/iommu",
                                   .vfio_cdev = "/dev/vfio/devices/vfio0", .vfio_fd = -1 };
    struct vsmmu_accel_backend *be = NULL;
    char err[256] = "";
    CHECK_EQ(vsmmu_iommufd_backend_new(&c, &be, NULL, err, sizeof(err)), VSMMU_EUNSUPPORTED);
    CHECK(be == NULL);
    CHECK_MSG(strstr(err, "/nonexistent/iommu") != NULL, "%s", err);
}

int main(void)
{
    RUN(test_setup_sequence);
    RUN(test_devices_and_ste);
    RUN(test_invalidate_batch);
    RUN(test_events);
    RUN(test_errors);
    RUN(test_real_absent);
    RUN(test_full_stack);
    return t_done();
}
