#pragma once
// .html / .htm: the visible text, as a browser would lay it out in plain text. libxml2's HTML parser
// (error-recovering, no network) reads the file in the encoding it declares (<meta charset>, BOM;
// UTF-8 otherwise) and decodes entities; the text comes out as UTF-8.
//  - script, style, noscript, template, svg, the <head> and elements with a `hidden` attribute
//    contribute nothing;
//  - block elements (p, div, li, tr, h1-h6, table, section, ...) end lines or paragraphs ("\n" /
//    "\n\n"), table cells are separated by a space and <br> is a line break, so words from
//    different blocks never run together;
//  - whitespace runs inside inline text collapse to one space, except inside <pre>.
// The title is <title>, else the first <h1>, else the file name. Sections come from h1..h6, with
// offsets into the extracted text.
#include "ragrt/loader.h"

namespace ragrt::ingest {

class HtmlLoader final : public DocumentLoader {
 public:
  std::string name() const override { return "html"; }
  std::vector<std::string> extensions() const override { return {".html", ".htm", ".xhtml"}; }
  std::vector<Document> load(const std::filesystem::path& file, const std::string& doc_id,
                             const LoaderOptions& options) const override;
};

}  // namespace ragrt::ingest
