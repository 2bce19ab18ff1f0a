#include "ingest/ocr_pages.h"

#include <algorithm>
#include <string>

namespace ragrt::ingest {

Page append_page(Document& doc, int number, std::string_view text) {
  if (!text.empty() && !doc.text.empty()) doc.text += "\n\n";
  Page span;
  span.number = number;
  span.begin = doc.text.size();
  doc.text += text;
  span.end = doc.text.size();
  doc.pages.push_back(span);
  return span;
}

size_t append_ocr_page(Document& doc, const OcrPage& page) {
  std::vector<std::pair<size_t, size_t>> ranges;
  const Page span = append_page(doc, page.number, page.text(&ranges));
  size_t low = 0;
  const float w = static_cast<float>(std::max(1, page.width)), h = static_cast<float>(std::max(1, page.height));
  for (size_t i = 0; i < page.lines.size(); ++i) {
    const OcrLine& line = page.lines[i];
    TextRegion r;
    r.begin = span.begin + ranges[i].first;
    r.end = span.begin + ranges[i].second;
    r.page = page.number;
    r.x0 = r.x1 = line.box[0].x;
    r.y0 = r.y1 = line.box[0].y;
    for (const OcrPoint& p : line.box) {
      r.x0 = std::min(r.x0, p.x), r.x1 = std::max(r.x1, p.x), r.y0 = std::min(r.y0, p.y), r.y1 = std::max(r.y1, p.y);
    }
    r.x0 = std::clamp(r.x0 / w, 0.0f, 1.0f), r.x1 = std::clamp(r.x1 / w, 0.0f, 1.0f);
    r.y0 = std::clamp(r.y0 / h, 0.0f, 1.0f), r.y1 = std::clamp(r.y1 / h, 0.0f, 1.0f);
    r.confidence = line.confidence;
    r.low_confidence = line.low_confidence;
    low += line.low_confidence;
    doc.regions.push_back(r);
  }
  return low;
}

void note_ocr(Document& doc, size_t pages, size_t low_confidence_lines) {
  if (pages == 0) return;
  doc.metadata["ocr_pages"] = std::to_string(pages);
  doc.metadata["ocr_low_confidence_lines"] = std::to_string(low_confidence_lines);
}

}  // namespace ragrt::ingest
