#include "ragrt/collection.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cstring>
#include <mutex>

#include <spdlog/spdlog.h>

#include "ragrt/error.h"

namespace ragrt {
namespace {

namespace fs = std::filesystem;

constexpr const char* kGenerationKey = "vector_generation";
constexpr const char* kDimKey = "vector_dim";
constexpr const char* kFactoryKey = "vector_factory";

fs::path vector_file(const fs::path& folder, int64_t generation) {
  return folder / ("vectors-" + std::to_string(generation) + ".faiss");
}

// An advisory lock on FOLDER/.lock, released when the process exits however it exits.
class FolderLock {
 public:
  explicit FolderLock(const fs::path& folder) {
    const fs::path file = folder / ".lock";
    fd_ = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0) RAGRT_THROW_KIND(ErrorKind::kIo, "{}: cannot open: {}", file.string(), std::strerror(errno));
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
      ::close(fd_);
      RAGRT_THROW_KIND(ErrorKind::kRuntime,
                       "{}: another ragrt process is writing to this collection; wait for it to finish",
                       folder.string());
    }
  }
  ~FolderLock() {
    if (fd_ >= 0) ::close(fd_);
  }
  FolderLock(const FolderLock&) = delete;
  FolderLock& operator=(const FolderLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace

struct Collection::Impl {
  CollectionParams params;
  std::unique_ptr<FolderLock> lock;
  std::unique_ptr<DocumentDatabase> store;

  mutable std::mutex vectors_mu;
  mutable std::shared_ptr<VectorIndex> vectors;
  mutable bool vectors_ready = false;
  mutable int64_t vectors_generation = -1;  // the committed generation `vectors` holds

  // Changes of the open transaction, applied to `vectors` once committed.
  std::vector<int64_t> removed;
  std::vector<int64_t> added_ids;
  std::vector<float> added_vectors;
  bool vectors_changed = false;

  int64_t generation() const {
    auto g = store->meta(kGenerationKey);
    return g ? std::stoll(*g) : 0;
  }
  size_t dim() const {
    auto d = store->meta(kDimKey);
    return d ? static_cast<size_t>(std::stoull(*d)) : 0;
  }

  // Loads the file saved for the committed generation, or rebuilds from SQLite when it is missing,
  // unreadable, or built with another factory string.
  void ensure_vectors() const {
    if (vectors_ready) {
      // A reader follows what other processes (`ragrt index`, the server's upload jobs) commit:
      // one small query per search tells whether the embeddings changed since it loaded them. A
      // writer's own commits update its index in place.
      if (params.writer || generation() == vectors_generation) return;
      vectors_ready = false;
      vectors.reset();
    }
    const int64_t gen = generation();
    vectors_generation = gen;
    const size_t d = dim();
    if (d == 0) {
      vectors_ready = true;
      return;
    }
    const fs::path file = vector_file(params.folder, gen);
    const std::string wanted = params.vector_store->fingerprint();
    const std::string factory = store->meta(kFactoryKey).value_or(wanted);
    if (factory == wanted && params.vector_store->persistent() && fs::exists(file)) {
      try {
        auto loaded = params.vector_store->load(file);
        if (loaded->dim() == d) {
          vectors = std::move(loaded);
          vectors_ready = true;
          return;
        }
        spdlog::warn("{}: dimension {} differs from the collection's {}; rebuilding it", file.string(),
                     loaded->dim(), d);
      } catch (const Error& e) {
        spdlog::warn("{}; rebuilding the vector index from the stored embeddings", e.what());
      }
    } else if (factory != wanted) {
      spdlog::info("{}: vector index type changes from {} to {}; rebuilding it from the stored embeddings",
                   params.folder.string(), factory, wanted);
    } else if (params.vector_store->persistent()) {
      spdlog::info("{}: no vector index file for generation {} (the last run stopped before writing it); "
                   "rebuilding from the stored embeddings",
                   params.folder.string(), gen);
    }
    rebuild(d);
    vectors_ready = true;
  }

  void rebuild(size_t d) const {
    auto index = params.vector_store->create(d);
    auto stored = store->vectors({});
    std::vector<int64_t> ids;
    std::vector<float> flat;
    ids.reserve(stored.size());
    flat.reserve(stored.size() * d);
    for (auto& [id, v] : stored) {
      if (v.size() != d) continue;  // cannot happen through put_document; skip rather than poison the index
      ids.push_back(id);
      flat.insert(flat.end(), v.begin(), v.end());
    }
    if (!ids.empty()) index->add(ids, flat);
    vectors = std::move(index);
  }
};

Collection::Collection(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Collection::~Collection() = default;

std::unique_ptr<Collection> Collection::open(const CollectionParams& params) {
  auto impl = std::make_unique<Impl>();
  impl->params = params;
  if (!impl->params.vector_store) impl->params.vector_store = make_faiss_vector_store();
  if (!impl->params.document_store) impl->params.document_store = make_sqlite_document_store();
  if (params.create) {
    fs::create_directories(params.folder);
  } else if (!fs::is_directory(params.folder)) {
    RAGRT_THROW_KIND(ErrorKind::kNotFound, "{}: no collection here (index documents into it first: ragrt index)",
                     params.folder.string());
  }
  if (params.writer) impl->lock = std::make_unique<FolderLock>(params.folder);
  impl->store = impl->params.document_store->open(params.folder, params.create);
  return std::unique_ptr<Collection>(new Collection(std::move(impl)));
}

const fs::path& Collection::folder() const { return impl_->params.folder; }
ChunkStore& Collection::store() { return *impl_->store; }
const ChunkStore& Collection::store() const { return *impl_->store; }
const KeywordIndex& Collection::keywords() const { return *impl_->store; }
size_t Collection::vector_dim() const { return impl_->dim(); }

std::shared_ptr<const VectorIndex> Collection::vectors() const {
  std::lock_guard lock(impl_->vectors_mu);
  impl_->ensure_vectors();
  return impl_->vectors;
}

void Collection::begin() {
  RAGRT_THROW_IF_NOT(impl_->params.writer, "{}: opened for reading only", folder().string());
  {
    // The in-memory index must reflect the state before the transaction so commit() can apply
    // exactly the transaction's changes to it.
    std::lock_guard lock(impl_->vectors_mu);
    impl_->ensure_vectors();
  }
  impl_->store->begin();
  impl_->removed.clear();
  impl_->added_ids.clear();
  impl_->added_vectors.clear();
  impl_->vectors_changed = false;
}

std::vector<int64_t> Collection::put_document(const Document& doc, const std::string& hash,
                                              const std::vector<Chunk>& chunks,
                                              const std::vector<std::vector<float>>& vectors) {
  if (!vectors.empty()) {
    const size_t d = vectors.front().size();
    const size_t have = impl_->dim();
    if (have != 0 && have != d)
      RAGRT_THROW_KIND(ErrorKind::kInvalidArgument,
                       "{}: embeddings have {} dimensions but the collection holds {}-dimensional ones (another "
                       "embedding model?): re-index into a new collection folder",
                       folder().string(), d, have);
    for (const auto& v : vectors)
      RAGRT_THROW_IF_NOT_KIND(v.size() == d, ErrorKind::kInvalidArgument, "document {}: embeddings differ in size",
                              doc.id);
    if (have == 0) {
      impl_->store->set_meta(kDimKey, std::to_string(d));
      impl_->store->set_meta(kFactoryKey, impl_->params.vector_store->fingerprint());
    }
  }
  auto removed = impl_->store->remove_document(doc.id);
  auto ids = impl_->store->put_document(doc, hash, chunks, vectors);
  if (!removed.empty() && impl_->dim() != 0) {
    impl_->removed.insert(impl_->removed.end(), removed.begin(), removed.end());
    impl_->vectors_changed = true;
  }
  if (!vectors.empty()) {
    impl_->added_ids.insert(impl_->added_ids.end(), ids.begin(), ids.end());
    for (const auto& v : vectors) impl_->added_vectors.insert(impl_->added_vectors.end(), v.begin(), v.end());
    impl_->vectors_changed = true;
  }
  return ids;
}

void Collection::remove_document(const std::string& doc_id) {
  auto removed = impl_->store->remove_document(doc_id);
  if (!removed.empty() && impl_->dim() != 0) {
    impl_->removed.insert(impl_->removed.end(), removed.begin(), removed.end());
    impl_->vectors_changed = true;
  }
}

void Collection::commit() {
  if (impl_->vectors_changed) impl_->store->set_meta(kGenerationKey, std::to_string(impl_->generation() + 1));
  impl_->store->commit();
  if (!impl_->vectors_changed) return;
  std::lock_guard lock(impl_->vectors_mu);
  const size_t d = impl_->dim();
  if (!impl_->vectors) impl_->vectors = impl_->params.vector_store->create(d);
  if (!impl_->removed.empty()) impl_->vectors->remove(impl_->removed);
  if (!impl_->added_ids.empty()) impl_->vectors->add(impl_->added_ids, impl_->added_vectors);
  impl_->removed.clear();
  impl_->added_ids.clear();
  impl_->added_vectors.clear();
  impl_->vectors_changed = false;
}

void Collection::rollback() {
  impl_->store->rollback();
  impl_->removed.clear();
  impl_->added_ids.clear();
  impl_->added_vectors.clear();
  impl_->vectors_changed = false;
}

void Collection::save_vectors() {
  std::lock_guard lock(impl_->vectors_mu);
  impl_->ensure_vectors();
  if (!impl_->vectors) return;
  const int64_t gen = impl_->generation();
  const fs::path file = vector_file(folder(), gen);
  if (impl_->params.vector_store->persistent()) impl_->vectors->save(file);
  impl_->store->begin();
  impl_->store->set_meta(kFactoryKey, impl_->params.vector_store->fingerprint());
  impl_->store->commit();
  // Older generations are garbage once the current one is on disk.
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(folder(), ec)) {
    const std::string name = entry.path().filename().string();
    if (name.starts_with("vectors-") && entry.path() != file && (name.ends_with(".faiss") || name.ends_with(".tmp")))
      fs::remove(entry.path(), ec);
  }
}

}  // namespace ragrt
