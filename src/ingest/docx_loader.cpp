#include "ingest/docx_loader.h"

#include <climits>
#include <memory>
#include <mutex>
#include <optional>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <zip.h>

#include "ingest/heading_sections.h"
#include "ingest/source_bytes.h"
#include "ragrt/error.h"

namespace ragrt::ingest {
namespace {

struct ZipClose {
  void operator()(zip_t* z) const { zip_discard(z); }
};
struct ZipFileClose {
  void operator()(zip_file_t* f) const { zip_fclose(f); }
};
struct DocFree {
  void operator()(xmlDoc* d) const { xmlFreeDoc(d); }
};

// One archive member, or nullopt when the archive has no such entry. The uncompressed size is
// checked against the loader's limit before anything is inflated (a zip bomb stays a zip).
std::optional<std::string> read_member(zip_t* archive, const char* member, const std::filesystem::path& file,
                                       const LoaderOptions& options) {
  zip_stat_t st;
  zip_stat_init(&st);
  if (zip_stat(archive, member, 0, &st) != 0) return std::nullopt;
  if (!(st.valid & ZIP_STAT_SIZE) || st.size > options.max_file_bytes) {
    RAGRT_THROW_KIND(ErrorKind::kInvalidArgument, "{}: {} inflates to {} bytes, more than the {}-byte limit",
                     file.string(), member, static_cast<unsigned long long>(st.size), options.max_file_bytes);
  }
  std::unique_ptr<zip_file_t, ZipFileClose> f(zip_fopen(archive, member, 0));
  if (!f) {
    RAGRT_THROW_KIND(ErrorKind::kInvalidArgument, "{}: cannot open {} in the archive: {}", file.string(), member,
                     zip_strerror(archive));
  }
  std::string bytes(static_cast<size_t>(st.size), '\0');
  zip_int64_t got = zip_fread(f.get(), bytes.data(), bytes.size());
  if (got < 0 || static_cast<size_t>(got) != bytes.size()) {
    RAGRT_THROW_KIND(ErrorKind::kInvalidArgument, "{}: {} is damaged (read {} of {} bytes)", file.string(), member,
                     static_cast<long long>(got), bytes.size());
  }
  return bytes;
}

std::unique_ptr<xmlDoc, DocFree> parse_xml(const std::string& bytes, const std::filesystem::path& file,
                                           const char* member) {
  if (bytes.size() > static_cast<size_t>(INT_MAX)) {
    RAGRT_THROW_KIND(ErrorKind::kInvalidArgument, "{}: {} is too large for the XML parser", file.string(), member);
  }
  std::unique_ptr<xmlDoc, DocFree> doc(xmlReadMemory(bytes.data(), static_cast<int>(bytes.size()), member, nullptr,
                                                     XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
                                                         XML_PARSE_HUGE));
  if (!doc) {
    RAGRT_THROW_KIND(ErrorKind::kInvalidArgument, "{}: {} is not well-formed XML", file.string(), member);
  }
  return doc;
}

std::string_view local_name(const xmlNode* n) {
  return n->name ? std::string_view(reinterpret_cast<const char*>(n->name)) : std::string_view();
}

std::string attr(const xmlNode* n, const char* name) {
  for (const xmlAttr* a = n->properties; a; a = a->next) {
    if (std::string_view(reinterpret_cast<const char*>(a->name)) != name) continue;
    xmlChar* v = xmlNodeListGetString(n->doc, a->children, 1);
    std::string out = v ? reinterpret_cast<const char*>(v) : "";
    xmlFree(v);
    return out;
  }
  return {};
}

const xmlNode* child(const xmlNode* n, std::string_view name) {
  for (const xmlNode* c = n ? n->children : nullptr; c; c = c->next) {
    if (c->type == XML_ELEMENT_NODE && local_name(c) == name) return c;
  }
  return nullptr;
}

// Heading level of a paragraph: 0 for the "Title" style, N for "Heading N" / "heading N" / an
// outline level N-1; nullopt for body text.
std::optional<int> heading_level(const xmlNode* p) {
  const xmlNode* props = child(p, "pPr");
  if (!props) return std::nullopt;
  if (const xmlNode* style = child(props, "pStyle")) {
    const std::string id = ascii_lower(attr(style, "val"));
    if (id == "title") return 0;
    for (std::string_view prefix : {"heading", "heading "}) {
      if (id.size() > prefix.size() && id.compare(0, prefix.size(), prefix) == 0) {
        const std::string digits = id.substr(prefix.size());
        if (digits.size() == 1 && digits[0] >= '1' && digits[0] <= '9') return digits[0] - '0';
      }
    }
  }
  if (const xmlNode* outline = child(props, "outlineLvl")) {
    const std::string v = attr(outline, "val");
    if (v.size() == 1 && v[0] >= '0' && v[0] <= '8') return v[0] - '0' + 1;
  }
  return std::nullopt;
}

class BodyText {
 public:
  void walk(const xmlNode* node) {
    for (const xmlNode* n = node; n; n = n->next) visit(n);
  }
  std::string finish() {
    while (!out_.empty() && (out_.back() == '\n' || out_.back() == ' ')) out_.pop_back();
    return std::move(out_);
  }
  const std::vector<Heading>& headings() const { return headings_; }
  const std::string& title_paragraph() const { return title_; }

 private:
  void visit(const xmlNode* n) {
    if (n->type != XML_ELEMENT_NODE) return;
    const std::string_view tag = local_name(n);
    // Deleted revisions (and the old place of moved text), field codes, comments' anchors and
    // drawings' alternate content carry no visible body text (mc:Fallback duplicates mc:Choice).
    if (tag == "del" || tag == "moveFrom" || tag == "instrText" || tag == "delText" || tag == "Fallback" ||
        tag == "commentReference")
      return;
    // Properties are formatting, not text: a paragraph's <w:tabs><w:tab .../></w:tabs> defines tab
    // stops, which must not come out as tab characters.
    if (tag == "pPr" || tag == "rPr" || tag == "tblPr" || tag == "trPr" || tag == "tcPr" || tag == "sectPr" ||
        tag == "tblPrEx" || tag == "sdtPr" || tag == "sdtEndPr" || tag == "tblGrid")
      return;
    if (tag == "t") {
      xmlChar* content = xmlNodeGetContent(n);
      if (content) out_ += reinterpret_cast<const char*>(content);
      xmlFree(content);
      return;
    }
    if (tag == "tab") {
      out_ += '\t';
      return;
    }
    if (tag == "br" || tag == "cr") {
      out_ += '\n';
      return;
    }
    if (tag == "p") {
      paragraph(n);
      return;
    }
    if (tag == "tc") {
      if (!out_.empty() && out_.back() != '\n' && out_.back() != ' ') out_ += ' ';
      walk(n->children);
      return;
    }
    if (tag == "tbl" && !(n->parent && local_name(n->parent) == "tc")) {
      // A table is a block of its own, set apart from the paragraphs around it like they are.
      separate(2);
      walk(n->children);
      separate(2);
      return;
    }
    if (tag == "tr") {
      separate(1);
      walk(n->children);
      separate(1);
      return;
    }
    walk(n->children);
  }

  void paragraph(const xmlNode* p) {
    const bool in_cell = p->parent && local_name(p->parent) == "tc";
    if (!in_cell) separate(2);
    const size_t begin = out_.size();
    walk(p->children);
    if (auto level = heading_level(p); level && !in_cell) {
      const std::string_view text = std::string_view(out_).substr(begin);
      std::string title(trim_ascii(text));
      if (!title.empty()) {
        if (*level == 0 && title_.empty()) title_ = title;
        // The section starts at the title's first byte, not at a leading tab or line break.
        headings_.push_back({*level, begin + text.find(title), std::move(title)});
      }
    }
    if (in_cell && out_.size() > begin) out_ += ' ';
  }

  void separate(int newlines) {
    if (out_.empty()) return;
    while (!out_.empty() && out_.back() == ' ') out_.pop_back();
    int have = 0;
    for (auto it = out_.rbegin(); it != out_.rend() && *it == '\n' && have < newlines; ++it) ++have;
    out_.append(static_cast<size_t>(newlines - have), '\n');
  }

  std::string out_;
  std::vector<Heading> headings_;
  std::string title_;
};

std::string core_title(zip_t* archive, const std::filesystem::path& file, const LoaderOptions& options) {
  auto core = read_member(archive, "docProps/core.xml", file, options);
  if (!core) return {};
  std::unique_ptr<xmlDoc, DocFree> xml(xmlReadMemory(core->data(), static_cast<int>(core->size()), "core.xml",
                                                     nullptr, XML_PARSE_NONET | XML_PARSE_NOERROR |
                                                                  XML_PARSE_NOWARNING));
  if (!xml) return {};  // metadata is optional; a damaged core.xml must not lose the body text
  const xmlNode* root = xmlDocGetRootElement(xml.get());
  if (const xmlNode* t = child(root, "title")) {
    xmlChar* content = xmlNodeGetContent(t);
    std::string title = content ? reinterpret_cast<const char*>(content) : "";
    xmlFree(content);
    return std::string(trim_ascii(title));
  }
  return {};
}

}  // namespace

std::vector<Document> DocxLoader::load(const std::filesystem::path& file, const std::string& doc_id,
                                       const LoaderOptions& options) const {
  static std::once_flag init;
  std::call_once(init, [] { xmlInitParser(); });
  const std::string bytes = read_source_bytes(file, options);
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* source = zip_source_buffer_create(bytes.data(), bytes.size(), 0, &error);
  if (!source) {
    RAGRT_THROW_KIND(ErrorKind::kRuntime, "{}: {}", file.string(), zip_error_strerror(&error));
  }
  std::unique_ptr<zip_t, ZipClose> archive(zip_open_from_source(source, ZIP_RDONLY, &error));
  if (!archive) {
    zip_source_free(source);
    std::string why = zip_error_strerror(&error);
    zip_error_fini(&error);
    RAGRT_THROW_KIND(ErrorKind::kInvalidArgument, "{}: not a .docx (zip) archive: {}", file.string(), why);
  }
  zip_error_fini(&error);
  auto body = read_member(archive.get(), "word/document.xml", file, options);
  if (!body) {
    RAGRT_THROW_KIND(ErrorKind::kInvalidArgument,
                     "{}: the archive has no word/document.xml, so it is not a Word document", file.string());
  }
  auto xml = parse_xml(*body, file, "word/document.xml");
  BodyText text;
  text.walk(xmlDocGetRootElement(xml.get()));

  Document doc;
  doc.id = doc_id;
  doc.source = file.string();
  doc.metadata["format"] = name();
  doc.text = text.finish();
  require_utf8(file, doc.text, "extracted text");
  doc.sections = sections_from_headings(text.headings(), doc.text.size());
  std::string title = core_title(archive.get(), file, options);
  if (title.empty()) title = text.title_paragraph();
  if (title.empty() && !text.headings().empty()) title = text.headings().front().title;
  doc.title = title.empty() ? file_title(file) : title;
  std::vector<Document> out;
  out.push_back(std::move(doc));
  return out;
}

}  // namespace ragrt::ingest
