#pragma once
// Plugins by type name (as faiss's index_factory builds an index from a string): every replaceable
// component interface has one registry, implementations add a factory under a type name, and the
// config's `type:` picks one. An unknown type is an error listing the registered ones.
//
//   Registry<Tool>::instance().add("http", make_http_tool);
//   auto tool = Registry<Tool>::instance().create({"order_status", "tools.order_status", node, &reader});
//
// Registries: Embedder, Reranker, DocumentStore, VectorStore, Retriever, Generator, Tool,
// ConversationMemory, Pipeline. Factories run when a config's graph is built, so a mistake in a
// section fails that build (a reload keeps the old graph); a factory that loads a large model
// should return an object that loads it on first use.
//
// The built-in types are added by register_builtin_components() (src/config/builtin_components.cpp),
// explicitly rather than by static initializers, which a static library would drop. Config loading
// calls it; an application adds its own types the same way before loading a config.
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <yaml-cpp/yaml.h>

#include "ragrt/error.h"
#include "ragrt/yaml_reader.h"

namespace ragrt {

class KnowledgeBase;

// What a factory reads: its YAML mapping (including `type`), where it sits for messages, and the
// reader that reports mistakes with file, line and column.
struct ComponentSpec {
  std::string name;  // the entry's name ("order_status"), or the section's ("vector_store")
  std::string key;   // dotted path for messages: "tools.order_status"
  YAML::Node node;
  const config::YamlReader* reader = nullptr;
  // The names in the config's `tools:` section, for components that refer to tools (pipelines).
  std::vector<std::string> tools;
  // For retrievers: the knowledge base they search (its collection, models and other retrievers).
  // Retrievers are built while it opens, so keep the pointer and use it when searching.
  const KnowledgeBase* knowledge_base = nullptr;
};

template <class Interface>
class Registry {
 public:
  using Factory = std::function<std::shared_ptr<Interface>(const ComponentSpec&)>;

  static Registry& instance() {
    static Registry registry;
    return registry;
  }

  void add(const std::string& type, Factory factory) {
    std::lock_guard lock(mutex_);
    factories_[type] = std::move(factory);
  }
  bool has(const std::string& type) const {
    std::lock_guard lock(mutex_);
    return factories_.count(type) > 0;
  }
  std::vector<std::string> types() const {
    std::lock_guard lock(mutex_);
    std::vector<std::string> out;
    for (const auto& [type, f] : factories_) out.push_back(type);
    return out;
  }

  // Reads spec.node["type"] (`default_type` when the section has none and it is not empty) and
  // builds it; messages name spec.key and the place in the file.
  std::shared_ptr<Interface> create(const ComponentSpec& spec, const std::string& default_type = "") const {
    const config::YamlReader& r = *spec.reader;
    r.require_map(spec.node, spec.key);
    if (!spec.node["type"] && default_type.empty())
      r.fail(spec.node, spec.key + ".type", fmt::format("missing (one of: {})", fmt::join(types(), ", ")));
    const std::string type = spec.node["type"] ? r.string(spec.node["type"], spec.key + ".type") : default_type;
    Factory factory;
    {
      std::lock_guard lock(mutex_);
      auto it = factories_.find(type);
      if (it != factories_.end()) factory = it->second;
    }
    if (!factory) {
      r.fail(spec.node["type"], spec.key + ".type",
             fmt::format("unknown type '{}' (registered: {})", type, fmt::join(types(), ", ")));
    }
    return factory(spec);
  }

 private:
  mutable std::mutex mutex_;
  std::map<std::string, Factory> factories_;
};

// Adds every built-in type to its registry; idempotent and thread-safe.
void register_builtin_components();

}  // namespace ragrt
