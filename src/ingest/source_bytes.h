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

// The title used when the format provides none: the file name with its extension.
std::string file_title(const std::filesystem::path& file);

// Lower-cased ASCII copy (extensions, HTML tag names, style names).
std::string ascii_lower(std::string_view s);

// `s` without leading and trailing ASCII whitespace.
std::string_view trim_ascii(std::string_view s);

}  // namespace ragrt::ingest
