#include "ragrt/onnx_reranker.h"

#include <cmath>

#include <spdlog/spdlog.h>

#include "models/dynamic_batcher.h"
#include "models/encoder_session.h"
#include "ragrt/error.h"

namespace ragrt {

struct OnnxReranker::Impl {
  std::filesystem::path folder;
  std::unique_ptr<models::EncoderSession> encoder;
  RerankerOptions options;
  size_t label = 0;
  std::unique_ptr<models::DynamicBatcher<models::EncodedInput, float>> batcher;

  std::vector<float> compute(const std::vector<models::EncodedInput>& inputs) const {
    std::vector<float> scores(inputs.size());
    encoder->run_sorted(inputs, "logits", options.batch_size, options.max_batch_tokens,
                        [&](std::span<const size_t> rows, const Ort::Value& logits, size_t) {
                          auto shape = logits.GetTensorTypeAndShapeInfo().GetShape();
                          RAGRT_THROW_IF_NOT(shape.size() == 2 && shape[0] == static_cast<int64_t>(rows.size()) &&
                                                 static_cast<int64_t>(label) < shape[1],
                                             "{}: logits have an unexpected shape", encoder->session().path().string());
                          const float* data = logits.GetTensorData<float>();
                          for (size_t r = 0; r < rows.size(); ++r) {
                            float s = data[r * shape[1] + label];
                            scores[rows[r]] = options.sigmoid ? 1.0f / (1.0f + std::exp(-s)) : s;
                          }
                        });
    return scores;
  }
};

OnnxReranker::OnnxReranker(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
OnnxReranker::~OnnxReranker() = default;

std::unique_ptr<OnnxReranker> OnnxReranker::load(const std::filesystem::path& dir, const RerankerOptions& options) {
  ModelFolder folder = ModelFolder::open(dir);
  auto impl = std::make_unique<Impl>();
  impl->folder = dir;
  impl->options = options;
  impl->encoder = std::make_unique<models::EncoderSession>(folder, options, "reranker");
  const runtime::Session& s = impl->encoder->session();
  const auto& logits =
      s.require_output("reranker", {"logits", {ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT}, {"batch", "num_labels"}});
  const int64_t labels = logits.shape[1];
  if (options.label) {
    RAGRT_THROW_IF_NOT_KIND(labels < 0 || static_cast<int64_t>(*options.label) < labels, ErrorKind::kInvalidArgument,
                            "{}: label {} requested but the model has {} labels", s.path().string(), *options.label,
                            labels);
    impl->label = *options.label;
  } else {
    RAGRT_THROW_IF_NOT_KIND(labels == 1, ErrorKind::kInvalidArgument,
                            "{}: the model gives {} logits per pair; say which one is the score (label option)",
                            s.path().string(), labels < 0 ? std::string("a dynamic number of") : std::to_string(labels));
  }
  if (options.dynamic_batching.enabled) {
    Impl* raw = impl.get();
    impl->batcher = std::make_unique<models::DynamicBatcher<models::EncodedInput, float>>(
        [raw](std::vector<models::EncodedInput>& items) { return raw->compute(items); },
        options.dynamic_batching.max_texts, options.dynamic_batching.max_wait);
  }
  spdlog::info("{}: reranker ready (label {}, {}, max {} tokens, {} provider)", dir.string(), impl->label,
               options.sigmoid ? "sigmoid" : "raw logits", impl->encoder->max_length(),
               runtime::to_string(s.provider()));
  return std::unique_ptr<OnnxReranker>(new OnnxReranker(std::move(impl)));
}

std::vector<float> OnnxReranker::score_pairs(const std::vector<std::pair<std::string, std::string>>& pairs) const {
  if (pairs.empty()) return {};
  std::vector<models::EncodedInput> inputs = impl_->encoder->encode_pairs(pairs);
  if (impl_->batcher) return impl_->batcher->submit(std::move(inputs));
  return impl_->compute(inputs);
}

std::vector<float> OnnxReranker::score(std::string_view query, const std::vector<std::string>& passages) const {
  std::vector<std::pair<std::string, std::string>> pairs;
  pairs.reserve(passages.size());
  for (const auto& p : passages) pairs.emplace_back(std::string(query), p);
  return score_pairs(pairs);
}

std::string OnnxReranker::description() const { return "onnx " + impl_->folder.string(); }
size_t OnnxReranker::max_length() const { return impl_->encoder->max_length(); }
const runtime::Session& OnnxReranker::session() const { return impl_->encoder->session(); }
const Tokenizer& OnnxReranker::tokenizer() const { return impl_->encoder->tokenizer(); }

}  // namespace ragrt
