"""RFC 4475 (SIP torture tests) and RFC 5118 (IPv6 torture tests) as a suite.

Each message is written from the RFCs' text (addresses and bodies as there; SDP bodies shortened
where the test is about headers). All of them go into one capture, one UDP datagram each, so the
suite also checks that none is dropped: the valid ones read right, the ones the RFCs say to
reject are rows flagged `malformed` with the reason.
"""

from __future__ import annotations

import pytest

import ata_helpers as ata
from ata_helpers.capture.writers.pcap import Packet, pcap_bytes

SDP = ("v=0\r\no=mhandley 29739 7272939 IN IP4 192.0.2.3\r\ns=-\r\nc=IN IP4 192.0.2.4\r\n"
       "t=0 0\r\nm=audio 49217 RTP/AVP 0 12\r\nm=video 3227 RTP/AVP 31\r\na=rtpmap:31 LPC\r\n")


def _msg(text: str, body: str = "") -> bytes:
    head = text.strip("\n").replace("\n", "\r\n")
    return (head + "\r\n\r\n" + body).encode("utf-8")


# RFC 4475 §3.1.1: valid messages → (name, message, checks on the row)
VALID = {
    # §3.1.1.1 A short tortuous INVITE: folding, LWS everywhere, compact and long forms mixed,
    # leading zeros in CSeq and Max-Forwards, an empty Subject, unknown headers.
    "wsinv": (_msg('''INVITE sip:vivekg@chair-dnrc.example.com;unknownparam SIP/2.0
TO :
 sip:vivekg@chair-dnrc.example.com ;   tag    = 1918181833n
from   : "J Rosenberg \\\\\\""       <sip:jdrosen@example.com>
  ;
  tag = 98asjd8
MaX-fOrWaRdS: 0068
Call-ID: wsinv.ndaksdj@192.0.2.1
Content-Length   : 150
cseq: 0009
  INVITE
Via  : SIP  /   2.0
 /UDP
    192.0.2.2;branch=390skdjuw
s :
NewFangledHeader:   newfangled value
 continued newfangled value
UnknownHeaderWithUnusualValue: ;;,,;;,;
Content-Type: application/sdp
Route:
 <sip:services.example.com;lr;unknownwith=value;unknown-no-value>
v:  SIP  / 2.0  / TCP     spindle.example.com   ;
  branch  =   z9hG4bK9ikj8  ,
 SIP  /    2.0   / UDP  192.168.255.111   ; branch=
 z9hG4bK30239
m:"Quoted string \\"\\"" <sip:jdrosen@example.com> ; newparam =
      newvalue ;
  secondparam ; q = 0.33''', SDP[:150]),
              {"method": "INVITE", "call_id": "wsinv.ndaksdj@192.0.2.1", "cseq": 9,
               "cseq_method": "INVITE", "to_tag": "1918181833n", "from_tag": "98asjd8",
               "contact_uri": "sip:jdrosen@example.com"}),
    # §3.1.1.3 Valid use of the % escaping mechanism
    "esc01": (_msg('''INVITE sip:sips%3Auser%40example.com@example.net SIP/2.0
To: sip:%75se%72@example.com
From: <sip:I%20have%20spaces@example.net>;tag=938
Max-Forwards: 87
i: esc01.239409asdfakjkn23onasd0-3234
CSeq: 234234 INVITE
Via: SIP/2.0/UDP host5.example.net;branch=z9hG4bKkdjuw
C: application/sdp
Contact:
  <sip:cal%6Cer@host5.example.net;%6C%72;n%61me=v%61lue%25%34%31>
Content-Length: 150''', SDP[:150]),
              {"call_id": "esc01.239409asdfakjkn23onasd0-3234", "cseq": 234234,
               "from_uri": "sip:I%20have%20spaces@example.net"}),
    # §3.1.1.6 Message with no LWS between display name and <
    "lwsdisp": (_msg('''OPTIONS sip:user@example.com SIP/2.0
To: sip:user@example.com
From: caller<sip:caller@example.com>;tag=323
Max-Forwards: 70
Call-ID: lwsdisp.1234abcd@funky.example.com
CSeq: 60 OPTIONS
Via: SIP/2.0/UDP funky.example.com;branch=z9hG4bKkdjuw
l: 0'''), {"from_uri": "sip:caller@example.com", "from_tag": "323", "cseq": 60}),
    # §3.1.1.9 Semicolon-separated parameters in URI user part
    "semiuri": (_msg('''OPTIONS sip:user;par=u%40example.net@example.com SIP/2.0
To: sip:j_user@example.com
From: sip:caller@example.org;tag=33242
Max-Forwards: 3
Call-ID: semiuri.0ha0isndaksdj
CSeq: 8 OPTIONS
Accept: application/sdp, application/pkcs7-mime,
        multipart/mixed, multipart/signed,
        message/sip, message/sipfrag
Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKkdjuw
l: 0'''), {"request_uri": "sip:user;par=u%40example.net@example.com", "from_tag": "33242"}),
    # §3.1.1.11 Multipart MIME message (here: SDP part first, then another)
    "mpart01": (_msg('''MESSAGE sip:kumiko@example.org SIP/2.0
Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-d87543-4dade06d0bdb11ee-1--d87543-;rport
Max-Forwards: 70
Route: <sip:127.0.0.1:5080>
Identity: r5mwreLuyDRYBi/0TiPwEsY3rEVsk/G2WxhgTV1PF7hHuLIK0YWVKZhKv9Mj8UeXqkMVbnVq37CD+813gvYjcBUaZngQmXc9WNZSDNGCzA+fWl9MEUHWIZo1CeJebdY/XlgKeTa0Olvq0rt70Q5jiSfbqMJmQFteeivUhkMWYUA=
Contact: <sip:fluffy@127.0.0.1:5070>
To: <sip:kumiko@example.org>
From: <sip:fluffy@example.com>;tag=2fb0dcc9
Call-ID: 3d9485ad0c49859b@Zmx1ZmZ5LW1hYy0xNi5sb2NhbA..
CSeq: 1 MESSAGE
Content-Transfer-Encoding: binary
Content-Type: multipart/mixed;boundary=7a9cbec02ceef655
Date: Sat, 15 Oct 2005 04:44:56 GMT
User-Agent: SIPimp.org/0.2.5 (curses)
Content-Length: 0'''), {"call_id": "3d9485ad0c49859b@Zmx1ZmZ5LW1hYy0xNi5sb2NhbA..",
                        "user_agent": "SIPimp.org/0.2.5 (curses)"}),
    # §3.1.1.12 Unusual reason phrase
    "unreason": (_msg('''SIP/2.0 200 = 2**3 * 5**2 но сто девяносто девять - простое
Via: SIP/2.0/UDP 192.0.2.198;branch=z9hG4bK1324923
Call-ID: unreason.1234ksdfak3j2erwedfsASdf
CSeq: 35 INVITE
From: sip:user@example.com;tag=11141343
To: sip:user@example.edu;tag=2229
Content-Length: 0'''), {"status": 200, "cseq": 35, "to_tag": "2229"}),
    # §3.1.1.13 Empty reason phrase
    "noreason": (_msg('''SIP/2.0 100 
Via: SIP/2.0/UDP 192.0.2.105;branch=z9hG4bK2398ndaoe
Call-ID: noreason.asndj203insdf99223ndf
CSeq: 35 INVITE
From: <sip:user@example.com>;tag=39ansfi3
To: <sip:user@example.edu>;tag=902jndnke3
Content-Length: 0'''), {"status": 100, "reason": ""}),
}

# RFC 4475 §3.1.2 and RFC 5118: messages to reject → (message, part of the reason)
INVALID = {
    # §3.1.2.3 Negative Content-Length
    "ncl": (_msg('''INVITE sip:user@example.com SIP/2.0
Max-Forwards: 254
To: sip:j.user@example.com
From: sip:caller@example.net;tag=32394234
Call-ID: ncl.0ha0isndaksdj2193423r542w35
CSeq: 0 INVITE
Via: SIP/2.0/UDP 192.0.2.53;branch=z9hG4bKkdjuw
Contact: <sip:caller@example53.example.net>
Content-Type: application/sdp
Content-Length: -999''', SDP), "Content-Length is not a number"),
    # §3.1.2.4 Request scalar fields with overlarge values
    "scalar02": (_msg('''REGISTER sip:example.com SIP/2.0
Via: SIP/2.0/TCP host129.example.com;branch=z9hG4bK342sdfoi3
To: <sip:user@example.com>
From: <sip:user@example.com>;tag=239232jh3
CSeq: 36893488147419103232 REGISTER
Call-ID: scalar02.23o0pd9vanlq3wnrlnewofjas9ui32
Max-Forwards: 300
Expires: 1000000000000000000000000000000000000000000000000000000000000000000000000000000000
Contact: <sip:user@host129.example.com>
  ;expires=280297596632815
Content-Length: 0'''), "bad CSeq"),
    # §3.1.2.6 Unterminated quoted string in display name
    "quotbal": (_msg('''INVITE sip:user@example.com SIP/2.0
To: "Mr. J. User <sip:j.user@example.com>
From: sip:caller@example.net;tag=93334
Max-Forwards: 10
Call-ID: quotbal.aksdj
Contact: <sip:caller@host59.example.net>
CSeq: 8 INVITE
Via: SIP/2.0/UDP 192.0.2.59:5050;branch=z9hG4bKkdjuw39234
Content-Type: application/sdp
Content-Length: 150''', SDP[:150]), "unterminated quoted string"),
    # §3.1.2.7 <> enclosing Request-URI
    "ltgtruri": (_msg('''INVITE <sip:user@example.com> SIP/2.0
To: sip:user@example.com
From: sip:caller@example.net;tag=39291
Max-Forwards: 23
Call-ID: ltgtruri.1@192.0.2.5
CSeq: 1 INVITE
Via: SIP/2.0/UDP 192.0.2.5
Contact: <sip:caller@host5.example.net>
Content-Type: application/sdp
Content-Length: 150''', SDP[:150]), "Request-URI enclosed in <>"),
    # §3.1.2.8 Malformed SIP Request-URI (embedded LWS)
    "lwsruri": (_msg('''INVITE sip:user@example.com; lr SIP/2.0
To: sip:user@example.com;tag=3xfe-9921883-z9f
From: sip:caller@example.net;tag=231413434
Max-Forwards: 5
Call-ID: lwsruri.asdfasdoeoi2323-asdfwrs
CSeq: 2130706432 INVITE
Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKkdjuw2395
Contact: <sip:caller@host1.example.net>
Content-Type: application/sdp
Content-Length: 150''', SDP[:150]), "bad request line"),
    # §3.1.2.9 Multiple SP separating Request-Line elements
    "lwsstart": (_msg('''INVITE  sip:user@example.com  SIP/2.0
Max-Forwards: 8
To: sip:user@example.com
From: sip:caller@example.net;tag=8814
Call-ID: lwsstart.dfknq234oi243099adsdfnawe3@example.com
CSeq: 1893884 INVITE
Via: SIP/2.0/UDP host1.example.com;branch=z9hG4bKkdjuw3923
Contact: <sip:caller@host1.example.net>
Content-Type: application/sdp
Content-Length: 150''', SDP[:150]), "bad request line"),
    # §3.1.2.14 Invalid SIP version
    "badvers": (_msg('''OPTIONS sip:t.watson@example.org SIP/7.0
Via:     SIP/7.0/UDP c.example.com;branch=z9hG4bKkdjuw
Max-Forwards:     70
From:    A. Bell <sip:a.g.bell@example.com>;tag=qweoiqpe
To:      T. Watson <sip:t.watson@example.org>
Call-ID: badvers.31417@c.example.com
CSeq:    1 OPTIONS
l: 0'''), "bad request line"),
    # §3.1.2.15 Mismatched methods in start line and CSeq
    "mismatch01": (_msg('''OPTIONS sip:user@example.com SIP/2.0
To: sip:j.user@example.com
From: sip:caller@example.net;tag=34525
Max-Forwards: 6
Call-ID: mismatch01.dj0234sxdfl3
CSeq: 8 INVITE
Via: SIP/2.0/UDP host.example.com;branch=z9hG4bKkdjuw
l: 0'''), "CSeq method INVITE differs"),
    # §3.1.2.11 Multiple values in single value required fields
    "multi01": (_msg('''INVITE sip:user@company.com SIP/2.0
Contact: <sip:caller@host25.example.net>
Via: SIP/2.0/UDP 192.0.2.25;branch=z9hG4bKkdjuw
Max-Forwards: 70
CSeq: 5 INVITE
Call-ID: multi01.98asdh@192.0.2.1
CSeq: 59 INVITE
Call-ID: multi01.98asdh@192.0.2.2
From: sip:caller@example.com;tag=3413415
To: sip:user@example.com
To: sip:other@example.net
From: sip:caller@example.net;tag=2923420123
Content-Type: application/sdp
l: 150
Call-ID: multi01.98asdh@192.0.2.3
Max-Forwards: 5''', SDP), "appears"),
    # RFC 5118 §4.1 IPv6 reference without brackets in the Request-URI
    "ipv6-bad": (_msg('''REGISTER sip:2001:db8::10 SIP/2.0
To: sip:user@example.com
From: sip:user@example.com;tag=81x2
Via: SIP/2.0/UDP [2001:db8::9:1];branch=z9hG4bKas3-111
Call-ID: SSG9559905523997077@hlau_4100
Max-Forwards: 70
Contact: "Caller" <sip:caller@[2001:db8::9:1]>
CSeq: 98176 REGISTER
Content-Length: 0'''), "IPv6 address without []"),
}

# RFC 5118 §4.1's valid twin: the same request with brackets.
VALID["ipv6-good"] = (_msg('''REGISTER sip:[2001:db8::10] SIP/2.0
To: sip:user@example.com
From: sip:user@example.com;tag=81x2
Via: SIP/2.0/UDP [2001:db8::9:1];branch=z9hG4bKas3-111
Call-ID: SSG9559905523997077@hlau_4100
Max-Forwards: 70
Contact: "Caller" <sip:caller@[2001:db8::9:1]>
CSeq: 98176 REGISTER
Content-Length: 0'''), {"request_uri": "sip:[2001:db8::10]", "contact_uri": "sip:caller@[2001:db8::9:1]"})


@pytest.fixture(scope="module")
def frame():  # type: ignore[no-untyped-def]
    messages = [m for m, _ in VALID.values()] + [m for m, _ in INVALID.values()]
    packets = [Packet(1.0 + i, "192.0.2.1", 5060, "192.0.2.2", 5060, m) for i, m in enumerate(messages)]
    return ata.read_sip(pcap_bytes(packets))


def test_none_is_dropped(frame) -> None:  # type: ignore[no-untyped-def]
    assert len(frame) == len(VALID) + len(INVALID)
    assert frame.attrs["packets"] == {"SIP": len(VALID) + len(INVALID)}


@pytest.mark.parametrize("name", sorted(VALID))
def test_valid_messages_read_right(frame, name: str) -> None:  # type: ignore[no-untyped-def]
    row = frame.iloc[list(VALID).index(name)]
    assert not row["malformed"], (name, row["problem"])
    for column, value in VALID[name][1].items():
        assert row[column] == value, (name, column, row[column])


@pytest.mark.parametrize("name", sorted(INVALID))
def test_messages_to_reject_are_flagged_with_the_reason(frame, name: str) -> None:  # type: ignore[no-untyped-def]
    row = frame.iloc[len(VALID) + list(INVALID).index(name)]
    assert row["malformed"], name
    assert INVALID[name][1] in row["problem"], (name, row["problem"])
