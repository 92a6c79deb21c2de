// ESP anti-replay: ReplayWindow (RFC 6479 ring of blocks, ESN) against a
// baseline plain 64-bit shifting bitmap (RFC 4303 Appendix A1 style), in the
// same run. ns per packet for check + accept:
// - in order: 1, 2, 3, ...
// - reordered: numbers shuffled within chunks of 64 (all inside any window
//   of 64 or more, so the same packets are accepted by every variant).
// Windows 64 and 4096, ESN off and on.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <random>
#include <vector>

#include "esp/replay_window.hpp"

namespace l2sec::esp {
namespace {

// Baseline: a 64-packet window as one word, shifted on every new highest.
class Bitmap64 {
 public:
  std::optional<std::uint64_t> check(std::uint32_t seq) const noexcept {
    if (seq == 0) return std::nullopt;
    if (seq > top_) return seq;
    const std::uint32_t diff = top_ - seq;
    if (diff >= 64 || (bits_ & (std::uint64_t{1} << diff)) != 0) return std::nullopt;
    return seq;
  }
  bool accept(std::uint32_t seq) noexcept {
    if (!check(seq)) return false;
    if (seq > top_) {
      const std::uint32_t shift = seq - top_;
      bits_ = shift >= 64 ? 0 : bits_ << shift;
      top_ = seq;
      bits_ |= 1;
    } else {
      bits_ |= std::uint64_t{1} << (top_ - seq);
    }
    return true;
  }

 private:
  std::uint64_t bits_ = 0;
  std::uint32_t top_ = 0;
};

constexpr std::size_t kPackets = 1 << 16;

std::vector<std::uint32_t> arrivals(bool reordered) {
  std::vector<std::uint32_t> v(kPackets);
  for (std::size_t i = 0; i < kPackets; ++i) v[i] = static_cast<std::uint32_t>(i + 1);
  if (reordered) {
    std::mt19937_64 rng(42);
    for (std::size_t i = 0; i < kPackets; i += 64) std::shuffle(v.begin() + i, v.begin() + i + 64, rng);
  }
  return v;
}

// range(0): window size; range(1): reordered; range(2): ESN.
void BM_ReplayWindow(benchmark::State& state) {
  const auto size = static_cast<std::uint32_t>(state.range(0));
  const bool esn = state.range(2) != 0;
  const auto seqs = arrivals(state.range(1) != 0);
  std::uint64_t refused = 0;
  for (auto _ : state) {
    state.PauseTiming();
    auto w = std::move(ReplayWindow::create(size, esn)).value();
    Counters c;
    state.ResumeTiming();
    for (std::uint32_t s : seqs) {
      auto full = w.check(s, c);
      if (!full || !w.accept(*full, c)) ++refused;
    }
    benchmark::DoNotOptimize(w);
  }
  if (refused != 0) state.SkipWithError("a packet was refused");
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kPackets));
  state.counters["ns/packet"] = benchmark::Counter(static_cast<double>(state.iterations() * kPackets),
                                                   benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_ReplayWindow)
    ->ArgNames({"W", "reordered", "esn"})
    ->ArgsProduct({{64, 4096}, {0, 1}, {0, 1}});

void BM_Bitmap64Baseline(benchmark::State& state) {
  const auto seqs = arrivals(state.range(0) != 0);
  std::uint64_t refused = 0;
  for (auto _ : state) {
    Bitmap64 w;
    for (std::uint32_t s : seqs) {
      auto full = w.check(s);
      if (!full || !w.accept(static_cast<std::uint32_t>(*full))) ++refused;
    }
    benchmark::DoNotOptimize(w);
  }
  if (refused != 0) state.SkipWithError("a packet was refused");
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kPackets));
  state.counters["ns/packet"] = benchmark::Counter(static_cast<double>(state.iterations() * kPackets),
                                                   benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_Bitmap64Baseline)->ArgName("reordered")->Arg(0)->Arg(1);

}  // namespace
}  // namespace l2sec::esp
