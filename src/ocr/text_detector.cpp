#include "ocr/text_detector.h"

#include <algorithm>
#include <cmath>

#include <opencv2/imgproc.hpp>

#include "ragrt/error.h"

namespace ragrt::ocr {
namespace {

constexpr int kStride = 32;  // the detector's input sides must be multiples of its total stride
constexpr float kMinSide = 3;  // regions thinner than this (map pixels) are noise

// ImageNet statistics in the B, G, R order the image is in: PaddleOCR applies them to cv2's BGR
// arrays as they are, so the model was trained that way.
constexpr float kMean[3] = {0.485f, 0.456f, 0.406f};
constexpr float kStd[3] = {0.229f, 0.224f, 0.225f};

int multiple_of_stride(double side) { return std::max(kStride, static_cast<int>(std::lround(side / kStride)) * kStride); }

// The rectangle's corners ordered top-left, top-right, bottom-right, bottom-left, as PaddleOCR's
// get_mini_boxes orders them (by x, then by y within each half).
Quad corners(const cv::RotatedRect& rect) {
  cv::Point2f p[4];
  rect.points(p);
  std::sort(p, p + 4, [](cv::Point2f a, cv::Point2f b) { return a.x < b.x; });
  const bool left_first = p[1].y > p[0].y;
  const bool right_first = p[3].y > p[2].y;
  return {left_first ? p[0] : p[1], right_first ? p[2] : p[3], right_first ? p[3] : p[2], left_first ? p[1] : p[0]};
}

// Mean probability inside the quadrilateral (PaddleOCR's "fast" box score).
float box_score(const cv::Mat& prob, const Quad& q) {
  float x0 = q[0].x, x1 = q[0].x, y0 = q[0].y, y1 = q[0].y;
  for (const auto& p : q) {
    x0 = std::min(x0, p.x), x1 = std::max(x1, p.x), y0 = std::min(y0, p.y), y1 = std::max(y1, p.y);
  }
  const int xmin = std::clamp(static_cast<int>(std::floor(x0)), 0, prob.cols - 1);
  const int xmax = std::clamp(static_cast<int>(std::ceil(x1)), 0, prob.cols - 1);
  const int ymin = std::clamp(static_cast<int>(std::floor(y0)), 0, prob.rows - 1);
  const int ymax = std::clamp(static_cast<int>(std::ceil(y1)), 0, prob.rows - 1);
  cv::Mat mask = cv::Mat::zeros(ymax - ymin + 1, xmax - xmin + 1, CV_8UC1);
  std::vector<cv::Point> poly;
  for (const auto& p : q) poly.emplace_back(static_cast<int>(p.x - xmin), static_cast<int>(p.y - ymin));
  cv::fillPoly(mask, std::vector<std::vector<cv::Point>>{poly}, cv::Scalar(1));
  return static_cast<float>(cv::mean(prob(cv::Rect(xmin, ymin, xmax - xmin + 1, ymax - ymin + 1)), mask)[0]);
}

// Orders four points clockwise from the top-left (smallest x + y), as PaddleOCR does before cropping.
Quad clockwise(const Quad& q) {
  Quad out = q;
  auto by_sum = [](cv::Point2f a, cv::Point2f b) { return a.x + a.y < b.x + b.y; };
  const auto tl = std::min_element(q.begin(), q.end(), by_sum) - q.begin();
  const auto br = std::max_element(q.begin(), q.end(), by_sum) - q.begin();
  std::vector<cv::Point2f> rest;
  for (int i = 0; i < 4; ++i)
    if (i != tl && i != br) rest.push_back(q[i]);
  if (rest.size() != 2) return q;  // degenerate (repeated points): keep the order it has
  const bool first_is_tr = rest[0].y - rest[0].x < rest[1].y - rest[1].x;
  out[0] = q[tl];
  out[1] = first_is_tr ? rest[0] : rest[1];
  out[2] = q[br];
  out[3] = first_is_tr ? rest[1] : rest[0];
  return out;
}

}  // namespace

TextDetector::TextDetector(std::unique_ptr<runtime::Session> session, const OcrParams& params)
    : session_(std::move(session)), params_(params) {
  input_ = session_->require_input("text detector", {first_input(*session_), {ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT}, {"batch", "3", "height", "width"}}).name;
  output_ = session_->require_output("text detector", {first_output(*session_), {ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT}, {"batch", "1", "height", "width"}}).name;
}

std::vector<Quad> TextDetector::detect(const cv::Mat& page) const {
  const int longer = std::max(page.cols, page.rows);
  const double f = longer > params_.detection_max_side ? static_cast<double>(params_.detection_max_side) / longer : 1.0;
  const int w = multiple_of_stride(static_cast<int>(page.cols * f));
  const int h = multiple_of_stride(static_cast<int>(page.rows * f));
  cv::Mat resized;
  cv::resize(page, resized, cv::Size(w, h));

  std::vector<float> input(static_cast<size_t>(3) * h * w);
  const size_t plane = static_cast<size_t>(h) * w;
  for (int y = 0; y < h; ++y) {
    const uint8_t* px = resized.ptr<uint8_t>(y);
    for (int x = 0; x < w; ++x) {
      for (int c = 0; c < 3; ++c) input[c * plane + static_cast<size_t>(y) * w + x] = (px[x * 3 + c] / 255.0f - kMean[c]) / kStd[c];
    }
  }
  const int64_t shape[4] = {1, 3, h, w};
  const auto memory = Ort::MemoryInfo::CreateCpu(OrtArenaAllocator, OrtMemTypeDefault);
  std::vector<Ort::Value> inputs;
  inputs.push_back(Ort::Value::CreateTensor<float>(memory, input.data(), input.size(), shape, 4));
  auto outputs = session_->run({input_.c_str()}, inputs, {output_.c_str()});
  const auto out_shape = outputs[0].GetTensorTypeAndShapeInfo().GetShape();
  RAGRT_THROW_IF_NOT_KIND(out_shape.size() == 4 && out_shape[2] == h && out_shape[3] == w, ErrorKind::kInvalidModel,
                          "{}: the text detector's map is not {}x{} like its input", session_->path().string(), h, w);
  const cv::Mat prob(h, w, CV_32FC1, outputs[0].GetTensorMutableData<float>());

  cv::Mat bitmap;
  cv::threshold(prob, bitmap, params_.binary_threshold, 255, cv::THRESH_BINARY);
  bitmap.convertTo(bitmap, CV_8UC1);
  std::vector<std::vector<cv::Point>> contours;
  cv::findContours(bitmap, contours, cv::RETR_LIST, cv::CHAIN_APPROX_SIMPLE);

  const float sx = static_cast<float>(page.cols) / w, sy = static_cast<float>(page.rows) / h;
  std::vector<Quad> boxes;
  const size_t n = std::min(contours.size(), static_cast<size_t>(std::max(0, params_.max_boxes)));
  for (size_t i = 0; i < n; ++i) {
    const cv::RotatedRect rect = cv::minAreaRect(contours[i]);
    if (std::min(rect.size.width, rect.size.height) < kMinSide) continue;
    if (box_score(prob, corners(rect)) < params_.box_threshold) continue;
    // Growing a rectangle's outline by d (pyclipper's round-joined offset in PaddleOCR) and taking
    // the minimum-area rectangle of the result gives the same rectangle d larger on every side.
    const float rw = rect.size.width, rh = rect.size.height;
    const float d = rw * rh * params_.unclip_ratio / (2 * (rw + rh));
    const cv::RotatedRect grown(rect.center, cv::Size2f(rw + 2 * d, rh + 2 * d), rect.angle);
    if (std::min(grown.size.width, grown.size.height) < kMinSide + 2) continue;
    Quad q = corners(grown);
    for (auto& p : q) {
      p.x = std::clamp(std::round(p.x * sx), 0.0f, static_cast<float>(page.cols));
      p.y = std::clamp(std::round(p.y * sy), 0.0f, static_cast<float>(page.rows));
    }
    q = clockwise(q);
    auto dist = [](cv::Point2f a, cv::Point2f b) { return std::hypot(a.x - b.x, a.y - b.y); };
    if (static_cast<int>(dist(q[0], q[1])) <= 3 || static_cast<int>(dist(q[0], q[3])) <= 3) continue;
    boxes.push_back(q);
  }
  return boxes;
}

}  // namespace ragrt::ocr
