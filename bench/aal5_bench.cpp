// AAL5 SAR costs for 64-, 512- and 1400-octet SDUs (transports/atm):
// - Sar: segment_sdu() into 53-octet cells (CRC-32 computed on the way),
//   then every cell through a Reassembler (CRC-32 checked at the end): the
//   whole path of one PDU across an ATM link, without the wire;
// - Segment and Reassemble alone;
// - Memcpy: a memcpy of the same SDU octets, in the same run, the baseline
//   the SAR figure is read against (aim: Sar within 4x Memcpy);
// - Crc32 on each implementation (slice-by-8 tables, PCLMULQDQ folding).
// Bytes/s are SDU octets. The run fails itself (SkipWithError) if an SDU
// does not come back intact.
#include <benchmark/benchmark.h>

#include <cstring>
#include <vector>

#include "transports/atm/aal5.hpp"
#include "transports/atm/crc32.hpp"

namespace {

using namespace l2sec;
using namespace l2sec::transports::atm;

const CellHeader kVc{0, 1, 32, 0, false};

std::vector<std::uint8_t> sdu_of(std::size_t n) {
  std::vector<std::uint8_t> b(n);
  for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<std::uint8_t>(i * 31 + 7);
  return b;
}

Reassembler make_reassembler() {
  auto r = Reassembler::create();
  if (!r || !r->add_vc(kVc.vc())) std::abort();
  return std::move(r.value());
}

// The receive side as an underlay would run it: the header of each cell
// decoded (HEC checked), the payload handed over.
const std::uint8_t* reassemble(Reassembler& r, const std::vector<std::uint8_t>& cells, std::size_t& out_len) {
  const std::uint8_t* out = nullptr;
  for (std::size_t off = 0; off < cells.size(); off += kCellSize) {
    auto h = decode_header(Bytes(cells.data() + off, kCellHeaderSize), HeaderFormat::uni);
    if (!h) return nullptr;
    if (auto s = r.on_cell(kEpoch, *h, Bytes(cells.data() + off + kCellHeaderSize, kCellPayloadSize))) {
      out = s->payload.data();
      out_len = s->payload.size();
    }
  }
  return out;
}

void BM_Sar(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const auto sdu = sdu_of(n);
  std::vector<std::uint8_t> cells(cell_count(n) * kCellSize);
  Reassembler r = make_reassembler();
  for (auto _ : state) {
    if (!segment_sdu(kVc, HeaderFormat::uni, sdu, 0, cells)) state.SkipWithError("segment failed");
    std::size_t len = 0;
    const std::uint8_t* got = reassemble(r, cells, len);
    benchmark::DoNotOptimize(got);
    if (got == nullptr || len != n) state.SkipWithError("reassembly failed");
  }
  std::size_t len = 0;
  const std::uint8_t* got = reassemble(r, cells, len);
  if (got == nullptr || len != n || std::memcmp(got, sdu.data(), n) != 0)
    state.SkipWithError("SDU corrupted");
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * n));
  state.SetLabel(std::string(crc32_implementation()));
}

void BM_Segment(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const auto sdu = sdu_of(n);
  std::vector<std::uint8_t> cells(cell_count(n) * kCellSize);
  for (auto _ : state) {
    auto k = segment_sdu(kVc, HeaderFormat::uni, sdu, 0, cells);
    benchmark::DoNotOptimize(k);
    benchmark::DoNotOptimize(cells.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * n));
}

void BM_Reassemble(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const auto sdu = sdu_of(n);
  std::vector<std::uint8_t> cells(cell_count(n) * kCellSize);
  if (!segment_sdu(kVc, HeaderFormat::uni, sdu, 0, cells)) std::abort();
  Reassembler r = make_reassembler();
  for (auto _ : state) {
    std::size_t len = 0;
    const std::uint8_t* got = reassemble(r, cells, len);
    benchmark::DoNotOptimize(got);
    if (got == nullptr) state.SkipWithError("reassembly failed");
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * n));
}

void BM_Memcpy(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const auto sdu = sdu_of(n);
  std::vector<std::uint8_t> dst(n);
  for (auto _ : state) {
    std::memcpy(dst.data(), sdu.data(), n);
    benchmark::DoNotOptimize(dst.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * n));
}

void BM_Crc32Table(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const auto d = sdu_of(n);
  for (auto _ : state) benchmark::DoNotOptimize(detail::crc32_update_table(kCrc32Init, d));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * n));
}

void BM_Crc32Clmul(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const auto d = sdu_of(n);
  for (auto _ : state) benchmark::DoNotOptimize(detail::crc32_update_clmul(kCrc32Init, d));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * n));
  state.SetLabel(detail::clmul_available() ? "pclmul" : "no PCLMULQDQ: tables");
}

#define SIZES Arg(64)->Arg(512)->Arg(1400)
BENCHMARK(BM_Sar)->SIZES;
BENCHMARK(BM_Memcpy)->SIZES;
BENCHMARK(BM_Segment)->SIZES;
BENCHMARK(BM_Reassemble)->SIZES;
BENCHMARK(BM_Crc32Table)->SIZES;
BENCHMARK(BM_Crc32Clmul)->SIZES;

}  // namespace
