#include "executors/mpi/mpi_wire.h"

#include <sched.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "runtime/base/status_macros.h"

namespace parsweep {

absl::Status MpiError(int code, absl::string_view call, int peer) {
  if (code == MPI_SUCCESS) return absl::OkStatus();
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  if (MPI_Error_string(code, text, &length) != MPI_SUCCESS) length = 0;
  return absl::UnavailableError(absl::StrCat("executor '", kMpiExecutorName, "': ", call,
                                             " with rank ", peer,
                                             " failed: ", absl::string_view(text, length)));
}

std::mutex& MpiMutex() {
  static auto* mutex = new std::mutex();
  return *mutex;
}

absl::Status InitMpi(int thread_level) {
  std::lock_guard<std::mutex> lock(MpiMutex());
  int initialized = 0;
  MPI_Initialized(&initialized);
  if (initialized) return absl::OkStatus();
  int provided = 0;
  const int code = MPI_Init_thread(nullptr, nullptr, thread_level, &provided);
  if (code != MPI_SUCCESS) return MpiError(code, "MPI_Init_thread", -1);
  RETURN_IF_ERROR(MpiError(MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN),
                           "MPI_Comm_set_errhandler", -1));
  if (provided < thread_level) {
    return absl::FailedPreconditionError(
        absl::StrCat("executor '", kMpiExecutorName, "': this MPI provides thread level ", provided,
                     ", less than the ", thread_level, " that parsweep needs"));
  }
  return absl::OkStatus();
}

namespace {
constexpr absl::Duration kSpinFor = absl::Milliseconds(1);
constexpr absl::Duration kMaxPollPause = absl::Microseconds(100);
}  // namespace

PollPause::PollPause() : spin_until_(absl::Now() + kSpinFor), pause_(absl::Microseconds(2)) {}

bool PollPause::Wait(absl::Time deadline) {
  const absl::Time now = absl::Now();
  if (now >= deadline) return false;
  if (now < spin_until_) {
    sched_yield();
    return true;
  }
  absl::SleepFor(std::min(pause_, deadline - now));
  pause_ = std::min(2 * pause_, kMaxPollPause);
  return true;
}

absl::StatusOr<bool> Probe(int source, int tag, MPI_Status& status) {
  int ready = 0;
  int code;
  {
    std::lock_guard<std::mutex> lock(MpiMutex());
    code = MPI_Iprobe(source, tag, MPI_COMM_WORLD, &ready, &status);
  }
  if (code != MPI_SUCCESS) return MpiError(code, "MPI_Iprobe", source);
  return ready != 0;
}

absl::StatusOr<bool> CompleteBy(MPI_Request& request, absl::Time deadline, absl::string_view call,
                                int peer) {
  PollPause pause;
  while (true) {
    int done = 0;
    int code;
    {
      std::lock_guard<std::mutex> lock(MpiMutex());
      code = MPI_Test(&request, &done, MPI_STATUS_IGNORE);
    }
    if (code != MPI_SUCCESS) return MpiError(code, call, peer);
    if (done) return true;
    if (!pause.Wait(deadline)) return false;
  }
}

absl::Status ReceiveProbed(const MPI_Status& status, size_t limit, Received& received) {
  int count = 0;
  const int code = MPI_Get_count(&status, MPI_BYTE, &count);
  if (code != MPI_SUCCESS) return MpiError(code, "MPI_Get_count", status.MPI_SOURCE);
  if (count < 0 || static_cast<size_t>(count) > limit) {
    return absl::DataLossError(absl::StrCat("executor '", kMpiExecutorName, "': rank ",
                                            status.MPI_SOURCE, " sent a message of ", count,
                                            " bytes; the limit is ", limit));
  }
  received.source = status.MPI_SOURCE;
  received.tag = status.MPI_TAG;
  received.bytes.resize(static_cast<size_t>(count));
  MPI_Request request;
  int started;
  {
    std::lock_guard<std::mutex> lock(MpiMutex());
    started = MPI_Irecv(received.bytes.data(), count, MPI_BYTE, status.MPI_SOURCE, status.MPI_TAG,
                        MPI_COMM_WORLD, &request);
  }
  RETURN_IF_ERROR(MpiError(started, "MPI_Irecv", status.MPI_SOURCE));
  // The message has arrived (it was probed): what is left is moving its bytes.
  return CompleteBy(request, absl::InfiniteFuture(), "MPI_Irecv", status.MPI_SOURCE).status();
}

absl::StatusOr<bool> ReceiveBy(int source, int tag, size_t limit, absl::Time deadline,
                               Received& received) {
  PollPause pause;
  MPI_Status status;
  while (true) {
    ASSIGN_OR_RETURN(const bool ready, Probe(source, tag, status));
    if (ready) break;
    if (!pause.Wait(deadline)) return false;
  }
  RETURN_IF_ERROR(ReceiveProbed(status, limit, received));
  return true;
}

absl::Status StartSend(absl::string_view bytes, int peer, int tag, MPI_Request& request) {
  if (bytes.size() > kMaxMpiCount) {
    return absl::ResourceExhaustedError(
        absl::StrCat("executor '", kMpiExecutorName, "': a message of ", bytes.size(),
                     " bytes for rank ", peer, " is larger than MPI's int count"));
  }
  int code;
  {
    std::lock_guard<std::mutex> lock(MpiMutex());
    // MPI_Isend's buffer is not const in the C binding of MPI-2, but it is only read.
    code = MPI_Isend(const_cast<char*>(bytes.data()), static_cast<int>(bytes.size()), MPI_BYTE,
                     peer, tag, MPI_COMM_WORLD, &request);
  }
  return MpiError(code, "MPI_Isend", peer);
}

absl::Status SendBytes(absl::string_view bytes, int peer, int tag) {
  MPI_Request request;
  RETURN_IF_ERROR(StartSend(bytes, peer, tag, request));
  return CompleteBy(request, absl::InfiniteFuture(), "MPI_Isend", peer).status();
}

absl::Status SendMessage(const google::protobuf::MessageLite& message, int peer, int tag) {
  return SendBytes(message.SerializeAsString(), peer, tag);
}

absl::Status StartBroadcast(char* data, size_t size, MPI_Request& request) {
  int code;
  {
    std::lock_guard<std::mutex> lock(MpiMutex());
    code = MPI_Ibcast(data, static_cast<int>(std::min(size, kBroadcastPieceBytes)), MPI_BYTE, 0,
                      MPI_COMM_WORLD, &request);
  }
  return MpiError(code, "MPI_Ibcast", 0);
}

absl::Status BroadcastBytes(char* data, size_t size) {
  for (size_t done = 0; done < size; done += kBroadcastPieceBytes) {
    MPI_Request request;
    RETURN_IF_ERROR(StartBroadcast(data + done, size - done, request));
    RETURN_IF_ERROR(CompleteBy(request, absl::InfiniteFuture(), "MPI_Ibcast", 0).status());
  }
  return absl::OkStatus();
}

}  // namespace parsweep
