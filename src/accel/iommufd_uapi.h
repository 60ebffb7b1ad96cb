/* SPDX-License-Identifier: MIT */
/*
 * Our own definitions of the Linux iommufd and VFIO-cdev uAPI the iommufd
 * backend uses, so that it builds against any (or no) system header. Every
 * layout is fixed by the kernel ABI and checked below with static asserts;
 * the minimum kernel for each call is noted (docs/accel.md has the table).
 *
 * ioctl numbers: iommufd uses _IO(';', nr) with no size/direction bits, so
 * the value is 0x3B00 | nr; the VFIO cdev calls use the same type with the
 * VFIO base 100.
 */
#ifndef VSMMU_ACCEL_IOMMUFD_UAPI_H
#define VSMMU_ACCEL_IOMMUFD_UAPI_H

#include <stddef.h>
#include <stdint.h>

#define IFD_IO(nr)                 (0x3B00ul | (unsigned long)(nr))

#define IFD_DESTROY                IFD_IO(0x80)   /* 6.2 */
#define IFD_IOAS_ALLOC             IFD_IO(0x81)   /* 6.2 */
#define IFD_IOAS_MAP               IFD_IO(0x85)   /* 6.2 */
#define IFD_HWPT_ALLOC             IFD_IO(0x89)   /* 6.6; data 6.7 */
#define IFD_GET_HW_INFO            IFD_IO(0x8A)   /* 6.6; SMMUv3 type 6.13 */
#define IFD_HWPT_INVALIDATE        IFD_IO(0x8D)   /* 6.8; vIOMMU target 6.13 */
#define IFD_VIOMMU_ALLOC           IFD_IO(0x90)   /* 6.13 */
#define IFD_VDEVICE_ALLOC          IFD_IO(0x91)   /* 6.13 */
#define IFD_VEVENTQ_ALLOC          IFD_IO(0x93)   /* 6.15 */
#define IFD_VFIO_BIND_IOMMUFD      IFD_IO(100 + 18) /* 6.6 */
#define IFD_VFIO_ATTACH_PT         IFD_IO(100 + 19) /* 6.6 */
#define IFD_VFIO_DETACH_PT         IFD_IO(100 + 20) /* 6.6 */

struct ifd_destroy {
    uint32_t size;
    uint32_t id;
};

struct ifd_ioas_alloc {
    uint32_t size;
    uint32_t flags;
    uint32_t out_ioas_id;
};

#define IFD_IOAS_MAP_FIXED_IOVA    (1u << 0)
#define IFD_IOAS_MAP_WRITEABLE     (1u << 1)
#define IFD_IOAS_MAP_READABLE      (1u << 2)

struct ifd_ioas_map {
    uint32_t size;
    uint32_t flags;
    uint32_t ioas_id;
    uint32_t reserved;
    uint64_t user_va;
    uint64_t length;
    uint64_t iova;
};

#define IFD_HW_INFO_TYPE_ARM_SMMUV3 2u

struct ifd_hw_info {
    uint32_t size;
    uint32_t flags;
    uint32_t dev_id;
    uint32_t data_len;
    uint64_t data_uptr;
    uint32_t out_data_type;
    uint8_t  out_max_pasid_log2;
    uint8_t  reserved[3];
    uint64_t out_capabilities;
};

struct ifd_hw_info_arm_smmuv3 {
    uint32_t flags;
    uint32_t reserved;
    uint32_t idr[6];
    uint32_t iidr;
    uint32_t aidr;
};

#define IFD_HWPT_ALLOC_NEST_PARENT (1u << 0)
#define IFD_HWPT_DATA_NONE         0u
#define IFD_HWPT_DATA_ARM_SMMUV3   2u

struct ifd_hwpt_alloc {
    uint32_t size;
    uint32_t flags;
    uint32_t dev_id;
    uint32_t pt_id;
    uint32_t out_hwpt_id;
    uint32_t reserved;
    uint32_t data_type;
    uint32_t data_len;
    uint64_t data_uptr;
    uint32_t fault_id;
    uint32_t reserved2;
};

/* struct iommu_hwpt_arm_smmuv3: the vSTE, little-endian */
struct ifd_hwpt_arm_smmuv3 {
    uint64_t ste[2];
};

#define IFD_VIOMMU_TYPE_ARM_SMMUV3 1u

/* The 6.13 layout (24 bytes); 6.17 appended data_len/data_uptr, which a
 * 24-byte size leaves at zero on newer kernels. */
struct ifd_viommu_alloc {
    uint32_t size;
    uint32_t flags;
    uint32_t type;
    uint32_t dev_id;
    uint32_t hwpt_id;
    uint32_t out_viommu_id;
};

struct ifd_vdevice_alloc {
    uint32_t size;
    uint32_t viommu_id;
    uint32_t dev_id;
    uint32_t out_vdevice_id;
    uint64_t virt_id;
};

#define IFD_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3 1u

struct ifd_hwpt_invalidate {
    uint32_t size;
    uint32_t hwpt_id;
    uint64_t data_uptr;
    uint32_t data_type;
    uint32_t entry_len;
    uint32_t entry_num;
    uint32_t reserved;
};

#define IFD_VEVENTQ_TYPE_ARM_SMMUV3 1u

struct ifd_veventq_alloc {
    uint32_t size;
    uint32_t flags;
    uint32_t viommu_id;
    uint32_t type;
    uint32_t veventq_depth;
    uint32_t out_veventq_id;
    uint32_t out_veventq_fd;
    uint32_t reserved;
};

#define IFD_VEVENTQ_FLAG_LOST_EVENTS (1u << 0)

struct ifd_vevent_header {
    uint32_t flags;
    uint32_t sequence;
};

/* struct iommu_vevent_arm_smmuv3: the event record, little-endian */
struct ifd_vevent_arm_smmuv3 {
    uint64_t evt[4];
};

/* VFIO cdev */
struct ifd_vfio_bind {
    uint32_t argsz;
    uint32_t flags;
    int32_t  iommufd;
    uint32_t out_devid;
};

struct ifd_vfio_attach {
    uint32_t argsz;
    uint32_t flags;
    uint32_t pt_id;
};

struct ifd_vfio_detach {
    uint32_t argsz;
    uint32_t flags;
};

/* ABI layouts (iommufd.h / vfio.h) */
_Static_assert(sizeof(struct ifd_destroy) == 8, "iommu_destroy");
_Static_assert(sizeof(struct ifd_ioas_alloc) == 12, "iommu_ioas_alloc");
_Static_assert(sizeof(struct ifd_ioas_map) == 40, "iommu_ioas_map");
_Static_assert(offsetof(struct ifd_ioas_map, iova) == 32, "iommu_ioas_map.iova");
_Static_assert(sizeof(struct ifd_hw_info) == 40, "iommu_hw_info");
_Static_assert(offsetof(struct ifd_hw_info, out_capabilities) == 32, "hw_info.caps");
_Static_assert(sizeof(struct ifd_hw_info_arm_smmuv3) == 40, "iommu_hw_info_arm_smmuv3");
_Static_assert(sizeof(struct ifd_hwpt_alloc) == 48, "iommu_hwpt_alloc");
_Static_assert(offsetof(struct ifd_hwpt_alloc, data_uptr) == 32, "hwpt_alloc.data_uptr");
_Static_assert(sizeof(struct ifd_hwpt_arm_smmuv3) == 16, "iommu_hwpt_arm_smmuv3");
_Static_assert(sizeof(struct ifd_viommu_alloc) == 24, "iommu_viommu_alloc (6.13)");
_Static_assert(sizeof(struct ifd_vdevice_alloc) == 24, "iommu_vdevice_alloc");
_Static_assert(offsetof(struct ifd_vdevice_alloc, virt_id) == 16, "vdevice.virt_id");
_Static_assert(sizeof(struct ifd_hwpt_invalidate) == 32, "iommu_hwpt_invalidate");
_Static_assert(offsetof(struct ifd_hwpt_invalidate, entry_num) == 24, "invalidate.entry_num");
_Static_assert(sizeof(struct ifd_veventq_alloc) == 32, "iommu_veventq_alloc");
_Static_assert(sizeof(struct ifd_vevent_header) == 8, "iommufd_vevent_header");
_Static_assert(sizeof(struct ifd_vevent_arm_smmuv3) == 32, "iommu_vevent_arm_smmuv3");
_Static_assert(sizeof(struct ifd_vfio_bind) == 16, "vfio_device_bind_iommufd (6.6)");
_Static_assert(sizeof(struct ifd_vfio_attach) == 12, "vfio_device_attach_iommufd_pt (6.6)");
_Static_assert(sizeof(struct ifd_vfio_detach) == 8, "vfio_device_detach_iommufd_pt (6.6)");

#endif
