#include "ingest/heading_sections.h"

namespace ragrt::ingest {

std::vector<Section> sections_from_headings(const std::vector<Heading>& headings, size_t text_size) {
  std::vector<Section> sections;
  sections.reserve(headings.size());
  // Open headings from the outermost in; each entry is an index into `headings`/`sections`.
  std::vector<size_t> open;
  for (size_t i = 0; i < headings.size(); ++i) {
    const Heading& h = headings[i];
    while (!open.empty() && headings[open.back()].level >= h.level) {
      sections[open.back()].end = h.begin;
      open.pop_back();
    }
    Section s;
    s.begin = h.begin;
    s.end = text_size;
    for (size_t k : open) s.path += headings[k].title + " > ";
    s.path += h.title;
    sections.push_back(std::move(s));
    open.push_back(i);
  }
  return sections;
}

}  // namespace ragrt::ingest
