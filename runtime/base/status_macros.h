// RETURN_IF_ERROR and ASSIGN_OR_RETURN: early return on a non-OK absl::Status(Or).
//
// Debian's Abseil (20220623) has no status_macros.h, so parsweep keeps this small version.
//
// Example:
//   RETURN_IF_ERROR(Validate(spec));
//   ASSIGN_OR_RETURN(Matrix samples, ReadCsvMatrix(path));
#ifndef PARSWEEP_RUNTIME_BASE_STATUS_MACROS_H_
#define PARSWEEP_RUNTIME_BASE_STATUS_MACROS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define PARSWEEP_STATUS_CONCAT_INNER_(a, b) a##b
#define PARSWEEP_STATUS_CONCAT_(a, b) PARSWEEP_STATUS_CONCAT_INNER_(a, b)

// RETURN_IF_ERROR returns `expr`'s status from the enclosing function unless it is OK.
#define RETURN_IF_ERROR(expr)                            \
  do {                                                   \
    ::absl::Status parsweep_status_ = (expr);            \
    if (!parsweep_status_.ok()) return parsweep_status_; \
  } while (false)

// ASSIGN_OR_RETURN evaluates a StatusOr `rexpr`; on error returns its status, otherwise
// declares or assigns `lhs` from its value.
#define ASSIGN_OR_RETURN(lhs, rexpr) \
  PARSWEEP_ASSIGN_OR_RETURN_IMPL_(PARSWEEP_STATUS_CONCAT_(parsweep_statusor_, __LINE__), lhs, rexpr)

#define PARSWEEP_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, rexpr) \
  auto statusor = (rexpr);                                    \
  if (!statusor.ok()) return std::move(statusor).status();    \
  lhs = std::move(statusor).value()

#endif  // PARSWEEP_RUNTIME_BASE_STATUS_MACROS_H_
