#pragma once
// Nearest-neighbour search over chunk embeddings: FAISS in the embedded default. Vectors are
// L2-normalized embeddings and the score is their inner product (cosine similarity).
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "ragrt/chunk_store.h"

namespace ragrt {

class VectorIndex {
 public:
  virtual ~VectorIndex() = default;
  virtual size_t dim() const = 0;
  virtual size_t size() const = 0;  // vectors searchable now
  virtual std::string description() const = 0;
  // Indexes that need training (IVF, PQ) train on the first add once enough vectors arrive; until
  // then they buffer them. `vectors` holds ids.size() * dim() floats.
  virtual void add(std::span<const int64_t> ids, std::span<const float> vectors) = 0;
  virtual void remove(std::span<const int64_t> ids) = 0;
  virtual std::vector<ScoredId> search(std::span<const float> query, size_t k) const = 0;
  // Writes atomically (temporary file, then rename), so a crash never leaves a torn file.
  virtual void save(const std::filesystem::path& file) const = 0;
};

// Builds an empty index from a faiss factory string ("Flat", "HNSW32", "IVF256,PQ16", ...) using
// inner product. Throws ragrt::Error naming the string when faiss rejects it.
std::unique_ptr<VectorIndex> make_vector_index(const std::string& factory, size_t dim);
// Loads what save() wrote; throws ragrt::Error naming the file when it is missing or corrupt.
std::unique_ptr<VectorIndex> load_vector_index(const std::filesystem::path& file);

}  // namespace ragrt
