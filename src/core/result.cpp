#include "core/result.hpp"

namespace l2sec {

std::string_view errc_name(Errc c) noexcept {
  switch (c) {
    case Errc::truncated: return "truncated";
    case Errc::malformed: return "malformed";
    case Errc::unsupported: return "unsupported";
    case Errc::out_of_range: return "out of range";
    case Errc::invalid_state: return "invalid state";
    case Errc::not_found: return "not found";
    case Errc::exists: return "exists";
    case Errc::no_resources: return "no resources";
    case Errc::auth_failed: return "authentication failed";
    case Errc::io: return "I/O error";
  }
  return "unknown";
}

}  // namespace l2sec
