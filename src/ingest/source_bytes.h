#pragma once
// Reading a source file for a loader: the size limit, UTF-8 validation and the fallback title are
// the same for every format, and so are the error messages that name the file.
#include <filesystem>
#include <string>
#include <string_view>

#include "ragrt/loader.h"

namespace ragrt::ingest {

// The whole file, or ragrt::Error naming the file when it is missing, unreadable, or larger than
// options.max_file_bytes (the size is checked before anything is read).
std::string read_source_bytes(const std::filesystem::path& file, const LoaderOptions& options);

// Throws ragrt::Error (kInvalidArgument) naming the file, `what` ("", "extracted text", ...) and
// the byte offset of the first byte that is not well-formed UTF-8.
void require_utf8(const std::filesystem::path& file, std::string_view bytes, std::string_view what = {});

// Drops a leading UTF-8 byte order mark; true when there was one.
bool strip_utf8_bom(std::string& bytes);

// A text format's content: read_source_bytes, then require_utf8 on the raw bytes (so a reported
// offset is the file's even when a BOM precedes it), then strip_utf8_bom.
std::string read_utf8_text(const std::filesystem::path& file, const LoaderOptions& options);

// The Document of a plain-text format (.txt, .md): the file's text, id, source, `format` in the
// metadata and the file name as title (a loader that finds a better title replaces it).
Document text_file_document(const std::filesystem::path& file, const std::string& doc_id, const std::string& format,
                            const LoaderOptions& options);

// The title used when the format provides none: the file name with its extension.
std::string file_title(const std::filesystem::path& file);

// Lower-cased ASCII copy (extensions, HTML tag names, style names).
std::string ascii_lower(std::string_view s);

// `s` without leading and trailing ASCII whitespace.
std::string_view trim_ascii(std::string_view s);

}  // namespace ragrt::ingest
