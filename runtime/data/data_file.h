// ReadDataFile: the whole of a data file, for the CSV and .npy readers, with the errors a
// user should see: NotFound for a file that cannot be opened (with the system's reason),
// InvalidArgument for a directory, DataLoss for a failed read.
//
// Example:
//   ASSIGN_OR_RETURN(std::string bytes, ReadDataFile(path));
#ifndef PARSWEEP_RUNTIME_DATA_DATA_FILE_H_
#define PARSWEEP_RUNTIME_DATA_DATA_FILE_H_

#include <string>

#include "absl/status/statusor.h"

namespace parsweep {

absl::StatusOr<std::string> ReadDataFile(const std::string& path);

}  // namespace parsweep

#endif  // PARSWEEP_RUNTIME_DATA_DATA_FILE_H_
