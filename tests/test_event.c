/* SPDX-License-Identifier: MIT */
/* Event record layout (IHI0070 7.3): each event type the model produces,
 * built from a fault and the transaction, against records composed by hand
 * from the field positions of 7.3.2-7.3.16:
 *   DW0: Type[7:0] SSV[11] SubstreamID[31:12] StreamID[63:32]
 *   DW1: STAG[15:0] Stall[31] PnU[33] InD[34] RnW[35] S2[39] CLASS[41:40]
 *        TTRnW[44]
 *   DW2: InputAddr[63:0]
 *   DW3: IPA[51:12] (translation faults, S2 = 1) / FetchAddr[51:3] */
#include "test.h"
#include "internal.h"
#include "event.h"

static const struct vsmmu_evt_txn T = {
    .sid = 0x89ABCDEF, .ssid = 0xFEDCB, .ssv = true, .addr = 0xFFFF800012345678ull,
    .pnu = true, .ind = true, .rnw = true,
};

static void build(uint64_t rec[4], uint8_t type, const struct vsmmu_evt_txn *t,
                  void (*edit)(struct vsmmu_fault *f))
{
    struct vsmmu_fault f;
    fault_set(&f, type);
    if (edit)
        edit(&f);
    vsmmu_event_build(rec, &f, t);
}

#define HDR(type) ((uint64_t)(type) | 1ull << 11 | 0xFEDCBull << 12 | 0x89ABCDEFull << 32)
#define NOSSV(type) ((uint64_t)(type) | 0x89ABCDEFull << 32)
#define ATTRS (1ull << 33 | 1ull << 34 | 1ull << 35)

static void f_fetch(struct vsmmu_fault *f) { f->fetch_addr = 0xFFF0123456789ABFull; }
static void f_s2_cd(struct vsmmu_fault *f)
{
    f->s2 = true; f->cls = EVT_CLASS_CD; f->ipa = 0xFFF0123456789ABCull;
}
static void f_s1_in(struct vsmmu_fault *f) { f->cls = EVT_CLASS_IN; f->ipa = 0x1234000; }
static void f_tt_write(struct vsmmu_fault *f)
{
    f->s2 = true; f->cls = EVT_CLASS_TT; f->ipa = 0x5000; f->ttrnw = false;
}
static void f_tt_read(struct vsmmu_fault *f)
{
    f->s2 = true; f->cls = EVT_CLASS_TT; f->ipa = 0x5000; f->ttrnw = true;
}
static void f_eabt(struct vsmmu_fault *f)
{
    f->s2 = true; f->cls = EVT_CLASS_IN; f->fetch_addr = 0x7008;
}
static void f_atomic_w(struct vsmmu_fault *f) { f->cls = EVT_CLASS_IN; f->rnw_override = true; }

static void records(void)
{
    uint64_t r[4];
    /* C_BAD_STREAMID, C_BAD_STE, C_BAD_CD: the header only */
    static const uint8_t hdr_only[] = { EVT_C_BAD_STREAMID, EVT_C_BAD_STE, EVT_C_BAD_CD };
    for (unsigned i = 0; i < 3; i++) {
        build(r, hdr_only[i], &T, NULL);
        CHECK_EQ(r[0], HDR(hdr_only[i]));
        CHECK_EQ(r[1] | r[2] | r[3], 0);
    }
    /* F_STREAM_DISABLED: StreamID only (7.3.7) */
    build(r, EVT_F_STREAM_DISABLED, &T, NULL);
    CHECK_EQ(r[0], NOSSV(0x06));
    CHECK_EQ(r[1] | r[2] | r[3], 0);
    /* C_BAD_SUBSTREAMID: SubstreamID without SSV (7.3.9) */
    build(r, EVT_C_BAD_SUBSTREAMID, &T, NULL);
    CHECK_EQ(r[0], NOSSV(0x08) | 0xFEDCBull << 12);
    /* F_STE_FETCH / F_CD_FETCH: FetchAddr[51:3] in DW3, Reason 0 */
    build(r, EVT_F_STE_FETCH, &T, f_fetch);
    CHECK_EQ(r[0], HDR(0x03));
    CHECK_EQ(r[1] | r[2], 0);
    CHECK_EQ(r[3], 0x0123456789AB8ull);
    build(r, EVT_F_CD_FETCH, &T, f_fetch);
    CHECK_EQ(r[0], HDR(0x09));
    CHECK_EQ(r[3], 0x0123456789AB8ull);
    /* stage-2 F_TRANSLATION on a CD fetch: S2, CLASS CD (00), IPA[51:12] */
    build(r, EVT_F_TRANSLATION, &T, f_s2_cd);
    CHECK_EQ(r[0], HDR(0x10));
    CHECK_EQ(r[1], ATTRS | 1ull << 39);
    CHECK_EQ(r[2], T.addr);
    CHECK_EQ(r[3], 0x0123456789000ull);
    /* stage-1 F_ADDR_SIZE: CLASS IN (10), IPA not recorded */
    build(r, EVT_F_ADDR_SIZE, &T, f_s1_in);
    CHECK_EQ(r[1], ATTRS | 2ull << 40);
    CHECK_EQ(r[3], 0);
    /* F_ACCESS with a stall: Stall[31], STAG[15:0] */
    struct vsmmu_evt_txn ts = T;
    ts.stall = true;
    ts.stag = 0xBEEF;
    build(r, EVT_F_ACCESS, &ts, f_s1_in);
    CHECK_EQ(r[0], HDR(0x12));
    CHECK_EQ(r[1], ATTRS | 2ull << 40 | 1ull << 31 | 0xBEEF);
    /* F_PERMISSION on a stage-1 table access: CLASS TT (01), TTRnW[44] */
    build(r, EVT_F_PERMISSION, &T, f_tt_read);
    CHECK_EQ(r[1], ATTRS | 1ull << 39 | 1ull << 40 | 1ull << 44);
    CHECK_EQ(r[3], 0x5000);
    build(r, EVT_F_PERMISSION, &T, f_tt_write);
    CHECK_EQ(r[1], ATTRS | 1ull << 39 | 1ull << 40);
    /* TTRnW only for F_PERMISSION */
    build(r, EVT_F_TRANSLATION, &T, f_tt_read);
    CHECK_EQ(r[1], ATTRS | 1ull << 39 | 1ull << 40);
    /* F_WALK_EABT: S2, CLASS, FetchAddr; never Stall */
    build(r, EVT_F_WALK_EABT, &ts, f_eabt);
    CHECK_EQ(r[0], HDR(0x0B));
    CHECK_EQ(r[1], ATTRS | 1ull << 39 | 2ull << 40);
    CHECK_EQ(r[2], T.addr);
    CHECK_EQ(r[3], 0x7008);
    /* a write: RnW = 0 and InD = 0 (writes are data); no SSV -> SSID 0 */
    struct vsmmu_evt_txn tw = { .sid = 5, .addr = 0x1000, .pnu = false, .ind = true, .rnw = false };
    build(r, EVT_F_TRANSLATION, &tw, f_s1_in);
    CHECK_EQ(r[0], 0x10 | 5ull << 32);
    CHECK_EQ(r[1], 2ull << 40);
    /* an atomic whose permission fault is the missing write: RnW from the
     * walker's override (0 here) */
    build(r, EVT_F_PERMISSION, &T, f_atomic_w);
    CHECK_EQ(r[1], 1ull << 33 | 2ull << 40);
}

int main(void)
{
    RUN(records);
    return t_done();
}
