#pragma once
// .docx (Office Open XML): the text of word/document.xml, read with libzip and libxml2. Each
// paragraph (w:p) becomes one line-separated block ("\n\n" between paragraphs), w:tab is a tab,
// w:br / w:cr a line break, table cells are separated by a space and rows by a line break (a
// table as a whole is set apart like a paragraph).
// Deleted revisions (w:del), field instructions (w:instrText) and the like contribute nothing.
// Paragraphs styled "Title" or "Heading N" (or with an outline level) become sections. The title
// is docProps/core.xml's dc:title, else the "Title" paragraph, else the first heading, else the
// file name. A file that is not a zip archive or lacks word/document.xml is an error naming it.
#include "ragrt/loader.h"

namespace ragrt::ingest {

class DocxLoader final : public DocumentLoader {
 public:
  std::string name() const override { return "docx"; }
  std::vector<std::string> extensions() const override { return {".docx"}; }
  std::vector<Document> load(const std::filesystem::path& file, const std::string& doc_id,
                             const LoaderOptions& options) const override;
};

}  // namespace ragrt::ingest
