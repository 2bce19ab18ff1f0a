#pragma once
// .pdf via poppler-cpp (PdfDocument): one Document per file. Each page's text layer is taken in
// reading order; a page without one (a scan) is rendered and read with OCR when
// LoaderOptions::ocr is set, page by page, so a mixed document keeps its text layer where it has
// one. Pages are trimmed and joined with "\n\n"; Document::pages records each page's byte range
// (numbers 1-based; an empty page has an empty range) and Document::regions the OCR'd lines. The title is the PDF's Info "Title" when non-empty, else the file name.
// Encrypted (password-protected) and unparsable files are errors naming the file.
#include "ragrt/loader.h"

namespace ragrt::ingest {

class PdfLoader final : public DocumentLoader {
 public:
  std::string name() const override { return "pdf"; }
  std::vector<std::string> extensions() const override { return {".pdf"}; }
  std::vector<Document> load(const std::filesystem::path& file, const std::string& doc_id,
                             const LoaderOptions& options) const override;
};

}  // namespace ragrt::ingest
