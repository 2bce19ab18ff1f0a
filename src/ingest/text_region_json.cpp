#include "ingest/text_region_json.h"

namespace ragrt::ingest {

nlohmann::json regions_to_json(const std::vector<TextRegion>& regions) {
  nlohmann::json out = nlohmann::json::array();
  for (const TextRegion& r : regions) {
    out.push_back({{"page", r.page},
                   {"box", {r.x0, r.y0, r.x1, r.y1}},
                   {"confidence", r.confidence},
                   {"low_confidence", r.low_confidence},
                   {"begin", r.begin},
                   {"end", r.end}});
  }
  return out;
}

std::vector<TextRegion> regions_from_json(const std::string& text) {
  std::vector<TextRegion> out;
  if (text.empty()) return out;
  const auto j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_array()) return out;
  for (const auto& e : j) {
    if (!e.is_object() || !e.contains("box") || !e["box"].is_array() || e["box"].size() != 4) continue;
    TextRegion r;
    r.page = e.value("page", 0);
    r.x0 = e["box"][0].get<float>(), r.y0 = e["box"][1].get<float>();
    r.x1 = e["box"][2].get<float>(), r.y1 = e["box"][3].get<float>();
    r.confidence = e.value("confidence", 1.0f);
    r.low_confidence = e.value("low_confidence", false);
    r.begin = e.value("begin", size_t{0});
    r.end = e.value("end", size_t{0});
    out.push_back(r);
  }
  return out;
}

}  // namespace ragrt::ingest
