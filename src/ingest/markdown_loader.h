#pragma once
// .md: Document::text is the file's bytes unchanged (a leading UTF-8 byte order mark is dropped,
// so offsets are then 3 less than file offsets). Sections come from ATX headings (`#`..`######`)
// and setext headings (a paragraph underlined with `===` or `---`), never from lines inside fenced
// code blocks (``` or ~~~) or a leading YAML front-matter block. The title is the first heading's
// text, else the file name.
#include <string_view>

#include "ingest/heading_sections.h"
#include "ragrt/loader.h"

namespace ragrt::ingest {

class MarkdownLoader final : public DocumentLoader {
 public:
  std::string name() const override { return "markdown"; }
  std::vector<std::string> extensions() const override { return {".md", ".markdown"}; }
  std::vector<Document> load(const std::filesystem::path& file, const std::string& doc_id,
                             const LoaderOptions& options) const override;
};

// The headings of a CommonMark-ish document, with byte offsets into `text` (exposed for tests).
std::vector<Heading> markdown_headings(std::string_view text);

}  // namespace ragrt::ingest
