#include "core/timer_wheel.hpp"

#include <bit>
#include <cassert>

namespace l2sec {

TimerWheel::TimerWheel(Duration tick, Instant start)
    : tick_(tick > Duration::zero() ? tick : Duration(1)), start_(start), now_(start) {}

void TimerWheel::reserve(std::size_t n) {
  if (n <= nodes_.size()) return;
  const auto old = static_cast<std::uint32_t>(nodes_.size());
  nodes_.resize(n);
  // Chain the new entries in front of the free list, lowest index first.
  for (std::uint32_t i = static_cast<std::uint32_t>(n); i-- > old;) {
    nodes_[i].next = free_;
    free_ = i;
  }
}

std::uint64_t TimerWheel::tick_of(Instant t) const {
  if (t <= start_) return 0;
  // Unsigned difference: exact even when it exceeds the signed range.
  const std::uint64_t ns = static_cast<std::uint64_t>(t.time_since_epoch().count()) -
                           static_cast<std::uint64_t>(start_.time_since_epoch().count());
  return ns / static_cast<std::uint64_t>(tick_.count());
}

bool TimerWheel::live(TimerHandle h) const {
  return h.index < nodes_.size() && nodes_[h.index].generation == h.generation &&
         nodes_[h.index].list != kNoList;
}

bool TimerWheel::pending(TimerHandle h) const { return live(h); }

Instant TimerWheel::deadline_of(TimerHandle h) const { return live(h) ? nodes_[h.index].deadline : kNever; }

std::uint32_t TimerWheel::alloc() {
  if (free_ == kNil) reserve(nodes_.empty() ? 64 : nodes_.size() * 2);
  const std::uint32_t i = free_;
  free_ = nodes_[i].next;
  ++live_;
  return i;
}

void TimerWheel::release(std::uint32_t i) {
  Node& n = nodes_[i];
  n.list = kNoList;
  ++n.generation;
  n.prev = kNil;
  n.next = free_;
  free_ = i;
  --live_;
}

void TimerWheel::push_back(std::uint16_t list, std::uint32_t i) {
  Node& n = nodes_[i];
  List& l = lists_[list];
  n.list = list;
  n.next = kNil;
  n.prev = l.tail;
  if (l.tail != kNil)
    nodes_[l.tail].next = i;
  else
    l.head = i;
  l.tail = i;
  if (list != kExpiredList) occupied_[list / kSlots] |= std::uint64_t{1} << (list % kSlots);
}

void TimerWheel::unlink(std::uint32_t i) {
  Node& n = nodes_[i];
  List& l = lists_[n.list];
  if (n.prev != kNil)
    nodes_[n.prev].next = n.next;
  else
    l.head = n.next;
  if (n.next != kNil)
    nodes_[n.next].prev = n.prev;
  else
    l.tail = n.prev;
  if (l.head == kNil && n.list != kExpiredList)
    occupied_[n.list / kSlots] &= ~(std::uint64_t{1} << (n.list % kSlots));
  n.prev = n.next = kNil;
}

void TimerWheel::place_on_wheel(std::uint32_t i) {
  const std::uint64_t t = nodes_[i].tick;
  assert(t >= elapsed_);
  const std::uint64_t diff = t ^ elapsed_;
  const unsigned level = diff == 0 ? 0 : static_cast<unsigned>(63 - std::countl_zero(diff)) / kSlotBits;
  const unsigned slot = static_cast<unsigned>(t >> (level * kSlotBits)) & (kSlots - 1);
  push_back(static_cast<std::uint16_t>(level * kSlots + slot), i);
}

void TimerWheel::place(std::uint32_t i) {
  if (nodes_[i].deadline <= now_)
    push_back(kExpiredList, i);
  else
    place_on_wheel(i);
}

void TimerWheel::note_new(Instant deadline) {
  if (cache_valid_ && deadline < cached_next_) cached_next_ = deadline;
}

void TimerWheel::forget_if_earliest(Instant deadline) {
  if (cache_valid_ && deadline <= cached_next_) cache_valid_ = false;
}

TimerHandle TimerWheel::schedule(Instant deadline, std::uint64_t user) {
  const std::uint32_t i = alloc();
  Node& n = nodes_[i];
  n.deadline = deadline;
  n.tick = tick_of(deadline);
  n.user = user;
  place(i);
  note_new(deadline);
  return TimerHandle{i, n.generation};
}

bool TimerWheel::cancel(TimerHandle h) {
  if (!live(h)) return false;
  forget_if_earliest(nodes_[h.index].deadline);
  unlink(h.index);
  release(h.index);
  return true;
}

bool TimerWheel::reschedule(TimerHandle h, Instant deadline) {
  if (!live(h)) return false;
  Node& n = nodes_[h.index];
  forget_if_earliest(n.deadline);
  unlink(h.index);
  n.deadline = deadline;
  n.tick = tick_of(deadline);
  place(h.index);
  note_new(deadline);
  return true;
}

// The earliest non-empty slot: on the lowest non-empty level, the first
// occupied slot at or after the current position (timers never sit behind
// it: their tick is >= elapsed_ and agrees with it above their level).
bool TimerWheel::earliest_slot(Slot& s) const {
  for (unsigned level = 0; level < kLevels; ++level) {
    const std::uint64_t bits = occupied_[level];
    if (bits == 0) continue;
    const unsigned shift = level * kSlotBits;
    const unsigned pos = static_cast<unsigned>(elapsed_ >> shift) & (kSlots - 1);
    const std::uint64_t ahead = bits & (~std::uint64_t{0} << pos);
    assert(ahead != 0);
    s.level = level;
    s.index = static_cast<unsigned>(std::countr_zero(ahead));
    const unsigned above = shift + kSlotBits;
    const std::uint64_t high = above >= 64 ? 0 : (elapsed_ >> above) << above;
    s.start = high | (std::uint64_t{s.index} << shift);
    return true;
  }
  return false;
}

void TimerWheel::collect(Instant now) {
  if (now < now_) now = now_;  // time never goes back
  const std::uint64_t target = tick_of(now);
  Slot s;
  // Empty every slot that starts before the current tick, earliest first:
  // level 0 slots are due as a whole; higher slots move their timers down.
  while (earliest_slot(s) && s.start <= target && !(s.level == 0 && s.start == target)) {
    const auto list = static_cast<std::uint16_t>(s.level * kSlots + s.index);
    std::uint32_t i = lists_[list].head;
    lists_[list] = List{};
    occupied_[s.level] &= ~(std::uint64_t{1} << s.index);
    elapsed_ = s.start;
    while (i != kNil) {
      const std::uint32_t next = nodes_[i].next;
      if (s.level == 0)
        push_back(kExpiredList, i);
      else
        place_on_wheel(i);
      i = next;
    }
  }
  elapsed_ = target;
  now_ = now;
  // The current tick: only what is due by now, in scheduling order.
  const auto cur = static_cast<std::uint16_t>(target & (kSlots - 1));
  for (std::uint32_t i = lists_[cur].head; i != kNil;) {
    const std::uint32_t next = nodes_[i].next;
    if (nodes_[i].deadline <= now_) {
      unlink(i);
      push_back(kExpiredList, i);
    }
    i = next;
  }
}

bool TimerWheel::pop_expired(TimerHandle& h, std::uint64_t& user) {
  const std::uint32_t i = lists_[kExpiredList].head;
  if (i == kNil) return false;
  forget_if_earliest(nodes_[i].deadline);
  unlink(i);
  h = TimerHandle{i, nodes_[i].generation};
  user = nodes_[i].user;
  release(i);
  return true;
}

Instant TimerWheel::next_deadline() const {
  if (cache_valid_) return cached_next_;
  // Due timers (scheduled in the past) come first; else the earliest slot
  // holds the earliest timer.
  std::uint32_t i = lists_[kExpiredList].head;
  if (i == kNil) {
    Slot s;
    if (earliest_slot(s)) i = lists_[s.level * kSlots + s.index].head;
  }
  Instant best = kNever;
  for (; i != kNil; i = nodes_[i].next) best = earliest(best, nodes_[i].deadline);
  cached_next_ = best;
  cache_valid_ = true;
  return best;
}

}  // namespace l2sec
