#include "ingest/image_loader.h"

#include <system_error>

#include "ingest/ocr_pages.h"
#include "ingest/source_bytes.h"
#include "ragrt/error.h"
#include "ragrt/ocr.h"

namespace ragrt::ingest {

std::vector<std::string> ImageLoader::extensions() const { return ocr_image_extensions(); }

std::vector<Document> ImageLoader::load(const std::filesystem::path& file, const std::string& doc_id,
                                        const LoaderOptions& options) const {
  if (!options.ocr) {
    RAGRT_THROW_KIND(ErrorKind::kInvalidArgument,
                     "{}: images are read with OCR, which this config turns off (ocr: {{enabled: false}}); remove that "
                     "to index it",
                     file.string());
  }
  std::error_code ec;
  const auto size = std::filesystem::file_size(file, ec);
  if (ec) RAGRT_THROW_KIND(ErrorKind::kNotFound, "{}: cannot read: {}", file.string(), ec.message());
  if (size > options.max_file_bytes) {
    RAGRT_THROW_KIND(ErrorKind::kInvalidArgument, "{}: file is {} bytes, more than the {}-byte limit (ingest.max_file_bytes)",
                     file.string(), size, options.max_file_bytes);
  }
  const OcrEngine& engine = options.ocr();
  const std::vector<OcrImage> frames = read_images(file, engine.params().max_image_side);
  Document doc;
  doc.id = doc_id;
  doc.source = file.string();
  doc.title = file_title(file);
  doc.metadata["format"] = name();
  size_t low = 0;
  for (size_t i = 0; i < frames.size(); ++i) {
    OcrPage page = engine.recognize(frames[i]);
    page.number = static_cast<int>(i + 1);
    low += append_ocr_page(doc, page);
    if (options.on_page) options.on_page(static_cast<int>(i + 1), static_cast<int>(frames.size()));
  }
  note_ocr(doc, frames.size(), low);
  std::vector<Document> out;
  out.push_back(std::move(doc));
  return out;
}

}  // namespace ragrt::ingest
