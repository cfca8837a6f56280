#define _GNU_SOURCE
#include <sched.h>
#include "thread_placement.h"

int prunelab_current_cpu(void) { return sched_getcpu(); }

void prunelab_move_off_cpu(int cpu) {
    cpu_set_t allowed, others;
    if (cpu < 0 || sched_getcpu() != cpu || sched_getaffinity(0, sizeof allowed, &allowed) != 0) return;
    others = allowed;
    CPU_CLR(cpu, &others);
    if (CPU_COUNT(&others) == 0) return;
    // Narrowing the affinity migrates the thread at once; restoring it leaves the thread where it now is.
    if (sched_setaffinity(0, sizeof others, &others) == 0) sched_setaffinity(0, sizeof allowed, &allowed);
}

int prunelab_allowed_cpu_count(void) {
    cpu_set_t allowed;
    return sched_getaffinity(0, sizeof allowed, &allowed) == 0 ? CPU_COUNT(&allowed) : -1;
}
