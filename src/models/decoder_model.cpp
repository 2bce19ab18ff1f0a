#include "models/decoder_model.h"

#include <algorithm>
#include <charconv>
#include <map>

#include <spdlog/spdlog.h>

#include "models/lm_head_split.h"
#include "ragrt/error.h"
#include "ragrt/runtime/environment.h"

namespace ragrt::models {
namespace {

constexpr std::string_view kPastPrefix = "past_key_values.";
constexpr std::string_view kPresentPrefix = "present.";

// "past_key_values.12.key" -> 12; nullopt for other names.
std::optional<size_t> layer_of(std::string_view name, std::string_view prefix) {
  if (!name.starts_with(prefix)) return std::nullopt;
  name.remove_prefix(prefix.size());
  size_t dot = name.find('.');
  if (dot == std::string_view::npos) return std::nullopt;
  std::string_view kind = name.substr(dot + 1);
  if (kind != "key" && kind != "value") return std::nullopt;
  size_t layer = 0;
  auto [end, ec] = std::from_chars(name.data(), name.data() + dot, layer);
  if (ec != std::errc() || end != name.data() + dot) return std::nullopt;
  return layer;
}

// A positive integer field of config.json under any of `keys` (GPT-2 names its fields n_layer,
// n_head, n_embd); nullopt when absent.
std::optional<size_t> config_size(const nlohmann::json& config, std::initializer_list<const char*> keys,
                                  const std::filesystem::path& file) {
  for (const char* key : keys) {
    auto it = config.find(key);
    if (it == config.end() || it->is_null()) continue;
    RAGRT_THROW_IF_NOT_KIND(it->is_number_unsigned() && it->get<size_t>() > 0, ErrorKind::kInvalidModel,
                            "{}: field '{}' must be a positive integer, found {}", file.string(), key, it->dump());
    return it->get<size_t>();
  }
  return std::nullopt;
}

std::vector<int32_t> token_ids(const nlohmann::json& value, const std::filesystem::path& file, const char* field) {
  std::vector<int32_t> ids;
  auto one = [&](const nlohmann::json& v) {
    RAGRT_THROW_IF_NOT_KIND(v.is_number_integer() && v.get<int64_t>() >= 0, ErrorKind::kInvalidModel,
                            "{}: field '{}' must be a token id or a list of them, found {}", file.string(), field,
                            value.dump());
    ids.push_back(v.get<int32_t>());
  };
  if (value.is_array()) {
    for (const auto& v : value) one(v);
  } else if (!value.is_null()) {
    one(value);
  }
  return ids;
}

template <typename T>
std::optional<T> optional_field(const nlohmann::json& j, const char* key, const std::filesystem::path& file,
                                const char* expected) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return std::nullopt;
  bool ok = false;
  if constexpr (std::is_same_v<T, bool>) ok = it->is_boolean();
  else if constexpr (std::is_integral_v<T>) ok = it->is_number_unsigned();
  else ok = it->is_number();
  RAGRT_THROW_IF_NOT_KIND(ok, ErrorKind::kInvalidModel, "{}: field '{}' must be {}, found {}", file.string(), key,
                          expected, it->dump());
  return it->get<T>();
}

Ort::Value borrow_int64(std::span<const int64_t> data, std::initializer_list<int64_t> shape) {
  std::vector<int64_t> dims(shape);
  return Ort::Value::CreateTensor<int64_t>(runtime::cpu_memory_info(), const_cast<int64_t*>(data.data()), data.size(),
                                           dims.data(), dims.size());
}

}  // namespace

std::unique_ptr<DecoderModel> DecoderModel::open(const ModelFolder& folder, const runtime::SessionParams& params,
                                                 const std::string& onnx_file, LmHeadMode lm_head) {
  auto model = std::unique_ptr<DecoderModel>(new DecoderModel());
  const std::filesystem::path onnx = folder.onnx_path(onnx_file);
  std::optional<SplitDecoder> split;
  if (lm_head == LmHeadMode::kAuto) {
    std::error_code ec;
    const bool cpu_only = std::all_of(params.providers.begin(), params.providers.end(),
                                      [](runtime::Provider p) { return p == runtime::Provider::kCpu; });
    std::string why;
    if (!cpu_only) {
      why = "the session may run on a GPU, where the graph's projection is cheap";
    } else if (std::filesystem::is_regular_file(onnx, ec)) {
      split = split_lm_head(onnx, why);
    }
    if (!split && !why.empty()) spdlog::info("{}: the vocabulary projection stays in the graph: {}", onnx.string(), why);
  }
  model->session_ = split ? runtime::Session::open_from_memory(onnx, split->model, params)
                          : runtime::Session::open(onnx, params);
  if (split) std::string().swap(split->model);
  const auto& session = *model->session_;
  const std::string component = "the generator";
  session.require_input(component, {"input_ids", {ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64}, {"batch", "seq"}});
  session.require_input(component, {"attention_mask", {ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64}, {"batch", "total"}});
  if (session.find_input("position_ids")) {
    session.require_input(component, {"position_ids", {ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64}, {"batch", "seq"}});
    model->has_position_ids_ = true;
  }
  if (session.find_input("use_cache_branch")) {
    session.require_input(component, {"use_cache_branch", {ONNX_TENSOR_ELEMENT_DATA_TYPE_BOOL}, {"1"}});
    model->has_use_cache_branch_ = true;
  }
  size_t graph_vocab = 0;  // from the graph; 0 when it leaves the axis unnamed
  if (split) {
    session.require_output(component, {split->hidden_output, {ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT},
                                       {"batch", "seq", "hidden"}});
    graph_vocab = split->vocab;
  } else {
    const auto& logits = session.require_output(
        component, {"logits", {ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT, ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16},
                    {"batch", "seq", "vocab"}});
    graph_vocab = logits.shape[2] > 0 ? static_cast<size_t>(logits.shape[2]) : 0;
  }

  // Layers from the graph: every past_key_values.{i}.key/value input with its present output.
  size_t layers = 0;
  for (const auto& in : session.inputs()) {
    if (auto layer = layer_of(in.name, kPastPrefix)) {
      layers = std::max(layers, *layer + 1);
    } else if (in.name != "input_ids" && in.name != "attention_mask" && in.name != "position_ids" &&
               in.name != "use_cache_branch") {
      RAGRT_THROW_KIND(ErrorKind::kInvalidModel,
                       "{}: the generator feeds input_ids, attention_mask, position_ids, past_key_values.N.key/value "
                       "and use_cache_branch, but the model also needs input '{}'; the model has inputs: {}",
                       onnx.string(), in.name, runtime::describe(session.inputs()));
    }
  }
  RAGRT_THROW_IF_NOT_KIND(layers > 0, ErrorKind::kInvalidModel,
                          "{}: no past_key_values.N.key inputs: the generator needs a decoder exported with its KV "
                          "cache (Optimum's text-generation-with-past, or transformers.js's layout); the model has "
                          "inputs: {}",
                          onnx.string(), runtime::describe(session.inputs()));
  DecoderShape shape;
  shape.layers = layers;
  const runtime::TensorInfo* first_past = nullptr;
  for (size_t i = 0; i < layers; ++i) {
    for (const char* kind : {"key", "value"}) {
      std::string past = fmt::format("past_key_values.{}.{}", i, kind);
      std::string present = fmt::format("present.{}.{}", i, kind);
      const auto& in = session.require_input(
          component, {past, {ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT, ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16},
                      {"batch", "kv_heads", "past", "head_dim"}});
      const auto& out = session.require_output(component, {present, {in.type}, {"batch", "kv_heads", "total", "head_dim"}});
      (void)out;
      if (!first_past) first_past = &in;
      RAGRT_THROW_IF_NOT_KIND(in.type == first_past->type && in.shape[1] == first_past->shape[1] &&
                                  in.shape[3] == first_past->shape[3],
                              ErrorKind::kInvalidModel, "{}: input {} differs in type or shape from {}", onnx.string(),
                              in.describe(), first_past->describe());
      model->input_names_.push_back(past);
      model->output_names_.push_back(present);
    }
  }
  shape.kv_type = first_past->type;

  // config.json must agree with the graph where both say something.
  const std::filesystem::path config_file = folder.dir() / "config.json";
  const nlohmann::json& config = folder.config();
  RAGRT_THROW_IF_NOT_KIND(!config.empty(), ErrorKind::kInvalidModel,
                          "{}: missing or empty; the generator reads num_hidden_layers, num_attention_heads and "
                          "num_key_value_heads from it",
                          config_file.string());
  auto config_layers = config_size(config, {"num_hidden_layers", "n_layer"}, config_file);
  auto heads = config_size(config, {"num_attention_heads", "n_head"}, config_file);
  auto kv_heads = config_size(config, {"num_key_value_heads", "num_kv_heads"}, config_file);
  auto hidden = config_size(config, {"hidden_size", "n_embd"}, config_file);
  auto head_dim = config_size(config, {"head_dim"}, config_file);
  RAGRT_THROW_IF_NOT_KIND(heads, ErrorKind::kInvalidModel,
                          "{}: field 'num_attention_heads' is missing; the generator needs it", config_file.string());
  if (!head_dim && hidden) head_dim = *hidden / *heads;
  if (!kv_heads) kv_heads = heads;  // multi-head attention: one key/value head per query head
  RAGRT_THROW_IF_NOT_KIND(!config_layers || *config_layers == layers, ErrorKind::kInvalidModel,
                          "{}: field 'num_hidden_layers' is {} but {} has past_key_values for {} layers",
                          config_file.string(), *config_layers, onnx.string(), layers);
  const int64_t graph_kv_heads = first_past->shape[1], graph_head_dim = first_past->shape[3];
  RAGRT_THROW_IF_NOT_KIND(graph_kv_heads <= 0 || static_cast<size_t>(graph_kv_heads) == *kv_heads,
                          ErrorKind::kInvalidModel,
                          "{}: field 'num_key_value_heads' is {} but {} declares {} key/value heads in {}",
                          config_file.string(), *kv_heads, onnx.string(), graph_kv_heads, first_past->describe());
  RAGRT_THROW_IF_NOT_KIND(head_dim, ErrorKind::kInvalidModel,
                          "{}: neither 'head_dim' nor 'hidden_size' is present; the generator needs the head size",
                          config_file.string());
  RAGRT_THROW_IF_NOT_KIND(graph_head_dim <= 0 || static_cast<size_t>(graph_head_dim) == *head_dim,
                          ErrorKind::kInvalidModel,
                          "{}: the head size is {} (from 'head_dim', or hidden_size / num_attention_heads) but {} "
                          "declares {} in {}",
                          config_file.string(), *head_dim, onnx.string(), graph_head_dim, first_past->describe());
  RAGRT_THROW_IF_NOT_KIND(*heads % *kv_heads == 0, ErrorKind::kInvalidModel,
                          "{}: num_attention_heads {} is not a multiple of num_key_value_heads {}",
                          config_file.string(), *heads, *kv_heads);
  shape.attention_heads = *heads;
  shape.kv_heads = *kv_heads;
  shape.head_dim = *head_dim;
  auto vocab = config_size(config, {"vocab_size"}, config_file);
  if (graph_vocab > 0) {
    RAGRT_THROW_IF_NOT_KIND(!vocab || *vocab == graph_vocab, ErrorKind::kInvalidModel,
                            "{}: field 'vocab_size' is {} but {} has {} logits per token", config_file.string(),
                            *vocab, onnx.string(), graph_vocab);
    vocab = graph_vocab;
  }
  shape.vocab = vocab.value_or(0);  // 0: read from the first run's logits
  shape.max_positions = config_size(config, {"max_position_embeddings", "n_positions"}, config_file).value_or(0);
  model->shape_ = shape;

  // End-of-sequence ids and default sampling: generation_config.json, else config.json.
  const std::filesystem::path gen_file = folder.dir() / "generation_config.json";
  auto gen = folder.read_json("generation_config.json").value_or(nlohmann::json::object());
  if (gen.contains("eos_token_id")) {
    model->eos_ids_ = token_ids(gen["eos_token_id"], gen_file, "eos_token_id");
  } else if (config.contains("eos_token_id")) {
    model->eos_ids_ = token_ids(config["eos_token_id"], config_file, "eos_token_id");
  }
  if (model->eos_ids_.empty()) {
    spdlog::warn("{}: no eos_token_id in generation_config.json or config.json; generation stops only at "
                 "max_new_tokens or a stop string",
                 folder.dir().string());
  }
  auto& d = model->defaults_;
  d.do_sample = optional_field<bool>(gen, "do_sample", gen_file, "true or false");
  d.temperature = optional_field<float>(gen, "temperature", gen_file, "a number");
  d.top_k = optional_field<size_t>(gen, "top_k", gen_file, "a non-negative integer");
  d.top_p = optional_field<float>(gen, "top_p", gen_file, "a number");
  d.min_p = optional_field<float>(gen, "min_p", gen_file, "a number");
  d.repetition_penalty = optional_field<float>(gen, "repetition_penalty", gen_file, "a number");
  d.max_new_tokens = optional_field<size_t>(gen, "max_new_tokens", gen_file, "a positive integer");

  model->input_names_.insert(model->input_names_.begin(), {"input_ids", "attention_mask"});
  if (model->has_position_ids_) model->input_names_.insert(model->input_names_.begin() + 2, "position_ids");
  if (model->has_use_cache_branch_) model->input_names_.push_back("use_cache_branch");
  model->output_names_.insert(model->output_names_.begin(), split ? split->hidden_output : "logits");
  if (split) {
    model->lm_head_ = std::make_unique<LmHead>(std::move(split->weight), split->vocab, split->hidden,
                                               static_cast<size_t>(std::max(0, params.intra_op_threads)));
    spdlog::info("{}: ragrt runs the vocabulary projection ({} tokens x {}): int8-screened exact argmax, logits "
                 "only where asked",
                 onnx.string(), split->vocab, split->hidden);
  }
  for (const auto& n : model->input_names_) model->input_name_ptrs_.push_back(n.c_str());
  for (const auto& n : model->output_names_) model->output_name_ptrs_.push_back(n.c_str());
  return model;
}

std::vector<Ort::Value> DecoderModel::empty_past(size_t batch) const {
  Ort::AllocatorWithDefaultOptions allocator;
  std::vector<int64_t> dims{static_cast<int64_t>(batch), static_cast<int64_t>(shape_.kv_heads), 0,
                            static_cast<int64_t>(shape_.head_dim)};
  std::vector<Ort::Value> past;
  for (size_t i = 0; i < 2 * shape_.layers; ++i) {
    past.push_back(Ort::Value::CreateTensor(allocator, dims.data(), dims.size(), shape_.kv_type));
  }
  return past;
}

DecoderOutput DecoderModel::run(const DecoderInput& in) const {
  const size_t total = in.past_len + in.seq;
  RAGRT_THROW_IF_NOT(in.ids.size() == in.batch * in.seq && in.mask.size() == in.batch * total &&
                         (!has_position_ids_ || in.positions.size() == in.batch * in.seq) &&
                         in.past.size() == 2 * shape_.layers,
                     "decoder run: inconsistent input sizes");
  std::vector<Ort::Value> owned;
  owned.push_back(borrow_int64(in.ids, {int64_t(in.batch), int64_t(in.seq)}));
  owned.push_back(borrow_int64(in.mask, {int64_t(in.batch), int64_t(total)}));
  if (has_position_ids_) owned.push_back(borrow_int64(in.positions, {int64_t(in.batch), int64_t(in.seq)}));
  bool use_cache = in.past_len > 0;
  if (has_use_cache_branch_) {
    int64_t one = 1;
    owned.push_back(Ort::Value::CreateTensor<bool>(runtime::cpu_memory_info(), &use_cache, 1, &one, 1));
  }
  std::vector<const OrtValue*> inputs;
  for (size_t i = 0; i < (has_position_ids_ ? 3u : 2u); ++i) inputs.push_back(owned[i]);
  for (const Ort::Value* p : in.past) inputs.push_back(*p);
  if (has_use_cache_branch_) inputs.push_back(owned.back());

  auto outputs = session_->run(input_name_ptrs_, inputs, output_name_ptrs_);

  DecoderOutput out;
  auto info = outputs[0].GetTensorTypeAndShapeInfo();
  auto dims = info.GetShape();
  const size_t last = lm_head_ ? lm_head_->hidden() : shape_.vocab;
  RAGRT_THROW_IF_NOT(dims.size() == 3 && dims[0] == int64_t(in.batch) && dims[1] >= 1 &&
                         (last == 0 || dims[2] == int64_t(last)),
                     "{}: {} came back with shape [{}], expected [{}, {}, {}]", session_->path().string(),
                     output_names_[0], fmt::join(dims, ", "), in.batch, in.seq, last ? std::to_string(last) : "vocab");
  out.rows = static_cast<size_t>(dims[1]);
  if (lm_head_) {
    out.head = lm_head_.get();
    out.vocab = lm_head_->vocab();
    out.hidden = std::move(outputs[0]);
  } else {
    out.vocab = static_cast<size_t>(dims[2]);
    out.float16 = info.GetElementType() == ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16;
    out.logits = std::move(outputs[0]);
  }
  std::move(outputs.begin() + 1, outputs.end(), std::back_inserter(out.present));
  return out;
}

const float* DecoderOutput::hidden_at(OutputPosition p) const {
  RAGRT_THROW_IF_NOT(p.pos < rows, "decoder output: position {} asked, the model returned {}", p.pos, rows);
  return hidden.GetTensorData<float>() + (p.b * rows + p.pos) * head->hidden();
}

std::span<float> DecoderOutput::logits_at(size_t b, size_t pos) {
  RAGRT_THROW_IF_NOT(pos < rows, "decoder output: logits of position {} asked, the model returned {}", pos, rows);
  if (head) {
    for (size_t i = 0; i < computed_at.size(); ++i) {
      if (computed_at[i].b == b && computed_at[i].pos == pos) return {computed.data() + i * vocab, vocab};
    }
    const OutputPosition one{b, pos};
    prepare_logits(std::span(&one, 1));
    return {computed.data(), vocab};
  }
  if (!float16) return {logits.GetTensorMutableData<float>() + (b * rows + pos) * vocab, vocab};
  const Ort::Float16_t* p = logits.GetTensorData<Ort::Float16_t>() + (b * rows + pos) * vocab;
  widened.resize(vocab);
  for (size_t v = 0; v < vocab; ++v) widened[v] = p[v].ToFloat();
  return widened;
}

void DecoderOutput::prepare_logits(std::span<const OutputPosition> positions) {
  if (!head || positions.empty()) return;
  std::vector<const float*> inputs;
  for (const auto& p : positions) inputs.push_back(hidden_at(p));
  computed_at.assign(positions.begin(), positions.end());
  computed.resize(positions.size() * vocab);
  head->logits(inputs, computed.data());
}

std::vector<int32_t> DecoderOutput::argmax(std::span<const GreedyQuery> queries) {
  std::vector<int32_t> tokens(queries.size());
  if (head) {
    std::vector<ArgmaxQuery> asks;
    for (const auto& q : queries) asks.push_back({hidden_at(q.at), q.penalized, q.penalty});
    head->argmax(asks, tokens);
    return tokens;
  }
  std::vector<float> scratch;
  for (size_t i = 0; i < queries.size(); ++i) {
    const GreedyQuery& q = queries[i];
    std::span<float> row = logits_at(q.at.b, q.at.pos);
    if (q.penalty != 1.0f && !q.penalized.empty()) {
      scratch.assign(row.begin(), row.end());  // logits_at's rows stay as the model returned them
      apply_repetition_penalty(scratch, q.penalized, q.penalty);
      row = scratch;
    }
    tokens[i] = first_argmax(row);
  }
  return tokens;
}

}  // namespace ragrt::models
