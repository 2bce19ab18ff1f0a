#include "ragrt/openai_embedder.h"

#include <algorithm>
#include <atomic>
#include <cmath>

#include <fmt/format.h>

#include "models/pooling.h"
#include "models/remote_api.h"
#include "ragrt/error.h"
#include "text/utf8.h"

namespace ragrt {
namespace {

using json = nlohmann::json;

class OpenAIEmbedder final : public Embedder {
 public:
  explicit OpenAIEmbedder(const OpenAIEmbedderParams& p) : params_(p), api_("embedder (openai)", p.endpoint) {
    RAGRT_THROW_IF_NOT_KIND(p.batch_size > 0, ErrorKind::kInvalidArgument, "embedder (openai): batch_size must be positive");
  }

  std::vector<std::vector<float>> embed(const std::vector<std::string>& texts) const override {
    for (size_t i = 0; i < texts.size(); ++i) text::require_valid_utf8(texts[i], fmt::format("embedder (openai): text {}", i));
    std::vector<std::vector<float>> out;
    out.reserve(texts.size());
    for (size_t begin = 0; begin < texts.size(); begin += params_.batch_size) {
      const size_t end = std::min(texts.size(), begin + params_.batch_size);
      json body = json::object();
      if (!params_.model.empty()) body["model"] = params_.model;
      body["input"] = std::vector<std::string>(texts.begin() + begin, texts.begin() + end);
      body["encoding_format"] = "float";
      take(api_.post("/embeddings", body), end - begin, out);
    }
    return out;
  }

  size_t dimension() const override { return dim_.load(); }

  std::string description() const override {
    return fmt::format("openai {} at {}", params_.model.empty() ? "(server's model)" : params_.model,
                       api_.url("/embeddings"));
  }

 private:
  // Appends the answer's vectors in input order (servers may list them in any order, by "index").
  void take(const json& answer, size_t count, std::vector<std::vector<float>>& out) const {
    const std::string url = api_.url("/embeddings");
    auto bad = [&](const std::string& what) {
      RAGRT_THROW("embedder (openai): {} answered {}: is it an OpenAI-compatible embeddings API?", url, what);
    };
    if (!answer.is_object() || !answer.contains("data") || !answer["data"].is_array()) bad("without a \"data\" list");
    const json& data = answer["data"];
    if (data.size() != count) bad(fmt::format("{} embeddings for {} texts", data.size(), count));
    std::vector<std::vector<float>> batch(count);
    for (size_t i = 0; i < count; ++i) {
      const json& item = data[i];
      if (!item.is_object() || !item.contains("embedding") || !item["embedding"].is_array())
        bad(fmt::format("an item without an \"embedding\" list (data[{}])", i));
      size_t index = i;
      if (item.contains("index")) {
        if (!item["index"].is_number_unsigned() || item["index"].get<size_t>() >= count)
          bad(fmt::format("index {} for {} texts (data[{}])", item["index"].dump(), count, i));
        index = item["index"].get<size_t>();
      }
      if (!batch[index].empty()) bad(fmt::format("index {} twice", index));
      std::vector<float> v;
      v.reserve(item["embedding"].size());
      for (const json& x : item["embedding"]) {
        if (!x.is_number()) bad(fmt::format("a non-number in data[{}].embedding (base64 encoding?)", i));
        v.push_back(x.get<float>());
      }
      if (v.empty()) bad(fmt::format("an empty embedding (data[{}])", i));
      size_t expected = 0;
      if (!dim_.compare_exchange_strong(expected, v.size()) && expected != v.size())
        bad(fmt::format("an embedding of {} dimensions after ones of {}", v.size(), expected));
      if (params_.normalize) models::l2_normalize(v);
      batch[index] = std::move(v);
    }
    for (auto& v : batch) out.push_back(std::move(v));
  }

  OpenAIEmbedderParams params_;
  models::RemoteApi api_;
  mutable std::atomic<size_t> dim_{0};
};

}  // namespace

std::unique_ptr<Embedder> make_openai_embedder(const OpenAIEmbedderParams& params) {
  return std::make_unique<OpenAIEmbedder>(params);
}

}  // namespace ragrt
