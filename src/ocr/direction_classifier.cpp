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
  input_ = session_->require_input("direction classifier", {first_input(*session_), {ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT}, {"batch", "3", "height", "width"}}).name;
  output_ = session_->require_output("direction classifier", {first_output(*session_), {ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT}, {"batch", "classes"}}).name;
}

std::vector<size_t> DirectionClassifier::upside_down(const std::vector<cv::Mat>& crops) const {
  const std::vector<size_t> order = order_by_aspect(crops);
  const size_t batch = static_cast<size_t>(std::max(1, params_.batch_size));
  const size_t slot = static_cast<size_t>(3) * kHeight * kWidth;
  const auto memory = Ort::MemoryInfo::CreateCpu(OrtArenaAllocator, OrtMemTypeDefault);
  std::vector<size_t> flagged;
  for (size_t first = 0; first < order.size(); first += batch) {
    const size_t n = std::min(batch, order.size() - first);
    std::vector<float> input(n * slot, 0.0f);
    for (size_t r = 0; r < n; ++r) pack_line(crops[order[first + r]], kHeight, kWidth, input.data() + r * slot);
    const int64_t shape[4] = {static_cast<int64_t>(n), 3, kHeight, kWidth};
    std::vector<Ort::Value> inputs;
    inputs.push_back(Ort::Value::CreateTensor<float>(memory, input.data(), input.size(), shape, 4));
    auto outputs = session_->run({input_.c_str()}, inputs, {output_.c_str()});
    const auto out_shape = outputs[0].GetTensorTypeAndShapeInfo().GetShape();
    RAGRT_THROW_IF_NOT_KIND(out_shape.size() == 2 && out_shape[0] == static_cast<int64_t>(n) && out_shape[1] == 2,
                            ErrorKind::kInvalidModel, "{}: the direction classifier should give 2 scores (0°, 180°) a line",
                            session_->path().string());
    const float* p = outputs[0].GetTensorData<float>();
    for (size_t r = 0; r < n; ++r) {
      if (p[r * 2 + 1] > p[r * 2] && p[r * 2 + 1] >= params_.direction_threshold) flagged.push_back(order[first + r]);
    }
  }
  std::sort(flagged.begin(), flagged.end());
  return flagged;
}

}  // namespace ragrt::ocr
