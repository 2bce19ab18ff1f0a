#include "ragrt/remote_reranker.h"

#include <algorithm>

#include <fmt/format.h>

#include "models/remote_api.h"
#include "ragrt/error.h"
#include "text/utf8.h"

namespace ragrt {
namespace {

using json = nlohmann::json;

class RemoteReranker final : public Reranker {
 public:
  explicit RemoteReranker(const RemoteRerankerParams& p)
      : params_(p), api_(fmt::format("reranker ({})", api_name()), p.endpoint) {
    RAGRT_THROW_IF_NOT_KIND(p.batch_size > 0, ErrorKind::kInvalidArgument, "reranker ({}): batch_size must be positive",
                            api_name());
  }

  std::vector<float> score(std::string_view query, const std::vector<std::string>& passages) const override {
    text::require_valid_utf8(query, fmt::format("reranker ({}): the query", api_name()));
    for (size_t i = 0; i < passages.size(); ++i)
      text::require_valid_utf8(passages[i], fmt::format("reranker ({}): passage {}", api_name(), i));
    std::vector<float> scores;
    scores.reserve(passages.size());
    for (size_t begin = 0; begin < passages.size(); begin += params_.batch_size) {
      const size_t end = std::min(passages.size(), begin + params_.batch_size);
      std::vector<std::string> batch(passages.begin() + begin, passages.begin() + end);
      json body = json::object();
      if (params_.api == RerankApi::kCohere) {
        if (!params_.model.empty()) body["model"] = params_.model;
        body["query"] = std::string(query);
        body["documents"] = batch;
        body["top_n"] = batch.size();
        body["return_documents"] = false;
      } else {
        body["query"] = std::string(query);
        body["texts"] = batch;
        body["raw_scores"] = false;
        body["truncate"] = true;  // a passage over the model's length is cut, not refused
      }
      const std::vector<float> got = take(api_.post("/rerank", body), batch.size());
      scores.insert(scores.end(), got.begin(), got.end());
    }
    return scores;
  }

  std::string description() const override {
    return fmt::format("{} {}at {}", api_name(), params_.model.empty() ? "" : params_.model + " ", api_.url("/rerank"));
  }

 private:
  const char* api_name() const { return params_.api == RerankApi::kCohere ? "cohere" : "tei"; }

  // The scores in passage order, from results listed best first with the passage's index.
  std::vector<float> take(const json& answer, size_t count) const {
    auto bad = [&](const std::string& what) {
      RAGRT_THROW("reranker ({}): {} answered {}: is it a {} rerank API?", api_name(), api_.url("/rerank"), what,
                  params_.api == RerankApi::kCohere ? "Cohere/Jina-compatible" : "Text Embeddings Inference");
    };
    const bool cohere = params_.api == RerankApi::kCohere;
    const json* results = &answer;
    if (cohere) {
      if (!answer.is_object() || !answer.contains("results")) bad("without a \"results\" list");
      results = &answer["results"];
    }
    if (!results->is_array()) bad(cohere ? "a \"results\" that is not a list" : "something other than a list");
    const char* score_key = cohere ? "relevance_score" : "score";
    std::vector<float> scores(count);
    std::vector<bool> seen(count, false);
    for (const json& r : *results) {
      if (!r.is_object() || !r.contains("index") || !r["index"].is_number_unsigned() || !r.contains(score_key) ||
          !r[score_key].is_number())
        bad(fmt::format("an item without a numeric \"index\" and \"{}\": {}", score_key, r.dump().substr(0, 200)));
      const size_t index = r["index"].get<size_t>();
      if (index >= count || seen[index]) bad(fmt::format("index {} for {} passages", index, count));
      seen[index] = true;
      scores[index] = r[score_key].get<float>();
    }
    const size_t missing = static_cast<size_t>(std::count(seen.begin(), seen.end(), false));
    if (missing > 0) bad(fmt::format("scores for {} of {} passages", count - missing, count));
    return scores;
  }

  RemoteRerankerParams params_;
  models::RemoteApi api_;
};

}  // namespace

std::unique_ptr<Reranker> make_remote_reranker(const RemoteRerankerParams& params) {
  return std::make_unique<RemoteReranker>(params);
}

}  // namespace ragrt
