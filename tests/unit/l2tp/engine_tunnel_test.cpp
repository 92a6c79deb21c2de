// The control connection of l2tp::Engine (RFC 2661 §7.2.1, §5.1.1, §4.4.3,
// §5.7, §6.5, §8.1): two engines back to back (engine_pair.hpp).
#include <gtest/gtest.h>

#include "engine_pair.hpp"
#include "l2tp/tunnel.hpp"

namespace l2sec::l2tp::testing {
namespace {

using K = Event::Kind;

TEST(EngineTunnel, UpWithoutAuthentication) {
  Pair p(1, TunnelConfig{}, TunnelConfig{});
  p.pa.cfg.host_name = "lac-1";
  p.pb.cfg.host_name = "lns-1";
  p.record = true;
  auto [ta, tb] = p.tunnel_up();
  /* SCCRQ -->, <-- SCCRP, SCCCN -->, <-- ZLB */
  ASSERT_EQ(p.a.sent.size(), 2u);
  ASSERT_EQ(p.b.sent.size(), 2u);
  auto sccrq = peek_control(p.a.sent[0]);
  ASSERT_TRUE(sccrq && sccrq->msg);
  EXPECT_EQ(sccrq->hdr.tunnel_id, 0);
  const ControlMessage& rq = *sccrq->msg;
  EXPECT_EQ(rq.type, MessageType::SCCRQ);
  EXPECT_EQ(rq.protocol_version, (ProtocolVersion{1, 0}));
  EXPECT_EQ(rq.host_name, "lac-1");
  EXPECT_EQ(rq.assigned_tunnel_id, ta);
  EXPECT_EQ(rq.receive_window_size, 16);
  EXPECT_EQ(rq.framing_capabilities, kFramingSync | kFramingAsync);
  EXPECT_EQ(rq.bearer_capabilities, kBearerDigital | kBearerAnalog);
  EXPECT_EQ(rq.firmware_revision, 1);
  EXPECT_EQ(rq.vendor_name, "l2sec");
  EXPECT_TRUE(rq.tie_breaker.has_value());
  EXPECT_FALSE(rq.challenge.has_value());  // no secret, no challenge
  auto sccrp = peek_control(p.b.sent[0]);
  ASSERT_TRUE(sccrp && sccrp->msg);
  EXPECT_EQ(sccrp->msg->type, MessageType::SCCRP);
  EXPECT_EQ(sccrp->hdr.tunnel_id, ta);
  EXPECT_EQ(sccrp->msg->assigned_tunnel_id, tb);
  EXPECT_EQ(sccrp->msg->host_name, "lns-1");
  EXPECT_FALSE(sccrp->msg->challenge_response.has_value());
  EXPECT_EQ(control_type(p.a.sent[1]), MessageType::SCCCN);
  EXPECT_EQ(control_type(p.b.sent[1]), std::nullopt);  // ZLB

  ASSERT_EQ(p.a.count(K::tunnel_up), 1u);
  ASSERT_EQ(p.b.count(K::tunnel_up), 1u);
  EXPECT_EQ(p.a.last(K::tunnel_up)->ref.tunnel, ta);
  EXPECT_EQ(p.a.last(K::tunnel_up)->peer_host_name, "lns-1");
  EXPECT_EQ(p.a.last(K::tunnel_up)->peer, p.b.addr);
  EXPECT_EQ(p.b.last(K::tunnel_up)->ref.tunnel, tb);
  EXPECT_EQ(p.b.last(K::tunnel_up)->peer_host_name, "lac-1");
  EXPECT_EQ(p.a.count(Ctr::l2tp_tunnel_established), 1u);
  EXPECT_EQ(p.b.count(Ctr::l2tp_tunnel_established), 1u);
  auto ia = p.a.engine.tunnels();
  ASSERT_EQ(ia.size(), 1u);
  EXPECT_EQ(ia[0].local_id, ta);
  EXPECT_EQ(ia[0].peer_id, tb);
  EXPECT_TRUE(ia[0].established);
  auto ib = p.b.engine.tunnels();
  EXPECT_EQ(ib[0].peer_id, ta);
  EXPECT_EQ(ib[0].peer, p.a.addr);
  EXPECT_EQ(p.pb.tunnel_requests, 1);
  EXPECT_EQ(p.a.engine.tunnel_count(), 1u);
  EXPECT_TRUE(p.a.engine.quiescent());
}

TEST(EngineTunnel, UpWithMutualAuthentication) {
  Pair p(2, with_secret("s3cret"), with_secret("s3cret"));
  p.record = true;
  p.tunnel_up();
  EXPECT_EQ(p.a.count(K::tunnel_up), 1u);
  EXPECT_EQ(p.b.count(K::tunnel_up), 1u);
  Bytes secret = p.pa.cfg.secret;
  auto rq = peek_control(p.a.sent[0], secret);
  auto rp = peek_control(p.b.sent[0], secret);
  auto cn = peek_control(p.a.sent[1], secret);
  ASSERT_TRUE(rq && rp && cn);
  ASSERT_TRUE(rq->msg->challenge.has_value());
  EXPECT_EQ(rq->msg->challenge->size(), 16u);
  ASSERT_TRUE(rp->msg->challenge.has_value());
  // §5.1.1: MD5(2 | secret | challenge) in SCCRP, MD5(3 | ...) in SCCCN.
  EXPECT_EQ(rp->msg->challenge_response, challenge_response(MessageType::SCCRP, secret, *rq->msg->challenge));
  EXPECT_EQ(cn->msg->challenge_response, challenge_response(MessageType::SCCCN, secret, *rp->msg->challenge));
  EXPECT_EQ(p.a.count(Ctr::l2tp_tunnel_auth_failed), 0u);
  EXPECT_EQ(p.b.count(Ctr::l2tp_tunnel_auth_failed), 0u);
}

TEST(EngineTunnel, UpWithOneWayAuthentication) {
  TunnelConfig a = with_secret("k");
  a.require_authentication = false;  // A challenges B, B does not challenge A
  TunnelConfig b = with_secret("k");
  b.challenge = false;
  b.require_authentication = false;
  Pair p(3, a, b);
  p.tunnel_up();
  EXPECT_EQ(p.a.count(K::tunnel_up), 1u);
  EXPECT_EQ(p.b.count(K::tunnel_up), 1u);
}

TEST(EngineTunnel, WrongSecretDetectedByOriginator) {
  Pair p(4, with_secret("right"), with_secret("wrong"));
  p.tunnel_up();
  // A checks B's Challenge Response in the SCCRP: wrong -> StopCCN 4.
  ASSERT_EQ(p.a.count(K::tunnel_down), 1u);
  ASSERT_EQ(p.b.count(K::tunnel_down), 1u);
  EXPECT_EQ(p.a.count(K::tunnel_up), 0u);
  EXPECT_EQ(p.b.count(K::tunnel_up), 0u);
  const Event* da = p.a.last(K::tunnel_down);
  const Event* db = p.b.last(K::tunnel_down);
  EXPECT_EQ(da->result.result, result::kNotAuthorized);
  EXPECT_EQ(da->result.message, "challenge response wrong");
  EXPECT_FALSE(da->by_peer);
  EXPECT_EQ(db->result.result, result::kNotAuthorized);
  EXPECT_TRUE(db->by_peer);
  EXPECT_EQ(p.a.count(Ctr::l2tp_tunnel_auth_failed), 1u);
  EXPECT_EQ(p.b.count(Ctr::l2tp_tunnel_auth_failed), 0u);
  EXPECT_EQ(p.a.engine.tunnel_count(), 0u);
  EXPECT_FALSE(p.a.engine.idle());  // holding state (§5.7)
  p.advance(std::chrono::seconds(32));
  EXPECT_TRUE(p.a.engine.idle());
  EXPECT_TRUE(p.b.engine.idle());
}

TEST(EngineTunnel, WrongSecretDetectedByRecipient) {
  TunnelConfig a = with_secret("right");
  a.challenge = false;
  a.require_authentication = false;
  TunnelConfig b = with_secret("wrong");
  b.require_authentication = false;  // B only checks A's answer to its challenge
  Pair p(5, a, b);
  p.tunnel_up();
  // A answers B's challenge wrongly in SCCCN; B refuses after A went up.
  EXPECT_EQ(p.a.count(K::tunnel_up), 1u);
  ASSERT_EQ(p.a.count(K::tunnel_down), 1u);
  ASSERT_EQ(p.b.count(K::tunnel_down), 1u);
  EXPECT_EQ(p.b.count(K::tunnel_up), 0u);
  EXPECT_EQ(p.a.last(K::tunnel_down)->result.result, result::kNotAuthorized);
  EXPECT_TRUE(p.a.last(K::tunnel_down)->by_peer);
  EXPECT_EQ(p.b.last(K::tunnel_down)->result.result, result::kNotAuthorized);
  EXPECT_FALSE(p.b.last(K::tunnel_down)->by_peer);
  EXPECT_EQ(p.b.count(Ctr::l2tp_tunnel_auth_failed), 1u);
}

TEST(EngineTunnel, PeerWithoutSecretFailsOurChallenge) {
  Pair p(6, TunnelConfig{}, with_secret("k"));
  p.tunnel_up();
  // B holds a secret and challenges in its SCCRP; A, with no secret, cannot
  // answer and refuses the tunnel itself.
  ASSERT_EQ(p.a.count(K::tunnel_down), 1u);
  EXPECT_EQ(p.a.last(K::tunnel_down)->result.result, result::kNotAuthorized);
  EXPECT_EQ(p.a.last(K::tunnel_down)->result.message, "challenge received but no secret");
  EXPECT_FALSE(p.a.last(K::tunnel_down)->by_peer);
  EXPECT_EQ(p.a.count(Ctr::l2tp_tunnel_auth_failed), 1u);
  ASSERT_EQ(p.b.count(K::tunnel_down), 1u);
  EXPECT_EQ(p.b.last(K::tunnel_down)->result.result, result::kNotAuthorized);
  EXPECT_TRUE(p.b.last(K::tunnel_down)->by_peer);
  EXPECT_EQ(p.a.count(K::tunnel_up) + p.b.count(K::tunnel_up), 0u);
}

TEST(EngineTunnel, NeitherSideChallengingIsRefusedWhenASecretIsSet) {
  TunnelConfig quiet = with_secret("k");
  quiet.challenge = false;  // B will not challenge, so A must
  TunnelConfig a = with_secret("k");
  a.challenge = false;
  Pair p(60, a, quiet);
  p.tunnel_up();
  ASSERT_EQ(p.b.count(K::tunnel_down), 1u);
  EXPECT_EQ(p.b.last(K::tunnel_down)->result.message, "authentication required: no challenge");
  EXPECT_EQ(p.b.count(Ctr::l2tp_tunnel_auth_failed), 1u);
  ASSERT_EQ(p.a.count(K::tunnel_down), 1u);
  EXPECT_EQ(p.a.last(K::tunnel_down)->result.result, result::kNotAuthorized);
  EXPECT_TRUE(p.a.last(K::tunnel_down)->by_peer);
  EXPECT_EQ(p.a.count(K::tunnel_up) + p.b.count(K::tunnel_up), 0u);
}

TEST(EngineTunnel, OneWayAuthenticationIsEnough) {
  // A holds the secret but does not challenge (xl2tpd's default); B
  // challenges and A answers: the tunnel is authenticated and comes up.
  TunnelConfig a = with_secret("k");
  a.challenge = false;
  Pair p(61, a, with_secret("k"));
  p.tunnel_up();
  EXPECT_EQ(p.a.count(K::tunnel_up), 1u);
  EXPECT_EQ(p.b.count(K::tunnel_up), 1u);
  EXPECT_EQ(p.a.count(Ctr::l2tp_tunnel_auth_failed) + p.b.count(Ctr::l2tp_tunnel_auth_failed), 0u);
}

TEST(EngineTunnel, ChallengeWithoutSecretRefused) {
  Pair p(7, with_secret("k"), TunnelConfig{});
  p.tunnel_up();
  ASSERT_EQ(p.b.count(K::tunnel_down), 1u);
  EXPECT_EQ(p.b.last(K::tunnel_down)->result.result, result::kNotAuthorized);
  EXPECT_EQ(p.b.last(K::tunnel_down)->result.message, "challenge received but no secret");
  EXPECT_EQ(p.b.count(Ctr::l2tp_tunnel_auth_failed), 1u);
  ASSERT_EQ(p.a.count(K::tunnel_down), 1u);
  EXPECT_EQ(p.a.last(K::tunnel_down)->result.result, result::kNotAuthorized);
}

TEST(EngineTunnel, HiddenAvpsBothWays) {
  TunnelConfig c = with_secret("hide-me");
  c.hide_avps = true;
  Pair p(8, c, c);
  p.record = true;
  auto [ta, tb] = p.tunnel_up();
  ASSERT_EQ(p.a.count(K::tunnel_up), 1u);
  ASSERT_EQ(p.b.count(K::tunnel_up), 1u);
  // Assigned Tunnel ID went hidden: decodable only with the secret.
  auto plain = peek_control(p.a.sent[0]);
  ASSERT_TRUE(plain && plain->msg);
  EXPECT_TRUE(plain->fault.has_value() || plain->msg->assigned_tunnel_id != ta);
  auto revealed = peek_control(p.a.sent[0], p.pa.cfg.secret);
  ASSERT_TRUE(revealed && revealed->msg);
  EXPECT_EQ(revealed->msg->assigned_tunnel_id, ta);
  EXPECT_EQ(p.b.engine.tunnels()[0].peer_id, ta);
  // Calls with hidden AVPs too.
  auto s = p.a.engine.open_session(p.now, ta, CallParams{});
  ASSERT_TRUE(s.ok());
  p.pump();
  EXPECT_EQ(p.a.count(K::session_up), 1u);
  EXPECT_EQ(p.b.count(K::session_up), 1u);
  (void)tb;
}

TEST(EngineTunnel, RetransmittedSccrqWithHiddenIdDoesNotMakeASecondTunnel) {
  TunnelConfig c = with_secret("hide-me");
  c.hide_avps = true;
  Pair p(9, c, c);
  p.record = true;
  p.tunnel_up();
  ASSERT_EQ(p.b.engine.tunnels().size(), 1u);
  p.inject(Side::b, p.a.addr, p.a.sent[0].clone());  // the SCCRQ again
  p.pump();
  EXPECT_EQ(p.b.engine.tunnels().size(), 1u);
  EXPECT_EQ(p.b.count(Ctr::l2tp_ctl_rx_duplicate), 1u);
}

TEST(EngineTunnel, NoPolicyRefusesEverySccrq) {
  Pair p(10, TunnelConfig{}, TunnelConfig{}, true, false);
  p.tunnel_up();
  EXPECT_EQ(p.b.count(Ctr::l2tp_tunnel_refused), 1u);
  ASSERT_EQ(p.a.count(K::tunnel_down), 1u);
  EXPECT_EQ(p.a.last(K::tunnel_down)->result.result, result::kNotAuthorized);
  EXPECT_TRUE(p.a.last(K::tunnel_down)->by_peer);
}

TEST(EngineTunnel, UnsupportedProtocolVersionGetsStopCcn5) {
  Pair p(11, TunnelConfig{}, TunnelConfig{});
  p.record = true;
  p.filter = [](Side from, PacketBuf& pkt) {
    if (from == Side::a && control_type(pkt) == MessageType::SCCRQ)
      pkt = rewrite_control(pkt, [](ControlMessage& m) { m.protocol_version = ProtocolVersion{2, 0}; });
    return true;
  };
  p.tunnel_up();
  ASSERT_GE(p.b.sent.size(), 1u);
  auto stop = peek_control(p.b.sent[0]);
  ASSERT_TRUE(stop && stop->msg);
  EXPECT_EQ(stop->msg->type, MessageType::StopCCN);
  EXPECT_EQ(stop->msg->result_code->result, result::kUnsupportedVersion);
  EXPECT_EQ(stop->msg->result_code->error, 0x0100);  // highest supported: 1.0
  EXPECT_EQ(stop->msg->assigned_tunnel_id, p.b.last(K::tunnel_down)->ref.tunnel);
  EXPECT_EQ(p.a.last(K::tunnel_down)->result.result, result::kUnsupportedVersion);
}

TEST(EngineTunnel, UnknownMandatoryAvpInSccrqClearsTheTunnel) {
  Pair p(12, TunnelConfig{}, TunnelConfig{});
  p.record = true;
  p.filter = [](Side from, PacketBuf& pkt) {
    if (from == Side::a && control_type(pkt) == MessageType::SCCRQ)
      pkt = rewrite_control(pkt, [](ControlMessage& m) {
        m.unrecognized.push_back(RawAvp{true, false, 0, 99, {1, 2}});
      });
    return true;
  };
  p.tunnel_up();
  EXPECT_EQ(p.b.count(Ctr::l2tp_rx_unknown_mandatory_avp), 1u);
  auto stop = peek_control(p.b.sent[0]);
  ASSERT_TRUE(stop && stop->msg);
  EXPECT_EQ(stop->msg->type, MessageType::StopCCN);
  EXPECT_EQ(stop->hdr.tunnel_id, p.a.engine.tunnels()[0].local_id);
  EXPECT_EQ(stop->msg->result_code->result, result::kGeneralError);
  EXPECT_EQ(stop->msg->result_code->error, error::kUnknownMandatoryAvp);
  ASSERT_EQ(p.a.count(K::tunnel_down), 1u);
  EXPECT_EQ(p.a.last(K::tunnel_down)->result.error, error::kUnknownMandatoryAvp);
  EXPECT_TRUE(p.a.last(K::tunnel_down)->by_peer);
}

TEST(EngineTunnel, OutOfSequenceMessageClearsWithFsmError) {
  Pair p(13, TunnelConfig{}, TunnelConfig{});
  p.tunnel_up();
  // Turn A's next HELLO into an SCCCN: established, receive SCCCN ->
  // StopCCN (§7.2.1), result 7.
  p.filter = [](Side from, PacketBuf& pkt) {
    if (from == Side::a && control_type(pkt) == MessageType::HELLO)
      pkt = rewrite_control(pkt, [](ControlMessage& m) { m.type = MessageType::SCCCN; });
    return true;
  };
  p.advance(std::chrono::seconds(61));
  EXPECT_EQ(p.b.count(Ctr::l2tp_fsm_unexpected), 1u);
  ASSERT_EQ(p.b.count(K::tunnel_down), 1u);
  EXPECT_EQ(p.b.last(K::tunnel_down)->result.result, result::kFsmError);
  EXPECT_EQ(p.b.last(K::tunnel_down)->result.message, "unexpected SCCCN in established");
  ASSERT_EQ(p.a.count(K::tunnel_down), 1u);
  EXPECT_EQ(p.a.last(K::tunnel_down)->result.result, result::kFsmError);
}

TEST(EngineTunnel, UnknownMandatoryMessageTypeClearsTheTunnel) {
  Pair p(14, TunnelConfig{}, TunnelConfig{});
  p.tunnel_up();
  p.filter = [](Side from, PacketBuf& pkt) {
    if (from == Side::a && control_type(pkt) == MessageType::HELLO) {
      // Message Type AVP: M=1, value 99 (unknown).
      auto pr = parse_header(pkt.bytes());
      std::uint8_t* v = pkt.data() + pr->payload_offset;
      v[6] = 0;
      v[7] = 99;
    }
    return true;
  };
  p.advance(std::chrono::seconds(61));
  EXPECT_EQ(p.b.count(Ctr::l2tp_rx_unknown_message_type), 1u);
  ASSERT_EQ(p.b.count(K::tunnel_down), 1u);
  EXPECT_EQ(p.b.last(K::tunnel_down)->result.result, result::kGeneralError);
  EXPECT_EQ(p.b.last(K::tunnel_down)->result.error, error::kUnknownMandatoryAvp);
}

// --- tie breaker (§4.4.3) ---

struct TieOutcome {
  bool a_won;
};

TEST(EngineTunnel, TieBreakerBothOutcomes) {
  bool seen_a_wins = false, seen_b_wins = false;
  for (std::uint64_t seed = 100; seed < 120 && !(seen_a_wins && seen_b_wins); ++seed) {
    Pair p(seed, TunnelConfig{}, TunnelConfig{});
    p.record = true;
    // Both open at the same instant; neither has seen the other's SCCRQ.
    auto ta = p.a.engine.open_tunnel(p.now, p.b.addr, p.pa.cfg);
    auto tb = p.b.engine.open_tunnel(p.now, p.a.addr, p.pb.cfg);
    ASSERT_TRUE(ta.ok() && tb.ok());
    auto sa = p.a.engine.open_session(p.now, *ta, CallParams{});  // queued on A's tunnel
    auto sb = p.b.engine.open_session(p.now, *tb, CallParams{});  // queued on B's tunnel
    ASSERT_TRUE(sa.ok() && sb.ok());
    p.pump();
    // One tunnel, both sides, established; each open_tunnel() handle is it.
    ASSERT_EQ(p.a.engine.tunnels().size(), 1u);
    ASSERT_EQ(p.b.engine.tunnels().size(), 1u);
    auto ia = p.a.engine.tunnels()[0];
    auto ib = p.b.engine.tunnels()[0];
    EXPECT_TRUE(ia.established && ib.established);
    EXPECT_EQ(ia.local_id, *ta);
    EXPECT_EQ(ib.local_id, *tb);
    EXPECT_EQ(ia.peer_id, *tb);
    EXPECT_EQ(ib.peer_id, *ta);
    const bool a_won = p.a.count(Ctr::l2tp_tunnel_tie_won) == 1;
    // The lower Tie Breaker won (§4.4.3).
    auto rqa = peek_control(p.a.sent.at(0));
    auto rqb = peek_control(p.b.sent.at(0));
    ASSERT_TRUE(rqa && rqa->msg && rqb && rqb->msg);
    ASSERT_EQ(rqa->msg->type, MessageType::SCCRQ);
    ASSERT_EQ(rqb->msg->type, MessageType::SCCRQ);
    EXPECT_EQ(a_won, *rqa->msg->tie_breaker < *rqb->msg->tie_breaker);
    EXPECT_EQ(p.a.count(Ctr::l2tp_tunnel_tie_won) + p.b.count(Ctr::l2tp_tunnel_tie_won), 1u);
    EXPECT_EQ(p.a.count(Ctr::l2tp_tunnel_tie_lost) + p.b.count(Ctr::l2tp_tunnel_tie_lost), 1u);
    EXPECT_EQ(p.b.count(Ctr::l2tp_tunnel_tie_lost), a_won ? 1u : 0u);
    // The calls queued on either side's tunnel came up on the single tunnel.
    EXPECT_EQ(p.a.count(K::session_up), 2u);
    EXPECT_EQ(p.b.count(K::session_up), 2u);
    EXPECT_EQ(p.a.engine.session_count(), 2u);
    EXPECT_EQ(p.a.count(K::tunnel_down) + p.b.count(K::tunnel_down), 0u);
    (a_won ? seen_a_wins : seen_b_wins) = true;
  }
  EXPECT_TRUE(seen_a_wins);
  EXPECT_TRUE(seen_b_wins);
}

TEST(EngineTunnel, TieBreakerNeitherSideSendsOneMakesTwoTunnels) {
  TunnelConfig c;
  c.tie_breaker = false;
  Pair p(21, c, c);
  auto ta = p.a.engine.open_tunnel(p.now, p.b.addr, c);
  auto tb = p.b.engine.open_tunnel(p.now, p.a.addr, c);
  ASSERT_TRUE(ta.ok() && tb.ok());
  p.pump();
  EXPECT_EQ(p.a.engine.tunnels().size(), 2u);
  EXPECT_EQ(p.b.engine.tunnels().size(), 2u);
  EXPECT_EQ(p.a.count(K::tunnel_up), 2u);
  EXPECT_EQ(p.a.count(Ctr::l2tp_tunnel_tie_lost) + p.b.count(Ctr::l2tp_tunnel_tie_lost), 0u);
}

TEST(EngineTunnel, TieBreakerSideWithValueWins) {
  TunnelConfig none;
  none.tie_breaker = false;
  Pair p(22, TunnelConfig{}, none);
  auto ta = p.a.engine.open_tunnel(p.now, p.b.addr, p.pa.cfg);
  auto tb = p.b.engine.open_tunnel(p.now, p.a.addr, none);
  ASSERT_TRUE(ta.ok() && tb.ok());
  p.pump();
  EXPECT_EQ(p.a.count(Ctr::l2tp_tunnel_tie_won), 1u);
  EXPECT_EQ(p.b.count(Ctr::l2tp_tunnel_tie_lost), 1u);
  ASSERT_EQ(p.a.engine.tunnels().size(), 1u);
  EXPECT_EQ(p.a.engine.tunnels()[0].local_id, *ta);
  EXPECT_TRUE(p.a.engine.tunnels()[0].established);
}

TEST(EngineTunnel, TieBreakerEqualValuesBothDiscardAndRetry) {
  Pair p(23, TunnelConfig{}, TunnelConfig{});
  p.record = true;
  auto ta = p.a.engine.open_tunnel(p.now, p.b.addr, p.pa.cfg);
  ASSERT_TRUE(ta.ok());
  auto first = p.a.engine.poll_transmit();  // A's SCCRQ, held back
  ASSERT_TRUE(first);
  auto rq = peek_control(first->pkt);
  ASSERT_TRUE(rq && rq->msg && rq->msg->tie_breaker);
  // The peer's SCCRQ with the very same Tie Breaker.
  ControlMessage theirs = make_sccrq(TunnelConfig{}, 0x4242, rq->msg->tie_breaker, std::nullopt);
  p.inject(Side::a, p.b.addr, build_control(control_header(0, 0, 0, 0), theirs));
  EXPECT_EQ(p.a.count(Ctr::l2tp_tunnel_tie_lost), 1u);
  EXPECT_EQ(p.pa.tunnel_requests, 0);  // the peer's tunnel was not taken
  ASSERT_EQ(p.a.engine.tunnels().size(), 1u);
  EXPECT_EQ(p.a.engine.tunnels()[0].local_id, *ta);
  // A re-sent an SCCRQ with a new Tie Breaker (Ns 0 again: fresh channel).
  auto again = p.a.engine.poll_transmit();
  ASSERT_TRUE(again);
  auto rq2 = peek_control(again->pkt);
  ASSERT_TRUE(rq2 && rq2->msg);
  EXPECT_EQ(rq2->msg->type, MessageType::SCCRQ);
  EXPECT_EQ(rq2->hdr.ns, 0);
  EXPECT_NE(rq2->msg->tie_breaker, rq->msg->tie_breaker);
  // Delivered to B, the retry brings the tunnel up.
  p.inject(Side::b, p.a.addr, std::move(again->pkt));
  p.pump();
  EXPECT_EQ(p.a.count(K::tunnel_up), 1u);
  EXPECT_EQ(p.b.count(K::tunnel_up), 1u);
}

// --- teardown (§5.7) ---

TEST(EngineTunnel, StopCcnFromOriginatorAndHold) {
  Pair p(30, TunnelConfig{}, TunnelConfig{});
  auto [ta, tb] = p.tunnel_up();
  ASSERT_TRUE(p.a.engine.close_tunnel(p.now, ta, ResultCode{result::kGeneralClear, std::nullopt, {}}).ok());
  // Drop B's first ZLB: A retransmits its StopCCN during B's hold, and B
  // acknowledges it again.
  int zlbs = 0;
  p.filter = [&](Side from, PacketBuf& pkt) {
    auto c = peek_control(pkt);
    if (from == Side::b && c && !c->msg && zlbs++ == 0) return false;
    return true;
  };
  p.pump();
  ASSERT_EQ(p.a.count(K::tunnel_down), 1u);
  ASSERT_EQ(p.b.count(K::tunnel_down), 1u);
  EXPECT_FALSE(p.a.last(K::tunnel_down)->by_peer);
  EXPECT_TRUE(p.b.last(K::tunnel_down)->by_peer);
  EXPECT_EQ(p.b.last(K::tunnel_down)->result.result, result::kGeneralClear);
  EXPECT_EQ(p.b.last(K::tunnel_down)->ref.tunnel, tb);
  EXPECT_EQ(p.a.engine.tunnel_count(), 0u);
  EXPECT_EQ(p.b.engine.tunnel_count(), 0u);
  EXPECT_FALSE(p.a.engine.quiescent());  // StopCCN not acknowledged yet
  p.advance(std::chrono::seconds(2));
  EXPECT_EQ(p.a.count(Ctr::l2tp_ctl_retransmit), 1u);
  EXPECT_EQ(p.b.count(Ctr::l2tp_ctl_rx_duplicate), 1u);
  EXPECT_EQ(zlbs, 2);
  EXPECT_TRUE(p.a.engine.quiescent());
  EXPECT_FALSE(p.a.engine.idle());
  EXPECT_FALSE(p.b.engine.idle());
  p.advance(std::chrono::seconds(30));  // 32 s > stop_hold (31 s)
  EXPECT_TRUE(p.a.engine.idle());
  EXPECT_TRUE(p.b.engine.idle());
  EXPECT_EQ(p.a.engine.next_deadline(), kNever);
  EXPECT_EQ(p.a.count(Ctr::l2tp_tunnel_closed), 1u);
  EXPECT_EQ(p.b.count(Ctr::l2tp_tunnel_closed), 1u);
}

TEST(EngineTunnel, StopCcnFromRecipientClearsSessions) {
  Pair p(31, TunnelConfig{}, TunnelConfig{});
  auto [ta, tb] = p.tunnel_up();
  ASSERT_TRUE(p.a.engine.open_session(p.now, ta, CallParams{}).ok());
  p.pump();
  ASSERT_EQ(p.b.count(K::session_up), 1u);
  ResultCode why{result::kShuttingDown, std::nullopt, {}};
  ASSERT_TRUE(p.b.engine.close_tunnel(p.now, tb, why).ok());
  p.pump();
  ASSERT_EQ(p.a.count(K::tunnel_down), 1u);
  EXPECT_TRUE(p.a.last(K::tunnel_down)->by_peer);
  EXPECT_EQ(p.a.last(K::tunnel_down)->result, why);
  ASSERT_EQ(p.a.count(K::session_down), 1u);
  EXPECT_TRUE(p.a.last(K::session_down)->by_peer);
  EXPECT_EQ(p.a.last(K::session_down)->result, why);
  ASSERT_EQ(p.b.count(K::session_down), 1u);
  EXPECT_FALSE(p.b.last(K::session_down)->by_peer);
  EXPECT_EQ(p.a.engine.session_count(), 0u);
  EXPECT_EQ(p.b.engine.session_count(), 0u);
  EXPECT_FALSE(p.b.engine.close_tunnel(p.now, tb, why).ok());  // already closing
  p.advance(std::chrono::seconds(31));
  EXPECT_TRUE(p.a.engine.idle());
  EXPECT_TRUE(p.b.engine.idle());
}

TEST(EngineTunnel, CloseAllClearsEveryTunnel) {
  Pair p(32, TunnelConfig{}, TunnelConfig{});
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(p.a.engine.open_tunnel(p.now, p.b.addr, p.pa.cfg).ok());
  p.pump();
  EXPECT_EQ(p.b.engine.tunnel_count(), 3u);
  p.a.engine.close_all(p.now, ResultCode{result::kShuttingDown, std::nullopt, {}});
  p.pump();
  EXPECT_EQ(p.b.count(K::tunnel_down), 3u);
  EXPECT_TRUE(p.a.engine.quiescent());
  EXPECT_EQ(p.a.engine.tunnel_count(), 0u);
}

// --- Hello (§6.5) and a dead peer (§5.8) ---

TEST(EngineTunnel, HelloAfterSilence) {
  TunnelConfig b;
  b.hello_interval = std::chrono::seconds(90);
  Pair p(40, TunnelConfig{}, b);
  p.record = true;
  p.tunnel_up();
  p.advance(std::chrono::seconds(59));
  EXPECT_EQ(p.a.count(Ctr::l2tp_hello_tx), 0u);
  p.advance(std::chrono::seconds(2));
  EXPECT_EQ(p.a.count(Ctr::l2tp_hello_tx), 1u);
  EXPECT_EQ(p.b.count(Ctr::l2tp_hello_tx), 0u);  // A's Hello refreshed B's timer
  bool found = false;
  for (const auto& pkt : p.a.sent) {
    auto c = peek_control(pkt);
    if (c && c->msg && c->msg->type == MessageType::HELLO) {
      found = true;
      EXPECT_EQ(c->hdr.session_id, 0);
    }
  }
  EXPECT_TRUE(found);
  p.advance(std::chrono::seconds(600));
  EXPECT_EQ(p.a.count(K::tunnel_down), 0u);
  EXPECT_GE(p.a.count(Ctr::l2tp_hello_tx) + p.b.count(Ctr::l2tp_hello_tx), 10u);
}

TEST(EngineTunnel, DataKeepsHelloAway) {
  Pair p(41, TunnelConfig{}, TunnelConfig{});
  auto [ta, tb] = p.tunnel_up();
  auto s = p.a.engine.open_session(p.now, ta, CallParams{});
  ASSERT_TRUE(s.ok());
  p.pump();
  SessionRef rb = p.b.last(K::session_up)->ref;
  for (int i = 0; i < 10; ++i) {
    p.advance(std::chrono::seconds(30));
    ASSERT_TRUE(p.a.engine.send_frame(p.now, *s, frame_of({0xff, 0x03, 0xc0, 0x21})).ok());
    ASSERT_TRUE(p.b.engine.send_frame(p.now, rb, frame_of({0xff, 0x03, 0xc0, 0x21})).ok());
    p.pump();
  }
  EXPECT_EQ(p.a.count(Ctr::l2tp_hello_tx) + p.b.count(Ctr::l2tp_hello_tx), 0u);
  (void)tb;
}

TEST(EngineTunnel, DeadPeerTakesTheTunnelDown) {
  Pair p(42, TunnelConfig{}, TunnelConfig{});
  auto [ta, tb] = p.tunnel_up();
  ASSERT_TRUE(p.a.engine.open_session(p.now, ta, CallParams{}).ok());
  p.pump();
  const Instant cut = p.now;
  p.filter = [](Side, PacketBuf&) { return false; };
  p.advance(std::chrono::seconds(200));
  ASSERT_EQ(p.a.count(K::tunnel_down), 1u);
  const Seen* down = p.a.last_seen(K::tunnel_down);
  EXPECT_EQ(down->ev.result.result, result::kGeneralError);
  EXPECT_EQ(down->ev.result.message, "retransmissions exhausted");
  EXPECT_FALSE(down->ev.by_peer);
  // Hello at 60 s, then the full retransmission cycle (31 s).
  EXPECT_EQ(down->at - cut, std::chrono::seconds(91));
  EXPECT_EQ(p.a.count(K::session_down), 1u);
  EXPECT_EQ(p.a.count(Ctr::l2tp_ctl_give_up), 1u);
  EXPECT_EQ(p.a.count(Ctr::l2tp_ctl_retransmit), 5u);
  EXPECT_TRUE(p.a.engine.idle());  // nothing to hold for a dead peer
  EXPECT_TRUE(p.b.engine.idle());
  (void)tb;
}

TEST(EngineTunnel, SurvivesAnHourOfTenPercentLoss) {
  for (std::uint64_t seed = 60; seed < 66; ++seed) {
    Pair p(seed, TunnelConfig{}, TunnelConfig{});
    auto [ta, tb] = p.tunnel_up();
    auto s = p.a.engine.open_session(p.now, ta, CallParams{});
    ASSERT_TRUE(s.ok());
    crypto::SeededRandom loss(seed);
    std::uint64_t dropped = 0;
    p.filter = [&](Side, PacketBuf&) {
      bool drop = loss.next() % 10 == 0;
      dropped += drop;
      return !drop;
    };
    for (int i = 0; i < 3600; i += 10) {
      p.advance(std::chrono::seconds(10));
      if (p.a.count(K::session_up) == 1) (void)p.a.engine.send_frame(p.now, *s, frame_of({0xc0, 0x21}));
    }
    EXPECT_GT(dropped, 10u);
    EXPECT_EQ(p.a.count(K::session_up), 1u);
    EXPECT_EQ(p.b.count(K::session_up), 1u);
    EXPECT_EQ(p.a.count(K::tunnel_down) + p.b.count(K::tunnel_down), 0u);
    EXPECT_GT(p.b.count(K::frame), 250u);
    (void)tb;
  }
}

// --- endpoints (§8.1) ---

TEST(EngineTunnel, SccrpFromAnotherPortIsAccepted) {
  Pair p(50, TunnelConfig{}, TunnelConfig{});
  p.b.src = Endpoint::v4({192, 0, 2, 2}, 40000);  // B answers from its own port
  auto [ta, tb] = p.tunnel_up();
  ASSERT_EQ(p.a.count(K::tunnel_up), 1u);
  EXPECT_EQ(p.a.engine.tunnels()[0].peer, p.b.src);
  EXPECT_EQ(p.a.last(K::tunnel_up)->peer, p.b.src);
  EXPECT_EQ(p.a.count(Ctr::l2tp_rx_wrong_peer), 0u);
  // From then on port 1701 is the wrong peer.
  auto hello = build_control(control_header(ta, 0, 1, 1), make_hello());
  p.inject(Side::a, p.b.addr, std::move(hello));
  EXPECT_EQ(p.a.count(Ctr::l2tp_rx_wrong_peer), 1u);
  (void)tb;
}

TEST(EngineTunnel, WrongPeerDropped) {
  Pair p(51, TunnelConfig{}, TunnelConfig{});
  p.record = true;
  auto [ta, tb] = p.tunnel_up();
  const PacketBuf& scccn = p.a.sent[1];
  p.inject(Side::b, Endpoint::v4({192, 0, 2, 1}, 1702), scccn.clone());    // other port
  p.inject(Side::b, Endpoint::v4({198, 51, 100, 1}, 1701), scccn.clone());  // other host
  EXPECT_EQ(p.b.count(Ctr::l2tp_rx_wrong_peer), 2u);
  EXPECT_EQ(p.b.count(Ctr::l2tp_ctl_rx_duplicate), 0u);
  (void)ta;
  (void)tb;
}

TEST(EngineTunnel, UnknownTunnelAndTunnelZeroDropped) {
  Pair p(52, TunnelConfig{}, TunnelConfig{});
  auto [ta, tb] = p.tunnel_up();
  std::uint16_t unknown = static_cast<std::uint16_t>(tb + 1 == 0 ? 2 : tb + 1);
  p.inject(Side::b, p.a.addr, build_control(control_header(unknown, 0, 0, 0), make_hello()));
  EXPECT_EQ(p.b.count(Ctr::l2tp_rx_unknown_tunnel), 1u);
  p.inject(Side::b, p.a.addr, build_control(control_header(0, 0, 0, 0), make_hello()));
  EXPECT_EQ(p.b.count(Ctr::l2tp_rx_zero_tunnel_not_sccrq), 1u);
  EXPECT_EQ(p.b.engine.tunnels().size(), 1u);
  (void)ta;
}

TEST(EngineTunnel, MaxTunnels) {
  Pair p(53, TunnelConfig{}, TunnelConfig{});
  EngineConfig c;
  c.max_tunnels = 2;
  crypto::SeededRandom rng(53);
  Engine e(c, rng, nullptr);
  ASSERT_TRUE(e.open_tunnel(kEpoch, p.b.addr, TunnelConfig{}).ok());
  ASSERT_TRUE(e.open_tunnel(kEpoch, p.b.addr, TunnelConfig{}).ok());
  auto third = e.open_tunnel(kEpoch, p.b.addr, TunnelConfig{});
  ASSERT_FALSE(third.ok());
  EXPECT_EQ(third.error().code, Errc::no_resources);
}

TEST(EngineTunnel, ManyTunnels) {
  Pair p(54, TunnelConfig{}, TunnelConfig{});
  std::vector<std::uint16_t> ids;
  for (int i = 0; i < 2000; ++i) {
    auto id = p.a.engine.open_tunnel(p.now, p.b.addr, p.pa.cfg);
    ASSERT_TRUE(id.ok());
    ids.push_back(*id);
  }
  p.pump();
  EXPECT_EQ(p.a.count(K::tunnel_up), 2000u);
  EXPECT_EQ(p.b.count(K::tunnel_up), 2000u);
  EXPECT_EQ(p.b.engine.tunnel_count(), 2000u);
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(std::adjacent_find(ids.begin(), ids.end()), ids.end());  // unique
  EXPECT_EQ(std::count(ids.begin(), ids.end(), 0), 0);
  // Hello on every tunnel after a minute of silence, and no tunnel lost.
  p.advance(std::chrono::seconds(61));
  EXPECT_EQ(p.a.count(Ctr::l2tp_hello_tx), 2000u);
  EXPECT_EQ(p.a.count(K::tunnel_down), 0u);
  p.a.engine.close_all(p.now, ResultCode{result::kGeneralClear, std::nullopt, {}});
  p.advance(std::chrono::seconds(40));
  EXPECT_TRUE(p.a.engine.idle());
  EXPECT_TRUE(p.b.engine.idle());
}

}  // namespace
}  // namespace l2sec::l2tp::testing
