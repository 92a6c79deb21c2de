// XOT framing (xot.hpp has the layout and the contract).
#include "transports/xot/xot.hpp"

#include <algorithm>
#include <cstring>

namespace l2sec::transports::xot {

Deframer::Deframer(std::size_t max_packet)
    : max_(std::clamp(max_packet, kMinDeframerBound, kMaxPacketLen)), buf_(max_) {}

void Deframer::reset() {
  hdr_len_ = want_ = body_len_ = 0;
  broken_.reset();
}

Result<std::optional<Bytes>> Deframer::next(Bytes& in, Counters& c) {
  if (broken_) return *broken_;
  if (in.empty()) return std::optional<Bytes>();

  // Checks a whole header and sets want_; breaks the stream on a bad one.
  auto take_header = [&](const std::uint8_t* h) -> bool {
    const std::uint16_t version = load_be16(h);
    const std::size_t len = load_be16(h + 2);
    Ctr why;
    std::string_view what;
    if (version != kVersion) {
      why = Ctr::xot_rx_bad_version;
      what = "XOT version not 0";
    } else if (len == 0) {
      why = Ctr::xot_rx_zero_length;
      what = "XOT length 0";
    } else if (len < kMinPacketLen) {
      why = Ctr::xot_rx_runt;
      what = "XOT length below an X.25 header";
    } else if (len > max_) {
      why = Ctr::xot_rx_oversize;
      what = "XOT length above the largest X.25 packet";
    } else {
      want_ = len;
      return true;
    }
    c.inc(why);
    broken_ = Error{Errc::malformed, what};
    return false;
  };

  if (hdr_len_ < kHeaderLen) {
    // Fast path: nothing pending and a whole packet at the front of `in`:
    // hand out a view of it, no copy.
    if (hdr_len_ == 0 && in.size() >= kHeaderLen) {
      if (!take_header(in.data())) return *broken_;
      if (in.size() >= kHeaderLen + want_) {
        Bytes pkt = in.subspan(kHeaderLen, want_);
        in = in.subspan(kHeaderLen + want_);
        want_ = 0;
        c.inc(Ctr::xot_rx_packets);
        return std::optional<Bytes>(pkt);
      }
    }
    const std::size_t n = std::min(kHeaderLen - hdr_len_, in.size());
    std::memcpy(hdr_.data() + hdr_len_, in.data(), n);
    hdr_len_ += n;
    in = in.subspan(n);
    if (hdr_len_ < kHeaderLen) return std::optional<Bytes>();
    if (!take_header(hdr_.data())) return *broken_;
  }

  const std::size_t n = std::min(want_ - body_len_, in.size());
  if (n != 0) std::memcpy(buf_.data() + body_len_, in.data(), n);
  body_len_ += n;
  in = in.subspan(n);
  if (body_len_ < want_) return std::optional<Bytes>();
  Bytes pkt{buf_.data(), want_};
  hdr_len_ = want_ = body_len_ = 0;
  c.inc(Ctr::xot_rx_packets);
  return std::optional<Bytes>(pkt);
}

Result<void> push_header(PacketBuf& pkt) {
  if (pkt.size() < kMinPacketLen || pkt.size() > kMaxPacketLen)
    return Error{Errc::out_of_range, "XOT payload not a legal X.25 packet length"};
  const auto len = static_cast<std::uint16_t>(pkt.size());
  std::uint8_t* h = pkt.push_front(kHeaderLen);
  store_be16(h, kVersion);
  store_be16(h + 2, len);
  return ok();
}

}  // namespace l2sec::transports::xot
