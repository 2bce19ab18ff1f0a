#pragma once
// .csv: the header row names the fields; every following record becomes one Document (see
// LoaderOptions for which fields give text, id, title and metadata; the id falls back to the
// 1-based record number, header not counted). A record whose field count differs from the
// header's is an error naming the file and line. A leading UTF-8 byte order mark is ignored.
#include "ragrt/loader.h"

namespace ragrt::ingest {

class CsvLoader final : public DocumentLoader {
 public:
  std::string name() const override { return "csv"; }
  std::vector<std::string> extensions() const override { return {".csv"}; }
  std::vector<Document> load(const std::filesystem::path& file, const std::string& doc_id,
                             const LoaderOptions& options) const override;
};

}  // namespace ragrt::ingest
