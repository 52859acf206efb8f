"""`diagnose(path_or_frame)`: findings a learner can act on, each with frames, quote and fix.

Each rule is a small function over the SIP table (and the RTP table when the capture was read
from a file). Rules aim at precision as much as recall: a private Via with `rport` is normal,
a challenge answered with credentials is not a failure, `Contact: *` with `Expires: 0` is an
unregister, hold (`sendonly`/`inactive`) is not one-way audio.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any, Callable, Iterable

from ..empty_results import explain_empty
from ..grandstream.settings_model import fxs_port_of, setting
from ..twilio_error_codes import explain
from ..twilio_ranges import media_summary
from .addresses import (
    in_twilio_ranges,
    is_internal,
    is_public,
    uri_host_port,
    via_sent_by,
)
from .load import CaptureInput, load_capture
from .sdp import media_of
from .sip_message import header_param

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["diagnose", "FINDING_COLUMNS", "SEVERITY_ORDER"]

FINDING_COLUMNS = ["code", "severity", "summary", "evidence", "fix", "call_id", "frames"]
SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}
TWILIO_MEDIA = media_summary()
_MAX_QUOTE = 140

Finding = dict


def _quote(text: str | None) -> str:
    text = (text or "").replace("\r", " ").replace("\n", " ")
    return text if len(text) <= _MAX_QUOTE else text[:_MAX_QUOTE - 1] + "…"


def _frames_text(frames: list[int]) -> str:
    shown = ", ".join(str(f) for f in frames[:8])
    more = f" (+{len(frames) - 8} more)" if len(frames) > 8 else ""
    return f"frame{'s' if len(frames) > 1 else ''} {shown}{more}"


def _port_setting(sip_port: int | None, name: str, value: object, code: bool = False) -> str:
    """'Label (P4437, FXS port 1) = WAN Address', the FXS port picked from the ATA's SIP port."""
    return setting(name).describe(fxs_port_of(sip_port), value, code=code)


def _at(name: str) -> str:
    """'Label (P101/P866)': where a setting is, for both FXS ports."""
    info = setting(name)
    return f"{info.label} ({'/'.join(dict.fromkeys(p for port in info.pvalues for p in port))})"


def _nat_learns_address() -> str:
    nat = setting("nat_traversal")
    return (f"{nat.describe(None)} = {nat.wording('stun', code=True)} with a {_at('stun_server')}, "
            f"or {nat.wording('keep-alive', code=True)}")


def _twilio_fix(code: int) -> str:
    meaning, fix = explain(code)
    return f"Twilio {code}: {meaning} {fix}".strip() if meaning else ""


class _Table:
    """Column lists of the SIP table, for fast rule loops without per-row pandas access."""

    def __getattr__(self, name: str) -> Any:  # the column lists are set by name in __init__
        raise AttributeError(name)

    def __init__(self, sip: "pd.DataFrame", rtp: "pd.DataFrame | None") -> None:
        self.n = len(sip)
        cols = ["time", "src", "sport", "dst", "dport", "method", "status", "reason", "call_id",
                "user_agent",
                "cseq", "cseq_method", "from_tag", "to_tag", "contact_uri", "via", "expires",
                "retransmission", "headers", "sdp", "frame", "malformed", "problem", "request_uri"]
        for col in cols:
            if col not in sip:
                values = [None] * self.n
            elif col in ("status", "cseq", "expires"):
                values = sip[col].astype(object).where(sip[col].notna(), None).tolist()
            else:
                values = sip[col].tolist()
            setattr(self, col, values)
        self.rtp = rtp
        self.end = self.time[-1] if self.n else None
        self.responses: dict[tuple, list[int]] = defaultdict(list)
        for i in range(self.n):
            if self.status[i] is not None and self.call_id[i] is not None:
                self.responses[(self.call_id[i], self.cseq[i], self.cseq_method[i])].append(i)
        self.twilio = twilio_addresses(self)

    def by_twilio(self, i: int) -> bool:
        """True when message i was sent by Twilio (see twilio_addresses)."""
        return self.src[i] in self.twilio

    def ok_requests(self, methods: Iterable[str] | None = None) -> Iterable[int]:
        wanted = set(methods) if methods else None
        for i in range(self.n):
            m = self.method[i]
            if (m is not None and not self.malformed[i] and not self.retransmission[i]
                    and (wanted is None or m in wanted)):
                yield i

    def received(self, i: int) -> str | None:
        """The `received=` a response put in the Via of request i (device-side captures)."""
        for j in self.responses.get((self.call_id[i], self.cseq[i], self.cseq_method[i]), ()):
            value = header_param(self.via[j] or "", "received")
            if value:
                return value
        return None

    def public_source(self, i: int) -> str | None:
        """The public address request i came from: the packet source, or the received= echo."""
        if is_public(self.src[i]):
            return self.src[i]
        echoed = self.received(i) if self.method[i] else None
        return echoed if is_public(echoed) else None


def twilio_addresses(t: _Table) -> set[str]:
    """The addresses in the capture that are Twilio's: inside Twilio's published signalling and
    media ranges (the firewall data file), or shown to be Twilio's by the capture itself — the
    sender of an `X-Twilio-Error` header or of a `Server`/`User-Agent` naming Twilio, a Via
    sent-by under twilio.com, and the destination of a request addressed to a *.twilio.com
    Request-URI. Twilio's own messages carry Twilio's private addresses in Contact,
    Record-Route and SDP by design (Twilio's SIP trunking troubleshooting guide), so the
    Contact and SDP rules never blame them."""
    found = {address for address in set(t.src) | set(t.dst) if in_twilio_ranges(address)}
    for i in range(t.n):
        headers = t.headers[i] or {}
        agent = (t.user_agent[i] or "").lower()
        sent_by, _port = via_sent_by(t.via[i])
        if ("x-twilio-error" in headers or agent.startswith("twilio")
                or (sent_by or "").lower().endswith("twilio.com")):
            found.add(t.src[i])
        host, _port = uri_host_port(t.request_uri[i])
        if t.method[i] and (host or "").lower().endswith("twilio.com"):
            found.add(t.dst[i])
    return found


def _party(t: _Table, i: int) -> str:
    """Who sent message i, in plain words."""
    return "Twilio" if t.by_twilio(i) else "your ATA (or a device on your side)"


def _contact_private(t: _Table) -> list[Finding]:
    groups: dict[tuple, list[int]] = defaultdict(list)
    for i in range(t.n):
        contact = t.contact_uri[i]
        if not contact or contact == "*" or t.malformed[i] or t.retransmission[i]:
            continue
        if t.by_twilio(i):
            continue  # Twilio's own private addresses are normal and kept by the ACK
        if not (t.method[i] in ("REGISTER", "INVITE")
                or (t.status[i] is not None and 200 <= t.status[i] < 300
                    and t.cseq_method[i] == "INVITE")):
            continue
        host, _port = uri_host_port(contact)
        if not is_internal(host) or host == t.public_source(i):
            continue
        public = t.public_source(i)
        if public is None or public == host:
            continue
        groups[(public, contact)].append(i)
    out = []
    for (public, contact), rows in groups.items():
        first = rows[0]
        host, port = uri_host_port(contact)
        host = host or ""
        kinds = sorted({t.method[i] or f"{t.status[i]} response" for i in rows})
        loopback = host.startswith("127.") or host == "::1"
        summary = (f"Your ATA advertised {host} in its Contact ({', '.join(kinds)}), an address "
                   f"nobody on the Internet can reach, while its packets come from {public}: "
                   "Twilio's INVITEs and BYEs for this line will go nowhere.")
        fix = (_port_setting(port, "contact_uses_wan", True) + "; keep "
               + _port_setting(port, "nat_traversal", "keep-alive", code=True)
               + f". Hard-coding {_at('use_nat_ip')} also works but breaks when the public IP "
                 "changes. " + _twilio_fix(32105 if loopback else 32011))
        out.append({"code": "contact-private-address", "severity": "error", "summary": summary,
                    "evidence": f"{_frames_text([t.frame[i] for i in rows])}: Contact: "
                                f"{_quote(t.headers[first].get('contact', [contact])[0])} — packet "
                                f"from {t.src[first]}:{t.sport[first]}"
                                + ("" if t.src[first] == public else f", Via received={public}"),
                    "fix": fix, "call_id": t.call_id[first],
                    "frames": [t.frame[i] for i in rows]})
    return out


def _sdp_private(t: _Table) -> list[Finding]:
    out = []
    seen: set[tuple] = set()
    for i in range(t.n):
        body = t.sdp[i]
        if not body or t.retransmission[i] or t.malformed[i] or t.by_twilio(i):
            continue
        public = t.public_source(i) if t.method[i] else (t.src[i] if is_public(t.src[i]) else None)
        if public is None:
            continue
        for media in media_of(body):
            if (media.address is None or media.port == 0 or not is_internal(media.address)
                    or media.address == public):
                continue
            key = (t.call_id[i], media.address, media.port)
            if key in seen:
                continue
            seen.add(key)
            what = t.method[i] or f"{t.status[i]} {t.reason[i]}"
            severity, seen_media = _media_evidence(t, i, media.address, media.port, public)
            out.append({
                "code": "sdp-private-media", "severity": severity,
                "summary": f"Your ATA's {what} asks for audio at {media.address}:{media.port}, a "
                           f"private address, while the packet came from {public}: "
                           + seen_media,
                "evidence": f"frame {t.frame[i]}: c=IN IP{'6' if ':' in media.address else '4'} "
                            f"{media.address}, m={media.kind} {media.port} — packet from "
                            f"{t.src[i]}:{t.sport[i]}",
                "fix": (_nat_learns_address()
                        + f" so the ATA learns its public address; {_at('use_nat_ip')} only "
                          f"with a fixed public IP. Open {TWILIO_MEDIA}. " + _twilio_fix(32014)),
                "call_id": t.call_id[i], "frames": [t.frame[i]]})
    return out


def _media_evidence(t: _Table, i: int, address: str, port: int,
                    public: str) -> tuple[str, str]:
    """(severity, what the capture's RTP shows) for a private SDP address: `error` when the RTP
    shows the audio failing, `warning` when it flowed anyway or the capture holds no RTP."""
    streams = []
    if t.rtp is not None and not t.rtp.empty:
        streams = [s for s in zip(t.rtp["src"], t.rtp["dst"], t.rtp["dport"], t.rtp["call_id"],
                                  strict=False) if s[3] == t.call_id[i]]
    if not streams:
        return "warning", (
            "the far end's audio may be sent where it cannot arrive. This capture holds no RTP "
            "for the call (Twilio's downloadable captures hold signalling only), so listen: "
            "if the phone cannot hear the caller, or the call drops after about 30 s of "
            "silence (Twilio 32014), this is why.")
    toward_private = [s for s in streams if s[1] == address and s[2] == port]
    toward_side = [s for s in streams if s[1] == public]
    from_side = [s for s in streams if s[0] in (public, address)]
    if toward_private or not toward_side or not from_side:
        where = (f"RTP was sent to {address}:{port}, which cannot arrive" if toward_private
                 else "no RTP reached that side" if not toward_side
                 else "RTP flowed one way only")
        return "error", f"the capture shows it: {where} (one-way or no audio)."
    return "warning", ("audio flowed in this capture only because the far end answered to "
                       "where the ATA's audio came from (symmetric RTP); a network without "
                       "that gives one-way audio.")


def _ack_missing(t: _Table) -> list[Finding]:
    """A 2xx to INVITE resent because no ACK came (RFC 3261 §13.3.1.4: the UAS resends it with
    growing intervals and gives up after 64·T1 = 32 s, then ends the call)."""
    acked = {(t.call_id[i], t.cseq[i]) for i in range(t.n) if t.method[i] == "ACK"}
    groups: dict[tuple, list[int]] = defaultdict(list)
    for i in range(t.n):
        status = t.status[i]
        if (status is not None and 200 <= status < 300 and t.cseq_method[i] == "INVITE"
                and not t.malformed[i]):
            groups[(t.call_id[i], t.cseq[i], t.src[i], t.dst[i])].append(i)
    out = []
    for (call_id, cseq, src, dst), rows in groups.items():
        if len(rows) < 2 or (call_id, cseq) in acked:
            continue
        first, last = rows[0], rows[-1]
        span = (t.time[last] - t.time[first]).total_seconds()
        byes = [j for j in range(last, t.n) if t.call_id[j] == call_id and t.method[j] == "BYE"]
        ended = (f"; then BYE from {t.src[byes[0]]} (frame {t.frame[byes[0]]})" if byes
                 else "; the capture ends without an ACK")
        sender = "Twilio" if t.by_twilio(first) else "your ATA"
        receiver = "your ATA" if t.by_twilio(first) else "Twilio"
        frames = [t.frame[j] for j in rows] + ([t.frame[byes[0]]] if byes else [])
        out.append({
            "code": "ack-missing", "severity": "error",
            "summary": f"{sender}'s {t.status[first]} {t.reason[first]} to the INVITE was sent "
                       f"{len(rows)} times over {span:.0f} s and never acknowledged: the ACK "
                       f"from {receiver} did not arrive, so the call connects and then drops "
                       "after about 30 seconds (RFC 3261 §13.3.1.4).",
            "evidence": f"{_frames_text(frames)}: SIP/2.0 {t.status[first]} {t.reason[first]} "
                        f"(CSeq {cseq} INVITE) from {src}:{t.sport[first]} to "
                        f"{dst}:{t.dport[first]}, no ACK with CSeq {cseq}{ended}",
            "fix": ("Check where the ACK goes: it must be sent to the 200 OK's Contact through its "
                    "Record-Route (Twilio's private addresses there are normal and must be kept, "
                    "not replaced). Turn off SIP ALG on the router, keep the NAT pinhole open "
                    "with " + _port_setting(None, "nat_traversal", "keep-alive", code=True)
                    + ", and leave " + _at("outbound_proxy") + " empty unless your provider "
                    "needs one. "
                    + _twilio_fix(32022)),
            "call_id": call_id, "frames": frames})
    return out


def _no_response(t: _Table) -> list[Finding]:
    transactions: dict[tuple, list[int]] = defaultdict(list)
    for i in range(t.n):
        m = t.method[i]
        if m is None or m == "ACK" or t.malformed[i] or t.call_id[i] is None:
            continue
        transactions[(t.call_id[i], t.cseq[i], m, t.src[i], t.dst[i])].append(i)
    out = []
    for (call_id, cseq, method, src, dst), rows in transactions.items():
        if (call_id, cseq, method) in t.responses:
            continue
        first = rows[0]
        waited = (t.end - t.time[first]).total_seconds()
        if len(rows) < 2 and waited < 4.0:
            continue  # the capture may just have ended before the answer
        target = f"{dst}:{t.dport[first]}"
        if is_internal(dst) and is_public(src):
            summary = (f"{method} sent {len(rows)} time(s) to {target}, a private address that "
                       "cannot be reached from the Internet, and never answered: the ATA "
                       "registered its LAN address as its Contact.")
            fix = _port_setting(t.dport[first], "contact_uses_wan", True) + ". " + _twilio_fix(32011)
        elif method == "REGISTER":
            summary = (f"REGISTER sent {len(rows)} time(s) to {target} and never answered: the "
                       "registrar is unreachable or the reply is blocked on the way back.")
            fix = (f"Check {_at('sip_server')} is the domain (…sip.twilio.com), no stale "
                   f"{_at('outbound_proxy')}, and that the router lets Twilio's signalling "
                   "(UDP 5060 from Twilio's SIP ranges) back in; "
                   + _port_setting(None, "nat_traversal", "keep-alive", code=True) + ".")
        else:
            summary = (f"{method} sent {len(rows)} time(s) to {target} and never answered "
                       "(RFC 3261 Timer B/F gives up after 32 s).")
            fix = ("Open the firewall to Twilio's signalling addresses and keep the NAT mapping "
                   "alive: " + _port_setting(None, "nat_traversal", "keep-alive", code=True)
                   + ". " + _twilio_fix(32011))
        waited_text = f"no response in {waited:.1f} s"
        out.append({"code": "no-response", "severity": "error", "summary": summary,
                    "evidence": f"{_frames_text([t.frame[i] for i in rows])}: {method} "
                                f"{t.request_uri[first]} (CSeq {cseq} {method}) from "
                                f"{src}:{t.sport[first]} — {waited_text}",
                    "fix": fix, "call_id": call_id, "frames": [t.frame[i] for i in rows]})
    return out


def _auth_rejected(t: _Table) -> list[Finding]:
    out = []
    for i in t.ok_requests():
        headers = t.headers[i]
        creds = headers.get("authorization") or headers.get("proxy-authorization")
        if not creds:
            continue
        for j in t.responses.get((t.call_id[i], t.cseq[i], t.cseq_method[i]), ()):
            status = t.status[j]
            challenge = (t.headers[j].get("www-authenticate")
                         or t.headers[j].get("proxy-authenticate") or [""])[0]
            if status == 403 or (status in (401, 407)
                                 and (header_param("," + challenge.replace(",", ";"), "stale")
                                      or "").lower() != "true"):
                params = creds[0].split(None, 1)[-1]
                user = (header_param(";" + params.replace(",", ";"), "username") or "?").strip('"')
                errors = t.headers[j].get("x-twilio-error", [])
                codes = [int(e.split()[0]) for e in errors if e.split() and e.split()[0].isdigit()]
                twilio = " ".join(_twilio_fix(c) for c in codes) or _twilio_fix(32202)
                out.append({
                    "code": "auth-rejected", "severity": "error",
                    "summary": f"The {t.method[i]} carried credentials for user {user} and "
                               f"Twilio refused them ({status} {t.reason[j]}): the username or "
                               "password does not match a credential list mapped to the domain.",
                    "evidence": f"frames {t.frame[i]}, {t.frame[j]}: {t.method[i]} with "
                                f"{_quote(creds[0])} → SIP/2.0 {status} {t.reason[j]}"
                                + (f"; X-Twilio-Error: {errors[0]}" if errors else ""),
                    "fix": (_port_setting(None, "user_id", "the credential's username") + ", "
                            + _port_setting(None, "auth_id", "the same username") + ", "
                            + _port_setting(None, "password", "the credential's password")
                            + ". " + twilio),
                    "call_id": t.call_id[i], "frames": [t.frame[i], t.frame[j]]})
                break
    return out


def _twilio_errors(t: _Table) -> list[Finding]:
    groups: dict[tuple, list[int]] = defaultdict(list)
    for i in range(t.n):
        for value in t.headers[i].get("x-twilio-error", []) if not t.malformed[i] else []:
            code = value.split()[0] if value.split() else ""
            groups[(t.call_id[i], code, value)].append(i)
    out = []
    for (call_id, code, value), rows in groups.items():
        meaning, fix = explain(code)
        i = rows[0]
        what = t.method[i] or f"{t.status[i]} {t.reason[i]}"
        out.append({"code": "twilio-error", "severity": "error",
                    "summary": f"Twilio reported error {code} on the {what}: "
                               + (meaning or "see twilio.com/docs/api/errors/" + code),
                    "evidence": f"{_frames_text([t.frame[r] for r in rows])}: X-Twilio-Error: "
                                f"{_quote(value)}",
                    "fix": fix or "Look the code up in Twilio's error dictionary and the call's "
                                  "Voice log.",
                    "call_id": call_id, "frames": [t.frame[r] for r in rows]})
    return out


def _register_failed(t: _Table) -> list[Finding]:
    out = []
    for i in t.ok_requests(["REGISTER"]):
        if t.headers[i].get("authorization"):
            continue  # refused credentials are auth-rejected
        for j in t.responses.get((t.call_id[i], t.cseq[i], "REGISTER"), ()):
            status = t.status[j]
            if status >= 300 and status not in (401, 407, 423):
                errors = t.headers[j].get("x-twilio-error", [])
                codes = [e.split()[0] for e in errors if e.split()]
                twilio = " ".join(_twilio_fix(int(c)) for c in codes if c.isdigit())
                out.append({
                    "code": "register-failed", "severity": "error",
                    "summary": f"Twilio refused the registration with {status} {t.reason[j]} "
                               "before any credentials were asked for.",
                    "evidence": f"frames {t.frame[i]}, {t.frame[j]}: REGISTER {t.request_uri[i]}"
                                f" → SIP/2.0 {status} {t.reason[j]}",
                    "fix": (f"Check {_at('sip_server')} is DOMAIN.sip.twilio.com and that SIP "
                            "Registration is on for the domain with a credential list mapped. "
                            + (twilio or _twilio_fix(32210))),
                    "call_id": t.call_id[i], "frames": [t.frame[i], t.frame[j]]})
                break
    return out


def _via_without_rport(t: _Table) -> list[Finding]:
    groups: dict[str, list[int]] = defaultdict(list)
    for i in t.ok_requests():
        via = t.via[i] or ""
        host, _port = via_sent_by(via)
        if is_internal(host) and is_public(t.src[i]) and header_param(via, "rport") is None:
            groups[t.src[i]].append(i)
    return [{"code": "via-without-rport", "severity": "warning",
             "summary": f"Requests from {src} name a private address in Via without ;rport, so "
                        "responses go to the advertised port, which a port-changing router drops.",
             "evidence": f"{_frames_text([t.frame[i] for i in rows])}: Via: "
                         f"{_quote(t.via[rows[0]])}",
             "fix": _port_setting(None, "nat_traversal", "keep-alive", code=True)
                    + " (the HT80x then adds rport), or set the router not to rewrite UDP 5060.",
             "call_id": t.call_id[rows[0]], "frames": [t.frame[i] for i in rows]}
            for src, rows in groups.items()]


def _unregister(t: _Table) -> list[Finding]:
    out = []
    for i in t.ok_requests(["REGISTER"]):
        if t.contact_uri[i] == "*" and t.expires[i] == 0:
            out.append({"code": "unregister", "severity": "info",
                        "summary": "The ATA removed its registration (Contact: *, Expires: 0), "
                                   "as it does on reboot: calls cannot reach it until it "
                                   "registers again.",
                        "evidence": f"frame {t.frame[i]}: REGISTER with Contact: * and Expires: 0",
                        "fix": "Nothing to fix if the ATA was rebooting; "
                               + setting("unregister_on_reboot").describe() + ".",
                        "call_id": t.call_id[i], "frames": [t.frame[i]]})
    return out


def _dialled_without_plus(t: _Table) -> list[Finding]:
    out = []
    for i in t.ok_requests(["INVITE"]):
        uri = t.request_uri[i] or ""
        if t.to_tag[i] is not None or "twilio.com" not in uri:
            continue
        user = uri.split(":", 1)[-1].split("@", 1)[0].split(";", 1)[0]
        if user.isdigit() and len(user) >= 10:
            out.append({"code": "dialled-without-plus", "severity": "warning",
                        "summary": f"The number {user} was dialled without '+', so Twilio "
                                   "cannot read it as E.164.",
                        "evidence": f"frame {t.frame[i]}: INVITE {_quote(uri)}",
                        "fix": f"Set {_at('dial_plan_prefix')} to + and dial the country code. "
                               + _twilio_fix(32101),
                        "call_id": t.call_id[i], "frames": [t.frame[i]]})
    return out


def _malformed(t: _Table) -> list[Finding]:
    rows = [i for i in range(t.n) if t.malformed[i]]
    if not rows:
        return []
    return [{"code": "malformed-sip", "severity": "warning",
             "summary": f"{len(rows)} SIP message(s) could not be read completely.",
             "evidence": f"{_frames_text([t.frame[i] for i in rows])}: {t.problem[rows[0]]}",
             "fix": "Usually a capture cut short (snap length) or a damaged packet; capture with "
                    "`tcpdump -s 0`. If the ATA sends it, update its firmware.",
             "call_id": t.call_id[rows[0]], "frames": [t.frame[i] for i in rows]}]


def _rtp_one_way(t: _Table) -> list[Finding]:
    rtp = t.rtp
    if rtp is None or rtp.empty:
        return []
    streams = list(zip(rtp["src"], rtp["sport"], rtp["dst"], rtp["dport"], rtp["packets"],
                       rtp["call_id"], rtp["first_frame"], strict=False))
    offers: dict[str, list[tuple[str, int, str, int]]] = defaultdict(list)  # call -> endpoints
    on_hold: set[str] = set()
    answered: set[str] = set()
    for i in range(t.n):
        if t.status[i] is not None and 200 <= t.status[i] < 300 and t.cseq_method[i] == "INVITE":
            answered.add(t.call_id[i])
        if t.sdp[i] and not t.retransmission[i]:
            for media in media_of(t.sdp[i]):
                if media.kind != "audio" or media.address is None:
                    continue
                if media.direction != "sendrecv" or media.port == 0:
                    on_hold.add(t.call_id[i])
                endpoint = (media.address, media.port, t.src[i], t.frame[i])
                if endpoint not in offers[t.call_id[i]]:
                    offers[t.call_id[i]].append(endpoint)
    out = []
    for call_id, endpoints in offers.items():
        if call_id not in answered or call_id in on_hold:
            continue
        call_streams = [s for s in streams if s[5] == call_id]
        if not call_streams:
            continue
        frames = sorted({e[3] for e in endpoints} | {s[6] for s in call_streams})
        unreachable = [s for s in call_streams if is_internal(s[2]) and is_public(s[0])]
        received_by = {(a, p) for a, p, _src, _f in endpoints
                       if any(s[2] == a and s[3] == p for s in call_streams)}
        silent = [(a, p) for a, p, _src, _f in endpoints if (a, p) not in received_by]
        if unreachable:
            s = unreachable[0]
            summary = (f"Audio for this call was sent to {s[2]}:{s[3]}, a private address the "
                       f"Internet cannot reach ({s[4]} packets from {s[0]}): the phone hears "
                       "nothing.")
        elif silent and received_by:
            a, p = silent[0]
            summary = (f"Audio flowed one way only: nothing was sent to {a}:{p}, the media "
                       "address its SDP announced.")
        else:
            continue
        out.append({"code": "rtp-one-way", "severity": "error", "summary": summary,
                    "evidence": f"{_frames_text(frames)}: RTP streams "
                                + "; ".join(f"{s[0]}:{s[1]} → {s[2]}:{s[3]} ({s[4]} packets)"
                                            for s in call_streams)
                                + "; SDP media " + ", ".join(f"{a}:{p}" for a, p, _s, _f in endpoints),
                    "fix": (_nat_learns_address() + "; "
                            + _port_setting(None, "symmetric_rtp", True) + "; open " + TWILIO_MEDIA + ". "
                            + _twilio_fix(32014)),
                    "call_id": call_id, "frames": frames})
    return out


RULES: list[Callable[[_Table], list[Finding]]] = [
    _contact_private, _sdp_private, _rtp_one_way, _ack_missing, _no_response, _auth_rejected, _twilio_errors,
    _register_failed, _via_without_rport, _dialled_without_plus, _malformed, _unregister,
]


def _capture_incomplete(skipped: dict[str, int], frames: int | None, messages: int) -> Finding:
    """Packets that may hold SIP were not read: the findings cannot speak for them."""
    total = sum(skipped.values())
    what = "; ".join(f"{n} × {reason}" for reason, n in skipped.items())
    if messages:
        summary = (f"{total} of {frames} packets may hold SIP but could not be read; the "
                   f"findings cover only the {messages} SIP messages that were.")
    else:
        summary = (f"No SIP could be read, but {total} of {frames} packets may hold some: this "
                   "capture cannot be called healthy.")
    return {"code": "capture-incomplete", "severity": "warning" if messages else "error",
            "summary": summary, "evidence": what,
            "fix": ("Capture on the interface that carries the SIP itself, without a tunnel or "
                    "mirror encapsulation this reader does not know (tcpdump -i <wan interface> "
                    "-s 0 port 5060), or capture with " + _port_setting(None, "transport", "UDP")
                    + " instead of TLS while troubleshooting."),
            "call_id": None, "frames": []}


def diagnose(path_or_frame: CaptureInput) -> "pd.DataFrame":
    """Findings for a capture (anything load_capture reads), errors first.

    Columns (all object dtype): code, severity ("error"/"warning"/"info"), summary, evidence,
    fix, call_id, frames (list of frame numbers). RTP rules need the RTP table (a capture file,
    or a Capture). Contact and SDP rules concern the customer's side only: messages from
    Twilio's addresses (see twilio_addresses) are never blamed. Raises CaptureError as
    load_capture does.
    """
    sip, rtp = load_capture(path_or_frame, rtp=True)
    import pandas as pd  # after reading: the capture's bytes are freed before pandas loads
    table = _Table(sip, rtp)
    findings: list[Finding] = []
    for rule in RULES:
        findings.extend(rule(table))
    tls = sip.attrs.get("tls_flows") or []
    if tls:
        findings.append({"code": "tls-unreadable", "severity": "info",
                         "summary": f"{len(tls)} TLS connection(s) carry SIP that cannot be read "
                                    "without the keys.",
                         "evidence": "; ".join(tls[:5]),
                         "fix": "To read the signalling, capture with "
                                + _port_setting(None, "transport", "UDP") + " while troubleshooting.",
                         "call_id": None, "frames": []})
    skipped = sip.attrs.get("skipped") or {}
    if skipped:
        findings.append(_capture_incomplete(skipped, sip.attrs.get("frames"), len(sip)))
    for warning in sip.attrs.get("warnings") or []:
        findings.append({"code": "capture-damaged", "severity": "warning",
                         "summary": "The capture file is damaged; findings cover what was read.",
                         "evidence": warning, "fix": "Capture again, or check the download "
                                                     "completed.", "call_id": None, "frames": []})
    findings.sort(key=lambda f: (SEVERITY_ORDER[f["severity"]],
                                 f["frames"][0] if f["frames"] else 0, f["code"]))
    frame = pd.DataFrame(findings, columns=FINDING_COLUMNS)
    return explain_empty(frame.astype({c: object for c in FINDING_COLUMNS}), no_findings_reason(sip))


def no_findings_reason(sip: "pd.DataFrame") -> str:
    """Why diagnose() found nothing: no SIP to read, or nothing wrong in what was read."""
    if sip.empty:
        from .sip_table import no_sip_reason

        return "Nothing to diagnose. " + no_sip_reason(sip.attrs)
    calls = sip["call_id"].nunique()
    return (f"No findings: nothing in these {len(sip)} SIP message(s) ({calls} Call-ID(s)) shows a known "
            "problem, so this exchange looks healthy. If the line still fails, capture the failing call "
            "itself and diagnose that; ata.doctor() checks the settings on both sides.")
