// AAL5 (transports/atm/aal5.hpp, crc32.hpp): the CRC-32 against known
// values and a bit-serial definition, the CPCS-PDU byte layout, SAR round
// trips at many sizes, interleaved VCs, and every receive drop by its
// counter (lost cells, CRC, abort, CPI, oversize, timeout).
#include "transports/atm/aal5.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string_view>
#include <vector>

#include "transports/atm/crc32.hpp"

namespace l2sec::transports::atm {
namespace {

using Buf = std::vector<std::uint8_t>;

Bytes str(std::string_view s) { return Bytes(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()); }

Buf random_bytes(std::size_t n, std::uint32_t seed) {
  std::mt19937 rng(seed);
  Buf b(n);
  for (auto& x : b) x = static_cast<std::uint8_t>(rng());
  return b;
}

// The AAL5 CRC from its definition, one bit at a time.
std::uint32_t ref_crc(std::uint32_t reg, Bytes d) {
  for (std::uint8_t b : d) {
    for (int i = 7; i >= 0; --i) {
      const std::uint32_t in = (b >> i) & 1;
      const std::uint32_t top = reg >> 31;
      reg <<= 1;
      if (top ^ in) reg ^= 0x04C11DB7;
    }
  }
  return reg;
}

TEST(Aal5Crc32, KnownAnswers) {
  // CRC-32/BZIP2 check value (the catalogue entry with AAL5's parameters).
  EXPECT_EQ(crc32_aal5(str("123456789")), 0xFC891918u);
  EXPECT_EQ(~detail::crc32_update_table(kCrc32Init, str("123456789")), 0xFC891918u);
  // An intact PDU leaves the residue (Linux usbatm's receive check).
  Buf pdu(48, 0);
  pdu[0] = 'a';
  store_be32(pdu.data() + 44, crc32_aal5(Bytes(pdu.data(), 44)));
  EXPECT_EQ(crc32_update(kCrc32Init, pdu), kCrc32Residue);
}

TEST(Aal5Crc32, BothPathsMatchTheDefinition) {
  std::mt19937 rng(11);
  const Buf data = random_bytes(70000, 3);
  std::vector<std::size_t> sizes;
  for (std::size_t n = 0; n <= 300; ++n) sizes.push_back(n);
  for (std::size_t n : {511u, 512u, 513u, 1400u, 1500u, 4095u, 9180u, 65568u, 70000u}) sizes.push_back(n);
  for (std::size_t n : sizes) {
    const std::uint32_t init = static_cast<std::uint32_t>(rng());
    const std::size_t off = rng() % 16;
    const Bytes d = Bytes(data).subspan(off, std::min(n, data.size() - off));
    const std::uint32_t want = ref_crc(init, d);
    ASSERT_EQ(detail::crc32_update_table(init, d), want) << n;
    ASSERT_EQ(detail::crc32_update_clmul(init, d), want) << n;
    // Split anywhere: the register carries over.
    const std::size_t cut = d.empty() ? 0 : rng() % d.size();
    ASSERT_EQ(crc32_update(crc32_update(init, d.first(cut)), d.subspan(cut)), want) << n;
  }
  std::printf("crc32 implementation: %.*s\n", static_cast<int>(crc32_implementation().size()),
              crc32_implementation().data());
}

// SPEC-NOTES §7.1: payload "abc" -> a 48-octet PDU ending 00 00 00 03 cb e6 ce c0.
TEST(Aal5Cpcs, AbcVector) {
  Buf out(48, 0xEE);
  auto n = encode_cpcs(str("abc"), 0, out);
  ASSERT_TRUE(n);
  ASSERT_EQ(*n, 48u);
  const Buf want_tail = {0x00, 0x00, 0x00, 0x03, 0xCB, 0xE6, 0xCE, 0xC0};
  EXPECT_EQ(Buf(out.end() - 8, out.end()), want_tail);
  EXPECT_EQ(out[0], 'a');
  for (std::size_t i = 3; i < 40; ++i) ASSERT_EQ(out[i], 0) << "pad " << i;

  Counters c;
  auto d = decode_cpcs(out, c);
  ASSERT_TRUE(d);
  EXPECT_EQ(Buf(d->sdu.begin(), d->sdu.end()), Buf({'a', 'b', 'c'}));
  EXPECT_EQ(c[Ctr::atm_aal5_rx_pdus], 1u);
}

// docs/non-ip-framing.md, "ATM AAL5": a clear L2TP Hello in one cell.
TEST(Aal5Segment, DocumentedHelloCell) {
  const Buf sdu = {0xAA, 0xAA, 0x03, 0x00, 0x00, 0x5E, 0x00, 0x07, 0xC8, 0x02, 0x00, 0x14, 0x00, 0x01,
                   0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x80, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x06};
  Buf cell(kCellSize);
  auto n = segment_sdu({0, 1, 32, 0, false}, HeaderFormat::uni, sdu, 0, cell);
  ASSERT_TRUE(n);
  ASSERT_EQ(*n, 1u);
  Buf want = {0x00, 0x10, 0x02, 0x02, 0xD3};
  want.insert(want.end(), sdu.begin(), sdu.end());
  want.resize(want.size() + 12, 0x00);
  for (std::uint8_t b : {0x00, 0x00, 0x00, 0x1C, 0xB4, 0xAD, 0x71, 0x61}) want.push_back(b);
  EXPECT_EQ(cell, want);
  const std::uint8_t mid[4] = {0x00, 0x10, 0x02, 0x00};
  EXPECT_EQ(hec(Bytes(mid, 4)), 0xDD);
}

TEST(Aal5Cpcs, SizesAndPadding) {
  EXPECT_EQ(cpcs_pdu_size(1), 48u);
  EXPECT_EQ(cpcs_pdu_size(40), 48u);
  EXPECT_EQ(cpcs_pdu_size(41), 96u);
  EXPECT_EQ(cpcs_pdu_size(48), 96u);
  EXPECT_EQ(cpcs_pdu_size(88), 96u);
  EXPECT_EQ(cpcs_pdu_size(89), 144u);
  EXPECT_EQ(kMaxCpcsPduSize, 65568u);
  EXPECT_EQ(cell_count(65535), 1366u);
  for (std::size_t n : {1u, 39u, 40u, 41u, 47u, 48u, 49u, 88u, 1400u, 65535u}) {
    const Buf sdu = random_bytes(n, static_cast<std::uint32_t>(n));
    Buf out(cpcs_pdu_size(n));
    auto r = encode_cpcs(sdu, 0x42, out);
    ASSERT_TRUE(r);
    ASSERT_EQ(*r, out.size());
    EXPECT_TRUE(std::equal(sdu.begin(), sdu.end(), out.begin()));
    for (std::size_t i = n; i < out.size() - 8; ++i) ASSERT_EQ(out[i], 0);
    EXPECT_EQ(out[out.size() - 8], 0x42);  // CPCS-UU
    EXPECT_EQ(out[out.size() - 7], 0x00);  // CPI
    EXPECT_EQ(load_be16(out.data() + out.size() - 6), n);
    EXPECT_EQ(load_be32(out.data() + out.size() - 4), ~ref_crc(kCrc32Init, Bytes(out).first(out.size() - 4)));
  }
}

TEST(Aal5Cpcs, EncodeErrors) {
  Buf out(kMaxCpcsPduSize + 48);
  EXPECT_EQ(encode_cpcs({}, 0, out).error().code, Errc::out_of_range);
  const Buf big(65536, 1);
  EXPECT_EQ(encode_cpcs(big, 0, out).error().code, Errc::out_of_range);
  Buf small(47);
  EXPECT_EQ(encode_cpcs(str("abc"), 0, small).error().code, Errc::truncated);
}

TEST(Aal5Cpcs, AppendTrailerInPlace) {
  const Buf sdu = random_bytes(1400, 5);
  PacketBuf pkt = PacketBuf::copy_of(sdu, 128, 64);
  ASSERT_TRUE(append_cpcs_trailer(pkt, 7));
  ASSERT_EQ(pkt.size(), cpcs_pdu_size(1400));
  EXPECT_EQ(pkt.realloc_count(), 0u);  // 1400 + 8 + pad 32 fits the 64-octet tailroom
  Buf want(cpcs_pdu_size(1400));
  ASSERT_TRUE(encode_cpcs(sdu, 7, want));
  EXPECT_EQ(Buf(pkt.bytes().begin(), pkt.bytes().end()), want);
  PacketBuf empty(16);
  EXPECT_EQ(append_cpcs_trailer(empty).error().code, Errc::out_of_range);
}

Buf pdu_of(std::size_t n, std::uint32_t seed, std::uint8_t uu = 0) {
  const Buf sdu = random_bytes(n, seed);
  Buf out(cpcs_pdu_size(n));
  EXPECT_TRUE(encode_cpcs(sdu, uu, out));
  return out;
}

void fix_crc(Buf& pdu) {
  store_be32(pdu.data() + pdu.size() - 4, crc32_aal5(Bytes(pdu).first(pdu.size() - 4)));
}

TEST(Aal5Cpcs, DecodeDropsAreCountedByName) {
  Counters c;
  {
    Buf p = pdu_of(100, 1);
    p[10] ^= 0x04;
    EXPECT_EQ(decode_cpcs(p, c).error().code, Errc::malformed);
    EXPECT_EQ(c[Ctr::atm_aal5_rx_bad_crc], 1u);
  }
  {
    Buf p = pdu_of(100, 2);
    store_be16(p.data() + p.size() - 6, 0);  // abort
    fix_crc(p);
    EXPECT_EQ(decode_cpcs(p, c).error().code, Errc::not_found);
    EXPECT_EQ(c[Ctr::atm_aal5_rx_aborted], 1u);
  }
  {
    Buf p = pdu_of(100, 3);  // 144 octets: Length 100 is right, 30 is not
    store_be16(p.data() + p.size() - 6, 30);
    fix_crc(p);
    EXPECT_EQ(decode_cpcs(p, c).error().code, Errc::malformed);
    EXPECT_EQ(c[Ctr::atm_aal5_rx_bad_length], 1u);
    EXPECT_EQ(decode_cpcs(Bytes(p).first(100), c).error().code, Errc::malformed);  // not a multiple of 48
    EXPECT_EQ(decode_cpcs(Bytes{}, c).error().code, Errc::malformed);
    EXPECT_EQ(c[Ctr::atm_aal5_rx_bad_length], 3u);
  }
  {
    Buf p = pdu_of(100, 4);
    p[p.size() - 7] = 1;  // CPI
    fix_crc(p);
    EXPECT_EQ(decode_cpcs(p, c).error().code, Errc::unsupported);
    EXPECT_EQ(c[Ctr::atm_aal5_rx_bad_cpi], 1u);
  }
  {
    Buf p = pdu_of(1400, 5);
    EXPECT_EQ(decode_cpcs(p, c, 1000).error().code, Errc::out_of_range);
    EXPECT_EQ(c[Ctr::atm_aal5_rx_oversize], 1u);
    EXPECT_TRUE(decode_cpcs(p, c, 1400));
  }
  EXPECT_EQ(c[Ctr::atm_aal5_rx_pdus], 1u);
}

const CellHeader kVc1{0, 1, 32, 0, false};
const CellHeader kVc2{0, 1, 33, 0, false};
const CellHeader kVc3{0, 200, 0xFFFF, 0, false};

Buf cells_of(const CellHeader& h, Bytes sdu, std::uint8_t uu = 0) {
  Buf out(cell_count(sdu.size()) * kCellSize);
  auto n = segment_sdu(h, HeaderFormat::uni, sdu, uu, out);
  EXPECT_TRUE(n);
  return out;
}

CellHeader header_of(const std::uint8_t* cell) {
  auto h = decode_header(Bytes(cell, kCellHeaderSize), HeaderFormat::uni);
  EXPECT_TRUE(h);
  return *h;
}

TEST(Aal5Segment, CellsCarryThePduAndAuuOnTheLast) {
  for (std::size_t n : {1u, 40u, 41u, 48u, 88u, 89u, 1400u}) {
    const Buf sdu = random_bytes(n, 9);
    const Buf cells = cells_of(kVc1, sdu, 0x11);
    const std::size_t k = cell_count(n);
    ASSERT_EQ(cells.size(), k * kCellSize);
    Buf pdu(cpcs_pdu_size(n));
    ASSERT_TRUE(encode_cpcs(sdu, 0x11, pdu));
    for (std::size_t i = 0; i < k; ++i) {
      const std::uint8_t* c = cells.data() + i * kCellSize;
      const CellHeader h = header_of(c);
      EXPECT_EQ(h.vc(), kVc1.vc());
      EXPECT_EQ(h.pti, i + 1 == k ? 1 : 0) << n << " cell " << i;
      ASSERT_TRUE(std::equal(c + 5, c + kCellSize, pdu.begin() + static_cast<std::ptrdiff_t>(i * 48)));
    }
    // segment_pdu of the same PDU gives the same cells.
    Buf again(cells.size());
    ASSERT_TRUE(segment_pdu(kVc1, HeaderFormat::uni, pdu, again));
    EXPECT_EQ(again, cells);
  }
}

TEST(Aal5Segment, KeepsEfciAndClpAndRejectsBadArguments) {
  const CellHeader congested{0, 1, 32, kPtiEfci, true};
  const Buf cells = cells_of(congested, random_bytes(100, 1));
  EXPECT_EQ(header_of(cells.data()).pti, 2);
  EXPECT_EQ(header_of(cells.data() + 2 * kCellSize).pti, 3);
  EXPECT_TRUE(header_of(cells.data()).clp);

  Buf out(10 * kCellSize);
  const Buf sdu(100, 0);
  EXPECT_EQ(segment_sdu({0, 1, 32, 5, false}, HeaderFormat::uni, sdu, 0, out).error().code,
            Errc::out_of_range);
  EXPECT_EQ(segment_sdu({0, 300, 32, 0, false}, HeaderFormat::uni, sdu, 0, out).error().code,
            Errc::out_of_range);
  EXPECT_EQ(segment_sdu(kVc1, HeaderFormat::uni, Bytes{}, 0, out).error().code, Errc::out_of_range);
  Buf two(2 * kCellSize);
  EXPECT_EQ(segment_sdu(kVc1, HeaderFormat::uni, sdu, 0, two).error().code, Errc::truncated);
  EXPECT_EQ(segment_pdu(kVc1, HeaderFormat::uni, Bytes(sdu).first(50), out).error().code, Errc::malformed);
}

Reassembler make_reassembler(ReassemblerConfig cfg = {}) {
  auto r = Reassembler::create(cfg);
  EXPECT_TRUE(r);
  return std::move(r.value());
}

// Feeds cells (53 octets each) to the reassembler; returns the SDUs.
std::vector<Buf> feed(Reassembler& r, Bytes cells, Instant now = kEpoch) {
  std::vector<Buf> out;
  for (std::size_t off = 0; off + kCellSize <= cells.size(); off += kCellSize) {
    const CellHeader h = header_of(cells.data() + off);
    auto sdu = r.on_cell(now, h, cells.subspan(off + kCellHeaderSize, kCellPayloadSize));
    if (sdu) out.emplace_back(sdu->payload.begin(), sdu->payload.end());
  }
  return out;
}

TEST(Aal5Reassembler, RoundTripsManySizes) {
  Reassembler r = make_reassembler();
  ASSERT_TRUE(r.add_vc(kVc1.vc()));
  std::vector<std::size_t> sizes;
  for (std::size_t n = 1; n <= 200; ++n) sizes.push_back(n);
  for (std::size_t n : {1000u, 1400u, 1499u, 1500u, 1501u, 4470u, 9180u, 65534u, 65535u}) sizes.push_back(n);
  for (std::size_t n : sizes) {
    const Buf sdu = random_bytes(n, static_cast<std::uint32_t>(n * 7));
    const Buf cells = cells_of(kVc1, sdu, static_cast<std::uint8_t>(n));
    std::optional<Sdu> got;
    for (std::size_t off = 0; off < cells.size(); off += kCellSize) {
      auto s = r.on_cell(kEpoch, header_of(cells.data() + off), Bytes(cells).subspan(off + 5, 48));
      ASSERT_EQ(s.has_value(), off + kCellSize == cells.size()) << n;
      if (s) got = s;
    }
    ASSERT_TRUE(got);
    EXPECT_EQ(got->vc, kVc1.vc());
    EXPECT_EQ(got->uu, static_cast<std::uint8_t>(n));
    ASSERT_EQ(Buf(got->payload.begin(), got->payload.end()), sdu) << n;
  }
  EXPECT_EQ(r.counters()[Ctr::atm_aal5_rx_pdus], sizes.size());
  EXPECT_EQ(r.next_deadline(), kNever);
}

TEST(Aal5Reassembler, InterleavedVcs) {
  Reassembler r = make_reassembler();
  const CellHeader vcs[3] = {kVc1, kVc2, kVc3};
  for (const auto& h : vcs) ASSERT_TRUE(r.add_vc(h.vc()));
  // Three PDUs of different lengths, one per VC, cells interleaved one by one.
  const Buf sdus[3] = {random_bytes(1400, 1), random_bytes(64, 2), random_bytes(512, 3)};
  Buf cells[3];
  for (int i = 0; i < 3; ++i) cells[i] = cells_of(vcs[i], sdus[i]);
  std::size_t pos[3] = {0, 0, 0};
  std::vector<std::pair<VcId, Buf>> got;
  for (bool more = true; more;) {
    more = false;
    for (int i = 0; i < 3; ++i) {
      if (pos[i] >= cells[i].size()) continue;
      more = true;
      const std::uint8_t* c = cells[i].data() + pos[i];
      auto s = r.on_cell(kEpoch, header_of(c), Bytes(c + 5, 48));
      if (s) got.emplace_back(s->vc, Buf(s->payload.begin(), s->payload.end()));
      pos[i] += kCellSize;
    }
  }
  ASSERT_EQ(got.size(), 3u);
  for (const auto& [vc, sdu] : got) {
    for (int i = 0; i < 3; ++i) {
      if (vcs[i].vc() == vc) {
        EXPECT_EQ(sdu, sdus[i]);
      }
    }
  }
  EXPECT_EQ(r.counters()[Ctr::atm_aal5_rx_pdus], 3u);
}

TEST(Aal5Reassembler, LostMiddleCellIsALengthError) {
  Reassembler r = make_reassembler();
  ASSERT_TRUE(r.add_vc(kVc1.vc()));
  Buf cells = cells_of(kVc1, random_bytes(500, 1));  // 11 cells
  cells.erase(cells.begin() + 4 * kCellSize, cells.begin() + 5 * kCellSize);
  EXPECT_TRUE(feed(r, cells).empty());
  EXPECT_EQ(r.counters()[Ctr::atm_aal5_rx_bad_length], 1u);
  // The next PDU is not affected.
  const Buf next = random_bytes(300, 2);
  auto out = feed(r, cells_of(kVc1, next));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0], next);
}

TEST(Aal5Reassembler, LostLastCellMergesWithTheNextPdu) {
  Reassembler r = make_reassembler();
  ASSERT_TRUE(r.add_vc(kVc1.vc()));
  Buf a = cells_of(kVc1, random_bytes(200, 1));
  a.resize(a.size() - kCellSize);  // the AUU cell is lost
  const Buf b = cells_of(kVc1, random_bytes(200, 2));
  const Buf c_sdu = random_bytes(70, 3);
  Buf all = a;
  all.insert(all.end(), b.begin(), b.end());
  const Buf c = cells_of(kVc1, c_sdu);
  all.insert(all.end(), c.begin(), c.end());
  auto out = feed(r, all);
  ASSERT_EQ(out.size(), 1u);  // A and B are lost together, C survives
  EXPECT_EQ(out[0], c_sdu);
  EXPECT_EQ(r.counters()[Ctr::atm_aal5_rx_bad_length], 1u);
}

TEST(Aal5Reassembler, CorruptedOrReorderedCellIsACrcError) {
  Reassembler r = make_reassembler();
  ASSERT_TRUE(r.add_vc(kVc1.vc()));
  Buf cells = cells_of(kVc1, random_bytes(500, 1));
  cells[3 * kCellSize + 20] ^= 0x80;
  EXPECT_TRUE(feed(r, cells).empty());
  EXPECT_EQ(r.counters()[Ctr::atm_aal5_rx_bad_crc], 1u);

  Buf swapped = cells_of(kVc1, random_bytes(500, 2));
  std::swap_ranges(swapped.begin() + kCellSize, swapped.begin() + 2 * kCellSize,
                   swapped.begin() + 2 * kCellSize);
  EXPECT_TRUE(feed(r, swapped).empty());
  EXPECT_EQ(r.counters()[Ctr::atm_aal5_rx_bad_crc], 2u);
  EXPECT_EQ(r.counters()[Ctr::atm_aal5_rx_pdus], 0u);
}

TEST(Aal5Reassembler, AbortAndCpiAreCounted) {
  Reassembler r = make_reassembler();
  ASSERT_TRUE(r.add_vc(kVc1.vc()));
  Buf p = pdu_of(30, 1);
  store_be16(p.data() + p.size() - 6, 0);
  fix_crc(p);
  Buf cells(kCellSize);
  ASSERT_TRUE(segment_pdu(kVc1, HeaderFormat::uni, p, cells));
  EXPECT_TRUE(feed(r, cells).empty());
  EXPECT_EQ(r.counters()[Ctr::atm_aal5_rx_aborted], 1u);

  p = pdu_of(30, 2);
  p[p.size() - 7] = 9;
  fix_crc(p);
  ASSERT_TRUE(segment_pdu(kVc1, HeaderFormat::uni, p, cells));
  EXPECT_TRUE(feed(r, cells).empty());
  EXPECT_EQ(r.counters()[Ctr::atm_aal5_rx_bad_cpi], 1u);
}

TEST(Aal5Reassembler, OversizeDropsTheRestOfThePdu) {
  Reassembler r = make_reassembler({.max_sdu = 100});  // 144 octets: 3 cells
  ASSERT_TRUE(r.add_vc(kVc1.vc()));
  const Buf big = cells_of(kVc1, random_bytes(300, 1));  // 7 cells
  const Buf ok_sdu = random_bytes(100, 2);
  Buf all = big;
  const Buf ok_cells = cells_of(kVc1, ok_sdu);
  all.insert(all.end(), ok_cells.begin(), ok_cells.end());
  auto out = feed(r, all);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0], ok_sdu);
  EXPECT_EQ(r.counters()[Ctr::atm_aal5_rx_oversize], 1u);  // once per PDU, not per cell
  EXPECT_EQ(r.counters()[Ctr::atm_aal5_rx_bad_length], 0u);
  EXPECT_EQ(r.counters()[Ctr::atm_aal5_rx_bad_crc], 0u);
  EXPECT_EQ(r.next_deadline(), kNever);
}

TEST(Aal5Reassembler, LengthAboveMaxSduIsOversize) {
  Reassembler r = make_reassembler({.max_sdu = 100});  // buffer 144 octets: room for Length 136
  ASSERT_TRUE(r.add_vc(kVc1.vc()));
  EXPECT_TRUE(feed(r, cells_of(kVc1, random_bytes(101, 1))).empty());
  EXPECT_EQ(r.counters()[Ctr::atm_aal5_rx_oversize], 1u);
  EXPECT_EQ(feed(r, cells_of(kVc1, random_bytes(100, 2))).size(), 1u);
  Counters c;
  EXPECT_EQ(decode_cpcs(pdu_of(101, 3), c, 100).error().code, Errc::out_of_range);
  EXPECT_EQ(c[Ctr::atm_aal5_rx_oversize], 1u);
}

TEST(Aal5Reassembler, TimeoutDiscardsAPartialPdu) {
  Reassembler r = make_reassembler({.timeout = std::chrono::seconds(2)});
  ASSERT_TRUE(r.add_vc(kVc1.vc()));
  ASSERT_TRUE(r.add_vc(kVc2.vc()));
  const Instant t0 = kEpoch + std::chrono::seconds(100);
  Buf a = cells_of(kVc1, random_bytes(200, 1));
  a.resize(a.size() - kCellSize);
  Buf b = cells_of(kVc2, random_bytes(200, 2));
  b.resize(b.size() - kCellSize);
  EXPECT_TRUE(feed(r, a, t0).empty());
  EXPECT_TRUE(feed(r, b, t0 + std::chrono::milliseconds(500)).empty());
  EXPECT_EQ(r.partial_size(kVc1.vc()), 192u);
  EXPECT_EQ(r.next_deadline(), t0 + std::chrono::seconds(2));

  r.on_timeout(t0 + std::chrono::seconds(2) - std::chrono::nanoseconds(1));
  EXPECT_EQ(r.counters()[Ctr::atm_aal5_rx_timeout], 0u);
  r.on_timeout(t0 + std::chrono::seconds(2));
  EXPECT_EQ(r.counters()[Ctr::atm_aal5_rx_timeout], 1u);
  EXPECT_EQ(r.partial_size(kVc1.vc()), 0u);
  EXPECT_EQ(r.next_deadline(), t0 + std::chrono::milliseconds(2500));
  r.on_timeout(t0 + std::chrono::seconds(10));
  EXPECT_EQ(r.counters()[Ctr::atm_aal5_rx_timeout], 2u);
  EXPECT_EQ(r.next_deadline(), kNever);

  // After the timeout a new PDU on the VC is not merged with the stale one.
  const Buf sdu = random_bytes(150, 3);
  auto out = feed(r, cells_of(kVc1, sdu), t0 + std::chrono::seconds(11));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0], sdu);
}

TEST(Aal5Reassembler, TimeoutIsAlsoNoticedByTheNextCell) {
  Reassembler r = make_reassembler({.timeout = std::chrono::seconds(1)});
  ASSERT_TRUE(r.add_vc(kVc1.vc()));
  Buf a = cells_of(kVc1, random_bytes(200, 1));
  a.resize(a.size() - kCellSize);
  EXPECT_TRUE(feed(r, a, kEpoch).empty());
  const Buf sdu = random_bytes(90, 2);
  auto out = feed(r, cells_of(kVc1, sdu), kEpoch + std::chrono::seconds(5));  // no on_timeout call
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0], sdu);
  EXPECT_EQ(r.counters()[Ctr::atm_aal5_rx_timeout], 1u);
  EXPECT_EQ(r.counters()[Ctr::atm_aal5_rx_bad_length], 0u);
}

TEST(Aal5Reassembler, DeadlinesStayOrderedIfTheClockStepsBack) {
  Reassembler r = make_reassembler({.timeout = std::chrono::seconds(1)});
  ASSERT_TRUE(r.add_vc(kVc1.vc()));
  ASSERT_TRUE(r.add_vc(kVc2.vc()));
  const Buf a = cells_of(kVc1, random_bytes(100, 1));
  const Buf b = cells_of(kVc2, random_bytes(100, 2));
  r.on_cell(kEpoch + std::chrono::seconds(10), kVc1, Bytes(a).subspan(5, 48));
  r.on_cell(kEpoch + std::chrono::seconds(5), kVc2, Bytes(b).subspan(5, 48));
  EXPECT_EQ(r.next_deadline(), kEpoch + std::chrono::seconds(6));
  r.on_timeout(kEpoch + std::chrono::seconds(6));
  EXPECT_EQ(r.next_deadline(), kEpoch + std::chrono::seconds(11));
}

TEST(Aal5Reassembler, OtherCellsAreCounted) {
  Reassembler r = make_reassembler();
  ASSERT_TRUE(r.add_vc(kVc1.vc()));
  const Buf payload(48, 0);
  EXPECT_FALSE(r.on_cell(kEpoch, kVc2, payload));
  EXPECT_EQ(r.counters()[Ctr::atm_rx_unknown_vc], 1u);
  EXPECT_FALSE(r.on_cell(kEpoch, {0, 1, 32, kPtiOamF5EndToEnd, false}, payload));
  EXPECT_FALSE(r.on_cell(kEpoch, {0, 1, 32, kPtiResourceManagement, false}, payload));
  EXPECT_EQ(r.counters()[Ctr::atm_rx_unhandled_cell], 2u);
  EXPECT_FALSE(r.on_cell(kEpoch, kVc1, Bytes(payload).first(47)));
  EXPECT_EQ(r.counters()[Ctr::atm_rx_bad_cell_size], 1u);
  EXPECT_EQ(r.next_deadline(), kNever);
}

TEST(Aal5Reassembler, CongestionAndLossPriorityAreReported) {
  Reassembler r = make_reassembler();
  ASSERT_TRUE(r.add_vc(kVc1.vc()));
  Buf cells = cells_of(kVc1, random_bytes(100, 1));  // 3 cells
  CellHeader h = kVc1;
  h.pti = kPtiEfci;
  h.clp = true;
  ASSERT_TRUE(encode_header(h, HeaderFormat::uni, cells));  // first cell congested, CLP
  auto s = r.on_cell(kEpoch, header_of(cells.data()), Bytes(cells).subspan(5, 48));
  EXPECT_FALSE(s);
  r.on_cell(kEpoch, header_of(cells.data() + 53), Bytes(cells).subspan(58, 48));
  s = r.on_cell(kEpoch, header_of(cells.data() + 106), Bytes(cells).subspan(111, 48));
  ASSERT_TRUE(s);
  EXPECT_TRUE(s->efci);
  EXPECT_TRUE(s->clp);
}

TEST(Aal5Reassembler, VcConfiguration) {
  EXPECT_EQ(Reassembler::create({.max_sdu = 0}).error().code, Errc::out_of_range);
  EXPECT_EQ(Reassembler::create({.max_sdu = 65536}).error().code, Errc::out_of_range);
  EXPECT_EQ(Reassembler::create({.timeout = Duration::zero()}).error().code, Errc::out_of_range);
  EXPECT_EQ(Reassembler::create({.max_vcs = 0}).error().code, Errc::out_of_range);

  Reassembler r = make_reassembler({.max_sdu = 1500, .max_vcs = 2});
  ASSERT_TRUE(r.add_vc(kVc1.vc()));
  EXPECT_EQ(r.add_vc(kVc1.vc()).error().code, Errc::exists);
  ASSERT_TRUE(r.add_vc(kVc2.vc()));
  EXPECT_EQ(r.add_vc(kVc3.vc()).error().code, Errc::no_resources);
  EXPECT_EQ(r.vc_count(), 2u);

  // A VC removed in the middle of a PDU: its partial PDU goes with it.
  Buf a = cells_of(kVc1, random_bytes(200, 1));
  a.resize(a.size() - kCellSize);
  feed(r, a);
  EXPECT_NE(r.next_deadline(), kNever);
  ASSERT_TRUE(r.remove_vc(kVc1.vc()));
  EXPECT_EQ(r.next_deadline(), kNever);
  EXPECT_EQ(r.remove_vc(kVc1.vc()).error().code, Errc::not_found);
  EXPECT_FALSE(r.has_vc(kVc1.vc()));
  ASSERT_TRUE(r.add_vc(kVc3.vc()));  // reuses the freed slot
  const Buf sdu = random_bytes(1500, 4);
  auto out = feed(r, cells_of(kVc3, sdu));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0], sdu);
  feed(r, cells_of(kVc1, sdu));
  EXPECT_EQ(r.counters()[Ctr::atm_rx_unknown_vc], cell_count(1500));
}

TEST(SunAtm, PseudoHeader) {
  const auto h = encode_sunatm({kSunAtmDteToDce | kSunAtmTrafficLlc, 1, 0x0120});
  EXPECT_EQ(h, (std::array<std::uint8_t, 4>{0x82, 0x01, 0x01, 0x20}));
  auto d = decode_sunatm(h);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->flags, 0x82);
  EXPECT_EQ(d->vpi, 1);
  EXPECT_EQ(d->vci, 0x0120);
  EXPECT_EQ(decode_sunatm(Bytes(h).first(3)).error().code, Errc::truncated);
}

}  // namespace
}  // namespace l2sec::transports::atm
