#pragma once
// .png .jpg .jpeg .tif .tiff .bmp: scans, photos and screenshots read by OCR (LoaderOptions::ocr),
// one page per picture (per frame of a multi-page TIFF). Without OCR such files are refused with
// a message saying how to turn it on.
#include "ragrt/loader.h"

namespace ragrt::ingest {

class ImageLoader final : public DocumentLoader {
 public:
  std::string name() const override { return "image"; }
  std::vector<std::string> extensions() const override;
  std::vector<Document> load(const std::filesystem::path& file, const std::string& doc_id,
                             const LoaderOptions& options) const override;
};

}  // namespace ragrt::ingest
