#pragma once
// What the config's `vector_store:` selects: the kind of VectorIndex a collection builds over its
// stored embeddings. Types are registered in Registry<VectorStore> (register_builtin_components):
//
//   vector_store: {type: faiss, factory: HNSW32}   # any faiss factory string (default Flat)
//   vector_store: {type: exact}                     # brute-force scan, nothing kept on disk
//
// SQLite stays the source of truth either way (see collection.h): switching types is a one-line
// change, after which the next open rebuilds the index from the stored embeddings.
#include <filesystem>
#include <memory>
#include <string>

#include "ragrt/registry.h"
#include "ragrt/vector_index.h"

namespace ragrt {

class VectorStore {
 public:
  virtual ~VectorStore() = default;
  // Stored with the collection; a different one on open means "rebuild": "Flat", "HNSW32" (faiss
  // factory strings, as collections written before this interface stored them), "exact".
  virtual std::string fingerprint() const = 0;
  virtual std::unique_ptr<VectorIndex> create(size_t dim) const = 0;
  // Whether indexes are saved next to the collection; when not, each open rebuilds from SQLite.
  virtual bool persistent() const = 0;
  // Reads what VectorIndex::save wrote (persistent types only); errors as load_vector_index.
  virtual std::unique_ptr<VectorIndex> load(const std::filesystem::path& file) const = 0;
};

std::shared_ptr<VectorStore> make_faiss_vector_store(const std::string& factory = "Flat");
std::shared_ptr<VectorStore> make_exact_vector_store();

// Registry factories: `vector_store: {type: faiss, factory: …}` and `{type: exact}`.
std::shared_ptr<VectorStore> read_faiss_vector_store(const ComponentSpec& spec);
std::shared_ptr<VectorStore> read_exact_vector_store(const ComponentSpec& spec);

}  // namespace ragrt
