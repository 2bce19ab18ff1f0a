// PDFs through poppler-cpp. Text comes in poppler's default reading-order layout
// (non_raw_non_physical_layout, what `pdftotext` does without -layout/-raw): it follows columns
// and text blocks as a reader would, where physical_layout pads with spaces to keep the geometry
// (interleaving side-by-side columns) and raw_order_layout follows the content stream, which
// generators often write out of reading order. Pages render for OCR at the DPI asked for, less
// when that would exceed the maximum side, so a poster-sized page does not exhaust memory.
#include <algorithm>
#include <climits>
#include <mutex>

#include <poppler/cpp/poppler-document.h>
#include <poppler/cpp/poppler-global.h>
#include <poppler/cpp/poppler-image.h>
#include <poppler/cpp/poppler-page.h>
#include <poppler/cpp/poppler-page-renderer.h>

#include "ingest/source_bytes.h"
#include "ragrt/error.h"
#include "ragrt/ocr.h"
#include "text/utf8.h"

namespace ragrt {

struct PdfDocument::Impl {
  std::string bytes;  // poppler reads from it without copying
  std::string name;
  std::unique_ptr<poppler::document> doc;

  std::unique_ptr<poppler::page> page(int index) const {
    std::unique_ptr<poppler::page> p(doc->create_page(index));
    if (!p) RAGRT_THROW_KIND(ErrorKind::kInvalidArgument, "{}: page {} cannot be read", name, index + 1);
    return p;
  }
};

PdfDocument::PdfDocument(std::string bytes, const std::string& name) : impl_(std::make_unique<Impl>()) {
  static std::once_flag quiet;
  std::call_once(quiet, [] { poppler::set_debug_error_function([](const std::string&, void*) {}, nullptr); });
  impl_->bytes = std::move(bytes);
  impl_->name = name;
  if (impl_->bytes.size() > static_cast<size_t>(INT_MAX)) {
    RAGRT_THROW_KIND(ErrorKind::kInvalidArgument, "{}: {} bytes is more than poppler takes", name, impl_->bytes.size());
  }
  impl_->doc.reset(poppler::document::load_from_raw_data(impl_->bytes.data(), static_cast<int>(impl_->bytes.size())));
  if (!impl_->doc) RAGRT_THROW_KIND(ErrorKind::kInvalidArgument, "{}: not a readable PDF (poppler could not parse it)", name);
  if (impl_->doc->is_locked()) {
    RAGRT_THROW_KIND(ErrorKind::kInvalidArgument,
                     "{}: the PDF is encrypted with a password; decrypt it (e.g. qpdf --decrypt) to read it", name);
  }
}

PdfDocument::~PdfDocument() = default;

int PdfDocument::pages() const { return impl_->doc->pages(); }

std::pair<double, double> PdfDocument::size_points(int index) const {
  const auto rect = impl_->page(index)->page_rect(poppler::media_box);
  return {rect.width(), rect.height()};
}

namespace {

std::string trimmed_utf8(const poppler::ustring& u) {
  const poppler::byte_array utf8 = u.to_utf8();
  return std::string(ingest::trim_ascii(std::string_view(utf8.data(), utf8.size())));
}

}  // namespace

std::string PdfDocument::text(int index) const {
  return trimmed_utf8(impl_->page(index)->text(poppler::rectf(), poppler::page::non_raw_non_physical_layout));
}

std::string PdfDocument::title() const {
  std::string t = trimmed_utf8(impl_->doc->info_key("Title"));
  return text::find_invalid_utf8(t) == text::kValidUtf8 ? t : std::string();
}

OcrImage PdfDocument::render(int index, int dpi, int max_side) const {
  const auto page = impl_->page(index);
  const auto rect = page->page_rect(poppler::media_box);
  const double longer_pt = std::max(rect.width(), rect.height());
  double res = dpi;
  if (longer_pt > 0 && longer_pt / 72.0 * res > max_side) res = max_side * 72.0 / longer_pt;
  poppler::page_renderer renderer;
  renderer.set_render_hint(poppler::page_renderer::antialiasing, true);
  renderer.set_render_hint(poppler::page_renderer::text_antialiasing, true);
  renderer.set_image_format(poppler::image::format_bgr24);
  const poppler::image img = renderer.render_page(page.get(), res, res);
  if (!img.is_valid() || img.width() <= 0 || img.height() <= 0) {
    RAGRT_THROW_KIND(ErrorKind::kInvalidArgument, "{}: page {} cannot be rendered", impl_->name, index + 1);
  }
  OcrImage out;
  out.width = img.width();
  out.height = img.height();
  out.bgr.resize(static_cast<size_t>(out.width) * out.height * 3);
  for (int y = 0; y < out.height; ++y) {
    const char* row = img.const_data() + static_cast<size_t>(y) * img.bytes_per_row();
    std::copy_n(reinterpret_cast<const uint8_t*>(row), static_cast<size_t>(out.width) * 3,
                out.bgr.data() + static_cast<size_t>(y) * out.width * 3);
  }
  return out;
}

}  // namespace ragrt
