#include "eval/beir_eval.h"

#include <algorithm>
#include <chrono>
#include <unordered_map>
#include <unordered_set>

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

void index_corpus(const BeirDataset& data, const std::string& source, ChunkStore& store) {
  store.begin();
  try {
    for (const BeirDocument& d : data.corpus) {
      Document doc;
      doc.id = d.id;
      doc.source = source;
      doc.title = d.title;
      doc.text = d.text;
      doc.metadata["format"] = "beir";
      Chunk c;
      c.doc_id = d.id;
      c.end = d.text.size();
      c.text = d.text;
      store.put_document(doc, "", {c}, {});
    }
  } catch (...) {
    store.rollback();
    throw;
  }
  store.commit();
}

RetrieverScores evaluate(const BeirDataset& data, const Retriever& retriever, const ChunkStore& store) {
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
    for (const StoredChunk& c : store.chunks(missing)) doc_of[c.id] = c.chunk.doc_id;
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
