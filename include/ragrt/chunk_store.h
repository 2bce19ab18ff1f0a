#pragma once
// Where documents and their chunks live (SQLite in the embedded default; PostgreSQL later).
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "ragrt/document.h"

namespace ragrt {

// A chunk as stored: its id, the chunk, and the document fields a citation shows.
struct StoredChunk {
  int64_t id = 0;
  Chunk chunk;
  std::string title;   // document title
  std::string source;  // document source file
};

struct DocumentInfo {
  std::string id;
  std::string source;
  std::string title;
  std::string hash;  // content hash the indexer compares to skip unchanged files
  size_t chunks = 0;
  std::map<std::string, std::string> metadata;
};

// Restricts a search. Empty fields restrict nothing; all given conditions must hold.
struct SearchFilter {
  std::vector<std::string> doc_ids;             // chunk's document is one of these
  std::string section_prefix;                   // chunk's section path starts with this
  std::map<std::string, std::string> metadata;  // document metadata key == value, for each pair
  bool empty() const { return doc_ids.empty() && section_prefix.empty() && metadata.empty(); }
};

struct ScoredId {
  int64_t id = 0;
  double score = 0;  // larger is better
};

class ChunkStore {
 public:
  virtual ~ChunkStore() = default;

  // Writes between begin() and commit() become visible (and durable) together; a crash or
  // rollback() in between leaves the previous committed state.
  virtual void begin() = 0;
  virtual void commit() = 0;
  virtual void rollback() = 0;

  virtual std::optional<std::string> document_hash(const std::string& doc_id) const = 0;
  virtual std::vector<DocumentInfo> documents() const = 0;
  // Replaces the document (if present) and all its chunks; `vectors` is empty or one embedding per
  // chunk. Returns the new chunk ids, in chunk order. Ids are never reused.
  virtual std::vector<int64_t> put_document(const Document& doc, const std::string& hash,
                                            const std::vector<Chunk>& chunks,
                                            const std::vector<std::vector<float>>& vectors) = 0;
  // Returns the ids of the chunks removed with the document (empty when it was not there).
  virtual std::vector<int64_t> remove_document(const std::string& doc_id) = 0;

  // The chunks with these ids, in the same order; ids that do not exist are left out.
  virtual std::vector<StoredChunk> chunks(std::span<const int64_t> ids) const = 0;
  // The ids among `ids` whose chunk passes `filter`, order kept.
  virtual std::vector<int64_t> filter_ids(std::span<const int64_t> ids, const SearchFilter& filter) const = 0;
  // Ids of chunks passing `filter` (ascending), at most `limit`; callers pass limit + 1 to learn
  // whether more exist.
  virtual std::vector<int64_t> matching_ids(const SearchFilter& filter, size_t limit) const = 0;
  // Stored embeddings: of `ids` (missing ones left out), or of every chunk when `ids` is empty.
  virtual std::vector<std::pair<int64_t, std::vector<float>>> vectors(std::span<const int64_t> ids) const = 0;
  virtual size_t chunk_count() const = 0;

  // Small named values kept with the collection (embedding model, vector dimension, ...).
  virtual std::optional<std::string> meta(const std::string& key) const = 0;
  virtual void set_meta(const std::string& key, const std::string& value) = 0;
};

}  // namespace ragrt
