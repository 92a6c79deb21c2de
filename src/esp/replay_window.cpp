// ESP anti-replay window: RFC 4303 §3.4.3 and Appendix A2.3, RFC 6479.
#include "esp/replay_window.hpp"

#include <bit>

namespace l2sec::esp {

Result<ReplayWindow> ReplayWindow::create(std::uint32_t size, bool esn) {
  if (size < kMinSize || size > kMaxSize || size % 64 != 0)
    return Error{Errc::out_of_range, "replay window: size must be a multiple of 64 in 64..4096"};
  // RFC 6479: one block more than the window, so the oldest block in the
  // window survives while the newest block is being filled.
  const std::size_t blocks = std::bit_ceil(std::size_t{size / 64} + 1);
  return ReplayWindow(size, esn, blocks);
}

ReplayWindow::ReplayWindow(std::uint32_t size, bool esn, std::size_t blocks)
    : bits_(blocks, 0), mask_(blocks - 1), size_(size), esn_(esn) {}

}  // namespace l2sec::esp
