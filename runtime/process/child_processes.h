// Child-process bookkeeping that is safe to use from a signal handler, so that a program
// stopped by SIGINT or SIGTERM takes its worker processes with it instead of leaving them
// running or unreaped.
//
// Executors that start processes call TrackChild() after fork and UntrackChild() after
// reaping. A program installs InstallTerminationHandlers() once at start: on SIGINT or
// SIGTERM it kills every tracked child with SIGKILL, reaps them, and exits with status
// 128 + the signal number (130 for SIGINT, as shells report it).
#ifndef PARSWEEP_RUNTIME_PROCESS_CHILD_PROCESSES_H_
#define PARSWEEP_RUNTIME_PROCESS_CHILD_PROCESSES_H_

#include <sys/types.h>

namespace parsweep {

// At most this many children are tracked at once; TrackChild returns false beyond it.
inline constexpr int kMaxTrackedChildren = 4096;

bool TrackChild(pid_t pid);
void UntrackChild(pid_t pid);

// KillAndReapTrackedChildren sends SIGKILL to every tracked child and waits for each.
// Async-signal-safe.
void KillAndReapTrackedChildren();

// InstallTerminationHandlers sets the SIGINT and SIGTERM handlers described above.
void InstallTerminationHandlers();

// A TerminationReporter leaves a last word on stderr when those handlers stop the program
// (the mpi executor says which rank was running which task when mpirun stopped the job).
// It runs inside the signal handler, before the children are killed, so it must be
// async-signal-safe. SetTerminationReporter(nullptr) removes it.
using TerminationReporter = void (*)(int signal_number);
void SetTerminationReporter(TerminationReporter reporter);

}  // namespace parsweep

#endif  // PARSWEEP_RUNTIME_PROCESS_CHILD_PROCESSES_H_
