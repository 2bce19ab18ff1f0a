#include <string>
#include <vector>

#include "text/byte_level.h"
#include "text/decoder.h"
#include "text/pattern.h"
#include "text/regex.h"
#include "text/utf8.h"

namespace ragrt::text {

using nlohmann::json;

std::pair<char32_t, int> read_metaspace(const json& j, const JsonPath& at);  // pre_tokenizers.cpp

std::string Decoder::decode(std::vector<std::string> tokens) const {
  decode_chain(tokens);
  std::string out;
  for (const auto& t : tokens) out += t;
  return out;
}

namespace {

void replace_all(std::string& s, std::string_view from, std::string_view to) {
  if (from.empty()) return;
  std::string out;
  size_t pos = 0, prev = 0;
  bool any = false;
  while ((pos = s.find(from, prev)) != std::string::npos) {
    any = true;
    out.append(s, prev, pos - prev);
    out.append(to);
    prev = pos + from.size();
  }
  if (!any) return;
  out.append(s, prev, std::string::npos);
  s = std::move(out);
}

}  // namespace

std::string wordpiece_cleanup(std::string s) {
  replace_all(s, " .", ".");
  replace_all(s, " ?", "?");
  replace_all(s, " !", "!");
  replace_all(s, " ,", ",");
  replace_all(s, " ' ", "'");
  replace_all(s, " n't", "n't");
  replace_all(s, " 'm", "'m");
  replace_all(s, " do not", " don't");
  replace_all(s, " 's", "'s");
  replace_all(s, " 've", "'ve");
  replace_all(s, " 're", "'re");
  return s;
}

namespace {

class ByteLevelDecoder : public Decoder {
 public:
  void decode_chain(std::vector<std::string>& tokens) const override {
    const auto& t = byte_level_tables();
    std::string bytes;
    for (const std::string& tok : tokens) {
      size_t mark = bytes.size();
      bool ok = true;
      for (size_t i = 0; i < tok.size();) {
        char32_t c = decode_utf8(tok.data(), i);
        if (c >= t.char_to_byte.size() || t.char_to_byte[c] < 0) {
          ok = false;
          break;
        }
        bytes.push_back(static_cast<char>(t.char_to_byte[c]));
      }
      if (!ok) {
        bytes.resize(mark);
        bytes += tok;
      }
    }
    tokens.assign(1, from_utf8_lossy(bytes));
  }
};

class WordPieceDecoder : public Decoder {
 public:
  WordPieceDecoder(std::string prefix, bool cleanup) : prefix_(std::move(prefix)), cleanup_(cleanup) {}
  void decode_chain(std::vector<std::string>& tokens) const override {
    for (size_t i = 0; i < tokens.size(); ++i) {
      std::string& tok = tokens[i];
      if (i != 0) {
        if (tok.compare(0, prefix_.size(), prefix_) == 0) {
          // replacen(prefix, "", 1) removes the first occurrence, which is the leading one.
          tok.erase(0, prefix_.size());
        } else {
          tok.insert(0, " ");
        }
      }
      if (cleanup_) tok = wordpiece_cleanup(std::move(tok));
    }
  }

 private:
  std::string prefix_;
  bool cleanup_;
};

class MetaspaceDecoder : public Decoder {
 public:
  MetaspaceDecoder(char32_t replacement, bool prepend) : replacement_(replacement), prepend_(prepend) {}
  void decode_chain(std::vector<std::string>& tokens) const override {
    for (size_t i = 0; i < tokens.size(); ++i) {
      std::string out;
      const std::string& tok = tokens[i];
      for (size_t p = 0; p < tok.size();) {
        size_t b = p;
        char32_t c = decode_utf8(tok.data(), p);
        if (c == replacement_) {
          if (!(i == 0 && prepend_)) out.push_back(' ');
        } else {
          out.append(tok, b, p - b);
        }
      }
      tokens[i] = std::move(out);
    }
  }

 private:
  char32_t replacement_;
  bool prepend_;
};

class BpeDecoder : public Decoder {
 public:
  explicit BpeDecoder(std::string suffix) : suffix_(std::move(suffix)) {}
  void decode_chain(std::vector<std::string>& tokens) const override {
    for (size_t i = 0; i < tokens.size(); ++i)
      replace_all(tokens[i], suffix_, i + 1 == tokens.size() ? "" : " ");
  }

 private:
  std::string suffix_;
};

class ByteFallbackDecoder : public Decoder {
 public:
  void decode_chain(std::vector<std::string>& tokens) const override {
    std::vector<std::string> out;
    std::string pending;
    size_t pending_count = 0;
    auto flush = [&] {
      if (pending_count == 0) return;
      if (find_invalid_utf8(pending) == kValidUtf8) {
        out.push_back(pending);
      } else {
        for (size_t k = 0; k < pending_count; ++k) out.push_back("\xEF\xBF\xBD");
      }
      pending.clear();
      pending_count = 0;
    };
    for (std::string& tok : tokens) {
      int byte = parse_byte(tok);
      if (byte >= 0) {
        pending.push_back(static_cast<char>(byte));
        ++pending_count;
      } else {
        flush();
        out.push_back(std::move(tok));
      }
    }
    flush();
    tokens = std::move(out);
  }

 private:
  // "<0xHH>" -> HH (u8::from_str_radix semantics: an optional '+' then hex digits).
  static int parse_byte(const std::string& t) {
    if (t.size() != 6 || t.compare(0, 3, "<0x") != 0 || t[5] != '>') return -1;
    auto hex = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      if (c >= 'A' && c <= 'F') return c - 'A' + 10;
      return -1;
    };
    if (t[3] == '+') {
      int v = hex(t[4]);
      return v;
    }
    int hi = hex(t[3]), lo = hex(t[4]);
    if (hi < 0 || lo < 0) return -1;
    return hi * 16 + lo;
  }
};

class FuseDecoder : public Decoder {
 public:
  void decode_chain(std::vector<std::string>& tokens) const override {
    std::string all;
    for (const auto& t : tokens) all += t;
    tokens.assign(1, std::move(all));
  }
};

class StripDecoder : public Decoder {
 public:
  StripDecoder(char32_t content, size_t start, size_t stop) : content_(content), start_(start), stop_(stop) {}
  void decode_chain(std::vector<std::string>& tokens) const override {
    for (std::string& tok : tokens) {
      std::u32string chars;
      for (size_t p = 0; p < tok.size();) chars.push_back(decode_utf8(tok.data(), p));
      size_t start_cut = 0;
      for (size_t i = 0; i < start_ && i < chars.size(); ++i) {
        if (chars[i] == content_) start_cut = i + 1;
        else break;
      }
      size_t stop_cut = chars.size();
      for (size_t i = 0; i < stop_ && i < chars.size(); ++i) {
        size_t index = chars.size() - i - 1;
        if (chars[index] == content_) stop_cut = index;
        else break;
      }
      std::string out;
      for (size_t i = start_cut; i < stop_cut; ++i) append_utf8(out, chars[i]);
      tok = std::move(out);
    }
  }

 private:
  char32_t content_;
  size_t start_, stop_;
};

class ReplaceDecoder : public Decoder {
 public:
  ReplaceDecoder(std::unique_ptr<Regex> re, std::string literal, std::string content)
      : regex_(std::move(re)), literal_(std::move(literal)), content_(std::move(content)) {}
  void decode_chain(std::vector<std::string>& tokens) const override {
    std::vector<Split> matches;
    for (std::string& tok : tokens) {
      if (regex_) regex_->find_matches(tok, matches);
      else find_literal_matches(tok, literal_, matches);
      std::string out;
      for (const Split& m : matches) {
        if (m.is_match) out += content_;
        else out.append(tok, m.start, m.end - m.start);
      }
      tok = std::move(out);
    }
  }

 private:
  std::unique_ptr<Regex> regex_;
  std::string literal_;
  std::string content_;
};

class CtcDecoder : public Decoder {
 public:
  CtcDecoder(std::string pad, std::string delimiter, bool cleanup)
      : pad_(std::move(pad)), delimiter_(std::move(delimiter)), cleanup_(cleanup) {}
  void decode_chain(std::vector<std::string>& tokens) const override {
    std::vector<std::string> out;
    for (size_t i = 0; i < tokens.size(); ++i) {
      if (i > 0 && tokens[i] == tokens[i - 1]) continue;  // dedup consecutive
      std::string t = tokens[i];
      replace_all(t, pad_, "");
      if (cleanup_) {
        t = wordpiece_cleanup(std::move(t));
        replace_all(t, delimiter_, " ");
      }
      if (!t.empty()) out.push_back(std::move(t));
    }
    tokens = std::move(out);
  }

 private:
  std::string pad_, delimiter_;
  bool cleanup_;
};

class SequenceDecoder : public Decoder {
 public:
  explicit SequenceDecoder(std::vector<std::unique_ptr<Decoder>> items) : items_(std::move(items)) {}
  void decode_chain(std::vector<std::string>& tokens) const override {
    for (const auto& d : items_) d->decode_chain(tokens);
  }

 private:
  std::vector<std::unique_ptr<Decoder>> items_;
};

}  // namespace

std::unique_ptr<Decoder> make_decoder(const json& j, const JsonPath& at) {
  if (j.is_null()) return nullptr;
  std::string type = json_type(j, at);
  if (type == "ByteLevel") return std::make_unique<ByteLevelDecoder>();
  if (type == "WordPiece")
    return std::make_unique<WordPieceDecoder>(json_string(j, "prefix", at, "##"), json_bool(j, "cleanup", at, true));
  if (type == "Metaspace") {
    auto [replacement, scheme] = read_metaspace(j, at);
    return std::make_unique<MetaspaceDecoder>(replacement, scheme != 2);
  }
  if (type == "BPEDecoder") return std::make_unique<BpeDecoder>(json_string(j, "suffix", at, "</w>"));
  if (type == "ByteFallback") return std::make_unique<ByteFallbackDecoder>();
  if (type == "Fuse") return std::make_unique<FuseDecoder>();
  if (type == "Strip") {
    int64_t start = json_int(j, "start", at, 0), stop = json_int(j, "stop", at, 0);
    if (start < 0 || stop < 0) json_fail(at, "start and stop must not be negative");
    return std::make_unique<StripDecoder>(json_char(j, "content", at), static_cast<size_t>(start),
                                          static_cast<size_t>(stop));
  }
  if (type == "Replace") {
    const json& p = json_require(j, "pattern", at);
    JsonPath pat = at.field("pattern");
    json_require_object(p, pat);
    std::string content = json_string(j, "content", at);
    if (auto s = json_opt_string(p, "String", pat)) {
      if (s->empty()) return std::make_unique<ReplaceDecoder>(std::make_unique<Regex>("", pat.str()), "", content);
      return std::make_unique<ReplaceDecoder>(nullptr, *s, content);
    }
    if (auto r = json_opt_string(p, "Regex", pat))
      return std::make_unique<ReplaceDecoder>(std::make_unique<Regex>(*r, pat.str()), "", content);
    json_fail(pat, "must be {{\"String\": ...}} or {{\"Regex\": ...}}");
  }
  if (type == "CTC")
    return std::make_unique<CtcDecoder>(json_string(j, "pad_token", at, "<pad>"),
                                        json_string(j, "word_delimiter_token", at, "|"),
                                        json_bool(j, "cleanup", at, true));
  if (type == "Sequence") {
    const json& list = json_require(j, "decoders", at);
    JsonPath lp = at.field("decoders");
    if (!list.is_array()) json_fail(lp, "must be an array");
    std::vector<std::unique_ptr<Decoder>> items;
    for (size_t i = 0; i < list.size(); ++i) {
      auto d = make_decoder(list[i], lp.index(i));
      if (d) items.push_back(std::move(d));
    }
    return std::make_unique<SequenceDecoder>(std::move(items));
  }
  json_fail(at.field("type"), "\"{}\" is not supported", type);
}

}  // namespace ragrt::text
