// Named counters: every drop and every notable event has one, declared here
// and nowhere else, so `l2sec status`, the logs and the tests speak of the
// same names. Engines own a Counters value each (no global state); the
// gateway sums them for reporting.
//
// To add one: add a line to L2SEC_COUNTERS in the section of its module.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

// X(name, description)
#define L2SEC_COUNTERS(X)                                                                          \
  /* ---- L2TP: header and message decoding (RFC 2661 §3, §4) ---- */                             \
  X(l2tp_rx_packets, "L2TP packets received")                                                      \
  X(l2tp_tx_packets, "L2TP packets sent")                                                          \
  X(l2tp_rx_bad_header, "dropped: L2TP header truncated or inconsistent")                          \
  X(l2tp_rx_bad_version, "dropped: L2TP version is not 2")                                         \
  X(l2tp_rx_bad_length, "dropped: L2TP Length field disagrees with the datagram")                  \
  X(l2tp_rx_control_bad_flags, "dropped: control message without L and S, or with O or P")        \
  X(l2tp_rx_malformed_avp, "dropped: AVP list malformed (length, reserved bits, hidden)")          \
  X(l2tp_rx_unknown_mandatory_avp, "unknown AVP with the M bit: tunnel or session cleared")       \
  X(l2tp_rx_unknown_optional_avp, "unknown AVP without the M bit: ignored")                        \
  X(l2tp_rx_missing_avp, "control message lacks an AVP its type requires")                         \
  X(l2tp_rx_unknown_message_type, "control message of an unknown type")                            \
  X(l2tp_rx_unknown_tunnel, "dropped: no tunnel with this Tunnel ID")                              \
  X(l2tp_rx_unknown_session, "dropped: no session with this Session ID")                           \
  X(l2tp_rx_wrong_peer, "dropped: from an address or port other than the tunnel's peer")           \
  /* ---- L2TP: reliable delivery (§5.8, Appendix A) ---- */                                      \
  X(l2tp_ctl_tx, "control messages sent (first transmission)")                                    \
  X(l2tp_ctl_retransmit, "control messages retransmitted")                                         \
  X(l2tp_ctl_zlb_tx, "ZLB acknowledgements sent")                                                  \
  X(l2tp_ctl_zlb_rx, "ZLB acknowledgements received")                                              \
  X(l2tp_ctl_rx_duplicate, "dropped: control message already received (acknowledged again)")      \
  X(l2tp_ctl_rx_out_of_order, "control message queued until the ones before it arrive")           \
  X(l2tp_ctl_rx_outside_window, "dropped: control message beyond the receive window")              \
  X(l2tp_ctl_rx_bad_nr, "dropped: Nr acknowledges a message never sent")                           \
  X(l2tp_ctl_give_up, "control connection lost: retransmissions exhausted")                        \
  X(l2tp_ctl_tx_queue_full, "control message refused: send queue full")                            \
  /* ---- L2TP: tunnels and sessions (§5, §7) ---- */                                             \
  X(l2tp_tunnel_established, "tunnels established")                                                \
  X(l2tp_tunnel_closed, "tunnels closed")                                                          \
  X(l2tp_tunnel_auth_failed, "tunnels refused: challenge response wrong or missing")              \
  X(l2tp_tunnel_tie_lost, "SCCRQ withdrawn: lost the tie breaker")                                 \
  X(l2tp_tunnel_refused, "SCCRQ refused (policy, limits, unknown peer)")                           \
  X(l2tp_fsm_unexpected, "control message not expected in the current state")                     \
  X(l2tp_hello_tx, "Hello messages sent")                                                          \
  X(l2tp_session_established, "sessions established")                                              \
  X(l2tp_session_closed, "sessions closed")                                                        \
  X(l2tp_session_refused, "incoming or outgoing calls refused")                                   \
  X(l2tp_data_rx, "data messages received")                                                        \
  X(l2tp_data_tx, "data messages sent")                                                            \
  X(l2tp_data_rx_no_session, "dropped: data for a session that is not established")               \
  X(l2tp_data_rx_bad_offset, "dropped: data offset beyond the message")                            \
  X(l2tp_data_rx_out_of_order, "dropped: data message with an old Ns (sequencing on)")             \
  X(l2tp_ctl_rx_session_unexpected, "session message not expected in the session's state")       \
  X(l2tp_rx_zero_tunnel_not_sccrq, "dropped: Tunnel ID 0 on a message other than SCCRQ")           \
  X(l2tp_tunnel_tie_won, "peer's SCCRQ dropped: we won the tie breaker")                           \
  X(l2tp_ctl_rx_while_closing, "control message ignored (acknowledged only): tunnel closing")      \
  X(l2tp_ctl_tx_encode_failed, "control message not sent: a value does not fit its AVP")          \
  X(l2tp_session_setup_timeout, "calls cleared: not established in time (CDN result 10)")          \
  /* ---- ESP (RFC 4303) ---- */                                                                    \
  X(esp_rx_replayed, "dropped: sequence number already received")                                  \
  X(esp_rx_too_old, "dropped: sequence number left of the replay window")                          \
  X(esp_tx_seq_exhausted, "packet not sent: sequence number exhausted (rekey)")                    \
  X(esp_rx_truncated, "dropped: ESP packet shorter than header, IV, one block and ICV")            \
  X(esp_rx_bad_length, "dropped: ESP ciphertext not a multiple of the cipher block size")          \
  X(esp_rx_wrong_spi, "dropped: ESP packet handed to the SA of another SPI")                       \
  X(esp_rx_bad_icv, "dropped: ESP integrity check value wrong")                                    \
  X(esp_rx_bad_padding, "dropped: ESP padding not 1, 2, 3... or pad length beyond the payload")    \
  X(esp_rx_dummy, "dropped: ESP dummy packet (next header 59)")                                    \
  X(esp_rx_packets, "ESP packets verified and decapsulated")                                       \
  X(esp_tx_packets, "ESP packets encapsulated")                                                    \
  /* ---- ESP: SAD, SPD and inner packets (RFC 4301, RFC 3193 §3.3, §4) ---- */                    \
  X(esp_rx_no_sa, "dropped: ESP packet whose SPI (and circuit) no SA has")                         \
  X(esp_rx_unexpected_next_header, "dropped: Next Header other than the SA's mode carries")        \
  X(esp_rx_inner_malformed, "dropped: decapsulated payload is not the UDP/IP the mode carries")    \
  X(esp_rx_inner_bad_checksum, "dropped: inner UDP or IPv4 header checksum wrong")                 \
  X(esp_rx_selector_mismatch, "dropped: decapsulated packet outside its SA's selectors (3193 3.3)") \
  X(esp_rx_clear_on_protected, "dropped: clear L2TP on a flow the SPD protects (RFC 3193 3.3)")   \
  X(esp_rx_policy_discard, "dropped: inbound packet an SPD filter discards")                       \
  X(esp_rx_clear, "clear L2TP packets let through by an SPD bypass filter")                        \
  X(esp_tx_no_sa, "not sent: the SPD protects the flow and no SA exists yet (acquire)")            \
  X(esp_tx_policy_discard, "not sent: an SPD filter discards the flow")                            \
  X(esp_tx_clear, "L2TP packets sent in the clear by an SPD bypass filter")                        \
  X(esp_tx_too_big, "not sent: packet with ESP overhead exceeds what the medium carries")         \
  X(esp_rx_encap_mismatch, "dropped: ESP by plain IP for a UDP-encapsulated SA, or the reverse")   \
  X(esp_natt_peer_moved, "UDP-encapsulated SA's peer port changed behind a NAT (RFC 3948)")       \
  X(esp_tx_natt_keepalive, "NAT-keepalives sent on UDP 4500 (RFC 3948 4)")                        \
  /* ---- ESP: sequence state of manually keyed SAs (state_file) ---- */                          \
  X(esp_tx_unreserved, "not sent: sequence numbers not yet persisted (state file)")               \
  X(esp_state_write_failed, "ESP sequence state could not be persisted (state file)")             \
  /* ---- Frame Relay (transports/fr) ---- */                                                      \
  X(fr_rx_addr_truncated, "dropped: frame ends inside its Q.922 address")                          \
  X(fr_rx_addr_ea_first, "dropped: Q.922 address with EA=1 in octet 1 (1-octet address)")          \
  X(fr_rx_addr_too_long, "dropped: Q.922 address with EA=0 in octet 4 (over 4 octets)")            \
  X(fr_rx_addr_dl_core, "dropped: 3/4-octet Q.922 address with D/C=1 (DL-CORE, unsupported)")      \
  X(fr_rx_hdr_truncated, "dropped: frame ends inside its RFC 2427 header, SNAP or dispatch")       \
  X(fr_rx_not_ui, "unsupported: control not UI 0x03 (Cisco encapsulation, XID, LAPF)")             \
  X(fr_rx_nlpid_null, "dropped: NLPID 0x00 after the pad (RFC 2427 3)")                            \
  X(fr_rx_unsupported_nlpid, "unsupported: NLPID not SNAP, IPv4, IPv6 or LMI on DLCI 0/1023")      \
  X(fr_rx_unsupported_snap, "unsupported: SNAP OUI/PID neither clear L2TP nor the secured one")    \
  X(fr_rx_bad_dispatch, "dropped: secured-channel dispatch octet not 50, 17 or 115")               \
  X(fr_rx_data_on_signalling_dlci, "dropped: L2TP, ESP, IKE or IP on DLCI 0 or the all-ones DLCI") \
  /* ---- ATM AAL5 (transports/atm) ---- */                                                         \
  X(atm_rx_bad_cell_size, "dropped: cell not 53 octets, or cell payload not 48")                   \
  X(atm_rx_bad_hec, "dropped: cell header HEC wrong, not corrected (I.432.1)")                     \
  X(atm_rx_hec_corrected, "cell header single-bit error corrected (I.432.1)")                      \
  X(atm_rx_idle_cell, "dropped: idle or unassigned cell (VPI 0, VCI 0)")                           \
  X(atm_rx_unknown_vc, "dropped: cell on a VPI/VCI with no reassembler")                           \
  X(atm_rx_unhandled_cell, "dropped: RM, reserved-PTI or OAM cell handed to AAL5")                 \
  X(atm_aal5_rx_pdus, "AAL5 CPCS-PDUs reassembled (or decoded) and verified")                      \
  X(atm_aal5_rx_bad_crc, "dropped: AAL5 CPCS-PDU CRC-32 wrong")                                    \
  X(atm_aal5_rx_bad_length, "dropped: AAL5 Length disagrees with the cell count")                  \
  X(atm_aal5_rx_aborted, "dropped: AAL5 CPCS-PDU with Length 0 (abort)")                           \
  X(atm_aal5_rx_bad_cpi, "dropped: AAL5 CPI not 0 (RFC 2684 4)")                                   \
  X(atm_aal5_rx_oversize, "dropped: AAL5 PDU larger than the configured maximum")                  \
  X(atm_aal5_rx_timeout, "dropped: partial AAL5 PDU, reassembly timer expired")                    \
  X(atm_llc_rx_truncated, "dropped: AAL5 payload shorter than its LLC/SNAP or dispatch")           \
  X(atm_llc_rx_other, "dropped: LLC/SNAP or NLPID of a protocol not carried here")                 \
  X(atm_rx_bad_dispatch, "dropped: secured-channel dispatch octet not 50, 17 or 115")              \
  X(atm_oam_rx_cells, "OAM F4/F5 cells received (I.610)")                                          \
  X(atm_oam_rx_bad_crc, "dropped: OAM cell CRC-10 wrong")                                          \
  X(atm_oam_rx_unhandled, "OAM cell of a type or function not handled (not loopback)")             \
  X(atm_oam_loopback_answered, "OAM loopback requests answered (I.610)")                           \
  X(atm_oam_loopback_reply_rx, "OAM loopback replies received")                                    \
  X(atm_oam_loopback_not_for_us, "OAM loopback request for another location ID: ignored")          \
  /* ---- X.25 and XOT (transports/xot) ---- */                                                     \
  X(xot_rx_packets, "XOT packets taken out of a TCP stream (RFC 1613)")                            \
  X(xot_rx_bad_version, "XOT stream broken: header Version not 0 (RFC 1613 4.1)")                  \
  X(xot_rx_zero_length, "XOT stream broken: header Length 0")                                      \
  X(xot_rx_runt, "XOT stream broken: Length 1 or 2, below an X.25 header")                         \
  X(xot_rx_oversize, "XOT stream broken: Length above the largest X.25 packet (4100)")             \
  X(x25_rx_too_short, "dropped: X.25 packet shorter than its type requires (diag 38)")             \
  X(x25_rx_too_long, "dropped: X.25 packet or user data longer than its type allows (diag 39)")    \
  X(x25_rx_bad_gfi, "dropped: X.25 GFI modulo bits neither 8 nor 128")                             \
  X(x25_rx_unknown_type, "dropped: X.25 packet type unidentifiable (diag 33)")                     \
  X(x25_rx_unsupported, "dropped: X.25 registration, A-bit address format, PVC setup version")     \
  X(x25_rx_bad_lci, "dropped: X.25 restart or diagnostic off logical channel 0")                   \
  X(x25_rx_bad_address, "dropped: X.25 address block with a semi-octet above 9")                   \
  X(x25_rx_bad_facilities, "dropped: X.25 facility field overrun or a value not allowed")          \
  X(x25_rx_facility_ignored, "X.25 facilities skipped, not interpreted (RFC 1613 6.1)")            \
  X(x25_rx_cud_unknown, "calls whose Call User Data names no protocol we carry")                   \
  X(x25_reasm_pdus, "PDUs from X.25 complete packet sequences (M bit)")                            \
  X(x25_reasm_partial_m, "dropped: X.25 M=1 Data packet not full (diag 165)")                      \
  X(x25_reasm_q_mismatch, "dropped: Q bit changed within an X.25 packet sequence")                 \
  X(x25_reasm_overflow, "dropped: X.25 packet sequence longer than the PDU limit")                 \
  X(x25_reasm_discarded, "X.25 Data packets discarded: rest of an overflowed sequence")            \
  X(x25_reasm_aborted, "partial X.25 packet sequences dropped by a Reset or Clear")                \
  /* ---- Frame Relay LMI and link adapter (transports/fr/lmi*, fr_link) ---- */                  \
  X(lmi_rx_truncated, "dropped: LMI message ends inside its header or an IE")                      \
  X(lmi_rx_too_long, "dropped: LMI message longer than the configured maximum (N201)")             \
  X(lmi_rx_bad_protocol_discriminator, "dropped: LMI protocol discriminator not 08 / 09")          \
  X(lmi_rx_bad_call_ref, "dropped: LMI call reference not the dummy 00")                           \
  X(lmi_rx_bad_message_type, "dropped: LMI message neither STATUS ENQUIRY nor STATUS")             \
  X(lmi_rx_no_locking_shift, "dropped: ANSI Annex D message without locking shift 0x95")           \
  X(lmi_rx_wrong_variant, "dropped: LMI message of a variant (or DLCI) not in use")                \
  X(lmi_rx_ie_bad_length, "dropped: LMI report type, link integrity or PVC status length wrong")   \
  X(lmi_rx_bad_report_type, "dropped: LMI report type not 0, 1, 2 (or 2 in an enquiry)")           \
  X(lmi_rx_ie_missing, "dropped: LMI message lacks a mandatory IE")                                \
  X(lmi_rx_bad_pvc_status, "dropped: LMI PVC status with DLCI 0 or bad extension bits")            \
  X(lmi_rx_ie_unknown, "unknown LMI information elements skipped (Q.931 5.8.7)")                   \
  X(lmi_rx_ie_duplicate, "repeated LMI report type / link integrity IEs ignored")                  \
  X(lmi_rx_stopped, "dropped: LMI message while the procedures are stopped")                       \
  X(lmi_rx_unexpected, "ignored: enquiry to a user, STATUS to a network, or unasked STATUS")       \
  X(lmi_rx_status_enquiry, "LMI STATUS ENQUIRY messages received and answered")                    \
  X(lmi_rx_status, "LMI STATUS messages received (full or link integrity)")                        \
  X(lmi_rx_async_status, "LMI single PVC asynchronous STATUS messages received")                   \
  X(lmi_tx_status_enquiry, "LMI STATUS ENQUIRY messages sent")                                     \
  X(lmi_tx_status, "LMI STATUS messages sent (full or link integrity)")                            \
  X(lmi_tx_async_status, "LMI single PVC asynchronous STATUS messages sent")                       \
  X(lmi_tx_full_status_truncated, "PVCs left out of a full STATUS: over the maximum message size") \
  X(lmi_rx_bad_sequence, "LMI error event: sequence number wrong (Q.933 A.5)")                     \
  X(lmi_rx_report_type_mismatch, "LMI STATUS of another report type than the enquiry asked")       \
  X(lmi_t391_timeout, "LMI error event: no STATUS before T391 expired")                            \
  X(lmi_t392_timeout, "LMI error event: no STATUS ENQUIRY within T392")                            \
  X(lmi_link_up, "LMI link integrity verified (link up)")                                          \
  X(lmi_link_down, "LMI link down: N392 errors in N393 events, or stopped")                        \
  X(lmi_pvc_table_full, "LMI PVC status ignored: PVC table full (max_pvcs)")                       \
  X(lmi_autosense_selected, "LMI variant selected by autosense")                                   \
  X(fr_link_rx_pdus, "PDUs received on Frame Relay circuits")                                      \
  X(fr_link_tx_pdus, "PDUs sent on Frame Relay circuits")                                          \
  X(fr_link_rx_oversize, "dropped: Frame Relay frame longer than the max frame size")              \
  X(fr_link_rx_unsupported_kind, "dropped: IPv4/IPv6 frame on a circuit (not carried here)")       \
  X(fr_link_rx_unknown_dlci, "dropped: Frame Relay data on a DLCI no circuit has")                 \
  X(fr_link_rx_circuit_down, "dropped: Frame Relay data on a circuit that is down")                \
  X(fr_link_rx_lmi_off, "dropped: LMI frame on a port without LMI")                                \
  X(fr_link_tx_circuit_down, "not sent: Frame Relay circuit unknown or down")                      \
  X(fr_link_tx_too_big, "not sent: PDU does not fit the Frame Relay max frame size")               \
  /* ---- ATM link adapter (transports/atm/atm_link) ---- */                                      \
  X(atm_link_rx_pdus, "PDUs the ATM link adapter delivered (L2TP, ESP, IP-less UDP)")              \
  X(atm_link_tx_pdus, "PDUs the ATM link adapter sent")                                            \
  X(atm_link_tx_cells, "cells the ATM link adapter sent (data and OAM)")                           \
  X(atm_link_rx_not_running, "dropped: ATM frame while the link is stopped or its underlay down")  \
  X(atm_link_rx_circuit_down, "dropped: PDU on an ATM VC that is down (OAM not verified)")         \
  X(atm_link_rx_sunatm_truncated, "dropped: ATM frame shorter than its SunATM pseudo-header")      \
  X(atm_link_rx_not_carried, "dropped: IPv4 on an ATM VC (real-IP mode is the IP medium's)")       \
  X(atm_link_rx_unhandled_cell, "dropped: resource management or reserved-PTI cell")               \
  X(atm_link_tx_unknown_circuit, "not sent: circuit not on this ATM link")                         \
  X(atm_link_tx_circuit_down, "not sent: ATM VC down (stopped, underlay, OAM)")                    \
  X(atm_link_tx_kind_not_carried, "not sent: VC-mux VC not configured for this PDU kind")          \
  X(atm_link_tx_too_big, "not sent: PDU with its RFC 2684 header above the VC's max SDU")          \
  X(atm_link_tx_empty, "not sent: empty PDU")                                                      \
  X(atm_oam_loopback_tx, "OAM F5 loopback requests sent (OAM VC management)")                      \
  X(atm_oam_loopback_missed, "OAM F5 loopback requests unanswered by the next one")                \
  X(atm_oam_reply_unexpected, "OAM loopback reply with no request outstanding or another tag")     \
  X(atm_oam_vc_down, "ATM VCs taken down: OAM loopback retries exhausted")                         \
  X(atm_oam_vc_up, "ATM VCs verified up by consecutive OAM loopback replies")                      \
  /* ---- X.25 virtual circuits, XOT links and TCP (transports/xot, xottcp) ---- */               \
  X(x25_vc_calls_placed, "X.25 Call Requests sent")                                               \
  X(x25_vc_calls_connected, "X.25 calls that reached data transfer (state p4)")                    \
  X(x25_vc_calls_refused_facilities, "X.25 calls cleared: packet or window size not allowed (diag 66)") \
  X(x25_vc_call_collision, "X.25 call collisions: Call Request received in p2 (state p5)")         \
  X(x25_vc_clears_tx, "X.25 Clear Requests sent (first transmission)")                             \
  X(x25_vc_clears_rx, "X.25 Clear Indications received: calls cleared by the peer")               \
  X(x25_vc_rx_unexpected, "X.25 packets discarded: not expected in the VC's state")               \
  X(x25_vc_rx_invalid_for_state, "X.25 packet invalid for the state: VC cleared or reset (diag 20-29, 35)") \
  X(x25_vc_rx_bad_ps, "X.25 Data with an invalid P(S) or beyond our window: reset (diag 1)")       \
  X(x25_vc_rx_bad_pr, "X.25 packets with an invalid P(R): reset (diag 2)")                         \
  X(x25_vc_rx_too_long, "X.25 Data above the negotiated packet size: reset (diag 39)")             \
  X(x25_vc_rx_bad_modulo, "X.25 packets of the other modulo on a VC (diag 40)")                    \
  X(x25_vc_rx_reject, "X.25 REJ received (not supported): reset (diag 37)")                        \
  X(x25_vc_rx_partial_m, "X.25 partially full M=1 Data or Q bit changed: reset (diag 165, 83)")   \
  X(x25_vc_rx_data_packets, "X.25 Data packets received in sequence")                              \
  X(x25_vc_tx_data_packets, "X.25 Data packets sent")                                              \
  X(x25_vc_tx_queue_full, "PDU refused: X.25 VC send queue full")                                  \
  X(x25_vc_tx_pdu_dropped, "queued or partly sent PDUs dropped by a Reset, Clear or lost connection") \
  X(x25_vc_rr_tx, "X.25 RR packets sent")                                                          \
  X(x25_vc_rr_rx, "X.25 RR packets received")                                                      \
  X(x25_vc_rnr_tx, "X.25 RNR packets sent: our receive side busy")                                 \
  X(x25_vc_rnr_rx, "X.25 RNR packets received: the peer is busy, sending held")                    \
  X(x25_vc_resets_tx, "X.25 Reset Requests sent (first transmission)")                             \
  X(x25_vc_resets_rx, "X.25 Reset Indications received")                                           \
  X(x25_vc_reset_collision, "X.25 reset collisions (Reset Indication in d2)")                      \
  X(x25_vc_interrupts_tx, "X.25 Interrupts sent")                                                  \
  X(x25_vc_interrupts_rx, "X.25 Interrupts received and confirmed")                                \
  X(x25_restarts_tx, "X.25 Restart Requests sent (first transmission)")                            \
  X(x25_restarts_rx, "X.25 Restart Indications received")                                          \
  X(x25_t20_expired, "X.25 T20 (restart request) expired")                                         \
  X(x25_t21_expired, "X.25 T21 (call request) expired")                                            \
  X(x25_t22_expired, "X.25 T22 (reset request) expired")                                           \
  X(x25_t23_expired, "X.25 T23 (clear request) expired")                                           \
  X(xot_conn_dialed, "XOT TCP connections opened toward a peer (calling side)")                    \
  X(xot_conn_accepted, "XOT TCP connections accepted")                                             \
  X(xot_conn_refused, "incoming XOT connections refused: stopped or too many not yet bound")       \
  X(xot_conn_lost, "XOT TCP connections lost or failed under a circuit")                           \
  X(xot_conn_timeout, "XOT connections closed: no connect, Call or PVC Setup reply in time")       \
  X(xot_redials, "XOT redial attempts after a loss, a clear or a failure (backoff)")               \
  X(xot_rx_stream_broken, "XOT connections closed: framing broken (RFC 1613 4.1)")                 \
  X(xot_rx_before_call, "XOT packets before a Call on an unbound connection: discarded (RFC 1613 6.1)") \
  X(xot_rx_local_only, "X.25 Restart/Diagnostic received over XOT: discarded (RFC 1613 6.4)")      \
  X(xot_rx_unknown_conn, "stream events for a connection the XOT adapter does not know")           \
  X(xot_call_refused_address, "incoming calls cleared: called/calling address fits no circuit (diag 67/68)") \
  X(xot_call_refused_cud, "incoming calls cleared: Call User Data fits no circuit (diag 249)")     \
  X(xot_call_refused_modulo, "incoming calls cleared: modulo differs from the circuit's (diag 40)") \
  X(xot_call_replaced, "incoming calls replacing the live call of their circuit")                  \
  X(xot_pvc_setup_refused, "XOT PVC setups refused or failed (RFC 1613 6.5 status)")               \
  X(xot_circuit_up, "XOT circuits up (call connected or PVC reset done)")                          \
  X(xot_circuit_down, "XOT circuits down (clear, reset failure, TCP loss)")                        \
  X(xot_tx_unknown_circuit, "PDU not sent: no such XOT circuit")                                   \
  X(xot_tx_circuit_down, "PDU not sent: XOT circuit down")                                         \
  X(xot_tx_kind_not_carried, "PDU not sent: kind not carried by the circuit's code point")         \
  X(xot_tx_too_big, "PDU not sent: larger than the circuit's MTU")                                 \
  X(xot_rx_bad_dispatch, "dropped: secured-channel PDU with no or an unknown dispatch octet")      \
  X(xot_rx_qualified, "dropped: qualified (Q=1) X.25 packet sequence")                             \
  X(xottcp_accepted, "TCP connections accepted on the XOT listener")                               \
  X(xottcp_connects, "TCP connections opened by XOT")                                              \
  X(xottcp_connect_failed, "XOT TCP connects that failed (resolve or connect)")                     \
  X(xottcp_conn_lost, "XOT TCP connections ended by the peer or the network")                      \
  X(xottcp_write_overflow, "XOT TCP connections dropped: write queue over its bound")               \
  X(xottcp_rx_bytes, "octets read from XOT TCP connections")                                       \
  X(xottcp_tx_bytes, "octets written to XOT TCP connections")                                      \
  /* ---- underlays (transports/pcap, udpwire, afpacket) ---- */                                  \
  X(underlay_rx_frames, "frames received from an emulated wire or an interface")                   \
  X(underlay_tx_frames, "frames sent on an emulated wire or an interface")                         \
  X(underlay_rx_keepalives, "carrier keepalives received")                                         \
  X(underlay_tx_keepalives, "carrier keepalives sent")                                             \
  X(underlay_rx_foreign, "dropped: datagram or frame from a source other than the remote")         \
  X(underlay_rx_empty, "dropped: datagram or payload without a type octet, or an empty frame")     \
  X(underlay_rx_bad_type, "dropped: type octet neither 0 (frame) nor 1 (carrier keepalive)")       \
  X(underlay_rx_bad_length, "dropped: AF_PACKET length field beyond the Ethernet payload")         \
  X(underlay_rx_oversize, "dropped: frame larger than the configured maximum")                     \
  X(underlay_rx_errors, "receive calls the OS failed")                                             \
  X(underlay_tx_errors, "frames or keepalives the OS refused to send")                             \
  X(underlay_tx_empty, "not sent: frame of 0 octets")                                              \
  X(underlay_tx_oversize, "not sent: frame larger than the wire carries")                          \
  X(underlay_tx_closed, "not sent: the underlay is not open")                                      \
  X(underlay_carrier_lost, "carrier lost: nothing from the remote for the carrier timeout")        \
  X(underlay_carrier_restored, "carrier back: a datagram from the remote after a loss")            \
  X(pcap_rec_frames, "frames written to a pcap recording")                                         \
  X(pcap_rec_unfit, "not recorded: frame shorter than the link type's pseudo-header")              \
  X(pcap_rec_other_vc, "not recorded: ATM PDU of a VC other than the one DLT_ATM_RFC1483 records") \
  X(pcap_rec_closed, "not recorded: the recording is not open")                                    \
  X(pcap_replay_frames, "frames fed to a link adapter from a pcap")                                \
  X(pcap_replay_other_direction, "skipped: DLT_SUNATM record in our direction, not the peer's")    \
  X(pcap_replay_snapped, "pcap record cut by the snap length: skipped, or fed if so configured")   \
  X(pcap_replay_runt, "skipped: pcap record empty or shorter than its pseudo-header")              \
  X(pcap_xot_segments, "TCP segments written to an XOT recording")                                 \
  X(pcap_xot_unknown_connection, "not recorded: bytes for an XOT connection not open")             \
  /* ---- circuit medium (src/media/circuit_medium) ---- */                                       \
  X(gw_circuit_up, "circuits reported up by their link adapter")                                   \
  X(gw_circuit_down, "circuits reported down by their link adapter")                               \
  X(gw_circuit_tunnels_lost, "tunnels cleared because their circuit went down")                    \
  X(circuit_tx_pdus, "PDUs handed to a link adapter")                                              \
  X(circuit_rx_pdus, "PDUs received from a link adapter")                                          \
  X(circuit_tx_no_route, "dropped: PDU for a circuit no adapter owns, or UDP-encapsulated ESP on a circuit") \
  X(circuit_tx_refused, "dropped: the link adapter refused the PDU (circuit down, too big)")       \
  X(circuit_rx_ike_unhandled, "dropped: IP-less UDP (IKE) on a circuit, no IKE handler")           \
  /* ---- media and gateway ---- */                                                               \
  X(media_rx_datagrams, "datagrams received by a medium")                                          \
  X(media_tx_datagrams, "datagrams sent by a medium")                                              \
  X(media_tx_errors, "datagrams the OS refused to send")                                           \
  X(media_rx_oversize, "dropped: datagram larger than the receive buffer")                         \
  X(media_rx_bad_ip_header, "dropped: raw IP packet whose header does not parse")                  \
  X(media_rx_not_for_us, "dropped: raw ESP packet for another local address")                      \
  X(media_rx_natt_keepalive, "NAT-T keepalives received on UDP 4500 (RFC 3948 2.3)")              \
  X(media_rx_ike_unhandled, "dropped: IKE (non-ESP marker) on UDP 4500, no IKE handler")          \
  X(media_rx_runt, "dropped: datagram too short for what its port carries")

namespace l2sec {

enum class Ctr : std::uint16_t {
#define L2SEC_X(name, desc) name,
  L2SEC_COUNTERS(L2SEC_X)
#undef L2SEC_X
      count_
};

inline constexpr std::size_t kCounterCount = static_cast<std::size_t>(Ctr::count_);

std::string_view counter_name(Ctr c) noexcept;
std::string_view counter_description(Ctr c) noexcept;

class Counters {
 public:
  void inc(Ctr c, std::uint64_t n = 1) noexcept { v_[static_cast<std::size_t>(c)] += n; }
  std::uint64_t get(Ctr c) const noexcept { return v_[static_cast<std::size_t>(c)]; }
  std::uint64_t operator[](Ctr c) const noexcept { return get(c); }
  Counters& operator+=(const Counters& o) noexcept {
    for (std::size_t i = 0; i < kCounterCount; ++i) v_[i] += o.v_[i];
    return *this;
  }
  void clear() noexcept { v_.fill(0); }

  // Calls f(Ctr, value) for every counter that is not zero.
  template <class F>
  void for_each_nonzero(F&& f) const {
    for (std::size_t i = 0; i < kCounterCount; ++i)
      if (v_[i] != 0) f(static_cast<Ctr>(i), v_[i]);
  }

 private:
  std::array<std::uint64_t, kCounterCount> v_{};
};

}  // namespace l2sec
