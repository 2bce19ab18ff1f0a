// The built-in `vector_store:` types (see include/ragrt/vector_store.h).
#include "index/exact_vector_index.h"
#include "ragrt/error.h"
#include "ragrt/vector_store.h"

namespace ragrt {
namespace {

class FaissVectorStore final : public VectorStore {
 public:
  explicit FaissVectorStore(std::string factory) : factory_(std::move(factory)) {}
  std::string fingerprint() const override { return factory_; }
  std::unique_ptr<VectorIndex> create(size_t dim) const override { return make_vector_index(factory_, dim); }
  bool persistent() const override { return true; }
  std::unique_ptr<VectorIndex> load(const std::filesystem::path& file) const override { return load_vector_index(file); }

 private:
  std::string factory_;
};

class ExactVectorStore final : public VectorStore {
 public:
  std::string fingerprint() const override { return "exact"; }
  std::unique_ptr<VectorIndex> create(size_t dim) const override { return std::make_unique<index::ExactVectorIndex>(dim); }
  bool persistent() const override { return false; }
  std::unique_ptr<VectorIndex> load(const std::filesystem::path& file) const override {
    RAGRT_THROW_KIND(ErrorKind::kNotFound, "{}: the exact vector store keeps no file", file.string());
  }
};

}  // namespace

std::shared_ptr<VectorStore> make_faiss_vector_store(const std::string& factory) {
  return std::make_shared<FaissVectorStore>(factory);
}

std::shared_ptr<VectorStore> make_exact_vector_store() { return std::make_shared<ExactVectorStore>(); }

std::shared_ptr<VectorStore> read_faiss_vector_store(const ComponentSpec& spec) {
  const config::YamlReader& r = *spec.reader;
  r.only_keys(spec.node, spec.key, {"type", "factory"});
  std::string factory = "Flat";
  if (spec.node["factory"]) factory = r.string(spec.node["factory"], spec.key + ".factory");
  if (factory.empty()) r.fail(spec.node["factory"], spec.key + ".factory", "must not be empty (e.g. Flat, HNSW32, IVF256,PQ16)");
  return make_faiss_vector_store(factory);
}

std::shared_ptr<VectorStore> read_exact_vector_store(const ComponentSpec& spec) {
  spec.reader->only_keys(spec.node, spec.key, {"type"});
  return make_exact_vector_store();
}

}  // namespace ragrt
