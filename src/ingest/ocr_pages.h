#pragma once
// Turns pages read by OCR into document text: each page's lines in reading order (see
// OcrPage::text), a Page span for it, and a TextRegion per line with its box as fractions of the
// page, so a chunk can say where on the scan its text was.
#include <string_view>

#include "ragrt/document.h"
#include "ragrt/ocr.h"

namespace ragrt::ingest {

// Appends a page's `text` to doc.text (after "\n\n" when both have text) and its Page span, which
// it returns.
Page append_page(Document& doc, int number, std::string_view text);

// Appends `page` to doc.text (after "\n\n" when the document has text already) with its Page span
// (number page.number) and regions. Returns the number of low-confidence lines.
size_t append_ocr_page(Document& doc, const OcrPage& page);

// Records in doc.metadata how many pages were read by OCR and how many lines were low-confidence.
void note_ocr(Document& doc, size_t pages, size_t low_confidence_lines);

}  // namespace ragrt::ingest
