#include "ocr/image_ops.h"

#include <algorithm>
#include <cmath>

#include <opencv2/imgproc.hpp>

#include "ragrt/error.h"

namespace ragrt::ocr {

std::string first_input(const runtime::Session& session) {
  return session.inputs().empty() ? std::string() : session.inputs().front().name;
}

std::string first_output(const runtime::Session& session) {
  return session.outputs().empty() ? std::string() : session.outputs().front().name;
}

cv::Mat as_mat(const OcrImage& image) {
  RAGRT_THROW_IF_NOT_KIND(image.width > 0 && image.height > 0, ErrorKind::kInvalidArgument,
                          "the image has no pixels ({}x{})", image.width, image.height);
  RAGRT_THROW_IF_NOT_KIND(image.bgr.size() == static_cast<size_t>(image.width) * image.height * 3,
                          ErrorKind::kInvalidArgument, "the image holds {} bytes, {}x{} BGR needs {}",
                          image.bgr.size(), image.width, image.height,
                          static_cast<size_t>(image.width) * image.height * 3);
  return cv::Mat(image.height, image.width, CV_8UC3, const_cast<uint8_t*>(image.bgr.data()));
}

OcrImage to_image(const cv::Mat& m) {
  cv::Mat bgr;
  if (m.channels() == 1) {
    cv::cvtColor(m, bgr, cv::COLOR_GRAY2BGR);
  } else if (m.channels() == 4) {
    cv::cvtColor(m, bgr, cv::COLOR_BGRA2BGR);
  } else {
    bgr = m;
  }
  if (bgr.depth() != CV_8U) bgr.convertTo(bgr, CV_8U, bgr.depth() == CV_16U ? 1.0 / 257 : 1.0);
  OcrImage out;
  out.width = bgr.cols;
  out.height = bgr.rows;
  out.bgr.resize(static_cast<size_t>(bgr.cols) * bgr.rows * 3);
  for (int y = 0; y < bgr.rows; ++y) {
    std::copy_n(bgr.ptr<uint8_t>(y), static_cast<size_t>(bgr.cols) * 3, out.bgr.data() + static_cast<size_t>(y) * bgr.cols * 3);
  }
  return out;
}

cv::Mat scale_down(const cv::Mat& bgr, int max_side) {
  const int longer = std::max(bgr.cols, bgr.rows);
  if (max_side <= 0 || longer <= max_side) return bgr;
  const double f = static_cast<double>(max_side) / longer;
  cv::Mat out;
  cv::resize(bgr, out, cv::Size(std::max(1, static_cast<int>(std::lround(bgr.cols * f))),
                                std::max(1, static_cast<int>(std::lround(bgr.rows * f)))),
             0, 0, cv::INTER_AREA);
  return out;
}

cv::Mat crop_line(const cv::Mat& bgr, const Quad& q) {
  auto dist = [](cv::Point2f a, cv::Point2f b) { return std::hypot(a.x - b.x, a.y - b.y); };
  const int w = std::max(1, static_cast<int>(std::max(dist(q[0], q[1]), dist(q[2], q[3]))));
  const int h = std::max(1, static_cast<int>(std::max(dist(q[0], q[3]), dist(q[1], q[2]))));
  const cv::Point2f dst[4] = {{0, 0}, {static_cast<float>(w), 0}, {static_cast<float>(w), static_cast<float>(h)},
                              {0, static_cast<float>(h)}};
  const cv::Mat m = cv::getPerspectiveTransform(q.data(), dst);
  cv::Mat crop;
  cv::warpPerspective(bgr, crop, m, cv::Size(w, h), cv::INTER_CUBIC, cv::BORDER_REPLICATE);
  if (crop.rows >= 1.5 * crop.cols) cv::rotate(crop, crop, cv::ROTATE_90_COUNTERCLOCKWISE);
  return crop;
}

void pack_line(const cv::Mat& crop, int height, int width, float* out) {
  const double aspect = static_cast<double>(crop.cols) / std::max(1, crop.rows);
  const int resized_w = std::clamp(static_cast<int>(std::ceil(height * aspect)), 1, width);
  cv::Mat resized;
  cv::resize(crop, resized, cv::Size(resized_w, height));
  const size_t plane = static_cast<size_t>(height) * width;
  for (int y = 0; y < height; ++y) {
    const uint8_t* px = resized.ptr<uint8_t>(y);
    for (int x = 0; x < resized_w; ++x) {
      for (int c = 0; c < 3; ++c) out[c * plane + static_cast<size_t>(y) * width + x] = px[x * 3 + c] / 127.5f - 1.0f;
    }
  }
}

void run_line_batches(const runtime::Session& session, const std::vector<cv::Mat>& crops, size_t batch_size,
                      int height, const BatchWidth& width, const BatchOutput& on_output) {
  std::vector<size_t> order(crops.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  auto aspect = [&](size_t i) { return static_cast<double>(crops[i].cols) / std::max(1, crops[i].rows); };
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return aspect(a) < aspect(b); });

  const std::string input_name = first_input(session), output_name = first_output(session);
  const auto memory = Ort::MemoryInfo::CreateCpu(OrtArenaAllocator, OrtMemTypeDefault);
  const size_t batch = std::max<size_t>(1, batch_size);
  for (size_t first = 0; first < order.size(); first += batch) {
    const std::span<const size_t> rows(order.data() + first, std::min(batch, order.size() - first));
    const int w = width(rows);
    const size_t slot = static_cast<size_t>(3) * height * w;
    std::vector<float> input(rows.size() * slot, 0.0f);
    for (size_t r = 0; r < rows.size(); ++r) pack_line(crops[rows[r]], height, w, input.data() + r * slot);
    const int64_t shape[4] = {static_cast<int64_t>(rows.size()), 3, height, w};
    std::vector<Ort::Value> inputs;
    inputs.push_back(Ort::Value::CreateTensor<float>(memory, input.data(), input.size(), shape, 4));
    const auto outputs = session.run({input_name.c_str()}, inputs, {output_name.c_str()});
    on_output(rows, outputs[0]);
  }
}

}  // namespace ragrt::ocr
