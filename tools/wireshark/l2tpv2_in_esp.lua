-- l2tpv2_in_esp.lua: lets Wireshark / tshark show L2TPv2 carried with IP
-- protocol number 115, as l2sec's ESP does on non-IP circuits (DESIGN.md
-- §1, §3: ESP in "ipless" mode carries the L2TP packet itself, Next Header
-- 115, the IANA number of L2TP).
--
-- Why: Wireshark maps IP protocol 115 to L2TPv3-over-IP, which misreads an
-- L2TPv2 header. This script hands protocol 115 (after a decrypted ESP
-- trailer, or in a plain IPv4 header) to the L2TPv2 dissector that normally
-- runs on UDP port 1701. It goes through a small wrapper protocol because
-- adding the UDP dissector's handle to ip.proto directly makes tshark warn on
-- stderr ("Dissectors ... have same dissector name L2TP").
--
-- Origin: the project's peer kit (../shared/peers/l2tpv2_in_esp.lua, see
-- PEERS.md), copied here so tests need nothing outside the repository.
-- Checked with tshark 4.0.17 (Debian 12).
--
-- Use:  tshark -X lua_script:tools/wireshark/l2tpv2_in_esp.lua -r capture.pcap ...
--   (in Wireshark: Analyze > Enabled Protocols, or copy it into the personal
--   plugins folder). tests/unit/esp/ipless_capture_test.cpp runs it on a
--   capture of two l2sec engines talking over a circuit with ESP
--   (captures/esp_ipless_nh115.pcap; keys in captures/README.md) and checks
--   that every L2TP message decrypts and dissects cleanly.
-- tshark exits 0 even when a script fails to load: check stderr for "Lua:".
--
-- Scope: only the protocol-115 mapping. A dissector for the circuit framing
-- itself (the secured-channel code point and its dispatch octet) is a
-- separate job for this directory.
local l2tp_udp = DissectorTable.get("udp.port"):get_dissector(1701)
local p = Proto("l2tpv2_in_ip", "L2TPv2 with IP protocol number 115")
function p.dissector(tvb, pinfo, tree) return l2tp_udp:call(tvb, pinfo, tree) end
DissectorTable.get("ip.proto"):add(115, p)
