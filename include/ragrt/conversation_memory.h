#pragma once
// Conversation memory per session id: the turns of a conversation, kept so that `ragrt ask
// --session ID` and the server's chats continue where they left off, also after a restart. The
// config's `memory:` section picks the implementation by type (`sqlite`, the embedded default):
//
//   memory: {type: sqlite, path: data/memory.sqlite, max_tokens: 2048}
#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "ragrt/generator.h"

namespace ragrt {

struct MemoryParams {
  std::filesystem::path path;  // sqlite: the database file, created when missing
  size_t max_tokens = 2048;    // budget of the history handed to a prompt
  size_t max_messages = 200;   // stored per session; older ones are deleted
};

class ConversationMemory {
 public:
  // Measures a message in tokens (the generator's tokenizer, or an estimate without one).
  using TokenCounter = std::function<size_t(const ChatMessage&)>;

  virtual ~ConversationMemory() = default;
  // The session's messages in order, the oldest dropped first until the rest fits `token_budget`;
  // system messages are always kept. Unknown sessions have no messages.
  virtual std::vector<ChatMessage> history(const std::string& session, size_t token_budget,
                                           const TokenCounter& count) const = 0;
  // Appends in one transaction: either all of `messages` are stored or none.
  virtual void append(const std::string& session, const std::vector<ChatMessage>& messages) = 0;
  virtual void clear(const std::string& session) = 0;
  virtual const MemoryParams& params() const = 0;
};

// SQLite (WAL) at params.path. Thread-safe. Throws ragrt::Error naming the file when it cannot
// be opened or is not a memory database.
std::unique_ptr<ConversationMemory> open_sqlite_memory(const MemoryParams& params);

// A session id is 1-128 characters of [A-Za-z0-9._:@-]; anything else is rejected with a message.
void check_session_id(const std::string& session);

// Rough token count for when no tokenizer is at hand: a token per 4 bytes of ASCII, one per CJK
// character, plus a few per message for the chat template's markup.
size_t estimate_tokens(const ChatMessage& message);

}  // namespace ragrt
