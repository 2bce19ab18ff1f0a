#pragma once
// Nearest-neighbour search over chunk embeddings: FAISS in the embedded default. The index
// L2-normalizes what add() and search() get (a zero vector stays zero), so the score is cosine
// similarity whether or not the embedder normalized.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "ragrt/chunk_store.h"

namespace ragrt {

// search() may run on many threads at once; add(), remove() and save() may run beside searches
// (add and remove wait for them).
class VectorIndex {
 public:
  virtual ~VectorIndex() = default;
  virtual size_t dim() const = 0;
  virtual size_t size() const = 0;  // vectors searchable now, buffered untrained ones included
  virtual std::string description() const = 0;  // e.g. "faiss HNSW32 (dim 384, 1234 vectors)"
  // `vectors` holds ids.size() * dim() floats; ids are >= 0. An id already present is replaced
  // (within one call, its last vector wins). Indexes that need training (IVF, PQ) keep vectors in
  // an exact buffer, searched by brute force, until enough have arrived, then train and move them
  // into the index. Throws kInvalidArgument on a size mismatch or a negative id.
  virtual void add(std::span<const int64_t> ids, std::span<const float> vectors) = 0;
  // Ids that are not present are ignored.
  virtual void remove(std::span<const int64_t> ids) = 0;
  // At most k results, best first, never a removed id. Empty when k is 0 or the index is empty;
  // throws kInvalidArgument when query.size() != dim().
  virtual std::vector<ScoredId> search(std::span<const float> query, size_t k) const = 0;
  // Writes atomically (temporary `file`.tmp, fsync, rename, fsync of the folder), so a crash never
  // leaves a torn file. Throws kIo when the file cannot be written.
  virtual void save(const std::filesystem::path& file) const = 0;
};

// Builds an empty index from a faiss factory string ("Flat", "HNSW32", "IVF256,Flat",
// "IVF256,PQ16", ...) using inner product. Throws kInvalidArgument naming the string when faiss
// rejects it or the dimension (0, or not divisible by the PQ size).
std::unique_ptr<VectorIndex> make_vector_index(const std::string& factory, size_t dim);
// Loads what save() wrote. Throws kNotFound when `file` is missing, kIo when it cannot be read, and
// kInvalidModel when it is truncated, damaged (checksum), of another format version or otherwise
// not an index file: the caller then rebuilds the index from the vectors in its ChunkStore.
std::unique_ptr<VectorIndex> load_vector_index(const std::filesystem::path& file);

}  // namespace ragrt
