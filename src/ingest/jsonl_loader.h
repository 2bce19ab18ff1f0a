#pragma once
// .jsonl: one JSON object per line, each becoming one Document (blank lines are skipped). Field
// rules are LoaderOptions' (the defaults load BEIR corpus.jsonl files: `_id`, `title`, `text`);
// strings are taken as they are, numbers and booleans as their JSON text (an id 7 becomes "7"),
// nulls count as absent, arrays and objects as their compact JSON. Without an id field the id is
// the 1-based line number. A line that is not a JSON object is an error naming file and line.
#include "ragrt/loader.h"

namespace ragrt::ingest {

class JsonlLoader final : public DocumentLoader {
 public:
  std::string name() const override { return "jsonl"; }
  std::vector<std::string> extensions() const override { return {".jsonl", ".ndjson"}; }
  std::vector<Document> load(const std::filesystem::path& file, const std::string& doc_id,
                             const LoaderOptions& options) const override;
};

}  // namespace ragrt::ingest
