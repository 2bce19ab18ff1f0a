#include "ingest/record_documents.h"

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "ingest/source_bytes.h"
#include "ragrt/error.h"

namespace ragrt::ingest {
namespace {

const std::string* find_field(const std::vector<RecordField>& fields, const std::string& name) {
  for (const auto& f : fields) {
    if (f.name == name) return &f.value;
  }
  return nullptr;
}

std::vector<std::string> names_of(const std::vector<RecordField>& fields) {
  std::vector<std::string> names;
  names.reserve(fields.size());
  for (const auto& f : fields) names.push_back(f.name);
  return names;
}

}  // namespace

RecordDocuments::RecordDocuments(const std::filesystem::path& file, const std::string& doc_id, std::string format,
                                 const LoaderOptions& options)
    : file_(file), doc_id_(doc_id), format_(std::move(format)), options_(options) {
  if (options_.text_fields.empty()) {
    RAGRT_THROW_KIND(ErrorKind::kInvalidArgument, "{}: LoaderOptions::text_fields is empty: name the field(s) that "
                     "hold each record's text", file_.string());
  }
}

void RecordDocuments::require_text_fields(const std::vector<std::string>& columns, std::string_view where) const {
  std::vector<std::string> missing;
  for (const auto& f : options_.text_fields) {
    if (std::find(columns.begin(), columns.end(), f) == columns.end()) missing.push_back("\"" + f + "\"");
  }
  if (missing.empty()) return;
  std::vector<std::string> present;
  for (const auto& c : columns) present.push_back("\"" + c + "\"");
  RAGRT_THROW_KIND(ErrorKind::kInvalidArgument,
                   "{}: {}: no text field {} (fields present: {}); choose the text field(s) with "
                   "LoaderOptions::text_fields",
                   file_.string(), where, fmt::join(missing, ", "),
                   present.empty() ? std::string("none") : fmt::format("{}", fmt::join(present, ", ")));
}

Document RecordDocuments::build(const std::vector<RecordField>& fields, const std::string& fallback_id,
                                std::string_view where) {
  require_text_fields(names_of(fields), where);
  Document doc;
  for (const auto& name : options_.text_fields) {
    const std::string& value = *find_field(fields, name);
    if (value.empty()) continue;
    if (!doc.text.empty()) doc.text += "\n\n";
    doc.text += value;
  }
  auto non_empty = [&](const std::string& name) -> const std::string* {
    const std::string* value = find_field(fields, name);
    return value && !value->empty() ? value : nullptr;
  };
  const std::string* id_value = non_empty(options_.id_field);
  if (!id_value) id_value = non_empty("_id");  // BEIR corpora
  const std::string id = id_value ? *id_value : fallback_id;
  if (!seen_ids_.insert(id).second) {
    RAGRT_THROW_KIND(ErrorKind::kInvalidArgument,
                     "{}: {}: record id \"{}\" is used by an earlier record; ids must be unique within a file",
                     file_.string(), where, id);
  }
  doc.id = doc_id_ + "#" + id;
  doc.source = file_.string();
  const std::string* title = options_.title_field.empty() ? nullptr : find_field(fields, options_.title_field);
  doc.title = title && !title->empty() ? *title : file_title(file_);
  for (const auto& name : options_.metadata_fields) {
    if (const std::string* value = find_field(fields, name)) doc.metadata[name] = *value;
  }
  doc.metadata["format"] = format_;
  return doc;
}

}  // namespace ragrt::ingest
