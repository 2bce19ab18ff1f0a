#pragma once
// Runs retrievers over a BEIR dataset indexed into a collection and scores them.
#include <string>
#include <vector>

#include "ragrt/beir.h"
#include "ragrt/chunk_store.h"
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

// Puts each corpus document into `store` as one document with one chunk (BEIR passages and entity
// abstracts are short), in one transaction.
void index_corpus(const BeirDataset& data, const std::string& source, ChunkStore& store);

// Searches every judged query with `retriever` (k = 100); chunk hits map to their documents, the
// best chunk of a document giving its rank.
RetrieverScores evaluate(const BeirDataset& data, const Retriever& retriever, const ChunkStore& store);

}  // namespace ragrt::eval
