// TimerWheel: firing order, cancel / reschedule, handles, far-future timers
// on every level, exact next_deadline(), and 100k random timers checked
// against a reference model (seeded; the seed is printed on failure).
#include "core/timer_wheel.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <set>
#include <vector>

namespace l2sec {
namespace {

using std::chrono::hours;
using std::chrono::microseconds;
using std::chrono::milliseconds;
using std::chrono::nanoseconds;
using std::chrono::seconds;

constexpr Instant kStart = kEpoch + hours(24);
Instant ms(std::int64_t v) { return kStart + milliseconds(v); }
Instant us(std::int64_t v) { return kStart + microseconds(v); }

struct Fired {
  std::uint64_t user;
  Instant at;
};

// Advances and records what fired and when.
std::vector<Fired> advance(TimerWheel& w, Instant now) {
  std::vector<Fired> out;
  w.advance(now, [&](TimerHandle, std::uint64_t user) { out.push_back({user, now}); });
  return out;
}
std::vector<std::uint64_t> users(const std::vector<Fired>& f) {
  std::vector<std::uint64_t> u;
  for (const auto& x : f) u.push_back(x.user);
  return u;
}

TEST(TimerWheel, FiresInDeadlineOrderWhateverTheSchedulingOrder) {
  TimerWheel w(milliseconds(1), kStart);
  w.schedule(ms(50), 50);
  w.schedule(ms(10), 10);
  w.schedule(us(30'500), 30);
  w.schedule(ms(3000), 3000);
  w.schedule(us(10'700), 11);  // same tick as 10 ms: scheduling order
  w.schedule(ms(64), 64);      // level-0 / level-1 boundary
  w.schedule(ms(63), 63);
  EXPECT_EQ(w.size(), 7u);
  EXPECT_EQ(users(advance(w, ms(9))), std::vector<std::uint64_t>{});
  EXPECT_EQ(users(advance(w, ms(5000))), (std::vector<std::uint64_t>{10, 11, 30, 50, 63, 64, 3000}));
  EXPECT_TRUE(w.empty());
  EXPECT_EQ(w.next_deadline(), kNever);
  EXPECT_EQ(w.now(), ms(5000));
}

TEST(TimerWheel, NeverEarlyAndNextDeadlineIsExact) {
  TimerWheel w(milliseconds(1), kStart);
  w.schedule(us(10'400), 1);
  EXPECT_EQ(w.next_deadline(), us(10'400));
  EXPECT_TRUE(advance(w, ms(10)).empty());
  EXPECT_TRUE(advance(w, us(10'399)).empty());  // same tick, not yet due
  EXPECT_EQ(w.next_deadline(), us(10'400));
  auto f = advance(w, us(10'400));
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].user, 1u);
  // A later timer in the tick already being processed.
  w.schedule(us(10'900), 2);
  w.schedule(us(10'600), 3);
  EXPECT_EQ(w.next_deadline(), us(10'600));
  EXPECT_EQ(users(advance(w, us(10'700))), std::vector<std::uint64_t>{3});
  EXPECT_EQ(w.next_deadline(), us(10'900));
  EXPECT_EQ(users(advance(w, us(10'900))), std::vector<std::uint64_t>{2});
}

TEST(TimerWheel, DeadlineInThePastFiresAtTheNextAdvanceFirst) {
  TimerWheel w(milliseconds(1), kStart);
  w.schedule(ms(5), 5);
  (void)advance(w, ms(100));
  w.schedule(ms(200), 200);
  w.schedule(ms(40), 40);    // already past
  w.schedule(ms(100), 100);  // exactly now: due
  EXPECT_EQ(w.next_deadline(), ms(40));
  EXPECT_EQ(users(advance(w, ms(100))), (std::vector<std::uint64_t>{40, 100}));
  EXPECT_EQ(w.next_deadline(), ms(200));
  TimerWheel w2(milliseconds(1), kStart);
  w2.schedule(kStart - seconds(1), 1);  // before the wheel's start
  EXPECT_EQ(users(advance(w2, kStart)), std::vector<std::uint64_t>{1});
}

TEST(TimerWheel, CancelAndStaleHandles) {
  TimerWheel w(milliseconds(1), kStart);
  TimerHandle a = w.schedule(ms(10), 1);
  TimerHandle b = w.schedule(ms(20), 2);
  EXPECT_EQ(a.index, 0u);  // small integers
  EXPECT_EQ(b.index, 1u);
  EXPECT_TRUE(w.pending(a));
  EXPECT_EQ(w.deadline_of(a), ms(10));
  EXPECT_TRUE(w.cancel(a));
  EXPECT_FALSE(w.pending(a));
  EXPECT_FALSE(w.cancel(a));
  EXPECT_EQ(w.deadline_of(a), kNever);
  EXPECT_EQ(w.next_deadline(), ms(20));

  // The entry is reused: the old handle must not reach the new timer.
  TimerHandle c = w.schedule(ms(30), 3);
  EXPECT_EQ(c.index, a.index);
  EXPECT_NE(c.generation, a.generation);
  EXPECT_FALSE(w.cancel(a));
  EXPECT_FALSE(w.reschedule(a, ms(1)));
  EXPECT_TRUE(w.pending(c));

  EXPECT_EQ(users(advance(w, ms(100))), (std::vector<std::uint64_t>{2, 3}));
  EXPECT_FALSE(w.pending(b));  // fired: stale
  EXPECT_FALSE(w.cancel(b));
  EXPECT_FALSE(w.cancel(TimerHandle{}));
  EXPECT_FALSE(w.cancel(TimerHandle{12345, 0}));
  EXPECT_FALSE(TimerHandle{}.valid());
  EXPECT_TRUE(b.valid());
}

TEST(TimerWheel, RescheduleKeepsTheHandle) {
  TimerWheel w(milliseconds(1), kStart);
  TimerHandle a = w.schedule(ms(500), 1);
  TimerHandle b = w.schedule(ms(600), 2);
  EXPECT_TRUE(w.reschedule(a, ms(700)));  // later
  EXPECT_EQ(w.next_deadline(), ms(600));
  EXPECT_TRUE(w.reschedule(b, ms(5)));  // earlier
  EXPECT_EQ(w.next_deadline(), ms(5));
  EXPECT_TRUE(w.pending(a));
  EXPECT_EQ(w.deadline_of(a), ms(700));
  EXPECT_EQ(users(advance(w, ms(599))), std::vector<std::uint64_t>{2});
  EXPECT_EQ(users(advance(w, ms(699))), std::vector<std::uint64_t>{});
  EXPECT_EQ(users(advance(w, ms(700))), std::vector<std::uint64_t>{1});
}

TEST(TimerWheel, CallbacksMayScheduleAndCancel) {
  TimerWheel w(milliseconds(1), kStart);
  TimerHandle victim = w.schedule(ms(10), 2);  // due in the same advance
  w.schedule(ms(10), 3);
  TimerHandle first = w.schedule(ms(5), 1);
  std::vector<std::uint64_t> fired;
  TimerHandle again;
  std::size_t n = w.advance(ms(20), [&](TimerHandle h, std::uint64_t user) {
    fired.push_back(user);
    if (user == 1) {
      EXPECT_EQ(h, first);
      EXPECT_FALSE(w.pending(h));     // stale while it runs
      EXPECT_TRUE(w.cancel(victim));  // due, but cancelled: never fires
      w.schedule(ms(15), 4);          // due now: fires in this call
      again = w.schedule(ms(25), 5);  // later: waits
    }
  });
  EXPECT_EQ(n, 3u);
  EXPECT_EQ(fired, (std::vector<std::uint64_t>{1, 3, 4}));
  EXPECT_TRUE(w.pending(again));
  EXPECT_EQ(w.next_deadline(), ms(25));
}

TEST(TimerWheel, FarFutureTimersOnEveryLevel) {
  TimerWheel w(milliseconds(1), kStart);
  // One timer per level boundary and some far beyond (64^k ticks).
  std::vector<Instant> deadlines;
  std::int64_t t = 1;
  for (int level = 0; level < 7; ++level, t *= 64) {
    deadlines.push_back(ms(t - 1) + microseconds(300));
    deadlines.push_back(ms(t) + microseconds(1));
    deadlines.push_back(ms(t + 1));
  }
  deadlines.push_back(kStart + hours(24 * 365 * 50));   // 50 years
  deadlines.push_back(kStart + hours(24 * 365 * 250));  // 250 years
  deadlines.push_back(Instant::max() - nanoseconds(1));
  std::mt19937_64 rng(7);
  std::vector<std::size_t> order(deadlines.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::shuffle(order.begin(), order.end(), rng);
  for (auto i : order) w.schedule(deadlines[i], i);

  std::vector<Instant> sorted = deadlines;
  std::sort(sorted.begin(), sorted.end());
  // Driver loop: sleep until next_deadline(), advance. Each wake-up must
  // fire exactly the timers due then (exact deadlines, no early wake-ups).
  std::size_t k = 0;
  while (!w.empty()) {
    const Instant next = w.next_deadline();
    ASSERT_LT(k, sorted.size());
    ASSERT_EQ(next, sorted[k]) << "timer " << k;
    auto f = advance(w, next);
    ASSERT_GE(f.size(), 1u);
    for (const auto& x : f) {
      EXPECT_EQ(deadlines[x.user], sorted[k]) << "timer " << k;
      ++k;
    }
  }
  EXPECT_EQ(k, deadlines.size());
}

TEST(TimerWheel, OneBigJumpFiresEverythingInOrder) {
  TimerWheel w(milliseconds(1), kStart);
  std::mt19937_64 rng(11);
  std::vector<Instant> d;
  for (int i = 0; i < 5000; ++i) {
    // Spread over many levels: 10^0 .. 10^10 ms.
    const double exp10 = std::uniform_real_distribution<double>(0, 10)(rng);
    d.push_back(kStart + nanoseconds(static_cast<std::int64_t>(std::pow(10.0, exp10) * 1e6)));
    w.schedule(d.back(), static_cast<std::uint64_t>(i));
  }
  std::vector<Instant> got;
  w.advance(kStart + hours(24 * 365), [&](TimerHandle, std::uint64_t u) { got.push_back(d[u]); });
  ASSERT_EQ(got.size(), d.size());
  // Ordered by tick (sub-tick order is scheduling order).
  for (std::size_t i = 1; i < got.size(); ++i)
    ASSERT_LE((got[i - 1] - kStart) / milliseconds(1), (got[i] - kStart) / milliseconds(1)) << i;
}

TEST(TimerWheel, ConfigurableTick) {
  TimerWheel w(milliseconds(10), kStart);
  EXPECT_EQ(w.tick(), milliseconds(10));
  w.schedule(ms(15), 1);
  w.schedule(ms(19), 2);
  w.schedule(ms(1000), 3);
  EXPECT_TRUE(advance(w, ms(14)).empty());
  EXPECT_EQ(w.next_deadline(), ms(15));
  EXPECT_EQ(users(advance(w, ms(15))), std::vector<std::uint64_t>{1});
  EXPECT_EQ(users(advance(w, ms(999))), std::vector<std::uint64_t>{2});
  EXPECT_EQ(users(advance(w, ms(1000))), std::vector<std::uint64_t>{3});

  TimerWheel fine(nanoseconds(1), kStart);  // 1 ns ticks: 64 bits of levels
  fine.schedule(kStart + nanoseconds(3), 1);
  fine.schedule(kStart + seconds(3), 2);
  EXPECT_EQ(users(advance(fine, kStart + nanoseconds(3))), std::vector<std::uint64_t>{1});
  EXPECT_EQ(fine.next_deadline(), kStart + seconds(3));
  EXPECT_EQ(users(advance(fine, kStart + seconds(3))), std::vector<std::uint64_t>{2});
}

TEST(TimerWheel, TimeNeverGoesBack) {
  TimerWheel w(milliseconds(1), kStart);
  w.schedule(ms(50), 1);
  (void)advance(w, ms(40));
  EXPECT_TRUE(advance(w, ms(10)).empty());
  EXPECT_EQ(w.now(), ms(40));
  EXPECT_EQ(users(advance(w, ms(50))), std::vector<std::uint64_t>{1});
}

TEST(TimerWheel, PoolDoesNotGrowInSteadyState) {
  TimerWheel w(milliseconds(1), kStart);
  w.reserve(1000);
  EXPECT_EQ(w.capacity(), 1000u);
  std::vector<TimerHandle> hs;
  for (int round = 0; round < 50; ++round) {
    for (int i = 0; i < 1000; ++i) hs.push_back(w.schedule(ms(round * 1000 + i + 1), 0));
    for (std::size_t i = 0; i < hs.size(); i += 2) EXPECT_TRUE(w.cancel(hs[i]));
    (void)advance(w, ms((round + 1) * 1000));
    hs.clear();
    EXPECT_TRUE(w.empty());
  }
  EXPECT_EQ(w.capacity(), 1000u);
  // Beyond the reservation the pool grows by itself.
  for (int i = 0; i < 1001; ++i) w.schedule(ms(60000), 0);
  EXPECT_GT(w.capacity(), 1000u);
}

// ---- 100k random timers against a reference model ----

struct Model {
  std::multiset<std::pair<Instant, std::uint64_t>> pending;  // (deadline, id)
};

void run_random(std::uint64_t seed, bool step_by_ticks) {
  SCOPED_TRACE(::testing::Message() << "seed " << seed
                                    << (step_by_ticks ? " fixed steps" : " next_deadline"));
  constexpr std::size_t kTimers = 100'000;
  std::mt19937_64 rng(seed);
  const Duration tick = milliseconds(1);
  TimerWheel w(tick, kStart);
  std::vector<TimerHandle> handle(kTimers);
  std::vector<Instant> deadline(kTimers);
  std::vector<std::uint8_t> fired(kTimers, 0), cancelled(kTimers, 0);
  Model model;
  auto rand_deadline = [&](Instant from) {
    // Mostly within a minute, some within hours (upper levels), sub-tick ns.
    const std::int64_t span_ns = (rng() % 8 == 0) ? 6LL * 3600 * 1'000'000'000 : 60LL * 1'000'000'000;
    return from + nanoseconds(static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(span_ns)));
  };
  for (std::size_t i = 0; i < kTimers; ++i) {
    deadline[i] = rand_deadline(kStart);
    handle[i] = w.schedule(deadline[i], i);
    model.pending.insert({deadline[i], i});
  }
  ASSERT_EQ(w.size(), kTimers);

  Instant now = kStart;
  std::size_t fired_count = 0, steps = 0;
  while (!model.pending.empty()) {
    ASSERT_LT(++steps, 50'000'000u);
    // next_deadline() is exactly the earliest pending deadline.
    ASSERT_EQ(w.next_deadline(), model.pending.begin()->first);
    if (step_by_ticks) {
      // Up to one tick at a time, or a jump straight to the next timer.
      const Instant next = w.next_deadline();
      now = (next - now > tick * 2 && rng() % 2) ? next : now + nanoseconds(rng() % tick.count() + 1);
    } else {
      now = w.next_deadline();
    }
    w.advance(now, [&](TimerHandle h, std::uint64_t id) {
      ASSERT_LT(id, kTimers);
      ASSERT_EQ(h, handle[id]);
      ASSERT_EQ(fired[id], 0) << "fired twice: " << id;
      ASSERT_EQ(cancelled[id], 0) << "cancelled timer fired: " << id;
      ASSERT_LE(deadline[id], now) << "early: " << id;
      ASSERT_LT(now - deadline[id], tick) << "more than one tick late: " << id;
      fired[id] = 1;
      ++fired_count;
      model.pending.erase({deadline[id], id});
    });
    if (::testing::Test::HasFatalFailure()) return;
    // Nothing due was left behind.
    if (!model.pending.empty()) {
      ASSERT_GT(model.pending.begin()->first, now);
    }
    // Churn: cancel and reschedule some pending timers.
    for (int k = 0; k < 3 && !model.pending.empty(); ++k) {
      const std::size_t id = rng() % kTimers;
      if (fired[id] || cancelled[id]) {
        EXPECT_FALSE(w.cancel(handle[id]));
        continue;
      }
      model.pending.erase({deadline[id], id});
      if (rng() % 2) {
        ASSERT_TRUE(w.cancel(handle[id]));
        cancelled[id] = 1;
      } else {
        deadline[id] = rand_deadline(now);
        ASSERT_TRUE(w.reschedule(handle[id], deadline[id]));
        model.pending.insert({deadline[id], id});
      }
    }
  }
  std::size_t n_cancelled = 0;
  for (std::size_t i = 0; i < kTimers; ++i) {
    ASSERT_EQ(fired[i] + cancelled[i], 1) << "timer " << i << " neither fired nor cancelled";
    n_cancelled += cancelled[i];
  }
  EXPECT_EQ(fired_count + n_cancelled, kTimers);
  EXPECT_GT(n_cancelled, 1000u);
  EXPECT_TRUE(w.empty());
  EXPECT_EQ(w.next_deadline(), kNever);
}

TEST(TimerWheel, HundredThousandRandomTimersDrivenByNextDeadline) {
  for (std::uint64_t seed : {1u, 2u}) {
    run_random(seed, false);
    if (HasFatalFailure()) return;
  }
}

TEST(TimerWheel, HundredThousandRandomTimersInSubTickSteps) { run_random(3, true); }

}  // namespace
}  // namespace l2sec
