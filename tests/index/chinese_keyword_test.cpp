// Why the keyword index turns CJK runs into bigrams: on a small Chinese FAQ set (tests/data/zh_faq),
// FTS5's unicode61 tokenizer treats each run of Chinese characters as a single token, so a
// question phrased differently from the passage matches nothing; the trigram tokenizer needs
// three shared characters in a row and misses the many two-character words; bigrams match them.
#include <filesystem>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "index/keyword_text.h"
#include "index/sqlite_db.h"
#include "index/sqlite_store.h"
#include "ragrt/beir.h"

namespace ragrt::index {
namespace {

namespace fs = std::filesystem;

struct SchemeScore {
  double mrr_at_10 = 0;
  size_t found_at_1 = 0;
};

// The CJK character n-grams of `query`, OR-ed as FTS5 phrases (how a trigram index must be queried
// for a question that is not a substring of the passage).
std::string ngram_expression(const std::string& query, size_t n) {
  std::vector<std::string> chars;
  for (size_t i = 0; i < query.size();) {
    size_t len = (static_cast<unsigned char>(query[i]) >= 0xF0) ? 4 : (static_cast<unsigned char>(query[i]) >= 0xE0) ? 3 : (static_cast<unsigned char>(query[i]) >= 0xC0) ? 2 : 1;
    chars.push_back(query.substr(i, len));
    i += len;
  }
  std::string out;
  for (size_t i = 0; i + n <= chars.size(); ++i) {
    std::string gram;
    for (size_t k = i; k < i + n; ++k) gram += chars[k];
    if (gram.find("，") != std::string::npos) continue;
    if (!out.empty()) out += " OR ";
    out += "\"" + gram + "\"";
  }
  return out;
}

class ChineseKeywordTest : public ::testing::Test {
 protected:
  void SetUp() override {
    data_ = load_beir(fs::path(RAGRT_SOURCE_DIR) / "tests/data/zh_faq");
    dir_ = fs::path(RAGRT_TEST_WORK_DIR) / "chinese_keyword";
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }

  // Indexes the corpus into a bare FTS5 table with `tokenizer` and scores `expression(query)`.
  SchemeScore raw_fts5(const std::string& tokenizer, const std::function<std::string(const std::string&)>& expression) {
    SqliteDb db(dir_ / (tokenizer.substr(0, 7) + ".sqlite"), true);
    db.exec(fmt::format("CREATE VIRTUAL TABLE t USING fts5(doc_id UNINDEXED, body, tokenize='{}')", tokenizer));
    for (const auto& d : data_.corpus) {
      auto st = db.prepare("INSERT INTO t(doc_id, body) VALUES(?, ?)");
      st.bind(1, d.id).bind(2, d.title + "\n" + d.text).run();
    }
    return score([&](const std::string& q) {
      std::vector<std::string> ranked;
      const std::string match = expression(q);
      if (match.empty()) return ranked;
      auto st = db.prepare("SELECT doc_id FROM t WHERE t MATCH ? ORDER BY bm25(t) LIMIT 10");
      st.bind(1, match);
      while (st.step()) ranked.push_back(st.column_text(0));
      return ranked;
    });
  }

  SchemeScore bigram_store() {
    SqliteStore store(dir_ / "bigram.sqlite", true);
    store.begin();
    for (const auto& d : data_.corpus) {
      Document doc;
      doc.id = d.id;
      doc.title = d.title;
      doc.text = d.text;
      Chunk c;
      c.doc_id = d.id;
      c.end = d.text.size();
      c.text = d.text;
      store.put_document(doc, "", {c}, {});
    }
    store.commit();
    return score([&](const std::string& q) {
      std::vector<int64_t> ids;
      for (const auto& h : store.keyword_search(q, 10, {})) ids.push_back(h.id);
      std::vector<std::string> ranked;
      for (const auto& c : store.chunks(ids)) ranked.push_back(c.chunk.doc_id);
      return ranked;
    });
  }

  SchemeScore score(const std::function<std::vector<std::string>(const std::string&)>& search) {
    SchemeScore s;
    const auto judged = data_.judged_queries();
    for (const auto& qid : judged) {
      auto ranked = search(data_.queries.at(qid));
      s.mrr_at_10 += mrr_at(ranked, data_.qrels.at(qid), 10);
      if (!ranked.empty() && data_.qrels.at(qid).count(ranked[0])) ++s.found_at_1;
    }
    s.mrr_at_10 /= static_cast<double>(judged.size());
    return s;
  }

  BeirDataset data_;
  fs::path dir_;
};

TEST_F(ChineseKeywordTest, BigramsFindWhatUnicode61AndTrigramsMiss) {
  const SchemeScore unicode61 = raw_fts5("unicode61", [](const std::string& q) { return fts5_match_expression(keyword_query_terms(q)); });
  const SchemeScore trigram = raw_fts5("trigram", [](const std::string& q) { return ngram_expression(q, 3); });
  const SchemeScore bigram = bigram_store();
  const size_t n = data_.judged_queries().size();
  std::printf("zh_faq (%zu queries) MRR@10 / top-1: unicode61 %.3f %zu, trigram %.3f %zu, cjk bigrams %.3f %zu\n", n,
              unicode61.mrr_at_10, unicode61.found_at_1, trigram.mrr_at_10, trigram.found_at_1, bigram.mrr_at_10,
              bigram.found_at_1);
  EXPECT_LT(unicode61.mrr_at_10, 0.2);
  EXPECT_GE(bigram.mrr_at_10, 0.8);
  EXPECT_GT(bigram.mrr_at_10, trigram.mrr_at_10 + 0.2);
}

}  // namespace
}  // namespace ragrt::index
