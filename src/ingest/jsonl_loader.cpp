#include "ingest/jsonl_loader.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "ingest/record_documents.h"
#include "ingest/source_bytes.h"
#include "ragrt/error.h"

namespace ragrt::ingest {

std::vector<Document> JsonlLoader::load(const std::filesystem::path& file, const std::string& doc_id,
                                        const LoaderOptions& options) const {
  const std::string bytes = read_utf8_text(file, options);
  RecordDocuments builder(file, doc_id, name(), options);
  std::vector<Document> docs;
  std::vector<RecordField> fields;
  const std::string_view all(bytes);
  size_t pos = 0;
  for (size_t line_no = 1; pos < all.size(); ++line_no) {
    size_t nl = all.find('\n', pos);
    if (nl == std::string_view::npos) nl = all.size();
    const std::string_view line = trim_ascii(all.substr(pos, nl - pos));
    pos = nl + 1;
    if (line.empty()) continue;
    nlohmann::json record;
    try {
      record = nlohmann::json::parse(line);
    } catch (const nlohmann::json::parse_error& e) {
      RAGRT_THROW_KIND(ErrorKind::kInvalidArgument, "{}: line {}: not valid JSON: {}", file.string(), line_no,
                       e.what());
    }
    if (!record.is_object()) {
      RAGRT_THROW_KIND(ErrorKind::kInvalidArgument, "{}: line {}: expected a JSON object, got {}", file.string(),
                       line_no, record.type_name());
    }
    fields.clear();
    for (const auto& [key, value] : record.items()) {
      if (value.is_null()) continue;
      fields.push_back({key, value.is_string() ? value.get<std::string>() : value.dump()});
    }
    const std::string where = fmt::format("line {}", line_no);
    docs.push_back(builder.build(fields, std::to_string(line_no), where));
  }
  return docs;
}

}  // namespace ragrt::ingest
