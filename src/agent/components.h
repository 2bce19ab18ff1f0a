#pragma once
// Factories of the agent folder's components for the registries (register_builtin_components).
#include <memory>

#include "ragrt/conversation_memory.h"
#include "ragrt/registry.h"

namespace ragrt::agent {

// memory: {type: sqlite, path: FILE, max_tokens: 2048, max_messages: 200}
std::shared_ptr<ConversationMemory> make_sqlite_memory(const ComponentSpec& spec);

}  // namespace ragrt::agent
