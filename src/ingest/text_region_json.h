#pragma once
// TextRegion as JSON, one shape everywhere (the chunk store, `ragrt search --json`, the server's
// citations): {"page":1,"box":[x0,y0,x1,y1],"confidence":0.98,"low_confidence":false,"begin":0,"end":12}
// with the box as fractions of the page and begin/end the line's bytes in the document text.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ragrt/document.h"

namespace ragrt::ingest {

nlohmann::json regions_to_json(const std::vector<TextRegion>& regions);
// Entries that are not objects of that shape are skipped; "" and "[]" give none.
std::vector<TextRegion> regions_from_json(const std::string& text);

}  // namespace ragrt::ingest
