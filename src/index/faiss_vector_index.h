#pragma once
// VectorIndex over a faiss index built from a factory string, with inner product on vectors this
// class L2-normalizes itself (so scores are cosine similarities).
//
// Ids. Indexes whose removal keeps faiss's own bookkeeping right get our chunk ids directly: IVF
// (native ids; an IDMap around IVF would map the wrong ids after remove_ids, since IVF entries keep
// their insertion positions while IDMap compacts its table) and IDMap2 around anything else that
// removes by compaction (Flat, PQ, SQ, ...). Indexes that cannot remove (HNSW, NSG) get positions:
// we keep the chunk id of every position and a tombstone bit per removed position, filter those
// out of results, and rebuild the index from its own reconstructed vectors once tombstones exceed
// a quarter of the stored vectors. Re-adding an id tombstones its old position and appends, which
// an id-keyed map could not express for such indexes.
//
// Training. IVF and PQ need training; until it happens added vectors sit in an exact (flat) buffer
// that search scans by brute force, so answers are exact and complete before training. Training
// runs in add() once the buffer holds 39 points per centroid of the largest k-means faiss will run
// (nlist for IVF, 2^nbits per PQ sub-quantizer, 256 when the component is not recognised): that is
// the count below which faiss warns that clustering is under-fed. Search never trains: training on
// fewer points would fix a poor clustering into the index for good, while the exact buffer is
// both right and cheap at these sizes.
//
// Search settings: IVF probes max(8, sqrt(nlist)) lists (at most nlist); HNSW's beam (efSearch) is
// max(64, k), since a beam narrower than k cannot return k results and faiss's default of 16 loses
// recall. PQ codebooks skip polysemous training, which only serves L2 Hamming pre-filtering.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <span>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "ragrt/vector_index.h"
#include "util/writer_preferring_mutex.h"

namespace faiss {
struct Index;
}  // namespace faiss

namespace ragrt::index {

class FaissVectorIndex final : public VectorIndex {
 public:
  // Throws kInvalidArgument naming `factory` when dim is 0 or faiss rejects the string for `dim`.
  FaissVectorIndex(std::string factory, size_t dim);
  ~FaissVectorIndex() override;
  // Throws kNotFound when `file` is missing, kIo when it cannot be read, kInvalidModel when it is
  // not an intact index file of this format version.
  static std::unique_ptr<FaissVectorIndex> load(const std::filesystem::path& file);

  size_t dim() const override { return dim_; }
  size_t size() const override;
  std::string description() const override;
  void add(std::span<const int64_t> ids, std::span<const float> vectors) override;
  void remove(std::span<const int64_t> ids) override;
  std::vector<ScoredId> search(std::span<const float> query, size_t k) const override;
  void save(const std::filesystem::path& file) const override;

  // What the tests and diagnostics look at.
  bool trained() const;
  size_t training_threshold() const { return training_threshold_; }  // 0: needs no training
  size_t tombstones() const;  // removed positions not yet rebuilt away (position-keyed indexes)

 private:
  enum class IdMode : uint8_t { kFaissIds = 1, kPositions = 2 };
  struct Buffer;

  FaissVectorIndex(std::string factory, size_t dim, std::unique_ptr<faiss::Index> index);
  void adopt(std::unique_ptr<faiss::Index> index);
  size_t size_locked() const;
  void remove_locked(std::span<const int64_t> ids);
  void insert_trained(size_t n, const float* vectors, const int64_t* ids);
  void train_from_buffer();
  void rebuild_if_mostly_tombstones();
  bool is_tombstone(int64_t position) const {
    return (tombstone_bits_[position >> 3] >> (position & 7)) & 1;
  }
  // Everything but faiss's own bytes, which go to `faiss_bytes` (the payload is both, in order).
  std::vector<uint8_t> serialize(std::vector<uint8_t>& faiss_bytes) const;

  std::string factory_;
  size_t dim_ = 0;
  std::unique_ptr<faiss::Index> index_;
  IdMode mode_ = IdMode::kFaissIds;
  size_t training_threshold_ = 0;
  std::unique_ptr<Buffer> buffer_;  // vectors added before index_ is trained, searched exactly

  std::unordered_set<int64_t> indexed_ids_;  // kFaissIds: ids in index_, to find re-adds cheaply

  std::vector<int64_t> id_at_position_;                  // kPositions: chunk id of each position
  std::unordered_map<int64_t, int64_t> position_of_id_;  // kPositions: live ids only
  std::vector<uint8_t> tombstone_bits_;                  // kPositions: faiss IDSelectorBitmap layout
  size_t tombstone_count_ = 0;

  mutable WriterPreferringMutex mutex_;  // search shared; add, remove exclusive
  mutable std::mutex save_mutex_;      // two saves of this index share one temporary file name
};

}  // namespace ragrt::index
