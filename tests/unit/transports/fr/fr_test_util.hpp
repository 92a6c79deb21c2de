// Helpers shared by the Frame Relay codec tests: hex, counter checks, and a
// minimal classic-pcap reader/writer (DLT_FRELAY files are tiny and the
// format is 24 + 16 octets of headers, so the tests need no libpcap).
#pragma once

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/counters.hpp"
#include "core/packet_buf.hpp"
#include "core/wire.hpp"

namespace l2sec::transports::fr::test {

using Buf = std::vector<std::uint8_t>;

// "00 01 03" or "000103" -> bytes.
inline Buf hex(std::string_view s) {
  Buf out;
  int hi = -1;
  for (char ch : s) {
    int v;
    if (ch >= '0' && ch <= '9')
      v = ch - '0';
    else if (ch >= 'a' && ch <= 'f')
      v = ch - 'a' + 10;
    else if (ch >= 'A' && ch <= 'F')
      v = ch - 'A' + 10;
    else
      continue;
    if (hi < 0) {
      hi = v;
    } else {
      out.push_back(static_cast<std::uint8_t>(hi << 4 | v));
      hi = -1;
    }
  }
  if (hi >= 0) throw std::invalid_argument("odd number of hex digits");
  return out;
}

inline Buf concat(Buf a, const Buf& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

inline Buf bytes_of(const PacketBuf& p) { return Buf(p.bytes().begin(), p.bytes().end()); }

// "name" when exactly one counter moved, by exactly 1; "" when none moved;
// otherwise a list, so a failing expectation shows what happened.
inline std::string moved(const Counters& c) {
  std::string out;
  std::uint64_t total = 0;
  c.for_each_nonzero([&](Ctr k, std::uint64_t v) {
    if (!out.empty()) out += ",";
    out += std::string(counter_name(k));
    if (v != 1) out += "=" + std::to_string(v);
    total += v;
  });
  return out;
}

struct PcapRecord {
  std::size_t number = 0;  // from 1, as tshark and tcpdump count
  Buf bytes;
};

struct Pcap {
  std::uint32_t linktype = 0;
  std::vector<PcapRecord> records;
};

// Classic pcap, either byte order, micro- or nanosecond stamps.
inline Pcap read_pcap(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path);
  const Buf d((std::istreambuf_iterator<char>(in)), {});
  if (d.size() < 24) throw std::runtime_error("short pcap " + path);
  const std::uint32_t magic_le = d[0] | d[1] << 8 | d[2] << 16 | std::uint32_t{d[3]} << 24;
  bool le;
  if (magic_le == 0xa1b2c3d4 || magic_le == 0xa1b23c4d)
    le = true;
  else if (load_be32(d.data()) == 0xa1b2c3d4 || load_be32(d.data()) == 0xa1b23c4d)
    le = false;
  else
    throw std::runtime_error("not a classic pcap " + path);
  auto u32 = [&](std::size_t at) {
    return le ? (d[at] | d[at + 1] << 8 | d[at + 2] << 16 | std::uint32_t{d[at + 3]} << 24)
              : load_be32(&d[at]);
  };
  Pcap p;
  p.linktype = u32(20) & 0xFFFF;
  std::size_t off = 24;
  while (off + 16 <= d.size()) {
    const std::uint32_t caplen = u32(off + 8);
    off += 16;
    if (caplen > d.size() - off) throw std::runtime_error("truncated record in " + path);
    p.records.push_back({p.records.size() + 1, Buf(d.begin() + off, d.begin() + off + caplen)});
    off += caplen;
  }
  return p;
}

inline void write_pcap(const std::string& path, std::uint32_t linktype, const std::vector<Buf>& frames) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  auto u32 = [&](std::uint32_t v) {
    const char b[4] = {static_cast<char>(v), static_cast<char>(v >> 8), static_cast<char>(v >> 16),
                       static_cast<char>(v >> 24)};
    out.write(b, 4);
  };
  auto u16 = [&](std::uint16_t v) {
    const char b[2] = {static_cast<char>(v), static_cast<char>(v >> 8)};
    out.write(b, 2);
  };
  u32(0xa1b2c3d4);
  u16(2);
  u16(4);
  u32(0);
  u32(0);
  u32(65535);
  u32(linktype);
  std::uint32_t t = 0;
  for (const auto& f : frames) {
    u32(t++);
    u32(0);
    u32(static_cast<std::uint32_t>(f.size()));
    u32(static_cast<std::uint32_t>(f.size()));
    out.write(reinterpret_cast<const char*>(f.data()), static_cast<std::streamsize>(f.size()));
  }
  if (!out) throw std::runtime_error("cannot write " + path);
}

}  // namespace l2sec::transports::fr::test
