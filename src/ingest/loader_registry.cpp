// The built-in loaders, looked up by extension, and the walk that finds the files to index.
#include <algorithm>
#include <system_error>

#include "ingest/csv_loader.h"
#include "ingest/docx_loader.h"
#include "ingest/html_loader.h"
#include "ingest/image_loader.h"
#include "ingest/jsonl_loader.h"
#include "ingest/markdown_loader.h"
#include "ingest/pdf_loader.h"
#include "ingest/source_bytes.h"
#include "ingest/text_loader.h"
#include "ragrt/error.h"
#include "ragrt/loader.h"

namespace ragrt {

std::vector<const DocumentLoader*> all_loaders() {
  static const ingest::TextLoader txt;
  static const ingest::MarkdownLoader md;
  static const ingest::HtmlLoader html;
  static const ingest::PdfLoader pdf;
  static const ingest::CsvLoader csv;
  static const ingest::JsonlLoader jsonl;
  static const ingest::DocxLoader docx;
  static const ingest::ImageLoader image;
  return {&txt, &md, &html, &pdf, &csv, &jsonl, &docx, &image};
}

const DocumentLoader* loader_for(const std::filesystem::path& file) {
  const std::string ext = ingest::ascii_lower(file.extension().string());
  for (const DocumentLoader* loader : all_loaders()) {
    const auto exts = loader->extensions();
    if (std::find(exts.begin(), exts.end(), ext) != exts.end()) return loader;
  }
  return nullptr;
}

namespace {

bool hidden(const std::filesystem::path& p) {
  const std::string name = p.filename().string();
  return !name.empty() && name[0] == '.';
}

// Document ids use '/' on every platform so an index built on one machine reads the same elsewhere.
std::string id_of(const std::filesystem::path& relative) { return relative.generic_string(); }

}  // namespace

std::vector<SourceFile> collect_files(const std::vector<std::filesystem::path>& paths) {
  std::vector<SourceFile> files;
  for (const auto& root : paths) {
    std::error_code ec;
    const auto status = std::filesystem::status(root, ec);
    if (ec || !std::filesystem::exists(status)) {
      RAGRT_THROW_KIND(ErrorKind::kNotFound, "{}: no such file or folder", root.string());
    }
    if (std::filesystem::is_regular_file(status)) {
      files.push_back({root, id_of(root.filename())});
      continue;
    }
    std::vector<SourceFile> found;
    auto it = std::filesystem::recursive_directory_iterator(
        root, std::filesystem::directory_options::skip_permission_denied, ec);
    if (ec) RAGRT_THROW_KIND(ErrorKind::kIo, "{}: cannot list: {}", root.string(), ec.message());
    for (auto end = std::filesystem::recursive_directory_iterator(); it != end; it.increment(ec)) {
      if (ec) RAGRT_THROW_KIND(ErrorKind::kIo, "{}: cannot list: {}", root.string(), ec.message());
      if (hidden(it->path())) {
        if (it->is_directory()) it.disable_recursion_pending();
        continue;
      }
      if (!it->is_regular_file()) continue;
      // Lexically: std::filesystem::relative resolves symlinks, which would name a linked file by
      // its target's path ("../elsewhere/x.txt") instead of where it lies in the folder.
      found.push_back({it->path(), id_of(it->path().lexically_relative(root))});
    }
    std::sort(found.begin(), found.end(), [](const SourceFile& a, const SourceFile& b) { return a.doc_id < b.doc_id; });
    files.insert(files.end(), found.begin(), found.end());
  }
  return files;
}

}  // namespace ragrt
