#include "index/sqlite_store.h"

#include <filesystem>
#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "ragrt/error.h"

namespace ragrt::index {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(RAGRT_TEST_WORK_DIR) / "sqlite_store" /
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  fs::path db() const { return dir_ / "collection.sqlite"; }

  // One chunk per paragraph ("\n\n"-separated) of `text`.
  static std::vector<Chunk> paragraphs(const Document& doc) {
    std::vector<Chunk> out;
    size_t b = 0;
    while (b < doc.text.size()) {
      size_t e = doc.text.find("\n\n", b);
      if (e == std::string::npos) e = doc.text.size();
      Chunk c;
      c.doc_id = doc.id;
      c.index = out.size();
      c.begin = b;
      c.end = e;
      c.text = doc.text.substr(b, e - b);
      c.section = "S" + std::to_string(out.size());
      c.page = static_cast<int>(out.size()) + 1;
      c.page_end = c.page;
      c.tokens = 3;
      out.push_back(c);
      b = e + 2;
    }
    return out;
  }

  static Document doc(std::string id, std::string text, std::map<std::string, std::string> meta = {}) {
    Document d;
    d.id = std::move(id);
    d.source = "/src/" + d.id;
    d.title = "Title of " + d.id;
    d.text = std::move(text);
    d.metadata = std::move(meta);
    return d;
  }

  std::vector<int64_t> put(SqliteStore& s, const Document& d, const std::string& hash = "h") {
    s.begin();
    auto ids = s.put_document(d, hash, paragraphs(d), {});
    s.commit();
    return ids;
  }

  static std::vector<int64_t> ids_of(const std::vector<ScoredId>& hits) {
    std::vector<int64_t> out;
    for (const auto& h : hits) out.push_back(h.id);
    return out;
  }

  fs::path dir_;
};

TEST_F(SqliteStoreTest, StoresChunksWithOffsetsSectionsPagesAndDocumentFields) {
  SqliteStore s(db(), true);
  Document d = doc("faq.md", "Refunds take five days.\n\nShipping is free over 50 euros.", {{"lang", "en"}});
  auto ids = put(s, d, "abc");
  ASSERT_EQ(ids.size(), 2u);
  auto chunks = s.chunks(std::vector<int64_t>{ids[1], 999999, ids[0]});
  ASSERT_EQ(chunks.size(), 2u);
  EXPECT_EQ(chunks[0].id, ids[1]);
  EXPECT_EQ(chunks[0].chunk.text, "Shipping is free over 50 euros.");
  EXPECT_EQ(chunks[0].chunk.begin, 25u);
  EXPECT_EQ(chunks[0].chunk.end, d.text.size());
  EXPECT_EQ(chunks[0].chunk.section, "S1");
  EXPECT_EQ(chunks[0].chunk.page, 2);
  EXPECT_EQ(chunks[0].chunk.index, 1u);
  EXPECT_EQ(chunks[0].chunk.doc_id, "faq.md");
  EXPECT_EQ(chunks[0].title, "Title of faq.md");
  EXPECT_EQ(chunks[0].source, "/src/faq.md");
  EXPECT_EQ(s.document_hash("faq.md"), "abc");
  EXPECT_EQ(s.document_hash("other"), std::nullopt);
  auto docs = s.documents();
  ASSERT_EQ(docs.size(), 1u);
  EXPECT_EQ(docs[0].chunks, 2u);
  EXPECT_EQ(docs[0].metadata.at("lang"), "en");
  EXPECT_EQ(s.chunk_count(), 2u);
}

TEST_F(SqliteStoreTest, ReplacingADocumentDropsItsOldChunksAndNeverReusesIds) {
  SqliteStore s(db(), true);
  auto first = put(s, doc("a", "alpha bravo\n\ncharlie"));
  auto second = put(s, doc("a", "delta echo"), "h2");
  ASSERT_EQ(second.size(), 1u);
  EXPECT_GT(second[0], first.back());
  EXPECT_THAT(s.chunks(first), IsEmpty());
  EXPECT_THAT(s.keyword_search("alpha", 10, {}), IsEmpty());
  EXPECT_THAT(ids_of(s.keyword_search("echo", 10, {})), ElementsAre(second[0]));
  s.begin();
  EXPECT_EQ(s.remove_document("a"), second);
  s.commit();
  auto third = put(s, doc("b", "foxtrot"));
  EXPECT_GT(third[0], second[0]);  // AUTOINCREMENT: even the largest removed id is not reused
  EXPECT_THAT(s.remove_document("missing"), IsEmpty());
}

TEST_F(SqliteStoreTest, RollbackAndCrashBeforeCommitLeaveThePreviousState) {
  {
    SqliteStore s(db(), true);
    put(s, doc("kept", "committed text"));
    s.begin();
    s.put_document(doc("lost", "rolled back text"), "h", paragraphs(doc("lost", "rolled back text")), {});
    s.remove_document("kept");
    s.rollback();
    EXPECT_EQ(s.documents().size(), 1u);
    // An open transaction that is never committed (the process dies) must not survive either.
    s.begin();
    s.remove_document("kept");
  }
  SqliteStore reopened(db(), false);
  ASSERT_EQ(reopened.documents().size(), 1u);
  EXPECT_EQ(reopened.documents()[0].id, "kept");
  EXPECT_EQ(reopened.keyword_search("committed", 5, {}).size(), 1u);
}

TEST_F(SqliteStoreTest, OpeningSomethingElseFailsNamingTheFile) {
  EXPECT_THROW(SqliteStore(dir_ / "absent.sqlite", false), Error);
  {
    std::ofstream(dir_ / "junk.sqlite") << "this is not a database at all, just text that is long enough";
  }
  try {
    SqliteStore s(dir_ / "junk.sqlite", false);
    FAIL() << "opened a text file as a collection";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), ::testing::HasSubstr("junk.sqlite"));
  }
}

TEST_F(SqliteStoreTest, KeywordSearchRanksByBm25) {
  SqliteStore s(db(), true);
  auto once = put(s, doc("once", "the refund arrives by bank transfer"));
  auto twice = put(s, doc("twice", "refund refund: how a refund is paid"));
  put(s, doc("none", "shipping times for parcels"));
  auto hits = s.keyword_search("refund", 10, {});
  EXPECT_THAT(ids_of(hits), ElementsAre(twice[0], once[0]));
  EXPECT_GT(hits[0].score, hits[1].score);
  EXPECT_GT(hits[1].score, 0);
  // Porter stemming: "refunds" finds "refund".
  EXPECT_EQ(s.keyword_search("refunds", 10, {}).size(), 2u);
  EXPECT_EQ(s.keyword_search("refund", 1, {}).size(), 1u);
  EXPECT_THAT(s.keyword_search("?!", 10, {}), IsEmpty());
}

TEST_F(SqliteStoreTest, VeryCommonTermsDoNotDecideTheRanking) {
  SqliteStore s(db(), true);
  put(s, doc("d1", "the the the the the the parcel"));
  put(s, doc("d2", "the warranty covers repairs"));
  put(s, doc("d3", "the shop opens at nine"));
  // "the" is in every chunk: it is left out of the match, so only the warranty chunk matches.
  auto hits = s.keyword_search("the warranty", 10, {});
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(s.chunks(std::vector<int64_t>{hits[0].id})[0].chunk.doc_id, "d2");
  // A query made only of common terms still finds something.
  EXPECT_EQ(s.keyword_search("the", 10, {}).size(), 3u);
  // Statistics follow writes: once "the" is in only half of the chunks it counts again, and the
  // warranty chunk, matching both terms, ranks first.
  put(s, doc("d4", "boxes"));
  put(s, doc("d5", "boxes"));
  put(s, doc("d6", "boxes"));
  hits = s.keyword_search("the warranty", 10, {});
  ASSERT_EQ(hits.size(), 3u);
  EXPECT_EQ(s.chunks(std::vector<int64_t>{hits[0].id})[0].chunk.doc_id, "d2");
}

// One document (a collection just started): its words are in every chunk, and the question's
// other words in none; the match must still find it.
TEST_F(SqliteStoreTest, AOneDocumentCollectionStillMatches) {
  SqliteStore s(db(), true);
  put(s, doc("refunds", "Refunds are paid within five working days after the return arrives."));
  EXPECT_EQ(s.keyword_search("How long do refunds take?", 10, {}).size(), 1u);
}

TEST_F(SqliteStoreTest, FiltersByDocumentSectionAndMetadata) {
  SqliteStore s(db(), true);
  auto a = put(s, doc("a", "refund rules\n\nrefund steps", {{"lang", "en"}, {"team", "billing"}}));
  auto b = put(s, doc("b", "refund in other words", {{"lang", "de"}}));
  SearchFilter by_doc;
  by_doc.doc_ids = {"b"};
  EXPECT_THAT(ids_of(s.keyword_search("refund", 10, by_doc)), ElementsAre(b[0]));
  SearchFilter by_section;
  by_section.section_prefix = "S1";
  EXPECT_THAT(ids_of(s.keyword_search("refund", 10, by_section)), ElementsAre(a[1]));
  SearchFilter by_meta;
  by_meta.metadata = {{"lang", "en"}, {"team", "billing"}};
  EXPECT_EQ(s.keyword_search("refund", 10, by_meta).size(), 2u);
  by_meta.metadata["team"] = "support";
  EXPECT_THAT(s.keyword_search("refund", 10, by_meta), IsEmpty());
  std::vector<int64_t> all = {b[0], a[1], a[0]};
  SearchFilter lang_en;
  lang_en.metadata = {{"lang", "en"}};
  EXPECT_THAT(s.filter_ids(all, lang_en), ElementsAre(a[1], a[0]));
  EXPECT_THAT(s.filter_ids(all, {}), ElementsAre(b[0], a[1], a[0]));
}

TEST_F(SqliteStoreTest, ChineseIsSearchableThroughBigrams) {
  SqliteStore s(db(), true);
  auto refund = put(s, doc("zh1", "退货政策：收到商品后七天内可以申请退货。"));
  put(s, doc("zh2", "配送时间：订单通常在两天内发货。"));
  EXPECT_THAT(ids_of(s.keyword_search("如何申请退货", 10, {})), ElementsAre(refund[0]));
  EXPECT_EQ(s.keyword_search("发货", 10, {}).size(), 1u);
}

TEST_F(SqliteStoreTest, VectorsAndMetaRoundTrip) {
  SqliteStore s(db(), true);
  Document d = doc("v", "one\n\ntwo");
  s.begin();
  auto ids = s.put_document(d, "h", paragraphs(d), {{1.f, 0.f}, {0.5f, -2.f}});
  s.set_meta("embedding_dim", "2");
  s.commit();
  auto v = s.vectors(std::vector<int64_t>{ids[1]});
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].first, ids[1]);
  EXPECT_THAT(v[0].second, ElementsAre(0.5f, -2.f));
  EXPECT_EQ(s.vectors({}).size(), 2u);
  EXPECT_EQ(s.meta("embedding_dim"), "2");
  EXPECT_EQ(s.meta("nothing"), std::nullopt);
  s.begin();
  EXPECT_THROW(s.put_document(d, "h", paragraphs(d), {{1.f}}), Error);  // one vector for two chunks
  s.rollback();
}

}  // namespace
}  // namespace ragrt::index
