#include "text/vocab_merges_converter.h"

#include <algorithm>
#include <fstream>
#include <optional>
#include <unordered_map>
#include <unordered_set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <spdlog/spdlog.h>

#include "ragrt/error.h"

namespace ragrt::text {
namespace {

using nlohmann::json;

// Qwen2Tokenizer's PRETOKENIZE_REGEX.
constexpr const char* kQwen2Pattern =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    RAGRT_THROW_KIND(ErrorKind::kNotFound, "{}: cannot open (a vocab.json + merges.txt folder needs it)",
                     path.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

json parse_json_file(const std::filesystem::path& path) {
  std::string text = read_file(path);
  try {
    return json::parse(text);
  } catch (const json::parse_error& e) {
    RAGRT_THROW_KIND(ErrorKind::kInvalidModel, "{}: not valid JSON: {}", path.string(), e.what());
  }
}

// Python's str.isspace() over ASCII; byte-level alphabets contain no other whitespace.
bool is_py_space(char c) { return c == ' ' || (c >= '\t' && c <= '\r') || (c >= '\x1c' && c <= '\x1f'); }

std::vector<std::string> py_split(std::string_view line) {
  std::vector<std::string> parts;
  for (size_t i = 0; i < line.size();) {
    while (i < line.size() && is_py_space(line[i])) ++i;
    size_t j = i;
    while (j < line.size() && !is_py_space(line[j])) ++j;
    if (j > i) parts.emplace_back(line.substr(i, j - i));
    i = j;
  }
  return parts;
}

// merges.txt, read as transformers' slow tokenizers do. Qwen2Tokenizer skips a "#version" first
// line and blank lines; GPT2Tokenizer drops the first line and the last one (empty after the final
// newline). A pair listed twice keeps its first position: the slow tokenizer keeps merges as dict
// keys (bpe_ranks), so the converter lists it once.
std::vector<std::pair<std::string, std::string>> read_merges(const std::filesystem::path& path,
                                                             bool qwen2) {
  const std::string text = read_file(path);
  std::vector<std::string_view> lines;
  for (size_t pos = 0;;) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string::npos) {
      lines.emplace_back(text.data() + pos, text.size() - pos);
      break;
    }
    lines.emplace_back(text.data() + pos, eol - pos);
    pos = eol + 1;
  }
  std::vector<std::pair<std::string, std::string>> merges;
  merges.reserve(lines.size());
  std::unordered_set<std::string> seen;
  seen.reserve(lines.size());
  auto add = [&](std::string_view line, size_t line_no) {
    auto parts = py_split(line);
    if (parts.size() != 2)
      RAGRT_THROW_KIND(ErrorKind::kInvalidModel,
                       "{}:{}: expected two tokens separated by a space, got \"{}\"", path.string(),
                       line_no, std::string(line));
    std::string key = parts[0] + '\n' + parts[1];  // '\n' cannot occur inside a token here
    if (seen.insert(std::move(key)).second) merges.emplace_back(std::move(parts[0]), std::move(parts[1]));
  };
  if (qwen2) {
    for (size_t i = 0; i < lines.size(); ++i) {
      std::string_view line = lines[i];
      while (!line.empty() && is_py_space(line.front())) line.remove_prefix(1);
      while (!line.empty() && is_py_space(line.back())) line.remove_suffix(1);
      if ((i == 0 && line.rfind("#version:", 0) == 0) || line.empty()) continue;
      add(line, i + 1);
    }
  } else {
    for (size_t i = 1; i + 1 < lines.size(); ++i) add(lines[i], i + 1);
  }
  return merges;
}

struct AddedToken {
  int64_t id;
  std::string content;
  bool single_word = false;
  bool lstrip = false;
  bool rstrip = false;
  bool normalized = false;
  bool special = false;

  json to_json() const {
    return json{{"id", id},         {"content", content}, {"single_word", single_word},
                {"lstrip", lstrip}, {"rstrip", rstrip},   {"normalized", normalized},
                {"special", special}};
  }
};

bool bool_field(const json& obj, const char* key, bool fallback) {
  auto it = obj.find(key);
  return (it != obj.end() && it->is_boolean()) ? it->get<bool>() : fallback;
}

// A special token as tokenizer_config.json spells it: a string, an AddedToken object, or null.
std::optional<std::string> token_content(const json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_object()) {
    auto it = value.find("content");
    if (it != value.end() && it->is_string()) return it->get<std::string>();
  }
  return std::nullopt;
}

json byte_level(bool add_prefix_space, bool trim_offsets, bool use_regex) {
  return json{{"type", "ByteLevel"},
              {"add_prefix_space", add_prefix_space},
              {"trim_offsets", trim_offsets},
              {"use_regex", use_regex}};
}

}  // namespace

nlohmann::json tokenizer_json_from_vocab_merges(const std::filesystem::path& dir) {
  const auto vocab_path = dir / "vocab.json";
  const auto merges_path = dir / "merges.txt";
  const auto config_path = dir / "tokenizer_config.json";

  json config = json::object();
  if (std::filesystem::exists(config_path)) {
    config = parse_json_file(config_path);
    if (!config.is_object())
      RAGRT_THROW_KIND(ErrorKind::kInvalidModel, "{}: must be a JSON object", config_path.string());
  }
  auto class_it = config.find("tokenizer_class");
  const bool qwen2 = class_it != config.end() && class_it->is_string() &&
                     (*class_it == "Qwen2Tokenizer" || *class_it == "Qwen2TokenizerFast");
  const bool add_prefix_space = bool_field(config, "add_prefix_space", false);
  const bool add_bos_token = bool_field(config, "add_bos_token", false);

  json vocab = parse_json_file(vocab_path);
  if (!vocab.is_object())
    RAGRT_THROW_KIND(ErrorKind::kInvalidModel, "{}: must be an object of token -> id",
                     vocab_path.string());
  for (const auto& [token, id] : vocab.items()) {
    if (!id.is_number_integer() || id.get<int64_t>() < 0)
      RAGRT_THROW_KIND(ErrorKind::kInvalidModel, "{}: id of \"{}\" must be a non-negative integer, got {}",
                       vocab_path.string(), token, id.dump());
  }
  const auto merges = read_merges(merges_path, qwen2);

  // Added tokens as PreTrainedTokenizerFast.__init__ adds them: those of added_tokens_decoder (in
  // id order), then each special token named in the config that is not among them.
  std::vector<std::pair<AddedToken, std::optional<int64_t>>> pending;  // token, id in the config
  if (auto it = config.find("added_tokens_decoder"); it != config.end() && it->is_object()) {
    for (const auto& [key, value] : it->items()) {
      int64_t id = 0;
      try {
        size_t used = 0;
        id = std::stoll(key, &used);
        if (used != key.size() || id < 0) throw std::invalid_argument(key);
      } catch (const std::exception&) {
        RAGRT_THROW_KIND(ErrorKind::kInvalidModel,
                         "{}: added_tokens_decoder key \"{}\" must be a token id",
                         config_path.string(), key);
      }
      auto content = value.is_object() ? token_content(value) : std::nullopt;
      if (!content)
        RAGRT_THROW_KIND(ErrorKind::kInvalidModel,
                         "{}: added_tokens_decoder[\"{}\"] needs a string \"content\"",
                         config_path.string(), key);
      AddedToken t{0, *content};
      t.single_word = bool_field(value, "single_word", false);
      t.lstrip = bool_field(value, "lstrip", false);
      t.rstrip = bool_field(value, "rstrip", false);
      t.special = bool_field(value, "special", false);
      t.normalized = bool_field(value, "normalized", !t.special);
      pending.emplace_back(std::move(t), id);
    }
  }
  std::stable_sort(pending.begin(), pending.end(),
                   [](const auto& a, const auto& b) { return *a.second < *b.second; });

  std::vector<std::string> specials;
  for (const char* key : {"bos_token", "eos_token", "unk_token", "sep_token", "pad_token",
                          "cls_token", "mask_token"}) {
    if (auto it = config.find(key); it != config.end())
      if (auto c = token_content(*it)) specials.push_back(*c);
  }
  for (const char* key : {"additional_special_tokens", "extra_special_tokens"}) {
    auto it = config.find(key);
    if (it == config.end()) continue;
    if (it->is_array()) {
      for (const auto& v : *it)
        if (auto c = token_content(v)) specials.push_back(*c);
    } else if (it->is_object()) {
      for (const auto& [name, v] : it->items())
        if (auto c = token_content(v)) specials.push_back(*c);
    }
  }
  std::unordered_set<std::string> present;
  for (const auto& [t, id] : pending) present.insert(t.content);
  for (const auto& name : specials) {
    if (!present.insert(name).second) continue;
    AddedToken t{0, name};
    t.special = true;
    pending.emplace_back(std::move(t), std::nullopt);
  }
  const std::unordered_set<std::string> special_set(specials.begin(), specials.end());

  // tokenizers' AddedVocabulary: a token keeps its id when the model vocabulary has it, else takes
  // the next id after the vocabulary and the tokens added before it.
  json added_tokens = json::array();
  int64_t next_id = static_cast<int64_t>(vocab.size());
  std::unordered_map<std::string, int64_t> assigned;
  for (auto& [t, config_id] : pending) {
    if (auto v = vocab.find(t.content); v != vocab.end()) {
      t.id = v->get<int64_t>();
    } else if (auto a = assigned.find(t.content); a != assigned.end()) {
      t.id = a->second;
    } else {
      t.id = next_id++;
    }
    assigned[t.content] = t.id;
    if (config_id && *config_id != t.id)
      spdlog::warn("{}: added token \"{}\" gets id {}, tokenizer_config.json says {}",
                   config_path.string(), t.content, t.id, *config_id);
    t.special = t.special || special_set.count(t.content) > 0;
    added_tokens.push_back(t.to_json());
  }

  json merges_json = json::array();
  for (const auto& [left, right] : merges) merges_json.push_back(json::array({left, right}));

  json out = {{"version", "1.0"}, {"truncation", nullptr}, {"padding", nullptr},
              {"added_tokens", std::move(added_tokens)}};
  if (qwen2) {
    // transformers' Qwen2Converter.
    out["normalizer"] = {{"type", "NFC"}};
    out["pre_tokenizer"] = {
        {"type", "Sequence"},
        {"pretokenizers",
         json::array({json{{"type", "Split"},
                           {"pattern", {{"Regex", kQwen2Pattern}}},
                           {"behavior", "Isolated"},
                           {"invert", false}},
                      byte_level(add_prefix_space, false, false)})}};
    out["post_processor"] = byte_level(true, false, true);
  } else {
    // transformers' GPT2Converter.
    out["normalizer"] = nullptr;
    out["pre_tokenizer"] = byte_level(add_prefix_space, true, true);
    if (add_bos_token) {
      auto bos_it = config.find("bos_token");
      std::optional<std::string> bos = bos_it != config.end() ? token_content(*bos_it) : std::nullopt;
      auto bos_entry = bos ? vocab.find(*bos) : vocab.end();
      if (bos_entry == vocab.end())
        RAGRT_THROW_KIND(ErrorKind::kInvalidModel,
                         "{}: add_bos_token is true but bos_token {} is not in vocab.json",
                         config_path.string(), bos ? "\"" + *bos + "\"" : std::string("(unset)"));
      const int64_t bos_id = bos_entry->get<int64_t>();
      json special = {{"SpecialToken", {{"id", *bos}, {"type_id", 0}}}};
      out["post_processor"] = {
          {"type", "TemplateProcessing"},
          {"single", json::array({special, {{"Sequence", {{"id", "A"}, {"type_id", 0}}}}})},
          {"pair", json::array({special,
                                {{"Sequence", {{"id", "A"}, {"type_id", 0}}}},
                                {{"Sequence", {{"id", "B"}, {"type_id", 1}}}}})},
          {"special_tokens",
           {{*bos, {{"id", *bos}, {"ids", json::array({bos_id})}, {"tokens", json::array({*bos})}}}}}};
    } else {
      out["post_processor"] = byte_level(true, false, true);
    }
  }
  out["decoder"] = byte_level(true, true, true);
  json model = {{"type", "BPE"},
                {"dropout", nullptr},
                {"unk_token", nullptr},
                {"continuing_subword_prefix", ""},
                {"end_of_word_suffix", ""},
                {"fuse_unk", false},
                {"byte_fallback", false},
                {"ignore_merges", false},
                {"vocab", std::move(vocab)},
                {"merges", std::move(merges_json)}};
  out["model"] = std::move(model);
  return out;
}

}  // namespace ragrt::text
