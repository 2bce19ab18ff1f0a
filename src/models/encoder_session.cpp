#include "models/encoder_session.h"

#include <algorithm>
#include <numeric>

#include <spdlog/spdlog.h>

#include "ragrt/error.h"
#include "ragrt/runtime/environment.h"

namespace ragrt::models {
namespace {

constexpr size_t kFallbackMaxLength = 512;

EncodedInput to_input(const Encoding& e) {
  EncodedInput in;
  in.ids.assign(e.ids.begin(), e.ids.end());
  in.type_ids.assign(e.type_ids.begin(), e.type_ids.end());
  in.type_ids.resize(in.ids.size(), 0);
  return in;
}

// Reused across runs of the same thread: batches come in many shapes, and reallocating three
// buffers per run shows up on small models.
struct InputBuffers {
  std::vector<int64_t> ids, mask, types;
};

}  // namespace

EncoderSession::EncoderSession(const ModelFolder& folder, const EncoderOptions& options, std::string_view component) {
  tokenizer_ = folder.load_tokenizer();
  const std::filesystem::path onnx = folder.onnx_path(options.onnx_file);
  session_ = runtime::Session::open(onnx, options.session);
  const runtime::TensorRequirement ids{"input_ids", {ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64}, {"batch", "seq"}};
  const runtime::TensorRequirement mask{"attention_mask", {ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64}, {"batch", "seq"}};
  session_->require_input(component, ids);
  session_->require_input(component, mask);
  if (session_->find_input("token_type_ids")) {
    session_->require_input(component, {"token_type_ids", {ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64}, {"batch", "seq"}});
    has_token_type_ids_ = true;
  }
  for (const auto& in : session_->inputs()) {
    RAGRT_THROW_IF_NOT_KIND(in.name == "input_ids" || in.name == "attention_mask" || in.name == "token_type_ids",
                            ErrorKind::kInvalidModel,
                            "{}: {} feeds input_ids, attention_mask and token_type_ids, but the model also needs "
                            "input '{}'; the model has inputs: {}",
                            onnx.string(), component, in.name, runtime::describe(session_->inputs()));
  }

  std::optional<size_t> from_folder = folder.max_sequence_length(*tokenizer_);
  if (options.max_length) {
    max_length_ = *options.max_length;
    if (auto hard = folder.position_limit(); hard && *hard < max_length_) {
      spdlog::warn("{}: max_length {} exceeds the model's {} positions; using {}", folder.dir().string(), max_length_,
                   *hard, *hard);
      max_length_ = *hard;
    }
  } else if (from_folder) {
    max_length_ = *from_folder;
  } else {
    spdlog::warn("{}: no length limit in config.json or the tokenizer files; truncating to {} tokens",
                 folder.dir().string(), kFallbackMaxLength);
    max_length_ = kFallbackMaxLength;
  }
  RAGRT_THROW_IF_NOT_KIND(max_length_ >= 2, ErrorKind::kInvalidArgument, "{}: max_length {} is too small",
                          folder.dir().string(), max_length_);

  if (config_pad_id(folder)) {
    pad_id_ = *config_pad_id(folder);
  } else if (tokenizer_->padding()) {
    pad_id_ = tokenizer_->padding()->pad_id;
  }
  TruncationParams trunc = tokenizer_->truncation().value_or(TruncationParams{});
  trunc.max_length = max_length_;
  trunc.stride = 0;
  tokenizer_->set_truncation(trunc);
  // Batches are padded here, to the longest input of each batch, not to the tokenizer's fixed length.
  tokenizer_->set_padding(std::nullopt);
}

std::optional<int64_t> EncoderSession::config_pad_id(const ModelFolder& folder) {
  const auto& c = folder.config();
  if (c.contains("pad_token_id") && c.at("pad_token_id").is_number_integer()) return c.at("pad_token_id").get<int64_t>();
  return std::nullopt;
}

std::vector<EncodedInput> EncoderSession::encode(const std::vector<std::string>& texts) const {
  std::vector<Encoding> encodings = tokenizer_->encode_batch(texts, true);
  std::vector<EncodedInput> out;
  out.reserve(encodings.size());
  for (const auto& e : encodings) out.push_back(to_input(e));
  return out;
}

std::vector<EncodedInput> EncoderSession::encode_pairs(
    const std::vector<std::pair<std::string, std::string>>& pairs) const {
  std::vector<EncodedInput> out;
  out.reserve(pairs.size());
  for (const auto& [a, b] : pairs) out.push_back(to_input(tokenizer_->encode_pair(a, b, true)));
  return out;
}

void EncoderSession::run_sorted(const std::vector<EncodedInput>& inputs, const char* output_name, size_t batch_size,
                                size_t max_batch_tokens, const BatchFn& fn) const {
  if (inputs.empty()) return;
  batch_size = std::max<size_t>(batch_size, 1);
  std::vector<size_t> order(inputs.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return inputs[a].ids.size() < inputs[b].ids.size(); });

  thread_local InputBuffers buf;
  std::vector<const char*> names{"input_ids", "attention_mask"};
  if (has_token_type_ids_) names.push_back("token_type_ids");
  for (size_t start = 0; start < order.size();) {
    // Sorted ascending, so each added row sets the batch's padded length.
    size_t end = start, seq = 1;
    while (end < order.size() && end - start < batch_size) {
      const size_t len = std::max(seq, inputs[order[end]].ids.size());
      if (max_batch_tokens && end > start && len * (end - start + 1) > max_batch_tokens) break;
      seq = len;
      ++end;
    }
    const size_t rows = end - start;
    std::span<const size_t> batch(order.data() + start, rows);
    start = end;
    const size_t n = rows * seq;
    buf.ids.assign(n, pad_id_);
    buf.mask.assign(n, 0);
    buf.types.assign(n, 0);
    for (size_t i = 0; i < rows; ++i) {
      const EncodedInput& in = inputs[batch[i]];
      std::copy(in.ids.begin(), in.ids.end(), buf.ids.begin() + i * seq);
      std::fill_n(buf.mask.begin() + i * seq, in.ids.size(), 1);
      std::copy(in.type_ids.begin(), in.type_ids.end(), buf.types.begin() + i * seq);
    }
    const int64_t shape[2] = {static_cast<int64_t>(rows), static_cast<int64_t>(seq)};
    const auto& mem = runtime::cpu_memory_info();
    std::vector<Ort::Value> tensors;
    tensors.push_back(Ort::Value::CreateTensor<int64_t>(mem, buf.ids.data(), n, shape, 2));
    tensors.push_back(Ort::Value::CreateTensor<int64_t>(mem, buf.mask.data(), n, shape, 2));
    if (has_token_type_ids_) tensors.push_back(Ort::Value::CreateTensor<int64_t>(mem, buf.types.data(), n, shape, 2));
    std::vector<Ort::Value> out = session_->run(names, tensors, {output_name});
    fn(batch, out[0], seq);
  }
}

}  // namespace ragrt::models
