// The parts of OCR that need no model: character error rate, reading order and the `ocr:` section.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "ocr/reading_order.h"
#include "ragrt/error.h"
#include "ragrt/ocr.h"
#include "ragrt/rag_config.h"
#include "test_helpers.h"

namespace ragrt::ocr::test {
namespace {

using ::testing::HasSubstr;

TEST(OcrCharacterErrorRate, CountsCodePointEditsAndIgnoresWhitespace) {
  EXPECT_DOUBLE_EQ(character_error_rate("Order #12345", "Order #12345"), 0.0);
  EXPECT_DOUBLE_EQ(character_error_rate("Order#12345", "Order #12345"), 0.0) << "spacing is not scored";
  EXPECT_DOUBLE_EQ(character_error_rate("0rder #12345", "Order #12345"), 1.0 / 11);
  EXPECT_DOUBLE_EQ(character_error_rate("退款将办理", "退款将在办理"), 1.0 / 6) << "one CJK character is one, not 3 bytes";
  EXPECT_DOUBLE_EQ(character_error_rate("", "abc"), 1.0);
  EXPECT_DOUBLE_EQ(character_error_rate("", ""), 0.0);
  EXPECT_DOUBLE_EQ(character_error_rate("abcd", "abc"), 1.0 / 3);
}

std::vector<size_t> order_of(const std::vector<cv::Rect2f>& boxes) {
  std::vector<size_t> out;
  for (const auto& p : reading_order(boxes)) out.push_back(p.index);
  return out;
}

TEST(OcrReadingOrder, RowsTopToBottomAndLeftToRight) {
  // Given out of order: a row of two words, then a line under it.
  const std::vector<cv::Rect2f> boxes = {{300, 100, 200, 20}, {20, 100, 250, 20}, {20, 20, 400, 20}};
  EXPECT_EQ(order_of(boxes), (std::vector<size_t>{2, 1, 0}));
  const auto places = reading_order(boxes);
  EXPECT_EQ(places[1].row, places[2].row) << "one row";
  EXPECT_NE(places[0].row, places[1].row);
}

TEST(OcrReadingOrder, ColumnsAreReadOneAfterTheOtherUnderAFullWidthTitle) {
  std::vector<cv::Rect2f> boxes = {{20, 10, 900, 24}};  // 0: the title across both columns
  for (int i = 0; i < 4; ++i) {
    boxes.push_back({20, 60.0f + i * 30, 400, 20});   // left column: 1, 3, 5, 7
    boxes.push_back({500, 60.0f + i * 30, 400, 20});  // right column: 2, 4, 6, 8
  }
  boxes.push_back({20, 200, 900, 20});  // 9: a footer across the page
  EXPECT_EQ(order_of(boxes), (std::vector<size_t>{0, 1, 3, 5, 7, 2, 4, 6, 8, 9}));
  const auto places = reading_order(boxes);
  EXPECT_NE(places[1].block, places[5].block);
  EXPECT_NE(places[5].block, places[9].block);
}

TEST(OcrReadingOrder, AFormsLabelsAndValuesStayOnTheirRows) {
  // Label and value columns are too narrow to be prose columns: read row by row.
  const std::vector<cv::Rect2f> boxes = {{20, 20, 90, 20}, {300, 20, 120, 20}, {20, 60, 90, 20}, {300, 60, 150, 20}};
  EXPECT_EQ(order_of(boxes), (std::vector<size_t>{0, 1, 2, 3}));
}

TEST(OcrConfig, TheSectionIsReadAndCheckedWithLineNumbers) {
  const auto on = RagConfig::parse("collection: idx\n", "a.yaml", ".");
  ASSERT_TRUE(on.ocr.has_value()) << "on by default";
  EXPECT_EQ(on.ocr->pdf_dpi, 200);

  EXPECT_FALSE(RagConfig::parse("collection: idx\nocr: false\n", "a.yaml", ".").ocr.has_value());
  EXPECT_FALSE(RagConfig::parse("collection: idx\nocr: {enabled: false}\n", "a.yaml", ".").ocr.has_value());

  const auto set = RagConfig::parse(
      "collection: idx\nocr:\n  model_dir: models/ocr\n  dpi: 300\n  box_threshold: 0.5\n  classify_direction: false\n"
      "  max_image_side: 3000\n  session: {intra_op_threads: 1}\n",
      "a.yaml", "/base");
  ASSERT_TRUE(set.ocr.has_value());
  EXPECT_EQ(set.ocr->model_dir, std::filesystem::path("/base/models/ocr"));
  EXPECT_EQ(set.ocr->pdf_dpi, 300);
  EXPECT_FLOAT_EQ(set.ocr->box_threshold, 0.5f);
  EXPECT_TRUE(set.ocr->classifier_model.empty());
  EXPECT_EQ(set.ocr->max_image_side, 3000);
  EXPECT_EQ(set.ocr->session.intra_op_threads, 1);

  EXPECT_THAT(ragrt::testing::error_of([] { RagConfig::parse("collection: idx\nocr:\n  box_threshold: 2\n", "a.yaml", "."); },
                                       ErrorKind::kInvalidArgument),
              HasSubstr("a.yaml:3"));
  EXPECT_THAT(ragrt::testing::error_of([] { RagConfig::parse("collection: idx\nocr:\n  dpii: 300\n", "a.yaml", "."); },
                                       ErrorKind::kInvalidArgument),
              HasSubstr("dpii"));
}

}  // namespace
}  // namespace ragrt::ocr::test
