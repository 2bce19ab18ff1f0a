// OCR with the real PaddleOCR v4 models (fetched by scripts/setup.sh) on pages rendered from known
// text: accuracy (character error rate at most 5 %), reading order, rotation, and bad input.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <memory>

#include <nlohmann/json.hpp>

#include "ocr/ocr_test_pages.h"
#include "ragrt/error.h"
#include "ragrt/ocr.h"
#include "test_helpers.h"

namespace ragrt::ocr::test {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

constexpr double kMaxCer = 0.05;

class OcrEngineTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ASSERT_TRUE(fs::exists(default_ocr_model_dir() / "ch_PP-OCRv4_det_infer.onnx"))
        << "the OCR models are missing from " << default_ocr_model_dir() << ": run scripts/setup.sh";
    engine_ = std::make_unique<OcrEngine>(OcrParams{});
  }
  static void TearDownTestSuite() { engine_.reset(); }

  void SetUp() override {
    dir_ = fs::path(RAGRT_TEST_WORK_DIR) / "ocr" / ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }

  OcrPage read_one(const fs::path& file) const {
    auto pages = engine_->read_file(file);
    EXPECT_EQ(pages.size(), 1u);
    return pages.empty() ? OcrPage{} : pages[0];
  }

  static std::unique_ptr<OcrEngine> engine_;
  fs::path dir_;
};
std::unique_ptr<OcrEngine> OcrEngineTest::engine_;

const std::vector<std::pair<std::string, bool>> kMixedText = {
    {"Where is my order #12345? It shipped on 2026-11-20.", false},
    {"Refunds are issued within 14 days of the return.", false},
    {"退款将在收到退货后十四天内办理。", true},
    {"订单号 #67890 已发货，预计三天内送达。", true},
    {"Total: 1,299.00 USD (3 items), invoice INV-20931", false},
};

TEST_F(OcrEngineTest, ReadsEnglishChineseMixedAndNumbersAtSmallAndLargeSizes) {
  for (int size : {16, 40}) {
    const int spacing = size * 2;
    const auto lines = stacked(kMixedText, size + 20, spacing);
    const fs::path png = dir_ / ("page_" + std::to_string(size) + ".png");
    render_page(png, size * 36, spacing * 6, size, lines);
    const OcrPage page = read_one(png);
    const std::string text = page.text();
    EXPECT_LE(character_error_rate(text, joined(lines)), kMaxCer) << "size " << size << ":\n" << text;
    EXPECT_THAT(text, HasSubstr("#12345")) << "size " << size;
    // English words keep their spaces, or BM25 would index whole lines as one word.
    EXPECT_THAT(text, HasSubstr("Refunds are issued")) << "size " << size;
    ASSERT_EQ(page.lines.size(), kMixedText.size()) << text;
    for (size_t i = 0; i + 1 < page.lines.size(); ++i) {
      EXPECT_LT(page.lines[i].box[0].y, page.lines[i + 1].box[0].y) << "lines in reading order";
    }
    for (const auto& l : page.lines) {
      EXPECT_GT(l.confidence, 0.5f) << l.text;
      EXPECT_FALSE(l.low_confidence) << l.text;
      for (const auto& p : l.box) {
        EXPECT_GE(p.x, 0);
        EXPECT_LE(p.x, page.width);
        EXPECT_GE(p.y, 0);
        EXPECT_LE(p.y, page.height);
      }
    }
  }
}

TEST_F(OcrEngineTest, ReadsSlightlyRotatedText) {
  const auto lines = stacked(kMixedText, 50, 60);
  const fs::path png = dir_ / "rotated.png";
  render_page(png, 900, 360, 24, lines, "-background white -rotate 2");
  const std::string text = read_one(png).text();
  EXPECT_LE(character_error_rate(text, joined(lines)), kMaxCer) << text;
}

TEST_F(OcrEngineTest, ReadsAPageScannedUpsideDown) {
  const auto lines = stacked(kMixedText, 50, 60);
  const fs::path png = dir_ / "upside_down.png";
  render_page(png, 900, 360, 24, lines, "-rotate 180");
  const OcrPage page = read_one(png);
  // The direction classifier turns the lines; their order is bottom-up since the page is.
  std::string text;
  for (auto it = page.lines.rbegin(); it != page.lines.rend(); ++it) text += it->text + "\n";
  EXPECT_LE(character_error_rate(text, joined(lines)), kMaxCer) << text;
}

TEST_F(OcrEngineTest, ReadsTwoColumnsOneAfterTheOther) {
  // A title across the page, then two columns whose rows line up: a reader finishes the left
  // column before starting the right one.
  std::vector<PageLine> lines = {{"Customer Service Handbook", 40, 50}};
  const std::vector<std::string> left = {"Returns are accepted for", "thirty days after delivery",
                                         "when the item is unused."};
  const std::vector<std::string> right = {"Exchanges are free of charge", "and ship within two days",
                                          "of receiving the item."};
  for (size_t i = 0; i < left.size(); ++i) {
    lines.push_back({left[i], 40, 130 + static_cast<int>(i) * 40});
    lines.push_back({right[i], 560, 130 + static_cast<int>(i) * 40});
  }
  const fs::path png = dir_ / "columns.png";
  render_page(png, 1040, 280, 22, lines);
  const OcrPage page = read_one(png);
  std::string expected = "Customer Service Handbook";
  for (const auto& l : left) expected += "\n" + l;
  for (const auto& r : right) expected += "\n" + r;
  const std::string text = page.text();
  EXPECT_LE(character_error_rate(text, expected), kMaxCer) << text;
  EXPECT_LT(text.find("when the item"), text.find("Exchanges")) << text;
  ASSERT_EQ(page.lines.size(), 7u) << text;
  EXPECT_NE(page.lines[1].block, page.lines[4].block) << "the columns are separate blocks";
  EXPECT_THAT(text, HasSubstr("\n\n")) << "blocks are separated by a blank line";
}

TEST_F(OcrEngineTest, LowConfidenceLinesAreMarkedNotDropped) {
  const auto lines = stacked({{"Warranty claims need the receipt.", false}}, 40, 40);
  const fs::path png = dir_ / "low.png";
  render_page(png, 600, 70, 22, lines);
  OcrParams strict;
  strict.low_confidence = 0.9999f;  // nothing reaches it
  const OcrEngine engine(strict);
  const auto pages = engine.read_file(png);
  ASSERT_EQ(pages.size(), 1u);
  ASSERT_EQ(pages[0].lines.size(), 1u);
  EXPECT_TRUE(pages[0].lines[0].low_confidence);
  EXPECT_THAT(pages[0].text(), HasSubstr("receipt"));
}

TEST_F(OcrEngineTest, HugeImagesAreScaledDownToTheMaximumSide) {
  const auto lines = stacked({{"Order #24680 was delivered to the front desk.", false}}, 200, 0);
  const fs::path png = dir_ / "huge.png";
  render_page(png, 5200, 320, 150, lines);
  OcrParams bounded;
  bounded.max_image_side = 2000;
  const OcrEngine engine(bounded);
  const auto pages = engine.read_file(png);
  ASSERT_EQ(pages.size(), 1u);
  EXPECT_LE(std::max(pages[0].width, pages[0].height), 2000);
  EXPECT_EQ(pages[0].source_width, 2000) << "read_images scaled it before recognize saw it";
  EXPECT_LE(character_error_rate(pages[0].text(), joined(lines)), kMaxCer) << pages[0].text();
}

TEST_F(OcrEngineTest, CorruptEmptyAndImpossibleImagesGiveClearErrors) {
  const fs::path garbage = dir_ / "garbage.png";
  std::ofstream(garbage) << "this is not a picture at all";
  EXPECT_THAT(ragrt::testing::error_of([&] { engine_->read_file(garbage); }, ErrorKind::kInvalidArgument),
              HasSubstr("garbage.png: not a readable image"));

  const fs::path empty = dir_ / "empty.jpg";
  std::ofstream(empty).flush();
  EXPECT_THAT(ragrt::testing::error_of([&] { engine_->read_file(empty); }, ErrorKind::kInvalidArgument),
              HasSubstr("empty.jpg: the file is empty"));

  // A real picture cut short, as an interrupted upload leaves it.
  const fs::path whole = dir_ / "whole.png";
  render_page(whole, 400, 80, 20, stacked({{"cut short", false}}, 40, 0));
  const std::string bytes = ragrt::testing::read_file(whole);
  const fs::path cut = dir_ / "cut.png";
  std::ofstream(cut, std::ios::binary) << bytes.substr(0, bytes.size() / 3);
  try {
    const auto pages = engine_->read_file(cut);  // libpng may give back what it could decode
    EXPECT_LE(pages.size(), 1u);
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("cut.png"));
  }

  // A header that claims 100000 x 100000 pixels is refused before anything is decoded.
  std::string png = bytes.substr(0, 33);
  auto put_be32 = [&](size_t at, uint32_t v) {
    for (int i = 0; i < 4; ++i) png[at + i] = static_cast<char>((v >> (24 - 8 * i)) & 0xFF);
  };
  put_be32(16, 100000);
  put_be32(20, 100000);
  const fs::path giant = dir_ / "giant.png";
  std::ofstream(giant, std::ios::binary) << png;
  EXPECT_THAT(ragrt::testing::error_of([&] { engine_->read_file(giant); }, ErrorKind::kInvalidArgument),
              HasSubstr("100000x100000 pixels, more than"));

  const fs::path zero = dir_ / "zero.png";
  put_be32(16, 0);
  std::ofstream(zero, std::ios::binary) << png;
  EXPECT_THAT(ragrt::testing::error_of([&] { engine_->read_file(zero); }, ErrorKind::kInvalidArgument),
              HasSubstr("nothing to read"));

  EXPECT_THAT(ragrt::testing::error_of([&] { engine_->read_file(dir_ / "notes.docx"); }, ErrorKind::kInvalidArgument),
              HasSubstr("OCR reads .pdf, .png"));
}

TEST_F(OcrEngineTest, ReadsEveryPageOfAScannedPdfWithProgress) {
  const fs::path png = dir_ / "page.png";
  render_page(png, 500, 90, 24, stacked({{"Invoice #31337 paid in full.", false}}, 50, 0));
  const fs::path pdf = dir_ / "scan.pdf";
  scanned_pdf(pdf, png, 3);
  std::vector<std::pair<int, int>> progress;
  const auto pages = engine_->read_file(pdf, [&](int done, int total) { progress.emplace_back(done, total); });
  ASSERT_EQ(pages.size(), 3u);
  EXPECT_EQ(progress, (std::vector<std::pair<int, int>>{{1, 3}, {2, 3}, {3, 3}}));
  for (const auto& p : pages) EXPECT_LE(character_error_rate(p.text(), "Invoice #31337 paid in full."), kMaxCer) << p.text();
  EXPECT_EQ(pages[2].number, 3);
}

TEST_F(OcrEngineTest, ReadsEveryFrameOfAMultiPageTiff) {
  render_page(dir_ / "a.png", 500, 80, 24, stacked({{"First page of the fax", false}}, 50, 0));
  render_page(dir_ / "b.png", 500, 80, 24, stacked({{"Second page: order #55501", false}}, 50, 0));
  const fs::path tiff = dir_ / "fax.tiff";
  const std::string cmd = "convert " + ragrt::testing::shell_quote((dir_ / "a.png").string()) + " " +
                          ragrt::testing::shell_quote((dir_ / "b.png").string()) + " " +
                          ragrt::testing::shell_quote(tiff.string());
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  const auto pages = engine_->read_file(tiff);
  ASSERT_EQ(pages.size(), 2u);
  EXPECT_EQ(pages[1].number, 2);
  EXPECT_LE(character_error_rate(pages[0].text(), "First page of the fax"), kMaxCer) << pages[0].text();
  EXPECT_LE(character_error_rate(pages[1].text(), "Second page: order #55501"), kMaxCer) << pages[1].text();
}

TEST_F(OcrEngineTest, MissingModelsNameTheFileAndTheFix) {
  OcrParams p;
  p.model_dir = dir_ / "no-models";
  EXPECT_THAT(ragrt::testing::error_of([&] { OcrEngine e(p); }, ErrorKind::kNotFound),
              HasSubstr("no-models/ch_PP-OCRv4_det_infer.onnx: the OCR detection model is missing; run scripts/setup.sh"));
}

TEST_F(OcrEngineTest, TheCliPrintsLinesAndJson) {
  const auto lines = stacked({{"Where is my order #12345?", false}, {"订单已发货", true}}, 40, 50);
  const fs::path png = dir_ / "cli.png";
  render_page(png, 600, 120, 24, lines);
  const auto json = ragrt::testing::run_cli("ocr --json " + ragrt::testing::shell_quote(png.string()));
  ASSERT_EQ(json.status, 0) << json.out;
  const auto j = nlohmann::json::parse(json.out);
  const auto& page = j["files"][0]["pages"][0];
  EXPECT_EQ(page["page"], 1);
  ASSERT_EQ(page["lines"].size(), 2u) << json.out;
  EXPECT_EQ(page["lines"][0]["text"], "Where is my order #12345?");
  EXPECT_EQ(page["lines"][0]["box"].size(), 4u);
  EXPECT_LE(character_error_rate(page["text"].get<std::string>(), joined(lines)), kMaxCer);

  const auto plain = ragrt::testing::run_cli(ragrt::testing::shell_quote(std::string("ocr")) + " " +
                                             ragrt::testing::shell_quote(png.string()));
  EXPECT_EQ(plain.status, 0);
  EXPECT_THAT(plain.out, HasSubstr("] Where is my order #12345?"));

  const fs::path bad = dir_ / "bad.png";
  std::ofstream(bad) << "no";
  const auto failed = ragrt::testing::run_cli("ocr " + ragrt::testing::shell_quote(bad.string()), true);
  EXPECT_NE(failed.status, 0);
  EXPECT_THAT(failed.out, HasSubstr("bad.png: not a readable image"));
}

}  // namespace
}  // namespace ragrt::ocr::test
