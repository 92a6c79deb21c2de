// The call state tables (RFC 2661 §7.4.1, §7.4.2, §7.5.1, §7.5.2) and the
// messages calls send (§6.6-§6.14).
#include "l2tp/session.hpp"

#include <gtest/gtest.h>

namespace l2sec::l2tp {
namespace {

using M = MessageType;
using R = CallRole;
using S = CallState;
using A = CallAction;

TEST(CallTable, LacIncoming) {  // §7.4.1
  EXPECT_EQ(call_action(R::lac_incoming, S::wait_reply, M::ICRP), A::process);
  EXPECT_EQ(call_action(R::lac_incoming, S::wait_reply, M::ICRQ), A::cdn_and_clear);
  EXPECT_EQ(call_action(R::lac_incoming, S::wait_reply, M::ICCN), A::clear);
  EXPECT_EQ(call_action(R::lac_incoming, S::wait_reply, M::CDN), A::process);
  EXPECT_EQ(call_action(R::lac_incoming, S::established, M::CDN), A::process);
  for (M m : {M::ICRQ, M::ICRP, M::ICCN})
    EXPECT_EQ(call_action(R::lac_incoming, S::established, m), A::cdn_and_clear);
  EXPECT_EQ(call_action(R::lac_incoming, S::wait_tunnel, M::ICRP), A::ignore);
  EXPECT_EQ(call_action(R::lac_incoming, S::established, M::SLI), A::process);
  EXPECT_EQ(call_action(R::lac_incoming, S::wait_reply, M::SLI), A::ignore);
}

TEST(CallTable, LnsIncoming) {  // §7.4.2
  EXPECT_EQ(call_action(R::lns_incoming, S::wait_connect, M::ICCN), A::process);
  EXPECT_EQ(call_action(R::lns_incoming, S::wait_connect, M::ICRQ), A::cdn_and_clear);
  EXPECT_EQ(call_action(R::lns_incoming, S::wait_connect, M::ICRP), A::cdn_and_clear);
  EXPECT_EQ(call_action(R::lns_incoming, S::wait_connect, M::CDN), A::process);
  for (M m : {M::ICRQ, M::ICRP, M::ICCN})
    EXPECT_EQ(call_action(R::lns_incoming, S::established, m), A::cdn_and_clear);
  EXPECT_EQ(call_action(R::lns_incoming, S::established, M::WEN), A::process);
  EXPECT_EQ(call_action(R::lns_incoming, S::wait_connect, M::WEN), A::ignore);
}

TEST(CallTable, LacOutgoing) {  // §7.5.1
  for (M m : {M::OCRQ, M::OCRP, M::OCCN})
    EXPECT_EQ(call_action(R::lac_outgoing, S::established, m), A::cdn_and_clear);
  EXPECT_EQ(call_action(R::lac_outgoing, S::established, M::CDN), A::process);
}

TEST(CallTable, LnsOutgoing) {  // §7.5.2
  EXPECT_EQ(call_action(R::lns_outgoing, S::wait_reply, M::OCRP), A::process);
  EXPECT_EQ(call_action(R::lns_outgoing, S::wait_reply, M::OCCN), A::cdn_and_clear);
  EXPECT_EQ(call_action(R::lns_outgoing, S::wait_reply, M::OCRQ), A::cdn_and_clear);
  EXPECT_EQ(call_action(R::lns_outgoing, S::wait_connect, M::OCCN), A::process);
  EXPECT_EQ(call_action(R::lns_outgoing, S::wait_connect, M::OCRP), A::cdn_and_clear);
  EXPECT_EQ(call_action(R::lns_outgoing, S::wait_connect, M::OCRQ), A::cdn_and_clear);
  for (M m : {M::OCRQ, M::OCRP, M::OCCN})
    EXPECT_EQ(call_action(R::lns_outgoing, S::established, m), A::cdn_and_clear);
  for (S s : {S::wait_reply, S::wait_connect, S::established})
    EXPECT_EQ(call_action(R::lns_outgoing, s, M::CDN), A::process);
}

TEST(CallMessages, Builders) {
  ControlMessage icrq = make_icrq(0x1111, 42, kBearerAnalog, "", "5551234");
  EXPECT_EQ(icrq.type, M::ICRQ);
  EXPECT_EQ(icrq.assigned_session_id, 0x1111);
  EXPECT_EQ(icrq.call_serial_number, 42u);
  EXPECT_EQ(icrq.bearer_type, kBearerAnalog);
  EXPECT_FALSE(icrq.called_number.has_value());  // empty: not sent
  EXPECT_EQ(icrq.calling_number, "5551234");
  ControlMessage ocrq = make_ocrq(2, 3, 100, 200, kBearerDigital, kFramingSync, "");
  EXPECT_EQ(ocrq.called_number, "");  // required in OCRQ even when empty
  EXPECT_EQ(ocrq.minimum_bps, 100u);
  EXPECT_EQ(ocrq.maximum_bps, 200u);
  EXPECT_TRUE(make_iccn(1, 2, true).sequencing_required);
  EXPECT_FALSE(make_occn(1, 2, false).sequencing_required);
  ControlMessage cdn = make_cdn(9, ResultCode{result::kAdministrative, std::nullopt, {}});
  EXPECT_EQ(cdn.assigned_session_id, 9);
  EXPECT_EQ(cdn.result_code->result, result::kAdministrative);
  // Every builder's output encodes and decodes back to itself.
  for (const ControlMessage& m :
       {icrq, ocrq, make_icrp(5), make_iccn(56000, kFramingAsync, true), make_ocrp(6),
        make_occn(64000, kFramingSync, false), cdn, make_wen(CallErrors{1, 2, 3, 4, 5, 6}),
        make_sli(Accm{0, 0xffffffff})}) {
    PacketBuf out(512);
    ASSERT_TRUE(encode_control(m, out).ok()) << message_type_name(m.type);
    auto d = decode_control(out.bytes(), {});
    ASSERT_TRUE(d.ok()) << message_type_name(m.type);
    EXPECT_FALSE(d->fault.has_value()) << message_type_name(m.type);
    EXPECT_EQ(d->msg, m) << message_type_name(m.type);
  }
}

TEST(CallMessages, FsmErrorText) {
  ResultCode rc = call_fsm_error(M::ICRP, S::established);
  EXPECT_EQ(rc.result, result::kCdnSeeError);
  EXPECT_EQ(rc.error, error::kVendorSpecific);
  EXPECT_EQ(rc.message, "unexpected ICRP in established");
}

TEST(Session, IsSmall) { EXPECT_LE(sizeof(Session), 24u); }

}  // namespace
}  // namespace l2sec::l2tp
