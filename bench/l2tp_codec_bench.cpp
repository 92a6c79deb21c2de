// L2TPv2 codec costs (ns per message):
// - control: decode_control / encode_control of an SCCRQ with 11 AVPs, in
//   clear and with hidden AVPs;
// - data: push_header onto a 64- and a 1400-octet PPP frame in a PacketBuf
//   with headroom (encap), parse_header + pull_front (decap), and, in the
//   same run, a memcpy of the same number of octets, so the ratio
//   encap/memcpy and decap/memcpy can be read off one report.
#include <benchmark/benchmark.h>

#include <cstring>
#include <vector>

#include "crypto/random.hpp"
#include "l2tp/header.hpp"
#include "l2tp/message.hpp"

namespace {

using namespace l2sec;
using namespace l2sec::l2tp;

const std::vector<std::uint8_t> kSecret = {'s', 'e', 'c', 'r', 'e', 't'};

ControlMessage sccrq() {
  ControlMessage m;
  m.type = MessageType::SCCRQ;
  m.protocol_version = ProtocolVersion{1, 0};
  m.framing_capabilities = kFramingSync | kFramingAsync;
  m.bearer_capabilities = kBearerDigital | kBearerAnalog;
  m.tie_breaker = 0x0123456789abcdefull;
  m.firmware_revision = 0x0690;
  m.host_name = "lac-01.example.net";
  m.vendor_name = "l2sec";
  m.assigned_tunnel_id = 0x4a32;
  m.receive_window_size = 16;
  m.challenge = std::vector<std::uint8_t>(16, 0x5a);
  return m;
}

std::vector<std::uint8_t> encoded(const ControlMessage& m, bool hide) {
  crypto::SeededRandom rnd(1);
  PacketBuf out(512);
  if (!encode_control(m, out, EncodeOptions{kSecret, hide, &rnd}).ok()) std::abort();
  return {out.bytes().begin(), out.bytes().end()};
}

void BM_ControlDecode(benchmark::State& state) {
  const bool hide = state.range(0) != 0;
  const auto wire = encoded(sccrq(), hide);
  for (auto _ : state) {
    auto d = decode_control(wire, kSecret);
    benchmark::DoNotOptimize(d);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(hide ? "SCCRQ, 11 AVPs, 6 hidden" : "SCCRQ, 11 AVPs");
}
BENCHMARK(BM_ControlDecode)->Arg(0)->Arg(1);

void BM_ControlEncode(benchmark::State& state) {
  const bool hide = state.range(0) != 0;
  const ControlMessage m = sccrq();
  crypto::SeededRandom rnd(2);
  const EncodeOptions opt{kSecret, hide, &rnd};
  PacketBuf out(512);
  for (auto _ : state) {
    out.reset();
    auto r = encode_control(m, out, opt);
    benchmark::DoNotOptimize(r);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(hide ? "SCCRQ, 11 AVPs, 6 hidden" : "SCCRQ, 11 AVPs");
}
BENCHMARK(BM_ControlEncode)->Arg(0)->Arg(1);

// Data header as the engine sends it: Length field, no sequence numbers.
Header data_header() {
  Header h;
  h.has_length = true;
  h.tunnel_id = 0x4a32;
  h.session_id = 0xd35e;
  return h;
}

PacketBuf ppp_frame(std::size_t size) {
  std::vector<std::uint8_t> f(size, 0x21);
  f[0] = 0xff;
  f[1] = 0x03;
  return PacketBuf::copy_of(f);
}

void BM_DataEncap(benchmark::State& state) {
  const auto size = static_cast<std::size_t>(state.range(0));
  PacketBuf pkt = ppp_frame(size);
  const Header h = data_header();
  for (auto _ : state) {
    push_header(pkt, h);
    benchmark::DoNotOptimize(pkt.data());
    benchmark::ClobberMemory();
    pkt.pull_front(h.wire_size());  // back to the bare frame for the next round
  }
  if (pkt.realloc_count() != 0) state.SkipWithError("PacketBuf reallocated");
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * (size + h.wire_size())));
}
BENCHMARK(BM_DataEncap)->Arg(64)->Arg(1400);

void BM_DataDecap(benchmark::State& state) {
  const auto size = static_cast<std::size_t>(state.range(0));
  PacketBuf pkt = ppp_frame(size);
  push_header(pkt, data_header());
  for (auto _ : state) {
    auto p = parse_header(pkt.bytes());
    if (!p.ok()) {
      state.SkipWithError("parse_header failed");
      break;
    }
    pkt.pull_front(p->payload_offset);
    benchmark::DoNotOptimize(pkt.data());
    benchmark::ClobberMemory();
    pkt.push_front(p->payload_offset);  // the header octets are still there
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * pkt.size()));
}
BENCHMARK(BM_DataDecap)->Arg(64)->Arg(1400);

// Reference: copying the same octets (frame + 8-octet header) once.
void BM_Memcpy(benchmark::State& state) {
  const auto size = static_cast<std::size_t>(state.range(0)) + data_header().wire_size();
  std::vector<std::uint8_t> src(size, 0x21), dst(size);
  for (auto _ : state) {
    std::memcpy(dst.data(), src.data(), size);
    benchmark::DoNotOptimize(dst.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * size));
}
BENCHMARK(BM_Memcpy)->Arg(64)->Arg(1400);

}  // namespace
