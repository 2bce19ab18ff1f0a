#include "ingest/csv_reader.h"

#include "ragrt/error.h"

namespace ragrt::ingest {

std::vector<CsvRecord> read_csv(std::string_view text, std::string_view source) {
  std::vector<CsvRecord> records;
  const size_t n = text.size();
  size_t i = 0;
  size_t line = 1;
  // True when text[k] starts a record terminator ("\n" or "\r\n"); sets `len` to its length.
  auto line_end_at = [&](size_t k, size_t& len) {
    if (text[k] == '\n') return len = 1, true;
    if (text[k] == '\r' && k + 1 < n && text[k + 1] == '\n') return len = 2, true;
    return false;
  };
  while (i < n) {
    size_t len = 0;
    if (line_end_at(i, len)) {  // blank line
      i += len;
      ++line;
      continue;
    }
    CsvRecord record;
    record.line = line;
    bool record_done = false;
    while (!record_done) {
      std::string field;
      if (i < n && text[i] == '"') {
        const size_t quote_line = line;
        ++i;
        while (true) {
          if (i >= n) {
            RAGRT_THROW_KIND(ErrorKind::kInvalidArgument,
                             "{}: line {}: quoted field is never closed (a \" is missing)", source, quote_line);
          }
          const char c = text[i];
          if (c == '"') {
            if (i + 1 < n && text[i + 1] == '"') {
              field += '"';
              i += 2;
              continue;
            }
            ++i;
            break;
          }
          if (c == '\n') ++line;
          field += c;
          ++i;
        }
        if (i < n && text[i] != ',' && !line_end_at(i, len)) {
          RAGRT_THROW_KIND(ErrorKind::kInvalidArgument,
                           "{}: line {}: unexpected character '{}' after a closing quote (quotes inside a quoted "
                           "field must be doubled: \"\")",
                           source, line, text[i]);
        }
      } else {
        while (i < n && text[i] != ',' && !line_end_at(i, len)) field += text[i++];
      }
      record.fields.push_back(std::move(field));
      if (i >= n) {
        record_done = true;
      } else if (text[i] == ',') {
        ++i;
      } else {
        line_end_at(i, len);
        i += len;
        ++line;
        record_done = true;
      }
    }
    records.push_back(std::move(record));
  }
  return records;
}

}  // namespace ragrt::ingest
