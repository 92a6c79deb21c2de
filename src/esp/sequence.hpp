// ESP sender sequence number (RFC 4303 §2.2, §3.3.3).
//
// Contract:
// - The first number is 1 (the counter starts at 0 when the SA is set up and
//   is incremented before each packet).
// - The counter never cycles (§3.3.3): without ESN the last number sent is
//   2^32 - 1, with ESN 2^64 - 1. After that next() refuses with
//   Errc::no_resources and counts esp_tx_seq_exhausted: the SA must be
//   replaced (rekeyed) before anything else is sent on it.
// - soft_limit_reached() turns true once a configurable number has been
//   sent, so the SA can ask for a rekey well before exhaustion.
// - Reservation (persistent state for manually keyed SAs, whose counter must
//   not start again at 1 after a restart): next() hands out numbers up to
//   reserved() only; beyond it it refuses with Errc::invalid_state and counts
//   esp_tx_unreserved, until the owner has durably recorded a higher mark and
//   called reserve(). The counter never touches storage itself. Without a
//   call to reserve() the reservation is unlimited (reserved() == max()).
// - Sans-IO, no allocation; one instance per outbound SA.
#pragma once

#include <cstdint>

#include "core/counters.hpp"
#include "core/result.hpp"

namespace l2sec::esp {

class SequenceCounter {
 public:
  // From the specification: the largest number that may be sent.
  static constexpr std::uint64_t kMax32 = UINT32_MAX;
  static constexpr std::uint64_t kMax64 = UINT64_MAX;
  // Our choice: ask for a rekey 2^24 (2^56 with ESN) numbers before the end.
  static constexpr std::uint64_t kDefaultSoft32 = (std::uint64_t{1} << 32) - (std::uint64_t{1} << 24);
  static constexpr std::uint64_t kDefaultSoft64 = UINT64_MAX - (std::uint64_t{1} << 56) + 1;

  // Soft limit: the number from which soft_limit_reached() is true
  // (0: the default for the mode). A limit above the maximum never triggers.
  // last: the number already sent (restored state, tests); clamped to max().
  explicit SequenceCounter(bool esn, std::uint64_t soft_limit = 0, std::uint64_t last = 0) noexcept;

  // The next number to put in the packet (its low 32 bits go on the wire),
  // or Errc::no_resources once the counter would cycle (esp_tx_seq_exhausted),
  // or Errc::invalid_state when it would pass reserved() (esp_tx_unreserved).
  Result<std::uint64_t> next(Counters& counters) noexcept;

  // Numbers up to `until` may be handed out (clamped to [last(), max()]: a
  // number already sent cannot be taken back). May lower the mark too (a
  // clean shutdown ends the reservation at last()).
  void reserve(std::uint64_t until) noexcept;
  // The highest number next() may hand out.
  std::uint64_t reserved() const noexcept { return reserved_; }
  // True when fewer than `margin` reserved numbers are left (with margin 0:
  // none left) and a higher mark is still possible, so the owner persists a
  // new mark before (margin > 0) or when (margin 0) the SA runs dry.
  bool needs_reservation(std::uint64_t margin = 0) const noexcept {
    return reserved_ < max() && (reserved_ == last_ || reserved_ - last_ < margin);
  }

  // The last number handed out (0: none yet).
  std::uint64_t last() const noexcept { return last_; }
  std::uint64_t max() const noexcept { return esn_ ? kMax64 : kMax32; }
  bool exhausted() const noexcept { return last_ == max(); }
  bool soft_limit_reached() const noexcept { return last_ >= soft_limit_; }
  bool esn() const noexcept { return esn_; }

 private:
  std::uint64_t last_ = 0;
  std::uint64_t reserved_;  // highest number next() may hand out
  std::uint64_t soft_limit_;
  bool esn_;
};

}  // namespace l2sec::esp
