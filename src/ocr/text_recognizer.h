#pragma once
// PaddleOCR's CRNN-style recognizer (SVTR in v4): a line crop 48 pixels high goes in, one
// probability distribution over the dictionary per horizontal step comes out, and greedy CTC
// decoding (best class per step, repeats merged, blanks dropped) gives the text.
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "ragrt/ocr.h"
#include "ragrt/runtime/session.h"

namespace ragrt::ocr {

struct RecognizedText {
  std::string text;
  float confidence = 0;  // mean probability of the characters kept; 0 when none
};

class TextRecognizer {
 public:
  // The dictionary has one character a line; class 0 is CTC's blank and the last class a space,
  // so the model must have (lines + 2) classes.
  TextRecognizer(std::unique_ptr<runtime::Session> session, const std::filesystem::path& dictionary,
                 const OcrParams& params);
  std::vector<RecognizedText> recognize(const std::vector<cv::Mat>& crops) const;

 private:
  RecognizedText decode(const float* probs, size_t steps, size_t classes) const;

  std::unique_ptr<runtime::Session> session_;
  const OcrParams& params_;
  std::vector<std::string> classes_;  // "" (blank), dictionary..., " "
  int height_ = 48;
};

}  // namespace ragrt::ocr
