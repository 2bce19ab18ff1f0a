#include "ingest/text_loader.h"

#include "ingest/source_bytes.h"

namespace ragrt::ingest {

std::vector<Document> TextLoader::load(const std::filesystem::path& file, const std::string& doc_id,
                                       const LoaderOptions& options) const {
  Document doc;
  doc.text = read_source_bytes(file, options);
  require_utf8(file, doc.text);  // before the BOM goes, so the offset it reports is the file's
  strip_utf8_bom(doc.text);
  doc.id = doc_id;
  doc.source = file.string();
  doc.title = file_title(file);
  doc.metadata["format"] = name();
  std::vector<Document> out;
  out.push_back(std::move(doc));
  return out;
}

}  // namespace ragrt::ingest
