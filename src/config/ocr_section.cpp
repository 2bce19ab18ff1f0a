// The `ocr:` section: whether `ragrt index` reads images and PDF pages without a text layer with
// PaddleOCR, and with which models and thresholds (see include/ragrt/ocr.h for each key).
#include "ragrt/rag_config.h"
#include "runtime/session_params_yaml.h"

namespace ragrt {

std::optional<OcrParams> read_ocr_config(const config::YamlReader& r, const YAML::Node& n) {
  OcrParams p;
  if (!n) return p;  // on by default: the models load only when a file needs them
  if (n.IsScalar()) {
    if (!r.boolean(n, "ocr")) return std::nullopt;
    return p;
  }
  r.require_map(n, "ocr");
  r.only_keys(n, "ocr", {"enabled", "model_dir", "detection_model", "classifier_model", "recognition_model",
                         "dictionary", "classify_direction", "detection_max_side", "binary_threshold", "box_threshold",
                         "unclip_ratio", "max_boxes", "direction_threshold", "space_threshold", "batch_size", "low_confidence",
                         "max_image_side", "dpi", "session"});
  if (n["enabled"] && !r.boolean(n["enabled"], "ocr.enabled")) return std::nullopt;
  if (n["model_dir"]) p.model_dir = r.path(n["model_dir"], "ocr.model_dir");
  if (n["detection_model"]) p.detection_model = r.string(n["detection_model"], "ocr.detection_model");
  if (n["classifier_model"]) p.classifier_model = r.string(n["classifier_model"], "ocr.classifier_model");
  if (n["recognition_model"]) p.recognition_model = r.string(n["recognition_model"], "ocr.recognition_model");
  if (n["dictionary"]) p.dictionary = r.string(n["dictionary"], "ocr.dictionary");
  if (n["classify_direction"] && !r.boolean(n["classify_direction"], "ocr.classify_direction")) p.classifier_model.clear();
  auto side = [&](const char* key, int& out) {
    if (n[key]) out = static_cast<int>(r.count(n[key], std::string("ocr.") + key, 32));
  };
  side("detection_max_side", p.detection_max_side);
  side("max_image_side", p.max_image_side);
  auto fraction = [&](const char* key, float& out) {
    if (!n[key]) return;
    const double v = r.number(n[key], std::string("ocr.") + key);
    if (v < 0 || v > 1) r.fail(n[key], std::string("ocr.") + key, "must be between 0 and 1");
    out = static_cast<float>(v);
  };
  fraction("binary_threshold", p.binary_threshold);
  fraction("box_threshold", p.box_threshold);
  fraction("direction_threshold", p.direction_threshold);
  fraction("low_confidence", p.low_confidence);
  fraction("space_threshold", p.space_threshold);
  if (n["unclip_ratio"]) {
    p.unclip_ratio = static_cast<float>(r.number(n["unclip_ratio"], "ocr.unclip_ratio"));
    if (p.unclip_ratio <= 0) r.fail(n["unclip_ratio"], "ocr.unclip_ratio", "must be positive (PaddleOCR uses 1.5)");
  }
  if (n["max_boxes"]) p.max_boxes = static_cast<int>(r.count(n["max_boxes"], "ocr.max_boxes", 1));
  if (n["batch_size"]) p.batch_size = static_cast<int>(r.count(n["batch_size"], "ocr.batch_size", 1));
  if (n["dpi"]) p.pdf_dpi = static_cast<int>(r.count(n["dpi"], "ocr.dpi", 36));
  if (n["session"]) p.session = runtime::session_params_from_yaml(r, n["session"], "ocr.session");
  return p;
}

}  // namespace ragrt
