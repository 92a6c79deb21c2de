// ESP inner framing (src/esp/framing.hpp): push_inner + pull_inner of
// transport mode over IPv4 (UDP header, checksum computed on push and
// verified on pull) for L2TP packets of 64, 512 and 1400 octets, next to a
// memcpy of the same octets in the same run: both touch every payload octet
// once or twice, so the ratio says what the checksum costs over moving the
// bytes. Bytes/s are reported per packet; the buffer is reused with its
// default headroom (no allocation, and the benchmark fails on a realloc).
#include <benchmark/benchmark.h>

#include <cstring>
#include <vector>

#include "esp/framing.hpp"

namespace l2sec::esp {
namespace {

const InnerFlow kFlow{Endpoint::v4({192, 0, 2, 1}, 1701), Endpoint::v4({192, 0, 2, 2}, 1701)};

std::vector<std::uint8_t> payload(std::size_t n) {
  std::vector<std::uint8_t> p(n);
  for (std::size_t i = 0; i < n; ++i) p[i] = static_cast<std::uint8_t>(i * 31 + 7);
  return p;
}

void BM_TransportIpv4PushPull(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const auto bytes = payload(n);
  PacketBuf pkt = PacketBuf::copy_of(bytes);
  Counters counters;
  for (auto _ : state) {
    auto nh = push_inner(Mode::transport, kFlow, pkt);
    auto flow = pull_inner(Mode::transport, *nh, kFlow.src, kFlow.dst, pkt, counters);
    benchmark::DoNotOptimize(flow);
    if (!flow.ok()) {
      state.SkipWithError("pull_inner refused its own packet");
      break;
    }
  }
  if (pkt.realloc_count() != 0) state.SkipWithError("PacketBuf reallocated");
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * n));
}
BENCHMARK(BM_TransportIpv4PushPull)->Arg(64)->Arg(512)->Arg(1400);

// Checksum alone, as the pull side computes it.
void BM_UdpChecksumIpv4(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  auto udp = payload(n + kUdpHeaderSize);
  for (auto _ : state) {
    benchmark::DoNotOptimize(udp.data());
    benchmark::DoNotOptimize(udp_checksum(kFlow.src, kFlow.dst, udp));
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * n));
}
BENCHMARK(BM_UdpChecksumIpv4)->Arg(64)->Arg(512)->Arg(1400);

// Baseline: copying the same payload once.
void BM_Memcpy(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const auto src = payload(n);
  std::vector<std::uint8_t> dst(n);
  for (auto _ : state) {
    benchmark::DoNotOptimize(src.data());
    std::memcpy(dst.data(), src.data(), n);
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * n));
}
BENCHMARK(BM_Memcpy)->Arg(64)->Arg(512)->Arg(1400);

}  // namespace
}  // namespace l2sec::esp
