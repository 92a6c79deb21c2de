// ESP anti-replay window: RFC 4303 §3.4.3 and Appendix A2.3, RFC 6479.
#include "esp/replay_window.hpp"

#include <bit>

namespace l2sec::esp {

Result<ReplayWindow> ReplayWindow::create(std::uint32_t size, bool esn, std::uint64_t floor) {
  if (size < kMinSize || size > kMaxSize || size % 64 != 0)
    return Error{Errc::out_of_range, "replay window: size must be a multiple of 64 in 64..4096"};
  // RFC 6479: one block more than the window, so the oldest block in the
  // window survives while the newest block is being filled.
  const std::size_t blocks = std::bit_ceil(std::size_t{size / 64} + 1);
  ReplayWindow w(size, esn, blocks);
  if (!esn && floor > UINT32_MAX) floor = UINT32_MAX;
  if (floor != 0) {
    // As if every number up to the floor had arrived: every block of the
    // ring stands for numbers at or below it (all bits set), except that in
    // the floor's own block the bits above the floor stand for numbers not
    // yet received (clear), which later packets may still take.
    w.top_ = floor;
    for (auto& b : w.bits_) b = ~std::uint64_t{0};
    const unsigned bit = static_cast<unsigned>(floor & 63);
    w.block_of(floor) = bit == 63 ? ~std::uint64_t{0} : (std::uint64_t{1} << (bit + 1)) - 1;
  }
  return w;
}

ReplayWindow::ReplayWindow(std::uint32_t size, bool esn, std::size_t blocks)
    : bits_(blocks, 0), mask_(blocks - 1), size_(size), esn_(esn) {}

}  // namespace l2sec::esp
