// ESP Security Association (RFC 4303), one direction each: OutboundSa
// builds ESP packets, InboundSa verifies and strips them. Used to protect
// L2TP (RFC 3193): transport mode over UDP (Next Header 17) or the IP-less
// circuit mode carrying the L2TP packet directly (Next Header 115).
//
// Packet (RFC 4303 §2):
//    0                   1                   2                   3
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |               Security Parameters Index (SPI)                 |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |            Sequence Number (low 32 bits, §2.2.1)               |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                 IV (transform's iv_size())                     |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                 Payload Data (variable)                        |
//   +               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |               |     Padding (0-255 bytes: 1, 2, 3, ...)        |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                               |  Pad Length   | Next Header   |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |         Integrity Check Value (transform's icv_size())         |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// Payload..Next Header is encrypted and aligned to the transform's
// block_size() (§2.4; at least 4, so the ICV starts on a 4-octet boundary).
//
// Contract:
// - Sans-IO, no clock, not thread-safe (one engine owns each SA). No heap
//   allocation per packet: the header goes into the PacketBuf's headroom and
//   the trailer + ICV into its tailroom (PacketBuf reallocates once, its
//   slow path, only if the room is missing).
// - Each SA owns its Counters (counters()); the owner sums them.
#pragma once

#include <cstdint>
#include <memory>

#include "core/counters.hpp"
#include "core/packet_buf.hpp"
#include "core/result.hpp"
#include "crypto/esp_transform.hpp"
#include "esp/replay_window.hpp"
#include "esp/sequence.hpp"

namespace l2sec::esp {

// From the specification: RFC 4303 §2.6 (dummy packet), IANA protocol numbers.
inline constexpr std::uint8_t kNextHeaderDummy = 59;
inline constexpr std::uint8_t kNextHeaderUdp = 17;
inline constexpr std::uint8_t kNextHeaderL2tp = 115;
inline constexpr std::size_t kEspHeaderSize = 8;   // SPI + sequence number
inline constexpr std::size_t kEspTrailerSize = 2;  // Pad Length + Next Header

class OutboundSa {
 public:
  // `transform` must not be null (asserted). `last_sent` lets tests (and a
  // restored state) start the sender's counter elsewhere than at 0;
  // `soft_limit` as SequenceCounter's (0: its default). The reservation is
  // unlimited until reserve() is called (see "Reservation" below).
  OutboundSa(std::uint32_t spi, std::unique_ptr<crypto::EspTransform> transform, bool esn,
             std::uint64_t last_sent = 0, std::uint64_t soft_limit = 0);

  // pkt holds the payload (a UDP datagram, NH 17; an L2TP packet, NH 115).
  // Appends the padding 1, 2, 3... so that payload + padding + 2 is a
  // multiple of the block size, then Pad Length and Next Header; prepends
  // SPI, the low 32 bits of the next sequence number and the IV; appends
  // the ICV; seals. On success pkt is the whole ESP packet.
  // Errors: no_resources when the sequence number is exhausted
  // (esp_tx_seq_exhausted; the SA must be replaced, it never wraps),
  // invalid_state when the next number lies beyond reserved()
  // (esp_tx_unreserved) and out_of_range for a payload over 2^30 octets,
  // all three with pkt unchanged;
  // whatever seal() reports, with pkt cut back to the payload's extent (its
  // bytes unspecified if the library failed mid-way) and the sequence
  // number used up (never reused under the key).
  Result<void> encap(PacketBuf& pkt, std::uint8_t next_header);

  // The size encap() adds in front / behind a payload of `payload_size`.
  std::size_t overhead_front() const noexcept { return kEspHeaderSize + transform_->iv_size(); }
  std::size_t overhead_back(std::size_t payload_size) const noexcept;

  std::uint32_t spi() const noexcept { return spi_; }
  bool esn() const noexcept { return esn_; }
  const SequenceCounter& sequence() const noexcept { return seq_; }
  // True once the SA should be rekeyed (SequenceCounter's soft limit).
  bool rekey_due() const noexcept { return seq_.soft_limit_reached(); }

  // Reservation, for manually keyed SAs whose sequence numbers must survive
  // a restart (the IV of AES-GCM and ChaCha20-Poly1305 is the sequence
  // number: RFC 4106 §3, RFC 7634 §2). The SA never touches storage; its
  // owner restores `last_sent` from the mark it persisted, and:
  //   1. before encap(), when needs_reservation(margin): persists a higher
  //      mark durably, and only then calls reserve(mark);
  //   2. encap() sends numbers up to reserved() only (see its errors).
  // So every number ever sent is <= the persisted mark, and a restart that
  // starts at that mark + 1 never repeats one under the same key.
  bool needs_reservation(std::uint64_t margin = 0) const noexcept { return seq_.needs_reservation(margin); }
  void reserve(std::uint64_t until) noexcept { seq_.reserve(until); }
  std::uint64_t reserved() const noexcept { return seq_.reserved(); }
  const Counters& counters() const noexcept { return counters_; }

 private:
  std::unique_ptr<crypto::EspTransform> transform_;
  SequenceCounter seq_;
  Counters counters_;
  std::uint32_t spi_;
  bool esn_;
};

class InboundSa {
 public:
  // Errc::out_of_range for a replay window size ReplayWindow refuses
  // (multiples of 64 in 64..4096), invalid_state for a null transform.
  // `floor`: a restored highest number (ReplayWindow::create): every number
  // <= floor is refused, so packets captured before a restart cannot be
  // replayed after it. The owner persists highest() to restore it.
  static Result<InboundSa> create(std::uint32_t spi, std::unique_ptr<crypto::EspTransform> transform,
                                  bool esn, std::uint32_t replay_window = ReplayWindow::kDefaultSize,
                                  std::uint64_t floor = 0);

  // pkt starts at the ESP header (the medium stripped IP/UDP). Steps, in
  // the order RFC 4303 §3.4 requires, each drop with its counter:
  //  1. length: header + IV + one block + ICV at least (esp_rx_truncated,
  //     Errc::truncated); ciphertext a multiple of the block size
  //     (esp_rx_bad_length, Errc::malformed);
  //  2. SPI is ours (esp_rx_wrong_spi, Errc::malformed: demultiplexing by
  //     SPI is the caller's job, this only guards against a wrong hand-off);
  //  3. replay check BEFORE the ICV (§3.4.3; esp_rx_replayed or
  //     esp_rx_too_old, Errc::exists);
  //  4. ICV verification and decryption (esp_rx_bad_icv, Errc::auth_failed);
  //     the window is not touched by a packet that fails here;
  //  5. replay accept (the window moves);
  //  6. padding: Pad Length within the payload and pad bytes 1, 2, 3...
  //     (esp_rx_bad_padding, Errc::malformed);
  //  7. Next Header 59, a dummy packet (§2.6): esp_rx_dummy, returned as
  //     Errc::not_found ("nothing to deliver"): the caller drops it silently.
  // On success pkt holds the payload alone (header, IV, padding, trailer and
  // ICV stripped; the payload is not moved) and the Next Header is returned.
  // On failure pkt's contents are unspecified (it may be decrypted in place).
  Result<std::uint8_t> decap(PacketBuf& pkt);

  std::uint32_t spi() const noexcept { return spi_; }
  bool esn() const noexcept { return esn_; }
  const ReplayWindow& replay_window() const noexcept { return window_; }
  // The highest sequence number authenticated so far (or the floor).
  std::uint64_t highest() const noexcept { return window_.top(); }
  const Counters& counters() const noexcept { return counters_; }

 private:
  InboundSa(std::uint32_t spi, std::unique_ptr<crypto::EspTransform> transform, bool esn,
            ReplayWindow window);

  std::unique_ptr<crypto::EspTransform> transform_;
  ReplayWindow window_;
  Counters counters_;
  std::uint32_t spi_;
  bool esn_;
};

}  // namespace l2sec::esp
