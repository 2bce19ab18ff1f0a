#include "agent/components.h"

namespace ragrt::agent {

std::shared_ptr<ConversationMemory> make_sqlite_memory(const ComponentSpec& spec) {
  const config::YamlReader& r = *spec.reader;
  const YAML::Node& n = spec.node;
  r.only_keys(n, spec.key, {"type", "path", "max_tokens", "max_messages"});
  MemoryParams p;
  if (!n["path"]) r.fail(n, spec.key + ".path", "missing: the SQLite file that keeps conversations");
  p.path = r.path(n["path"], spec.key + ".path");
  if (n["max_tokens"]) p.max_tokens = r.count(n["max_tokens"], spec.key + ".max_tokens", 1);
  if (n["max_messages"]) p.max_messages = r.count(n["max_messages"], spec.key + ".max_messages", 2);
  try {
    return open_sqlite_memory(p);
  } catch (const Error& e) {
    r.fail(n["path"], spec.key + ".path", e.what());
  }
}

}  // namespace ragrt::agent
