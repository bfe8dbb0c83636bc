#include "executors/mpi/mpi_launch.h"

#include <cstdlib>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "executors/mpi/mpi_wire.h"

namespace parsweep {
namespace {

std::optional<int> EnvInt(const char* name) {
  const char* value = std::getenv(name);
  int parsed = 0;
  if (value == nullptr || !absl::SimpleAtoi(value, &parsed)) return std::nullopt;
  return parsed;
}

bool LaunchedByMpirun() {
  const char* ns = std::getenv("PMIX_NAMESPACE");
  return ns != nullptr && *ns != '\0';
}

}  // namespace

std::optional<int> LaunchRank() {
  if (!LaunchedByMpirun()) return std::nullopt;
  if (std::optional<int> rank = EnvInt("OMPI_COMM_WORLD_RANK")) return rank;
  return EnvInt("PMIX_RANK");
}

std::optional<int> LaunchSize() {
  if (!LaunchedByMpirun()) return std::nullopt;
  return EnvInt("OMPI_COMM_WORLD_SIZE");
}

absl::Status VerifyLaunch() {
  int rank = -1;
  int size = 0;
  {
    std::lock_guard<std::mutex> lock(MpiMutex());
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
  }
  const std::optional<int> env_rank = LaunchRank();
  const std::optional<int> env_size = LaunchSize();
  if (env_rank == rank && env_size == size) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat(
      "executor '", kMpiExecutorName, "': the environment says this is rank ",
      env_rank.value_or(-1), " of an MPI job of ", env_size.value_or(-1),
      " (OMPI_COMM_WORLD_RANK, OMPI_COMM_WORLD_SIZE, PMIX_NAMESPACE), but MPI says rank ", rank,
      " of ", size, ": start the job with mpirun, or unset those variables"));
}

}  // namespace parsweep
