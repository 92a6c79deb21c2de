// TimerWheel against a std::multimap<Instant, id> baseline, in the same run:
// - schedule + cancel of one timer while N others are pending (ns per pair);
// - 100k timers with random deadlines over 10 s, fired by advancing in 1 ms
//   steps, and by a driver that sleeps until next_deadline().
#include <benchmark/benchmark.h>

#include <cstdint>
#include <map>
#include <random>
#include <vector>

#include "core/timer_wheel.hpp"

namespace l2sec {
namespace {

using std::chrono::milliseconds;
using std::chrono::nanoseconds;

constexpr Instant kStart = kEpoch + std::chrono::hours(1);

std::vector<Instant> random_deadlines(std::size_t n, Duration span, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<Instant> d(n);
  for (auto& x : d)
    x = kStart + nanoseconds(static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(span.count())) + 1);
  return d;
}

// ---- schedule + cancel with N pending ----

void BM_Wheel_ScheduleCancel(benchmark::State& state) {
  const auto pending = static_cast<std::size_t>(state.range(0));
  TimerWheel w(milliseconds(1), kStart);
  w.reserve(pending + 1);
  for (auto d : random_deadlines(pending, std::chrono::minutes(10), 1)) w.schedule(d, 0);
  const auto ds = random_deadlines(4096, std::chrono::minutes(10), 2);
  std::size_t i = 0;
  for (auto _ : state) {
    TimerHandle h = w.schedule(ds[i++ & 4095], 1);
    benchmark::DoNotOptimize(h);
    w.cancel(h);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Wheel_ScheduleCancel)->Arg(0)->Arg(1000)->Arg(100'000)->Arg(1'000'000);

void BM_Multimap_ScheduleCancel(benchmark::State& state) {
  const auto pending = static_cast<std::size_t>(state.range(0));
  std::multimap<Instant, std::uint64_t> m;
  for (auto d : random_deadlines(pending, std::chrono::minutes(10), 1)) m.emplace(d, 0);
  const auto ds = random_deadlines(4096, std::chrono::minutes(10), 2);
  std::size_t i = 0;
  for (auto _ : state) {
    auto it = m.emplace(ds[i++ & 4095], 1);
    benchmark::DoNotOptimize(it);
    m.erase(it);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Multimap_ScheduleCancel)->Arg(0)->Arg(1000)->Arg(100'000)->Arg(1'000'000);

// ---- reschedule (the gateway's per-tunnel re-arm) ----

void BM_Wheel_Reschedule(benchmark::State& state) {
  const std::size_t n = 100'000;
  TimerWheel w(milliseconds(1), kStart);
  std::vector<TimerHandle> hs;
  for (auto d : random_deadlines(n, std::chrono::minutes(10), 1)) hs.push_back(w.schedule(d, 0));
  const auto ds = random_deadlines(4096, std::chrono::minutes(10), 2);
  std::size_t i = 0;
  for (auto _ : state) {
    w.reschedule(hs[i % n], ds[i & 4095]);
    ++i;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Wheel_Reschedule);

void BM_Multimap_Reschedule(benchmark::State& state) {
  const std::size_t n = 100'000;
  std::multimap<Instant, std::uint64_t> m;
  std::vector<std::multimap<Instant, std::uint64_t>::iterator> its;
  for (auto d : random_deadlines(n, std::chrono::minutes(10), 1)) its.push_back(m.emplace(d, 0));
  const auto ds = random_deadlines(4096, std::chrono::minutes(10), 2);
  std::size_t i = 0;
  for (auto _ : state) {
    auto& it = its[i % n];
    m.erase(it);
    it = m.emplace(ds[i & 4095], 0);
    ++i;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Multimap_Reschedule);

// ---- 100k timers over 10 s: schedule all, then fire all ----

constexpr std::size_t kMany = 100'000;
constexpr Duration kSpan = std::chrono::seconds(10);

void BM_Wheel_Advance100k_1msSteps(benchmark::State& state) {
  const auto ds = random_deadlines(kMany, kSpan, 3);
  TimerWheel w(milliseconds(1), kStart);
  w.reserve(kMany);
  Instant now = kStart;
  for (auto _ : state) {
    for (std::size_t i = 0; i < kMany; ++i) w.schedule(ds[i] + (now - kStart), i);
    std::size_t fired = 0;
    const Instant end = now + kSpan;
    while (now < end) {
      now += milliseconds(1);
      fired += w.advance(now, [](TimerHandle, std::uint64_t u) { benchmark::DoNotOptimize(u); });
    }
    if (fired != kMany) state.SkipWithError("not all fired");
  }
  state.SetItemsProcessed(state.iterations() * kMany);
}
BENCHMARK(BM_Wheel_Advance100k_1msSteps)->Unit(benchmark::kMillisecond);

void BM_Multimap_Advance100k_1msSteps(benchmark::State& state) {
  const auto ds = random_deadlines(kMany, kSpan, 3);
  std::multimap<Instant, std::uint64_t> m;
  Instant now = kStart;
  for (auto _ : state) {
    for (std::size_t i = 0; i < kMany; ++i) m.emplace(ds[i] + (now - kStart), i);
    std::size_t fired = 0;
    const Instant end = now + kSpan;
    while (now < end) {
      now += milliseconds(1);
      while (!m.empty() && m.begin()->first <= now) {
        benchmark::DoNotOptimize(m.begin()->second);
        m.erase(m.begin());
        ++fired;
      }
    }
    if (fired != kMany) state.SkipWithError("not all fired");
  }
  state.SetItemsProcessed(state.iterations() * kMany);
}
BENCHMARK(BM_Multimap_Advance100k_1msSteps)->Unit(benchmark::kMillisecond);

// Driver style: sleep until next_deadline(), advance, repeat.
void BM_Wheel_Advance100k_ByNextDeadline(benchmark::State& state) {
  const auto ds = random_deadlines(kMany, kSpan, 3);
  TimerWheel w(milliseconds(1), kStart);
  w.reserve(kMany);
  Instant now = kStart;
  for (auto _ : state) {
    for (std::size_t i = 0; i < kMany; ++i) w.schedule(ds[i] + (now - kStart), i);
    std::size_t fired = 0;
    while (!w.empty()) {
      now = w.next_deadline();
      fired += w.advance(now, [](TimerHandle, std::uint64_t u) { benchmark::DoNotOptimize(u); });
    }
    if (fired != kMany) state.SkipWithError("not all fired");
  }
  state.SetItemsProcessed(state.iterations() * kMany);
}
BENCHMARK(BM_Wheel_Advance100k_ByNextDeadline)->Unit(benchmark::kMillisecond);

void BM_Multimap_Advance100k_ByNextDeadline(benchmark::State& state) {
  const auto ds = random_deadlines(kMany, kSpan, 3);
  std::multimap<Instant, std::uint64_t> m;
  Instant now = kStart;
  for (auto _ : state) {
    for (std::size_t i = 0; i < kMany; ++i) m.emplace(ds[i] + (now - kStart), i);
    std::size_t fired = 0;
    while (!m.empty()) {
      now = m.begin()->first;
      while (!m.empty() && m.begin()->first <= now) {
        benchmark::DoNotOptimize(m.begin()->second);
        m.erase(m.begin());
        ++fired;
      }
    }
    if (fired != kMany) state.SkipWithError("not all fired");
  }
  state.SetItemsProcessed(state.iterations() * kMany);
}
BENCHMARK(BM_Multimap_Advance100k_ByNextDeadline)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace l2sec
