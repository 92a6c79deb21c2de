// The Frame Relay codec against independent decoders.
//
// 1. Third-party captures (tests/data/fr, PROVENANCE.md there): every frame
//    is decoded by FrameCodec and by tshark (`tshark -T fields -e fr.dlci
//    ...`, run here through popen); DLCI, flags and what the frame is must
//    agree, and so must every refusal (tshark's "Bogus extra address octet",
//    D/C=1). For tcpdump's fuzzed q933-heapoverflow-2.pcap, tcpdump's own
//    expected output is a third opinion: its "invalid address" frames are
//    the ones we refuse, and its DLCIs are ours.
// 2. No capture with RFC 2427 NLPID/SNAP framing or LMI exists in the
//    reference set, so the test encodes frames of every kind, address size
//    and flag combination (plus hand-made malformed ones), writes them to a
//    DLT_FRELAY pcap and has tshark decode them: tshark must see the DLCI,
//    flags, control, NLPID, SNAP OUI/PID we meant, dissect the IPv4, IPv6
//    and LMI payloads without a complaint, and our decoder must agree with
//    tshark on every frame.
//
// tshark is required (scripts/setup installs it): without it the test
// fails, it does not skip.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "fr_test_util.hpp"
#include "transports/fr/frame.hpp"

namespace l2sec::transports::fr {
namespace {

using test::Buf;
using test::concat;
using test::hex;

const std::string kDataDir = std::string(L2SEC_TEST_DATA) + "/fr/";
constexpr std::uint32_t kDltFrelay = 107;

// ---- tshark -------------------------------------------------------------

const char* const kFields[] = {
    "frame.number",
    "fr.dlci",
    "fr.cr",
    "fr.fecn",
    "fr.becn",
    "fr.de",
    "fr.dc",
    "fr.control",
    "fr.nlpid",
    "fr.snap.oui",
    "fr.snap.pid",
    "llc.iana_pid",
    "fr.lower_dlci",
    "fr.third_dlci",
    "q933.message_type",
    "lmi.msg_type",
    "ip.version",
    "ipv6.version",
    "_ws.expert.message",
};

using Row = std::map<std::string, std::string>;

std::string run(const std::string& cmd, int* status) {
  std::string out;
  FILE* f = ::popen(cmd.c_str(), "r");
  if (f == nullptr) {
    *status = -1;
    return out;
  }
  std::array<char, 4096> buf;
  std::size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), f)) > 0) out.append(buf.data(), n);
  *status = ::pclose(f);
  return out;
}

bool have_tshark() {
  int st = 0;
  run("tshark --version >/dev/null 2>&1", &st);
  return st == 0;
}

std::vector<Row> tshark(const std::string& pcap) {
  std::string cmd = "tshark -n -r '" + pcap + "' -T fields -E separator=/t -E occurrence=a -E aggregator=,";
  for (const char* f : kFields) cmd += std::string(" -e ") + f;
  cmd += " 2>/dev/null";
  int st = 0;
  const std::string out = run(cmd, &st);
  EXPECT_EQ(st, 0) << cmd;
  std::vector<Row> rows;
  std::istringstream lines(out);
  std::string line;
  while (std::getline(lines, line)) {
    Row r;
    std::size_t pos = 0;
    for (const char* f : kFields) {
      const std::size_t tab = line.find('\t', pos);
      r[f] = line.substr(pos, tab == std::string::npos ? std::string::npos : tab - pos);
      pos = tab == std::string::npos ? line.size() : tab + 1;
    }
    rows.push_back(std::move(r));
  }
  return rows;
}

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  std::string item;
  while (std::getline(in, item, ',')) out.push_back(item);
  return out;
}

std::uint32_t num(const std::string& s) { return static_cast<std::uint32_t>(std::stoul(s, nullptr, 0)); }

// ---- what tshark says a frame is, in our terms ---------------------------

struct Verdict {
  bool refused = false;
  std::string counter;  // refused: the counter we must move
  Address address;
  Kind kind = Kind::other;  // for the secured code point: Kind::esp stands for any dispatch
  bool secured = false;
  std::string why;  // the tshark fields behind it, for failure messages
};

Verdict judge(const Row& r, const SecuredCodePoint& cp) {
  Verdict v;
  const std::string& expert = r.at("_ws.expert.message");
  v.why = "dlci=" + r.at("fr.dlci") + " dc=" + r.at("fr.dc") + " control=" + r.at("fr.control") +
          " nlpid=" + r.at("fr.nlpid") + " oui=" + r.at("fr.snap.oui") + " pid=" + r.at("fr.snap.pid") +
          r.at("llc.iana_pid") + " expert=" + expert;
  if (expert.find("Bogus extra address octet") != std::string::npos) {
    v.refused = true;
    v.counter = "fr_rx_addr_too_long";
    return v;
  }
  if (expert.find("Bogus 1-octet address") != std::string::npos) {
    v.refused = true;
    v.counter = "fr_rx_addr_ea_first";
    return v;
  }
  if (r.at("fr.dc") == "1") {
    v.refused = true;
    v.counter = "fr_rx_addr_dl_core";
    return v;
  }
  v.address.dlci = num(r.at("fr.dlci"));
  v.address.flags = {r.at("fr.cr") == "1", r.at("fr.fecn") == "1", r.at("fr.becn") == "1",
                     r.at("fr.de") == "1"};
  v.address.size = r.at("fr.lower_dlci").empty() ? 2 : r.at("fr.third_dlci").empty() ? 3 : 4;
  const bool signalling = is_signalling_dlci(v.address.dlci, v.address.size);
  if (r.at("fr.control") != "0x03") return v;  // other
  const auto nlpids = split(r.at("fr.nlpid"));
  if (nlpids.empty()) return v;
  const std::string nlpid = nlpids.back();  // a leading 0x00 is the pad
  bool data = true;
  if (nlpid == "0xcc") {
    v.kind = Kind::ipv4;
  } else if (nlpid == "0x8e") {
    v.kind = Kind::ipv6;
  } else if (nlpid == "0x08" || nlpid == "0x09") {
    data = false;
    if (signalling) v.kind = Kind::lmi;
  } else if (nlpid == "0x80") {
    const std::uint32_t oui = num(r.at("fr.snap.oui"));
    const std::uint32_t pid = num(r.at("llc.iana_pid").empty() ? r.at("fr.snap.pid") : r.at("llc.iana_pid"));
    const std::uint32_t cp_oui = std::uint32_t{cp.oui[0]} << 16 | cp.oui[1] << 8 | cp.oui[2];
    if (oui == 0x00005E && pid == kPidL2tp) {
      v.kind = Kind::clear_l2tp;
    } else if (oui == cp_oui && pid == cp.pid) {
      v.kind = Kind::esp;
      v.secured = true;
    } else {
      data = false;
    }
  } else {
    data = false;
  }
  if (data && signalling) {
    v.refused = true;
    v.counter = "fr_rx_data_on_signalling_dlci";
  }
  return v;
}

// Decodes `frame` and checks it against tshark's verdict.
void agree(const FrameCodec& fc, const Buf& frame, const Verdict& v, const std::string& where) {
  PacketBuf p = PacketBuf::copy_of(frame);
  Counters c;
  auto f = fc.decode(p, c);
  if (v.refused) {
    ASSERT_FALSE(f.ok()) << where << ": tshark " << v.why;
    EXPECT_EQ(test::moved(c), v.counter) << where;
    return;
  }
  ASSERT_TRUE(f.ok()) << where << ": " << test::moved(c) << "; tshark " << v.why;
  EXPECT_EQ(f->address, v.address) << where << ": tshark " << v.why;
  if (v.secured) {
    EXPECT_TRUE(f->kind == Kind::esp || f->kind == Kind::ipless_udp || f->kind == Kind::secured_l2tp)
        << where << ": " << kind_name(f->kind);
  } else {
    EXPECT_EQ(f->kind, v.kind) << where << ": " << kind_name(f->kind) << "; tshark " << v.why;
  }
  // Kind::other is counted once; a kind we carry is not counted at all.
  EXPECT_EQ(test::moved(c).empty(), f->kind != Kind::other) << where << ": " << test::moved(c);
}

// ---- 1. third-party captures ---------------------------------------------

struct CaptureResult {
  std::map<std::string, int> kinds;  // kind name or counter -> frames
  std::map<std::uint32_t, int> dlcis;
};

CaptureResult check_capture(const std::string& file) {
  CaptureResult res;
  const test::Pcap pcap = test::read_pcap(kDataDir + file);
  EXPECT_EQ(pcap.linktype, kDltFrelay) << file;
  const auto rows = tshark(kDataDir + file);
  EXPECT_EQ(rows.size(), pcap.records.size()) << file;
  if (rows.size() != pcap.records.size()) return res;
  const FrameCodec fc;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(num(rows[i].at("frame.number")), pcap.records[i].number);
    const Verdict v = judge(rows[i], {});
    const std::string where = file + " #" + std::to_string(i + 1);
    agree(fc, pcap.records[i].bytes, v, where);
    PacketBuf p = PacketBuf::copy_of(pcap.records[i].bytes);
    Counters c;
    auto f = fc.decode(p, c);
    if (f.ok()) {
      ++res.kinds[std::string(kind_name(f->kind))];
      ++res.dlcis[f->address.dlci];
    } else {
      ++res.kinds[test::moved(c)];
    }
  }
  return res;
}

TEST(FrCaptures, TsharkIsInstalled) { ASSERT_TRUE(have_tshark()) << "tshark is required (scripts/setup)"; }

// Cisco encapsulation (no UI, no NLPID): every frame is "other", counted as
// fr_rx_not_ui, on DLCI 102 (tshark agrees frame by frame).
TEST(FrCaptures, ArkimeCiscoEncapsulation) {
  ASSERT_TRUE(have_tshark());
  const auto r = check_capture("arkime_icmp-frame-relay-cisco-encap.pcap");
  EXPECT_EQ(r.kinds, (std::map<std::string, int>{{"other", 10}}));
  EXPECT_EQ(r.dlcis, (std::map<std::uint32_t, int>{{102, 10}}));
}

TEST(FrCaptures, PacketLifeOspfv3TwoDlcis) {
  ASSERT_TRUE(have_tshark());
  const auto r = check_capture("tcpdump_OSPFv3_NBMA_adjacencies.pcap");
  EXPECT_EQ(r.kinds, (std::map<std::string, int>{{"other", 86}}));
  ASSERT_EQ(r.dlcis.size(), 2u);
  EXPECT_GT(r.dlcis.at(301), 0);
  EXPECT_GT(r.dlcis.at(302), 0);
}

// The fuzzed file: tshark per frame, then tcpdump's expected output.
TEST(FrCaptures, TcpdumpQ933Fuzzed) {
  ASSERT_TRUE(have_tshark());
  const std::string file = "tcpdump_q933-heapoverflow-2.pcap";
  const auto r = check_capture(file);
  EXPECT_EQ(r.kinds, (std::map<std::string, int>{{"other", 8}, {"fr_rx_addr_too_long", 9}}));

  // tcpdump: "N  date time Q.922, invalid address" or "... DLCI D, ...";
  // continuation lines (hex dumps) do not start with a frame number.
  std::ifstream in(kDataDir + "tcpdump_q933-heapoverflow-2.expected.txt");
  ASSERT_TRUE(in.good());
  const test::Pcap pcap = test::read_pcap(kDataDir + file);
  std::string line;
  std::size_t seen = 0;
  std::size_t dlcis = 0;
  const FrameCodec fc;
  while (std::getline(in, line)) {
    std::istringstream words(line);
    std::string number, date, time;
    if (!(words >> number >> date >> time)) continue;
    if (number.find_first_not_of("0123456789") != std::string::npos) continue;
    const std::size_t n = std::stoul(number);
    ASSERT_GE(n, 1u);
    ASSERT_LE(n, pcap.records.size());
    ++seen;
    std::string text;
    std::getline(words, text);
    PacketBuf p = PacketBuf::copy_of(pcap.records[n - 1].bytes);
    Counters c;
    auto f = fc.decode(p, c);
    if (text.find("invalid address") != std::string::npos) {
      EXPECT_FALSE(f.ok()) << "#" << n << ": tcpdump says invalid address";
      continue;
    }
    ASSERT_TRUE(f.ok()) << "#" << n << ": " << text;
    EXPECT_EQ(f->kind, Kind::other) << "#" << n;  // tcpdump marks every control field "UI xx!"
    if (const std::size_t at = text.find("DLCI "); at != std::string::npos) {
      EXPECT_EQ(f->address.dlci, std::stoul(text.substr(at + 5))) << "#" << n;
      ++dlcis;
    }
  }
  EXPECT_EQ(dlcis, 7u);  // frames 2, 4, 6, 8, 10, 13, 15 (17 is printed as Q.933 only)
  EXPECT_EQ(seen, pcap.records.size());
}

// ---- 2. frames we encode, decoded by tshark -------------------------------

struct Made {
  Buf bytes;
  std::optional<Kind> kind;  // set when we encoded it
  std::uint32_t dlci = 0;
  Flags flags{};
  std::uint8_t size = 2;
};

const Buf kIpv4 = hex("45 00 00 14 00 01 00 00 40 3b f6 aa c0 00 02 01 c0 00 02 02");  // no next header
const Buf kIpv6 =
    hex("60 00 00 00 00 00 3b 40 20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01"
        "20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 02");
const Buf kQ933Enquiry = hex("08 00 75 51 01 01 53 02 02 01");  // libosmocore, PEERS.md
const Buf kCiscoEnquiry = hex("09 00 75 01 01 00 03 02 01 00");
const Buf kZlb = hex("C8 02 00 0C 00 01 00 00 00 00 00 00");
const Buf kEsp = hex("00 00 10 01 00 00 00 01 11 22 33 44 55 66 77 88");
const Buf kUdp = hex("01 F4 01 F4 00 0C 00 00 DE AD BE EF");

TEST(FrCaptures, OurFramesThroughTshark) {
  ASSERT_TRUE(have_tshark());
  const SecuredCodePoint cp{{0x00, 0x11, 0x22}, 0x1234};
  std::vector<Made> made;
  for (const SecuredCodePoint& use : {SecuredCodePoint{}, cp}) {
    for (std::uint8_t size = 2; size <= 4; ++size) {
      const FrameCodec fc = *FrameCodec::create({use, size});
      const std::pair<Kind, const Buf*> pdus[] = {{Kind::clear_l2tp, &kZlb}, {Kind::esp, &kEsp},
                                                  {Kind::ipless_udp, &kUdp}, {Kind::secured_l2tp, &kZlb},
                                                  {Kind::ipv4, &kIpv4},      {Kind::ipv6, &kIpv6}};
      unsigned fl = 0;
      for (const auto& [kind, pdu] : pdus) {
        for (std::uint32_t dlci :
             {16u, 1007u, max_dlci(size) - 1, 0x2AAu & max_dlci(size), 0x555555u & max_dlci(size)}) {
          const Flags flags{(fl & 1) != 0, (fl & 2) != 0, (fl & 4) != 0, (fl & 8) != 0};
          fl = (fl + 5) % 16;
          PacketBuf p = PacketBuf::copy_of(*pdu);
          ASSERT_TRUE(fc.encode(dlci, kind, p, flags).ok());
          made.push_back({test::bytes_of(p), kind, dlci, flags, size});
        }
      }
      for (std::uint32_t dlci : {0u, max_dlci(size)}) {
        PacketBuf p = PacketBuf::copy_of(dlci == 0 ? kQ933Enquiry : kCiscoEnquiry);
        ASSERT_TRUE(fc.encode(dlci, Kind::lmi, p).ok());
        made.push_back({test::bytes_of(p), Kind::lmi, dlci, {}, size});
      }
    }
  }
  const std::size_t encoded = made.size();
  // Hand-made frames we must refuse or set aside as tshark reads them.
  for (const char* s : {
           "04 00 03 03 cc",                                      // 3 octets, D/C=1
           "04 00 00 03 03 cc",                                   // 4 octets, D/C=1
           "80 00 00 00 ff 03 cc",                                // 5 octets
           "00 01 03 cc", "fc f1 03 00 80 00 00 5e 00 07 c8 02",  // data on signalling DLCIs
           "04 01 03 81 01",                                      // CLNP
           "04 01 03 08 00 75",                                   // Q.933 on a data DLCI
           "04 01 03 00 80 00 80 c2 00 07 ff ff",                 // bridged Ethernet SNAP
           "04 01 08 00 45 00",                                   // Cisco encapsulation
       }) {
    made.push_back({hex(s), std::nullopt});
  }

  const std::string path =
      (std::filesystem::temp_directory_path() / ("l2sec_fr_frames_" + std::to_string(::getpid()) + ".pcap"))
          .string();
  std::vector<Buf> frames;
  for (const auto& m : made) frames.push_back(m.bytes);
  test::write_pcap(path, kDltFrelay, frames);
  const auto rows = tshark(path);
  std::filesystem::remove(path);
  ASSERT_EQ(rows.size(), made.size());

  for (std::size_t i = 0; i < made.size(); ++i) {
    const Row& r = rows[i];
    const Made& m = made[i];
    const std::string where = "frame " + std::to_string(i + 1) + " (" + r.at("fr.dlci") + ")";
    // The secured code point of the frame: the custom one for the second half.
    const SecuredCodePoint& use = i >= encoded / 2 && i < encoded ? cp : SecuredCodePoint{};
    const Verdict v = judge(r, use);
    const FrameCodec fc = *FrameCodec::create({use, 2});
    agree(fc, m.bytes, v, where);
    if (!m.kind) continue;
    // tshark sees exactly what we encoded...
    ASSERT_FALSE(v.refused) << where;
    EXPECT_EQ(v.address, (Address{m.dlci, m.flags, m.size})) << where << ": " << v.why;
    if (v.secured) {
      EXPECT_TRUE(*m.kind == Kind::esp || *m.kind == Kind::ipless_udp || *m.kind == Kind::secured_l2tp)
          << where;
      // The dispatch octet is the first one tshark leaves undissected.
      const std::uint8_t dispatch = m.bytes[m.size + 8];
      EXPECT_EQ(dispatch, *m.kind == Kind::esp ? 50 : *m.kind == Kind::ipless_udp ? 17 : 115) << where;
    } else {
      EXPECT_EQ(v.kind, *m.kind) << where << ": " << v.why;
    }
    // ... and dissects the payloads it knows without a complaint.
    EXPECT_EQ(r.at("_ws.expert.message"), "") << where;
    if (*m.kind == Kind::ipv4) {
      EXPECT_EQ(r.at("ip.version"), "4") << where;
    }
    if (*m.kind == Kind::ipv6) {
      EXPECT_EQ(r.at("ipv6.version"), "6") << where;
    }
    if (*m.kind == Kind::lmi) {
      EXPECT_EQ(m.dlci == 0 ? r.at("q933.message_type") : r.at("lmi.msg_type"), "0x75") << where;
    }
    if (*m.kind == Kind::clear_l2tp) {
      EXPECT_EQ(r.at("llc.iana_pid"), "0x0007") << where;
    }
  }
}

}  // namespace
}  // namespace l2sec::transports::fr
