#pragma once
// The tokenization model (WordPiece, BPE, Unigram, WordLevel): turns one pre-tokenized,
// normalized piece of text into tokens. Mirrors `tokenizers::Model` in Hugging Face's Rust crate.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace ragrt::text {

struct Token {
  int32_t id;
  std::string value;
  size_t begin;  // byte offsets within the piece passed to tokenize()
  size_t end;
};

class Model {
 public:
  virtual ~Model() = default;
  virtual std::vector<Token> tokenize(std::string_view piece) const = 0;
  virtual std::optional<int32_t> token_to_id(std::string_view token) const = 0;
  virtual std::optional<std::string> id_to_token(int32_t id) const = 0;
  virtual size_t vocab_size() const = 0;
};

// Builds the model described by the "model" object of tokenizer.json. `where` names the file for
// error messages. Dispatches on "type" (inferring it from the fields when absent, as HF does).
std::unique_ptr<Model> make_model(const nlohmann::json& model, const std::string& where);

// One factory per model type, each in its own file pair.
std::unique_ptr<Model> make_wordpiece_model(const nlohmann::json& model, const std::string& where);
std::unique_ptr<Model> make_wordlevel_model(const nlohmann::json& model, const std::string& where);
std::unique_ptr<Model> make_bpe_model(const nlohmann::json& model, const std::string& where);
std::unique_ptr<Model> make_unigram_model(const nlohmann::json& model, const std::string& where);

}  // namespace ragrt::text
