#pragma once
// What the config's `document_store:` selects: where a collection keeps its documents, chunks,
// stored embeddings and keyword (BM25) index. Types are registered in Registry<DocumentStore>
// (register_builtin_components):
//
//   document_store: {type: sqlite}   # the embedded default: <collection>/collection.sqlite (WAL, FTS5)
//
// The chunks and their keyword entries live in one store so that one transaction changes both;
// the vector index is separate (vector_store.h) and rebuilt from the embeddings stored here.
#include <filesystem>
#include <memory>
#include <string>

#include "ragrt/chunk_store.h"
#include "ragrt/keyword_index.h"
#include "ragrt/registry.h"

namespace ragrt {

// An opened store: its chunks and the keyword index over them.
class DocumentDatabase : public ChunkStore, public KeywordIndex {};

class DocumentStore {
 public:
  virtual ~DocumentStore() = default;
  virtual std::string type() const = 0;
  // Opens the store of the collection in `folder`, creating it when `create`. Throws ragrt::Error
  // naming the folder or file: missing (without create), not a collection, unreadable.
  virtual std::unique_ptr<DocumentDatabase> open(const std::filesystem::path& folder, bool create) const = 0;
};

std::shared_ptr<DocumentStore> make_sqlite_document_store();
// Registry factory: `document_store: {type: sqlite}`.
std::shared_ptr<DocumentStore> read_sqlite_document_store(const ComponentSpec& spec);

}  // namespace ragrt
