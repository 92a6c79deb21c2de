// Frame Relay framing on the data path (transports/fr/frame.hpp): encode
// (2-octet Q.922 address + RFC 2427 SNAP header + dispatch 50, 11 octets
// into the headroom) and decode (parse and strip them) of a secured ESP
// frame whose ESP packet is 64, 512 or 1400 octets, next to a memcpy of the
// same frame in the same run. The payload is never moved, so encap + decap
// should cost the same at every size while the memcpy grows with it. Aim
// (issue 4): under 50 ns per frame for encap + decap. The buffer is reused
// (no allocation; the benchmark fails itself on a realloc).
#include <benchmark/benchmark.h>

#include <cstring>
#include <vector>

#include "transports/fr/frame.hpp"

namespace l2sec::transports::fr {
namespace {

std::vector<std::uint8_t> esp_packet(std::size_t n) {
  std::vector<std::uint8_t> p(n);
  for (std::size_t i = 0; i < n; ++i) p[i] = static_cast<std::uint8_t>(i * 31 + 7);
  p[0] = 0;  // SPI 0x00001001
  p[1] = 0;
  p[2] = 0x10;
  p[3] = 0x01;
  return p;
}

void BM_EncodeDecodeSecuredEsp(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const FrameCodec codec;
  PacketBuf pkt = PacketBuf::copy_of(esp_packet(n));
  Counters counters;
  for (auto _ : state) {
    auto e = codec.encode(100, Kind::esp, pkt);
    benchmark::DoNotOptimize(e);
    auto f = codec.decode(pkt, counters);
    benchmark::DoNotOptimize(f);
    if (!e.ok() || !f.ok() || f->kind != Kind::esp) {
      state.SkipWithError("decode refused its own frame");
      break;
    }
  }
  if (pkt.realloc_count() != 0) state.SkipWithError("PacketBuf reallocated");
  if (pkt.size() != n) state.SkipWithError("payload size changed");
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * n));
}
BENCHMARK(BM_EncodeDecodeSecuredEsp)->Arg(64)->Arg(512)->Arg(1400);

void BM_EncodeSecuredEsp(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const FrameCodec codec;
  PacketBuf pkt = PacketBuf::copy_of(esp_packet(n));
  for (auto _ : state) {
    auto e = codec.encode(100, Kind::esp, pkt);
    benchmark::DoNotOptimize(e);
    pkt.pull_front(kMinAddressSize + header_size(Kind::esp));  // undo, outside what decode costs
  }
  if (pkt.realloc_count() != 0) state.SkipWithError("PacketBuf reallocated");
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * n));
}
BENCHMARK(BM_EncodeSecuredEsp)->Arg(64)->Arg(1400);

// Baseline: copying the whole frame (header + ESP packet) once.
void BM_MemcpyFrame(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0)) + kMinAddressSize + header_size(Kind::esp);
  const auto src = esp_packet(n);
  std::vector<std::uint8_t> dst(n);
  for (auto _ : state) {
    benchmark::DoNotOptimize(src.data());
    std::memcpy(dst.data(), src.data(), n);
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * n));
}
BENCHMARK(BM_MemcpyFrame)->Arg(64)->Arg(512)->Arg(1400);

}  // namespace
}  // namespace l2sec::transports::fr
