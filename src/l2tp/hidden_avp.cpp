// Hidden AVP values (RFC 2661 §4.3; the hash input clarified by RFC 3931
// §5.3 and SPEC-NOTES §4.6).
//
// Hidden AVP Subformat, before hiding:
//    0                   1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |        Length of Original Value |  Original Attribute Value ...
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   ...                             |             Padding ...
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// Split into 16-octet segments p1, p2, ... (the last may be short):
//   b1 = MD5(Attribute Type (2 octets) | Secret | RV)   c1 = p1 XOR b1
//   bi = MD5(Secret | c(i-1))                           ci = pi XOR bi
// RFC 2661 writes MD5(AV + S + RV), but its text (and RFC 3931) hash the
// 2-octet attribute number. RV is the last Random Vector AVP before the
// hidden AVP.
#include <algorithm>
#include <cstring>

#include "crypto/md5.hpp"
#include "l2tp/avp.hpp"
#include "l2tp/message.hpp"

namespace l2sec::l2tp {
namespace avp {
namespace {

constexpr std::size_t kSegment = 16;

crypto::Md5Digest first_mask(std::uint16_t attribute, Bytes secret, Bytes rv) {
  std::uint8_t a[2];
  store_be16(a, attribute);
  return crypto::Md5().update(a).update(secret).update(rv).finish();
}

crypto::Md5Digest next_mask(Bytes secret, Bytes prev_cipher) {
  return crypto::Md5().update(secret).update(prev_cipher).finish();
}

}  // namespace

void hide_in_place(std::uint16_t attribute, MutBytes buf, Bytes secret, Bytes random_vector) {
  crypto::Md5Digest b = first_mask(attribute, secret, random_vector);
  for (std::size_t off = 0; off < buf.size(); off += kSegment) {
    const std::size_t n = std::min(kSegment, buf.size() - off);
    for (std::size_t i = 0; i < n; ++i) buf[off + i] ^= b[i];
    if (buf.size() - off > kSegment) b = next_mask(secret, buf.subspan(off, kSegment));
  }
}

void reveal_in_place(std::uint16_t attribute, MutBytes buf, Bytes secret, Bytes random_vector) {
  crypto::Md5Digest b = first_mask(attribute, secret, random_vector);
  for (std::size_t off = 0; off < buf.size(); off += kSegment) {
    const std::size_t n = std::min(kSegment, buf.size() - off);
    crypto::Md5Digest next{};
    const bool more = buf.size() - off > kSegment;
    if (more) next = next_mask(secret, buf.subspan(off, kSegment));  // c(i), before unmasking
    for (std::size_t i = 0; i < n; ++i) buf[off + i] ^= b[i];
    if (more) b = next;
  }
}

}  // namespace avp

std::vector<std::uint8_t> hide_value(std::uint16_t attribute, Bytes value, Bytes secret, Bytes random_vector,
                                     std::size_t pad) {
  std::vector<std::uint8_t> out(avp::kHiddenLenField + value.size() + pad, 0);
  store_be16(out.data(), static_cast<std::uint16_t>(value.size()));
  if (!value.empty()) std::memcpy(out.data() + avp::kHiddenLenField, value.data(), value.size());
  avp::hide_in_place(attribute, out, secret, random_vector);
  return out;
}

Result<std::vector<std::uint8_t>> reveal_value(std::uint16_t attribute, Bytes hidden, Bytes secret,
                                               Bytes random_vector) {
  if (hidden.size() < avp::kHiddenLenField) return Error{Errc::malformed, "hidden AVP shorter than 2"};
  std::vector<std::uint8_t> buf(hidden.begin(), hidden.end());
  avp::reveal_in_place(attribute, buf, secret, random_vector);
  const std::size_t len = load_be16(buf.data());
  if (len > buf.size() - avp::kHiddenLenField) return Error{Errc::malformed, "hidden AVP length exceeds AVP"};
  buf.erase(buf.begin(), buf.begin() + avp::kHiddenLenField);
  buf.resize(len);
  return buf;
}

}  // namespace l2sec::l2tp
