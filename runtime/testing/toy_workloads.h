// The tutorial's toy tasks as workloads, registered so spawned workers can rebuild them:
//   cube:          Int64Value x -> Int64Value x^3 (a request of 13 fails, one of 17
//                  throws, to test error paths).
//   random_string: Int64Value i -> StringValue of 5 random letters seeded by i, after
//                  sleeping (i == 0 ? 300 : 0) ms, so a parallel executor finishes request
//                  0 last: completion order differs from submission order.
//   counter:       Int64Value -> Int64Value, as fast as possible (dispatch overhead).
#ifndef PARSWEEP_TESTS_TOY_WORKLOADS_H_
#define PARSWEEP_TESTS_TOY_WORKLOADS_H_

#include "runtime/plugin/workload.h"

namespace parsweep {

// MakeToyWorkload builds one of the workloads above by name; it exports itself by name so
// worker processes can rebuild it.
std::unique_ptr<Workload> MakeToyWorkload(const std::string& name);

}  // namespace parsweep

#endif  // PARSWEEP_TESTS_TOY_WORKLOADS_H_
