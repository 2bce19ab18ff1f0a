#pragma once
// PaddleOCR's DB (differentiable binarization) text detector: the page goes in scaled to multiples
// of 32, a per-pixel text probability map comes out, and its thresholded regions become boxes —
// each region's minimum-area rectangle, kept when the map's mean probability inside is high
// enough, then grown back by the unclip distance (the model predicts shrunk text kernels).
#include <memory>
#include <vector>

#include <opencv2/core.hpp>

#include "ocr/image_ops.h"
#include "ragrt/ocr.h"
#include "ragrt/runtime/session.h"

namespace ragrt::ocr {

class TextDetector {
 public:
  TextDetector(std::unique_ptr<runtime::Session> session, const OcrParams& params);
  // Text line quadrilaterals in `page`'s pixels, clockwise from top-left, in no particular order.
  std::vector<Quad> detect(const cv::Mat& page) const;

 private:
  std::unique_ptr<runtime::Session> session_;
  const OcrParams& params_;
  std::string input_, output_;
};

}  // namespace ragrt::ocr
