#include "ragrt/onnx_embedder.h"

#include <spdlog/spdlog.h>

#include "models/dynamic_batcher.h"
#include "models/encoder_session.h"
#include "models/pooling.h"
#include "ragrt/error.h"

namespace ragrt {

std::string_view to_string(Pooling p) {
  switch (p) {
    case Pooling::kMean: return "mean";
    case Pooling::kCls: return "cls";
    case Pooling::kMax: return "max";
    case Pooling::kLastToken: return "last_token";
  }
  return "?";
}

Pooling parse_pooling(std::string_view name) {
  if (name == "mean") return Pooling::kMean;
  if (name == "cls" || name == "first_token") return Pooling::kCls;
  if (name == "max") return Pooling::kMax;
  if (name == "last_token" || name == "lasttoken" || name == "eos") return Pooling::kLastToken;
  RAGRT_THROW_KIND(ErrorKind::kInvalidArgument, "unknown pooling '{}' (expected mean, cls, max or last_token)", name);
}

namespace {

struct SentenceTransformersConfig {
  std::optional<Pooling> pooling;
  std::optional<bool> normalize;
};

std::string module_type_suffix(const std::string& type) {
  size_t dot = type.rfind('.');
  return dot == std::string::npos ? type : type.substr(dot + 1);
}

// modules.json + the Pooling module's config.json. Modules ragrt does not run (Dense, ...) are an
// error: ignoring them would silently give other vectors than sentence-transformers.
SentenceTransformersConfig read_sentence_transformers(const ModelFolder& folder) {
  SentenceTransformersConfig st;
  std::string pooling_dir = "1_Pooling";
  if (auto modules = folder.read_json("modules.json")) {
    const std::string where = (folder.dir() / "modules.json").string();
    RAGRT_THROW_IF_NOT_KIND(modules->is_array(), ErrorKind::kInvalidModel, "{}: expected a JSON array", where);
    st.normalize = false;
    pooling_dir.clear();
    for (const auto& m : *modules) {
      const std::string type = module_type_suffix(m.value("type", ""));
      if (type == "Transformer") continue;
      if (type == "Normalize") {
        st.normalize = true;
      } else if (type == "Pooling") {
        pooling_dir = m.value("path", "");
      } else {
        RAGRT_THROW_KIND(ErrorKind::kInvalidModel,
                         "{}: module '{}' is not supported (ragrt runs Transformer, Pooling and Normalize)", where,
                         m.value("type", ""));
      }
    }
  }
  if (pooling_dir.empty()) return st;
  auto cfg = folder.read_json(pooling_dir + "/config.json");
  if (!cfg) return st;
  const std::string where = (folder.dir() / pooling_dir / "config.json").string();
  std::vector<Pooling> modes;
  std::vector<std::string> unsupported;
  for (const auto& [key, value] : cfg->items()) {
    if (!value.is_boolean() || !value.get<bool>() || key.rfind("pooling_mode_", 0) != 0) continue;
    if (key == "pooling_mode_mean_tokens") {
      modes.push_back(Pooling::kMean);
    } else if (key == "pooling_mode_cls_token") {
      modes.push_back(Pooling::kCls);
    } else if (key == "pooling_mode_max_tokens") {
      modes.push_back(Pooling::kMax);
    } else if (key == "pooling_mode_lasttoken") {
      modes.push_back(Pooling::kLastToken);
    } else {
      unsupported.push_back(key);
    }
  }
  RAGRT_THROW_IF_NOT_KIND(unsupported.empty(), ErrorKind::kInvalidModel, "{}: {} is not supported", where,
                          fmt::join(unsupported, ", "));
  RAGRT_THROW_IF_NOT_KIND(modes.size() <= 1, ErrorKind::kInvalidModel,
                          "{}: several pooling modes at once (concatenated) are not supported", where);
  if (!modes.empty()) st.pooling = modes[0];
  return st;
}

const char* kOutputNames[] = {"last_hidden_state", "token_embeddings"};

}  // namespace

struct OnnxEmbedder::Impl {
  std::filesystem::path folder;
  std::unique_ptr<models::EncoderSession> encoder;
  EmbedderOptions options;
  std::string output_name;
  size_t dim = 0;
  Pooling pooling = Pooling::kMean;
  bool normalize = true;
  std::unique_ptr<models::DynamicBatcher<models::EncodedInput, std::vector<float>>> batcher;

  std::vector<std::vector<float>> compute(const std::vector<models::EncodedInput>& inputs) const {
    std::vector<std::vector<float>> out(inputs.size());
    encoder->run_sorted(inputs, output_name.c_str(), options.batch_size, options.max_batch_tokens,
                        [&](std::span<const size_t> rows, const Ort::Value& hidden, size_t seq) {
                          auto shape = hidden.GetTensorTypeAndShapeInfo().GetShape();
                          RAGRT_THROW_IF_NOT(shape.size() == 3 && shape[0] == static_cast<int64_t>(rows.size()) &&
                                                 shape[1] == static_cast<int64_t>(seq) && shape[2] > 0,
                                             "{}: output {} has an unexpected shape", encoder->session().path().string(),
                                             output_name);
                          const size_t dim_now = static_cast<size_t>(shape[2]);
                          const float* data = hidden.GetTensorData<float>();
                          std::vector<int64_t> mask(seq);
                          for (size_t r = 0; r < rows.size(); ++r) {
                            const size_t len = inputs[rows[r]].ids.size();
                            std::fill(mask.begin(), mask.end(), 0);
                            std::fill_n(mask.begin(), len, 1);
                            std::vector<float>& v = out[rows[r]];
                            v.resize(dim_now);
                            models::pool(pooling, {data + r * seq * dim_now, seq * dim_now}, mask, v);
                            if (normalize) models::l2_normalize(v);
                          }
                        });
    return out;
  }
};

OnnxEmbedder::OnnxEmbedder(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
OnnxEmbedder::~OnnxEmbedder() = default;

std::unique_ptr<OnnxEmbedder> OnnxEmbedder::load(const std::filesystem::path& dir, const EmbedderOptions& options) {
  ModelFolder folder = ModelFolder::open(dir);
  auto impl = std::make_unique<Impl>();
  impl->folder = dir;
  impl->options = options;
  SentenceTransformersConfig st = read_sentence_transformers(folder);
  impl->pooling = options.pooling.value_or(st.pooling.value_or(Pooling::kMean));
  impl->normalize = options.normalize.value_or(st.normalize.value_or(true));
  impl->encoder = std::make_unique<models::EncoderSession>(folder, options, "embedder");
  const runtime::Session& s = impl->encoder->session();
  for (const char* name : kOutputNames) {
    if (s.find_output(name)) {
      impl->output_name = name;
      break;
    }
  }
  if (impl->output_name.empty()) {
    RAGRT_THROW_KIND(ErrorKind::kInvalidModel,
                     "{}: embedder needs output 'last_hidden_state' or 'token_embeddings' (float [batch, seq, "
                     "hidden]); the model has outputs: {}",
                     s.path().string(), runtime::describe(s.outputs()));
  }
  const auto& out = s.require_output("embedder", {impl->output_name, {ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT},
                                                  {"batch", "seq", "hidden"}});
  if (out.shape[2] > 0) {
    impl->dim = static_cast<size_t>(out.shape[2]);
  } else {
    // The export left the hidden size symbolic: one tiny run tells it.
    impl->dim = impl->compute(impl->encoder->encode({""}))[0].size();
  }
  if (options.dynamic_batching.enabled) {
    Impl* raw = impl.get();
    impl->batcher = std::make_unique<models::DynamicBatcher<models::EncodedInput, std::vector<float>>>(
        [raw](std::vector<models::EncodedInput>& items) { return raw->compute(items); },
        options.dynamic_batching.max_texts, options.dynamic_batching.max_wait);
  }
  spdlog::info("{}: embedder ready ({} dims, {} pooling{}, max {} tokens, {} provider)", dir.string(), impl->dim,
               to_string(impl->pooling), impl->normalize ? ", normalized" : "", impl->encoder->max_length(),
               runtime::to_string(s.provider()));
  return std::unique_ptr<OnnxEmbedder>(new OnnxEmbedder(std::move(impl)));
}

std::vector<std::vector<float>> OnnxEmbedder::embed(const std::vector<std::string>& texts) const {
  if (texts.empty()) return {};
  std::vector<models::EncodedInput> inputs = impl_->encoder->encode(texts);
  if (impl_->batcher) return impl_->batcher->submit(std::move(inputs));
  return impl_->compute(inputs);
}


size_t OnnxEmbedder::dimension() const { return impl_->dim; }
std::string OnnxEmbedder::description() const { return "onnx " + impl_->folder.string(); }
Pooling OnnxEmbedder::pooling() const { return impl_->pooling; }
bool OnnxEmbedder::normalizes() const { return impl_->normalize; }
size_t OnnxEmbedder::max_length() const { return impl_->encoder->max_length(); }
const runtime::Session& OnnxEmbedder::session() const { return impl_->encoder->session(); }
const Tokenizer& OnnxEmbedder::tokenizer() const { return impl_->encoder->tokenizer(); }

}  // namespace ragrt
