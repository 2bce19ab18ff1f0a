#include "server/http_error.h"

#include "ragrt/error.h"

namespace ragrt::server {

nlohmann::ordered_json HttpError::body() const {
  using json = nlohmann::ordered_json;
  return {{"error",
           {{"message", what()},
            {"type", type_},
            {"param", param_.empty() ? json(nullptr) : json(param_)},
            {"code", code_.empty() ? json(nullptr) : json(code_)}}}};
}

HttpError to_http_error(std::exception_ptr e) {
  try {
    std::rethrow_exception(e);
  } catch (const HttpError& h) {
    return h;
  } catch (const Error& r) {
    // Only a bad request is the client's doing; a missing file or model behind a route is the
    // server's (routes answer 404 for what the client named themselves).
    if (r.kind() == ErrorKind::kInvalidArgument) return HttpError(400, "invalid_request_error", r.what());
    return HttpError(500, "server_error", r.what());
  } catch (const std::exception& x) {
    return HttpError(500, "server_error", x.what());
  } catch (...) {
    return HttpError(500, "server_error", "unknown error");
  }
}

}  // namespace ragrt::server
