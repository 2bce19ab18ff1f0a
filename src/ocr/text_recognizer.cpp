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
  const auto& out = session_->require_output("text recognizer", {first_output(*session_), {ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT}, {"batch", "steps", "classes"}});
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
  if (out.shape.size() == 3 && out.shape[2] > 0 && static_cast<size_t>(out.shape[2]) != classes_.size()) {
    RAGRT_THROW_KIND(ErrorKind::kInvalidModel,
                     "{} has {} characters, so the recognizer should have {} classes (with blank and space); {} has {}: "
                     "use the dictionary the model was trained with",
                     dictionary.string(), classes_.size() - 2, classes_.size(), session_->path().string(), out.shape[2]);
  }
}

std::vector<RecognizedText> TextRecognizer::recognize(const std::vector<cv::Mat>& crops) const {
  std::vector<RecognizedText> results(crops.size());
  auto width = [&](std::span<const size_t> rows) {
    double aspect = kMinAspect;
    for (size_t i : rows) aspect = std::max(aspect, static_cast<double>(crops[i].cols) / std::max(1, crops[i].rows));
    return static_cast<int>(height_ * aspect);
  };
  run_line_batches(*session_, crops, static_cast<size_t>(params_.batch_size), height_, width,
                   [&](std::span<const size_t> rows, const Ort::Value& output) {
                     const auto shape = output.GetTensorTypeAndShapeInfo().GetShape();
                     RAGRT_THROW_IF_NOT_KIND(shape.size() == 3 && shape[0] == static_cast<int64_t>(rows.size()) &&
                                                 static_cast<size_t>(shape[2]) == classes_.size(),
                                             ErrorKind::kInvalidModel, "{}: the recognizer's output is not [{}, steps, {}]",
                                             session_->path().string(), rows.size(), classes_.size());
                     const size_t steps = static_cast<size_t>(shape[1]);
                     const float* p = output.GetTensorData<float>();
                     for (size_t r = 0; r < rows.size(); ++r) {
                       results[rows[r]] = decode(p + r * steps * classes_.size(), steps, classes_.size());
                     }
                   });
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
