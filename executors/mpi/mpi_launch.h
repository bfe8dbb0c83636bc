// Whether mpirun started this process, and as which rank of how many: from Open MPI's
// environment (OMPI_COMM_WORLD_RANK and _SIZE, with PMIX_NAMESPACE, which only a launch by
// mpirun sets beside them), then checked against MPI itself once it is initialised
// (VerifyLaunch). A stray variable in a user's shell must not make a lone process wait for
// ranks that do not exist: without PMIX_NAMESPACE the variables are ignored, and a process
// whose MPI world disagrees with its environment stops with a message.
//
// Example:
//   if (std::optional<int> rank = LaunchRank(); rank && *rank > 0) return ServeAsWorker(*rank);
#ifndef PARSWEEP_EXECUTORS_MPI_MPI_LAUNCH_H_
#define PARSWEEP_EXECUTORS_MPI_MPI_LAUNCH_H_

#include <optional>

#include "absl/status/status.h"

namespace parsweep {

// LaunchRank and LaunchSize: this process's rank and the job's size as mpirun set them;
// nullopt when this process was not started by mpirun.
std::optional<int> LaunchRank();
std::optional<int> LaunchSize();

// VerifyLaunch checks, after MPI_Init, that MPI's world is the one the environment named:
// FailedPrecondition saying which variables are stray otherwise.
absl::Status VerifyLaunch();

}  // namespace parsweep

#endif  // PARSWEEP_EXECUTORS_MPI_MPI_LAUNCH_H_
