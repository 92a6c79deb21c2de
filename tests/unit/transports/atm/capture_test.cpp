// Captures and an independent decoder (tshark) for the ATM codecs.
//
// 1. The reference set's ATM captures (tests/data/atm, PROVENANCE.md): the
//    tcpdump regression pcaps in DLT_SUNATM (123). Our SunATM, cell header
//    and OAM decoders read them; tshark's fields (atm.vpi, atm.vci,
//    atm.channel, the payload) and tcpdump's own expected output (the
//    .expected*.txt files: loopback indicator, correlation tag, location
//    ID, CRC-10 field and verdict) must agree with what we decode. The OAM
//    cell is also re-wrapped as an ERF cell record, so that tshark's OAM
//    dissector gives its own CRC-10 verdict on it.
// 2. What we produce, decoded by tshark from ERF records (Endace ERF type 3
//    = one cell without HEC, type 4 = a reassembled AAL5 CPCS-PDU with its
//    trailer; the only capture format where Wireshark 4.0 checks the AAL5
//    trailer and the OAM CRC-10: it treats SunATM records as SDUs without
//    trailer): cell headers from segment_sdu() (VPI, VCI, PTI with AUU on
//    the last cell, CLP), CPCS-PDUs from encode_cpcs() (Length, CPCS-UU,
//    CRC-32 marked "correct", LLC OUI and PID of every PDU kind), and OAM
//    loopback request and reply cells (CRC-10 marked "correct"). A
//    deliberately corrupted PDU and the reference OAM cell must be marked
//    "incorrect", so the check can fail.
//
// tshark is required (scripts/setup installs it): the test fails, not
// skips, when it is missing.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "transports/atm/aal5.hpp"
#include "transports/atm/cell.hpp"
#include "transports/atm/oam.hpp"
#include "transports/atm/rfc2684.hpp"

namespace l2sec::transports::atm {
namespace {

using Buf = std::vector<std::uint8_t>;

std::string data_path(const std::string& name) { return std::string(L2SEC_TEST_DATA) + "/atm/" + name; }

Buf read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << path;
  return Buf((std::istreambuf_iterator<char>(in)), {});
}

std::string read_text(const std::string& path) {
  const Buf b = read_file(path);
  return std::string(b.begin(), b.end());
}

struct PcapRecord {
  Buf data;
  std::uint32_t orig_len = 0;
};
struct Pcap {
  std::uint32_t linktype = 0;
  std::vector<PcapRecord> records;
};

// Classic little-endian microsecond pcap (what the reference files are).
Pcap read_pcap(const std::string& path) {
  const Buf f = read_file(path);
  Pcap p;
  auto le32 = [&](std::size_t at) {
    return std::uint32_t{f[at]} | std::uint32_t{f[at + 1]} << 8 | std::uint32_t{f[at + 2]} << 16 |
           std::uint32_t{f[at + 3]} << 24;
  };
  if (f.size() < 24 || le32(0) != 0xA1B2C3D4u) {
    ADD_FAILURE() << path << ": not a little-endian pcap";
    return p;
  }
  p.linktype = le32(20) & 0x03FFFFFF;  // libpcap's LT_LINKTYPE(): the top bits carry FCS flags
  for (std::size_t at = 24; at + 16 <= f.size();) {
    const std::uint32_t incl = le32(at + 8);
    PcapRecord r;
    r.orig_len = le32(at + 12);
    if (at + 16 + incl > f.size()) break;
    r.data.assign(f.begin() + static_cast<std::ptrdiff_t>(at + 16),
                  f.begin() + static_cast<std::ptrdiff_t>(at + 16 + incl));
    p.records.push_back(std::move(r));
    at += 16 + incl;
  }
  return p;
}

std::string hex(Bytes b) {
  static const char* d = "0123456789abcdef";
  std::string s;
  for (std::uint8_t x : b) {
    s += d[x >> 4];
    s += d[x & 15];
  }
  return s;
}

bool have_tshark() { return std::system("command -v tshark >/dev/null 2>&1") == 0; }

std::string run(const std::string& cmd) {
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) return out;
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  ::pclose(p);
  return out;
}

std::vector<std::string> lines(const std::string& s) {
  std::vector<std::string> v;
  std::istringstream in(s);
  for (std::string l; std::getline(in, l);) v.push_back(l);
  return v;
}

// One line per frame, fields separated by '|'.
std::vector<std::vector<std::string>> tshark_fields(const std::string& file,
                                                    const std::vector<std::string>& f) {
  std::string cmd = "tshark -n -r '" + file + "' -T fields -E separator='|' -E occurrence=f";
  for (const auto& x : f) cmd += " -e " + x;
  cmd += " 2>/dev/null";
  std::vector<std::vector<std::string>> rows;
  for (const auto& l : lines(run(cmd))) {
    std::vector<std::string> row;
    std::string cell;
    std::istringstream in(l);
    while (std::getline(in, cell, '|')) row.push_back(cell);
    while (row.size() < f.size()) row.emplace_back();
    rows.push_back(row);
  }
  return rows;
}

// The verdict tshark prints after a checksum field ("CRC-10: 0x22a ( (correct))",
// "AAL5 CRC: 0x3c26f12a (correct)"), in frame order.
std::vector<std::string> tshark_verdicts(const std::string& file, const std::string& label) {
  std::vector<std::string> v;
  for (const auto& l : lines(run("tshark -n -r '" + file + "' -V 2>/dev/null"))) {
    if (l.find(label + ": 0x") == std::string::npos) continue;
    if (l.find("(incorrect)") != std::string::npos) {
      v.emplace_back("incorrect");
    } else if (l.find("(correct)") != std::string::npos) {
      v.emplace_back("correct");
    }
  }
  return v;
}

// The text of `txt` from the first `key` on (empty if absent).
const char* from(const std::string& txt, const char* key) {
  const auto at = txt.find(key);
  return at == std::string::npos ? "" : txt.c_str() + at;
}

std::string temp_file(const std::string& name) {
  return ::testing::TempDir() + "l2sec_atm_" + std::to_string(::getpid()) + "_" + name;
}

// Endace ERF records: 16-octet header (timestamp LE, type, flags, record
// length, loss counter, wire length, big-endian), then the type's data.
class ErfWriter {
 public:
  static constexpr std::uint8_t kTypeAtmCell = 3;  // 4-octet header (no HEC) + 48
  static constexpr std::uint8_t kTypeAal5 = 4;     // 4-octet header + CPCS-PDU

  void add(std::uint8_t type, const std::array<std::uint8_t, 4>& atm_hdr, Bytes data) {
    const std::size_t len = 4 + data.size();
    std::uint8_t h[16] = {};
    const std::uint64_t ts = (std::uint64_t{1000} + n_++) << 32;
    for (int i = 0; i < 8; ++i) h[i] = static_cast<std::uint8_t>(ts >> (8 * i));
    h[8] = type;
    store_be16(h + 10, static_cast<std::uint16_t>(16 + len));
    store_be16(h + 14, static_cast<std::uint16_t>(len));
    out_.insert(out_.end(), h, h + 16);
    out_.insert(out_.end(), atm_hdr.begin(), atm_hdr.end());
    out_.insert(out_.end(), data.begin(), data.end());
  }
  // A 53-octet cell as an ERF cell record (HEC dropped).
  void add_cell(Bytes cell) {
    add(kTypeAtmCell, {cell[0], cell[1], cell[2], cell[3]}, cell.subspan(5, kCellPayloadSize));
  }
  void write(const std::string& path) const {
    std::ofstream f(path, std::ios::binary);
    f.write(reinterpret_cast<const char*>(out_.data()), static_cast<std::streamsize>(out_.size()));
  }

 private:
  Buf out_;
  std::uint32_t n_ = 0;
};

std::array<std::uint8_t, 4> header4(const CellHeader& h) {
  const auto full = encode_header_unchecked(h, HeaderFormat::uni);
  return {full[0], full[1], full[2], full[3]};
}

// ---- 1. the reference captures -------------------------------------------

TEST(AtmReferenceCapture, OamLoopbackCellAgreesWithTsharkAndTcpdump) {
  ASSERT_TRUE(have_tshark()) << "tshark not found: it is required for this test; scripts/setup installs it "
                                "(DEBIAN_FRONTEND=noninteractive apt-get install tshark)";
  const std::string file = data_path("tcpdump_atm-oam-loopback-print-overrun.pcap");
  const Pcap p = read_pcap(file);
  ASSERT_EQ(p.linktype, 123u);  // DLT_SUNATM
  ASSERT_EQ(p.records.size(), 1u);
  const Buf& rec = p.records[0].data;
  ASSERT_EQ(rec.size(), 64u);

  auto sun = decode_sunatm(rec);
  ASSERT_TRUE(sun);
  EXPECT_EQ(sun->flags, 0xD3);
  EXPECT_EQ(sun->vpi, 0);
  EXPECT_EQ(sun->vci, kVciOamF4EndToEnd);
  EXPECT_EQ(classify({0, sun->vpi, sun->vci, 0, false}), CellKind::oam_f4_end_to_end);

  const auto rows = tshark_fields(file, {"atm.vpi", "atm.vci", "atm.channel", "data.data"});
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0][0], std::to_string(sun->vpi));
  EXPECT_EQ(rows[0][1], std::to_string(sun->vci));
  EXPECT_EQ(rows[0][2], (sun->flags & kSunAtmDteToDce) ? "0" : "1");  // 0 = DTE->DCE
  EXPECT_EQ(rows[0][3], hex(Bytes(rec).subspan(kSunAtmHeaderSize)));

  // The record holds a 53-octet OAM cell (and 7 stray octets): a fuzzed
  // header whose HEC is wrong, then a loopback payload with a wrong CRC-10.
  const Bytes cell = Bytes(rec).subspan(kSunAtmHeaderSize, kCellSize);
  EXPECT_EQ(decode_header(cell, HeaderFormat::uni).error().code, Errc::malformed);
  HecReceiver rx({HeaderFormat::uni, false});
  EXPECT_FALSE(rx.receive(cell));
  EXPECT_EQ(rx.counters()[Ctr::atm_rx_bad_hec], 1u);
  const Bytes payload = cell.subspan(kCellHeaderSize);
  auto oh = decode_oam_header(payload);
  ASSERT_TRUE(oh);
  auto lb = decode_loopback(payload);
  ASSERT_TRUE(lb);
  EXPECT_FALSE(oam_crc10_ok(payload));
  OamResponder resp;
  Buf reply(kCellSize);
  EXPECT_EQ(resp.on_cell({0, sun->vpi, sun->vci, 0, false}, payload, reply).event, OamEvent::none);
  EXPECT_EQ(resp.counters()[Ctr::atm_oam_rx_bad_crc], 1u);

  // tcpdump -v's expected output for this file.
  const std::string txt = read_text(data_path("tcpdump_atm-oam-loopback-print-overrun.expected.txt"));
  int type = -1, function = -1;
  ASSERT_EQ(
      std::sscanf(from(txt, "cell-type "), "cell-type %*[^(](%d), func-type %*[^(](%d)", &type, &function),
      2);
  EXPECT_EQ(type, oh->type);
  EXPECT_EQ(function, oh->function);
  char indicator[16] = {};
  unsigned tag = 0;
  ASSERT_EQ(std::sscanf(from(txt, "Loopback-Indicator "),
                        "Loopback-Indicator %15[A-Za-z], Correlation-Tag 0x%x", indicator, &tag),
            2);
  EXPECT_EQ(std::string(indicator), lb->request ? "Request" : "Reply");
  EXPECT_EQ(tag, lb->correlation_tag);
  EXPECT_EQ(lb->correlation_tag, 0x18020109u);
  // tcpdump prints 12-octet IDs (the I.610 layout of 1995): our 16-octet
  // Location ID starts with its 12.
  const char* loc = from(txt, "Location-ID ") + std::strlen("Location-ID ");
  for (std::size_t i = 0; i < 12; ++i) {
    unsigned octet = 0;
    ASSERT_EQ(std::sscanf(loc + 3 * i, "%2x", &octet), 1) << i;
    EXPECT_EQ(octet, lb->location_id[i]) << i;
  }
  unsigned cksum = 0;
  char verdict[16] = {};
  ASSERT_EQ(std::sscanf(from(txt, "cksum "), "cksum 0x%x (%15[a-z])", &cksum, verdict), 2);
  EXPECT_EQ(cksum, oh->crc10);
  EXPECT_EQ(oh->crc10, 0x181);
  EXPECT_EQ(std::string(verdict), "incorrect");  // as our check says

  // The same cell as an ERF cell record on the VC of the pseudo-header:
  // tshark's OAM dissector reads the same fields and also finds the CRC wrong.
  ErfWriter erf;
  erf.add(ErfWriter::kTypeAtmCell, header4({0, sun->vpi, sun->vci, 0, false}), payload);
  const std::string path = temp_file("ref_oam.erf");
  erf.write(path);
  const auto oam = tshark_fields(path, {"atm.aal_oamcell.type", "atm.aal_oamcell.type.fm",
                                        "atm.aal_oamcell.crc", "atm.aal_oamcell.func_spec"});
  ASSERT_EQ(oam.size(), 1u);
  EXPECT_EQ(oam[0][0], std::to_string(oh->type));
  EXPECT_EQ(oam[0][1], std::to_string(oh->function));
  EXPECT_EQ(std::stoul(oam[0][2], nullptr, 16), oh->crc10);
  EXPECT_EQ(oam[0][3], hex(payload.subspan(1, 45)));
  EXPECT_EQ(tshark_verdicts(path, "CRC-10"), std::vector<std::string>{"incorrect"});
  std::remove(path.c_str());
}

TEST(AtmReferenceCapture, TruncatedRecordsAreRejectedWithTheRightVc) {
  ASSERT_TRUE(have_tshark()) << "tshark not found: it is required for this test";
  struct Case {
    const char* pcap;
    const char* expected;
    std::uint16_t vci;
  };
  for (const Case& c :
       {Case{"tcpdump_atm-heapoverflow.pcap", "tcpdump_atm-heapoverflow.expected.txt", 5},
        Case{"tcpdump_atm-oam-heapoverflow.pcap", "tcpdump_atm-oam-heapoverflow.expected.txt", 3}}) {
    const Pcap p = read_pcap(data_path(c.pcap));
    ASSERT_EQ(p.linktype, 123u);
    ASSERT_EQ(p.records.size(), 1u);
    const Buf& rec = p.records[0].data;
    auto sun = decode_sunatm(rec);
    ASSERT_TRUE(sun) << c.pcap;
    EXPECT_EQ(sun->vpi, 0);
    EXPECT_EQ(sun->vci, c.vci);
    const auto rows = tshark_fields(data_path(c.pcap), {"atm.vpi", "atm.vci", "atm.channel"});
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0][0], std::to_string(sun->vpi));
    EXPECT_EQ(rows[0][1], std::to_string(sun->vci));
    EXPECT_EQ(rows[0][2], (sun->flags & kSunAtmDteToDce) ? "0" : "1");
    // Nothing follows the pseudo-header (the record claims 262144 octets).
    const Bytes body = Bytes(rec).subspan(kSunAtmHeaderSize);
    EXPECT_TRUE(body.empty());
    Counters ctr;
    EXPECT_EQ(decode_cpcs(body, ctr).error().code, Errc::malformed);
    EXPECT_EQ(ctr[Ctr::atm_aal5_rx_bad_length], 1u);
    EXPECT_EQ(decode_oam_header(body).error().code, Errc::truncated);
    const std::string txt = read_text(data_path(c.expected));
    if (c.vci == 5) {
      // tcpdump -e prints the direction and the VC of the pseudo-header.
      EXPECT_NE(txt.find(std::string((sun->flags & kSunAtmDteToDce) ? "Tx" : "Rx") + ": VPI:0 VCI:5"),
                std::string::npos)
          << txt;
    } else {
      EXPECT_NE(txt.find("[|oam]"), std::string::npos) << txt;  // OAM VC (F4 segment), truncated
    }
  }
}

// ---- 2. what we produce ----------------------------------------------------

TEST(AtmTshark, SegmentedCellHeaders) {
  ASSERT_TRUE(have_tshark()) << "tshark not found: it is required for this test";
  struct Expect {
    std::uint16_t vpi, vci;
    int pti;
    bool clp;
  };
  ErfWriter erf;
  std::vector<Expect> want;
  const CellHeader vcs[] = {{0, 1, 32, 0, false}, {0, 255, 0xFFFF, kPtiEfci, true}, {0, 0, 100, 0, false}};
  for (const auto& vc : vcs) {
    for (std::size_t n : {1u, 40u, 41u, 100u, 1400u}) {
      const Buf sdu(n, 0x5A);
      Buf cells(cell_count(n) * kCellSize);
      ASSERT_TRUE(segment_sdu(vc, HeaderFormat::uni, sdu, 0, cells));
      for (std::size_t i = 0; i < cell_count(n); ++i) {
        erf.add_cell(Bytes(cells).subspan(i * kCellSize, kCellSize));
        const bool last = i + 1 == cell_count(n);
        want.push_back({vc.vpi, vc.vci, (vc.pti & kPtiEfci) | (last ? 1 : 0), vc.clp});
      }
    }
  }
  const std::string path = temp_file("cells.erf");
  erf.write(path);
  const auto rows = tshark_fields(path, {"atm.vpi", "atm.vci", "atm.payload_type", "atm.cell_loss_priority"});
  ASSERT_EQ(rows.size(), want.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(rows[i][0], std::to_string(want[i].vpi)) << i;
    EXPECT_EQ(rows[i][1], std::to_string(want[i].vci)) << i;
    EXPECT_EQ(rows[i][2], std::to_string(want[i].pti)) << i;
    EXPECT_TRUE(rows[i][3] == (want[i].clp ? "1" : "0") || rows[i][3] == (want[i].clp ? "True" : "False"))
        << i;
  }
  std::remove(path.c_str());
}

TEST(AtmTshark, CpcsPdusOfEveryKind) {
  ASSERT_TRUE(have_tshark()) << "tshark not found: it is required for this test";
  struct Pdu {
    PduKind kind;
    std::size_t size;
    std::uint8_t uu;
    std::string oui, pid_field, pid;
  };
  // OUI in decimal as tshark prints FT_UINT24 fields: 00-00-5E = 94.
  const std::vector<Pdu> pdus = {
      {PduKind::clear_l2tp, 12, 0x00, "94", "llc.iana_pid", "0x0007"},
      {PduKind::clear_l2tp, 40, 0x5A, "94", "llc.iana_pid", "0x0007"},
      {PduKind::esp, 1400, 0x01, "94", "llc.iana_pid", "0x0042"},
      {PduKind::ipless_udp, 300, 0x00, "94", "llc.iana_pid", "0x0042"},
      {PduKind::secured_l2tp, 9180, 0x00, "94", "llc.iana_pid", "0x0042"},
      {PduKind::ipv4, 28, 0x00, "0", "llc.type", "0x0800"},
  };
  const Rfc2684Config cfg;
  ErfWriter erf;
  std::vector<Buf> sent;
  for (const auto& p : pdus) {
    PacketBuf pkt(p.size + 64);
    std::uint8_t* d = pkt.push_back(p.size);
    for (std::size_t i = 0; i < p.size; ++i) d[i] = static_cast<std::uint8_t>(i * 7 + 1);
    if (p.kind == PduKind::ipv4) d[0] = 0x45;
    ASSERT_TRUE(encapsulate(pkt, p.kind, cfg));
    ASSERT_TRUE(append_cpcs_trailer(pkt, p.uu));
    sent.emplace_back(pkt.bytes().begin(), pkt.bytes().end());
    erf.add(ErfWriter::kTypeAal5, header4({0, 1, 32, 1, false}), pkt.bytes());
  }
  Buf corrupt = sent[0];
  corrupt[10] ^= 0x01;
  erf.add(ErfWriter::kTypeAal5, header4({0, 1, 32, 1, false}), corrupt);
  const std::string path = temp_file("pdus.erf");
  erf.write(path);

  const auto rows = tshark_fields(path, {"atm.aal5t_len", "atm.aal5t_crc", "atm.hf_atm.aal5t_uu",
                                         "atm.hf_atm.aal5t_cpi", "llc.oui", "llc.iana_pid", "llc.type"});
  ASSERT_EQ(rows.size(), pdus.size() + 1);
  for (std::size_t i = 0; i < pdus.size(); ++i) {
    const Buf& s = sent[i];
    Counters c;
    auto d = decode_cpcs(s, c);
    ASSERT_TRUE(d);
    EXPECT_EQ(rows[i][0], std::to_string(d->sdu.size())) << i;
    EXPECT_EQ(std::stoul(rows[i][1], nullptr, 16), load_be32(s.data() + s.size() - 4)) << i;
    EXPECT_EQ(std::stoul(rows[i][2], nullptr, 16), pdus[i].uu) << i;
    EXPECT_EQ(std::stoul(rows[i][3], nullptr, 16), 0u) << i;
    EXPECT_EQ(rows[i][4], pdus[i].oui) << i;
    EXPECT_EQ(rows[i][pdus[i].pid_field == "llc.type" ? 6 : 5], pdus[i].pid) << i;
    auto k = classify(d->sdu, cfg, c);
    ASSERT_TRUE(k);
    EXPECT_EQ(k->kind, pdus[i].kind);
  }
  std::vector<std::string> want(pdus.size(), "correct");
  want.push_back("incorrect");
  EXPECT_EQ(tshark_verdicts(path, "AAL5 CRC"), want);
  std::remove(path.c_str());
}

TEST(AtmTshark, OamLoopbackRequestAndReply) {
  ASSERT_TRUE(have_tshark()) << "tshark not found: it is required for this test";
  ErfWriter erf;
  OamResponder resp;
  std::vector<std::uint32_t> tags;
  for (const CellHeader& h :
       {CellHeader{0, 1, 32, kPtiOamF5EndToEnd, false}, CellHeader{0, 2, 40, kPtiOamF5Segment, false},
        CellHeader{0, 3, kVciOamF4EndToEnd, 0, false}}) {
    Loopback lb;
    lb.correlation_tag = 0xC0DE0000u + h.vci;
    Buf req(kCellSize), reply(kCellSize);
    ASSERT_TRUE(build_loopback_cell(h, HeaderFormat::uni, lb, req));
    auto r = resp.on_cell(h, Bytes(req).subspan(5), reply);
    ASSERT_EQ(r.event, OamEvent::reply_ready);
    erf.add_cell(req);
    erf.add_cell(reply);
    tags.push_back(lb.correlation_tag);
  }
  const std::string path = temp_file("oam.erf");
  erf.write(path);
  const auto rows = tshark_fields(path, {"atm.aal_oamcell.type", "atm.aal_oamcell.type.fm",
                                         "atm.aal_oamcell.func_spec", "atm.payload_type"});
  ASSERT_EQ(rows.size(), 6u);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(rows[i][0], "1") << i;
    EXPECT_EQ(rows[i][1], "8") << i;
    // Indication 1 then 0, the tag, the two all-ones IDs, 8 x 6A.
    char want[16];
    std::snprintf(want, sizeof want, "%02x%08x", i % 2 == 0 ? 1 : 0, tags[i / 2]);
    EXPECT_EQ(rows[i][2], std::string(want) + std::string(64, 'f') + "6a6a6a6a6a6a6a6a") << i;
  }
  EXPECT_EQ(tshark_verdicts(path, "CRC-10"), std::vector<std::string>(6, "correct"));
  std::remove(path.c_str());
}

}  // namespace
}  // namespace l2sec::transports::atm
