#pragma once
// .txt: the file's bytes become Document::text unchanged, except that a leading UTF-8 byte order
// mark is dropped (it is not text; offsets are then 3 less than file offsets for such files).
#include "ragrt/loader.h"

namespace ragrt::ingest {

class TextLoader final : public DocumentLoader {
 public:
  std::string name() const override { return "txt"; }
  std::vector<std::string> extensions() const override { return {".txt", ".text"}; }
  std::vector<Document> load(const std::filesystem::path& file, const std::string& doc_id,
                             const LoaderOptions& options) const override;
};

}  // namespace ragrt::ingest
