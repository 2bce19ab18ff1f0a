// The knowledge base over HTTP: POST /v1/embeddings (OpenAI's shape), /v1/rerank (Cohere's and
// Jina's shape) and /v1/retrieve (ragrt's: the configured retrievers' hits with their chunks).
#include <algorithm>
#include <bit>
#include <numeric>

#include <fmt/ranges.h>
#include <openssl/evp.h>

#include "ingest/text_region_json.h"
#include "server/http_error.h"
#include "server/server_context.h"

namespace ragrt::server {
namespace {

// A 400, not a 5xx: nothing is wrong with the server, and SDKs retry 5xx answers in vain.
[[noreturn]] void not_configured(const std::string& what, const std::string& section, const std::string& example) {
  throw HttpError(400, "invalid_request_error",
                  fmt::format("this server's config has no {}: add {} `{}:` section to it ({}); the server picks the "
                              "edit up without a restart",
                              what, std::string("aeiou").find(section[0]) == std::string::npos ? "a" : "an", section,
                              example),
                  "", "not_configured");
}

// OpenAI's encoding_format "base64": the floats' little-endian bytes, base64-encoded (the official
// clients ask for this by default and decode it).
std::string base64_floats(const std::vector<float>& v) {
  static_assert(std::endian::native == std::endian::little);
  const auto* bytes = reinterpret_cast<const unsigned char*>(v.data());
  const size_t n = v.size() * sizeof(float);
  std::string out(4 * ((n + 2) / 3), '\0');
  const int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), bytes, static_cast<int>(n));
  out.resize(static_cast<size_t>(written));
  return out;
}

size_t estimate_tokens(const ComponentGraph& graph, const std::vector<std::string>& texts) {
  size_t n = 0;
  for (const auto& t : texts) n += graph.count_tokens(ChatMessage{{"role", "user"}, {"content", t}});
  return n;
}

// A non-empty list of non-empty strings, at most `max` of them.
std::vector<std::string> read_texts(const JsonObject& o, const std::string& key, size_t max) {
  auto texts = o.strings(key);
  if (!texts) o.at(key);  // 400: missing
  if (texts->empty()) bad_request(o.field(key), "'{}' is empty", o.field(key));
  if (texts->size() > max) bad_request(o.field(key), "'{}' has {} entries; at most {} per request", o.field(key), texts->size(), max);
  return *texts;
}

constexpr size_t kMaxBatch = 2048;  // OpenAI's limit for embeddings inputs

}  // namespace

void handle_embeddings(ServerContext& ctx, const httplib::Request& req, httplib::Response& res) {
  const json body = parse_json_body(req.body);
  JsonObject o(body, "");
  o.only_keys({"input", "model", "encoding_format", "user", "input_type"});
  const std::string model = o.string("model");
  const std::vector<std::string> input = read_texts(o, "input", kMaxBatch);
  const std::string format = o.optional_string("encoding_format").value_or("float");
  if (format != "float" && format != "base64")
    bad_request("encoding_format", "'encoding_format' must be float or base64, got '{}'", format);
  // ragrt extension: "query" / "document" add the config's query_prefix / document_prefix, as the
  // index and the retrievers do; without it the texts are embedded as given.
  const std::optional<std::string> input_type = o.optional_string("input_type");
  if (input_type && *input_type != "query" && *input_type != "document")
    bad_request("input_type", "'input_type' must be query or document, got '{}'", *input_type);

  const auto graph = ctx.live->current();
  const KnowledgeBase& kb = graph->knowledge_base();
  const Embedder* embedder = kb.embedder();
  if (!embedder) not_configured("embedder", "embedder",
                                "e.g. `ragrt models pull Xenova/all-MiniLM-L6-v2`, then `embedder: {model: "
                                "PATH_IT_PRINTED}`, or `embedder: {type: openai, base_url: …}` for a remote one");
  AdmissionGate::Slot slot = admit(ctx);
  std::vector<std::vector<float>> vectors;
  if (input_type == "document") {
    vectors = kb.embed_documents(input);
  } else if (input_type == "query") {
    for (const auto& t : input) vectors.push_back(kb.embed_query(t));
  } else {
    vectors = embedder->embed(input);
  }
  slot.release();
  json data = json::array();
  for (size_t i = 0; i < vectors.size(); ++i) {
    data.push_back({{"object", "embedding"},
                    {"index", i},
                    {"embedding", format == "base64" ? json(base64_floats(vectors[i])) : json(vectors[i])}});
  }
  const size_t tokens = estimate_tokens(*graph, input);
  reply_json(res, 200, {{"object", "list"}, {"data", data}, {"model", model},
                        {"usage", {{"prompt_tokens", tokens}, {"total_tokens", tokens}}}});
}

void handle_rerank(ServerContext& ctx, const httplib::Request& req, httplib::Response& res) {
  const json body = parse_json_body(req.body);
  JsonObject o(body, "");
  o.only_keys({"model", "query", "documents", "top_n", "return_documents"});
  const std::string model = o.optional_string("model").value_or("");
  const std::string query = o.string("query");
  // Documents as strings, or Jina's / Cohere's {text: …} objects.
  std::vector<std::string> documents;
  const json& docs = o.at("documents");
  if (!docs.is_array() || docs.empty()) bad_request("documents", "'documents' must be a non-empty array");
  if (docs.size() > kMaxBatch) bad_request("documents", "'documents' has {} entries; at most {}", docs.size(), kMaxBatch);
  for (size_t i = 0; i < docs.size(); ++i) {
    if (docs[i].is_string()) {
      documents.push_back(docs[i].get<std::string>());
      continue;
    }
    JsonObject d(docs[i], json_path("documents", i));
    d.only_keys({"text"});
    documents.push_back(d.string("text"));
  }
  const size_t top_n = o.count("top_n", 1, kMaxBatch).value_or(documents.size());
  const bool return_documents = o.boolean("return_documents").value_or(false);

  const auto graph = ctx.live->current();
  const Reranker* reranker = graph->knowledge_base().reranker();
  if (!reranker) not_configured("reranker", "reranker",
                                "e.g. `ragrt models pull Xenova/ms-marco-MiniLM-L-6-v2`, then `reranker: {model: "
                                "PATH_IT_PRINTED}`, or `reranker: {type: tei, base_url: …}` for a remote one");
  AdmissionGate::Slot slot = admit(ctx);
  const std::vector<float> scores = reranker->score(query, documents);
  slot.release();
  std::vector<size_t> order(documents.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return scores[a] > scores[b]; });
  json results = json::array();
  for (size_t i = 0; i < std::min(top_n, order.size()); ++i) {
    json r = {{"index", order[i]}, {"relevance_score", scores[order[i]]}};
    if (return_documents) r["document"] = {{"text", documents[order[i]]}};
    results.push_back(std::move(r));
  }
  reply_json(res, 200, {{"model", model}, {"results", results}});
}

void handle_retrieve(ServerContext& ctx, const httplib::Request& req, httplib::Response& res) {
  const json body = parse_json_body(req.body);
  JsonObject o(body, "");
  o.only_keys({"query", "top_k", "retriever"});
  SearchRequest search;
  search.query = o.string("query");
  search.k = o.count("top_k", 1, 1000).value_or(10);
  const std::string retriever = o.optional_string("retriever").value_or("");

  const auto graph = ctx.live->current();
  const KnowledgeBase& kb = graph->knowledge_base();
  const std::vector<std::string> names = kb.retriever_names();
  if (!retriever.empty() && std::find(names.begin(), names.end(), retriever) == names.end())
    bad_request("retriever", "no retriever '{}' in this config ({})", retriever, fmt::join(names, ", "));
  AdmissionGate::Slot slot = admit(ctx);
  const std::vector<SearchResult> found = kb.search(search, retriever);
  slot.release();
  json hits = json::array();
  for (const auto& r : found) {
    const Chunk& c = r.chunk.chunk;
    hits.push_back({{"chunk_id", r.chunk.id},
                    {"doc_id", c.doc_id},
                    {"text", c.text},
                    {"source", r.chunk.source},
                    {"title", r.chunk.title},
                    {"section", c.section},
                    {"page", c.page > 0 ? json(c.page) : json(nullptr)},
                    {"begin", c.begin},
                    {"end", c.end},
                    {"score", r.hit.score},
                    {"stages", r.hit.stages},
                    {"regions", ingest::regions_to_json(c.regions)}});
  }
  reply_json(res, 200, {{"object", "list"},
                        {"retriever", retriever.empty() ? kb.config().default_retriever : retriever},
                        {"hits", hits}});
}

}  // namespace ragrt::server
