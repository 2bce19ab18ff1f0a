#pragma once
// PaddleOCR's text direction classifier: tells a line that reads upright (0°) from one that is
// upside down (180°), so scanned pages fed in the wrong way round are still read.
#include <memory>
#include <vector>

#include <opencv2/core.hpp>

#include "ragrt/ocr.h"
#include "ragrt/runtime/session.h"

namespace ragrt::ocr {

class DirectionClassifier {
 public:
  DirectionClassifier(std::unique_ptr<runtime::Session> session, const OcrParams& params);
  // Indices of the crops the model finds upside down with at least direction_threshold
  // probability, ascending. Long lines squashed into its 192-pixel input fool it now and then, so
  // callers read a flagged line both ways rather than trusting it.
  std::vector<size_t> upside_down(const std::vector<cv::Mat>& crops) const;

 private:
  std::unique_ptr<runtime::Session> session_;
  const OcrParams& params_;
};

}  // namespace ragrt::ocr
