#include "ingest/text_loader.h"

#include "ingest/source_bytes.h"

namespace ragrt::ingest {

std::vector<Document> TextLoader::load(const std::filesystem::path& file, const std::string& doc_id,
                                       const LoaderOptions& options) const {
  std::vector<Document> out;
  out.push_back(text_file_document(file, doc_id, name(), options));
  return out;
}

}  // namespace ragrt::ingest
