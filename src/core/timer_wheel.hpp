// TimerWheel: many one-shot deadlines (one per tunnel, session, SA...) for
// the gateway's driver loop, which then arms one OS timer at
// next_deadline(). A hierarchical wheel (Varghese & Lauck, scheme 7):
//
//   level 0: 64 slots of 1 tick        level 1: 64 slots of 64 ticks
//   level 2: 64 slots of 64^2 ticks    ...   level 10: the top 4 bits of 64
//
// A timer sits at the level of the highest 6-bit group in which its tick
// differs from the wheel's current tick, so every timer on a lower level
// expires before any timer on a higher one; when time reaches a slot of a
// higher level its timers move down (each timer moves at most 10 times in
// its life). Ticks count from `start`; tick length is configurable (1 ms by
// default); a 64-bit tick covers any Instant.
//
// Costs: schedule, cancel, reschedule O(1); advance O(levels + timers
// fired + timers moved down); next_deadline O(1) when cached, else one scan
// of the earliest non-empty slot (the cache is dropped when the earliest
// timer goes). Timers live in a pool (free list); after the pool has grown
// to the peak number of timers, schedule allocates nothing (reserve() can
// size it up front).
//
// Handles are small integers (the pool index) with a generation that changes
// every time the timer fires or is cancelled, so a stale handle never
// reaches a timer scheduled later in the same pool entry (no ABA).
//
// Precision (the contract tests check):
// - advance(now) fires exactly the timers whose deadline <= now: never
//   early, and no later than the advance call that passes the deadline.
// - next_deadline() is exactly the earliest deadline pending: never later
//   than it (and so not earlier by a tick either), kNever when empty.
// - Firing order: by tick; timers in the same tick fire in the order they
//   were scheduled (no order below one tick). Timers scheduled with a
//   deadline <= now() fire at the next advance, before the others.
//
// Sans-IO: the wheel never reads a clock; now is handed in.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

#include "core/time.hpp"

namespace l2sec {

struct TimerHandle {
  static constexpr std::uint32_t kNone = std::numeric_limits<std::uint32_t>::max();
  std::uint32_t index = kNone;   // pool entry
  std::uint32_t generation = 0;  // changes when the entry is released
  // True if the handle was ever issued (not whether the timer is pending:
  // ask TimerWheel::pending()).
  bool valid() const { return index != kNone; }
  friend bool operator==(const TimerHandle&, const TimerHandle&) = default;
};

class TimerWheel {
 public:
  static constexpr Duration kDefaultTick = std::chrono::milliseconds(1);
  static constexpr unsigned kSlotBits = 6;
  static constexpr unsigned kSlots = 1u << kSlotBits;                    // 64
  static constexpr unsigned kLevels = (64 + kSlotBits - 1) / kSlotBits;  // 11

  // tick must be > 0 (a non-positive tick is taken as 1 ns). `start` is the
  // wheel's initial now(); deadlines before it count as already due.
  explicit TimerWheel(Duration tick = kDefaultTick, Instant start = kEpoch);

  // Grows the pool to hold n timers without further allocation.
  void reserve(std::size_t n);

  // Schedules a one-shot timer; `user` is handed back when it fires (e.g. a
  // tunnel ID). A deadline <= now() fires at the next advance(). Allocates
  // only when the pool is full.
  TimerHandle schedule(Instant deadline, std::uint64_t user);
  // Removes a pending timer. Returns false (and does nothing) if the handle
  // is stale: already fired, cancelled, or never issued.
  bool cancel(TimerHandle h);
  // Moves a pending timer to a new deadline; the handle stays the same.
  // Returns false if the handle is stale.
  bool reschedule(TimerHandle h, Instant deadline);
  bool pending(TimerHandle h) const;
  // The deadline of a pending timer; kNever if the handle is stale.
  Instant deadline_of(TimerHandle h) const;

  // Sets now() to `now` (time never goes back: an earlier `now` fires what
  // is already due and leaves now() alone) and calls fire(TimerHandle,
  // std::uint64_t user) once for every timer whose deadline <= now, in the
  // order stated above. The handle is stale when fire() runs. fire() may
  // schedule, cancel and reschedule (a cancelled timer that was due does not
  // fire; a timer scheduled due fires in this same call), but must not call
  // advance(). Returns how many timers fired.
  template <class F>
  std::size_t advance(Instant now, F&& fire) {
    collect(now);
    std::size_t n = 0;
    TimerHandle h;
    std::uint64_t user = 0;
    while (pop_expired(h, user)) {
      ++n;
      fire(h, user);
    }
    return n;
  }

  // The earliest pending deadline (exact), kNever when no timer is pending.
  Instant next_deadline() const;

  std::size_t size() const { return live_; }
  // Pool entries (pending + free): stays put in steady state.
  std::size_t capacity() const { return nodes_.size(); }
  bool empty() const { return live_ == 0; }
  Instant now() const { return now_; }
  Duration tick() const { return tick_; }

 private:
  static constexpr std::uint32_t kNil = std::numeric_limits<std::uint32_t>::max();
  static constexpr std::uint16_t kExpiredList = kLevels * kSlots;
  static constexpr std::uint16_t kNoList = kExpiredList + 1;  // free entry
  static constexpr std::size_t kLists = kLevels * kSlots + 1;

  struct Node {
    Instant deadline{};
    std::uint64_t tick = 0;
    std::uint64_t user = 0;
    std::uint32_t prev = kNil;
    std::uint32_t next = kNil;
    std::uint32_t generation = 0;
    std::uint16_t list = kNoList;
  };
  struct List {
    std::uint32_t head = kNil;
    std::uint32_t tail = kNil;
  };
  struct Slot {
    unsigned level;
    unsigned index;
    std::uint64_t start;  // first tick the slot covers
  };

  std::uint64_t tick_of(Instant t) const;
  bool live(TimerHandle h) const;
  std::uint32_t alloc();
  void release(std::uint32_t i);
  void push_back(std::uint16_t list, std::uint32_t i);
  void unlink(std::uint32_t i);
  // Puts a timer on the wheel relative to elapsed_ (or on the expired list
  // when its deadline is not after now_).
  void place(std::uint32_t i);
  void place_on_wheel(std::uint32_t i);
  bool earliest_slot(Slot& s) const;
  void collect(Instant now);
  bool pop_expired(TimerHandle& h, std::uint64_t& user);
  void forget_if_earliest(Instant deadline);
  void note_new(Instant deadline);

  Duration tick_;
  Instant start_;
  Instant now_;
  std::uint64_t elapsed_ = 0;  // tick of now_
  std::size_t live_ = 0;
  std::vector<Node> nodes_;
  std::uint32_t free_ = kNil;
  std::array<List, kLists> lists_{};
  std::array<std::uint64_t, kLevels> occupied_{};  // bit per non-empty slot
  mutable Instant cached_next_ = kNever;
  mutable bool cache_valid_ = true;
};

}  // namespace l2sec
