// Time as the engines see it: an Instant handed in by the caller. The clock
// type has no now(): nothing below src/app and the underlays can read the
// time, so every engine runs the same under the simulator and in real life.
#pragma once

#include <chrono>
#include <cstdint>

namespace l2sec {

struct EngineClock {
  using rep = std::int64_t;
  using period = std::nano;
  using duration = std::chrono::duration<rep, period>;
  using time_point = std::chrono::time_point<EngineClock>;
  static constexpr bool is_steady = true;
};

using Instant = EngineClock::time_point;
using Duration = EngineClock::duration;

inline constexpr Instant kNever = Instant::max();
inline constexpr Instant kEpoch = Instant{};

using namespace std::chrono_literals;

constexpr Instant earliest(Instant a, Instant b) { return a < b ? a : b; }

}  // namespace l2sec
