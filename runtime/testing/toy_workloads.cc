#include "runtime/testing/toy_workloads.h"

#include <fcntl.h>
#include <unistd.h>

#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/wrappers.pb.h"

namespace parsweep {
namespace {

using ::google::protobuf::Int64Value;
using ::google::protobuf::StringValue;

// Exports itself by name, with `config`: these workloads have no state but that to ship.
template <typename Request, typename Response>
class NamedWorkload : public TypedWorkload<Request, Response> {
 public:
  explicit NamedWorkload(std::string name, std::string config = "")
      : name_(std::move(name)), config_(std::move(config)) {}
  absl::StatusOr<ExportedWorkload> Export() const override {
    ExportedWorkload exported;
    exported.spec.set_name(name_);
    exported.spec.set_config(config_);
    return exported;
  }

 protected:
  const std::string& config() const { return config_; }

 private:
  std::string name_;
  std::string config_;
};

class Cube : public NamedWorkload<Int64Value, Int64Value> {
 public:
  Cube() : NamedWorkload("cube") {}
  absl::StatusOr<Int64Value> Compute(const Int64Value& x) const override {
    if (x.value() == 13) return absl::InvalidArgumentError("13 is unlucky");
    if (x.value() == 17) throw std::runtime_error("17 threw");
    Int64Value cube;
    cube.set_value(x.value() * x.value() * x.value());
    return cube;
  }
};

class Counter : public NamedWorkload<Int64Value, Int64Value> {
 public:
  Counter() : NamedWorkload("counter") {}
  absl::StatusOr<Int64Value> Compute(const Int64Value& x) const override { return x; }
};

class GatedStringWorkload : public NamedWorkload<Int64Value, StringValue> {
 public:
  explicit GatedStringWorkload(std::string fifo_path)
      : NamedWorkload("gated_string", std::move(fifo_path)) {}
  absl::StatusOr<StringValue> Compute(const Int64Value& i) const override {
    if (i.value() == 0 && !config().empty()) {
      // Blocks until the test opens the FIFO for writing and sends its byte.
      const int fd = open(config().c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0) return absl::UnavailableError(absl::StrCat("cannot open ", config()));
      char byte;
      const ssize_t got = read(fd, &byte, 1);
      close(fd);
      if (got != 1) return absl::UnavailableError("the gate closed without a byte");
    }
    StringValue s;
    s.set_value(GatedString(i.value()));
    return s;
  }
};

std::vector<char> BlobBytes(uint64_t seed, size_t size) {
  std::mt19937_64 engine(seed);
  std::vector<char> bytes(size);
  for (char& byte : bytes) byte = static_cast<char>(engine() % 251);
  return bytes;
}

int64_t Sum(absl::Span<const char> bytes) {
  int64_t sum = 0;
  for (char byte : bytes) sum += static_cast<unsigned char>(byte);
  return sum;
}

// Config: "seed,size,source,regenerate_wrongly".
class BlobSumWorkload : public TypedWorkload<Int64Value, Int64Value> {
 public:
  BlobSumWorkload(uint64_t seed, size_t size, ExportedBlob::Source source, bool wrongly,
                  absl::Span<const char> bytes, std::shared_ptr<const void> keep_alive)
      : seed_(seed),
        size_(size),
        source_(source),
        wrongly_(wrongly),
        bytes_(bytes),
        keep_alive_(std::move(keep_alive)),
        sum_(Sum(bytes)) {}

  absl::StatusOr<Int64Value> Compute(const Int64Value& i) const override {
    Int64Value answer;
    answer.set_value(i.value() + sum_);
    return answer;
  }

  absl::StatusOr<ExportedWorkload> Export() const override {
    ExportedWorkload exported;
    exported.spec.set_name("blob_sum");
    exported.spec.set_config(
        absl::StrCat(seed_, ",", size_, ",", static_cast<int>(source_), ",", wrongly_ ? 1 : 0));
    exported.blobs.push_back(ExportedBlob{"data", bytes_, source_});
    return exported;
  }

  static absl::StatusOr<std::unique_ptr<Workload>> FromExport(const WorkloadSpec& spec,
                                                              const PluginOptions&,
                                                              const WorkloadBlobs& blobs) {
    const std::vector<std::string> parts = absl::StrSplit(spec.config(), ',');
    uint64_t seed = 0;
    size_t size = 0;
    int source = 0;
    int wrongly = 0;
    if (parts.size() != 4 || !absl::SimpleAtoi(parts[0], &seed) ||
        !absl::SimpleAtoi(parts[1], &size) || !absl::SimpleAtoi(parts[2], &source) ||
        !absl::SimpleAtoi(parts[3], &wrongly)) {
      return absl::DataLossError("bad blob_sum configuration");
    }
    const auto kind = static_cast<ExportedBlob::Source>(source);
    if (std::optional<absl::Span<const char>> bytes = blobs.Find("data")) {
      return std::unique_ptr<Workload>(std::make_unique<BlobSumWorkload>(
          seed, size, kind, wrongly != 0, *bytes, blobs.keep_alive()));
    }
    auto regenerated = std::make_shared<std::vector<char>>(BlobBytes(seed, size));
    if (wrongly != 0 && !regenerated->empty()) (*regenerated)[0] ^= 1;
    if (absl::Status same = blobs.Verify("data", *regenerated); !same.ok()) return same;
    return std::unique_ptr<Workload>(std::make_unique<BlobSumWorkload>(
        seed, size, kind, wrongly != 0, *regenerated, regenerated));
  }

 private:
  uint64_t seed_;
  size_t size_;
  ExportedBlob::Source source_;
  bool wrongly_;
  absl::Span<const char> bytes_;
  std::shared_ptr<const void> keep_alive_;
  int64_t sum_;
};

template <typename T>
absl::StatusOr<std::unique_ptr<Workload>> Make(const WorkloadSpec&, const PluginOptions&,
                                               const WorkloadBlobs&) {
  return std::unique_ptr<Workload>(std::make_unique<T>());
}

absl::StatusOr<std::unique_ptr<Workload>> MakeGated(const WorkloadSpec& spec, const PluginOptions&,
                                                    const WorkloadBlobs&) {
  return std::unique_ptr<Workload>(std::make_unique<GatedStringWorkload>(spec.config()));
}

}  // namespace

std::unique_ptr<Workload> MakeToyWorkload(const std::string& name) {
  WorkloadSpec spec;
  spec.set_name(name);
  absl::StatusOr<std::unique_ptr<Workload>> workload =
      Registry<Workload>::Global().Create(spec, WorkloadBlobs());
  return workload.ok() ? *std::move(workload) : nullptr;
}

std::unique_ptr<Workload> MakeGatedWorkload(const std::string& fifo_path) {
  return std::make_unique<GatedStringWorkload>(fifo_path);
}

std::string GatedString(int64_t i) {
  std::mt19937_64 engine(static_cast<uint64_t>(i));
  std::string s;
  for (int c = 0; c < 5; ++c) s.push_back(static_cast<char>('a' + engine() % 26));
  return s;
}

std::unique_ptr<Workload> MakeBlobWorkload(uint64_t seed, size_t size, ExportedBlob::Source source,
                                           bool regenerate_wrongly) {
  auto bytes = std::make_shared<std::vector<char>>(BlobBytes(seed, size));
  return std::make_unique<BlobSumWorkload>(seed, size, source, regenerate_wrongly, *bytes, bytes);
}

int64_t BlobSum(uint64_t seed, size_t size, int64_t i) { return i + Sum(BlobBytes(seed, size)); }

}  // namespace parsweep

PARSWEEP_REGISTER_WORKLOAD(cube, parsweep::Make<parsweep::Cube>);
PARSWEEP_REGISTER_WORKLOAD(counter, parsweep::Make<parsweep::Counter>);
PARSWEEP_REGISTER_WORKLOAD(gated_string, parsweep::MakeGated);
PARSWEEP_REGISTER_WORKLOAD(blob_sum, parsweep::BlobSumWorkload::FromExport);
