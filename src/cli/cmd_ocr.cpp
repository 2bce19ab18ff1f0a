// `ragrt ocr FILE...`: the text PaddleOCR reads from images and PDF pages, line by line with
// confidence and box, or as JSON with --json.
#include <iostream>
#include <memory>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "cli/session_flags.h"
#include "ragrt/error.h"
#include "ragrt/ocr.h"
#include "ragrt/rag_config.h"

namespace ragrt::cli {
namespace {

struct OcrArgs {
  std::vector<std::string> files;
  std::string config;
  std::string model_dir;
  std::optional<int> dpi;
  std::optional<int> max_side;
  std::optional<int> detection_max_side;
  bool no_direction = false;
  bool json = false;
  SessionFlags session;
};

nlohmann::json page_json(const OcrPage& page) {
  nlohmann::json lines = nlohmann::json::array();
  for (const OcrLine& l : page.lines) {
    nlohmann::json box = nlohmann::json::array();
    for (const OcrPoint& p : l.box) box.push_back({p.x, p.y});
    lines.push_back({{"text", l.text}, {"confidence", l.confidence}, {"low_confidence", l.low_confidence},
                     {"box", box}, {"block", l.block}, {"row", l.row}});
  }
  return {{"page", page.number}, {"width", page.width}, {"height", page.height}, {"seconds", page.seconds},
          {"text", page.text()}, {"lines", lines}};
}

std::function<int()> setup_ocr(CLI::App& app) {
  auto args = std::make_shared<OcrArgs>();
  app.description(
      "Read the text of images (.png .jpg .jpeg .tif .tiff .bmp) and PDF pages with PaddleOCR's models.\n"
      "Prints each line in reading order with its confidence and box (x0,y0 top-left to x1,y1 bottom-right, in the "
      "page's pixels); lines marked '?' are below ocr.low_confidence. --json prints "
      "{\"files\":[{\"file\",\"pages\":[{\"page\",\"width\",\"height\",\"seconds\",\"text\",\"lines\":[{\"text\","
      "\"confidence\",\"low_confidence\",\"box\":[[x,y]x4],\"block\",\"row\"}]}]}]}.");
  app.add_option("files", args->files, "Images or PDFs")->required();
  app.add_option("--config,-c", args->config, "ragrt.yaml whose `ocr:` section sets the models and thresholds");
  app.add_option("--models", args->model_dir, "Folder with the PaddleOCR ONNX models and ppocr_keys_v1.txt");
  app.add_option("--dpi", args->dpi, "Resolution PDF pages are rendered at (default 200)");
  app.add_option("--max-side", args->max_side, "Scale pages down to at most this many pixels a side (default 4096)");
  app.add_option("--detection-max-side", args->detection_max_side, "Longer side of the detector's input (default 960)");
  app.add_flag("--no-direction", args->no_direction, "Skip the upside-down line classifier");
  app.add_flag("--json", args->json, "Print JSON");
  args->session.add_to(app);

  return [args]() -> int {
    OcrParams params;
    if (!args->config.empty()) {
      const RagConfig config = RagConfig::load(args->config);
      if (config.ocr) params = *config.ocr;
    }
    if (!args->model_dir.empty()) params.model_dir = args->model_dir;
    if (args->dpi) params.pdf_dpi = *args->dpi;
    if (args->max_side) params.max_image_side = *args->max_side;
    if (args->detection_max_side) params.detection_max_side = *args->detection_max_side;
    if (args->no_direction) params.classifier_model.clear();
    if (!args->session.config_file.empty() || !args->session.providers.empty() || args->session.threads ||
        !args->session.graph_optimization.empty()) {
      params.session = args->session.params();
    }
    const OcrEngine engine(params);
    nlohmann::json files = nlohmann::json::array();
    int failed = 0;
    for (const std::string& file : args->files) {
      std::vector<OcrPage> pages;
      try {
        pages = engine.read_file(file, [&](int done, int total) {
          if (total > 1) std::cerr << fmt::format("\r{}: page {}/{}", file, done, total) << (done == total ? "\n" : "");
        });
      } catch (const Error& e) {
        std::cerr << "ragrt ocr: " << e.what() << "\n";
        ++failed;
        continue;
      }
      if (args->json) {
        nlohmann::json jp = nlohmann::json::array();
        for (const auto& p : pages) jp.push_back(page_json(p));
        files.push_back({{"file", file}, {"pages", jp}});
        continue;
      }
      for (const auto& p : pages) {
        std::cout << fmt::format("== {} page {} ({}x{}, {} lines, {:.0f} ms)\n", file, p.number, p.width, p.height,
                                 p.lines.size(), p.seconds * 1000);
        for (const auto& l : p.lines) {
          float x0 = l.box[0].x, y0 = l.box[0].y, x1 = x0, y1 = y0;
          for (const auto& pt : l.box) {
            x0 = std::min(x0, pt.x), y0 = std::min(y0, pt.y), x1 = std::max(x1, pt.x), y1 = std::max(y1, pt.y);
          }
          std::cout << fmt::format("{:.2f}{} [{:.0f},{:.0f},{:.0f},{:.0f}] {}\n", l.confidence,
                                   l.low_confidence ? "?" : " ", x0, y0, x1, y1, l.text);
        }
      }
    }
    if (args->json) std::cout << nlohmann::json{{"files", files}}.dump() << "\n";
    return failed ? 1 : 0;
  };
}

CommandRegistrar reg{{"ocr", "Read text from images and scanned PDF pages (PaddleOCR on ONNX Runtime)", setup_ocr, {"ragrt ocr scan.png", "ragrt ocr scanned.pdf --json"}}};

}  // namespace
}  // namespace ragrt::cli
