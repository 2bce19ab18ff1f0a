#pragma once
// One index folder: the document store with its keyword index (collection.sqlite by default, see
// document_store.h) and the vector index next to it (vectors-<generation>.faiss). The document
// store is the source of truth: chunk embeddings are stored there too, and every commit that
// changes them bumps a generation number in the same transaction. The FAISS file is a cache named
// after the generation it holds, written atomically after the commit; when the process dies before
// it is written, the next open finds no file for the committed generation and rebuilds the index
// from the stored embeddings. So a kill -9 at any moment leaves the last committed state readable,
// never a torn or stale vector index.
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ragrt/chunk_store.h"
#include "ragrt/document_store.h"
#include "ragrt/keyword_index.h"
#include "ragrt/vector_index.h"
#include "ragrt/vector_store.h"

namespace ragrt {

struct CollectionParams {
  std::filesystem::path folder;
  // Keeps documents, chunks, embeddings and the keyword index; default sqlite.
  std::shared_ptr<const DocumentStore> document_store;
  // Builds the vector index when it is (re)built; default faiss Flat.
  std::shared_ptr<const VectorStore> vector_store;
  bool create = false;                  // create the folder and database when missing
  // Writers hold an exclusive lock on the folder so two indexers never interleave; readers don't.
  bool writer = false;
};

class Collection {
 public:
  // Throws ragrt::Error naming the folder: missing (without create), not a collection, locked by
  // another writer.
  static std::unique_ptr<Collection> open(const CollectionParams& params);
  ~Collection();

  const std::filesystem::path& folder() const;
  ChunkStore& store();
  const ChunkStore& store() const;
  const KeywordIndex& keywords() const;
  // The vector index for the committed embeddings, loaded or rebuilt on first use; nullptr when
  // the collection holds no embeddings. A reader reloads it when another process has committed
  // new embeddings since; the index handed out stays valid for as long as the caller holds it.
  std::shared_ptr<const VectorIndex> vectors() const;
  size_t vector_dim() const;  // 0 when no embeddings were stored

  // Writes (writer only). Between begin() and commit() the changes are invisible to other
  // processes; commit() makes them durable and brings the in-memory vector index up to date.
  void begin();
  std::vector<int64_t> put_document(const Document& doc, const std::string& hash, const std::vector<Chunk>& chunks,
                                    const std::vector<std::vector<float>>& vectors);
  void remove_document(const std::string& doc_id);
  void commit();
  void rollback();
  // Writes the vector index file for the committed generation (atomically) and deletes older ones.
  // Cheap to skip: without it the next open rebuilds from SQLite.
  void save_vectors();

 private:
  struct Impl;
  explicit Collection(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace ragrt
