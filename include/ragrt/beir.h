#pragma once
// BEIR-format evaluation sets (corpus.jsonl, queries.jsonl, qrels/test.tsv) and the ranking
// metrics reported for them.
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace ragrt {

struct BeirDocument {
  std::string id;
  std::string title;
  std::string text;
};

struct BeirDataset {
  std::vector<BeirDocument> corpus;
  std::map<std::string, std::string> queries;                    // id -> text
  std::map<std::string, std::map<std::string, int>> qrels;       // query id -> doc id -> grade
  // Queries that have at least one document graded above 0, in id order: the ones evaluated.
  std::vector<std::string> judged_queries() const;
};

// Reads DIR/corpus.jsonl, DIR/queries.jsonl and DIR/qrels/test.tsv; errors name file and line.
BeirDataset load_beir(const std::filesystem::path& dir);

// Metrics of one ranked list of document ids against graded judgements (grade > 0 is relevant).
double ndcg_at(const std::vector<std::string>& ranked, const std::map<std::string, int>& grades, size_t k);  // gain 2^g - 1
double recall_at(const std::vector<std::string>& ranked, const std::map<std::string, int>& grades, size_t k);
double mrr_at(const std::vector<std::string>& ranked, const std::map<std::string, int>& grades, size_t k);

}  // namespace ragrt
