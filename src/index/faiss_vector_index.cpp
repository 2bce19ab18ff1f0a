#include "index/faiss_vector_index.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <climits>
#include <cmath>
#include <cstring>
#include <fstream>
#include <initializer_list>
#include <optional>
#include <utility>

#include <faiss/IVFlib.h>
#include <faiss/IndexFlat.h>
#include <faiss/IndexHNSW.h>
#include <faiss/IndexIDMap.h>
#include <faiss/IndexIVF.h>
#include <faiss/IndexIVFPQ.h>
#include <faiss/IndexPQ.h>
#include <faiss/IndexPreTransform.h>
#include <faiss/impl/FaissException.h>
#include <faiss/impl/IDSelector.h>
#include <faiss/impl/io.h>
#include <faiss/index_factory.h>
#include <faiss/index_io.h>
#include <openssl/evp.h>

#include "index/exact_inner_product.h"
#include "ragrt/error.h"

namespace ragrt::index {

namespace {

using FaissId = faiss::Index::idx_t;

// File layout: magic, format version (u32), payload size (u64), SHA-256 of the payload, payload.
// Numbers are stored little-endian as the machines we run on hold them.
constexpr std::array<char, 8> kMagic = {'R', 'A', 'G', 'R', 'T', 'V', 'E', 'C'};
constexpr uint32_t kFormatVersion = 1;
constexpr size_t kDigestSize = 32;
constexpr size_t kHeaderSize = kMagic.size() + sizeof(uint32_t) + sizeof(uint64_t) + kDigestSize;

// Below this many training points per centroid faiss's k-means warns that it is under-fed.
constexpr size_t kPointsPerCentroid = 39;
// Centroids of a trainable component we do not recognise: faiss's usual 8-bit codebook.
constexpr size_t kUnknownCodebookSize = 256;
// IVF lists probed per query: about sqrt(nlist), which balances scanning lists against missing
// neighbours in unprobed ones, but at least 8 so small nlist keeps near-exact recall.
constexpr size_t kMinProbes = 8;
// HNSW beam width when faiss's default (16) is lower. On 2000 random unit vectors of dimension 32,
// recall@10 is 0.93 at 16 and 1.0 at 64, for up to 4x the distance computations per query.
constexpr int kDefaultEfSearch = 64;

struct Sha256 {
  std::array<uint8_t, kDigestSize> digest{};
  explicit Sha256(std::initializer_list<std::span<const uint8_t>> parts) {
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    bool ok = ctx && EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) == 1;
    for (auto part : parts) ok = ok && EVP_DigestUpdate(ctx.get(), part.data(), part.size()) == 1;
    unsigned int length = 0;
    ok = ok && EVP_DigestFinal_ex(ctx.get(), digest.data(), &length) == 1 && length == kDigestSize;
    RAGRT_THROW_IF_NOT(ok, "OpenSSL could not compute the SHA-256 checksum of a vector index");
  }
};

[[noreturn]] void throw_corrupt(const std::filesystem::path& file, const std::string& why) {
  RAGRT_THROW_KIND(ErrorKind::kInvalidModel,
                   "vector index file {} is unusable: {}; the vector index will be rebuilt from the document store",
                   file.string(), why);
}

[[noreturn]] void throw_faiss(const std::string& factory, const char* operation, const std::exception& e) {
  RAGRT_THROW("faiss {} index: {} failed: {}", factory, operation, e.what());
}

class ByteWriter {
 public:
  template <class T>
  void pod(T value) {
    const auto* p = reinterpret_cast<const uint8_t*>(&value);
    bytes_.insert(bytes_.end(), p, p + sizeof(T));
  }
  template <class T>
  void array(std::span<const T> values) {
    pod<uint64_t>(values.size());
    const auto* p = reinterpret_cast<const uint8_t*>(values.data());
    bytes_.insert(bytes_.end(), p, p + values.size_bytes());
  }
  void string(const std::string& s) { array(std::span<const char>(s.data(), s.size())); }
  std::vector<uint8_t>& bytes() { return bytes_; }

 private:
  std::vector<uint8_t> bytes_;
};

// Reads what ByteWriter wrote; any overrun means the file lies about its own sizes.
class ByteReader {
 public:
  ByteReader(std::span<const uint8_t> bytes, const std::filesystem::path& file) : bytes_(bytes), file_(file) {}
  template <class T>
  T pod() {
    T value;
    std::memcpy(&value, take(sizeof(T)).data(), sizeof(T));
    return value;
  }
  template <class T>
  std::vector<T> array() {
    auto count = pod<uint64_t>();
    if (count > remaining() / sizeof(T)) throw_corrupt(file_, "a stored array is longer than the file");
    auto stored = take(count * sizeof(T));
    std::vector<T> values(count);
    if (count > 0) std::memcpy(values.data(), stored.data(), stored.size());
    return values;
  }
  std::string string() {
    auto chars = array<char>();
    return std::string(chars.begin(), chars.end());
  }
  std::span<const uint8_t> take(size_t n) {
    if (n > remaining()) throw_corrupt(file_, "a stored field runs past the end of the payload");
    auto part = bytes_.subspan(pos_, n);
    pos_ += n;
    return part;
  }
  size_t remaining() const { return bytes_.size() - pos_; }

 private:
  std::span<const uint8_t> bytes_;
  size_t pos_ = 0;
  const std::filesystem::path& file_;
};

// faiss reads the index straight from the file's bytes, without a copy into a VectorIOReader.
struct SpanIOReader final : faiss::IOReader {
  std::span<const uint8_t> bytes;
  size_t pos = 0;
  explicit SpanIOReader(std::span<const uint8_t> b) : bytes(b) {}
  size_t operator()(void* ptr, size_t size, size_t nitems) override {
    if (size == 0) return nitems;
    nitems = std::min(nitems, (bytes.size() - pos) / size);
    if (nitems > 0) std::memcpy(ptr, bytes.data() + pos, size * nitems);
    pos += size * nitems;
    return nitems;
  }
};

// Not faiss::fvec_renorm_L2: it opens an OpenMP region even for one vector, and the idle OpenMP
// threads then spin on the cores the search scan needs (Flat p50 10 ms instead of 5.7).
std::vector<float> normalized(std::span<const float> vectors, size_t dim) {
  std::vector<float> out(vectors.begin(), vectors.end());
  for (size_t start = 0; start + dim <= out.size(); start += dim) {
    float squared = 0;
    for (size_t i = 0; i < dim; ++i) squared += out[start + i] * out[start + i];
    if (squared == 0) continue;  // a zero vector stays zero
    float scale = 1.0f / std::sqrt(squared);
    for (size_t i = 0; i < dim; ++i) out[start + i] *= scale;
  }
  return out;
}

// faiss says "not implemented" by throwing; asking with an empty selector changes nothing.
bool supports_removal(faiss::Index& index) {
  try {
    faiss::IDSelectorRange nothing(0, 0);
    index.remove_ids(nothing);
    return true;
  } catch (const faiss::FaissException&) {
    return false;
  }
}

// The index a wrapper forwards to, or nullptr when `index` is not a wrapper we know.
faiss::Index* wrapped_index(faiss::Index* index) {
  if (auto* id_map = dynamic_cast<faiss::IndexIDMap*>(index)) return id_map->index;
  if (auto* transform = dynamic_cast<faiss::IndexPreTransform*>(index)) return transform->index;
  if (auto* hnsw = dynamic_cast<faiss::IndexHNSW*>(index)) return hnsw->storage;
  return nullptr;
}

faiss::IndexHNSW* find_hnsw(faiss::Index* index) {
  for (faiss::Index* at = index; at; at = wrapped_index(at)) {
    if (auto* hnsw = dynamic_cast<faiss::IndexHNSW*>(at)) return hnsw;
  }
  return nullptr;
}

// Centroids of the largest k-means that training runs (see the header on why it sets the count).
size_t largest_codebook(faiss::Index& index) {
  size_t largest = 0;
  if (const auto* ivf = faiss::ivflib::try_extract_index_ivf(&index)) {
    largest = ivf->nlist;
    if (const auto* ivfpq = dynamic_cast<const faiss::IndexIVFPQ*>(ivf)) largest = std::max(largest, ivfpq->pq.ksub);
  }
  for (faiss::Index* at = &index; at; at = wrapped_index(at)) {
    if (const auto* pq = dynamic_cast<const faiss::IndexPQ*>(at)) largest = std::max(largest, pq->pq.ksub);
    if (const auto* transform = dynamic_cast<const faiss::IndexPreTransform*>(at)) {
      for (const auto* step : transform->chain) {
        if (!step->is_trained) largest = std::max(largest, kUnknownCodebookSize);
      }
    }
  }
  return largest > 0 ? largest : kUnknownCodebookSize;
}

size_t probes_for(size_t nlist) {
  auto probes = static_cast<size_t>(std::lround(std::sqrt(static_cast<double>(nlist))));
  return std::min(nlist, std::max(kMinProbes, probes));
}

class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

void write_all(int fd, std::span<const uint8_t> bytes, const std::filesystem::path& file) {
  while (!bytes.empty()) {
    ssize_t written = ::write(fd, bytes.data(), bytes.size());
    if (written < 0 && errno == EINTR) continue;
    if (written < 0) {
      RAGRT_THROW_KIND(ErrorKind::kIo, "cannot write vector index {}: {}; check free disk space", file.string(),
                       std::strerror(errno));
    }
    bytes = bytes.subspan(static_cast<size_t>(written));
  }
}

// Temporary file, fsync, rename over `file`, fsync of the folder: a crash at any point leaves
// either the old file or the new one, never a torn one.
void write_atomically(const std::filesystem::path& file, std::initializer_list<std::span<const uint8_t>> parts) {
  auto temporary = file;
  temporary += ".tmp";
  try {
    FileDescriptor fd(::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (fd.get() < 0) {
      RAGRT_THROW_KIND(ErrorKind::kIo, "cannot create {}: {}; check that the folder exists and is writable",
                       temporary.string(), std::strerror(errno));
    }
    for (auto part : parts) write_all(fd.get(), part, temporary);
    if (::fsync(fd.get()) != 0 || ::close(fd.release()) != 0) {
      RAGRT_THROW_KIND(ErrorKind::kIo, "cannot flush {} to disk: {}", temporary.string(), std::strerror(errno));
    }
    std::error_code ec;
    std::filesystem::rename(temporary, file, ec);
    if (ec) RAGRT_THROW_KIND(ErrorKind::kIo, "cannot rename {} to {}: {}", temporary.string(), file.string(), ec.message());
  } catch (...) {
    std::error_code ignored;
    std::filesystem::remove(temporary, ignored);
    throw;
  }
  auto folder = file.parent_path().empty() ? std::filesystem::path(".") : file.parent_path();
  FileDescriptor dir(::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  // Some filesystems cannot fsync a folder (EINVAL); the rename is then as durable as they allow.
  if (dir.get() < 0 || (::fsync(dir.get()) != 0 && errno != EINVAL)) {
    RAGRT_THROW_KIND(ErrorKind::kIo, "cannot flush folder {} after writing {}: {}", folder.string(), file.string(),
                     std::strerror(errno));
  }
}

std::vector<uint8_t> read_file(const std::filesystem::path& file) {
  std::error_code ec;
  bool exists = std::filesystem::exists(file, ec);
  RAGRT_THROW_IF_NOT_KIND(exists || ec, ErrorKind::kNotFound, "vector index file {} does not exist", file.string());
  RAGRT_THROW_IF_NOT_KIND(!std::filesystem::is_directory(file, ec), ErrorKind::kIo,
                          "vector index file {} is a folder; pass the index file inside it", file.string());
  std::ifstream in(file, std::ios::binary | std::ios::ate);
  RAGRT_THROW_IF_NOT_KIND(in, ErrorKind::kIo, "cannot open vector index file {}: {}", file.string(),
                          std::strerror(errno));
  std::vector<uint8_t> bytes(static_cast<size_t>(in.tellg()));
  in.seekg(0);
  in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  RAGRT_THROW_IF_NOT_KIND(in, ErrorKind::kIo, "cannot read vector index file {}", file.string());
  return bytes;
}

// An IDMap over a flat inner-product table, which top_k_inner_product scans faster than Debian's
// baseline-x86 faiss build does.
struct FlatTable {
  const float* vectors;
  const std::vector<FaissId>* ids;
};

std::optional<FlatTable> flat_inner_product_table(const faiss::Index& index) {
  auto* id_map = dynamic_cast<const faiss::IndexIDMap*>(&index);
  if (!id_map) return std::nullopt;
  auto* flat = dynamic_cast<const faiss::IndexFlat*>(id_map->index);
  if (!flat || flat->metric_type != faiss::METRIC_INNER_PRODUCT) return std::nullopt;
  if (id_map->id_map.size() != static_cast<size_t>(flat->ntotal)) return std::nullopt;
  return FlatTable{flat->get_xb(), &id_map->id_map};
}

}  // namespace

// The exact store of vectors added before the index is trained: brute-force inner product.
struct FaissVectorIndex::Buffer {
  faiss::IndexIDMap2 map;
  explicit Buffer(size_t dim) : map(new faiss::IndexFlatIP(static_cast<FaissId>(dim))) { map.own_fields = true; }
  const float* vectors() const { return static_cast<const faiss::IndexFlat*>(map.index)->get_xb(); }
};

FaissVectorIndex::FaissVectorIndex(std::string factory, size_t dim) : factory_(std::move(factory)), dim_(dim) {
  RAGRT_THROW_IF_NOT_KIND(dim > 0 && dim <= INT_MAX, ErrorKind::kInvalidArgument,
                          "vector index '{}': dimension {} is out of range; pass the embedding model's dimension",
                          factory_, dim);
  std::unique_ptr<faiss::Index> built;
  try {
    built.reset(faiss::index_factory(static_cast<int>(dim), factory_.c_str(), faiss::METRIC_INNER_PRODUCT));
  } catch (const std::exception& e) {
    RAGRT_THROW_KIND(ErrorKind::kInvalidArgument,
                     "faiss rejects the vector index factory string '{}' for dimension {}: {} (examples: Flat, "
                     "HNSW32, IVF256,Flat, IVF256,PQ16 where the PQ size divides the dimension)",
                     factory_, dim, e.what());
  }
  adopt(std::move(built));
}

FaissVectorIndex::FaissVectorIndex(std::string factory, size_t dim, std::unique_ptr<faiss::Index> index)
    : factory_(std::move(factory)), dim_(dim) {
  adopt(std::move(index));
}

FaissVectorIndex::~FaissVectorIndex() = default;

void FaissVectorIndex::adopt(std::unique_ptr<faiss::Index> index) {
  // A requested IDMap is dropped where its removal would map wrong ids (IVF) or where positions
  // are the labels (no removal); our own id handling takes its place.
  if (auto* id_map = dynamic_cast<faiss::IndexIDMap*>(index.get());
      id_map && id_map->ntotal == 0 &&
      (faiss::ivflib::try_extract_index_ivf(id_map->index) || !supports_removal(*id_map->index))) {
    faiss::Index* inner = id_map->index;
    id_map->own_fields = false;
    index.reset(inner);
  }
  if (!supports_removal(*index)) {
    mode_ = IdMode::kPositions;
  } else {
    mode_ = IdMode::kFaissIds;
    if (!dynamic_cast<faiss::IndexIDMap*>(index.get()) && !faiss::ivflib::try_extract_index_ivf(index.get())) {
      auto id_map = std::make_unique<faiss::IndexIDMap2>(index.get());
      index.release();
      id_map->own_fields = true;
      index = std::move(id_map);
    }
  }
  // Polysemous training reorders PQ codes for Hamming pre-filtering, which only the L2
  // polysemous search uses; for inner product it is pure cost (most of PQ training time).
  for (faiss::Index* at = index.get(); at; at = wrapped_index(at)) {
    if (auto* pq = dynamic_cast<faiss::IndexPQ*>(at)) pq->do_polysemous_training = false;
  }
  if (auto* ivf = faiss::ivflib::try_extract_index_ivf(index.get())) {
    ivf->nprobe = probes_for(ivf->nlist);
    if (auto* ivfpq = dynamic_cast<faiss::IndexIVFPQ*>(ivf)) ivfpq->do_polysemous_training = false;
  }
  if (auto* hnsw = find_hnsw(index.get())) hnsw->hnsw.efSearch = std::max(hnsw->hnsw.efSearch, kDefaultEfSearch);
  training_threshold_ = index->is_trained ? 0 : kPointsPerCentroid * largest_codebook(*index);
  index_ = std::move(index);
  buffer_ = std::make_unique<Buffer>(dim_);
}

size_t FaissVectorIndex::size() const {
  std::shared_lock lock(mutex_);
  return size_locked();
}

size_t FaissVectorIndex::size_locked() const {
  return static_cast<size_t>(buffer_->map.ntotal + index_->ntotal) - tombstone_count_;
}

bool FaissVectorIndex::trained() const {
  std::shared_lock lock(mutex_);
  return index_->is_trained;
}

size_t FaissVectorIndex::tombstones() const {
  std::shared_lock lock(mutex_);
  return tombstone_count_;
}

std::string FaissVectorIndex::description() const {
  std::shared_lock lock(mutex_);
  auto text = fmt::format("faiss {} (dim {}, {} vectors", factory_, dim_, size_locked());
  if (!index_->is_trained) text += fmt::format(", searched exactly until {} arrive to train on", training_threshold_);
  if (tombstone_count_ > 0) text += fmt::format(", {} removed awaiting rebuild", tombstone_count_);
  return text + ")";
}

void FaissVectorIndex::add(std::span<const int64_t> ids, std::span<const float> vectors) {
  RAGRT_THROW_IF_NOT_KIND(vectors.size() == ids.size() * dim_, ErrorKind::kInvalidArgument,
                          "vector index add: {} floats for {} ids of dimension {}; pass ids.size() * {} floats",
                          vectors.size(), ids.size(), dim_, dim_);
  for (auto id : ids) {
    RAGRT_THROW_IF_NOT_KIND(id >= 0, ErrorKind::kInvalidArgument,
                            "vector index add: id {} is negative; chunk ids are >= 0 (faiss uses -1 for no result)",
                            id);
  }
  if (ids.empty()) return;
  // Within one call the last vector of an id wins, as it would across calls.
  std::vector<size_t> rows;
  std::unordered_set<int64_t> seen;
  for (size_t i = ids.size(); i-- > 0;) {
    if (seen.insert(ids[i]).second) rows.push_back(i);
  }
  std::reverse(rows.begin(), rows.end());
  std::vector<int64_t> kept_ids;
  std::vector<float> kept;
  kept_ids.reserve(rows.size());
  kept.reserve(rows.size() * dim_);
  for (auto row : rows) {
    kept_ids.push_back(ids[row]);
    kept.insert(kept.end(), vectors.begin() + row * dim_, vectors.begin() + (row + 1) * dim_);
  }
  kept = normalized(kept, dim_);

  std::unique_lock lock(mutex_);
  try {
    remove_locked(kept_ids);
    if (index_->is_trained) {
      insert_trained(kept_ids.size(), kept.data(), kept_ids.data());
    } else {
      buffer_->map.add_with_ids(static_cast<FaissId>(kept_ids.size()), kept.data(), kept_ids.data());
      if (static_cast<size_t>(buffer_->map.ntotal) >= training_threshold_) train_from_buffer();
    }
    rebuild_if_mostly_tombstones();
  } catch (const faiss::FaissException& e) {
    throw_faiss(factory_, "add", e);
  }
}

void FaissVectorIndex::remove(std::span<const int64_t> ids) {
  std::unique_lock lock(mutex_);
  try {
    remove_locked(ids);
    rebuild_if_mostly_tombstones();
  } catch (const faiss::FaissException& e) {
    throw_faiss(factory_, "remove", e);
  }
}

void FaissVectorIndex::remove_locked(std::span<const int64_t> ids) {
  std::vector<FaissId> present;
  if (!index_->is_trained) {
    for (auto id : ids) {
      if (buffer_->map.rev_map.count(id)) present.push_back(id);
    }
    if (!present.empty()) buffer_->map.remove_ids(faiss::IDSelectorBatch(present.size(), present.data()));
  } else if (mode_ == IdMode::kFaissIds) {
    for (auto id : ids) {
      if (indexed_ids_.erase(id)) present.push_back(id);
    }
    if (!present.empty()) index_->remove_ids(faiss::IDSelectorBatch(present.size(), present.data()));
  } else {
    for (auto id : ids) {
      auto found = position_of_id_.find(id);
      if (found == position_of_id_.end()) continue;
      tombstone_bits_[found->second >> 3] |= static_cast<uint8_t>(1u << (found->second & 7));
      ++tombstone_count_;
      position_of_id_.erase(found);
    }
  }
}

void FaissVectorIndex::insert_trained(size_t n, const float* vectors, const int64_t* ids) {
  if (mode_ == IdMode::kFaissIds) {
    index_->add_with_ids(static_cast<FaissId>(n), vectors, ids);
    indexed_ids_.insert(ids, ids + n);
    return;
  }
  auto first = static_cast<int64_t>(index_->ntotal);
  index_->add(static_cast<FaissId>(n), vectors);
  for (size_t i = 0; i < n; ++i) {
    id_at_position_.push_back(ids[i]);
    position_of_id_[ids[i]] = first + static_cast<int64_t>(i);
  }
  tombstone_bits_.resize((id_at_position_.size() + 7) / 8, 0);
}

void FaissVectorIndex::train_from_buffer() {
  auto n = static_cast<size_t>(buffer_->map.ntotal);
  index_->train(static_cast<FaissId>(n), buffer_->vectors());
  insert_trained(n, buffer_->vectors(), buffer_->map.id_map.data());
  buffer_ = std::make_unique<Buffer>(dim_);  // IndexIDMap2::reset() would keep its reverse map
}

// Position-keyed indexes only: re-add the live vectors faiss stores (decoded, for compressed
// storage) to the emptied index, which keeps its training. An index that cannot reconstruct keeps
// its tombstones, which search still filters out.
void FaissVectorIndex::rebuild_if_mostly_tombstones() {
  if (mode_ != IdMode::kPositions || tombstone_count_ * 4 <= static_cast<size_t>(index_->ntotal)) return;
  std::vector<int64_t> live_ids;
  std::vector<float> live;
  live_ids.reserve(position_of_id_.size());
  live.reserve(position_of_id_.size() * dim_);
  try {
    for (int64_t position = 0; position < index_->ntotal; ++position) {
      if (is_tombstone(position)) continue;
      live_ids.push_back(id_at_position_[position]);
      live.resize(live.size() + dim_);
      index_->reconstruct(position, live.data() + live.size() - dim_);
    }
  } catch (const faiss::FaissException&) {
    return;
  }
  index_->reset();
  id_at_position_.clear();
  position_of_id_.clear();
  tombstone_bits_.clear();
  tombstone_count_ = 0;
  insert_trained(live_ids.size(), live.data(), live_ids.data());
}

std::vector<ScoredId> FaissVectorIndex::search(std::span<const float> query, size_t k) const {
  RAGRT_THROW_IF_NOT_KIND(query.size() == dim_, ErrorKind::kInvalidArgument,
                          "vector index search: query has {} floats but the index holds dimension {}; embed the "
                          "query with the collection's embedding model",
                          query.size(), dim_);
  if (k == 0) return {};
  auto normalized_query = normalized(query, dim_);

  std::shared_lock lock(mutex_);
  const faiss::Index* target = index_.get();
  bool positions = false;
  size_t fetch = 0;
  faiss::SearchParametersHNSW hnsw_params;
  const faiss::SearchParameters* params = nullptr;
  faiss::IDSelectorBitmap tombstoned(tombstone_bits_.size(), tombstone_bits_.data());
  faiss::IDSelectorNot live(&tombstoned);
  if (!index_->is_trained) {
    target = &buffer_->map;
    fetch = std::min<size_t>(k, buffer_->map.ntotal);
  } else if (mode_ == IdMode::kFaissIds) {
    fetch = std::min<size_t>(k, index_->ntotal);
  } else {
    positions = true;
    auto stored = static_cast<size_t>(index_->ntotal);
    if (auto* hnsw = dynamic_cast<const faiss::IndexHNSW*>(index_.get())) {
      // HNSW skips tombstones while it walks the graph; the beam is never narrower than the
      // answer, or faiss would return fewer than k results.
      fetch = std::min(k, stored - tombstone_count_);
      hnsw_params.efSearch = std::max(hnsw->hnsw.efSearch, static_cast<int>(fetch));
      if (tombstone_count_ > 0) hnsw_params.sel = &live;
      params = &hnsw_params;
    } else {
      // Other indexes without removal: ask for enough that k live ones survive the filter.
      fetch = std::min(k + tombstone_count_, stored);
    }
  }
  if (fetch == 0) return {};

  if (auto table = flat_inner_product_table(*target)) {
    std::vector<ScoredId> results;
    for (auto [score, row] : top_k_inner_product(normalized_query.data(), table->vectors, table->ids->size(), dim_,
                                                 fetch)) {
      results.push_back({(*table->ids)[row], static_cast<double>(score)});
    }
    return results;
  }

  std::vector<float> scores(fetch);
  std::vector<FaissId> labels(fetch);
  try {
    target->search(1, normalized_query.data(), static_cast<FaissId>(fetch), scores.data(), labels.data(), params);
  } catch (const faiss::FaissException& e) {
    throw_faiss(factory_, "search", e);
  }
  std::vector<ScoredId> results;
  results.reserve(std::min(k, fetch));
  for (size_t i = 0; i < fetch && results.size() < k; ++i) {
    auto label = labels[i];
    if (label < 0) continue;  // faiss pads missing results with -1
    if (positions) {
      if (is_tombstone(label)) continue;
      label = id_at_position_[label];
    }
    results.push_back({label, static_cast<double>(scores[i])});
  }
  return results;
}

std::vector<uint8_t> FaissVectorIndex::serialize(std::vector<uint8_t>& faiss_bytes) const {
  ByteWriter out;
  out.string(factory_);
  out.pod<uint64_t>(dim_);
  out.pod<uint8_t>(static_cast<uint8_t>(mode_));
  if (mode_ == IdMode::kFaissIds) {
    std::vector<int64_t> ids(indexed_ids_.begin(), indexed_ids_.end());
    out.array<int64_t>(ids);
    out.array<int64_t>({});
  } else {
    out.array<int64_t>(id_at_position_);
    std::vector<int64_t> tombstoned;
    for (int64_t position = 0; position < static_cast<int64_t>(id_at_position_.size()); ++position) {
      if (is_tombstone(position)) tombstoned.push_back(position);
    }
    out.array<int64_t>(tombstoned);
  }
  auto buffered = static_cast<size_t>(buffer_->map.ntotal);
  out.array<int64_t>(buffer_->map.id_map);
  out.array<float>(std::span<const float>(buffer_->vectors(), buffered * dim_));

  faiss::VectorIOWriter writer;
  try {
    faiss::write_index(index_.get(), &writer);
  } catch (const faiss::FaissException& e) {
    throw_faiss(factory_, "write_index", e);
  }
  faiss_bytes = std::move(writer.data);
  out.pod<uint64_t>(faiss_bytes.size());
  return std::move(out.bytes());
}

void FaissVectorIndex::save(const std::filesystem::path& file) const {
  std::lock_guard save_lock(save_mutex_);
  std::vector<uint8_t> fields;
  std::vector<uint8_t> faiss_bytes;
  {
    std::shared_lock lock(mutex_);
    fields = serialize(faiss_bytes);
  }
  Sha256 checksum({fields, faiss_bytes});
  ByteWriter header;
  for (char c : kMagic) header.pod(c);
  header.pod(kFormatVersion);
  header.pod<uint64_t>(fields.size() + faiss_bytes.size());
  for (auto byte : checksum.digest) header.pod(byte);
  write_atomically(file, {header.bytes(), fields, faiss_bytes});
}

std::unique_ptr<FaissVectorIndex> FaissVectorIndex::load(const std::filesystem::path& file) {
  auto bytes = read_file(file);
  if (bytes.size() < kHeaderSize) {
    throw_corrupt(file, fmt::format("it is truncated ({} bytes, shorter than the {}-byte header)", bytes.size(),
                                    kHeaderSize));
  }
  ByteReader header(std::span<const uint8_t>(bytes).first(kHeaderSize), file);
  auto magic = header.take(kMagic.size());
  if (!std::equal(magic.begin(), magic.end(), kMagic.begin())) {
    throw_corrupt(file, "it is not a ragrt vector index (wrong magic bytes)");
  }
  auto version = header.pod<uint32_t>();
  if (version != kFormatVersion) {
    throw_corrupt(file, fmt::format("it has format version {}, this build reads version {}", version, kFormatVersion));
  }
  auto payload_size = header.pod<uint64_t>();
  auto stored_digest = header.take(kDigestSize);
  auto payload = std::span<const uint8_t>(bytes).subspan(kHeaderSize);
  if (payload_size != payload.size()) {
    throw_corrupt(file, fmt::format("it is truncated or padded (header says {} payload bytes, file has {})",
                                    payload_size, payload.size()));
  }
  Sha256 checksum({payload});
  if (!std::equal(stored_digest.begin(), stored_digest.end(), checksum.digest.begin())) {
    throw_corrupt(file, "its checksum does not match its content (the file is damaged)");
  }

  ByteReader in(payload, file);
  auto factory = in.string();
  auto dim = in.pod<uint64_t>();
  auto mode = static_cast<IdMode>(in.pod<uint8_t>());
  auto ids = in.array<int64_t>();
  auto tombstoned = in.array<int64_t>();
  auto buffered_ids = in.array<int64_t>();
  auto buffered = in.array<float>();
  auto faiss_size = in.pod<uint64_t>();
  if (faiss_size != in.remaining()) throw_corrupt(file, "the faiss index size does not match the payload");
  if (dim == 0 || dim > INT_MAX || buffered.size() != buffered_ids.size() * dim) {
    throw_corrupt(file, "its dimension and buffered vectors disagree");
  }

  std::unique_ptr<faiss::Index> faiss_index;
  try {
    SpanIOReader reader(in.take(faiss_size));
    faiss_index.reset(faiss::read_index(&reader));
  } catch (const std::exception& e) {
    throw_corrupt(file, fmt::format("faiss cannot read the index it holds ({})", e.what()));
  }
  if (faiss_index->d != static_cast<FaissId>(dim)) throw_corrupt(file, "the faiss index has another dimension");

  std::unique_ptr<FaissVectorIndex> loaded(new FaissVectorIndex(factory, dim, std::move(faiss_index)));
  auto stored = static_cast<size_t>(loaded->index_->ntotal);
  if (loaded->mode_ != mode || ids.size() != stored || (!tombstoned.empty() && mode != IdMode::kPositions) ||
      (!buffered_ids.empty() && loaded->index_->is_trained)) {
    throw_corrupt(file, "its id bookkeeping does not match the faiss index");
  }
  if (mode == IdMode::kFaissIds) {
    loaded->indexed_ids_.insert(ids.begin(), ids.end());
    if (loaded->indexed_ids_.size() != ids.size()) throw_corrupt(file, "an id is stored twice");
  } else {
    loaded->id_at_position_ = ids;
    loaded->tombstone_bits_.assign((stored + 7) / 8, 0);
    for (auto position : tombstoned) {
      if (position < 0 || static_cast<size_t>(position) >= stored || loaded->is_tombstone(position)) {
        throw_corrupt(file, "a removed position is out of range or repeated");
      }
      loaded->tombstone_bits_[position >> 3] |= static_cast<uint8_t>(1u << (position & 7));
    }
    loaded->tombstone_count_ = tombstoned.size();
    for (size_t position = 0; position < stored; ++position) {
      if (loaded->is_tombstone(static_cast<int64_t>(position))) continue;
      if (!loaded->position_of_id_.emplace(ids[position], position).second) throw_corrupt(file, "an id is stored twice");
    }
  }
  if (!buffered_ids.empty()) {
    try {
      loaded->buffer_->map.add_with_ids(static_cast<FaissId>(buffered_ids.size()), buffered.data(), buffered_ids.data());
    } catch (const faiss::FaissException& e) {
      throw_corrupt(file, fmt::format("its buffered vectors cannot be restored ({})", e.what()));
    }
  }
  return loaded;
}

}  // namespace ragrt::index

namespace ragrt {

std::unique_ptr<VectorIndex> make_vector_index(const std::string& factory, size_t dim) {
  return std::make_unique<index::FaissVectorIndex>(factory, dim);
}

std::unique_ptr<VectorIndex> load_vector_index(const std::filesystem::path& file) {
  return index::FaissVectorIndex::load(file);
}

}  // namespace ragrt
