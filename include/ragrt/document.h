#pragma once
// What ingestion produces: a document's plain text plus where its sections and pages lie, and the
// chunks a splitter cuts from it. Every offset is a byte offset into Document::text, so an answer
// can cite the exact passage (and, for .txt/.md, the exact bytes of the source file).
#include <cstddef>
#include <map>
#include <string>
#include <vector>

namespace ragrt {

// A heading's extent: from the heading to the next heading of the same or a higher level.
struct Section {
  size_t begin = 0;
  size_t end = 0;
  std::string path;  // heading titles from the top level down, joined with " > "
};

struct Page {
  size_t begin = 0;
  size_t end = 0;
  int number = 0;  // 1-based
};

// Where a line read by OCR lies on its page, so that a citation can point at a region of a scan.
struct TextRegion {
  size_t begin = 0, end = 0;  // the line's bytes in Document::text
  int page = 0;               // 1-based
  // The line's bounds as fractions of the page's width and height (0..1, origin top-left), so they
  // hold at any rendering size.
  float x0 = 0, y0 = 0, x1 = 0, y1 = 0;
  float confidence = 1;         // the recognizer's mean character probability
  bool low_confidence = false;  // below ocr.low_confidence: kept in the text, but not to be trusted
};

struct Document {
  std::string id;      // stable: the path relative to the indexed root, or "path#record-id" for csv/jsonl records
  std::string source;  // the file it came from
  std::string title;   // <title>, the first heading, the record's title field, or the file name
  std::string text;    // valid UTF-8; .txt/.md keep the file's bytes unchanged
  std::vector<Section> sections;  // sorted by begin; may nest (a section lies inside its parent)
  std::vector<Page> pages;        // sorted, non-overlapping; empty when the format has no pages
  std::vector<TextRegion> regions;  // lines read by OCR, sorted by begin; empty for text layers
  std::map<std::string, std::string> metadata;  // "format" always; csv/jsonl fields as configured
};

struct Chunk {
  std::string doc_id;
  size_t index = 0;  // position of the chunk within its document
  size_t begin = 0;  // [begin, end) in Document::text
  size_t end = 0;
  std::string text;     // Document::text.substr(begin, end - begin)
  std::string section;  // path of the innermost section containing `begin`, "" if none
  int page = 0;         // page containing `begin`, 0 when the document has no pages
  int page_end = 0;     // page containing the last byte, 0 when no pages
  size_t tokens = 0;    // length in tokens of the splitter's tokenizer, no special tokens
  std::vector<TextRegion> regions;  // the document's OCR lines that overlap [begin, end)
};

}  // namespace ragrt
