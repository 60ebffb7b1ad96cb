/* SPDX-License-Identifier: MIT */
/* vsmmu demo — a complete guest-driver + device workload, through MMIO and
 * memory only, as the Linux driver would drive an SMMUv3 under a VM with
 * assigned devices:
 *   probe the ID registers, reset and enable (queues, CFGI_ALL, TLBI);
 *   a 2-level stream table with nested STEs (host stage 2 mapping guest
 *   memory with 1 GiB blocks, guest CD tables and stage-1 tables in guest
 *   memory, reached through stage 2);
 *   devices: a DPDK-like one over 1 GiB hugepages with 1 GiB range
 *   invalidations, a network-like one with per-4K map/unmap and range
 *   invalidation as Linux issues it, a PASID user, and an injected fault read
 *   back from the event queue.
 * Every DMA result is checked against the mapping the demo built. Phases
 * the model cannot run yet (a module not implemented) are reported as
 * skipped, or fail with --strict. */
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "bits.h"
#include "cli.h"
#include "fields.h"
#include "guest.h"
#include "spec/regs.h"
#include "xplain.h"

#define HOST_PA      0x40000000ull       /* host memory: SMMU tables, queues, stage 2 */
#define HOST_SIZE    (32ull << 20)
#define GUEST_PA     0x100000000ull      /* guest RAM: IPA 0 is PA 4 GiB */
#define GUEST_SIZE   (32ull << 20)       /* backed part (guest tables) */
#define GUEST_IPA_SZ (4ull << 30)        /* IPA space mapped by stage 2 */
#define GIB          (1ull << 30)

#define SID_DPDK  0x10
#define SID_NET   0x11
#define SID_PASID 0x12
#define SID_DEAD  0x13

enum { PH_OK, PH_SKIP, PH_FAIL };

struct phase {
    const char *name;
    int status;
    char note[200];
    uint64_t txns;
    bool by_profile;      /* skipped because the profile lacks the feature */
    double t0, secs;
};

struct demo {
    const char *profile;
    bool strict, quiet, json, nested;
    unsigned scale, threads;
    char parname[40];
    uint64_t rng;

    struct kit_mem *m;
    struct vsmmu *s;
    struct gd g;
    struct pool host, guest;
    struct pt s2;

    struct phase ph[12];
    int nph;
    struct phase *cur;
    uint64_t faults_expected;
    uint64_t events_seen[256];
    uint64_t events_read;
    struct cli_progress prog;
    uint64_t done, planned;
    char err[300];
};

static uint64_t rnd(struct demo *d)
{
    /* xorshift64* */
    d->rng ^= d->rng >> 12;
    d->rng ^= d->rng << 25;
    d->rng ^= d->rng >> 27;
    return d->rng * 0x2545F4914F6CDD1Dull;
}

static void phase_close(struct demo *d)
{
    if (d->cur && !d->cur->secs)
        d->cur->secs = cli_now() - d->cur->t0;
}

static struct phase *phase_begin(struct demo *d, const char *name)
{
    phase_close(d);
    struct phase *p = &d->ph[d->nph++];
    memset(p, 0, sizeof(*p));
    p->name = name;
    p->t0 = cli_now();
    d->cur = p;
    return p;
}

static int phase_skip(struct demo *d, const char *fmt, const char *arg)
{
    d->cur->status = d->strict ? PH_FAIL : PH_SKIP;
    snprintf(d->cur->note, sizeof(d->cur->note), fmt, arg);
    return d->strict ? -1 : 0;
}

static int phase_fail(struct demo *d, const char *msg)
{
    d->cur->status = PH_FAIL;
    snprintf(d->cur->note, sizeof(d->cur->note), "%.190s", msg);
    return -1;
}

/* Output PA of an IPA: stage 2 maps IPA [0, 4G) to PA [4G, 8G). */
static uint64_t ipa_to_pa(uint64_t ipa)
{
    return ipa + GUEST_PA;
}

/* Stage-1 output for an IPA: the IPA when nested, else the final PA. */
static uint64_t s1_out(struct demo *d, uint64_t ipa)
{
    return d->nested ? ipa : ipa_to_pa(ipa);
}

static void describe(char *buf, size_t len, const struct vsmmu_result *r)
{
    if (r->outcome == VSMMU_XLATE_OK) {
        snprintf(buf, len, "output 0x%" PRIx64, r->out_addr);
    } else if (r->has_event) {
        const char *n = cli_event_name((unsigned)(r->event[0] & 0xff));
        snprintf(buf, len, "%s with %s", xp_outcome_str(r->outcome), n ? n : "an event");
    } else {
        snprintf(buf, len, "%s without an event", xp_outcome_str(r->outcome));
    }
}

/* One DMA that must translate to `want`. */
static int dma_ok(struct demo *d, uint32_t sid, int ssid, uint64_t iova, bool write, uint64_t want)
{
    struct vsmmu_txn t = { .sid = sid, .addr = iova, .flags = write ? VSMMU_TXN_WRITE : 0 };
    if (ssid >= 0) {
        t.flags |= VSMMU_TXN_SSV;
        t.ssid = (uint32_t)ssid;
    }
    struct vsmmu_result r;
    vsmmu_translate(d->s, &t, &r);
    d->cur->txns++;
    d->done++;
    if ((d->done & 1023) == 0)
        cli_progress(&d->prog, d->cur->name, d->done, d->planned);
    if (r.outcome == VSMMU_XLATE_OK && r.out_addr == want)
        return 0;
    char got[96];
    describe(got, sizeof(got), &r);
    snprintf(d->err, sizeof(d->err), "SID 0x%x%s%.0d %s 0x%" PRIx64 ": expected 0x%" PRIx64
             ", got %s", sid, ssid >= 0 ? " SSID " : "", ssid >= 0 ? ssid : 0,
             write ? "write" : "read", iova, want, got);
    return -1;
}

/* One DMA that must fault with event `type` (recorded: the CDs have R=1). */
static int dma_fault(struct demo *d, uint32_t sid, int ssid, uint64_t iova, bool write,
                     unsigned type)
{
    struct vsmmu_txn t = { .sid = sid, .addr = iova, .flags = write ? VSMMU_TXN_WRITE : 0 };
    if (ssid >= 0) {
        t.flags |= VSMMU_TXN_SSV;
        t.ssid = (uint32_t)ssid;
    }
    struct vsmmu_result r;
    vsmmu_translate(d->s, &t, &r);
    d->cur->txns++;
    d->done++;
    d->faults_expected++;
    if (r.outcome != VSMMU_XLATE_OK && r.has_event && (r.event[0] & 0xff) == type)
        return 0;
    char got[96];
    describe(got, sizeof(got), &r);
    snprintf(d->err, sizeof(d->err), "SID 0x%x %s 0x%" PRIx64 ": expected %s, got %s", sid,
             write ? "write" : "read", iova, cli_event_name(type), got);
    return -1;
}

static void drain_events(struct demo *d)
{
    uint64_t rec[4];
    while (gd_event(&d->g, rec) == 1) {
        d->events_seen[rec[0] & 0xff]++;
        d->events_read++;
    }
}

static int invalidate(struct demo *d, uint16_t asid, uint64_t iova, uint64_t size,
                      uint64_t granule)
{
    struct gd_inv inv = { .opcode = 0x12, .asid = asid, .vmid = d->nested ? 1 : 0, .iova = iova,
                          .size = size, .granule = granule, .leaf = true, .pgshift = 12 };
    if (gd_tlbi_range(&d->g, &inv) < 0 || gd_sync(&d->g))
        return phase_fail(d, d->g.err);
    return 0;
}

/* A device: one STE (nested or stage 1), one CD table in guest memory. */
struct dev {
    uint32_t sid;
    uint64_t cdt;            /* CD table PA (guest pool) */
    unsigned cdmax;
    struct pt s1[5];
};

static int dev_attach(struct demo *d, struct dev *v, unsigned cdmax, unsigned s1dss)
{
    uint64_t size = 64ull << cdmax;
    if (pool_alloc(d->m, &d->guest, size, size, &v->cdt))
        return phase_fail(d, "out of guest memory for a CD table");
    v->cdmax = cdmax;
    uint64_t ste[8];
    ste_s1(ste, pool_addr(&d->guest, v->cdt), cdmax, 0, s1dss);
    if (d->nested)
        ste_add_s2(ste, &d->s2, 1, d->g.oas_bits);
    if (gd_ste_write(&d->g, v->sid, ste))
        return phase_fail(d, d->g.err);
    uint64_t c[2];
    kit_cmd_cfgi_ste(c, v->sid, true);
    if (gd_cmd(&d->g, c) || gd_sync(&d->g))
        return phase_fail(d, d->g.err);
    return 0;
}

static int dev_cd(struct demo *d, struct dev *v, unsigned ssid, uint16_t asid)
{
    char err[160];
    struct pt *t = &v->s1[ssid];
    if (pt_init(t, d->m, &d->guest, 1, 12, 48, err, sizeof(err)))
        return phase_fail(d, err);
    uint64_t cd[8];
    cd_s1(cd, t, asid, d->nested ? 48 : d->g.oas_bits);
    if (d->nested)
        ft_setn(&ft_cd, cd, "IPS", ps_enc(d->g.oas_bits < 48 ? d->g.oas_bits : 48));
    uint64_t pa = v->cdt + 64ull * ssid;
    for (int i = 7; i >= 0; i--)
        kit_w64(d->m, pa + 8 * (uint64_t)i, cd[i]);
    uint64_t c[2];
    kit_cmd_cfgi_cd(c, v->sid, ssid, true);
    if (gd_cmd(&d->g, c) || gd_sync(&d->g))
        return phase_fail(d, d->g.err);
    return 0;
}

static int map(struct demo *d, struct pt *t, uint64_t iova, uint64_t ipa, uint64_t size,
               uint64_t page, bool w)
{
    char err[160];
    struct pt_attr a = { .r = true, .w = w, .attr = PT_ATTR_WB };
    if (pt_map(t, iova, s1_out(d, ipa), size, page, &a, err, sizeof(err)))
        return phase_fail(d, err);
    return 0;
}

/* First translation of a phase: if it does not work at all, the model
 * lacks a piece this phase needs. */
static int probe(struct demo *d, uint32_t sid, int ssid, uint64_t iova, uint64_t want)
{
    if (!dma_ok(d, sid, ssid, iova, false, want))
        return 0;
    phase_skip(d, "translation not available in this build: %.140s", d->err);
    return 1;
}

static int run_parallel(struct demo *d, uint32_t sid, const uint64_t hp_ipa[2]);

/* ---- DPDK-like: 1 GiB hugepages, 1 GiB invalidations ---- */
static int run_dpdk(struct demo *d)
{
    phase_begin(d, "dpdk (1G hugepages)");
    struct dev v = { .sid = SID_DPDK };
    if (dev_attach(d, &v, 0, 0) || dev_cd(d, &v, 0, 1))
        return -1;
    /* IOVA 1G and 2G map the guest's hugepages at IPA 1G and 2G */
    uint64_t hp_ipa[2] = { 1 * GIB, 2 * GIB };
    for (int i = 0; i < 2; i++)
        if (map(d, &v.s1[0], (uint64_t)(i + 1) * GIB, hp_ipa[i], GIB, GIB, true))
            return -1;
    if (probe(d, v.sid, -1, GIB + 0x1234, ipa_to_pa(hp_ipa[0]) + 0x1234))
        return d->cur->status == PH_FAIL ? -1 : 0;
    unsigned cycles = 4, per = d->scale * 500;
    for (unsigned c = 0; c < cycles; c++) {
        for (unsigned i = 0; i < per; i++) {
            unsigned k = (unsigned)(rnd(d) & 1);
            uint64_t off = rnd(d) & (GIB - 64) & ~63ull;
            if (dma_ok(d, v.sid, -1, (k + 1) * GIB + off, (i & 3) == 0, ipa_to_pa(hp_ipa[k]) + off))
                return phase_fail(d, d->err);
        }
        /* The application frees hugepage k and gets another one: unmap,
         * invalidate 1 GiB as Linux does (leaf, granule 1G: TTL=1), map the
         * new one. A stale translation would now give the old PA. */
        unsigned k = c & 1;
        char err[160];
        if (pt_unmap(&v.s1[0], (k + 1) * GIB, GIB, err, sizeof(err)))
            return phase_fail(d, err);
        if (invalidate(d, 1, (k + 1) * GIB, GIB, GIB))
            return -1;
        if (dma_fault(d, v.sid, -1, (k + 1) * GIB + 0x40, true, 0x10))
            return phase_fail(d, d->err);
        hp_ipa[k] = hp_ipa[k] == 3 * GIB ? (k + 1) * GIB : 3 * GIB;
        if (map(d, &v.s1[0], (k + 1) * GIB, hp_ipa[k], GIB, GIB, true))
            return -1;
    }
    drain_events(d);
    if (d->threads > 1)
        return run_parallel(d, v.sid, hp_ipa);
    return 0;
}

/* ---- the same hugepages from several threads at once: vsmmu_translate is
 * thread-safe (no MMIO meanwhile) ---- */
struct par {
    struct vsmmu *s;
    uint32_t sid;
    uint64_t pa[2];
    uint64_t n, rng, bad, done;
    char err[160];
};

static void *par_main(void *arg)
{
    struct par *p = arg;
    for (uint64_t i = 0; i < p->n; i++) {
        p->rng ^= p->rng >> 12;
        p->rng ^= p->rng << 25;
        p->rng ^= p->rng >> 27;
        uint64_t r = p->rng * 0x2545F4914F6CDD1Dull;
        unsigned k = (unsigned)(r & 1);
        uint64_t off = (r >> 1) & (GIB - 64) & ~63ull;
        struct vsmmu_txn t = { .sid = p->sid, .addr = (k + 1) * GIB + off,
                               .flags = (i & 3) ? 0 : VSMMU_TXN_WRITE };
        struct vsmmu_result res;
        vsmmu_translate(p->s, &t, &res);
        p->done++;
        if (res.outcome != VSMMU_XLATE_OK || res.out_addr != p->pa[k] + off) {
            if (!p->bad++)
                snprintf(p->err, sizeof(p->err), "0x%" PRIx64 ": expected 0x%" PRIx64
                         ", got %s 0x%" PRIx64, t.addr, p->pa[k] + off,
                         xp_outcome_str(res.outcome), res.out_addr);
        }
    }
    return NULL;
}

static int run_parallel(struct demo *d, uint32_t sid, const uint64_t hp_ipa[2])
{
    snprintf(d->parname, sizeof(d->parname), "dpdk, %u threads", d->threads);
    phase_begin(d, d->parname);
    struct par p[64];
    pthread_t th[64];
    unsigned n = d->threads > 64 ? 64 : d->threads, started = 0;
    for (unsigned i = 0; i < n; i++) {
        p[i] = (struct par){ .s = d->s, .sid = sid, .pa = { ipa_to_pa(hp_ipa[0]),
                             ipa_to_pa(hp_ipa[1]) }, .n = (uint64_t)d->scale * 500,
                             .rng = rnd(d) | 1 };
        if (pthread_create(&th[i], NULL, par_main, &p[i]))
            break;
        started++;
    }
    uint64_t bad = 0;
    const char *err = NULL;
    for (unsigned i = 0; i < started; i++) {
        pthread_join(th[i], NULL);
        d->cur->txns += p[i].done;
        d->done += p[i].done;
        if (p[i].bad && !err)
            err = p[i].err;
        bad += p[i].bad;
    }
    if (started < n)
        return phase_fail(d, "cannot start threads");
    if (bad) {
        snprintf(d->err, sizeof(d->err), "%" PRIu64 " wrong results, first: %s", bad, err);
        return phase_fail(d, d->err);
    }
    return 0;
}

/* ---- network-like: per-4K map/unmap with range invalidation ---- */
static int run_net(struct demo *d)
{
    phase_begin(d, "net (4K map/unmap)");
    struct dev v = { .sid = SID_NET };
    if (dev_attach(d, &v, 0, 0) || dev_cd(d, &v, 0, 2))
        return -1;
    const uint64_t base = 0x10000000;   /* IOVA of the buffer ring */
    const unsigned slots = 256;
    uint64_t ipa[256];
    for (unsigned i = 0; i < slots; i++) {
        ipa[i] = (16ull << 20) + ((rnd(d) % 4000) << 12);   /* a guest page */
        if (map(d, &v.s1[0], base + i * 4096ull, ipa[i], 4096, 4096, true))
            return -1;
    }
    if (probe(d, v.sid, -1, base, ipa_to_pa(ipa[0])))
        return d->cur->status == PH_FAIL ? -1 : 0;
    unsigned rounds = d->scale * 4;
    char err[160];
    for (unsigned r = 0; r < rounds; r++) {
        unsigned i = r % slots;
        /* rx: the device writes the buffer, then reads the descriptor */
        for (unsigned k = 0; k < 6; k++) {
            uint64_t off = (rnd(d) & 0xfc0);
            if (dma_ok(d, v.sid, -1, base + i * 4096ull + off, k < 4, ipa_to_pa(ipa[i]) + off))
                return phase_fail(d, d->err);
        }
        /* dma_unmap_single + iotlb_sync: one page, one leaf TLBI, one sync */
        if (pt_unmap(&v.s1[0], base + i * 4096ull, 4096, err, sizeof(err)) ||
            invalidate(d, 2, base + i * 4096ull, 4096, 4096))
            return d->cur->status == PH_FAIL ? -1 : phase_fail(d, err);
        if (r % 97 == 0 && dma_fault(d, v.sid, -1, base + i * 4096ull, true, 0x10))
            return phase_fail(d, d->err);
        ipa[i] = (16ull << 20) + ((rnd(d) % 4000) << 12);
        if (map(d, &v.s1[0], base + i * 4096ull, ipa[i], 4096, 4096, true))
            return -1;
    }
    /* Tear down the ring at once: 256 pages, one range invalidation */
    if (pt_unmap(&v.s1[0], base, slots * 4096ull, err, sizeof(err)))
        return phase_fail(d, err);
    if (invalidate(d, 2, base, slots * 4096ull, 4096))
        return -1;
    if (dma_fault(d, v.sid, -1, base + 200 * 4096ull, false, 0x10))
        return phase_fail(d, d->err);
    /* Injected fault: the device writes a page the driver mapped read-only.
     * The event must come back from the event queue with the right fields. */
    drain_events(d);
    if (map(d, &v.s1[0], 0x20000000, 0x200000, 4096, 4096, false))
        return -1;
    if (dma_ok(d, v.sid, -1, 0x20000010, false, ipa_to_pa(0x200000) + 0x10))
        return phase_fail(d, d->err);
    if (dma_fault(d, v.sid, -1, 0x20000010, true, 0x13))
        return phase_fail(d, d->err);
    uint64_t rec[4];
    if (gd_event(&d->g, rec) != 1) {
        snprintf(d->cur->note, sizeof(d->cur->note),
                 "injected F_PERMISSION not in the event queue (event queue not available)");
        if (d->strict) {
            d->cur->status = PH_FAIL;
            return -1;
        }
        return 0;
    }
    d->events_seen[rec[0] & 0xff]++;
    d->events_read++;
    /* IHI0070 7.3.16: F_PERMISSION, StreamID, RnW=0 (write), S2=0, CLASS=IN,
     * InputAddr as presented. */
    if ((rec[0] & 0xff) != 0x13 || ft_getn(&ft_evt, rec, "StreamID") != SID_NET ||
        ft_getn(&ft_evt, rec, "InputAddr") != 0x20000010 || ft_getn(&ft_evt, rec, "RnW") != 0 ||
        ft_getn(&ft_evt, rec, "S2") != 0 || ft_getn(&ft_evt, rec, "CLASS") != 2) {
        snprintf(d->err, sizeof(d->err), "injected fault: unexpected event record %016" PRIx64
                 " %016" PRIx64 " %016" PRIx64 " %016" PRIx64, rec[0], rec[1], rec[2], rec[3]);
        return phase_fail(d, d->err);
    }
    snprintf(d->cur->note, sizeof(d->cur->note),
             "injected F_PERMISSION read back from the event queue");
    drain_events(d);
    return 0;
}

/* ---- PASID user: 4 address spaces behind one StreamID ---- */
static int run_pasid(struct demo *d)
{
    phase_begin(d, "pasid (4 address spaces)");
    if (d->g.ssidsize < 3) {
        d->cur->status = PH_SKIP;
        d->cur->by_profile = true;
        snprintf(d->cur->note, sizeof(d->cur->note), "profile has SSIDSIZE=%u", d->g.ssidsize);
        return 0;
    }
    struct dev v = { .sid = SID_PASID };
    /* S1DSS=ssid0: traffic without a PASID uses CD 0 (the DMA domain) */
    if (dev_attach(d, &v, 3, 2))
        return -1;
    for (unsigned p = 0; p <= 4; p++) {
        if (dev_cd(d, &v, p, (uint16_t)(0x20 + p)))
            return -1;
        /* every PASID maps the same IOVA window to its own memory */
        if (map(d, &v.s1[p], 0x7f0000000000ull, (256ull << 20) + p * (2ull << 20), 2 << 20,
                2 << 20, true))
            return -1;
    }
    if (probe(d, v.sid, 1, 0x7f0000000000ull, ipa_to_pa((256ull << 20) + (2ull << 20))))
        return d->cur->status == PH_FAIL ? -1 : 0;
    unsigned n = d->scale * 500;
    for (unsigned i = 0; i < n; i++) {
        int p = (int)(rnd(d) % 5);
        uint64_t off = rnd(d) & ((2ull << 20) - 64);
        uint64_t want = ipa_to_pa((256ull << 20) + (uint64_t)p * (2ull << 20)) + off;
        /* PASID 0 is reached without a SubstreamID (S1DSS=ssid0) */
        if (dma_ok(d, v.sid, p ? p : -1, 0x7f0000000000ull + off, i & 1, want))
            return phase_fail(d, d->err);
    }
    /* PASID 5 has no valid CD: C_BAD_CD */
    if (dma_fault(d, v.sid, 5, 0x7f0000000000ull, false, 0x0A))
        return phase_fail(d, d->err);
    drain_events(d);
    return 0;
}

/* ---- fallback when the register file or queues are missing ---- */
static int run_bypass(struct demo *d)
{
    phase_begin(d, "bypass (SMMUEN=0, GBPA)");
    vsmmu_mmio_write(d->s, SMMU_GBPA, GBPA_UPDATE, 4);   /* GBPA: bypass, Update */
    for (uint64_t a = 0; a < 4096; a++)
        if (dma_ok(d, 0, -1, a << 12, a & 1, a << 12))
            return phase_fail(d, d->err);
    return 0;
}

static void usage(FILE *f)
{
    fprintf(f,
        "usage: vsmmu demo [options]\n"
        "\n"
        "Run a complete guest-driver + device workload through MMIO and memory only, as the\n"
        "Linux driver would: probe, reset and enable, a 2-level stream table with nested\n"
        "STEs (guest stage 1 over host stage 2), then a DPDK-like device over 1 GiB hugepages\n"
        "with 1 GiB invalidations, a network-like device with per-4K map/unmap and range\n"
        "invalidation, a PASID user, and an injected fault read back from the event queue.\n"
        "Every result is checked; prints translations/s, hit rates, walks and descriptor\n"
        "reads per miss, commands by opcode, events by type, invalidated entries.\n"
        "\n"
        "options:\n"
        "  --profile NAME   feature profile (default full-v3.2; see 'vsmmu profiles')\n"
        "  --size N         workload size (default 100: about 2500*N translations)\n"
        "  --seed N         random seed (default 1)\n"
        "  --threads N      also translate the hugepages from N threads at once\n"
        "  --strict         fail (instead of skipping) phases the model cannot run\n"
        "  --json           machine-readable report\n"
        "  -q, --quiet      only the verdict line\n"
        "  -h, --help       this text\n"
        "\n"
        "exit status: 0 every check passed, 1 a check failed, 2 bad options.\n");
}

static const char *status_str(int s)
{
    return s == PH_OK ? "ok" : s == PH_SKIP ? "skipped" : "FAILED";
}

int cli_demo(int argc, char **argv)
{
    struct demo dd, *d = &dd;
    memset(d, 0, sizeof(*d));
    d->profile = "full-v3.2";
    d->scale = 100;
    d->rng = 1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        uint64_t n;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return CLI_EXIT_OK;
        } else if (!strcmp(a, "--profile") && v) {
            d->profile = v;
            i++;
        } else if (!strcmp(a, "--size") && v) {
            if (cli_parse_u64(v, &n) || !n || n > 1000000) {
                fprintf(stderr, "vsmmu demo: --size: expected 1..1000000, got '%s'\n", v);
                return CLI_EXIT_USAGE;
            }
            d->scale = (unsigned)n;
            i++;
        } else if (!strcmp(a, "--seed") && v) {
            if (cli_parse_u64(v, &n)) {
                fprintf(stderr, "vsmmu demo: --seed: not a number: '%s'\n", v);
                return CLI_EXIT_USAGE;
            }
            d->rng = n ? n : 0x9E3779B97F4A7C15ull;
            i++;
        } else if (!strcmp(a, "--threads") && v) {
            if (cli_parse_u64(v, &n) || !n || n > 64) {
                fprintf(stderr, "vsmmu demo: --threads: expected 1..64, got '%s'\n", v);
                return CLI_EXIT_USAGE;
            }
            d->threads = (unsigned)n;
            i++;
        } else if (!strcmp(a, "--strict")) {
            d->strict = true;
        } else if (!strcmp(a, "--json")) {
            d->json = true;
        } else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
            d->quiet = true;
        } else {
            fprintf(stderr, "vsmmu demo: unknown option '%s'\n", a);
            usage(stderr);
            return CLI_EXIT_USAGE;
        }
    }
    struct vsmmu_config cfg;
    if (vsmmu_config_profile(&cfg, d->profile)) {
        fprintf(stderr, "vsmmu demo: unknown profile '%s' (see 'vsmmu profiles')\n", d->profile);
        return CLI_EXIT_USAGE;
    }
    d->m = kit_mem_new();
    if (!d->m || kit_mem_add(d->m, HOST_PA, HOST_SIZE) || kit_mem_add(d->m, GUEST_PA, GUEST_SIZE)) {
        fprintf(stderr, "vsmmu demo: out of memory\n");
        kit_mem_free(d->m);
        return CLI_EXIT_FAIL;
    }
    d->host = (struct pool){ .pa = HOST_PA, .ipa = HOST_PA, .size = HOST_SIZE, .brk = HOST_PA };
    struct vsmmu_host_ops ops;
    kit_mem_ops(d->m, &ops, true);
    char err[256];
    if (vsmmu_create(&cfg, &ops, &d->s, err, sizeof(err))) {
        fprintf(stderr, "vsmmu demo: %s\n", err);
        kit_mem_free(d->m);
        return CLI_EXIT_FAIL;
    }
    gd_init(&d->g, d->s, d->m, &d->host);
    d->planned = (uint64_t)d->scale * (4 * 500 + 4 * 6 + 500 + 500 * (d->threads > 1 ? d->threads : 0))
                 + 4096;
    cli_progress_init(&d->prog, !d->json && !d->quiet);
    double t0 = cli_now();
    int rc = 0;

    /* 1. probe + reset/enable */
    struct phase *p = phase_begin(d, "probe + reset/enable");
    bool enabled = false;
    if (gd_probe(&d->g)) {
        phase_skip(d, "%.190s", d->g.err);
    } else {
        struct gd_opts o = { .st2l = true, .sid_bits = 16 };
        if (gd_reset(&d->g, &o)) {
            phase_skip(d, "%.190s", d->g.err);
        } else {
            enabled = true;
            snprintf(p->note, sizeof(p->note), "%s stream table (2^%u SIDs), cmdq 2^%u, evtq 2^%u",
                     d->g.st2l ? "2-level" : "linear", d->g.log2size, d->g.cmdq_log2,
                     d->g.evtq_log2);
        }
    }
    if (p->status == PH_FAIL)
        rc = -1;
    if (!enabled) {
        if (!rc && run_bypass(d))
            rc = -1;
    } else {
        /* 2. host stage 2 over the VM's memory, 1 GiB blocks */
        bool s1 = d->g.idr[0] & IDR0_S1P, s2 = d->g.idr[0] & IDR0_S2P;
        d->nested = s1 && s2;
        if (d->nested) {
            d->guest = (struct pool){ .pa = GUEST_PA, .ipa = 0, .size = GUEST_SIZE,
                                      .brk = GUEST_PA + 0x10000 };
            unsigned ias = d->g.oas_bits < 48 ? d->g.oas_bits : 48;
            struct pt_attr a = { .r = true, .w = true, .attr = PT_ATTR_WB };
            if (pt_init(&d->s2, d->m, &d->host, 2, 12, ias, err, sizeof(err)) ||
                pt_map(&d->s2, 0, GUEST_PA, GUEST_IPA_SZ, GIB, &a, err, sizeof(err))) {
                phase_begin(d, "stage 2");
                phase_fail(d, err);
                rc = -1;
            }
        } else {
            d->guest = (struct pool){ .pa = GUEST_PA, .ipa = GUEST_PA, .size = GUEST_SIZE,
                                      .brk = GUEST_PA + 0x10000 };
        }
        if (!s1) {
            phase_begin(d, "devices");
            d->cur->status = PH_SKIP;
            d->cur->by_profile = true;
            snprintf(d->cur->note, sizeof(d->cur->note), "profile has no stage 1");
        } else if (!rc) {
            if (run_dpdk(d) || run_net(d) || run_pasid(d))
                rc = -1;
        }
        /* A device whose STE is invalid (V=0): C_BAD_STE */
        if (!rc) {
            phase_begin(d, "invalid STE");
            uint64_t ste[8] = { 0 }, c[2];
            kit_cmd_cfgi_ste(c, SID_DEAD, true);
            if (gd_ste_write(&d->g, SID_DEAD, ste) || gd_cmd(&d->g, c) || gd_sync(&d->g))
                rc = phase_fail(d, d->g.err);
            else if (dma_fault(d, SID_DEAD, -1, 0x1000, false, 0x04))
                rc = phase_skip(d, "%.190s", d->err);
            drain_events(d);
        }
    }
    /* Every provoked fault is recorded (CD.R=1; configuration errors always
     * are): with every phase run, the event queue must hold them all. */
    bool all_ran = enabled && !rc;
    for (int i = 0; i < d->nph; i++)
        all_ran = all_ran && (d->ph[i].status == PH_OK || d->ph[i].by_profile);
    if (all_ran && d->events_read != d->faults_expected) {
        phase_begin(d, "event accounting");
        snprintf(d->err, sizeof(d->err), "%" PRIu64 " faults provoked, %" PRIu64
                 " events read back", d->faults_expected, d->events_read);
        rc = phase_fail(d, d->err);
    }
    phase_close(d);
    double dt = cli_now() - t0;
    cli_progress_end(&d->prog);
    for (int i = 0; i < d->nph; i++)
        if (d->ph[i].status == PH_FAIL)
            rc = -1;

    struct cli_report r = { .title = "statistics", .seconds = dt };
    vsmmu_get_stats(d->s, &r.st);
    if (d->json) {
        struct jw w;
        jw_init(&w, stdout);
        jw_obj(&w, NULL);
        jw_str(&w, "profile", d->profile);
        jw_bool(&w, "passed", rc == 0);
        jw_bool(&w, "nested", d->nested);
        jw_arr(&w, "idr");
        for (int i = 0; i < 6; i++)
            jw_hex(&w, NULL, d->g.idr[i]);
        jw_end_arr(&w);
        jw_hex(&w, "aidr", d->g.aidr);
        jw_arr(&w, "phases");
        for (int i = 0; i < d->nph; i++) {
            jw_obj(&w, NULL);
            jw_str(&w, "name", d->ph[i].name);
            jw_str(&w, "status", status_str(d->ph[i].status));
            jw_u64(&w, "transactions", d->ph[i].txns);
            jw_dbl(&w, "seconds", d->ph[i].secs);
            if (d->ph[i].note[0])
                jw_str(&w, "note", d->ph[i].note);
            jw_end_obj(&w);
        }
        jw_end_arr(&w);
        jw_u64(&w, "faults_expected", d->faults_expected);
        jw_u64(&w, "events_read", d->events_read);
        cli_report_json(&w, &r);
        jw_end_obj(&w);
        jw_done(&w);
    } else if (!d->quiet) {
        printf("vsmmu demo — profile %s", d->profile);
        if (d->g.idr[0])
            printf(" (SMMUv3.%u, IDR0 0x%08x IDR1 0x%08x IDR3 0x%08x IDR5 0x%08x)",
                   (unsigned)FIELD_GET(AIDR_MINOR, d->g.aidr), d->g.idr[0], d->g.idr[1],
                   d->g.idr[3], d->g.idr[5]);
        printf("\n");
        if (d->g.idr[0]) {
            static const unsigned oas[8] = { 32, 36, 40, 42, 44, 48, 52, 48 };
            const uint32_t *id = d->g.idr;
            printf("  features: %s%s%s, OAS %u, SIDSIZE %u, SSIDSIZE %u%s%s%s%s%s%s%s\n",
                   id[0] & IDR0_S1P ? "S1" : "", (id[0] & IDR0_S1P) && (id[0] & IDR0_S2P) ? "+" : "",
                   id[0] & IDR0_S2P ? "S2" : "", oas[FIELD_GET(IDR5_OAS, id[5])],
                   (unsigned)FIELD_GET(IDR1_SIDSIZE, id[1]), (unsigned)FIELD_GET(IDR1_SSIDSIZE, id[1]),
                   FIELD_GET(IDR0_ST_LEVEL, id[0]) == 1 ? ", 2-level STs" : "",
                   id[0] & IDR0_CD2L ? ", 2-level CDs" : "", id[3] & IDR3_RIL ? ", RIL" : "",
                   FIELD_GET(IDR0_HTTU, id[0]) == 2 ? ", HTTU AF+dirty"
                   : FIELD_GET(IDR0_HTTU, id[0]) == 1 ? ", HTTU AF" : "",
                   id[0] & IDR0_MSI ? ", MSI" : "", id[0] & IDR0_ATS ? ", ATS" : "",
                   FIELD_GET(IDR0_STALL_MODEL, id[0]) == 1 ? ", terminate only" : ", stalls");
        }
        if (d->g.enabled)
            printf("%s\n", d->nested ? "  guest stage 1 (4K) over host stage 2 (1G blocks), VMID 1"
                                     : "  stage 1 only (no stage 2 in this profile)");
        for (int i = 0; i < d->nph; i++) {
            char rate[32] = "";
            if (d->ph[i].txns >= 1000 && d->ph[i].secs > 0) {
                char hb[24];
                snprintf(rate, sizeof(rate), "%s/s", cli_human((double)d->ph[i].txns / d->ph[i].secs,
                                                            hb, sizeof(hb)));
            }
            printf("  %-26s %-8s %8" PRIu64 " txns %10s", d->ph[i].name,
                   status_str(d->ph[i].status), d->ph[i].txns, rate);
            if (d->ph[i].note[0])
                printf("  %s", d->ph[i].note);
            printf("\n");
        }
        printf("  faults provoked %" PRIu64 ", events read back %" PRIu64 "\n",
               d->faults_expected, d->events_read);
        cli_report_text(stdout, &r);
    }
    if (!d->json)
        printf("%s\n", rc ? "demo: FAILED" : "demo: all checks passed");
    vsmmu_destroy(d->s);
    kit_mem_free(d->m);
    return rc ? CLI_EXIT_FAIL : CLI_EXIT_OK;
}
