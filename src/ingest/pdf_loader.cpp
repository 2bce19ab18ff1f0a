#include "ingest/pdf_loader.h"

#include "ingest/ocr_pages.h"
#include "ingest/source_bytes.h"
#include "ragrt/error.h"
#include "ragrt/ocr.h"
#include "text/utf8.h"

namespace ragrt::ingest {
namespace {

// A page whose text layer has fewer visible characters than this is taken for a scan (a scanner
// may stamp a page number or a date on it) and read with OCR, which is kept when it finds more.
constexpr size_t kScanTextBytes = 16;

size_t visible_bytes(std::string_view s) {
  size_t n = 0;
  for (char c : s) n += !(c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v');
  return n;
}

}  // namespace

std::vector<Document> PdfLoader::load(const std::filesystem::path& file, const std::string& doc_id,
                                      const LoaderOptions& options) const {
  const PdfDocument pdf(read_source_bytes(file, options), file.string());
  Document doc;
  doc.id = doc_id;
  doc.source = file.string();
  doc.metadata["format"] = name();
  const int page_count = pdf.pages();
  size_t ocr_pages = 0, low = 0;
  for (int i = 0; i < page_count; ++i) {
    const std::string text = pdf.text(i);
    if (options.ocr && visible_bytes(text) < kScanTextBytes) {
      const OcrEngine& engine = options.ocr();
      OcrPage page = engine.recognize(pdf.render(i, engine.params().pdf_dpi, engine.params().max_image_side));
      page.number = i + 1;
      if (visible_bytes(page.text()) > visible_bytes(text)) {
        low += append_ocr_page(doc, page);
        ++ocr_pages;
        if (options.on_page) options.on_page(i + 1, page_count);
        continue;
      }
    }
    append_page(doc, i + 1, text);
    if (options.on_page) options.on_page(i + 1, page_count);
  }
  require_utf8(file, doc.text, "extracted text");
  note_ocr(doc, ocr_pages, low);
  const std::string title = pdf.title();
  doc.title = title.empty() ? file_title(file) : title;
  std::vector<Document> out;
  out.push_back(std::move(doc));
  return out;
}

}  // namespace ragrt::ingest
