#ifndef PRUNELAB_THREAD_PLACEMENT_H
#define PRUNELAB_THREAD_PLACEMENT_H
// Where the engine's helper threads run (Linux; sched.h's CPU-set macros need _GNU_SOURCE, which a
// header imported into Swift cannot set, hence a C file).

/// The CPU the calling thread runs on now, or -1 when unknown.
int prunelab_current_cpu(void);

/// How many CPUs the calling thread may run on, or -1 when unknown.
int prunelab_allowed_cpu_count(void);

/// Moves the calling thread to another of the CPUs it may run on, if it runs on `cpu` and there is
/// another; its allowed CPUs are the same afterwards.
void prunelab_move_off_cpu(int cpu);

#endif
