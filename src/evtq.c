/* SPDX-License-Identifier: MIT */
/* Event queue — placeholder: events are counted as lost. */
#include "internal.h"

int vsmmu_evtq_init(struct vsmmu *s) { return pthread_mutex_init(&s->evtq.lock, NULL) ? -1 : 0; }
void vsmmu_evtq_fini(struct vsmmu *s) { pthread_mutex_destroy(&s->evtq.lock); }
void vsmmu_evtq_reset(struct vsmmu *s) { (void)s; }
int vsmmu_evtq_write(struct vsmmu *s, const uint64_t rec[4])
{
    stat_add(s, events_lost, 1);
    return -1;
}
void vsmmu_evtq_enable_changed(struct vsmmu *s, bool enabled) { (void)s; }
