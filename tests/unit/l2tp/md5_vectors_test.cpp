// Checks every line of tests/vectors/l2tp/l2tp_md5_vectors.txt (written by
// make_vectors.py with Python's hashlib, apart from this code): hidden AVP
// values (RFC 2661 §4.3) and tunnel Challenge Responses (§5.1.1).
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "avp_builder.hpp"
#include "l2tp/message.hpp"

namespace l2sec::l2tp {
namespace {

using test::from_hex;
using test::to_hex;

std::vector<std::uint8_t> field(const std::string& s) {
  return s == "-" ? std::vector<std::uint8_t>{} : from_hex(s);
}

struct Counts {
  int hidden = 0;
  int padded = 0;
  int response = 0;
};

TEST(L2tpMd5Vectors, EveryLine) {
  const std::string path = std::string(L2SEC_SOURCE_DIR) + "/tests/vectors/l2tp/l2tp_md5_vectors.txt";
  std::ifstream in(path);
  ASSERT_TRUE(in) << "cannot open " << path;
  Counts n;
  std::string line;
  int lineno = 0;
  while (std::getline(in, line)) {
    ++lineno;
    if (line.empty() || line[0] == '#') continue;
    SCOPED_TRACE(path + ":" + std::to_string(lineno));
    std::istringstream ls(line);
    std::string kind;
    ls >> kind;
    if (kind == "hidden") {
      unsigned attr = 0;
      std::string secret, rv, value, pad, hidden;
      ls >> attr >> secret >> rv >> value >> pad >> hidden;
      ASSERT_FALSE(ls.fail());
      const auto s = field(secret), r = field(rv), v = field(value), p = field(pad), h = field(hidden);
      const auto type = static_cast<std::uint16_t>(attr);
      // hide_value pads with zeros: compare where the vector's pad is zeros.
      const bool zero_pad = std::all_of(p.begin(), p.end(), [](std::uint8_t x) { return x == 0; });
      if (zero_pad) {
        EXPECT_EQ(to_hex(hide_value(type, v, s, r, p.size())), to_hex(h));
      }
      auto revealed = reveal_value(type, h, s, r);
      ASSERT_TRUE(revealed.ok()) << revealed.error().what;
      EXPECT_EQ(to_hex(*revealed), to_hex(v));
      ++n.hidden;
      if (!p.empty()) ++n.padded;
    } else if (kind == "response") {
      unsigned type = 0;
      std::string secret, challenge, response;
      ls >> type >> secret >> challenge >> response;
      ASSERT_FALSE(ls.fail());
      ASSERT_TRUE(type == 2 || type == 3);
      const auto r = challenge_response(static_cast<MessageType>(type), field(secret), field(challenge));
      EXPECT_EQ(to_hex(r), response);
      ++n.response;
    } else {
      ADD_FAILURE() << "unknown line kind " << kind;
    }
  }
  // The file must exercise what it claims to (a truncated file fails here).
  EXPECT_GE(n.hidden, 19);
  EXPECT_GE(n.padded, 6);
  EXPECT_GE(n.response, 6);
}

// SPEC-NOTES §4.6 / §4.7 examples, written out here too so they do not
// depend on the file.
TEST(L2tpMd5Vectors, SpecNotesExamples) {
  const auto secret = test::bytes_of("secret");
  const auto rv = from_hex("101112131415161718191a1b1c1d1e1f");
  EXPECT_EQ(to_hex(hide_value(9, from_hex("1234"), secret, rv)), "bb5335ed");
  const auto challenge = from_hex("000102030405060708090a0b0c0d0e0f");
  EXPECT_EQ(to_hex(challenge_response(MessageType::SCCRP, secret, challenge)),
            "dd4186e2196f00124a9d588f02701259");
  EXPECT_EQ(to_hex(challenge_response(MessageType::SCCCN, secret, challenge)),
            "8f3c2fa6fcfea72215ae83ea89ec2b77");
}

}  // namespace
}  // namespace l2sec::l2tp
