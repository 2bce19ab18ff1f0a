#pragma once
// An RFC 4180 CSV reader: comma-separated fields, fields in double quotes may hold commas, line
// breaks and doubled quotes (""), records end with CRLF or LF, the last one may lack a line break.
// Blank lines are skipped. Leniencies: a quote inside an unquoted field is kept as a character.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace ragrt::ingest {

struct CsvRecord {
  size_t line = 0;  // 1-based line on which the record starts
  std::vector<std::string> fields;
};

// Throws ragrt::Error (kInvalidArgument) "<source>: line N: ..." for an unterminated quoted field
// or text between a closing quote and the next separator.
std::vector<CsvRecord> read_csv(std::string_view text, std::string_view source);

}  // namespace ragrt::ingest
