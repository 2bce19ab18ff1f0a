#pragma once
// Runs retrievers over a BEIR dataset indexed into a collection and scores them.
#include <filesystem>
#include <string>
#include <vector>

#include "ragrt/beir.h"
#include "ragrt/chunk_store.h"
#include "ragrt/indexer.h"
#include "ragrt/rag_config.h"
#include "ragrt/retriever.h"

namespace ragrt::eval {

struct RetrieverScores {
  std::string retriever;
  size_t queries = 0;
  double ndcg_at_10 = 0;
  double recall_at_100 = 0;
  double mrr_at_10 = 0;
  double p50_ms = 0;
  double p95_ms = 0;
};

struct BeirRun {
  IndexProgress indexing;
  std::vector<RetrieverScores> scores;  // one per retriever, in the order asked
};

// Indexes DIR/corpus.jsonl into a new collection in `work_folder` with `config`'s pipeline (its
// collection and ingest fields are replaced by the BEIR ones), then evaluates each retriever
// named (all configured ones when `retrievers` is empty).
BeirRun run_beir(const BeirDataset& data, const std::filesystem::path& dir, RagConfig config,
                 const std::filesystem::path& work_folder, const std::vector<std::string>& retrievers);

// Searches every judged query with `retriever` (k = 100); chunk hits map to their documents, the
// best chunk of a document giving its rank.
// `doc_prefix` is stripped from chunk document ids to get BEIR ids ("corpus.jsonl#").
RetrieverScores evaluate(const BeirDataset& data, const Retriever& retriever, const ChunkStore& store,
                         const std::string& doc_prefix = "");

}  // namespace ragrt::eval
