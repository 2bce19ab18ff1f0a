#include "eval/beir_eval.h"

#include <algorithm>
#include <chrono>
#include <unordered_map>
#include <unordered_set>

#include "ragrt/error.h"
#include "ragrt/knowledge_base.h"

namespace ragrt::eval {

namespace {
double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  double pos = p * static_cast<double>(v.size() - 1);
  size_t lo = static_cast<size_t>(pos);
  size_t hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (v[hi] - v[lo]) * (pos - static_cast<double>(lo));
}
}  // namespace

BeirRun run_beir(const BeirDataset& data, const std::filesystem::path& dir, RagConfig config,
                 const std::filesystem::path& work_folder, const std::vector<std::string>& retrievers) {
  config.collection = work_folder;
  config.ingest = LoaderOptions{};
  config.ingest.text_fields = {"text"};
  config.ingest.id_field = "_id";
  config.ingest.title_field = "title";
  auto kb = KnowledgeBase::open(config, /*writer=*/true);
  BeirRun run;
  IndexOptions options;
  options.on_failure = [](const IndexFailure& f) {
    RAGRT_THROW_KIND(ErrorKind::kInvalidArgument, "{}: {}", f.file.string(), f.reason);
  };
  run.indexing = index_paths(*kb, {dir / "corpus.jsonl"}, options).totals;
  const std::vector<std::string> names = retrievers.empty() ? kb->retriever_names() : retrievers;
  for (const std::string& name : names) run.scores.push_back(evaluate(data, kb->retriever(name), kb->collection().store(), "corpus.jsonl#"));
  return run;
}

RetrieverScores evaluate(const BeirDataset& data, const Retriever& retriever, const ChunkStore& store,
                         const std::string& doc_prefix) {
  RetrieverScores out;
  out.retriever = retriever.name();
  std::vector<double> latencies;
  std::unordered_map<int64_t, std::string> doc_of;
  for (const std::string& qid : data.judged_queries()) {
    SearchRequest req;
    req.query = data.queries.at(qid);
    req.k = 100;
    auto t0 = std::chrono::steady_clock::now();
    std::vector<Hit> hits = retriever.search(req);
    latencies.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());

    std::vector<int64_t> missing;
    for (const Hit& h : hits)
      if (!doc_of.count(h.chunk_id)) missing.push_back(h.chunk_id);
    for (const StoredChunk& c : store.chunks(missing)) {
      const std::string& id = c.chunk.doc_id;
      doc_of[c.id] = id.starts_with(doc_prefix) ? id.substr(doc_prefix.size()) : id;
    }
    std::vector<std::string> ranked;
    std::unordered_set<std::string> seen;
    for (const Hit& h : hits) {
      auto it = doc_of.find(h.chunk_id);
      if (it != doc_of.end() && seen.insert(it->second).second) ranked.push_back(it->second);
    }
    const auto& grades = data.qrels.at(qid);
    out.ndcg_at_10 += ndcg_at(ranked, grades, 10);
    out.recall_at_100 += recall_at(ranked, grades, 100);
    out.mrr_at_10 += mrr_at(ranked, grades, 10);
    ++out.queries;
  }
  if (out.queries) {
    double n = static_cast<double>(out.queries);
    out.ndcg_at_10 /= n;
    out.recall_at_100 /= n;
    out.mrr_at_10 /= n;
  }
  out.p50_ms = percentile(latencies, 0.5);
  out.p95_ms = percentile(latencies, 0.95);
  return out;
}

}  // namespace ragrt::eval
