#pragma once
// The embedded store: one SQLite file (WAL) holding documents, chunks with their embeddings, and
// an FTS5 table for BM25. Implements ChunkStore and KeywordIndex over the same connection, so a
// document's chunks and its keyword entries change in one transaction.
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "index/sqlite_db.h"
#include "ragrt/document_store.h"

namespace ragrt::index {

class SqliteStore final : public DocumentDatabase {
 public:
  // Opens `file`, creating it and its tables when `create`.
  SqliteStore(const std::filesystem::path& file, bool create);

  void begin() override;
  void commit() override;
  void rollback() override;

  std::optional<std::string> document_hash(const std::string& doc_id) const override;
  std::vector<DocumentInfo> documents() const override;
  std::vector<int64_t> put_document(const Document& doc, const std::string& hash, const std::vector<Chunk>& chunks,
                                    const std::vector<std::vector<float>>& vectors) override;
  std::vector<int64_t> remove_document(const std::string& doc_id) override;
  std::vector<StoredChunk> chunks(std::span<const int64_t> ids) const override;
  std::vector<int64_t> filter_ids(std::span<const int64_t> ids, const SearchFilter& filter) const override;
  std::vector<int64_t> matching_ids(const SearchFilter& filter, size_t limit) const override;
  std::vector<std::pair<int64_t, std::vector<float>>> vectors(std::span<const int64_t> ids) const override;
  size_t chunk_count() const override;
  std::optional<std::string> meta(const std::string& key) const override;
  void set_meta(const std::string& key, const std::string& value) override;

  std::vector<ScoredId> keyword_search(std::string_view query, size_t k, const SearchFilter& filter) const override;

 private:
  std::vector<int64_t> remove_document_locked(const std::string& doc_id);
  // The query terms worth matching: those in at most half of the chunks, or all when none is.
  std::vector<std::string> selective_terms(std::string_view query) const;
  void forget_term_stats() const;

  mutable std::recursive_mutex mu_;  // one connection, used from any thread
  mutable SqliteDb db_;
  bool in_transaction_ = false;
  // Document frequencies of query terms, valid while neither this connection (cleared on write)
  // nor another one (PRAGMA data_version) changed the database.
  mutable std::unordered_map<std::string, int64_t> term_docs_;
  mutable int64_t term_docs_version_ = -1;
  mutable int64_t term_docs_total_ = -1;
};

}  // namespace ragrt::index
