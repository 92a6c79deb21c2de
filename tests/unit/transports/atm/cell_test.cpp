// ATM cell header and HEC (transports/atm/cell.hpp): known answers, the
// UNI/NNI bit layout, and the I.432.1 correction/detection receiver.
#include "transports/atm/cell.hpp"

#include <gtest/gtest.h>

#include <array>
#include <random>
#include <set>
#include <vector>

namespace l2sec::transports::atm {
namespace {

using Arr5 = std::array<std::uint8_t, 5>;

// A bit-at-a-time CRC-8 (x^8+x^2+x+1) written from the definition, to check
// the table-driven one against.
std::uint8_t ref_hec(const std::uint8_t* p) {
  unsigned r = 0;
  for (int i = 0; i < 32; ++i) {
    const unsigned in = (p[i / 8] >> (7 - i % 8)) & 1;
    const unsigned top = (r >> 7) & 1;
    r = (r << 1) & 0xFF;
    if (top ^ in) r ^= 0x07;
  }
  return static_cast<std::uint8_t>(r ^ 0x55);
}

TEST(AtmHec, KnownAnswers) {
  const std::uint8_t idle[4] = {0x00, 0x00, 0x00, 0x01};  // I.432.1 idle cell
  const std::uint8_t unassigned[4] = {0x00, 0x00, 0x00, 0x00};
  const std::uint8_t v[4] = {0x01, 0x23, 0x45, 0x67};  // SPEC-NOTES §7.1 (vectors.py)
  EXPECT_EQ(hec(Bytes(idle, 4)), 0x52);
  EXPECT_EQ(hec(Bytes(unassigned, 4)), 0x55);
  EXPECT_EQ(hec(Bytes(v, 4)), 0x95);
}

TEST(AtmHec, MatchesBitSerialDefinition) {
  std::mt19937 rng(7);
  for (int i = 0; i < 5000; ++i) {
    std::uint8_t h[4];
    for (auto& b : h) b = static_cast<std::uint8_t>(rng());
    ASSERT_EQ(hec(Bytes(h, 4)), ref_hec(h)) << i;
  }
}

TEST(AtmCellHeader, UniLayout) {
  // GFC A, VPI 0xBC, VCI 0x1234, PTI 5, CLP 1:
  // o1 = GFC|VPI hi = AB, o2 = VPI lo|VCI 15..12 = C1, o3 = 23, o4 = 4|101|1 = 4B.
  const CellHeader h{0xA, 0xBC, 0x1234, 5, true};
  std::array<std::uint8_t, 5> out{};
  ASSERT_TRUE(encode_header(h, HeaderFormat::uni, out));
  EXPECT_EQ(out[0], 0xAB);
  EXPECT_EQ(out[1], 0xC1);
  EXPECT_EQ(out[2], 0x23);
  EXPECT_EQ(out[3], 0x4B);
  EXPECT_EQ(out[4], ref_hec(out.data()));
  auto back = decode_header(out, HeaderFormat::uni);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, h);
  EXPECT_EQ(back->vc(), (VcId{0xBC, 0x1234}));
}

TEST(AtmCellHeader, NniLayout) {
  // 12-bit VPI 0xABC takes the GFC's place.
  const CellHeader h{0, 0xABC, 0x1234, 1, false};
  std::array<std::uint8_t, 5> out{};
  ASSERT_TRUE(encode_header(h, HeaderFormat::nni, out));
  EXPECT_EQ(out[0], 0xAB);
  EXPECT_EQ(out[1], 0xC1);
  EXPECT_EQ(out[2], 0x23);
  EXPECT_EQ(out[3], 0x42);
  auto back = decode_header(out, HeaderFormat::nni);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, h);
  EXPECT_TRUE(back->auu());
  // The same octets read as UNI: GFC A, VPI 0xBC.
  auto uni = decode_header(out, HeaderFormat::uni);
  ASSERT_TRUE(uni);
  EXPECT_EQ(uni->gfc, 0xA);
  EXPECT_EQ(uni->vpi, 0xBC);
}

TEST(AtmCellHeader, RoundTripsEveryFieldExtreme) {
  for (auto f : {HeaderFormat::uni, HeaderFormat::nni}) {
    const std::uint16_t max_vpi = f == HeaderFormat::uni ? kMaxVpiUni : kMaxVpiNni;
    for (std::uint16_t vpi : {std::uint16_t{0}, std::uint16_t{1}, max_vpi}) {
      for (std::uint16_t vci : {0, 1, 5, 32, 0x8000, 0xFFFF}) {
        for (std::uint8_t pti = 0; pti < 8; ++pti) {
          for (bool clp : {false, true}) {
            const CellHeader h{static_cast<std::uint8_t>(f == HeaderFormat::uni ? 0xF : 0), vpi, vci, pti,
                               clp};
            std::array<std::uint8_t, 5> out{};
            ASSERT_TRUE(encode_header(h, f, out));
            auto back = decode_header(out, f);
            ASSERT_TRUE(back);
            ASSERT_EQ(*back, h);
          }
        }
      }
    }
  }
}

TEST(AtmCellHeader, RejectsFieldsThatDoNotFit) {
  std::array<std::uint8_t, 5> out{};
  EXPECT_EQ(encode_header({0, 256, 32, 0, false}, HeaderFormat::uni, out).error().code, Errc::out_of_range);
  EXPECT_EQ(encode_header({16, 1, 32, 0, false}, HeaderFormat::uni, out).error().code, Errc::out_of_range);
  EXPECT_EQ(encode_header({0, 4096, 32, 0, false}, HeaderFormat::nni, out).error().code, Errc::out_of_range);
  EXPECT_EQ(encode_header({1, 1, 32, 0, false}, HeaderFormat::nni, out).error().code, Errc::out_of_range);
  EXPECT_EQ(encode_header({0, 1, 32, 8, false}, HeaderFormat::uni, out).error().code, Errc::out_of_range);
  std::array<std::uint8_t, 4> small{};
  EXPECT_EQ(encode_header({0, 1, 32, 0, false}, HeaderFormat::uni, small).error().code, Errc::truncated);
  EXPECT_TRUE(encode_header({0, 4095, 32, 0, false}, HeaderFormat::nni, out));
}

TEST(AtmCellHeader, DecodeChecksHec) {
  Arr5 h = {0x00, 0x10, 0x02, 0x00, 0};
  h[4] = hec(h);
  ASSERT_TRUE(decode_header(h, HeaderFormat::uni));
  h[4] ^= 0x01;
  EXPECT_EQ(decode_header(h, HeaderFormat::uni).error().code, Errc::malformed);
  EXPECT_EQ(decode_header(Bytes(h.data(), 4), HeaderFormat::uni).error().code, Errc::truncated);
}

TEST(AtmCellHeader, Classify) {
  EXPECT_EQ(classify({0, 0, 0, 0, true}), CellKind::idle_or_unassigned);
  EXPECT_EQ(classify({0, 1, 32, 0, false}), CellKind::user_data);
  EXPECT_EQ(classify({0, 1, 32, 3, false}), CellKind::user_data);
  EXPECT_EQ(classify({0, 1, 32, 4, false}), CellKind::oam_f5_segment);
  EXPECT_EQ(classify({0, 1, 32, 5, false}), CellKind::oam_f5_end_to_end);
  EXPECT_EQ(classify({0, 1, 32, 6, false}), CellKind::resource_management);
  EXPECT_EQ(classify({0, 1, 32, 7, false}), CellKind::reserved);
  EXPECT_EQ(classify({0, 1, 3, 0, false}), CellKind::oam_f4_segment);
  EXPECT_EQ(classify({0, 1, 4, 0, false}), CellKind::oam_f4_end_to_end);
  const CellHeader congested_last{0, 1, 32, 3, false};
  EXPECT_TRUE(congested_last.auu());
  EXPECT_TRUE(congested_last.efci());
  EXPECT_FALSE((CellHeader{0, 1, 32, 5, false}.auu()));  // OAM: not AUU
}

// The 40 single-bit error syndromes are distinct and non-zero, and point
// back at their bit: what makes correction possible.
TEST(AtmHec, SingleBitSyndromesAreDistinct) {
  std::set<int> seen;
  const std::uint8_t base[5] = {0x12, 0x34, 0x56, 0x78, 0};
  for (int bit = 0; bit < 40; ++bit) {
    std::uint8_t h[5];
    std::copy(base, base + 4, h);
    h[4] = hec(Bytes(h, 4));
    h[bit / 8] ^= static_cast<std::uint8_t>(0x80 >> (bit % 8));
    const auto syndrome = static_cast<std::uint8_t>(hec(Bytes(h, 4)) ^ h[4]);
    ASSERT_NE(syndrome, 0);
    EXPECT_TRUE(seen.insert(syndrome).second) << bit;
    EXPECT_EQ(detail::hec_error_bit(syndrome), bit);
  }
  EXPECT_EQ(detail::hec_error_bit(0), -1);
}

std::vector<std::uint8_t> make_cell(const CellHeader& h, std::uint8_t fill = 0x6A) {
  std::vector<std::uint8_t> c(kCellSize, fill);
  EXPECT_TRUE(encode_header(h, HeaderFormat::uni, c));
  return c;
}

TEST(AtmHecReceiver, CorrectsEverySingleBitErrorInCorrectionMode) {
  const CellHeader h{0, 7, 100, 1, false};
  for (int bit = 0; bit < 40; ++bit) {
    HecReceiver rx;
    auto cell = make_cell(h);
    cell[bit / 8] ^= static_cast<std::uint8_t>(0x80 >> (bit % 8));
    auto r = rx.receive(cell);
    ASSERT_TRUE(r) << bit;
    EXPECT_TRUE(r->corrected);
    EXPECT_EQ(r->header, h) << bit;
    EXPECT_EQ(r->payload.size(), kCellPayloadSize);
    EXPECT_EQ(rx.counters()[Ctr::atm_rx_hec_corrected], 1u);
    EXPECT_EQ(rx.mode(), HecReceiver::Mode::detection);
  }
}

TEST(AtmHecReceiver, DetectionModeDiscardsUntilAGoodHeader) {
  HecReceiver rx;
  const CellHeader h{0, 7, 100, 0, false};
  auto bad = make_cell(h);
  bad[2] ^= 0x10;
  ASSERT_TRUE(rx.receive(bad));  // corrected; now in detection mode
  // A second single-bit error right after: discarded (I.432.1 §4.3.1.1).
  auto r = rx.receive(bad);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::malformed);
  EXPECT_EQ(rx.counters()[Ctr::atm_rx_bad_hec], 1u);
  EXPECT_EQ(rx.mode(), HecReceiver::Mode::detection);
  // A good header brings correction back.
  ASSERT_TRUE(rx.receive(make_cell(h)));
  EXPECT_EQ(rx.mode(), HecReceiver::Mode::correction);
  ASSERT_TRUE(rx.receive(bad));
  EXPECT_EQ(rx.counters()[Ctr::atm_rx_hec_corrected], 2u);
}

TEST(AtmHecReceiver, MultiBitErrorsAreDiscarded) {
  HecReceiver rx;
  auto cell = make_cell({0, 7, 100, 0, false});
  cell[0] ^= 0x81;  // two bits
  EXPECT_FALSE(rx.receive(cell));
  EXPECT_EQ(rx.counters()[Ctr::atm_rx_bad_hec], 1u);
  EXPECT_EQ(rx.counters()[Ctr::atm_rx_hec_corrected], 0u);
  EXPECT_EQ(rx.mode(), HecReceiver::Mode::detection);
}

TEST(AtmHecReceiver, DetectionOnlyWhenCorrectionIsOff) {
  HecReceiver rx({HeaderFormat::uni, false});
  auto cell = make_cell({0, 7, 100, 0, false});
  cell[3] ^= 0x02;
  EXPECT_FALSE(rx.receive(cell));
  EXPECT_EQ(rx.counters()[Ctr::atm_rx_bad_hec], 1u);
  EXPECT_EQ(rx.counters()[Ctr::atm_rx_hec_corrected], 0u);
}

TEST(AtmHecReceiver, IdleCellsAndWrongSizesAreCounted) {
  HecReceiver rx;
  std::vector<std::uint8_t> idle(kCellSize, 0x6A);
  idle[0] = idle[1] = idle[2] = 0;
  idle[3] = 1;
  idle[4] = 0x52;
  auto r = rx.receive(idle);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::not_found);
  EXPECT_EQ(rx.counters()[Ctr::atm_rx_idle_cell], 1u);
  EXPECT_EQ(rx.counters()[Ctr::atm_rx_bad_hec], 0u);

  std::vector<std::uint8_t> short_cell(52, 0);
  EXPECT_EQ(rx.receive(short_cell).error().code, Errc::truncated);
  EXPECT_EQ(rx.counters()[Ctr::atm_rx_bad_cell_size], 1u);
}

TEST(AtmHecReceiver, NniFormat) {
  HecReceiver rx({HeaderFormat::nni, true});
  std::vector<std::uint8_t> c(kCellSize, 0);
  ASSERT_TRUE(encode_header({0, 0xFED, 0x0042, 0, true}, HeaderFormat::nni, c));
  auto r = rx.receive(c);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->header.vpi, 0xFED);
  EXPECT_EQ(r->header.vci, 0x0042);
  EXPECT_TRUE(r->header.clp);
}

}  // namespace
}  // namespace l2sec::transports::atm
