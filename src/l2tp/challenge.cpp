// Tunnel authentication (RFC 2661 §5.1.1, §4.4.3), CHAP-style (RFC 1994
// §4.1: "Identifier, followed by the secret, followed by the Challenge"):
//
//   Response = MD5(ID | Secret | Challenge)
//
// where ID is the 1-octet Message Type of the message that carries the
// Challenge Response AVP: 2 in SCCRP, 3 in SCCCN (SPEC-NOTES §4.7).
#include "crypto/md5.hpp"
#include "l2tp/message.hpp"

namespace l2sec::l2tp {

std::array<std::uint8_t, 16> challenge_response(MessageType carrier, Bytes secret, Bytes challenge) {
  const std::uint8_t id[1] = {static_cast<std::uint8_t>(static_cast<std::uint16_t>(carrier))};
  return crypto::Md5().update(id).update(secret).update(challenge).finish();
}

}  // namespace l2sec::l2tp
