#pragma once
// Hugging Face-compatible tokenizer: reads tokenizer.json (or vocab.json + merges.txt for GPT-2 /
// Qwen style byte-level BPE folders) and gives exactly the ids, tokens and offsets that Hugging
// Face's Rust `tokenizers` gives.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ragrt {

// Byte range [first, second) into the UTF-8 input the encoding came from.
using Offsets = std::pair<size_t, size_t>;

struct Encoding {
  std::vector<int32_t> ids;
  std::vector<int32_t> type_ids;
  std::vector<std::string> tokens;
  std::vector<Offsets> offsets;  // byte offsets into the original text (special tokens: {0,0})
  std::vector<int32_t> special_tokens_mask;
  std::vector<int32_t> attention_mask;
  // Index of the input sequence (0 or 1) each token came from; -1 for special tokens.
  std::vector<int32_t> sequence_ids;

  size_t size() const { return ids.size(); }
};

// Converts byte offsets into offsets counted in Unicode code points, the unit Hugging Face's
// Python and Node bindings report.
std::vector<Offsets> to_char_offsets(std::string_view text, const std::vector<Offsets>& byte_offsets);

enum class TruncationStrategy { kLongestFirst, kOnlyFirst, kOnlySecond };
enum class Direction { kRight, kLeft };

struct TruncationParams {
  size_t max_length = 512;
  TruncationStrategy strategy = TruncationStrategy::kLongestFirst;
  Direction direction = Direction::kRight;
  size_t stride = 0;
};

struct PaddingParams {
  std::optional<size_t> fixed_length;  // nullopt: pad to the longest in the batch
  std::optional<size_t> pad_to_multiple_of;
  Direction direction = Direction::kRight;
  int32_t pad_id = 0;
  int32_t pad_type_id = 0;
  std::string pad_token = "[PAD]";
};

class Tokenizer {
 public:
  virtual ~Tokenizer() = default;

  // Loads `path`: a tokenizer.json file, or a folder holding tokenizer.json, or a folder holding
  // vocab.json + merges.txt (+ tokenizer_config.json), converted with the standard byte-level
  // pipeline. Throws ragrt::Error naming the file and field on anything malformed.
  static std::unique_ptr<Tokenizer> from_path(const std::filesystem::path& path);
  static std::unique_ptr<Tokenizer> from_json(std::string_view tokenizer_json,
                                              const std::string& source_name = "<memory>");

  // Throws ragrt::Error (kInvalidArgument) naming the byte position when `text` is not valid UTF-8.
  virtual Encoding encode(std::string_view text, bool add_special_tokens = true) const = 0;
  virtual Encoding encode_pair(std::string_view first, std::string_view second,
                               bool add_special_tokens = true) const = 0;
  // Encodes each input (in parallel where worth it) and applies padding across the batch.
  virtual std::vector<Encoding> encode_batch(const std::vector<std::string>& texts,
                                             bool add_special_tokens = true) const = 0;
  virtual std::string decode(std::span<const int32_t> ids, bool skip_special_tokens = true) const = 0;

  virtual std::optional<int32_t> token_to_id(std::string_view token) const = 0;
  virtual std::optional<std::string> id_to_token(int32_t id) const = 0;
  virtual size_t vocab_size() const = 0;  // including added tokens

  // Truncation and padding start as tokenizer.json declares them; callers may override.
  virtual void set_truncation(std::optional<TruncationParams> params) = 0;
  virtual void set_padding(std::optional<PaddingParams> params) = 0;
  virtual const std::optional<TruncationParams>& truncation() const = 0;
  virtual const std::optional<PaddingParams>& padding() const = 0;
};

}  // namespace ragrt
