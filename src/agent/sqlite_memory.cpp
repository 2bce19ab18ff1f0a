#include <algorithm>
#include <mutex>

#include "index/sqlite_db.h"
#include "ragrt/conversation_memory.h"
#include "ragrt/error.h"
#include "text/utf8.h"

namespace ragrt {
namespace {

class SqliteMemory final : public ConversationMemory {
 public:
  explicit SqliteMemory(const MemoryParams& params) : params_(params), db_(open(params.path), /*create=*/true) {
    db_.exec(
        "CREATE TABLE IF NOT EXISTS memory_messages ("
        "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
        "  session TEXT NOT NULL,"
        "  message TEXT NOT NULL,"
        "  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')));"
        "CREATE INDEX IF NOT EXISTS memory_messages_session ON memory_messages (session, id);");
  }

  std::vector<ChatMessage> history(const std::string& session, size_t token_budget,
                                   const TokenCounter& count) const override {
    check_session_id(session);
    std::vector<ChatMessage> all;
    {
      std::lock_guard lock(mutex_);
      auto stmt = db_.prepare("SELECT message FROM memory_messages WHERE session = ?1 ORDER BY id");
      stmt.bind(1, session);
      while (stmt.step()) all.push_back(ChatMessage::parse(stmt.column_text(0)));
    }
    // Newest first until the budget is spent, system messages always; a turn is only ever cut
    // before a user message, so an answer never appears without its question.
    std::vector<bool> keep(all.size(), false);
    size_t used = 0;
    for (const auto& m : all) {
      if (m.value("role", "") == "system") used += count(m);
    }
    size_t start = all.size();
    for (size_t i = all.size(); i-- > 0;) {
      if (all[i].value("role", "") == "system") continue;
      used += count(all[i]);
      if (used > token_budget) break;
      if (all[i].value("role", "") == "user") start = i;
    }
    std::vector<ChatMessage> out;
    for (size_t i = 0; i < all.size(); ++i) {
      if (i >= start || all[i].value("role", "") == "system") out.push_back(std::move(all[i]));
    }
    return out;
  }

  void append(const std::string& session, const std::vector<ChatMessage>& messages) override {
    check_session_id(session);
    std::lock_guard lock(mutex_);
    index::SqliteTransaction tx(db_);
    auto insert = db_.prepare("INSERT INTO memory_messages (session, message) VALUES (?1, ?2)");
    for (const auto& m : messages) {
      RAGRT_THROW_IF_NOT_KIND(m.is_object() && m.contains("role"), ErrorKind::kInvalidArgument,
                              "memory: a message must be an object with a role");
      insert.bind(1, session).bind(2, m.dump());
      insert.run();
      insert.reset();
    }
    // Beyond max_messages the oldest go; system messages stay.
    auto trim = db_.prepare(
        "DELETE FROM memory_messages WHERE session = ?1 AND id IN ("
        "  SELECT id FROM memory_messages WHERE session = ?1"
        "  ORDER BY json_extract(message, '$.role') = 'system' DESC, id DESC LIMIT -1 OFFSET ?2)");
    trim.bind(1, session).bind(2, static_cast<int64_t>(params_.max_messages));
    trim.run();
    tx.commit();
  }

  void clear(const std::string& session) override {
    check_session_id(session);
    std::lock_guard lock(mutex_);
    auto stmt = db_.prepare("DELETE FROM memory_messages WHERE session = ?1");
    stmt.bind(1, session);
    stmt.run();
  }

  const MemoryParams& params() const override { return params_; }

 private:
  static const std::filesystem::path& open(const std::filesystem::path& path) {
    RAGRT_THROW_IF_NOT_KIND(!path.empty(), ErrorKind::kInvalidArgument, "memory: no database path");
    if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path());
    return path;
  }

  MemoryParams params_;
  mutable std::mutex mutex_;
  mutable index::SqliteDb db_;
};

}  // namespace

std::unique_ptr<ConversationMemory> open_sqlite_memory(const MemoryParams& params) {
  return std::make_unique<SqliteMemory>(params);
}

void check_session_id(const std::string& session) {
  const bool ok = !session.empty() && session.size() <= 128 &&
                  std::all_of(session.begin(), session.end(), [](char c) {
                    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                           c == '.' || c == '_' || c == ':' || c == '@' || c == '-';
                  });
  RAGRT_THROW_IF_NOT_KIND(ok, ErrorKind::kInvalidArgument,
                          "session id '{}' is not valid: use 1-128 characters of letters, digits and . _ : @ -",
                          session.size() > 40 ? session.substr(0, 40) + "…" : session);
}

size_t estimate_tokens(const ChatMessage& message) {
  size_t tokens = 4;
  auto add = [&](const std::string& text) {
    size_t ascii = 0;
    for (unsigned char c : text) {
      if (c < 0x80) ++ascii;
      else if ((c & 0xC0) != 0x80) ++tokens;  // each non-ASCII character: about a token
    }
    tokens += (ascii + 3) / 4;
  };
  if (message.contains("content") && message["content"].is_string()) add(message["content"].get<std::string>());
  if (message.contains("tool_calls")) add(message["tool_calls"].dump());
  return tokens;
}

}  // namespace ragrt
