#include "ragrt/model_folder.h"

#include <fstream>
#include <sstream>

#include "ragrt/error.h"

namespace ragrt {
namespace {

// tokenizer_config.json writes "no limit" as a huge float (transformers' VERY_LARGE_INTEGER).
std::optional<size_t> positive_size(const nlohmann::json& j, const char* key) {
  if (!j.is_object() || !j.contains(key)) return std::nullopt;
  const auto& v = j.at(key);
  if (!v.is_number()) return std::nullopt;
  double d = v.get<double>();
  if (!(d > 0) || d > 1e9) return std::nullopt;
  return static_cast<size_t>(d);
}

}  // namespace

ModelFolder ModelFolder::open(const std::filesystem::path& dir) {
  std::error_code ec;
  RAGRT_THROW_IF_NOT_KIND(std::filesystem::is_directory(dir, ec), ErrorKind::kNotFound,
                          "{}: model folder not found (expected a folder with config.json, tokenizer.json "
                          "and onnx/model.onnx; `ragrt models pull` downloads one)",
                          dir.string());
  ModelFolder f;
  f.dir_ = dir;
  if (auto config = f.read_json("config.json")) {
    RAGRT_THROW_IF_NOT_KIND(config->is_object(), ErrorKind::kInvalidModel, "{}: expected a JSON object",
                            (dir / "config.json").string());
    f.config_ = std::move(*config);
  }
  return f;
}

std::filesystem::path ModelFolder::onnx_path(std::string_view relative) const {
  std::vector<std::filesystem::path> tried;
  if (!relative.empty()) {
    tried.push_back(dir_ / std::string(relative));
  } else {
    tried = {dir_ / "onnx" / "model.onnx", dir_ / "model.onnx"};
  }
  std::error_code ec;
  for (const auto& p : tried)
    if (std::filesystem::is_regular_file(p, ec)) return p;
  std::string list;
  for (const auto& p : tried) list += (list.empty() ? "" : ", ") + p.string();
  RAGRT_THROW_KIND(ErrorKind::kNotFound, "{}: no ONNX model file (tried {})", dir_.string(), list);
}

std::optional<nlohmann::json> ModelFolder::read_json(std::string_view relative) const {
  std::filesystem::path p = dir_ / std::string(relative);
  std::ifstream in(p, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream ss;
  ss << in.rdbuf();
  try {
    return nlohmann::json::parse(ss.str());
  } catch (const nlohmann::json::parse_error& e) {
    RAGRT_THROW_KIND(ErrorKind::kInvalidModel, "{}: invalid JSON: {}", p.string(), e.what());
  }
}

std::unique_ptr<Tokenizer> ModelFolder::load_tokenizer() const { return Tokenizer::from_path(dir_); }

std::optional<size_t> ModelFolder::position_limit() const {
  auto limit = positive_size(config_, "max_position_embeddings");
  if (!limit) return std::nullopt;
  std::string type = config_.value("model_type", "");
  if (type == "roberta" || type == "xlm-roberta" || type == "camembert") {
    size_t offset = static_cast<size_t>(config_.value("pad_token_id", 1)) + 1;
    return *limit > offset ? *limit - offset : 0;
  }
  return limit;
}

std::optional<size_t> ModelFolder::max_sequence_length(const Tokenizer& tokenizer) const {
  std::optional<size_t> best;
  auto take = [&](std::optional<size_t> v) {
    if (v && *v > 0 && (!best || *v < *best)) best = v;
  };
  if (tokenizer.truncation()) take(tokenizer.truncation()->max_length);
  if (auto tc = read_json("tokenizer_config.json")) take(positive_size(*tc, "model_max_length"));
  if (auto st = read_json("sentence_bert_config.json")) take(positive_size(*st, "max_seq_length"));
  take(position_limit());
  return best;
}

}  // namespace ragrt
