// Registry<Base>: the name -> factory table through which parsweep finds its plugins
// (kernels and executors) at run time, so the tool never names one.
//
// A plugin registers itself with one static Registrar at the bottom of its own .cc file,
// normally through a macro such as PARSWEEP_REGISTER_KERNEL; its Bazel target must be
// `alwayslink` (see parsweep_plugin in copts.bzl) or the linker drops the registrar.
// `Base` provides `using Config = SomeProtoWithAName;` and `static constexpr const char
// kKind[]` ("kernel", "executor") for messages.
//
// Registering a name twice is a programming error and aborts at start-up. Lookups are
// thread-safe; an unknown name is NotFound and the message lists every registered name.
//
// Example:
//   ASSIGN_OR_RETURN(std::unique_ptr<Kernel> kernel,
//                    Registry<Kernel>::Global().Create(spec.kernel()));
#ifndef PARSWEEP_RUNTIME_PLUGIN_REGISTRY_H_
#define PARSWEEP_RUNTIME_PLUGIN_REGISTRY_H_

#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"

namespace parsweep {

template <typename Base>
class Registry {
 public:
  using Config = typename Base::Config;
  using Factory = std::function<absl::StatusOr<std::unique_ptr<Base>>(const Config&)>;

  // Registry::Global is the process-wide registry for `Base`, built on first use so that
  // registrars in other translation units may run in any order.
  static Registry& Global() {
    static Registry* registry = new Registry();
    return *registry;
  }

  // Registry::Register adds `factory` under `name`. Aborts if `name` is already taken.
  void Register(absl::string_view name, Factory factory) {
    absl::MutexLock lock(&mutex_);
    if (!factories_.emplace(std::string(name), std::move(factory)).second) {
      std::fprintf(stderr, "parsweep: %s '%.*s' is registered twice\n", Base::kKind,
                   static_cast<int>(name.size()), name.data());
      std::abort();
    }
  }

  // Registry::Create builds the plugin named by `config.name()` from `config`.
  absl::StatusOr<std::unique_ptr<Base>> Create(const Config& config) const {
    Factory factory;
    {
      absl::MutexLock lock(&mutex_);
      auto it = factories_.find(config.name());
      if (it == factories_.end()) {
        return absl::NotFoundError(absl::StrCat("unknown ", Base::kKind, " '", config.name(),
                                                "'; known ", Base::kKind, "s: ",
                                                absl::StrJoin(NamesLocked(), ", ")));
      }
      factory = it->second;
    }
    return factory(config);
  }

  // Registry::Names lists the registered names in sorted order.
  std::vector<std::string> Names() const {
    absl::MutexLock lock(&mutex_);
    return NamesLocked();
  }

 private:
  Registry() = default;

  std::vector<std::string> NamesLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
    std::vector<std::string> names;
    for (const auto& entry : factories_) names.push_back(entry.first);
    return names;
  }

  mutable absl::Mutex mutex_;
  std::map<std::string, Factory> factories_ ABSL_GUARDED_BY(mutex_);  // Sorted by name.
};

// Registrar registers a factory when constructed; plugins create one as a static object.
template <typename Base>
struct Registrar {
  Registrar(absl::string_view name, typename Registry<Base>::Factory factory) {
    Registry<Base>::Global().Register(name, std::move(factory));
  }
};

// RejectUnknownParams is for factories: InvalidArgument naming the first key of `params`
// that is not in `known`, and listing the keys the plugin does take.
template <typename Map>
absl::Status RejectUnknownParams(absl::string_view kind, absl::string_view plugin,
                                 const Map& params, std::vector<absl::string_view> known) {
  for (const auto& entry : params) {
    bool found = false;
    for (absl::string_view name : known) found = found || name == entry.first;
    if (!found) {
      return absl::InvalidArgumentError(absl::StrCat(
          kind, " '", plugin, "' has no parameter '", entry.first, "'",
          known.empty() ? std::string("; it takes none")
                        : absl::StrCat("; it takes: ", absl::StrJoin(known, ", "))));
    }
  }
  return absl::OkStatus();
}

}  // namespace parsweep

#endif  // PARSWEEP_RUNTIME_PLUGIN_REGISTRY_H_
