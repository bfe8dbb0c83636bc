// Registry<Base>: the name -> factory table through which parsweep finds its plugins
// (kernels, executors, workloads) at run time, so the tool never names one.
//
// A plugin registers itself with one static Registrar at the bottom of its own .cc file,
// normally through a macro such as PARSWEEP_REGISTER_KERNEL; its Bazel target must be
// `alwayslink` (see parsweep_plugin in copts.bzl) or the linker drops the registrar. With the
// factory it declares a one-line summary and the options it takes (plugin_options.h): the
// registry parses the config's `params` against them before the factory runs, so a factory
// never sees an unknown option or a malformed value, and `sweep --list` prints them.
//
// `Base` provides `using Config = SomeProtoWithAName;`, `using Factory = std::function<...>`
// (taking the Config, the parsed PluginOptions and whatever else Create() is given), and
// `static constexpr const char kKind[]` ("kernel", "executor") for messages.
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
#include "runtime/plugin/plugin_options.h"

namespace parsweep {

// PluginInfo: what `--list` shows of a registered plugin.
struct PluginInfo {
  std::string name;
  std::string summary;
  OptionList options;
};

namespace registry_internal {

// ParamsOf is a config's `params` map, or none for configs without one.
template <typename Config>
auto ParamsOf(const Config& config, int) -> decltype(config.params()) {
  return config.params();
}
template <typename Config>
std::map<std::string, std::string> ParamsOf(const Config&, long) {
  return {};
}

}  // namespace registry_internal

template <typename Base>
class Registry {
 public:
  using Config = typename Base::Config;
  using Factory = typename Base::Factory;

  // Registry::Global is the process-wide registry for `Base`, built on first use so that
  // registrars in other translation units may run in any order.
  static Registry& Global() {
    static Registry* registry = new Registry();
    return *registry;
  }

  // Registry::Register adds `factory` under `name`. Aborts if `name` is already taken.
  void Register(absl::string_view name, std::string summary, OptionList options, Factory factory) {
    absl::MutexLock lock(&mutex_);
    Entry entry{PluginInfo{std::string(name), std::move(summary), std::move(options)},
                std::move(factory)};
    if (!entries_.emplace(std::string(name), std::move(entry)).second) {
      std::fprintf(stderr, "parsweep: %s '%.*s' is registered twice\n", Base::kKind,
                   static_cast<int>(name.size()), name.data());
      std::abort();
    }
  }

  // Registry::Create builds the plugin named by `config.name()` from `config`, with its
  // `params` parsed against the plugin's declared options; `args` go on to the factory.
  // InvalidArgument for a bad option, NotFound for an unknown name.
  template <typename... Args>
  absl::StatusOr<std::unique_ptr<Base>> Create(const Config& config, Args&&... args) const {
    const Entry* entry = nullptr;
    {
      absl::MutexLock lock(&mutex_);
      auto it = entries_.find(config.name());
      if (it == entries_.end()) {
        return absl::NotFoundError(absl::StrCat("unknown ", Base::kKind, " '", config.name(),
                                                "'; known ", Base::kKind,
                                                "s: ", absl::StrJoin(NamesLocked(), ", ")));
      }
      entry = &it->second;  // Entries are never removed.
    }
    absl::StatusOr<PluginOptions> options = PluginOptions::Parse(
        Base::kKind, config.name(), entry->info.options, registry_internal::ParamsOf(config, 0));
    if (!options.ok()) return options.status();
    return entry->factory(config, *options, std::forward<Args>(args)...);
  }

  // Registry::Names lists the registered names in sorted order.
  std::vector<std::string> Names() const {
    absl::MutexLock lock(&mutex_);
    return NamesLocked();
  }

  // Registry::Plugins describes every registered plugin, sorted by name.
  std::vector<PluginInfo> Plugins() const {
    absl::MutexLock lock(&mutex_);
    std::vector<PluginInfo> plugins;
    for (const auto& entry : entries_) plugins.push_back(entry.second.info);
    return plugins;
  }

 private:
  struct Entry {
    PluginInfo info;
    Factory factory;
  };

  Registry() = default;

  std::vector<std::string> NamesLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
    std::vector<std::string> names;
    for (const auto& entry : entries_) names.push_back(entry.first);
    return names;
  }

  mutable absl::Mutex mutex_;
  std::map<std::string, Entry> entries_ ABSL_GUARDED_BY(mutex_);  // Sorted by name.
};

// Registrar registers a factory when constructed; plugins create one as a static object.
template <typename Base>
struct Registrar {
  Registrar(absl::string_view name, std::string summary, typename Registry<Base>::Factory factory,
            OptionList options = {}) {
    Registry<Base>::Global().Register(name, std::move(summary), std::move(options),
                                      std::move(factory));
  }
};

}  // namespace parsweep

#endif  // PARSWEEP_RUNTIME_PLUGIN_REGISTRY_H_
