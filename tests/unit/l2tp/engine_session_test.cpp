// Calls and data of l2tp::Engine (RFC 2661 §7.4, §7.5, §5.4, §6.6-§6.14):
// two engines back to back (engine_pair.hpp). A is the LAC (it opens the
// tunnel), B the LNS.
#include <gtest/gtest.h>

#include "engine_pair.hpp"
#include "l2tp/data.hpp"

namespace l2sec::l2tp::testing {
namespace {

using K = Event::Kind;

struct Call {
  SessionRef a, b;
};

// Tunnel up, then one incoming call from A (LAC) to B (LNS).
Call incoming_call(Pair& p, std::uint16_t ta, CallParams params = {}) {
  params.kind = CallParams::Kind::incoming;
  auto s = p.a.engine.open_session(p.now, ta, params);
  EXPECT_TRUE(s.ok());
  p.pump();
  const Event* up = p.b.last(K::session_up);
  EXPECT_NE(up, nullptr);
  return Call{s.ok() ? *s : SessionRef{}, up ? up->ref : SessionRef{}};
}

TEST(EngineSession, IncomingCallLacToLns) {
  Pair p(200, TunnelConfig{}, TunnelConfig{});
  p.record = true;
  // The call is opened before the tunnel is up: it waits (wait-tunnel).
  auto ta = p.a.engine.open_tunnel(p.now, p.b.addr, p.pa.cfg);
  ASSERT_TRUE(ta.ok());
  CallParams cp;
  cp.called_number = "5551000";
  cp.calling_number = "5552000";
  cp.bearer_type = kBearerAnalog;
  cp.tx_connect_speed = 56000;
  cp.framing_type = kFramingAsync;
  auto sa = p.a.engine.open_session(p.now, *ta, cp);
  ASSERT_TRUE(sa.ok());
  EXPECT_EQ(sa->tunnel, *ta);
  EXPECT_NE(sa->session, 0);
  EXPECT_EQ(p.a.engine.session_count(), 1u);
  p.pump();
  ASSERT_EQ(p.a.count(K::session_up), 1u);
  ASSERT_EQ(p.b.count(K::session_up), 1u);
  EXPECT_EQ(p.a.last(K::session_up)->ref, *sa);
  SessionRef sb = p.b.last(K::session_up)->ref;
  EXPECT_EQ(sb.tunnel, p.b.engine.tunnels()[0].local_id);
  // ICRQ as the LNS's policy saw it.
  ASSERT_TRUE(p.pb.last_request.has_value());
  const ControlMessage& icrq = *p.pb.last_request;
  EXPECT_EQ(icrq.type, MessageType::ICRQ);
  EXPECT_EQ(icrq.assigned_session_id, sa->session);
  EXPECT_EQ(icrq.call_serial_number, 1u);
  EXPECT_EQ(icrq.bearer_type, kBearerAnalog);
  EXPECT_EQ(icrq.called_number, "5551000");
  EXPECT_EQ(icrq.calling_number, "5552000");
  // ICRP and ICCN on the wire.
  std::optional<PeekedControl> icrp, iccn;
  for (auto& pkt : p.b.sent)
    if (auto c = peek_control(pkt); c && c->msg && c->msg->type == MessageType::ICRP) icrp = c;
  for (auto& pkt : p.a.sent)
    if (auto c = peek_control(pkt); c && c->msg && c->msg->type == MessageType::ICCN) iccn = c;
  ASSERT_TRUE(icrp && iccn);
  EXPECT_EQ(icrp->hdr.session_id, sa->session);  // header: the recipient's Session ID
  EXPECT_EQ(icrp->msg->assigned_session_id, sb.session);
  EXPECT_EQ(iccn->hdr.session_id, sb.session);
  EXPECT_EQ(iccn->msg->tx_connect_speed, 56000u);
  EXPECT_EQ(iccn->msg->framing_type, kFramingAsync);
  EXPECT_FALSE(iccn->msg->sequencing_required);
  EXPECT_EQ(p.a.count(Ctr::l2tp_session_established), 1u);
  EXPECT_EQ(p.b.count(Ctr::l2tp_session_established), 1u);
  EXPECT_EQ(p.b.engine.session_count(), 1u);
  EXPECT_EQ(p.a.engine.tunnels()[0].sessions, 1u);
}

TEST(EngineSession, OutgoingCallLnsToLac) {
  Pair p(201, TunnelConfig{}, TunnelConfig{});
  p.record = true;
  auto [ta, tb] = p.tunnel_up();
  CallParams cp;
  cp.kind = CallParams::Kind::outgoing;
  cp.called_number = "5553000";
  cp.minimum_bps = 9600;
  cp.maximum_bps = 64000;
  auto sb = p.b.engine.open_session(p.now, tb, cp);
  ASSERT_TRUE(sb.ok());
  p.pump();
  ASSERT_EQ(p.a.count(K::session_up), 1u);
  ASSERT_EQ(p.b.count(K::session_up), 1u);
  EXPECT_EQ(p.b.last(K::session_up)->ref, *sb);
  ASSERT_TRUE(p.pa.last_request.has_value());
  const ControlMessage& ocrq = *p.pa.last_request;
  EXPECT_EQ(ocrq.type, MessageType::OCRQ);
  EXPECT_EQ(ocrq.assigned_session_id, sb->session);
  EXPECT_EQ(ocrq.minimum_bps, 9600u);
  EXPECT_EQ(ocrq.maximum_bps, 64000u);
  EXPECT_EQ(ocrq.called_number, "5553000");
  EXPECT_EQ(ocrq.framing_type, kFramingSync);
  EXPECT_EQ(ocrq.bearer_type, kBearerDigital);
  std::vector<MessageType> from_a;
  for (auto& pkt : p.a.sent)
    if (auto t = control_type(pkt)) from_a.push_back(*t);
  // SCCRQ, SCCCN, then OCRP and OCCN (the LAC answers at once).
  ASSERT_EQ(from_a.size(), 4u);
  EXPECT_EQ(from_a[2], MessageType::OCRP);
  EXPECT_EQ(from_a[3], MessageType::OCCN);
  (void)ta;
}

TEST(EngineSession, LnsOriginatesTunnelForAnOutgoingCall) {
  // §7.5.2: local open -> wait-tunnel; the LNS (B) opens the tunnel itself,
  // with authentication, and the OCRQ goes out once it is up.
  Pair p(220, with_secret("k"), with_secret("k"));
  auto tb = p.b.engine.open_tunnel(p.now, p.a.addr, p.pb.cfg);
  ASSERT_TRUE(tb.ok());
  CallParams cp;
  cp.kind = CallParams::Kind::outgoing;
  cp.called_number = "100";
  auto sb = p.b.engine.open_session(p.now, *tb, cp);
  ASSERT_TRUE(sb.ok());
  p.pump();
  EXPECT_EQ(p.pa.tunnel_requests, 1);  // A answered B's SCCRQ
  ASSERT_EQ(p.b.count(K::tunnel_up), 1u);
  ASSERT_EQ(p.b.count(K::session_up), 1u);
  EXPECT_EQ(p.b.last(K::session_up)->ref, *sb);
  ASSERT_EQ(p.a.count(K::session_up), 1u);
  SessionRef sa = p.a.last(K::session_up)->ref;
  ASSERT_TRUE(p.a.engine.send_frame(p.now, sa, frame_of({0xc0, 0x21})).ok());
  p.pump();
  EXPECT_EQ(p.b.count(K::frame), 1u);
}

TEST(EngineSession, FramesBothWaysWithoutSequencing) {
  Pair p(202, TunnelConfig{}, TunnelConfig{});
  p.record = true;
  auto [ta, tb] = p.tunnel_up();
  Call c = incoming_call(p, ta);
  p.a.sent.clear();
  PacketBuf f = frame_of({0xff, 0x03, 0xc0, 0x21, 0x01, 0x01, 0x00, 0x04});
  const std::size_t headroom = f.headroom();
  ASSERT_TRUE(p.a.engine.send_frame(p.now, c.a, std::move(f)).ok());
  ASSERT_TRUE(p.b.engine.send_frame(p.now, c.b, frame_of({0xff, 0x03, 0x80, 0x21})).ok());
  p.pump();
  ASSERT_EQ(p.b.count(K::frame), 1u);
  EXPECT_EQ(p.b.last(K::frame)->ref, c.b);
  EXPECT_EQ(bytes_of(p.b.last(K::frame)->frame),
            (std::vector<std::uint8_t>{0xff, 0x03, 0xc0, 0x21, 0x01, 0x01, 0x00, 0x04}));
  ASSERT_EQ(p.a.count(K::frame), 1u);
  EXPECT_EQ(bytes_of(p.a.last(K::frame)->frame), (std::vector<std::uint8_t>{0xff, 0x03, 0x80, 0x21}));
  // On the wire: T=0, L=1, S=0, the peer's IDs; header in the headroom.
  ASSERT_EQ(p.a.sent.size(), 1u);
  const PacketBuf& wire = p.a.sent[0];
  auto h = parse_header(wire.bytes());
  ASSERT_TRUE(h.ok());
  EXPECT_FALSE(h->hdr.control);
  EXPECT_TRUE(h->hdr.has_length);
  EXPECT_FALSE(h->hdr.has_sequence);
  EXPECT_EQ(h->hdr.length, 8 + 8);
  EXPECT_EQ(h->hdr.tunnel_id, tb);
  EXPECT_EQ(h->hdr.session_id, c.b.session);
  EXPECT_EQ(wire.size(), 16u);
  EXPECT_EQ(headroom - 8, wire.headroom());  // the clone keeps the layout
  EXPECT_EQ(p.a.count(Ctr::l2tp_data_tx), 1u);
  EXPECT_EQ(p.b.count(Ctr::l2tp_data_rx), 1u);
}

TEST(EngineSession, FrameHeaderWithoutLengthField) {
  Pair p(203, TunnelConfig{}, TunnelConfig{});
  EngineConfig c;
  c.data_length_field = false;
  crypto::SeededRandom rng(2030);
  // Rebuild A without the L bit: a fresh engine in place of p.a's.
  Engine lac(c, rng, nullptr);
  auto t = lac.open_tunnel(p.now, p.b.addr, TunnelConfig{});
  ASSERT_TRUE(t.ok());
  auto s = lac.open_session(p.now, *t, CallParams{});
  ASSERT_TRUE(s.ok());
  // Shuttle by hand between `lac` and p.b.
  std::vector<PacketBuf> data;
  for (int round = 0; round < 20; ++round) {
    while (auto x = lac.poll_transmit()) p.b.engine.on_datagram(p.now, p.a.addr, std::move(x->pkt));
    while (auto x = p.b.engine.poll_transmit()) lac.on_datagram(p.now, p.b.addr, std::move(x->pkt));
  }
  ASSERT_TRUE(lac.send_frame(p.now, *s, frame_of({0xc0, 0x21})).ok());
  auto x = lac.poll_transmit();
  ASSERT_TRUE(x);
  auto h = parse_header(x->pkt.bytes());
  ASSERT_TRUE(h.ok());
  EXPECT_FALSE(h->hdr.has_length);
  EXPECT_EQ(x->pkt.size(), 6u + 2u);
}

TEST(EngineSession, FramesWithSequencingRequired) {
  Pair p(204, TunnelConfig{}, TunnelConfig{});
  p.record = true;
  auto [ta, tb] = p.tunnel_up();
  CallParams cp;
  cp.sequencing_required = true;
  Call c = incoming_call(p, ta, cp);
  p.a.sent.clear();
  p.b.sent.clear();
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(p.a.engine.send_frame(p.now, c.a, frame_of({0xc0, 0x21, std::uint8_t(i)})).ok());
    ASSERT_TRUE(p.b.engine.send_frame(p.now, c.b, frame_of({0xc0, 0x21, std::uint8_t(i)})).ok());
  }
  p.pump();
  EXPECT_EQ(p.a.count(K::frame), 3u);
  EXPECT_EQ(p.b.count(K::frame), 3u);
  for (Node* n : {&p.a, &p.b}) {
    ASSERT_EQ(n->sent.size(), 3u);
    for (int i = 0; i < 3; ++i) {
      auto h = parse_header(n->sent[i].bytes());
      ASSERT_TRUE(h.ok());
      EXPECT_TRUE(h->hdr.has_sequence);
      EXPECT_EQ(h->hdr.ns, i);
      EXPECT_EQ(h->hdr.nr, 0);
    }
  }
  // An old Ns (a replayed or reordered message) is dropped.
  p.inject(Side::b, p.a.addr, p.a.sent[1].clone());
  EXPECT_EQ(p.b.count(Ctr::l2tp_data_rx_out_of_order), 1u);
  EXPECT_EQ(p.b.count(K::frame), 3u);
  // A gap is accepted (sequencing detects loss, it does not recover it).
  ASSERT_TRUE(p.a.engine.send_frame(p.now, c.a, frame_of({1})).ok());  // Ns 3: lost
  ASSERT_TRUE(p.a.engine.send_frame(p.now, c.a, frame_of({2})).ok());  // Ns 4
  auto lost = p.a.engine.poll_transmit();
  ASSERT_TRUE(lost);
  p.pump();
  EXPECT_EQ(p.b.count(K::frame), 4u);
  EXPECT_EQ(bytes_of(p.b.last(K::frame)->frame), std::vector<std::uint8_t>{2});
  p.inject(Side::b, p.a.addr, std::move(lost->pkt));  // Ns 3 after Ns 4
  EXPECT_EQ(p.b.count(Ctr::l2tp_data_rx_out_of_order), 2u);
  (void)tb;
}

TEST(EngineSession, LacFollowsTheLnsOnSequencing) {
  Pair p(205, TunnelConfig{}, TunnelConfig{});
  p.record = true;
  auto [ta, tb] = p.tunnel_up();
  // An outgoing call whose LNS (B) turns sequencing on by using it (§5.4).
  CallParams cp;
  cp.kind = CallParams::Kind::outgoing;
  cp.sequencing_required = true;
  auto sb = p.b.engine.open_session(p.now, tb, cp);
  ASSERT_TRUE(sb.ok());
  p.pump();
  SessionRef sa = p.a.last(K::session_up)->ref;
  p.a.sent.clear();
  // Before the LNS's first data message, the LAC sends without Ns.
  ASSERT_TRUE(p.a.engine.send_frame(p.now, sa, frame_of({1})).ok());
  ASSERT_TRUE(p.b.engine.send_frame(p.now, *sb, frame_of({2})).ok());
  p.pump();
  ASSERT_TRUE(p.a.engine.send_frame(p.now, sa, frame_of({3})).ok());
  p.pump();
  ASSERT_EQ(p.a.sent.size(), 2u);
  EXPECT_FALSE(parse_header(p.a.sent[0].bytes())->hdr.has_sequence);
  EXPECT_TRUE(parse_header(p.a.sent[1].bytes())->hdr.has_sequence);
  // A data message without Ns from the LNS turns it off again.
  PacketBuf plain = frame_of({4});
  Header h;
  h.tunnel_id = ta;
  h.session_id = sa.session;
  push_header(plain, h);
  p.inject(Side::a, p.b.addr, std::move(plain));
  ASSERT_TRUE(p.a.engine.send_frame(p.now, sa, frame_of({5})).ok());
  p.pump();
  ASSERT_EQ(p.a.sent.size(), 3u);
  EXPECT_FALSE(parse_header(p.a.sent[2].bytes())->hdr.has_sequence);
}

TEST(EngineSession, ReceivedDataWithOffsetPad) {
  Pair p(206, TunnelConfig{}, TunnelConfig{});
  auto [ta, tb] = p.tunnel_up();
  Call c = incoming_call(p, ta);
  // Hand-built: T=0 L=1 S=1 O=1, Offset Size 3, three pad octets, frame.
  PacketBuf pkt = frame_of({0xff, 0x03, 0x00, 0x21, 0x45});
  Header h;
  h.has_length = true;
  h.has_sequence = true;
  h.has_offset = true;
  h.offset_size = 3;
  h.tunnel_id = tb;
  h.session_id = c.b.session;
  h.ns = 7;
  push_header(pkt, h);
  pkt.data()[14] = 0xAA;  // pad content is undefined
  ASSERT_EQ(pkt.size(), 2u + 2 + 4 + 4 + 2 + 3 + 5);
  p.inject(Side::b, p.a.addr, std::move(pkt));
  ASSERT_EQ(p.b.count(K::frame), 1u);
  EXPECT_EQ(bytes_of(p.b.last(K::frame)->frame), (std::vector<std::uint8_t>{0xff, 0x03, 0x00, 0x21, 0x45}));
  // An offset beyond the message is counted and dropped (O=1, Offset Size 40).
  std::vector<std::uint8_t> raw = {0x02, 0x02, std::uint8_t(tb >> 8), std::uint8_t(tb),
                                   std::uint8_t(c.b.session >> 8), std::uint8_t(c.b.session), 0, 40, 1};
  p.inject(Side::b, p.a.addr, PacketBuf::copy_of(raw));
  EXPECT_EQ(p.b.count(Ctr::l2tp_data_rx_bad_offset), 1u);
}

TEST(EngineSession, DataForUnknownOrUnestablishedSessionDropped) {
  Pair p(207, TunnelConfig{}, TunnelConfig{});
  auto [ta, tb] = p.tunnel_up();
  Call c = incoming_call(p, ta);
  PacketBuf pkt = frame_of({1, 2});
  Header h;
  h.tunnel_id = tb;
  h.session_id = static_cast<std::uint16_t>(c.b.session ^ 0x5555);
  push_header(pkt, h);
  p.inject(Side::b, p.a.addr, std::move(pkt));
  EXPECT_EQ(p.b.count(Ctr::l2tp_data_rx_no_session), 1u);
  // From the wrong endpoint.
  PacketBuf pkt2 = frame_of({1, 2});
  h.session_id = c.b.session;
  push_header(pkt2, h);
  p.inject(Side::b, Endpoint::v4({192, 0, 2, 1}, 9999), std::move(pkt2));
  EXPECT_EQ(p.b.count(Ctr::l2tp_rx_wrong_peer), 1u);
  EXPECT_EQ(p.b.count(K::frame), 0u);
  // send_frame on a session that is not up.
  auto waiting = p.a.engine.open_session(p.now, ta, CallParams{});
  ASSERT_TRUE(waiting.ok());
  auto r = p.a.engine.send_frame(p.now, *waiting, frame_of({1}));  // ICRQ sent, no ICRP yet
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::invalid_state);
  auto r2 = p.a.engine.send_frame(p.now, SessionRef{ta, 0}, frame_of({1}));
  ASSERT_FALSE(r2.ok());
  EXPECT_EQ(r2.error().code, Errc::not_found);
}

TEST(EngineSession, CdnFromLac) {
  Pair p(208, TunnelConfig{}, TunnelConfig{});
  p.record = true;
  auto [ta, tb] = p.tunnel_up();
  Call c = incoming_call(p, ta);
  ResultCode why{result::kAdministrative, std::nullopt, {}};
  ASSERT_TRUE(p.a.engine.close_session(p.now, c.a, why).ok());
  p.pump();
  ASSERT_EQ(p.a.count(K::session_down), 1u);
  ASSERT_EQ(p.b.count(K::session_down), 1u);
  EXPECT_FALSE(p.a.last(K::session_down)->by_peer);
  EXPECT_TRUE(p.b.last(K::session_down)->by_peer);
  EXPECT_EQ(p.b.last(K::session_down)->ref, c.b);
  EXPECT_EQ(p.b.last(K::session_down)->result, why);
  EXPECT_EQ(p.a.engine.session_count(), 0u);
  EXPECT_EQ(p.b.engine.session_count(), 0u);
  // The CDN: header Session ID = the peer's, Assigned Session ID = ours.
  std::optional<PeekedControl> cdn;
  for (auto& pkt : p.a.sent)
    if (auto x = peek_control(pkt); x && x->msg && x->msg->type == MessageType::CDN) cdn = x;
  ASSERT_TRUE(cdn);
  EXPECT_EQ(cdn->hdr.session_id, c.b.session);
  EXPECT_EQ(cdn->msg->assigned_session_id, c.a.session);
  EXPECT_EQ(cdn->msg->result_code->result, result::kAdministrative);
  EXPECT_EQ(p.a.engine.tunnel_count(), 1u);  // the tunnel stays
  EXPECT_FALSE(p.a.engine.close_session(p.now, c.a, why).ok());
  (void)tb;
}

TEST(EngineSession, CdnFromLns) {
  Pair p(209, TunnelConfig{}, TunnelConfig{});
  auto [ta, tb] = p.tunnel_up();
  Call c = incoming_call(p, ta);
  ResultCode why{result::kLossOfCarrier, std::nullopt, {}};
  ASSERT_TRUE(p.b.engine.close_session(p.now, c.b, why).ok());
  p.pump();
  ASSERT_EQ(p.a.count(K::session_down), 1u);
  EXPECT_TRUE(p.a.last(K::session_down)->by_peer);
  EXPECT_EQ(p.a.last(K::session_down)->ref, c.a);
  EXPECT_EQ(p.a.last(K::session_down)->result, why);
  EXPECT_EQ(p.a.count(Ctr::l2tp_session_closed), 1u);
  EXPECT_EQ(p.b.count(Ctr::l2tp_session_closed), 1u);
  // Data after the CDN finds no session.
  ASSERT_FALSE(p.a.engine.send_frame(p.now, c.a, frame_of({1})).ok());
  (void)tb;
}

TEST(EngineSession, CloseWhileWaitingForTheTunnel) {
  Pair p(210, TunnelConfig{}, TunnelConfig{});
  auto ta = p.a.engine.open_tunnel(p.now, p.b.addr, p.pa.cfg);
  ASSERT_TRUE(ta.ok());
  auto s = p.a.engine.open_session(p.now, *ta, CallParams{});
  ASSERT_TRUE(s.ok());
  ASSERT_TRUE(p.a.engine.close_session(p.now, *s, ResultCode{result::kAdministrative, std::nullopt, {}}).ok());
  p.pump();
  EXPECT_EQ(p.a.count(K::session_down), 1u);
  EXPECT_EQ(p.b.count(Ctr::l2tp_session_established), 0u);
  EXPECT_EQ(p.pb.last_request, std::nullopt);  // no ICRQ was ever sent
}

TEST(EngineSession, UnknownMandatoryAvpInIcrqRefusesTheCallOnly) {
  Pair p(211, TunnelConfig{}, TunnelConfig{});
  p.record = true;
  auto [ta, tb] = p.tunnel_up();
  p.filter = [](Side from, PacketBuf& pkt) {
    if (from == Side::a && control_type(pkt) == MessageType::ICRQ)
      pkt = rewrite_control(pkt, [](ControlMessage& m) {
        m.unrecognized.push_back(RawAvp{true, false, 0, 77, {0}});
      });
    return true;
  };
  auto s = p.a.engine.open_session(p.now, ta, CallParams{});
  ASSERT_TRUE(s.ok());
  p.pump();
  EXPECT_EQ(p.b.count(Ctr::l2tp_rx_unknown_mandatory_avp), 1u);
  EXPECT_EQ(p.b.count(Ctr::l2tp_session_refused), 1u);
  ASSERT_EQ(p.a.count(K::session_down), 1u);
  const Event* down = p.a.last(K::session_down);
  EXPECT_EQ(down->ref, *s);
  EXPECT_TRUE(down->by_peer);
  EXPECT_EQ(down->result.result, result::kCdnSeeError);
  EXPECT_EQ(down->result.error, error::kUnknownMandatoryAvp);
  // The CDN names our session in its header.
  std::optional<PeekedControl> cdn;
  for (auto& pkt : p.b.sent)
    if (auto x = peek_control(pkt); x && x->msg && x->msg->type == MessageType::CDN) cdn = x;
  ASSERT_TRUE(cdn);
  EXPECT_EQ(cdn->hdr.session_id, s->session);
  // The tunnel stays up on both sides and takes the next call.
  EXPECT_EQ(p.a.count(K::tunnel_down) + p.b.count(K::tunnel_down), 0u);
  p.filter = nullptr;
  incoming_call(p, ta);
  EXPECT_EQ(p.a.count(K::session_up), 1u);
  EXPECT_EQ(p.b.engine.session_count(), 1u);
  (void)tb;
}

TEST(EngineSession, UnknownMandatoryAvpInIccnClearsTheSession) {
  Pair p(212, TunnelConfig{}, TunnelConfig{});
  auto [ta, tb] = p.tunnel_up();
  p.filter = [](Side from, PacketBuf& pkt) {
    if (from == Side::a && control_type(pkt) == MessageType::ICCN)
      pkt = rewrite_control(pkt, [](ControlMessage& m) {
        m.unrecognized.push_back(RawAvp{true, false, 0, 77, {0}});
      });
    return true;
  };
  auto s = p.a.engine.open_session(p.now, ta, CallParams{});
  ASSERT_TRUE(s.ok());
  p.pump();
  // A went up on sending ICCN; B clears the call with CDN 2/8.
  EXPECT_EQ(p.a.count(K::session_up), 1u);
  ASSERT_EQ(p.a.count(K::session_down), 1u);
  EXPECT_EQ(p.a.last(K::session_down)->result.error, error::kUnknownMandatoryAvp);
  ASSERT_EQ(p.b.count(K::session_down), 1u);
  EXPECT_FALSE(p.b.last(K::session_down)->by_peer);
  EXPECT_EQ(p.b.engine.session_count(), 0u);
  EXPECT_EQ(p.b.engine.tunnel_count(), 1u);
  (void)tb;
}

TEST(EngineSession, MaxSessionsRefusedWithCdn4) {
  TunnelConfig lns;
  lns.max_sessions = 1;
  Pair p(213, TunnelConfig{}, lns);
  auto [ta, tb] = p.tunnel_up();
  incoming_call(p, ta);
  auto s2 = p.a.engine.open_session(p.now, ta, CallParams{});
  ASSERT_TRUE(s2.ok());
  p.pump();
  ASSERT_EQ(p.a.count(K::session_down), 1u);
  EXPECT_EQ(p.a.last(K::session_down)->ref, *s2);
  EXPECT_EQ(p.a.last(K::session_down)->result.result, result::kNoFacilitiesTemporary);
  EXPECT_EQ(p.b.count(Ctr::l2tp_session_refused), 1u);
  EXPECT_EQ(p.b.count(K::session_down), 0u);  // never a session on B
  EXPECT_EQ(p.b.engine.session_count(), 1u);
  (void)tb;
}

TEST(EngineSession, PolicyRefusesWithCdn3) {
  Pair p(214, TunnelConfig{}, TunnelConfig{});
  p.pb.accept_sessions = false;
  auto [ta, tb] = p.tunnel_up();
  auto s = p.a.engine.open_session(p.now, ta, CallParams{});
  ASSERT_TRUE(s.ok());
  p.pump();
  ASSERT_EQ(p.a.count(K::session_down), 1u);
  EXPECT_EQ(p.a.last(K::session_down)->result.result, result::kAdministrative);
  EXPECT_EQ(p.b.count(Ctr::l2tp_session_refused), 1u);
  (void)tb;
}

TEST(EngineSession, CallNotEstablishedInTime) {
  TunnelConfig lns;
  lns.call_setup_timeout = std::chrono::seconds(10);
  Pair p(215, TunnelConfig{}, lns);
  auto [ta, tb] = p.tunnel_up();
  // The LAC's ICCN turns into a WEN: the LNS stays in wait-connect.
  p.filter = [](Side from, PacketBuf& pkt) {
    if (from == Side::a && control_type(pkt) == MessageType::ICCN)
      pkt = rewrite_control(pkt, [](ControlMessage& m) {
        m = ControlMessage{};
        m.type = MessageType::WEN;
        m.call_errors = CallErrors{};
      });
    return true;
  };
  auto s = p.a.engine.open_session(p.now, ta, CallParams{});
  ASSERT_TRUE(s.ok());
  p.pump();
  EXPECT_EQ(p.b.count(Ctr::l2tp_ctl_rx_session_unexpected), 1u);  // WEN before established
  EXPECT_EQ(p.b.count(K::session_down), 0u);
  p.advance(std::chrono::seconds(9));
  EXPECT_EQ(p.b.count(K::session_down), 0u);
  p.advance(std::chrono::seconds(2));
  EXPECT_EQ(p.b.count(Ctr::l2tp_session_setup_timeout), 1u);
  ASSERT_EQ(p.b.count(K::session_down), 1u);
  EXPECT_EQ(p.b.last(K::session_down)->result.result, result::kNotEstablishedInTime);
  ASSERT_EQ(p.a.count(K::session_down), 1u);
  EXPECT_EQ(p.a.last(K::session_down)->result.result, result::kNotEstablishedInTime);
  EXPECT_TRUE(p.a.last(K::session_down)->by_peer);
  (void)tb;
}

TEST(EngineSession, WanErrorAndSetLinkInfo) {
  Pair p(216, TunnelConfig{}, TunnelConfig{});
  auto [ta, tb] = p.tunnel_up();
  Call c = incoming_call(p, ta);
  CallErrors ce;
  ce.crc = 3;
  ce.timeouts = 9;
  ASSERT_TRUE(p.a.engine.send_wan_error(p.now, c.a, ce).ok());
  Accm accm{0x000A0000, 0xFFFFFFFF};
  ASSERT_TRUE(p.b.engine.send_set_link_info(p.now, c.b, accm).ok());
  p.pump();
  ASSERT_EQ(p.b.count(K::wan_error), 1u);
  EXPECT_EQ(p.b.last(K::wan_error)->ref, c.b);
  EXPECT_EQ(p.b.last(K::wan_error)->call_errors, ce);
  ASSERT_EQ(p.a.count(K::set_link_info), 1u);
  EXPECT_EQ(p.a.last(K::set_link_info)->ref, c.a);
  EXPECT_EQ(p.a.last(K::set_link_info)->accm, accm);
  // Wrong roles are refused locally.
  EXPECT_EQ(p.a.engine.send_set_link_info(p.now, c.a, accm).error().code, Errc::invalid_state);
  EXPECT_EQ(p.b.engine.send_wan_error(p.now, c.b, ce).error().code, Errc::invalid_state);
  (void)tb;
}

TEST(EngineSession, OutOfSequenceCallMessageGetsCdn) {
  Pair p(217, TunnelConfig{}, TunnelConfig{});
  auto [ta, tb] = p.tunnel_up();
  Call c = incoming_call(p, ta);
  // An ICCN for the established call (A's next WEN rewritten): established,
  // receive ICCN -> send CDN, clean up (§7.4.2).
  p.filter = [](Side from, PacketBuf& pkt) {
    if (from == Side::a && control_type(pkt) == MessageType::WEN)
      pkt = rewrite_control(pkt, [](ControlMessage& m) {
        m = ControlMessage{};
        m.type = MessageType::ICCN;
        m.tx_connect_speed = 1;
        m.framing_type = kFramingSync;
      });
    return true;
  };
  ASSERT_TRUE(p.a.engine.send_wan_error(p.now, c.a, CallErrors{}).ok());
  p.pump();
  EXPECT_EQ(p.b.count(Ctr::l2tp_ctl_rx_session_unexpected), 1u);
  ASSERT_EQ(p.b.count(K::session_down), 1u);
  EXPECT_EQ(p.b.last(K::session_down)->result.message, "unexpected ICCN in established");
  ASSERT_EQ(p.a.count(K::session_down), 1u);
  EXPECT_EQ(p.a.last(K::session_down)->result.result, result::kCdnSeeError);
  EXPECT_EQ(p.b.engine.tunnel_count(), 1u);
  (void)tb;
}

TEST(EngineSession, ThousandSessionsOnOneTunnel) {
  Pair p(218, TunnelConfig{}, TunnelConfig{});
  auto [ta, tb] = p.tunnel_up();
  std::vector<SessionRef> refs;
  for (int i = 0; i < 1000; ++i) {
    auto s = p.a.engine.open_session(p.now, ta, CallParams{});
    ASSERT_TRUE(s.ok());
    refs.push_back(*s);
  }
  p.pump();
  EXPECT_EQ(p.a.count(K::session_up), 1000u);
  EXPECT_EQ(p.b.count(K::session_up), 1000u);
  EXPECT_EQ(p.a.engine.session_count(), 1000u);
  EXPECT_EQ(p.b.engine.session_count(), 1000u);
  EXPECT_EQ(p.a.count(Ctr::l2tp_ctl_tx_queue_full), 0u);
  std::vector<std::uint16_t> ids;
  for (auto& r : refs) ids.push_back(r.session);
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(std::adjacent_find(ids.begin(), ids.end()), ids.end());
  // Frames on every call.
  for (auto& r : refs) ASSERT_TRUE(p.a.engine.send_frame(p.now, r, frame_of({0xc0, 0x21})).ok());
  p.pump();
  EXPECT_EQ(p.b.count(K::frame), 1000u);
  // Clear half from the LAC, then the tunnel.
  for (std::size_t i = 0; i < refs.size(); i += 2)
    ASSERT_TRUE(p.a.engine.close_session(p.now, refs[i], ResultCode{result::kAdministrative, std::nullopt, {}}).ok());
  p.pump();
  EXPECT_EQ(p.b.engine.session_count(), 500u);
  EXPECT_EQ(p.b.count(K::session_down), 500u);
  EXPECT_EQ(p.a.count(Ctr::l2tp_ctl_tx_queue_full), 0u);
  ASSERT_TRUE(p.b.engine.close_tunnel(p.now, tb, ResultCode{result::kGeneralClear, std::nullopt, {}}).ok());
  p.pump();
  EXPECT_EQ(p.a.count(K::session_down), 1000u);
  EXPECT_EQ(p.a.engine.session_count(), 0u);
}

TEST(EngineSession, ManyTunnelsManyCalls) {
  Pair p(219, TunnelConfig{}, TunnelConfig{});
  std::vector<std::uint16_t> tunnels;
  for (int i = 0; i < 300; ++i) {
    auto t = p.a.engine.open_tunnel(p.now, p.b.addr, p.pa.cfg);
    ASSERT_TRUE(t.ok());
    tunnels.push_back(*t);
    for (int j = 0; j < 5; ++j) ASSERT_TRUE(p.a.engine.open_session(p.now, *t, CallParams{}).ok());
  }
  p.pump();
  EXPECT_EQ(p.b.count(K::session_up), 1500u);
  EXPECT_EQ(p.b.engine.session_count(), 1500u);
  p.advance(std::chrono::minutes(5));
  EXPECT_EQ(p.a.count(K::tunnel_down) + p.b.count(K::tunnel_down), 0u);
  EXPECT_EQ(p.b.engine.session_count(), 1500u);
}

}  // namespace
}  // namespace l2sec::l2tp::testing
