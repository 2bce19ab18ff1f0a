#include "ocr/text_recognizer.h"

#include <algorithm>
#include <cmath>
#include <fstream>

#include "ocr/image_ops.h"
#include "ragrt/error.h"
#include "text/utf8.h"

namespace ragrt::ocr {
namespace {
// PaddleOCR's rec_image_shape [3, 48, 320]: a batch is at least 320 pixels wide (its aspect
// ratio 320/48), wider when one of its lines is.
constexpr double kMinAspect = 320.0 / 48.0;
}  // namespace

TextRecognizer::TextRecognizer(std::unique_ptr<runtime::Session> session, const std::filesystem::path& dictionary,
                               const OcrParams& params)
    : session_(std::move(session)), params_(params) {
  const auto& in = session_->require_input("text recognizer", {first_input(*session_), {ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT}, {"batch", "3", "height", "width"}});
  output_ = session_->require_output("text recognizer", {first_output(*session_), {ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT}, {"batch", "steps", "classes"}}).name;
  input_ = in.name;
  if (in.shape.size() == 4 && in.shape[2] > 0) height_ = static_cast<int>(in.shape[2]);

  std::ifstream file(dictionary, std::ios::binary);
  if (!file) {
    RAGRT_THROW_KIND(ErrorKind::kNotFound, "{}: cannot read the OCR dictionary (set ocr.dictionary or ocr.model_dir)",
                     dictionary.string());
  }
  classes_.emplace_back();  // CTC blank
  size_t line_no = 0;
  for (std::string line; std::getline(file, line);) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (text::find_invalid_utf8(line) != text::kValidUtf8) {
      RAGRT_THROW_KIND(ErrorKind::kInvalidModel, "{}:{}: the dictionary line is not valid UTF-8", dictionary.string(), line_no);
    }
    classes_.push_back(line);
  }
  classes_.emplace_back(" ");
  const auto& out = *session_->find_output(output_);
  if (out.shape.size() == 3 && out.shape[2] > 0 && static_cast<size_t>(out.shape[2]) != classes_.size()) {
    RAGRT_THROW_KIND(ErrorKind::kInvalidModel,
                     "{} has {} characters, so the recognizer should have {} classes (with blank and space); {} has {}: "
                     "use the dictionary the model was trained with",
                     dictionary.string(), classes_.size() - 2, classes_.size(), session_->path().string(), out.shape[2]);
  }
}

std::vector<RecognizedText> TextRecognizer::recognize(const std::vector<cv::Mat>& crops) const {
  std::vector<RecognizedText> results(crops.size());
  const std::vector<size_t> order = order_by_aspect(crops);
  const size_t batch = static_cast<size_t>(std::max(1, params_.batch_size));
  const auto memory = Ort::MemoryInfo::CreateCpu(OrtArenaAllocator, OrtMemTypeDefault);
  for (size_t first = 0; first < order.size(); first += batch) {
    const size_t n = std::min(batch, order.size() - first);
    double aspect = kMinAspect;
    for (size_t r = 0; r < n; ++r) {
      const cv::Mat& c = crops[order[first + r]];
      aspect = std::max(aspect, static_cast<double>(c.cols) / std::max(1, c.rows));
    }
    const int width = static_cast<int>(height_ * aspect);
    const size_t slot = static_cast<size_t>(3) * height_ * width;
    std::vector<float> input(n * slot, 0.0f);
    for (size_t r = 0; r < n; ++r) pack_line(crops[order[first + r]], height_, width, input.data() + r * slot);
    const int64_t shape[4] = {static_cast<int64_t>(n), 3, height_, width};
    std::vector<Ort::Value> inputs;
    inputs.push_back(Ort::Value::CreateTensor<float>(memory, input.data(), input.size(), shape, 4));
    auto outputs = session_->run({input_.c_str()}, inputs, {output_.c_str()});
    const auto out_shape = outputs[0].GetTensorTypeAndShapeInfo().GetShape();
    RAGRT_THROW_IF_NOT_KIND(out_shape.size() == 3 && out_shape[0] == static_cast<int64_t>(n) &&
                                static_cast<size_t>(out_shape[2]) == classes_.size(),
                            ErrorKind::kInvalidModel, "{}: the recognizer's output is not [{}, steps, {}]",
                            session_->path().string(), n, classes_.size());
    const size_t steps = static_cast<size_t>(out_shape[1]);
    const float* p = outputs[0].GetTensorData<float>();
    for (size_t r = 0; r < n; ++r) results[order[first + r]] = decode(p + r * steps * classes_.size(), steps, classes_.size());
  }
  return results;
}

RecognizedText TextRecognizer::decode(const float* probs, size_t steps, size_t classes) const {
  RecognizedText out;
  double sum = 0;
  size_t kept = 0;
  size_t previous = 0;
  const size_t space = classes - 1;
  float space_evidence = 0;  // the most probability the space class had since the last character
  for (size_t t = 0; t < steps; ++t) {
    const float* row = probs + t * classes;
    const size_t best = static_cast<size_t>(std::max_element(row, row + classes) - row);
    if (best == 0) {
      space_evidence = std::max(space_evidence, row[space]);
    } else if (!(t > 0 && best == previous)) {
      // The Chinese models rarely make the space class win between two English words, but it
      // rises there by orders of magnitude over its level inside a word: a space is put back
      // where it did, or English would be indexed as one long word.
      if (kept && best != space && out.text.back() != ' ' && space_evidence >= params_.space_threshold) out.text += ' ';
      out.text += classes_[best];
      sum += row[best];
      ++kept;
      space_evidence = 0;
    }
    previous = best;
  }
  out.confidence = kept ? static_cast<float>(sum / kept) : 0.0f;
  return out;
}

}  // namespace ragrt::ocr
