// ESP anti-replay window (RFC 4303 §3.4.3, Appendix A) with the bitmap of
// RFC 6479 and Extended Sequence Numbers (RFC 4303 Appendix A2).
//
// Contract:
// - Sans-IO, no allocation after create(), no clock. One instance per
//   inbound SA; not thread-safe (one engine owns it).
// - check(seq_lo) infers the full 64-bit sequence number (RFC 4303 A2.3:
//   Seqh from the low 32 bits received and the window) and says whether it
//   could be accepted. It does NOT change the window: it runs before the ICV
//   is verified (§3.4.3), so a forged packet cannot move the window.
// - accept(seq) runs after the ICV verified. It checks again (another packet
//   with the same number may have been accepted since check()) and then
//   marks seq as received, sliding the window if seq is the new highest.
// - The window holds W numbers: with T the highest accepted, T-W+1 .. T are
//   judged by their bit; T-W and below are too old; above T is new.
// - Sequence number 0 is never valid (the sender's first packet is 1,
//   §3.3.3), with or without ESN; it is reported as too_old.
// - Without ESN the high 32 bits are always 0.
// - A floor (create()) restores a persisted top after a restart: the window
//   starts as if every number up to it had been received, so each is refused
//   (too_old, or duplicate inside the window) and the high half for ESN is
//   inferred from it.
//
// RFC 6479 bitmap: the window is a ring of 64-bit blocks, one more block than
// W/64 (rounded up to a power of two so the ring index is a mask). Bit b of
// block k stands for the sequence number whose index (seq >> 6) maps to k,
// bit (seq & 63). When the highest number moves to a later block, only the
// blocks it passes over are cleared ("lazy" clearing); the extra block lets
// the oldest block stay valid while the newest fills.
#pragma once

#include <cassert>
#include <cstdint>
#include <optional>
#include <vector>

#include "core/counters.hpp"
#include "core/result.hpp"

namespace l2sec::esp {

enum class ReplayStatus : std::uint8_t {
  ok,         // not received yet and inside (or right of) the window
  duplicate,  // already received                   -> Ctr::esp_rx_replayed
  too_old,    // left of the window (or number 0)    -> Ctr::esp_rx_too_old
};

// The counter that a drop with this status increments (ok has none: asserts).
inline Ctr replay_counter(ReplayStatus s) noexcept {
  assert(s != ReplayStatus::ok);
  return s == ReplayStatus::duplicate ? Ctr::esp_rx_replayed : Ctr::esp_rx_too_old;
}

struct ReplayCheck {
  std::uint64_t seq = 0;  // the inferred full sequence number (valid if ok)
  ReplayStatus status = ReplayStatus::ok;
};

class ReplayWindow {
 public:
  // From the specification (RFC 4303 §3.4.3): 32 minimum, 64 default.
  // Our choice: 64..4096 packets in steps of 64 (whole bitmap blocks).
  static constexpr std::uint32_t kMinSize = 64;
  static constexpr std::uint32_t kMaxSize = 4096;
  static constexpr std::uint32_t kDefaultSize = 64;

  // Errc::out_of_range unless size is a multiple of 64 in [64, 4096].
  // `floor`: every number up to it counts as received (0: none; without
  // ESN clamped to 2^32 - 1).
  static Result<ReplayWindow> create(std::uint32_t size, bool esn, std::uint64_t floor = 0);

  // Pure: infers the full number and classifies it; the window is unchanged.
  ReplayCheck classify(std::uint32_t seq_lo) const noexcept;

  // classify() that counts drops: the candidate full sequence number, or
  // nullopt after incrementing esp_rx_replayed or esp_rx_too_old.
  std::optional<std::uint64_t> check(std::uint32_t seq_lo, Counters& counters) const noexcept;

  // Pure: the status of a full 64-bit number (the re-check of accept()).
  ReplayStatus status(std::uint64_t seq) const noexcept;

  // After the ICV verified: marks seq received. Returns false (and counts
  // the drop) if seq is a duplicate or too old by now.
  bool accept(std::uint64_t seq, Counters& counters) noexcept;

  std::uint32_t size() const noexcept { return size_; }
  bool esn() const noexcept { return esn_; }
  // The highest accepted number (0: none yet).
  std::uint64_t top() const noexcept { return top_; }

 private:
  ReplayWindow(std::uint32_t size, bool esn, std::size_t blocks);

  std::uint64_t& block_of(std::uint64_t seq) noexcept { return bits_[(seq >> 6) & mask_]; }
  std::uint64_t block_of(std::uint64_t seq) const noexcept { return bits_[(seq >> 6) & mask_]; }

  std::vector<std::uint64_t> bits_;  // ring of blocks; size is a power of two
  std::uint64_t mask_ = 0;           // bits_.size() - 1
  std::uint64_t top_ = 0;            // highest accepted sequence number
  std::uint32_t size_ = 0;           // W
  bool esn_ = false;
};

// ---- the per-packet path, inline: a call per packet costs more than the
// work (bench/replay_window_bench.cpp) ----

inline ReplayStatus ReplayWindow::status(std::uint64_t seq) const noexcept {
  if (seq == 0) return ReplayStatus::too_old;                   // never sent (§3.3.3)
  if (!esn_ && seq > UINT32_MAX) return ReplayStatus::too_old;  // cannot exist
  if (seq > top_) return ReplayStatus::ok;
  if (top_ - seq >= size_) return ReplayStatus::too_old;
  const std::uint64_t bit = std::uint64_t{1} << (seq & 63);
  return (block_of(seq) & bit) != 0 ? ReplayStatus::duplicate : ReplayStatus::ok;
}

// RFC 4303 Appendix A2.3. Tl, Th: low and high halves of the highest
// accepted number; arithmetic on the low half is mod 2^32.
//
//   Case A (Tl >= W - 1): the window lies within one Seqh.
//     Seql >= Tl - W + 1  -> Seqh = Th      (in the window, or right of it)
//     else                -> Seqh = Th + 1  (Seql wrapped past 2^32)
//   Case B (Tl <  W - 1): the window straddles a 2^32 boundary.
//     Seql >= Tl - W + 1  -> Seqh = Th - 1  (left part, before the wrap)
//     else                -> Seqh = Th      (right part, or right of it)
inline ReplayCheck ReplayWindow::classify(std::uint32_t seq_lo) const noexcept {
  if (!esn_) return {seq_lo, status(seq_lo)};

  const auto tl = static_cast<std::uint32_t>(top_);
  const auto th = static_cast<std::uint32_t>(top_ >> 32);
  const std::uint32_t w = size_;
  const std::uint32_t bottom = tl - w + 1;  // mod 2^32
  std::uint64_t seq_hi = 0;
  if (tl >= w - 1) {  // Case A
    if (seq_lo >= bottom) {
      seq_hi = th;
    } else {
      if (th == UINT32_MAX) return {0, ReplayStatus::too_old};  // would pass 2^64
      seq_hi = std::uint64_t{th} + 1;
    }
  } else {  // Case B
    if (seq_lo >= bottom) {
      // Before the first wrap there is no Th - 1: such a number was never sent.
      if (th == 0) return {0, ReplayStatus::too_old};
      seq_hi = std::uint64_t{th} - 1;
    } else {
      seq_hi = th;
    }
  }
  const std::uint64_t seq = (seq_hi << 32) | seq_lo;
  return {seq, status(seq)};
}

inline std::optional<std::uint64_t> ReplayWindow::check(std::uint32_t seq_lo,
                                                        Counters& counters) const noexcept {
  const ReplayCheck c = classify(seq_lo);
  if (c.status != ReplayStatus::ok) {
    counters.inc(replay_counter(c.status));
    return std::nullopt;
  }
  return c.seq;
}

inline bool ReplayWindow::accept(std::uint64_t seq, Counters& counters) noexcept {
  const ReplayStatus s = status(seq);
  if (s != ReplayStatus::ok) {
    counters.inc(replay_counter(s));
    return false;
  }
  if (seq > top_) {
    // RFC 6479: clear the blocks between the old top's block and the new
    // one (all of them if the jump is at least the whole ring).
    const std::uint64_t from = top_ >> 6;
    const std::uint64_t to = seq >> 6;
    if (to - from > mask_) {
      for (auto& b : bits_) b = 0;
    } else {
      for (std::uint64_t k = from + 1; k <= to; ++k) bits_[k & mask_] = 0;
    }
    top_ = seq;
  }
  block_of(seq) |= std::uint64_t{1} << (seq & 63);
  return true;
}

}  // namespace l2sec::esp
