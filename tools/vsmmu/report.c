/* SPDX-License-Identifier: MIT */
/* The statistics report printed by demo and run (text and JSON). */
#include <inttypes.h>

#include "cli.h"

static double ratio(uint64_t a, uint64_t b)
{
    return b ? (double)a / (double)b : 0.0;
}

void cli_report_text(FILE *f, const struct cli_report *r)
{
    const struct vsmmu_stats *st = &r->st;
    char b1[32];
    fprintf(f, "%s\n", r->title ? r->title : "statistics");
    fprintf(f, "  translations        %" PRIu64, st->translations);
    if (r->seconds > 0)
        fprintf(f, "  (%s/s over %.3f s)", cli_human((double)st->translations / r->seconds, b1,
                                                     sizeof(b1)), r->seconds);
    fputc('\n', f);
    uint64_t look = st->tlb_hits + st->tlb_misses;
    fprintf(f, "  IOTLB hit rate      %.1f%%  (%" PRIu64 " hits, %" PRIu64 " misses)\n",
            100.0 * ratio(st->tlb_hits, look), st->tlb_hits, st->tlb_misses);
    uint64_t clook = st->cfg_hits + st->cfg_misses;
    fprintf(f, "  config hit rate     %.1f%%  (%" PRIu64 " hits, %" PRIu64 " misses)\n",
            100.0 * ratio(st->cfg_hits, clook), st->cfg_hits, st->cfg_misses);
    fprintf(f, "  walks               %" PRIu64 "  (%.2f per miss)\n", st->walks,
            ratio(st->walks, st->tlb_misses));
    fprintf(f, "  descriptor reads    %" PRIu64 "  (%.2f per miss, %.2f per walk)\n",
            st->desc_reads, ratio(st->desc_reads, st->tlb_misses),
            ratio(st->desc_reads, st->walks));
    fprintf(f, "  STE / CD fetches    %" PRIu64 " / %" PRIu64 "\n", st->ste_fetches, st->cd_fetches);
    fprintf(f, "  faults              %" PRIu64 "\n", st->faults);
    fprintf(f, "  invalidated         %" PRIu64 " TLB entries, %" PRIu64 " config entries\n",
            st->tlb_invalidated, st->cfg_invalidated);
    fprintf(f, "  commands            %" PRIu64 "  (%" PRIu64 " errors)\n", st->commands,
            st->cerrors);
    for (unsigned op = 0; op < 256; op++) {
        if (!st->cmd_by_opcode[op])
            continue;
        const char *n = cli_cmd_name(op);
        fprintf(f, "    %-22s %" PRIu64 "\n", n ? n : "(reserved)", st->cmd_by_opcode[op]);
    }
    fprintf(f, "  events              %" PRIu64 "  (%" PRIu64 " lost)\n", st->events,
            st->events_lost);
    for (unsigned t = 0; t < 256; t++) {
        if (!st->event_by_type[t])
            continue;
        const char *n = cli_event_name(t);
        fprintf(f, "    %-22s %" PRIu64 "\n", n ? n : "(unknown)", st->event_by_type[t]);
    }
    fprintf(f, "  interrupts          %" PRIu64 " MSI, %" PRIu64 " wired\n", st->msis, st->irqs);
}

void cli_report_json(struct jw *w, const struct cli_report *r)
{
    const struct vsmmu_stats *st = &r->st;
    jw_obj(w, "stats");
    jw_dbl(w, "seconds", r->seconds);
    jw_u64(w, "translations", st->translations);
    jw_dbl(w, "translations_per_s", r->seconds > 0 ? (double)st->translations / r->seconds : 0);
    jw_u64(w, "tlb_hits", st->tlb_hits);
    jw_u64(w, "tlb_misses", st->tlb_misses);
    jw_dbl(w, "tlb_hit_rate", ratio(st->tlb_hits, st->tlb_hits + st->tlb_misses));
    jw_u64(w, "cfg_hits", st->cfg_hits);
    jw_u64(w, "cfg_misses", st->cfg_misses);
    jw_u64(w, "walks", st->walks);
    jw_u64(w, "desc_reads", st->desc_reads);
    jw_dbl(w, "walks_per_miss", ratio(st->walks, st->tlb_misses));
    jw_dbl(w, "desc_reads_per_miss", ratio(st->desc_reads, st->tlb_misses));
    jw_u64(w, "ste_fetches", st->ste_fetches);
    jw_u64(w, "cd_fetches", st->cd_fetches);
    jw_u64(w, "httu_updates", st->httu_updates);
    jw_u64(w, "faults", st->faults);
    jw_u64(w, "tlb_invalidated", st->tlb_invalidated);
    jw_u64(w, "cfg_invalidated", st->cfg_invalidated);
    jw_u64(w, "commands", st->commands);
    jw_u64(w, "cerrors", st->cerrors);
    jw_obj(w, "commands_by_opcode");
    for (unsigned op = 0; op < 256; op++) {
        if (!st->cmd_by_opcode[op])
            continue;
        const char *n = cli_cmd_name(op);
        char buf[32];
        if (!n) {
            snprintf(buf, sizeof(buf), "0x%02x", op);
            n = buf;
        }
        jw_u64(w, n, st->cmd_by_opcode[op]);
    }
    jw_end_obj(w);
    jw_u64(w, "events", st->events);
    jw_u64(w, "events_lost", st->events_lost);
    jw_obj(w, "events_by_type");
    for (unsigned t = 0; t < 256; t++) {
        if (!st->event_by_type[t])
            continue;
        const char *n = cli_event_name(t);
        char buf[32];
        if (!n) {
            snprintf(buf, sizeof(buf), "0x%02x", t);
            n = buf;
        }
        jw_u64(w, n, st->event_by_type[t]);
    }
    jw_end_obj(w);
    jw_u64(w, "msis", st->msis);
    jw_u64(w, "irqs", st->irqs);
    jw_end_obj(w);
}
