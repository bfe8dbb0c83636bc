// The MPI wire of the mpi executor, shared by rank 0 (mpi_executor.cc) and the worker ranks
// (mpi_worker.cc): the tags, MPI errors as absl::Status, and waits that never block inside
// MPI, so that a rank that stops answering can be noticed by the one waiting for it.
//
// Every message is one serialized protobuf sent as MPI_BYTEs on MPI_COMM_WORLD (see "Wire"
// in mpi_executor.h). Sends and receives are non-blocking requests polled until done
// (CompleteBy), with the process's MPI calls serialised by MpiMutex(): worker ranks call MPI
// from two threads (the main one, and the heartbeat thread while a batch runs), which
// MPI_THREAD_SERIALIZED allows when no two calls overlap; holding the mutex per call, not
// per wait, lets a heartbeat go out while the main thread waits.
//
// Example (a worker rank):
//   Received message;
//   ASSIGN_OR_RETURN(bool got, ReceiveBy(0, MPI_ANY_TAG, limit, absl::InfiniteFuture(), message));
//   RETURN_IF_ERROR(SendBytes(reply, 0, kTagResult));
#ifndef PARSWEEP_EXECUTORS_MPI_MPI_WIRE_H_
#define PARSWEEP_EXECUTORS_MPI_MPI_WIRE_H_

#include <cstddef>
#include <mutex>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "google/protobuf/message_lite.h"

// Open MPI's mpi.h pulls in its deprecated C++ bindings unless told not to; the C API is
// all parsweep uses (and all that @system//:mpi links).
#define OMPI_SKIP_MPICXX 1
#include <openmpi/mpi.h>

namespace parsweep {

inline constexpr char kMpiExecutorName[] = "mpi";

// Tags on MPI_COMM_WORLD.
enum MpiTag : int {
  kTagStart = 1,      // rank 0 -> worker: WorkerStart
  kTagBatch = 2,      // rank 0 -> worker: WorkBatch
  kTagStop = 3,       // rank 0 -> worker: empty; acknowledge, finalise and exit
  kTagReady = 4,      // worker -> rank 0: WorkerReady
  kTagResult = 5,     // worker -> rank 0: WorkBatchResult
  kTagHeartbeat = 6,  // worker -> rank 0: Heartbeat, while it builds a workload or runs a batch
  kTagPiece = 7,      // worker -> rank 0: ResultPiece, a result too large for one message
  kTagStopped = 8,    // worker -> rank 0: empty; the stop was received
};

// MpiError is OK for MPI_SUCCESS, else Unavailable naming the call, the peer and MPI's text.
absl::Status MpiError(int code, absl::string_view call, int peer);

// MpiMutex serialises this process's MPI calls (see above). A std::mutex, not an
// absl::Mutex: see runtime/scheduling/heartbeat.h.
std::mutex& MpiMutex();

// InitMpi initialises MPI once per process with at least `thread_level` of thread support
// (MPI_THREAD_FUNNELED, MPI_THREAD_SERIALIZED), errors returned rather than fatal
// (MPI_ERRORS_RETURN on MPI_COMM_WORLD).
absl::Status InitMpi(int thread_level);

// PollPause: the pauses of a polling wait. For the first millisecond it only yields the core,
// since a reply or the next batch often follows within microseconds; then it sleeps,
// doubling the pause up to 100 us, so that a long wait costs about 1% of a core and a
// message waits at most about 100 us plus the scheduler's wake-up. MPI_Probe or MPI_Wait
// would instead spin a core for the whole wait (Open MPI busy-polls), taking it from the
// workers on a machine with as many ranks as cores.
class PollPause {
 public:
  PollPause();
  // PollPause::Wait pauses once; false, without pausing, once `deadline` has passed.
  bool Wait(absl::Time deadline);

 private:
  absl::Time spin_until_;
  absl::Duration pause_;
};

// Probe: whether a message from `source` with `tag` (or MPI_ANY_*) can be received now; its
// envelope in `status`.
absl::StatusOr<bool> Probe(int source, int tag, MPI_Status& status);

// CompleteBy polls `request` until it completes (true) or `deadline` passes (false, the
// request still pending). `call` and `peer` name it in errors.
absl::StatusOr<bool> CompleteBy(MPI_Request& request, absl::Time deadline, absl::string_view call,
                                int peer);

// Received: one received message.
struct Received {
  int source = 0;
  int tag = 0;
  std::string bytes;
};

// ReceiveProbed receives the message a Probe found (`status`) into `received`, refusing
// (DataLoss) one larger than `limit` bytes before allocating it; that message is left
// unreceived, and the caller cannot go on.
absl::Status ReceiveProbed(const MPI_Status& status, size_t limit, Received& received);

// ReceiveBy waits until `deadline` for a message from `source` with `tag` (or MPI_ANY_*)
// and receives it (false if none came), as ReceiveProbed.
absl::StatusOr<bool> ReceiveBy(int source, int tag, size_t limit, absl::Time deadline,
                               Received& received);

// SendBytes sends `bytes` to `peer` with `tag` and waits until MPI has taken them.
// ResourceExhausted for more than an MPI count (2^31 - 1 bytes) holds.
absl::Status SendBytes(absl::string_view bytes, int peer, int tag);
absl::Status SendMessage(const google::protobuf::MessageLite& message, int peer, int tag);

// StartSend starts sending `bytes` (which must live until the request completes).
absl::Status StartSend(absl::string_view bytes, int peer, int tag, MPI_Request& request);

// kMaxMpiCount: the most bytes one MPI call moves (its count is an int).
inline constexpr size_t kMaxMpiCount = 2147483647;
// kBroadcastPieceBytes: broadcasts go in pieces of at most this many bytes (1 GiB).
inline constexpr size_t kBroadcastPieceBytes = size_t{1} << 30;

// StartBroadcast starts rank 0's broadcast of `size` (<= kBroadcastPieceBytes) bytes at
// `data` to every rank (MPI_Ibcast: every rank must start the same broadcasts in the same
// order; a blocking MPI_Bcast does not match it).
absl::Status StartBroadcast(char* data, size_t size, MPI_Request& request);

// BroadcastBytes takes part in the broadcasts of `size` bytes at `data` from rank 0, in
// pieces of kBroadcastPieceBytes, waiting for each (a worker rank's side).
absl::Status BroadcastBytes(char* data, size_t size);

}  // namespace parsweep

#endif  // PARSWEEP_EXECUTORS_MPI_MPI_WIRE_H_
