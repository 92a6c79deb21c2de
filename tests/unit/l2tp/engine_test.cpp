// l2tp::Engine dispatch, timers and output (engine.cpp), with one engine
// fed hand-built datagrams and a fake clock.
#include "l2tp/engine.hpp"

#include <gtest/gtest.h>

#include "engine_pair.hpp"
#include "l2tp/tunnel.hpp"

namespace l2sec::l2tp::testing {
namespace {

using K = Event::Kind;

const Endpoint kPeer = Endpoint::v4({203, 0, 113, 5}, 1701);

struct Solo {
  explicit Solo(std::uint64_t seed) : rng(seed), policy(TunnelConfig{}), engine(EngineConfig{}, rng, &policy) {}
  crypto::SeededRandom rng;
  TestPolicy policy;
  Engine engine;
  Instant now = kEpoch;

  std::vector<Transmit> drain() {
    std::vector<Transmit> v;
    while (auto t = engine.poll_transmit()) v.push_back(std::move(*t));
    return v;
  }
  std::vector<Event> events() {
    std::vector<Event> v;
    while (auto e = engine.poll_event()) v.push_back(std::move(*e));
    return v;
  }
  void rx(PacketBuf p) { engine.on_datagram(now, kPeer, std::move(p)); }
};

TEST(Engine, IdleEngine) {
  Solo s(1);
  EXPECT_TRUE(s.engine.idle());
  EXPECT_TRUE(s.engine.quiescent());
  EXPECT_EQ(s.engine.next_deadline(), kNever);
  EXPECT_FALSE(s.engine.poll_transmit().has_value());
  EXPECT_FALSE(s.engine.poll_event().has_value());
  EXPECT_EQ(s.engine.tunnel_count(), 0u);
  EXPECT_EQ(s.engine.session_count(), 0u);
  EXPECT_EQ(s.engine.open_session(s.now, 5, CallParams{}).error().code, Errc::not_found);
  EXPECT_EQ(s.engine.close_tunnel(s.now, 5, ResultCode{}).error().code, Errc::not_found);
  EXPECT_EQ(s.engine.close_session(s.now, SessionRef{5, 6}, ResultCode{}).error().code, Errc::not_found);
}

TEST(Engine, HeaderErrorsAreCounted) {
  Solo s(2);
  s.rx(PacketBuf::copy_of(std::vector<std::uint8_t>{0xc8}));  // truncated
  s.rx(PacketBuf::copy_of(std::vector<std::uint8_t>{0xc8, 0x03, 0, 12, 0, 1, 0, 0, 0, 0, 0, 0}));  // Ver 3
  s.rx(PacketBuf::copy_of(std::vector<std::uint8_t>{0x88, 0x02, 0, 1, 0, 0, 0, 0, 0, 0}));  // T without L
  s.rx(PacketBuf::copy_of(std::vector<std::uint8_t>{0xc8, 0x02, 0, 40, 0, 1, 0, 0, 0, 0, 0, 0}));  // Length > size
  const Counters& c = s.engine.counters();
  EXPECT_EQ(c[Ctr::l2tp_rx_packets], 4u);
  EXPECT_EQ(c[Ctr::l2tp_rx_bad_header], 1u);
  EXPECT_EQ(c[Ctr::l2tp_rx_bad_version], 1u);
  EXPECT_EQ(c[Ctr::l2tp_rx_control_bad_flags], 1u);
  EXPECT_EQ(c[Ctr::l2tp_rx_bad_length], 1u);
  EXPECT_TRUE(s.engine.idle());
}

TEST(Engine, OpenTunnelSendsSccrqAndArmsTheRetransmission) {
  Solo s(3);
  auto id = s.engine.open_tunnel(s.now, kPeer, TunnelConfig{});
  ASSERT_TRUE(id.ok());
  EXPECT_NE(*id, 0);
  auto out = s.drain();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].to, kPeer);
  EXPECT_EQ(out[0].local_tunnel, *id);
  EXPECT_EQ(control_type(out[0].pkt), MessageType::SCCRQ);
  EXPECT_EQ(s.engine.next_deadline(), s.now + std::chrono::seconds(1));
  EXPECT_FALSE(s.engine.quiescent());
  s.now += std::chrono::seconds(1);
  s.engine.on_timeout(s.now);
  auto again = s.drain();
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(control_type(again[0].pkt), MessageType::SCCRQ);
  EXPECT_EQ(s.engine.counters()[Ctr::l2tp_ctl_retransmit], 1u);
  EXPECT_EQ(s.engine.next_deadline(), s.now + std::chrono::seconds(2));
  // on_timeout before the deadline does nothing.
  s.engine.on_timeout(s.now + std::chrono::milliseconds(500));
  EXPECT_TRUE(s.drain().empty());
}

// /* SCCRQ --> */ ... the recipient side, message by message.
TEST(Engine, RecipientStepByStep) {
  Solo s(4);
  const std::uint16_t their_tunnel = 0x0badu, their_session = 0x0cafu;
  TunnelConfig peer;
  peer.host_name = "peer-lac";
  /* SCCRQ --> */
  s.rx(build_control(control_header(0, 0, 0, 0), make_sccrq(peer, their_tunnel, std::nullopt, std::nullopt)));
  auto out = s.drain();
  ASSERT_EQ(out.size(), 1u);
  auto sccrp = peek_control(out[0].pkt);
  ASSERT_TRUE(sccrp && sccrp->msg);
  /* <-- SCCRP */
  EXPECT_EQ(sccrp->msg->type, MessageType::SCCRP);
  EXPECT_EQ(sccrp->hdr.tunnel_id, their_tunnel);
  EXPECT_EQ(sccrp->hdr.ns, 0);
  EXPECT_EQ(sccrp->hdr.nr, 1);
  const std::uint16_t ours = *sccrp->msg->assigned_tunnel_id;
  EXPECT_EQ(s.policy.last_sccrq->host_name, "peer-lac");
  EXPECT_TRUE(s.events().empty());
  /* SCCCN --> */
  s.rx(build_control(control_header(ours, 0, 1, 1), make_scccn(std::nullopt)));
  auto ev = s.events();
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].kind, K::tunnel_up);
  EXPECT_EQ(ev[0].peer_host_name, "peer-lac");
  out = s.drain();
  ASSERT_EQ(out.size(), 1u);  // <-- ZLB
  auto zlb = peek_control(out[0].pkt);
  ASSERT_TRUE(zlb);
  EXPECT_FALSE(zlb->msg.has_value());
  EXPECT_EQ(zlb->hdr.nr, 2);
  /* ICRQ --> */
  s.rx(build_control(control_header(ours, 0, 2, 1), make_icrq(their_session, 1, kBearerDigital, "", "")));
  out = s.drain();
  ASSERT_EQ(out.size(), 1u);
  auto icrp = peek_control(out[0].pkt);
  ASSERT_TRUE(icrp && icrp->msg);
  /* <-- ICRP */
  EXPECT_EQ(icrp->msg->type, MessageType::ICRP);
  EXPECT_EQ(icrp->hdr.session_id, their_session);
  const std::uint16_t our_session = *icrp->msg->assigned_session_id;
  /* ICCN --> */
  s.rx(build_control(control_header(ours, our_session, 3, 2), make_iccn(1000000, kFramingSync, false)));
  ev = s.events();
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].kind, K::session_up);
  EXPECT_EQ(ev[0].ref, (SessionRef{ours, our_session}));
  /* data --> with link padding after Length */
  PacketBuf data = frame_of({0xff, 0x03, 0xc0, 0x21});
  Header dh;
  dh.has_length = true;
  dh.tunnel_id = ours;
  dh.session_id = our_session;
  push_header(data, dh);
  data.append(std::vector<std::uint8_t>{0xee, 0xee});
  s.rx(std::move(data));
  ev = s.events();
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].kind, K::frame);
  EXPECT_EQ(bytes_of(ev[0].frame), (std::vector<std::uint8_t>{0xff, 0x03, 0xc0, 0x21}));
  /* <-- data */
  ASSERT_TRUE(s.engine.send_frame(s.now, ev[0].ref, frame_of({0x80, 0x21})).ok());
  out = s.drain();
  ASSERT_FALSE(out.empty());
  auto h = parse_header(out.back().pkt.bytes());
  ASSERT_TRUE(h.ok());
  EXPECT_FALSE(h->hdr.control);
  EXPECT_EQ(h->hdr.tunnel_id, their_tunnel);
  EXPECT_EQ(h->hdr.session_id, their_session);
  /* <-- CDN with our IDs, on close_session */
  ASSERT_TRUE(s.engine.close_session(s.now, SessionRef{ours, our_session},
                                     ResultCode{result::kAdministrative, std::nullopt, {}})
                  .ok());
  out = s.drain();
  ASSERT_EQ(out.size(), 1u);
  auto cdn = peek_control(out[0].pkt);
  ASSERT_TRUE(cdn && cdn->msg);
  EXPECT_EQ(cdn->msg->type, MessageType::CDN);
  EXPECT_EQ(cdn->hdr.session_id, their_session);
  EXPECT_EQ(cdn->msg->assigned_session_id, our_session);
}

TEST(Engine, CdnBeforeThePeerLearnedOurSessionId) {
  Solo s(5);
  TunnelConfig peer;
  s.rx(build_control(control_header(0, 0, 0, 0), make_sccrq(peer, 77, std::nullopt, std::nullopt)));
  auto sccrp = peek_control(s.drain().at(0).pkt);
  const std::uint16_t ours = *sccrp->msg->assigned_tunnel_id;
  s.rx(build_control(control_header(ours, 0, 1, 1), make_scccn(std::nullopt)));
  s.rx(build_control(control_header(ours, 0, 2, 1), make_icrq(0x4444, 1, kBearerDigital, "", "")));
  s.drain();
  s.events();
  // The LAC gives up on the call before our ICRP reached it: header
  // Session ID 0, Assigned Session ID = its own (§6.12).
  s.rx(build_control(control_header(ours, 0, 3, 2), make_cdn(0x4444, ResultCode{result::kLossOfCarrier, std::nullopt, {}})));
  auto ev = s.events();
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].kind, K::session_down);
  EXPECT_TRUE(ev[0].by_peer);
  EXPECT_EQ(ev[0].result.result, result::kLossOfCarrier);
  EXPECT_EQ(s.engine.session_count(), 0u);
}

TEST(Engine, IdsAreRandomAndUnique) {
  Solo a(10), b(11);
  auto ta = a.engine.open_tunnel(a.now, kPeer, TunnelConfig{});
  auto tb = b.engine.open_tunnel(b.now, kPeer, TunnelConfig{});
  ASSERT_TRUE(ta.ok() && tb.ok());
  EXPECT_NE(*ta, *tb);  // different seeds, different IDs (§9.1)
  std::vector<std::uint16_t> ids;
  for (int i = 0; i < 500; ++i) {
    auto r = a.engine.open_session(a.now, *ta, CallParams{});
    ASSERT_TRUE(r.ok());
    ids.push_back(r->session);
  }
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(std::adjacent_find(ids.begin(), ids.end()), ids.end());
  EXPECT_NE(ids.front(), 0);
}

TEST(Engine, SessionLimits) {
  Solo s(12);
  TunnelConfig c;
  c.max_sessions = 2;
  auto t = s.engine.open_tunnel(s.now, kPeer, c);
  ASSERT_TRUE(t.ok());
  ASSERT_TRUE(s.engine.open_session(s.now, *t, CallParams{}).ok());
  ASSERT_TRUE(s.engine.open_session(s.now, *t, CallParams{}).ok());
  EXPECT_EQ(s.engine.open_session(s.now, *t, CallParams{}).error().code, Errc::no_resources);
  ASSERT_TRUE(s.engine.close_tunnel(s.now, *t, ResultCode{result::kGeneralClear, std::nullopt, {}}).ok());
  EXPECT_EQ(s.engine.open_session(s.now, *t, CallParams{}).error().code, Errc::invalid_state);
  auto ev = s.events();
  ASSERT_EQ(ev.size(), 3u);  // two session_down (waiting calls), then tunnel_down
  EXPECT_EQ(ev[0].kind, K::session_down);
  EXPECT_EQ(ev[1].kind, K::session_down);
  EXPECT_EQ(ev[2].kind, K::tunnel_down);
  EXPECT_EQ(s.engine.session_count(), 0u);
}

}  // namespace
}  // namespace l2sec::l2tp::testing

namespace l2sec::l2tp::testing {
namespace {

TEST(Engine, StalledEstablishmentIsCleared) {
  Solo s(20);
  s.rx(build_control(control_header(0, 0, 0, 0), make_sccrq(TunnelConfig{}, 99, std::nullopt, std::nullopt)));
  auto sccrp = peek_control(s.drain().at(0).pkt);
  const std::uint16_t ours = *sccrp->msg->assigned_tunnel_id;
  // The peer acknowledges the SCCRP with a ZLB and never sends SCCCN.
  PacketBuf zlb(0);
  push_header(zlb, control_header(ours, 0, 1, 1));
  s.rx(std::move(zlb));
  EXPECT_TRUE(s.engine.quiescent());
  EXPECT_EQ(s.engine.next_deadline(), s.now + std::chrono::seconds(60));  // exact, not the old 1 s
  s.now += std::chrono::seconds(60);
  s.engine.on_timeout(s.now);
  auto out = s.drain();
  ASSERT_EQ(out.size(), 1u);
  auto stop = peek_control(out[0].pkt);
  ASSERT_TRUE(stop && stop->msg);
  EXPECT_EQ(stop->msg->type, MessageType::StopCCN);
  EXPECT_EQ(stop->hdr.tunnel_id, 99);
  EXPECT_EQ(stop->msg->result_code->result, result::kGeneralError);
  auto ev = s.events();
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].kind, Event::Kind::tunnel_down);
  EXPECT_EQ(ev[0].result.message, "control connection not established in time");
}

TEST(Engine, StopCcnFromWaitCtlReplyReachesThePeerOnceItsIdIsKnown) {
  Solo s(21);
  auto t = s.engine.open_tunnel(s.now, kPeer, TunnelConfig{});
  ASSERT_TRUE(t.ok());
  s.drain();
  ASSERT_TRUE(s.engine.close_tunnel(s.now, *t, ResultCode{result::kGeneralClear, std::nullopt, {}}).ok());
  EXPECT_TRUE(s.drain().empty());  // the window (CWND 1) holds the StopCCN behind the SCCRQ
  // The peer's SCCRP acknowledges the SCCRQ and tells us its Tunnel ID:
  // the StopCCN goes out addressed to it.
  s.rx(build_control(control_header(*t, 0, 0, 1), make_sccrp(TunnelConfig{}, 0x5151, std::nullopt, std::nullopt)));
  auto out = s.drain();
  ASSERT_EQ(out.size(), 1u);
  auto stop = peek_control(out[0].pkt);
  ASSERT_TRUE(stop && stop->msg);
  EXPECT_EQ(stop->msg->type, MessageType::StopCCN);
  EXPECT_EQ(stop->hdr.tunnel_id, 0x5151);
  EXPECT_EQ(stop->hdr.nr, 1);  // and acknowledges the SCCRP
  EXPECT_EQ(s.engine.counters()[Ctr::l2tp_ctl_rx_while_closing], 1u);
}

}  // namespace
}  // namespace l2sec::l2tp::testing

namespace l2sec::l2tp::testing {
namespace {

TEST(Engine, ZeroHelloIntervalTurnsHelloOff) {
  TunnelConfig c;
  c.hello_interval = Duration::zero();
  Pair p(22, c, c);
  p.tunnel_up();
  p.advance(std::chrono::hours(2));
  EXPECT_EQ(p.a.count(Ctr::l2tp_hello_tx) + p.b.count(Ctr::l2tp_hello_tx), 0u);
  EXPECT_EQ(p.a.engine.next_deadline(), kNever);
  EXPECT_EQ(p.a.engine.tunnel_count(), 1u);
}

}  // namespace
}  // namespace l2sec::l2tp::testing
