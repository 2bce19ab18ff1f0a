#include "text/tokenizer_impl.h"

#include <algorithm>
#include <exception>
#include <fstream>
#include <sstream>
#include <thread>

#include "ragrt/error.h"
#include "text/encoding_ops.h"
#include "text/json_fields.h"
#include "text/utf8.h"
#include "text/vocab_merges_converter.h"

namespace ragrt::text {

using nlohmann::json;

namespace {

std::optional<TruncationParams> read_truncation(const json& root, const JsonPath& root_at) {
  const json* t = json_find(root, "truncation");
  if (!t) return std::nullopt;
  JsonPath at = root_at.field("truncation");
  json_require_object(*t, at);
  TruncationParams p;
  int64_t max_length = json_int(*t, "max_length", at, 512);
  int64_t stride = json_int(*t, "stride", at, 0);
  if (max_length < 0 || stride < 0) json_fail(at, "max_length and stride must not be negative");
  p.max_length = static_cast<size_t>(max_length);
  p.stride = static_cast<size_t>(stride);
  std::string strategy = json_string(*t, "strategy", at, "LongestFirst");
  if (strategy == "LongestFirst") p.strategy = TruncationStrategy::kLongestFirst;
  else if (strategy == "OnlyFirst") p.strategy = TruncationStrategy::kOnlyFirst;
  else if (strategy == "OnlySecond") p.strategy = TruncationStrategy::kOnlySecond;
  else json_fail(at.field("strategy"), "\"{}\" is not supported (LongestFirst, OnlyFirst, OnlySecond)", strategy);
  std::string direction = json_string(*t, "direction", at, "Right");
  if (direction == "Right") p.direction = Direction::kRight;
  else if (direction == "Left") p.direction = Direction::kLeft;
  else json_fail(at.field("direction"), "\"{}\" is not supported (Right, Left)", direction);
  return p;
}

std::optional<PaddingParams> read_padding(const json& root, const JsonPath& root_at) {
  const json* pj = json_find(root, "padding");
  if (!pj) return std::nullopt;
  JsonPath at = root_at.field("padding");
  json_require_object(*pj, at);
  PaddingParams p;
  if (const json* s = json_find(*pj, "strategy")) {
    JsonPath sp = at.field("strategy");
    if (s->is_string() && s->get<std::string>() == "BatchLongest") {
      p.fixed_length.reset();
    } else if (s->is_object() && json_find(*s, "Fixed")) {
      int64_t n = json_int(*s, "Fixed", sp);
      if (n < 0) json_fail(sp.field("Fixed"), "must not be negative");
      p.fixed_length = static_cast<size_t>(n);
    } else {
      json_fail(sp, "must be \"BatchLongest\" or {{\"Fixed\": n}}, got {}", s->dump());
    }
  }
  std::string direction = json_string(*pj, "direction", at, "Right");
  if (direction == "Right") p.direction = Direction::kRight;
  else if (direction == "Left") p.direction = Direction::kLeft;
  else json_fail(at.field("direction"), "\"{}\" is not supported (Right, Left)", direction);
  if (auto m = json_opt_int(*pj, "pad_to_multiple_of", at)) {
    if (*m < 0) json_fail(at.field("pad_to_multiple_of"), "must not be negative");
    p.pad_to_multiple_of = static_cast<size_t>(*m);
  }
  p.pad_id = static_cast<int32_t>(json_int(*pj, "pad_id", at, 0));
  p.pad_type_id = static_cast<int32_t>(json_int(*pj, "pad_type_id", at, 0));
  p.pad_token = json_string(*pj, "pad_token", at, "[PAD]");
  return p;
}

std::vector<AddedToken> read_added_tokens(const json& root, const JsonPath& root_at) {
  std::vector<AddedToken> out;
  const json* list = json_find(root, "added_tokens");
  if (!list) return out;
  JsonPath at = root_at.field("added_tokens");
  if (!list->is_array()) json_fail(at, "must be an array");
  for (size_t i = 0; i < list->size(); ++i) {
    const json& t = (*list)[i];
    JsonPath tp = at.index(i);
    json_require_object(t, tp);
    AddedToken a;
    a.content = json_string(t, "content", tp);
    a.single_word = json_bool(t, "single_word", tp, false);
    a.lstrip = json_bool(t, "lstrip", tp, false);
    a.rstrip = json_bool(t, "rstrip", tp, false);
    a.special = json_bool(t, "special", tp, false);
    a.normalized = json_bool(t, "normalized", tp, !a.special);
    out.push_back(std::move(a));
  }
  return out;
}

}  // namespace

TokenizerImpl::TokenizerImpl(const json& config, const std::string& source) {
  JsonPath root{source, ""};
  json_require_object(config, root);
  normalizer_ = make_normalizer(config.value("normalizer", json()), root.field("normalizer"));
  pre_tokenizer_ = make_pre_tokenizer(config.value("pre_tokenizer", json()), root.field("pre_tokenizer"));
  model_ = make_model(json_require(config, "model", root), source);
  post_processor_ = make_post_processor(config.value("post_processor", json()), root.field("post_processor"));
  decoder_ = make_decoder(config.value("decoder", json()), root.field("decoder"));
  truncation_ = read_truncation(config, root);
  padding_ = read_padding(config, root);
  added_.add_tokens(read_added_tokens(config, root), *model_, normalizer_.get());
}

void TokenizerImpl::set_truncation(std::optional<TruncationParams> params) {
  if (params) {
    // tokenizers refuses a stride that leaves no room once a single input's special tokens are
    // counted (where max_length is below that count it wraps around and checks nothing).
    size_t n_added = post_processor_ ? post_processor_->added_tokens(false) : 0;
    if (params->max_length >= n_added && params->stride > params->max_length - n_added)
      RAGRT_THROW_KIND(ErrorKind::kInvalidArgument,
                       "truncation stride {} is larger than max_length {} minus the {} special tokens the "
                       "post-processor adds; lower the stride or raise max_length",
                       params->stride, params->max_length, n_added);
  }
  truncation_ = std::move(params);
}

Encoding TokenizerImpl::encode_sequence(std::string_view text, int32_t type_id, bool may_truncate) const {
  if (text.size() >= UINT32_MAX) RAGRT_THROW_KIND(ErrorKind::kInvalidArgument, "text of {} bytes is too long", text.size());
  require_valid_utf8(text, "text to tokenize");
  PreTokenizedString pts = added_.extract_and_normalize(normalizer_.get(), text);
  if (pre_tokenizer_) pre_tokenizer_->pre_tokenize(pts);
  if (truncation_ && may_truncate) {
    // The budget is max_length as configured, special tokens not subtracted, as in tokenizers.
    pts.tokenize_within(*model_, truncation_->max_length, truncation_->direction);
  } else {
    pts.tokenize(*model_);
  }
  Encoding e;
  pts.append_to(e, type_id);
  return e;
}

Encoding TokenizerImpl::post_process(Encoding first, std::optional<Encoding> second, bool add_special_tokens,
                                     bool pad, const SourceTexts& texts) const {
  if (truncation_) {
    TruncationParams p = *truncation_;
    size_t n_added = post_processor_ ? post_processor_->added_tokens(second.has_value()) : 0;
    // A max_length below the special-token count wraps around in tokenizers (an unsigned
    // subtraction): nothing beyond the word-level cut in encode_sequence is truncated then.
    bool wraps = add_special_tokens && n_added > p.max_length;
    if (add_special_tokens) p.max_length -= std::min(n_added, p.max_length);
    if (!wraps) truncate_encodings(first, second ? &*second : nullptr, p);
  }
  Encoding out;
  if (post_processor_) {
    out = post_processor_->process(std::move(first), std::move(second), add_special_tokens, texts);
  } else if (second) {
    set_sequence_id(first, 0);
    set_sequence_id(*second, 1);
    out = std::move(first);
    append_encoding(out, *second);
  } else {
    out = std::move(first);
  }
  if (pad && padding_) {
    std::vector<Encoding> one;
    one.push_back(std::move(out));
    pad_encodings(one, *padding_);
    out = std::move(one[0]);
    mark_unranged(out, second.has_value());
  }
  return out;
}

void TokenizerImpl::mark_unranged(Encoding& e, bool is_pair) const {
  // tokenizers derives sequence ids from the ranges post-processing records; a lone sequence that
  // no post-processor touched has none, and then every token, padding included, reports 0.
  if (!post_processor_ && !is_pair) set_sequence_id(e, 0);
}

Encoding TokenizerImpl::encode(std::string_view text, bool add_special_tokens) const {
  return post_process(encode_sequence(text, 0, first_may_truncate()), std::nullopt, add_special_tokens, true,
                      {text, {}});
}

Encoding TokenizerImpl::encode_pair(std::string_view first, std::string_view second, bool add_special_tokens) const {
  Encoding a = encode_sequence(first, 0, first_may_truncate());
  Encoding b = encode_sequence(second, 1, true);
  return post_process(std::move(a), std::move(b), add_special_tokens, true, {first, second});
}

std::vector<Encoding> TokenizerImpl::encode_batch(const std::vector<std::string>& texts, bool add_special_tokens) const {
  std::vector<Encoding> out(texts.size());
  auto work = [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i)
      out[i] = post_process(encode_sequence(texts[i], 0, first_may_truncate()), std::nullopt, add_special_tokens, false,
                            {texts[i], {}});
  };
  size_t total_bytes = 0;
  for (const auto& t : texts) total_bytes += t.size();
  size_t threads = std::min<size_t>(std::max(1u, std::thread::hardware_concurrency()), texts.size());
  // Threads only pay off for batches with real work in them.
  if (threads <= 1 || total_bytes < 16384) {
    work(0, texts.size());
  } else {
    std::vector<std::thread> pool;
    std::vector<std::exception_ptr> errors(threads);
    size_t chunk = (texts.size() + threads - 1) / threads;
    for (size_t t = 0; t < threads; ++t) {
      size_t b = t * chunk, e = std::min(texts.size(), b + chunk);
      if (b >= e) break;
      pool.emplace_back([&, t, b, e] {
        try {
          work(b, e);
        } catch (...) {
          errors[t] = std::current_exception();
        }
      });
    }
    for (auto& th : pool) th.join();
    for (auto& err : errors)
      if (err) std::rethrow_exception(err);
  }
  if (padding_) {
    pad_encodings(out, *padding_);
    for (Encoding& e : out) mark_unranged(e, false);
  }
  return out;
}

std::string TokenizerImpl::decode(std::span<const int32_t> ids, bool skip_special_tokens) const {
  std::vector<std::string> tokens;
  tokens.reserve(ids.size());
  for (int32_t id : ids) {
    std::optional<std::string> tok;
    if (const std::string* a = added_.content_of(id)) tok = *a;
    else tok = model_->id_to_token(id);
    if (!tok) continue;
    if (skip_special_tokens && added_.is_special_token(*tok)) continue;
    tokens.push_back(std::move(*tok));
  }
  if (decoder_) return decoder_->decode(std::move(tokens));
  std::string out;
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (i) out += ' ';
    out += tokens[i];
  }
  return out;
}

std::optional<int32_t> TokenizerImpl::token_to_id(std::string_view token) const {
  return added_.token_to_id(token, *model_);
}

std::optional<std::string> TokenizerImpl::id_to_token(int32_t id) const { return added_.id_to_token(id, *model_); }

size_t TokenizerImpl::vocab_size() const { return model_->vocab_size() + added_.count_beyond(*model_); }

}  // namespace ragrt::text

namespace ragrt {

namespace {
std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) RAGRT_THROW_KIND(ErrorKind::kNotFound, "cannot open {}", p.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) RAGRT_THROW_KIND(ErrorKind::kIo, "cannot read {}", p.string());
  return ss.str();
}

std::unique_ptr<Tokenizer> from_json_value(const nlohmann::json& j, const std::string& source) {
  try {
    return std::make_unique<text::TokenizerImpl>(j, source);
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    RAGRT_THROW_KIND(ErrorKind::kInvalidModel, "{}: {}", source, e.what());
  }
}
}  // namespace

std::unique_ptr<Tokenizer> Tokenizer::from_json(std::string_view tokenizer_json, const std::string& source_name) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(tokenizer_json.begin(), tokenizer_json.end());
  } catch (const nlohmann::json::exception& e) {
    RAGRT_THROW_KIND(ErrorKind::kInvalidModel, "{}: invalid JSON: {}", source_name, e.what());
  }
  return from_json_value(j, source_name);
}

std::unique_ptr<Tokenizer> Tokenizer::from_path(const std::filesystem::path& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    fs::path tj = path / "tokenizer.json";
    if (fs::exists(tj, ec)) return from_json(read_file(tj), tj.string());
    if (fs::exists(path / "vocab.json", ec) && fs::exists(path / "merges.txt", ec)) {
      nlohmann::json j = text::tokenizer_json_from_vocab_merges(path);
      return from_json_value(j, (path / "vocab.json").string());
    }
    RAGRT_THROW_KIND(ErrorKind::kNotFound,
                     "{} holds neither tokenizer.json nor vocab.json + merges.txt", path.string());
  }
  if (!fs::exists(path, ec)) RAGRT_THROW_KIND(ErrorKind::kNotFound, "tokenizer {} does not exist", path.string());
  return from_json(read_file(path), path.string());
}

}  // namespace ragrt
