// Fuzz target: the ESP anti-replay window (src/esp/replay_window.hpp).
// Input: byte 0 picks the window size ((b & 63) + 1) * 64 and ESN (b & 64);
// then records of 5 bytes: a 32-bit big-endian low sequence number and a
// byte whose low bit says whether the "ICV" verified (accept or not).
// Invariants, checked against a std::set of everything accepted:
// - a number is accepted at most once, and accept() agrees with check();
// - check() never changes the window; the top never goes down;
// - a candidate carries the received low 32 bits, is never 0, and without
//   ESN never exceeds 2^32 - 1;
// - a number that has not been accepted and is W-1 or less behind the top
//   is never refused (as a full number).
// Violations trap (__builtin_trap). Corpus: tests/fuzz/replay/.
#include <cstdint>
#include <set>

#include "esp/replay_window.hpp"

#define REPLAY_CHECK(cond)     \
  do {                         \
    if (!(cond)) __builtin_trap(); \
  } while (0)

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace l2sec;
  using namespace l2sec::esp;
  if (size < 1) return 0;
  const std::uint32_t wsize = (std::uint32_t{data[0]} % 64 + 1) * 64;
  const bool esn = (data[0] & 64) != 0;
  auto created = ReplayWindow::create(wsize, esn);
  REPLAY_CHECK(created.ok());
  ReplayWindow w = std::move(created).value();
  Counters c;
  std::set<std::uint64_t> accepted;
  for (std::size_t i = 1; i + 5 <= size; i += 5) {
    const std::uint32_t lo = (std::uint32_t{data[i]} << 24) | (std::uint32_t{data[i + 1]} << 16) |
                             (std::uint32_t{data[i + 2]} << 8) | data[i + 3];
    const bool icv_ok = (data[i + 4] & 1) != 0;
    const std::uint64_t top_before = w.top();
    const ReplayCheck rc = w.classify(lo);
    const auto got = w.check(lo, c);
    REPLAY_CHECK(w.top() == top_before);
    REPLAY_CHECK(got.has_value() == (rc.status == ReplayStatus::ok));
    if (got) {
      REPLAY_CHECK(*got == rc.seq);
      REPLAY_CHECK(static_cast<std::uint32_t>(*got) == lo);
      REPLAY_CHECK(*got != 0);
      REPLAY_CHECK(esn || *got <= UINT32_MAX);
      REPLAY_CHECK(accepted.count(*got) == 0);
      if (icv_ok) {
        REPLAY_CHECK(w.accept(*got, c));
        accepted.insert(*got);
        REPLAY_CHECK(!w.accept(*got, c));  // a second copy loses the race
        REPLAY_CHECK(w.status(*got) == ReplayStatus::duplicate);
        REPLAY_CHECK(w.top() >= top_before && w.top() >= *got);
      }
    } else if (rc.status == ReplayStatus::duplicate) {
      REPLAY_CHECK(accepted.count(rc.seq) == 1);
    }
    // Nothing fresh inside the window is refused: probe the numbers just
    // behind the top and the oldest one still inside.
    const std::uint64_t top = w.top();
    for (std::uint64_t back : {std::uint64_t{1}, std::uint64_t{wsize} - 1, std::uint64_t{wsize}}) {
      if (back > top) continue;
      const std::uint64_t s = top - back;
      const ReplayStatus st = w.status(s);
      if (s == 0 || back >= wsize) {
        REPLAY_CHECK(st == ReplayStatus::too_old);
      } else {
        REPLAY_CHECK(st == (accepted.count(s) != 0 ? ReplayStatus::duplicate : ReplayStatus::ok));
      }
    }
  }
  return 0;
}
