#include "ingest/csv_loader.h"

#include <fmt/format.h>

#include "ingest/csv_reader.h"
#include "ingest/record_documents.h"
#include "ingest/source_bytes.h"
#include "ragrt/error.h"

namespace ragrt::ingest {

std::vector<Document> CsvLoader::load(const std::filesystem::path& file, const std::string& doc_id,
                                      const LoaderOptions& options) const {
  const std::string bytes = read_utf8_text(file, options);
  const std::vector<CsvRecord> records = read_csv(bytes, file.string());
  std::vector<Document> docs;
  if (records.empty()) return docs;
  const std::vector<std::string>& header = records.front().fields;
  RecordDocuments builder(file, doc_id, name(), options);
  builder.require_text_fields(header, fmt::format("header (line {})", records.front().line));
  docs.reserve(records.size() - 1);
  std::vector<RecordField> fields;
  for (size_t r = 1; r < records.size(); ++r) {
    const CsvRecord& record = records[r];
    if (record.fields.size() != header.size()) {
      RAGRT_THROW_KIND(ErrorKind::kInvalidArgument,
                       "{}: line {}: record has {} fields but the header has {} (quote fields that contain commas)",
                       file.string(), record.line, record.fields.size(), header.size());
    }
    fields.clear();
    for (size_t k = 0; k < header.size(); ++k) fields.push_back({header[k], record.fields[k]});
    docs.push_back(builder.build(fields, std::to_string(r), fmt::format("line {}", record.line)));
  }
  return docs;
}

}  // namespace ragrt::ingest
