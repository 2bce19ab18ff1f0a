#pragma once
// The field rules .csv and .jsonl share: which fields make a record's text, id, title and
// metadata (LoaderOptions), and the errors when a record lacks them.
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "ragrt/loader.h"

namespace ragrt::ingest {

// A record's fields as text, in source order. JSON nulls are left out (a null field is absent).
struct RecordField {
  std::string name;
  std::string value;
};

class RecordDocuments {
 public:
  RecordDocuments(const std::filesystem::path& file, const std::string& doc_id, std::string format,
                  const LoaderOptions& options);

  // Throws ragrt::Error naming the file, each text field missing from `columns` and the columns
  // present (a CSV header is checked once, before any record).
  void require_text_fields(const std::vector<std::string>& columns, std::string_view where) const;

  // The Document for one record. `where` ("line 7") locates the record in error messages;
  // `fallback_id` is its id when neither id_field nor "_id" has a value. Text fields with empty
  // values are left out of the join, so no stray "\n\n" appears. Throws on a missing text field
  // and on an id already used by an earlier record of the file.
  Document build(const std::vector<RecordField>& fields, const std::string& fallback_id, std::string_view where);

 private:
  std::filesystem::path file_;
  std::string doc_id_;
  std::string format_;
  const LoaderOptions& options_;
  std::unordered_set<std::string> seen_ids_;
};

}  // namespace ragrt::ingest
