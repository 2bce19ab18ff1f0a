// Scans in a collection: a scanned PDF and an image are read with OCR by `index_paths`, found by
// BM25, and their chunks say where on the page their lines are; OCR off refuses images; a PDF of
// many pages is read page by page; a collection from before OCR keeps what it holds.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sqlite3.h>

#include <fstream>

#include "ingest/pdf_loader.h"
#include "ocr/ocr_test_pages.h"
#include "ragrt/indexer.h"
#include "ragrt/knowledge_base.h"
#include "ragrt/model_cache.h"
#include "ragrt/ocr.h"
#include "ragrt/rag_config.h"
#include "test_helpers.h"

namespace ragrt::ocr::test {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class OcrIngestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(RAGRT_TEST_WORK_DIR) / "ocr_ingest" / ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "docs");
  }

  RagConfig config(const std::string& extra = "") const {
    std::ofstream(dir_ / "ragrt.yaml") << "collection: index\nretrievers:\n  bm25: {type: bm25}\n" << extra;
    return RagConfig::load(dir_ / "ragrt.yaml");
  }

  fs::path dir_;
};

TEST_F(OcrIngestTest, AScannedPdfAndAnImageAreFoundByBm25WithTheirRegions) {
  const fs::path page = dir_ / "page.png";
  render_page(page, 1000, 260, 26,
              stacked({{"Damaged parcels must be reported", false}, {"within 48 hours of delivery.", false},
                       {"破损包裹须在签收后四十八小时内报告。", true}},
                      60, 70));
  scanned_pdf(dir_ / "docs" / "claims.pdf", page);
  render_page(dir_ / "docs" / "notice.png", 800, 100, 26,
              stacked({{"The warehouse closes at noon on Saturdays.", false}}, 60, 0));
  std::ofstream(dir_ / "docs" / "faq.md") << "# FAQ\n\nShipping takes three to five days.\n";

  auto kb = KnowledgeBase::open(config(), /*writer=*/true);
  std::vector<std::string> seen;
  IndexOptions options;
  options.on_progress = [&](const IndexProgress& p) { seen.push_back(p.current); };
  const IndexReport report = index_paths(*kb, {dir_ / "docs"}, options);
  ASSERT_TRUE(report.failures.empty()) << report.failures[0].file << ": " << report.failures[0].reason;
  EXPECT_EQ(report.totals.files_indexed, 3u);
  EXPECT_NE(std::find(seen.begin(), seen.end(), "claims.pdf (page 1/1)"), seen.end()) << "progress names the page";

  const auto hits = kb->search({"damaged parcels reported within 48 hours", 3}, "bm25");
  ASSERT_FALSE(hits.empty());
  const Chunk& c = hits[0].chunk.chunk;
  EXPECT_EQ(c.doc_id, "claims.pdf");
  EXPECT_EQ(c.page, 1);
  EXPECT_THAT(c.text, HasSubstr("Damaged parcels must be reported"));
  ASSERT_EQ(c.regions.size(), 3u) << c.text;
  for (const TextRegion& r : c.regions) {
    EXPECT_EQ(r.page, 1);
    EXPECT_LT(r.x0, r.x1);
    EXPECT_LT(r.y0, r.y1);
    EXPECT_GE(r.x0, 0.0f);
    EXPECT_LE(r.y1, 1.0f);
    EXPECT_GT(r.confidence, 0.5f);
  }
  EXPECT_LT(c.regions[0].y1, c.regions[1].y0 + 0.01f) << "lines top to bottom";
  EXPECT_EQ(c.text.substr(c.regions[0].begin - c.begin, c.regions[0].end - c.regions[0].begin),
            "Damaged parcels must be reported");

  const auto zh = kb->search({"破损包裹", 3}, "bm25");
  ASSERT_FALSE(zh.empty());
  EXPECT_EQ(zh[0].chunk.chunk.doc_id, "claims.pdf");

  const auto image_hits = kb->search({"warehouse closes saturdays", 3}, "bm25");
  ASSERT_FALSE(image_hits.empty());
  EXPECT_EQ(image_hits[0].chunk.chunk.doc_id, "notice.png");
  EXPECT_EQ(image_hits[0].chunk.chunk.regions.size(), 1u);

  const auto md = kb->search({"shipping takes three", 3}, "bm25");
  ASSERT_FALSE(md.empty());
  EXPECT_TRUE(md[0].chunk.chunk.regions.empty()) << "text formats have no regions";
}

TEST_F(OcrIngestTest, WithOcrOffImagesAreRefusedAndTextStaysIndexed) {
  render_page(dir_ / "docs" / "notice.png", 600, 80, 24, stacked({{"Closed on Sundays.", false}}, 50, 0));
  std::ofstream(dir_ / "docs" / "faq.md") << "# FAQ\n\nOpen on weekdays.\n";
  auto kb = KnowledgeBase::open(config("ocr: {enabled: false}\n"), /*writer=*/true);
  const IndexReport report = index_paths(*kb, {dir_ / "docs"});
  ASSERT_EQ(report.failures.size(), 1u);
  EXPECT_THAT(report.failures[0].reason, HasSubstr("notice.png: images are read with OCR, which this config turns off"));
  EXPECT_EQ(report.totals.files_indexed, 1u);
}

TEST_F(OcrIngestTest, APdfOfManyPagesIsReadPageByPage) {
  const fs::path page = dir_ / "page.png";
  render_page(page, 240, 60, 20, stacked({{"Page", false}}, 38, 0));
  const fs::path pdf = dir_ / "docs" / "long.pdf";
  scanned_pdf(pdf, page, 120);
  LoaderOptions options;
  options.ocr = [engine = std::make_shared<OcrEngine>(OcrParams{})]() -> const OcrEngine& { return *engine; };
  int calls = 0, last = 0;
  options.on_page = [&](int done, int total) {
    ++calls;
    last = done;
    EXPECT_EQ(total, 120);
  };
  const auto docs = ingest::PdfLoader().load(pdf, "long.pdf", options);
  ASSERT_EQ(docs.size(), 1u);
  EXPECT_EQ(calls, 120);
  EXPECT_EQ(last, 120);
  ASSERT_EQ(docs[0].pages.size(), 120u);
  EXPECT_EQ(docs[0].regions.size(), 120u) << docs[0].text.substr(0, 200);
  EXPECT_EQ(docs[0].regions.back().page, 120);
  EXPECT_EQ(docs[0].metadata.at("ocr_pages"), "120");
}

TEST_F(OcrIngestTest, ACollectionFromBeforeOcrKeepsItsChunks) {
  std::ofstream(dir_ / "docs" / "faq.md") << "# FAQ\n\nReturns are free within thirty days.\n";
  {
    auto kb = KnowledgeBase::open(config(), /*writer=*/true);
    ASSERT_TRUE(index_paths(*kb, {dir_ / "docs"}).failures.empty());
  }
  // Turn the file back into schema version 1, which had no regions column.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir_ / "index" / "collection.sqlite").c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db,
                         "ALTER TABLE chunks DROP COLUMN regions; UPDATE meta SET value = '1' WHERE key = "
                         "'schema_version';",
                         nullptr, nullptr, nullptr),
            SQLITE_OK)
      << sqlite3_errmsg(db);
  sqlite3_close(db);

  auto kb = KnowledgeBase::open(config(), /*writer=*/false);
  const auto hits = kb->search({"returns free thirty days", 3}, "bm25");
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].chunk.chunk.doc_id, "faq.md");
  EXPECT_EQ(kb->collection().store().meta("schema_version"), std::optional<std::string>("2"));
}

}  // namespace
}  // namespace ragrt::ocr::test
