// The control connection table (RFC 2661 §7.2.1), tunnel authentication
// (§5.1.1) and the messages a tunnel sends (§6.1-§6.5).
#include "l2tp/tunnel.hpp"

#include <gtest/gtest.h>

#include <cstring>

namespace l2sec::l2tp {
namespace {

using M = MessageType;
using S = TunnelState;
using A = TunnelAction;

TEST(TunnelTable, Rows) {
  EXPECT_EQ(tunnel_action(S::idle, M::SCCRQ), A::process);
  EXPECT_EQ(tunnel_action(S::idle, M::SCCRP), A::stop_fsm);
  EXPECT_EQ(tunnel_action(S::wait_ctl_reply, M::SCCRP), A::process);
  EXPECT_EQ(tunnel_action(S::wait_ctl_reply, M::SCCCN), A::stop_fsm);
  EXPECT_EQ(tunnel_action(S::wait_ctl_conn, M::SCCCN), A::process);
  EXPECT_EQ(tunnel_action(S::wait_ctl_conn, M::SCCRP), A::stop_fsm);
  EXPECT_EQ(tunnel_action(S::wait_ctl_conn, M::SCCRQ), A::stop_fsm);
  for (M m : {M::SCCRQ, M::SCCRP, M::SCCCN}) EXPECT_EQ(tunnel_action(S::established, m), A::stop_fsm);
  for (S s : {S::idle, S::wait_ctl_reply, S::wait_ctl_conn, S::established})
    EXPECT_EQ(tunnel_action(s, M::StopCCN), A::process);
  EXPECT_EQ(tunnel_action(S::established, M::HELLO), A::ignore);
  for (M m : {M::SCCRQ, M::StopCCN, M::HELLO}) EXPECT_EQ(tunnel_action(S::closing, m), A::while_closing);
}

std::vector<std::uint8_t> v(const char* s) { return {s, s + std::strlen(s)}; }

// SPEC-NOTES §4.7 self-computed example: secret "secret", challenge 00..0F.
TEST(TunnelAuth, ChallengeResponseVector) {
  std::array<std::uint8_t, 16> ch{};
  for (int i = 0; i < 16; ++i) ch[i] = static_cast<std::uint8_t>(i);
  auto secret = v("secret");
  std::array<std::uint8_t, 16> sccrp = {0xdd, 0x41, 0x86, 0xe2, 0x19, 0x6f, 0x00, 0x12,
                                        0x4a, 0x9d, 0x58, 0x8f, 0x02, 0x70, 0x12, 0x59};
  EXPECT_EQ(challenge_response(M::SCCRP, secret, ch), sccrp);
  TunnelConfig cfg;
  cfg.secret = secret;
  EXPECT_EQ(check_auth(cfg, M::SCCRP, ch, sccrp, true), AuthVerdict::ok);
  auto wrong = sccrp;
  wrong[15] ^= 1;
  EXPECT_EQ(check_auth(cfg, M::SCCRP, ch, wrong, true), AuthVerdict::wrong_response);
  // The SCCCN response differs (ID 3): using it in an SCCRP fails.
  EXPECT_EQ(check_auth(cfg, M::SCCRP, ch, challenge_response(M::SCCCN, secret, ch), true),
            AuthVerdict::wrong_response);
}

TEST(TunnelAuth, Policies) {
  std::array<std::uint8_t, 16> ch{};
  TunnelConfig none;
  EXPECT_EQ(check_auth(none, M::SCCRQ, std::nullopt, std::nullopt, false), AuthVerdict::ok);
  EXPECT_EQ(check_auth(none, M::SCCRQ, std::nullopt, std::nullopt, true), AuthVerdict::challenge_without_secret);
  TunnelConfig req;
  req.secret = v("k");
  // We will challenge (in our SCCRP): an SCCRQ without a Challenge is fine.
  EXPECT_EQ(check_auth(req, M::SCCRQ, std::nullopt, std::nullopt, false), AuthVerdict::ok);
  // Neither side challenges: nothing would authenticate the tunnel.
  TunnelConfig quiet = req;
  quiet.challenge = false;
  EXPECT_EQ(check_auth(quiet, M::SCCRQ, std::nullopt, std::nullopt, false), AuthVerdict::no_challenge_from_peer);
  EXPECT_EQ(check_auth(quiet, M::SCCRP, std::nullopt, std::nullopt, false), AuthVerdict::no_challenge_from_peer);
  EXPECT_EQ(check_auth(quiet, M::SCCRQ, std::nullopt, std::nullopt, true), AuthVerdict::ok);
  EXPECT_EQ(check_auth(req, M::SCCRP, ch, std::nullopt, true), AuthVerdict::missing_response);
  EXPECT_EQ(check_auth(req, M::SCCRP, ch, std::nullopt, false), AuthVerdict::missing_response);
  // We challenged and the peer answered: authenticated, even though the peer
  // did not challenge us (xl2tpd's default "challenge = no").
  EXPECT_EQ(check_auth(req, M::SCCCN, ch, challenge_response(M::SCCCN, v("k"), ch), false), AuthVerdict::ok);
  TunnelConfig lax = req;
  lax.require_authentication = false;
  EXPECT_EQ(check_auth(lax, M::SCCRP, ch, std::nullopt, false), AuthVerdict::ok);
  std::array<std::uint8_t, 16> bad{};
  EXPECT_EQ(check_auth(lax, M::SCCRP, ch, bad, false), AuthVerdict::wrong_response);  // wrong is always fatal
}

TEST(TunnelMessages, Builders) {
  TunnelConfig cfg;
  cfg.host_name = "gw";
  cfg.channel.receive_window = 8;
  std::array<std::uint8_t, 16> ch{};
  ch[0] = 9;
  ControlMessage rq = make_sccrq(cfg, 0x2222, 0x0102030405060708ull, ch);
  EXPECT_EQ(rq.type, M::SCCRQ);
  EXPECT_EQ(rq.protocol_version, kProtocolVersion);
  EXPECT_EQ(rq.host_name, "gw");
  EXPECT_EQ(rq.assigned_tunnel_id, 0x2222);
  EXPECT_EQ(rq.receive_window_size, 8);
  EXPECT_EQ(rq.tie_breaker, 0x0102030405060708ull);
  EXPECT_EQ(rq.challenge, std::vector<std::uint8_t>(ch.begin(), ch.end()));
  ControlMessage rp = make_sccrp(cfg, 0x3333, std::nullopt, ch);
  EXPECT_FALSE(rp.tie_breaker.has_value());
  EXPECT_FALSE(rp.challenge.has_value());
  EXPECT_EQ(rp.challenge_response, ch);
  ControlMessage stop = make_stopccn(0x2222, make_result(result::kGeneralClear));
  EXPECT_EQ(stop.assigned_tunnel_id, 0x2222);
  EXPECT_EQ(stop.result_code, (ResultCode{1, std::nullopt, {}}));
  for (const ControlMessage& m : {rq, rp, make_scccn(ch), make_scccn(std::nullopt), stop, make_hello()}) {
    PacketBuf out(512);
    ASSERT_TRUE(encode_control(m, out).ok()) << message_type_name(m.type);
    auto d = decode_control(out.bytes(), {});
    ASSERT_TRUE(d.ok());
    EXPECT_FALSE(d->fault.has_value()) << message_type_name(m.type);
    EXPECT_EQ(d->msg, m) << message_type_name(m.type);
  }
}

}  // namespace
}  // namespace l2sec::l2tp
