#pragma once
// The OpenCV steps OCR shares between its stages: wrapping an OcrImage, scaling a page down to a
// bounded size, cutting a text line out along its quadrilateral, and packing crops into the NCHW
// float tensors PaddleOCR's models read.
#include <array>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "ragrt/ocr.h"
#include "ragrt/runtime/session.h"

namespace ragrt::ocr {

using Quad = std::array<cv::Point2f, 4>;  // clockwise from top-left

// PaddleOCR's exports name their one input "x" and their output after the last layer
// ("sigmoid_0.tmp_0", "softmax_11.tmp_0"); other exports name them otherwise, so the first ones
// are used, whatever their names. "" when the model has none (require_* then says so).
std::string first_input(const runtime::Session& session);
std::string first_output(const runtime::Session& session);

// A view of the image's pixels (no copy; the image must outlive the Mat).
cv::Mat as_mat(const OcrImage& image);
OcrImage to_image(const cv::Mat& bgr);  // copies; the Mat must be 8-bit, 1, 3 or 4 channels

// The image itself when its longer side is at most max_side, else a copy scaled down (area
// averaging, which keeps thin strokes readable) so that it is.
cv::Mat scale_down(const cv::Mat& bgr, int max_side);

// The line under `quad` straightened into an upright rectangle (perspective warp, bicubic, edges
// replicated); a crop much taller than wide is turned to lie horizontally, as vertical text is.
cv::Mat crop_line(const cv::Mat& bgr, const Quad& quad);

// Resizes `crop` to `height` keeping its aspect (width at most max_width), writes it normalized
// to [-1, 1] ((x / 255 - 0.5) / 0.5, BGR channel order) into slot `row` of an NCHW buffer of
// width `width` whose padding stays 0, as PaddleOCR's classifier and recognizer expect.
void pack_line(const cv::Mat& crop, int height, int width, float* nchw_row);

// Runs `session` (its first input and output) over `crops` in batches of at most batch_size lines,
// ordered by width / height so that a batch pads its lines to similar widths. Each batch is packed
// with pack_line, `height` high and width(rows) wide; on_output(rows, output) gets the crops'
// indices in batch order and the batch's output.
using BatchWidth = std::function<int(std::span<const size_t> rows)>;
using BatchOutput = std::function<void(std::span<const size_t> rows, const Ort::Value& output)>;
void run_line_batches(const runtime::Session& session, const std::vector<cv::Mat>& crops, size_t batch_size,
                      int height, const BatchWidth& width, const BatchOutput& on_output);

}  // namespace ragrt::ocr
