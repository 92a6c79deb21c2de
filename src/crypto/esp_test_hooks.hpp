// Test-only access to ESP transforms: force the IV of the next seal() so
// that published ESP packets reproduce byte for byte. A provider's
// transform may implement this interface; tests reach it by dynamic_cast
// and skip the seal-side vector check when it is absent. Never used by
// production code.
#pragma once

#include "core/wire.hpp"

namespace l2sec::crypto {

class EspIvOverride {
 public:
  virtual ~EspIvOverride() = default;
  // The next seal() writes `iv` (must be iv_size() octets) instead of a
  // fresh one; later seals go back to normal.
  virtual void set_next_iv_for_test(Bytes iv) = 0;
};

}  // namespace l2sec::crypto
