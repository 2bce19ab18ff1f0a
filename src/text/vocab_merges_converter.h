#pragma once
// Builds a tokenizer.json object from a GPT-2 / Qwen style folder (vocab.json + merges.txt +
// tokenizer_config.json) exactly as Hugging Face transformers' slow->fast converters do
// (GPT2Converter, Qwen2Converter in transformers/convert_slow_tokenizer.py).
#include <filesystem>

#include <nlohmann/json.hpp>

namespace ragrt::text {

nlohmann::json tokenizer_json_from_vocab_merges(const std::filesystem::path& dir);

}  // namespace ragrt::text
