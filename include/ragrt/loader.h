#pragma once
// Document loaders: one per file format, picked by file extension. A loader turns one file into
// one Document (or, for .csv and .jsonl, one Document per record).
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "ragrt/document.h"

namespace ragrt {

class OcrEngine;

struct LoaderOptions {
  // .csv / .jsonl records: which fields hold the text, the id and the title. A record without the
  // text field is an error naming file and line; without the id field its id is its 1-based record
  // number (.csv, header not counted) or line number (.jsonl).
  std::vector<std::string> text_fields = {"text"};  // joined with "\n\n" when several
  std::string id_field = "id";                      // "_id" is tried as well (BEIR corpora)
  std::string title_field = "title";
  std::vector<std::string> metadata_fields;         // copied into Document::metadata; empty: none
  size_t max_file_bytes = 256u << 20;               // larger files are refused with an error
  // Reads images and PDF pages without a text layer: returns the engine, loading its models on the
  // first call (and throwing when they cannot be loaded). Empty: OCR is off, images are refused
  // and pages without a text layer stay empty.
  std::function<const OcrEngine&()> ocr;
  // Called after each page of a file read page by page with OCR, with (done, total).
  std::function<void(int done, int total)> on_page;
};

class DocumentLoader {
 public:
  virtual ~DocumentLoader() = default;
  virtual std::string name() const = 0;                     // "txt", "markdown", "html", "pdf", ...
  virtual std::vector<std::string> extensions() const = 0;  // lower case with the dot: ".md"
  // Throws ragrt::Error naming the file (and line / page where it applies) when the file cannot be read or parsed.
  virtual std::vector<Document> load(const std::filesystem::path& file, const std::string& doc_id,
                                     const LoaderOptions& options) const = 0;
};

// The loader for `file`'s extension (case-insensitive), or nullptr when no loader handles it.
const DocumentLoader* loader_for(const std::filesystem::path& file);
// Every registered loader (txt, markdown, html, pdf, csv, jsonl, docx, image).
std::vector<const DocumentLoader*> all_loaders();

// Files under `paths` (files or folders, recursively, sorted, hidden entries skipped) with their
// document id: the path relative to the folder given, or the file name for a file given directly.
struct SourceFile {
  std::filesystem::path path;
  std::string doc_id;
};
std::vector<SourceFile> collect_files(const std::vector<std::filesystem::path>& paths);

}  // namespace ragrt
