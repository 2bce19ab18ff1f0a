#include "ingest/html_loader.h"

#include <algorithm>
#include <climits>
#include <memory>
#include <mutex>
#include <string_view>

#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "ingest/heading_sections.h"
#include "ingest/source_bytes.h"
#include "ragrt/error.h"

namespace ragrt::ingest {
namespace {

bool html_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

std::string_view tag_of(const xmlNode* node) {
  return node->name ? std::string_view(reinterpret_cast<const char*>(node->name)) : std::string_view();
}

bool one_of(std::string_view tag, std::initializer_list<std::string_view> tags) {
  return std::find(tags.begin(), tags.end(), tag) != tags.end();
}

bool skipped_element(const xmlNode* node, std::string_view tag) {
  if (one_of(tag, {"script", "style", "noscript", "template", "head", "title", "svg", "math"})) return true;
  return xmlHasProp(node, reinterpret_cast<const xmlChar*>("hidden")) != nullptr;
}

// Newlines a block element puts before and after itself: 2 separates paragraphs, 1 lines.
int block_break(std::string_view tag) {
  if (one_of(tag, {"p", "ul", "ol", "dl", "table", "blockquote", "pre", "section", "article", "header", "footer",
                   "nav", "aside", "main", "figure", "form", "fieldset", "hr", "address", "details", "body", "html",
                   "h1", "h2", "h3", "h4", "h5", "h6"})) {
    return 2;
  }
  if (one_of(tag, {"div", "li", "tr", "dt", "dd", "caption", "figcaption", "legend", "summary", "option",
                   "thead", "tbody", "tfoot", "center", "menu", "dir", "noframes", "frameset", "frame",
                   "optgroup", "select", "textarea"})) {
    return 1;
  }
  return 0;
}

int heading_level(std::string_view tag) {
  if (tag.size() == 2 && tag[0] == 'h' && tag[1] >= '1' && tag[1] <= '6') return tag[1] - '0';
  return 0;
}

std::string collapse_whitespace(std::string_view s) {
  std::string out;
  bool space = false;
  for (char c : s) {
    if (html_space(c)) {
      space = true;
      continue;
    }
    if (space && !out.empty()) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

// Walks the DOM and lays the visible text out as plain text.
class VisibleText {
 public:
  void walk(const xmlNode* node) {
    for (const xmlNode* n = node; n != nullptr; n = n->next) visit(n);
  }

  std::string finish() {
    while (!out_.empty() && html_space(out_.back())) out_.pop_back();
    return std::move(out_);
  }
  const std::vector<Heading>& headings() const { return headings_; }
  const std::string& first_h1() const { return first_h1_; }

 private:
  void visit(const xmlNode* n) {
    if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
      if (!n->content) return;
      std::string_view s(reinterpret_cast<const char*>(n->content));
      // A line break right after <pre> is markup, not content (HTML drops it; libxml2 keeps it).
      if (n->prev == nullptr && n->parent && ascii_lower(tag_of(n->parent)) == "pre") {
        if (s.starts_with("\r\n")) {
          s.remove_prefix(2);
        } else if (s.starts_with("\n") || s.starts_with("\r")) {
          s.remove_prefix(1);
        }
      }
      add_text(s);
      return;
    }
    if (n->type != XML_ELEMENT_NODE) return;  // comments, processing instructions
    const std::string tag = ascii_lower(tag_of(n));
    if (skipped_element(n, tag)) return;
    if (tag == "br") {
      if (!out_.empty()) {
        flush_break();
        out_ += '\n';
      }
      pending_space_ = false;
      return;
    }
    if (tag == "td" || tag == "th") pending_space_ = true;
    const int brk = block_break(tag);
    want_break(brk);
    const int level = heading_level(tag);
    const size_t begin = level ? (flush_break(), out_.size()) : 0;
    if (tag == "pre") ++pre_depth_;
    walk(n->children);
    if (tag == "pre") --pre_depth_;
    if (level) {
      const std::string_view text = std::string_view(out_).substr(begin);
      std::string title = collapse_whitespace(text);
      if (!title.empty()) {
        if (level == 1 && first_h1_.empty()) first_h1_ = title;
        // The section starts at the heading's first visible character (a leading <br> is not it).
        size_t first = 0;
        while (first < text.size() && html_space(text[first])) ++first;
        headings_.push_back({level, begin + first, std::move(title)});
      }
    }
    if (tag == "td" || tag == "th") pending_space_ = true;
    want_break(brk);
  }

  void want_break(int newlines) { pending_break_ = std::max(pending_break_, newlines); }

  // Ends the current line/paragraph if a block boundary asked for it; newlines already at the end
  // of the text count, so nested blocks do not pile up blank lines.
  void flush_break() {
    if (pending_break_ == 0) return;
    if (!out_.empty()) {
      int have = 0;
      for (auto it = out_.rbegin(); it != out_.rend() && *it == '\n' && have < pending_break_; ++it) ++have;
      out_.append(static_cast<size_t>(pending_break_ - have), '\n');
      pending_space_ = false;
    }
    pending_break_ = 0;
  }

  void put_separator() {
    flush_break();
    if (pending_space_ && !out_.empty() && !html_space(out_.back())) out_ += ' ';
    pending_space_ = false;
  }

  void add_text(std::string_view s) {
    if (pre_depth_ > 0) {
      if (s.empty()) return;
      put_separator();
      out_ += s;
      return;
    }
    size_t i = 0;
    while (i < s.size()) {
      if (html_space(s[i])) {
        pending_space_ = true;
        ++i;
        continue;
      }
      size_t j = i;
      while (j < s.size() && !html_space(s[j])) ++j;
      put_separator();
      out_.append(s.substr(i, j - i));
      i = j;
    }
  }

  std::string out_;
  int pending_break_ = 0;
  bool pending_space_ = false;
  int pre_depth_ = 0;
  std::vector<Heading> headings_;
  std::string first_h1_;
};

const xmlNode* find_element(const xmlNode* node, std::string_view tag) {
  for (const xmlNode* n = node; n != nullptr; n = n->next) {
    if (n->type != XML_ELEMENT_NODE) continue;
    const std::string name = ascii_lower(tag_of(n));
    if (name == tag) return n;
    if (name == "svg" || name == "math") continue;  // their <title> is a tooltip, not the page's
    if (const xmlNode* found = find_element(n->children, tag)) return found;
  }
  return nullptr;
}

std::string element_text(const xmlNode* node) {
  xmlChar* content = xmlNodeGetContent(node);
  if (!content) return {};
  std::string text = collapse_whitespace(reinterpret_cast<const char*>(content));
  xmlFree(content);
  return text;
}

struct DocFree {
  void operator()(xmlDoc* d) const { xmlFreeDoc(d); }
};

}  // namespace

std::vector<Document> HtmlLoader::load(const std::filesystem::path& file, const std::string& doc_id,
                                       const LoaderOptions& options) const {
  static std::once_flag init;
  std::call_once(init, [] { xmlInitParser(); });  // libxml2 wants this once before threads parse

  const std::string bytes = read_source_bytes(file, options);
  if (bytes.size() > static_cast<size_t>(INT_MAX)) {
    RAGRT_THROW_KIND(ErrorKind::kInvalidArgument, "{}: {} bytes is more than the HTML parser takes", file.string(),
                     bytes.size());
  }
  Document doc;
  doc.id = doc_id;
  doc.source = file.string();
  doc.metadata["format"] = name();
  std::string title;
  if (!trim_ascii(bytes).empty()) {
    const std::string url = file.string();
    std::unique_ptr<xmlDoc, DocFree> html(
        htmlReadMemory(bytes.data(), static_cast<int>(bytes.size()), url.c_str(), nullptr,
                       HTML_PARSE_RECOVER | HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING));
    if (!html) RAGRT_THROW_KIND(ErrorKind::kInvalidArgument, "{}: libxml2 could not parse it as HTML", file.string());
    VisibleText visible;
    visible.walk(html->children);
    doc.text = visible.finish();
    require_utf8(file, doc.text, "extracted text");
    doc.sections = sections_from_headings(visible.headings(), doc.text.size());
    if (const xmlNode* t = find_element(html->children, "title")) title = element_text(t);
    if (title.empty()) title = visible.first_h1();
  }
  doc.title = title.empty() ? file_title(file) : title;
  std::vector<Document> out;
  out.push_back(std::move(doc));
  return out;
}

}  // namespace ragrt::ingest
