#include "ingest/pdf_loader.h"

#include <climits>
#include <memory>
#include <mutex>

#include <poppler/cpp/poppler-document.h>
#include <poppler/cpp/poppler-global.h>
#include <poppler/cpp/poppler-page.h>

#include "ingest/source_bytes.h"
#include "ragrt/error.h"
#include "text/utf8.h"

namespace ragrt::ingest {
namespace {

std::string utf8_of(const poppler::ustring& s) {
  const poppler::byte_array bytes = s.to_utf8();
  return std::string(bytes.begin(), bytes.end());
}

void silence_poppler() {
  // poppler prints every syntax problem of a damaged PDF to stderr; the loader reports failures
  // itself, naming the file, so the library's chatter would only be noise in the server log.
  static std::once_flag once;
  std::call_once(once, [] { poppler::set_debug_error_function([](const std::string&, void*) {}, nullptr); });
}

}  // namespace

std::vector<Document> PdfLoader::load(const std::filesystem::path& file, const std::string& doc_id,
                                      const LoaderOptions& options) const {
  silence_poppler();
  const std::string bytes = read_source_bytes(file, options);
  if (bytes.size() > static_cast<size_t>(INT_MAX)) {
    RAGRT_THROW_KIND(ErrorKind::kInvalidArgument, "{}: {} bytes is more than poppler takes", file.string(),
                     bytes.size());
  }
  // load_from_raw_data does not copy: `bytes` outlives `pdf`.
  std::unique_ptr<poppler::document> pdf(
      poppler::document::load_from_raw_data(bytes.data(), static_cast<int>(bytes.size())));
  if (!pdf) {
    RAGRT_THROW_KIND(ErrorKind::kInvalidArgument, "{}: not a readable PDF (poppler could not parse it)",
                     file.string());
  }
  if (pdf->is_locked()) {
    RAGRT_THROW_KIND(ErrorKind::kInvalidArgument,
                     "{}: the PDF is encrypted with a password; decrypt it (e.g. qpdf --decrypt) to index it",
                     file.string());
  }
  Document doc;
  doc.id = doc_id;
  doc.source = file.string();
  doc.metadata["format"] = name();
  const int page_count = pdf->pages();
  for (int i = 0; i < page_count; ++i) {
    std::unique_ptr<poppler::page> page(pdf->create_page(i));
    if (!page) RAGRT_THROW_KIND(ErrorKind::kInvalidArgument, "{}: page {} cannot be read", file.string(), i + 1);
    const std::string raw = utf8_of(page->text(poppler::rectf(), poppler::page::non_raw_non_physical_layout));
    const std::string_view text = trim_ascii(raw);
    if (!text.empty() && !doc.text.empty()) doc.text += "\n\n";
    Page span;
    span.number = i + 1;
    span.begin = doc.text.size();
    doc.text += text;
    span.end = doc.text.size();
    doc.pages.push_back(span);
  }
  require_utf8(file, doc.text, "extracted text");
  std::string title(trim_ascii(utf8_of(pdf->info_key("Title"))));
  if (text::find_invalid_utf8(title) != text::kValidUtf8) title.clear();
  doc.title = title.empty() ? file_title(file) : title;
  std::vector<Document> out;
  out.push_back(std::move(doc));
  return out;
}

}  // namespace ragrt::ingest
