#pragma once
// Turns the headings a loader found (markdown, HTML h1..h6, DOCX heading styles) into Sections:
// each runs from its heading to the next heading of the same or a higher level, and its path
// names the enclosing headings from the top down.
#include <cstddef>
#include <string>
#include <vector>

#include "ragrt/document.h"

namespace ragrt::ingest {

struct Heading {
  int level = 1;      // 1 = top; smaller numbers enclose larger ones (DOCX "Title" uses 0)
  size_t begin = 0;   // byte offset of the heading's first byte in Document::text
  std::string title;  // already trimmed
};

// `headings` in document order; `text_size` closes the sections still open at the end.
std::vector<Section> sections_from_headings(const std::vector<Heading>& headings, size_t text_size);

}  // namespace ragrt::ingest
