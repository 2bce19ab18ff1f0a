#include "ingest/source_bytes.h"

#include <fstream>
#include <system_error>

#include "ragrt/error.h"
#include "text/utf8.h"

namespace ragrt::ingest {

std::string read_source_bytes(const std::filesystem::path& file, const LoaderOptions& options) {
  std::error_code ec;
  auto status = std::filesystem::status(file, ec);
  if (ec || !std::filesystem::exists(status)) {
    RAGRT_THROW_KIND(ErrorKind::kNotFound, "{}: no such file", file.string());
  }
  if (!std::filesystem::is_regular_file(status)) {
    RAGRT_THROW_KIND(ErrorKind::kInvalidArgument, "{}: not a regular file", file.string());
  }
  const auto size = std::filesystem::file_size(file, ec);
  if (ec) RAGRT_THROW_KIND(ErrorKind::kIo, "{}: cannot read its size: {}", file.string(), ec.message());
  if (size > options.max_file_bytes) {
    RAGRT_THROW_KIND(ErrorKind::kInvalidArgument,
                     "{}: file is {} bytes, more than the {}-byte limit (raise LoaderOptions::max_file_bytes "
                     "to load it)",
                     file.string(), size, options.max_file_bytes);
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) RAGRT_THROW_KIND(ErrorKind::kIo, "{}: cannot open for reading", file.string());
  std::string bytes(static_cast<size_t>(size), '\0');
  in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (static_cast<size_t>(in.gcount()) != bytes.size()) {
    // The file shrank while we read it; what we have is still a consistent prefix only by luck.
    RAGRT_THROW_KIND(ErrorKind::kIo, "{}: read {} of {} bytes (file changed while reading?)", file.string(),
                     in.gcount(), bytes.size());
  }
  return bytes;
}

void require_utf8(const std::filesystem::path& file, std::string_view bytes, std::string_view what) {
  const size_t bad = text::find_invalid_utf8(bytes);
  if (bad == text::kValidUtf8) return;
  RAGRT_THROW_KIND(ErrorKind::kInvalidArgument,
                   "{}: {}not valid UTF-8: invalid byte 0x{:02X} at byte offset {} (convert the file to UTF-8, "
                   "e.g. with iconv)",
                   file.string(), what.empty() ? std::string() : std::string(what) + " is ",
                   static_cast<unsigned char>(bytes[bad]), bad);
}

bool strip_utf8_bom(std::string& bytes) {
  if (bytes.size() >= 3 && static_cast<unsigned char>(bytes[0]) == 0xEF &&
      static_cast<unsigned char>(bytes[1]) == 0xBB && static_cast<unsigned char>(bytes[2]) == 0xBF) {
    bytes.erase(0, 3);
    return true;
  }
  return false;
}

std::string read_utf8_text(const std::filesystem::path& file, const LoaderOptions& options) {
  std::string text = read_source_bytes(file, options);
  require_utf8(file, text);
  strip_utf8_bom(text);  // Excel and Notepad write one
  return text;
}

Document text_file_document(const std::filesystem::path& file, const std::string& doc_id, const std::string& format,
                            const LoaderOptions& options) {
  Document doc;
  doc.text = read_utf8_text(file, options);
  doc.id = doc_id;
  doc.source = file.string();
  doc.title = file_title(file);
  doc.metadata["format"] = format;
  return doc;
}

std::string file_title(const std::filesystem::path& file) { return file.filename().string(); }

std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string_view trim_ascii(std::string_view s) {
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; };
  size_t b = 0, e = s.size();
  while (b < e && space(s[b])) ++b;
  while (e > b && space(s[e - 1])) --e;
  return s.substr(b, e - b);
}

}  // namespace ragrt::ingest
