// The built-in `document_store:` types (see include/ragrt/document_store.h).
#include "index/sqlite_store.h"
#include "ragrt/document_store.h"
#include "ragrt/error.h"

namespace ragrt {
namespace {

class SqliteDocumentStore final : public DocumentStore {
 public:
  std::string type() const override { return "sqlite"; }
  std::unique_ptr<DocumentDatabase> open(const std::filesystem::path& folder, bool create) const override {
    const std::filesystem::path db = folder / "collection.sqlite";
    if (!create && !std::filesystem::exists(db))
      RAGRT_THROW_KIND(ErrorKind::kNotFound, "{}: no collection here (index documents into it first: ragrt index)",
                       folder.string());
    return std::make_unique<index::SqliteStore>(db, create);
  }
};

}  // namespace

std::shared_ptr<DocumentStore> make_sqlite_document_store() { return std::make_shared<SqliteDocumentStore>(); }

std::shared_ptr<DocumentStore> read_sqlite_document_store(const ComponentSpec& spec) {
  spec.reader->only_keys(spec.node, spec.key, {"type"});
  return make_sqlite_document_store();
}

}  // namespace ragrt
