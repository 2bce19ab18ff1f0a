#pragma once
// .pdf via poppler-cpp: one Document per file. Each page's text is taken in poppler's default
// reading-order layout (non_raw_non_physical_layout, what `pdftotext` does without -layout/-raw):
// it follows columns and text blocks as a reader would, where physical_layout pads with spaces to
// keep the geometry (interleaving the lines of side-by-side columns) and raw_order_layout follows
// the content stream, which generators often write out of reading order. Pages are trimmed and
// joined with "\n\n"; Document::pages records each page's byte range (numbers 1-based; an empty
// page has an empty range). The title is the PDF's Info "Title" when non-empty, else the file name.
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
