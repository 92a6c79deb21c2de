// SPD lookup per packet (src/esp/spd.hpp): Spd::lookup() with 1, 100 and
// 10000 filters (one inbound PROTECT filter per peer address, as an LNS with
// pre-shared keys installs them), for a flow already seen (the flow cache
// answers), against the baseline of one std::unordered_map<uint64_t, int>
// find over as many keys, in the same run. The flow looked up is the one of
// the last peer, whose filter a linear scan would reach last.
//
// For comparison, BM_SpdFirstPacket measures the uncached path: the cache is
// emptied before every lookup (by adding and removing a filter that matches
// nothing), so it costs the scan plus that add/remove.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <unordered_map>

#include "esp/spd.hpp"

namespace l2sec::esp {
namespace {

const Endpoint kUs = Endpoint::v4({192, 0, 2, 1}, 1701);

Endpoint peer(std::int64_t i, std::uint16_t port) {
  return Endpoint::v4({10, static_cast<std::uint8_t>(i >> 16), static_cast<std::uint8_t>(i >> 8),
                       static_cast<std::uint8_t>(i)},
                      port);
}

Spd make_spd(std::int64_t n) {
  Spd spd;
  for (std::int64_t i = 0; i < n; ++i) {
    Filter f;
    f.dir = Direction::inbound;
    f.sel = TrafficSelector{HostSelector::of(kUs, 1701), HostSelector::of(peer(i, 0), 0)};
    f.action = Action::protect;
    f.priority = 100;
    spd.add(f);
  }
  return spd;
}

void BM_SpdLookupCached(benchmark::State& state) {
  const std::int64_t n = state.range(0);
  const Spd spd = make_spd(n);
  const Endpoint remote = peer(n - 1, 33000);
  if (spd.lookup(Direction::inbound, kUs, remote) == nullptr) state.SkipWithError("no filter for the flow");
  for (auto _ : state) {
    const Filter* f = spd.lookup(Direction::inbound, kUs, remote);
    benchmark::DoNotOptimize(f);
  }
}
BENCHMARK(BM_SpdLookupCached)->Arg(1)->Arg(100)->Arg(10000);

void BM_UnorderedMapFindBaseline(benchmark::State& state) {
  const std::int64_t n = state.range(0);
  std::unordered_map<std::uint64_t, int> map;
  for (std::int64_t i = 0; i < n; ++i) map.emplace(static_cast<std::uint64_t>(i) * 0x9e3779b97f4a7c15ull, 1);
  const std::uint64_t key = static_cast<std::uint64_t>(n - 1) * 0x9e3779b97f4a7c15ull;
  if (map.find(key) == map.end()) state.SkipWithError("key missing");
  for (auto _ : state) {
    auto it = map.find(key);
    benchmark::DoNotOptimize(it);
  }
}
BENCHMARK(BM_UnorderedMapFindBaseline)->Arg(1)->Arg(100)->Arg(10000);

void BM_SpdFirstPacket(benchmark::State& state) {
  const std::int64_t n = state.range(0);
  Spd spd = make_spd(n);
  const Endpoint remote = peer(n - 1, 33000);
  Filter nothing;  // outbound, circuit 0 only: matches none of these flows
  nothing.dir = Direction::outbound;
  nothing.sel = TrafficSelector{HostSelector::of_circuit(0), HostSelector::of_circuit(0)};
  nothing.priority = 1000;
  for (auto _ : state) {
    const FilterId id = spd.add(nothing);  // empties the cache
    const Filter* f = spd.lookup(Direction::inbound, kUs, remote);
    benchmark::DoNotOptimize(f);
    spd.remove(id);
  }
}
BENCHMARK(BM_SpdFirstPacket)->Arg(1)->Arg(100)->Arg(10000);

}  // namespace
}  // namespace l2sec::esp
