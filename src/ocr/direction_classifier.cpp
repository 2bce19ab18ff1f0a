#include "ocr/direction_classifier.h"

#include <algorithm>

#include <opencv2/core.hpp>

#include "ocr/image_ops.h"
#include "ragrt/error.h"

namespace ragrt::ocr {
namespace {
// The input PaddleOCR's mobile classifier was trained on: 48 pixels high, padded to 192 wide.
constexpr int kHeight = 48;
constexpr int kWidth = 192;
}  // namespace

DirectionClassifier::DirectionClassifier(std::unique_ptr<runtime::Session> session, const OcrParams& params)
    : session_(std::move(session)), params_(params) {
  session_->require_input("direction classifier", {first_input(*session_), {ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT}, {"batch", "3", "height", "width"}}).name;
  session_->require_output("direction classifier", {first_output(*session_), {ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT}, {"batch", "classes"}}).name;
}

std::vector<size_t> DirectionClassifier::upside_down(const std::vector<cv::Mat>& crops) const {
  std::vector<size_t> flagged;
  run_line_batches(*session_, crops, static_cast<size_t>(params_.batch_size), kHeight,
                   [](std::span<const size_t>) { return kWidth; },
                   [&](std::span<const size_t> rows, const Ort::Value& output) {
                     const auto shape = output.GetTensorTypeAndShapeInfo().GetShape();
                     RAGRT_THROW_IF_NOT_KIND(
                         shape.size() == 2 && shape[0] == static_cast<int64_t>(rows.size()) && shape[1] == 2,
                         ErrorKind::kInvalidModel, "{}: the direction classifier should give 2 scores (0°, 180°) a line",
                         session_->path().string());
                     const float* p = output.GetTensorData<float>();
                     for (size_t r = 0; r < rows.size(); ++r) {
                       if (p[r * 2 + 1] > p[r * 2] && p[r * 2 + 1] >= params_.direction_threshold) flagged.push_back(rows[r]);
                     }
                   });
  std::sort(flagged.begin(), flagged.end());
  return flagged;
}

}  // namespace ragrt::ocr
