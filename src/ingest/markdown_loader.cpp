#include "ingest/markdown_loader.h"

#include <optional>

#include "ingest/source_bytes.h"

namespace ragrt::ingest {
namespace {

constexpr size_t kNone = static_cast<size_t>(-1);

struct Line {
  size_t begin = 0;       // offset of the line's first byte
  std::string_view text;  // without the "\n" (and without a "\r" before it)
};

std::vector<Line> split_lines(std::string_view text) {
  std::vector<Line> lines;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    size_t end = nl == std::string_view::npos ? text.size() : nl;
    std::string_view line = text.substr(pos, end - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back({pos, line});
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
  }
  return lines;
}

// Indentation in columns (tabs stop every 4) and the number of bytes it takes.
struct Indent {
  size_t columns = 0;
  size_t bytes = 0;
};

Indent indent_of(std::string_view line) {
  Indent in;
  while (in.bytes < line.size() && (line[in.bytes] == ' ' || line[in.bytes] == '\t')) {
    in.columns = line[in.bytes] == '\t' ? (in.columns / 4 + 1) * 4 : in.columns + 1;
    ++in.bytes;
  }
  return in;
}

bool is_blank(std::string_view line) { return trim_ascii(line).empty(); }

struct Fence {
  char marker = 0;
  size_t length = 0;
};

// CommonMark fence opener: up to 3 spaces, then 3+ backticks or tildes (a backtick fence's info
// string may not contain backticks, or `` ```inline``` `` code would open a block).
std::optional<Fence> fence_opener(std::string_view line) {
  Indent in = indent_of(line);
  if (in.columns > 3) return std::nullopt;
  std::string_view rest = line.substr(in.bytes);
  if (rest.empty() || (rest[0] != '`' && rest[0] != '~')) return std::nullopt;
  size_t n = 0;
  while (n < rest.size() && rest[n] == rest[0]) ++n;
  if (n < 3) return std::nullopt;
  if (rest[0] == '`' && rest.substr(n).find('`') != std::string_view::npos) return std::nullopt;
  return Fence{rest[0], n};
}

bool closes_fence(std::string_view line, const Fence& fence) {
  Indent in = indent_of(line);
  if (in.columns > 3) return false;
  std::string_view rest = line.substr(in.bytes);
  size_t n = 0;
  while (n < rest.size() && rest[n] == fence.marker) ++n;
  return n >= fence.length && trim_ascii(rest.substr(n)).empty();
}

struct Atx {
  int level = 0;
  std::string_view title;
};

std::optional<Atx> atx_heading(std::string_view line) {
  Indent in = indent_of(line);
  if (in.columns > 3) return std::nullopt;
  std::string_view rest = line.substr(in.bytes);
  size_t n = 0;
  while (n < rest.size() && rest[n] == '#') ++n;
  if (n == 0 || n > 6) return std::nullopt;
  if (n < rest.size() && rest[n] != ' ' && rest[n] != '\t') return std::nullopt;  // "#hashtag"
  std::string_view title = trim_ascii(rest.substr(n));
  // Optional closing sequence: a run of '#' that is the whole title or follows a space.
  size_t k = title.size();
  while (k > 0 && title[k - 1] == '#') --k;
  if (k == 0) {
    title = {};
  } else if (k < title.size() && (title[k - 1] == ' ' || title[k - 1] == '\t')) {
    title = trim_ascii(title.substr(0, k));
  }
  return Atx{static_cast<int>(n), title};
}

// 1 for a `===` underline, 2 for `---`, 0 otherwise.
int setext_level(std::string_view line) {
  Indent in = indent_of(line);
  if (in.columns > 3) return 0;
  std::string_view rest = trim_ascii(line.substr(in.bytes));
  if (rest.empty() || (rest[0] != '=' && rest[0] != '-')) return 0;
  for (char c : rest) {
    if (c != rest[0]) return 0;
  }
  return rest[0] == '=' ? 1 : 2;
}

bool thematic_break(std::string_view line) {
  Indent in = indent_of(line);
  if (in.columns > 3) return false;
  std::string_view rest = line.substr(in.bytes);
  char marker = 0;
  size_t count = 0;
  for (char c : rest) {
    if (c == ' ' || c == '\t') continue;
    if (c != '*' && c != '-' && c != '_') return false;
    if (marker != 0 && c != marker) return false;
    marker = c;
    ++count;
  }
  return count >= 3;
}

// Block quotes and list items start their own blocks: their lines neither continue a paragraph
// that could become a setext heading nor are headings of the document's outline.
bool starts_container(std::string_view line) {
  Indent in = indent_of(line);
  if (in.columns > 3) return false;
  std::string_view rest = line.substr(in.bytes);
  if (rest.empty()) return false;
  if (rest[0] == '>') return true;
  auto marker_end_ok = [&](size_t i) { return i == rest.size() || rest[i] == ' ' || rest[i] == '\t'; };
  if (rest[0] == '-' || rest[0] == '*' || rest[0] == '+') return marker_end_ok(1);
  size_t d = 0;
  while (d < rest.size() && d < 9 && rest[d] >= '0' && rest[d] <= '9') ++d;
  return d > 0 && d < rest.size() && (rest[d] == '.' || rest[d] == ')') && marker_end_ok(d + 1);
}

// Index of the first line after a leading YAML front-matter block ("---" ... "---" or "..."), or 0.
size_t after_front_matter(const std::vector<Line>& lines) {
  if (lines.empty() || trim_ascii(lines[0].text) != "---" || lines[0].text.substr(0, 3) != "---") return 0;
  for (size_t i = 1; i < lines.size(); ++i) {
    std::string_view t = trim_ascii(lines[i].text);
    if (t == "---" || t == "...") return i + 1;
  }
  return 0;
}

}  // namespace

std::vector<Heading> markdown_headings(std::string_view text) {
  std::vector<Heading> headings;
  const std::vector<Line> lines = split_lines(text);
  std::optional<Fence> fence;
  size_t para_begin = kNone;
  std::string para_text;  // the open paragraph's lines, trimmed and joined with spaces
  auto close_paragraph = [&] {
    para_begin = kNone;
    para_text.clear();
  };
  auto add = [&](int level, size_t begin, std::string_view title) {
    if (!title.empty()) headings.push_back({level, begin, std::string(title)});
  };
  for (size_t i = after_front_matter(lines); i < lines.size(); ++i) {
    const Line& line = lines[i];
    if (fence) {
      if (closes_fence(line.text, *fence)) fence.reset();
      continue;
    }
    if (is_blank(line.text)) {
      close_paragraph();
      continue;
    }
    const bool indented_code = indent_of(line.text).columns > 3;
    if (indented_code && para_begin == kNone) continue;  // indented code cannot start a paragraph
    if (!indented_code) {
      if (auto f = fence_opener(line.text)) {
        close_paragraph();
        fence = f;
        continue;
      }
      if (auto h = atx_heading(line.text)) {
        close_paragraph();
        add(h->level, line.begin, h->title);
        continue;
      }
      if (int level = setext_level(line.text); level != 0 && para_begin != kNone) {
        add(level, para_begin, para_text);
        close_paragraph();
        continue;
      }
      if (thematic_break(line.text) || starts_container(line.text)) {
        close_paragraph();
        continue;
      }
    }
    if (para_begin == kNone) {
      para_begin = line.begin;
    } else {
      para_text += ' ';
    }
    para_text += trim_ascii(line.text);
  }
  return headings;
}

std::vector<Document> MarkdownLoader::load(const std::filesystem::path& file, const std::string& doc_id,
                                           const LoaderOptions& options) const {
  Document doc = text_file_document(file, doc_id, name(), options);
  const std::vector<Heading> headings = markdown_headings(doc.text);
  if (!headings.empty()) doc.title = headings.front().title;
  doc.sections = sections_from_headings(headings, doc.text.size());
  std::vector<Document> out;
  out.push_back(std::move(doc));
  return out;
}

}  // namespace ragrt::ingest
