#include "tests/toy_workloads.h"

#include <chrono>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>

#include "google/protobuf/wrappers.pb.h"

namespace parsweep {
namespace {

using ::google::protobuf::Int64Value;
using ::google::protobuf::StringValue;

// Exports itself by name: these workloads have no state to ship.
template <typename Request, typename Response>
class NamedWorkload : public TypedWorkload<Request, Response> {
 public:
  explicit NamedWorkload(std::string name) : name_(std::move(name)) {}
  absl::StatusOr<ExportedWorkload> Export() const override {
    ExportedWorkload exported;
    exported.spec.set_name(name_);
    return exported;
  }

 private:
  std::string name_;
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

class RandomString : public NamedWorkload<Int64Value, StringValue> {
 public:
  RandomString() : NamedWorkload("random_string") {}
  absl::StatusOr<StringValue> Compute(const Int64Value& i) const override {
    if (i.value() == 0) std::this_thread::sleep_for(std::chrono::milliseconds(300));
    std::mt19937_64 engine(static_cast<uint64_t>(i.value()));
    StringValue s;
    for (int c = 0; c < 5; ++c) s.mutable_value()->push_back('a' + engine() % 26);
    return s;
  }
};

class Counter : public NamedWorkload<Int64Value, Int64Value> {
 public:
  Counter() : NamedWorkload("counter") {}
  absl::StatusOr<Int64Value> Compute(const Int64Value& x) const override { return x; }
};

template <typename T>
absl::StatusOr<std::unique_ptr<Workload>> Make(const WorkloadSpec&, const PluginOptions&) {
  return std::unique_ptr<Workload>(std::make_unique<T>());
}

}  // namespace

std::unique_ptr<Workload> MakeToyWorkload(const std::string& name) {
  WorkloadSpec spec;
  spec.set_name(name);
  absl::StatusOr<std::unique_ptr<Workload>> workload = Registry<Workload>::Global().Create(spec);
  return workload.ok() ? *std::move(workload) : nullptr;
}

}  // namespace parsweep

PARSWEEP_REGISTER_WORKLOAD(cube, parsweep::Make<parsweep::Cube>);
PARSWEEP_REGISTER_WORKLOAD(random_string, parsweep::Make<parsweep::RandomString>);
PARSWEEP_REGISTER_WORKLOAD(counter, parsweep::Make<parsweep::Counter>);
