#include "ragrt/beir.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "ragrt/error.h"

namespace ragrt {

namespace {

std::ifstream open_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) RAGRT_THROW_KIND(ErrorKind::kNotFound, "cannot open {} (a BEIR folder holds corpus.jsonl, queries.jsonl and qrels/test.tsv)", p.string());
  return in;
}

std::string string_field(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return {};
  return it->is_string() ? it->get<std::string>() : it->dump();
}

template <typename Fn>
void for_each_json_line(const std::filesystem::path& p, Fn&& fn) {
  std::ifstream in = open_file(p);
  std::string line;
  size_t n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (!j.is_object()) RAGRT_THROW_KIND(ErrorKind::kInvalidArgument, "{} line {}: not a JSON object", p.string(), n);
    if (string_field(j, "_id").empty())
      RAGRT_THROW_KIND(ErrorKind::kInvalidArgument, "{} line {}: \"_id\" is missing", p.string(), n);
    fn(j);
  }
}

}  // namespace

std::vector<std::string> BeirDataset::judged_queries() const {
  std::vector<std::string> out;
  for (const auto& [qid, grades] : qrels) {
    if (!queries.count(qid)) continue;
    if (std::any_of(grades.begin(), grades.end(), [](const auto& g) { return g.second > 0; })) out.push_back(qid);
  }
  return out;
}

BeirDataset load_beir(const std::filesystem::path& dir) {
  BeirDataset ds;
  for_each_json_line(dir / "corpus.jsonl", [&](const nlohmann::json& j) {
    ds.corpus.push_back({string_field(j, "_id"), string_field(j, "title"), string_field(j, "text")});
  });
  for_each_json_line(dir / "queries.jsonl",
                     [&](const nlohmann::json& j) { ds.queries[string_field(j, "_id")] = string_field(j, "text"); });
  const auto qrels = dir / "qrels" / "test.tsv";
  std::ifstream in = open_file(qrels);
  std::string line;
  size_t n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    std::istringstream fields(line);
    std::string qid, did, grade;
    std::getline(fields, qid, '\t');
    std::getline(fields, did, '\t');
    std::getline(fields, grade, '\t');
    if (n == 1 && (qid == "query-id" || grade == "score")) continue;  // header
    try {
      size_t used = 0;
      int g = std::stoi(grade, &used);
      if (used != grade.size() || qid.empty() || did.empty()) throw std::invalid_argument("format");
      ds.qrels[qid][did] = g;
    } catch (const std::exception&) {
      RAGRT_THROW_KIND(ErrorKind::kInvalidArgument,
                       "{} line {}: expected query-id<TAB>corpus-id<TAB>integer score, got \"{}\"", qrels.string(), n,
                       line.substr(0, 120));
    }
  }
  return ds;
}

double ndcg_at(const std::vector<std::string>& ranked, const std::map<std::string, int>& grades, size_t k) {
  auto gain = [](int g) { return g > 0 ? std::exp2(static_cast<double>(g)) - 1.0 : 0.0; };
  double dcg = 0;
  for (size_t i = 0; i < ranked.size() && i < k; ++i) {
    auto it = grades.find(ranked[i]);
    if (it != grades.end()) dcg += gain(it->second) / std::log2(static_cast<double>(i) + 2.0);
  }
  std::vector<int> ideal;
  for (const auto& [doc, g] : grades)
    if (g > 0) ideal.push_back(g);
  std::sort(ideal.rbegin(), ideal.rend());
  double idcg = 0;
  for (size_t i = 0; i < ideal.size() && i < k; ++i) idcg += gain(ideal[i]) / std::log2(static_cast<double>(i) + 2.0);
  return idcg > 0 ? dcg / idcg : 0.0;
}

double recall_at(const std::vector<std::string>& ranked, const std::map<std::string, int>& grades, size_t k) {
  size_t relevant = 0, found = 0;
  for (const auto& [doc, g] : grades) relevant += g > 0;
  if (relevant == 0) return 0.0;
  for (size_t i = 0; i < ranked.size() && i < k; ++i) {
    auto it = grades.find(ranked[i]);
    found += it != grades.end() && it->second > 0;
  }
  return static_cast<double>(found) / static_cast<double>(relevant);
}

double mrr_at(const std::vector<std::string>& ranked, const std::map<std::string, int>& grades, size_t k) {
  for (size_t i = 0; i < ranked.size() && i < k; ++i) {
    auto it = grades.find(ranked[i]);
    if (it != grades.end() && it->second > 0) return 1.0 / static_cast<double>(i + 1);
  }
  return 0.0;
}

}  // namespace ragrt
