#include "index/keyword_analyzer.h"

#include <sqlite3.h>

#include <memory>

#include "index/keyword_text.h"
#include "ragrt/error.h"

namespace ragrt::index {
namespace {

// An in-memory connection only to reach the FTS5 API, and one porter tokenizer from it.
class PorterTokenizer {
 public:
  PorterTokenizer() {
    RAGRT_THROW_IF_NOT_KIND(sqlite3_open(":memory:", &db_) == SQLITE_OK, ErrorKind::kRuntime,
                            "cannot open an in-memory SQLite database for the FTS5 tokenizer");
    fts5_api* api = nullptr;
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, "SELECT fts5(?1)", -1, &stmt, nullptr) == SQLITE_OK) {
      sqlite3_bind_pointer(stmt, 1, &api, "fts5_api_ptr", nullptr);
      sqlite3_step(stmt);
    }
    sqlite3_finalize(stmt);
    RAGRT_THROW_IF_NOT_KIND(api != nullptr, ErrorKind::kRuntime, "this SQLite has no FTS5");
    void* user = nullptr;
    RAGRT_THROW_IF_NOT_KIND(api->xFindTokenizer(api, "porter", &user, &methods_) == SQLITE_OK, ErrorKind::kRuntime,
                            "SQLite's FTS5 has no porter tokenizer");
    const char* args[] = {"unicode61", "remove_diacritics", "2"};
    RAGRT_THROW_IF_NOT_KIND(methods_.xCreate(user, args, 3, &tokenizer_) == SQLITE_OK, ErrorKind::kRuntime,
                            "cannot create SQLite's porter tokenizer");
  }
  ~PorterTokenizer() {
    if (tokenizer_) methods_.xDelete(tokenizer_);
    sqlite3_close(db_);
  }
  PorterTokenizer(const PorterTokenizer&) = delete;
  PorterTokenizer& operator=(const PorterTokenizer&) = delete;

  std::vector<std::string> terms(const std::string& text) {
    std::vector<std::string> out;
    methods_.xTokenize(tokenizer_, &out, FTS5_TOKENIZE_DOCUMENT, text.data(), static_cast<int>(text.size()),
                       [](void* ctx, int, const char* token, int n, int, int) {
                         static_cast<std::vector<std::string>*>(ctx)->emplace_back(token, static_cast<size_t>(n));
                         return SQLITE_OK;
                       });
    return out;
  }

 private:
  sqlite3* db_ = nullptr;
  fts5_tokenizer methods_{};
  Fts5Tokenizer* tokenizer_ = nullptr;
};

}  // namespace

std::vector<std::string> keyword_analyzed_terms(std::string_view text) {
  thread_local PorterTokenizer tokenizer;
  return tokenizer.terms(keyword_document_text(text));
}

}  // namespace ragrt::index
