#pragma once
// A local model folder as Hugging Face / Optimum / transformers.js lay it out:
//   config.json, tokenizer.json (+ tokenizer_config.json, special_tokens_map.json),
//   onnx/model.onnx (transformers.js) or model.onnx (Optimum), and for sentence-transformers
//   models modules.json + 1_Pooling/config.json (+ sentence_bert_config.json).
#include <cstddef>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "ragrt/tokenizer.h"

namespace ragrt {

class ModelFolder {
 public:
  // Throws ragrt::Error (kNotFound) when `dir` is not a folder, (kInvalidModel) when config.json
  // exists but is not valid JSON.
  static ModelFolder open(const std::filesystem::path& dir);

  const std::filesystem::path& dir() const { return dir_; }
  // config.json, or an empty object when the folder has none.
  const nlohmann::json& config() const { return config_; }

  // The ONNX file: `relative` when given, else onnx/model.onnx, else model.onnx. Throws
  // ragrt::Error (kNotFound) listing the paths tried.
  std::filesystem::path onnx_path(std::string_view relative = {}) const;

  // Parses a JSON file of the folder; nullopt when absent. Throws (kInvalidModel) naming the file
  // when it does not parse.
  std::optional<nlohmann::json> read_json(std::string_view relative) const;

  std::unique_ptr<Tokenizer> load_tokenizer() const;

  // The longest input, in tokens, that the folder's files allow: the minimum of tokenizer.json's
  // truncation.max_length, tokenizer_config.json's model_max_length, sentence_bert_config.json's
  // max_seq_length and the position limit of config.json (see position_limit). nullopt when none
  // of them is present.
  std::optional<size_t> max_sequence_length(const Tokenizer& tokenizer) const;
  // config.json's max_position_embeddings, less the position offset RoBERTa-family models use
  // (positions start at pad_token_id + 1). A hard limit: longer inputs index past the table.
  std::optional<size_t> position_limit() const;

 private:
  std::filesystem::path dir_;
  nlohmann::json config_ = nlohmann::json::object();
};

}  // namespace ragrt
