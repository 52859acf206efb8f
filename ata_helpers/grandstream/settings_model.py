"""The HT801/HT802 settings the tutorial needs, as typed fields mapped to the device's P-values.

Every field carries the label the device's web page shows, its P-value for FXS port 1 and 2, the
web page's wording of each coded value (P4437 `1` is "WAN Address") and one line on why it matters
for Twilio. This table is the one home of those facts: the form, the capture findings, the device
client, the registration checks and the XML writer all read them from here.
Defaults are the recommended Twilio settings (WAN contact, check user ID, `+` prefix, keep-alive,
PCMU first, UDP, fixed ports). Source of the P-numbers: Grandstream's HT80x template 1.0.19.11.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field, fields, replace
from typing import TYPE_CHECKING, Any, Callable, Iterable, Sequence

from ..errors import SettingError
from ..settings import MASK
from ..validate import control_characters

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "SettingInfo",
    "SettingError",
    "FxsPort",
    "HT80xConfig",
    "PORT_SETTINGS",
    "DEVICE_SETTINGS",
    "nat_settings_table",
    "MODELS",
    "VOCODERS",
    "DTMF_METHODS",
    "NAT_TRAVERSAL",
    "TRANSPORTS",
    "PASSWORD_PVALUES",
    "REFERENCE_SETTINGS",
    "STATUS_SETTINGS",
    "DEFAULT_LOCAL_PORTS",
    "FACTORY_DEFAULTS",
    "FACTORY_WEB_PVALUES",
    "factory_pvalues",
    "fxs_port_of",
    "setting",
]

MODELS: dict[str, int] = {"HT801": 1, "HT802": 2}

# (Python name, device code, web page wording) of each coded value; the dicts below derive from these.
_VOCODER_CHOICES = (("PCMU", "0", "PCMU"), ("PCMA", "8", "PCMA"), ("G.723", "4", "G.723"),
                    ("G.729", "18", "G.729"), ("G.726-32", "2", "G.726-32"), ("iLBC", "97", "iLBC"),
                    ("OPUS", "123", "OPUS"), ("G.722", "9", "G.722"))
_DTMF_CHOICES = (("RFC2833", "101", "RFC2833"), ("SIP INFO", "102", "SIP INFO"), ("in-audio", "100", "In-audio"))
# P52/P730; "auto" and "vpn" exist on V2 firmware only
_NAT_CHOICES = (("no", "0", "No"), ("stun", "1", "STUN"), ("keep-alive", "2", "Keep-Alive"),
                ("upnp", "3", "UPnP"), ("auto", "4", "Auto"), ("vpn", "5", "VPN"))
_TRANSPORT_CHOICES = (("UDP", "0", "UDP"), ("TCP", "1", "TCP"), ("TLS", "2", "TLS"))
_YES_NO = ((False, "0", "No"), (True, "1", "Yes"))
_CONTACT_CHOICES = ((False, "0", "LAN Address"), (True, "1", "WAN Address"))

# name -> device code (P57… "Preferred Vocoder" choices)
VOCODERS: dict[str, str] = {name: code for name, code, _ in _VOCODER_CHOICES}
# name -> device code (P850… "Preferred DTMF method")
DTMF_METHODS: dict[str, str] = {name: code for name, code, _ in _DTMF_CHOICES}
# name -> device code (P52/P730); "auto" and "vpn" exist on V2 firmware only
NAT_TRAVERSAL: dict[str, str] = {name: code for name, code, _ in _NAT_CHOICES}
TRANSPORTS: dict[str, str] = {name: code for name, code, _ in _TRANSPORT_CHOICES}

_HOST = re.compile(
    r"^(?=.{1,253}\Z)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*\Z",
    re.I,
)
_SIP_USER = re.compile(r"^[A-Za-z0-9_.!~*'()&=+$,;?/%-]{1,64}\Z")
_PREFIX = re.compile(r"^[0-9+*#]{0,16}\Z")


_UNSET: Any = object()


@dataclass(frozen=True)
class SettingInfo:
    """One setting: device label, P-values per port, why it matters, how values are coded and worded.

    `choices` lists each coded value as (Python value, device code, the web page's wording), e.g.
    `(True, "1", "WAN Address")` for P4437; free-text settings have none.
    """

    name: str
    label: str
    pvalues: tuple[tuple[str, ...], ...]
    why: str
    encode: Callable[[Any], list[str]]
    decode: Callable[[list[str]], Any]
    advanced: bool = False
    nat: bool = False
    secret: bool = False
    choices: tuple[tuple[Any, str, str], ...] = ()
    # What the device takes for a free-text setting, in words, and the check (None: anything)
    rule: str = ""
    accepts: Callable[[str], bool] | None = None

    def pvalues_for(self, port: int) -> tuple[str, ...]:
        """The P-value names of this setting on FXS port `port` (1-based)."""
        return self.pvalues[min(port, len(self.pvalues)) - 1]

    def pvalue(self, port: int = 1) -> str:
        """The (first) P-value name of this setting on FXS port `port`, e.g. "P4437"."""
        return self.pvalues_for(port)[0]

    @property
    def device_wide(self) -> bool:
        """True when both FXS ports share the P-value (STUN Server P76, Keep-alive Interval P84)."""
        return len(set(self.pvalues)) == 1

    def options(self) -> list[tuple[str, Any]]:
        """(web page wording, Python value) of each choice, in device-code order: a dropdown's options."""
        return [(words, value) for value, _code, words in self.choices]

    def wording(self, value: Any, code: bool = False) -> str:
        """How the device's web page shows `value` (a Python value or a device code).

        `True` on P4437 gives "WAN Address", `"keep-alive"` on P52 "Keep-Alive" ("Keep-Alive (2)"
        with `code=True`). Values without a listed choice (free text) come back as text.
        """
        for choice, device_code, words in self.choices:
            if (value is choice or (type(value) is type(choice) and value == choice)
                    or (isinstance(value, str) and value == device_code)):
                return f"{words} ({device_code})" if code else words
        if isinstance(value, (tuple, list)):
            return ", ".join(str(v) for v in value)
        return str(value)

    def display(self, raw: list[str]) -> str:
        """Raw P-value text as people read it: choices worded, lists joined, secrets as ••••."""
        if self.secret:
            return MASK if any(raw) else ""
        if all(r == "" for r in raw):
            return ""
        try:
            value = self.decode(raw)
        except (ValueError, IndexError):
            return ", ".join(raw)
        return self.wording(value)

    def where(self, port: int | None = None) -> str:
        """The P-value(s) in words: "P4437, FXS port 1"; "P4437 port 1 / P4438 port 2" without a port."""
        if self.device_wide:
            return "/".join(self.pvalues[0])
        if port in (1, 2):
            return f"{'/'.join(self.pvalues_for(port))}, FXS port {port}"
        return " / ".join(f"{'/'.join(self.pvalues_for(n))} port {n}" for n in (1, 2))

    def describe(self, port: int | None = None, value: Any = _UNSET, code: bool = False) -> str:
        """The setting as a person finds it on the device, optionally with a value to set.

        `describe(1)` gives "SIP REGISTER Contact Header Uses (P4437, FXS port 1)",
        `describe(None, True)` "SIP REGISTER Contact Header Uses (P4437 port 1 / P4438 port 2) = WAN Address".
        A value is worded as the web page words it (see `wording`); text is shown as given.
        """
        text = f"{self.label} ({self.where(port)})"
        return text if value is _UNSET else f"{text} = {self.wording(value, code=code)}"


# -- codecs: Python value <-> list of P-value strings -----------------------------------------

def _text(value: Any) -> list[str]:
    return [str(value)]


def _text_back(raw: list[str]) -> str:
    return raw[0]


def _flag(value: Any) -> list[str]:
    return ["1" if value else "0"]


def _flag_back(raw: list[str]) -> bool:
    return raw[0].strip() == "1"


def _int(value: Any) -> list[str]:
    return [str(int(value))]


def _int_back(raw: list[str]) -> int:
    return int(raw[0])


def _choice(table: dict[str, str]) -> tuple[Callable[[Any], list[str]], Callable[[list[str]], str]]:
    back = {code: name for name, code in table.items()}

    def encode(value: Any) -> list[str]:
        return [table[value]]

    def decode(raw: list[str]) -> str:
        code = raw[0].strip()
        if code not in back:
            raise ValueError(f"unknown code {code!r}")
        return back[code]

    return encode, decode


def _ordered(table: dict[str, str], size: int) -> tuple[Callable[[Any], list[str]], Callable[[list[str]], tuple[str, ...]]]:
    back = {code: name for name, code in table.items()}

    def encode(value: Any) -> list[str]:
        return [table[name] for name in value][:size]

    def decode(raw: list[str]) -> tuple[str, ...]:
        names = []
        for code in raw:
            code = code.strip()
            if code not in back:
                raise ValueError(f"unknown code {code!r}")
            names.append(back[code])
        return tuple(names)

    return encode, decode


_FLAG = (_flag, _flag_back)
_NAT_CODEC = _choice(NAT_TRAVERSAL)
_TRANSPORT_CODEC = _choice(TRANSPORTS)
_VOCODER_CODEC = _ordered(VOCODERS, 8)
_DTMF_CODEC = _ordered(DTMF_METHODS, 3)


def _info(name: str, label: str, p1: str | tuple[str, ...], p2: str | tuple[str, ...], why: str,
          codec: tuple[Callable[[Any], list[str]], Callable[[list[str]], Any]] = (_text, _text_back),
          choices: tuple[tuple[Any, str, str], ...] | None = None, **flags: Any) -> SettingInfo:
    one = (p1,) if isinstance(p1, str) else p1
    two = (p2,) if isinstance(p2, str) else p2
    if choices is None:
        choices = _YES_NO if codec == _FLAG else ()
    return SettingInfo(name, label, (one, two), why, codec[0], codec[1], choices=choices, **flags)


_INT = (_int, _int_back)

PORT_SETTINGS: dict[str, SettingInfo] = {s.name: s for s in [
    _info("account_active", "Account Active", "P271", "P401",
          "Some HT802V2 units ship with the account off, which gives a busy tone when you lift the handset.",
          _FLAG, advanced=True),
    _info("user_id", "SIP User ID", "P35", "P735",
          "The user part Twilio registers and calls: the credential's username."),
    _info("auth_id", "Authenticate ID", "P36", "P736",
          "The name in the digest answer; Twilio checks it against the credential list, so it equals the username."),
    _info("password", "Authenticate Password", "P34", "P734",
          "The credential's password. The device never shows it again, and some V2 firmware ignores it over HTTP.",
          secret=True, rule="printable ASCII without spaces",
          accepts=lambda text: all(33 <= ord(c) <= 126 for c in text)),
    _info("display_name", "Name", "P3", "P703",
          "Shown as the caller name in the From header; cosmetic."),
    _info("contact_uses_wan", "SIP REGISTER Contact Header Uses", "P4437", "P4438",
          "With LAN Address the ATA tells Twilio 192.168.x.x, and Twilio's INVITE for an inbound call goes nowhere.",
          _FLAG, _CONTACT_CHOICES, nat=True),
    _info("check_user_id_on_invite", "Check SIP User ID for incoming INVITE", "P258", "P449",
          "Rings only for INVITEs addressed to this user ID, so scanners that guess your address cannot ring the phone.",
          _FLAG),
    _info("dial_plan_prefix", "Dial Plan Prefix", "P66", "P766",
          "Added in front of every dialled number so Twilio receives E.164 (+1415…)."),
    _info("registration", "SIP Registration", "P31", "P731",
          "Registering tells Twilio where the phone is, which is how inbound calls find it.", _FLAG),
    _info("register_expiration_min", "Register Expiration", "P32", "P732",
          "Minutes between re-registrations; a registration that lapses means inbound calls fail with 32009.",
          _INT, advanced=True),
    _info("nat_traversal", "NAT Traversal", "P52", "P730",
          "Keep-alive sends small packets so the router's NAT mapping stays open for Twilio's inbound INVITE.",
          _NAT_CODEC, _NAT_CHOICES, nat=True),
    _info("use_nat_ip", "Use NAT IP", "P101", "P866",
          "Hard-codes a public IP into SIP and SDP; fragile when your ISP changes it, so leave it empty.",
          advanced=True, nat=True),
    _info("transport", "SIP Transport", "P130", "P830",
          "UDP to port 5060 is what Twilio's domain answers by default and what the firewall rules open.",
          _TRANSPORT_CODEC, _TRANSPORT_CHOICES, advanced=True),
    _info("outbound_proxy", "Outbound Proxy", "P48", "P748",
          "Empty: the ATA talks to the SIP domain directly; a proxy only adds a hop that can rewrite NAT.",
          advanced=True, nat=True),
    _info("vocoders", "Preferred Vocoder (choice 1–8)",
          ("P57", "P58", "P59", "P60", "P61", "P62", "P46", "P98"),
          ("P757", "P758", "P759", "P760", "P761", "P762", "P814", "P815"),
          "PCMU (G.711 µ-law) first: Twilio's native codec, so no transcoding and no surprises.",
          _VOCODER_CODEC, _VOCODER_CHOICES, advanced=True),
    _info("dtmf_methods", "Preferred DTMF method (priority 1–3)",
          ("P850", "P851", "P852"), ("P860", "P861", "P862"),
          "RFC2833 first: Twilio reads key presses from RTP events, which survive codecs.",
          _DTMF_CODEC, _DTMF_CHOICES, advanced=True),
    _info("dtmf_payload_type", "DTMF Payload Type", "P79", "P779",
          "101 is the payload type both sides expect for RFC2833 events.", _INT, advanced=True),
    _info("local_sip_port", "Local SIP Port", "P40", "P740",
          "A fixed port makes firewall rules and packet captures predictable.", _INT, advanced=True, nat=True),
    _info("local_rtp_port", "Local RTP Port", "P39", "P739",
          "The first even port used for audio; fixed so one-way audio can be traced.", _INT, advanced=True, nat=True),
    _info("random_sip_port", "Use Random SIP Port", "P20501", "P20502",
          "Some V2 units ship with this on, which moves signalling to an ephemeral port; keep it off.",
          _FLAG, advanced=True, nat=True),
    _info("random_rtp_port", "Use Random RTP Port", "P20505", "P20506",
          "Off, so audio uses the fixed Local RTP Port range.", _FLAG, advanced=True, nat=True),
]}

DEVICE_SETTINGS: dict[str, SettingInfo] = {s.name: s for s in [
    _info("sip_server", "Primary SIP Server", "P47", "P747",
          "Your Twilio SIP domain, e.g. example.sip.twilio.com (or an edge form example.sip.ashburn.twilio.com)."),
    _info("stun_server", "STUN Server", "P76", "P76",
          "Only used when NAT Traversal is STUN; Twilio does not need it with keep-alive.",
          advanced=True, nat=True),
    _info("keep_alive_interval", "Keep-alive Interval", "P84", "P84",
          "Seconds between NAT keep-alive packets; 20 is shorter than most routers' UDP timeout.",
          _INT, advanced=True, nat=True),
]}

# Settings the course names in advice but does not set (HT80x template 1.0.19.11).
REFERENCE_SETTINGS: dict[str, SettingInfo] = {s.name: s for s in [
    _info("symmetric_rtp", "Symmetric RTP", "P291", "P460",
          "Sends audio back to where the far end's audio comes from, which gets through a NAT that "
          "rewrote the port.", _FLAG, advanced=True, nat=True),
    _info("unregister_on_reboot", "Unregister On Reboot", "P81", "P752",
          "The ATA removes its registration (Contact: *, Expires: 0) as it reboots.", _FLAG, advanced=True),
]}

# Read-only values on Status > Port Status (same on V1 and V2 firmware).
STATUS_SETTINGS: dict[str, SettingInfo] = {s.name: s for s in [
    _info("hook_state", "Hook", "P4901", "P4902", "On Hook or Off Hook: whether the handset is lifted."),
    _info("registration_status", "Registration", "P4921", "P4922",
          "Registered or Not Registered: Twilio's last answer to the port's REGISTER."),
]}

PASSWORD_PVALUES = frozenset(p for port in PORT_SETTINGS["password"].pvalues for p in port)

DEFAULT_LOCAL_PORTS: dict[int, tuple[int, int]] = {1: (5060, 5004), 2: (5062, 5012)}
"""FXS port -> (Local SIP Port P40/P740, Local RTP Port P39/P739) the device uses by default."""
_DEFAULT_PORTS = DEFAULT_LOCAL_PORTS

# A factory-fresh unit, by setting name, as FxsPort/HT80xConfig values ({port: value} where the two FXS
# ports differ): the defaults of Grandstream's "Configuration template for HT80x firmware 1.0.19.11"
# (config-template.zip, https://www.grandstream.com/sites/default/files/Resources/config-template.zip),
# except two that HT802V2 units are reported to ship otherwise (github.com/fishing-dev-sm/agent_phone,
# docs/ht802v2-firmware.md): Account Active off, which gives a busy tone off-hook, and Use Random SIP Port on.
FACTORY_DEFAULTS: dict[str, Any] = {
    "account_active": False, "user_id": "", "auth_id": "", "password": "", "display_name": "",
    "contact_uses_wan": False, "check_user_id_on_invite": False, "dial_plan_prefix": "", "registration": True,
    "register_expiration_min": 60, "nat_traversal": "no", "use_nat_ip": "", "transport": "UDP",
    "outbound_proxy": "", "vocoders": tuple(VOCODERS), "dtmf_methods": ("RFC2833", "SIP INFO", "in-audio"),
    "dtmf_payload_type": 101,
    "local_sip_port": {port: sip for port, (sip, _rtp) in DEFAULT_LOCAL_PORTS.items()},
    "local_rtp_port": {port: rtp for port, (_sip, rtp) in DEFAULT_LOCAL_PORTS.items()},
    "random_sip_port": True, "random_rtp_port": False,
    "sip_server": "", "stun_server": "", "keep_alive_interval": 20,
}

# The web interface's limits on a factory-fresh unit (same template), which the settings above do not
# describe: session timeout P28116 (minutes), login attempts before lockout P28117, lockout P1683 (minutes).
FACTORY_WEB_PVALUES: dict[str, str] = {"P28116": "10", "P28117": "5", "P1683": "15"}


def factory_pvalues(ports: int) -> dict[str, str]:
    """The P-values of FACTORY_DEFAULTS and FACTORY_WEB_PVALUES on a unit with `ports` FXS ports
    (1: HT801, 2: HT802), each coded as the device stores it."""
    values = dict(FACTORY_WEB_PVALUES)
    for name, default in FACTORY_DEFAULTS.items():
        info = setting(name)
        for port in range(1, ports + 1):
            value = default[port] if isinstance(default, dict) else default
            values.update(zip(info.pvalues_for(port), info.encode(value), strict=True))
    return values


def fxs_port_of(sip_port: int | None) -> int | None:
    """The FXS port (1, 2) whose default Local SIP Port is `sip_port` (5060, 5062), else None."""
    for number, (sip, _rtp) in DEFAULT_LOCAL_PORTS.items():
        if sip_port == sip:
            return number
    return None


def setting(name: str) -> SettingInfo:
    """The metadata (label, P-values, wording, why) of any setting the course knows, by Python name.

    Looks in PORT_SETTINGS, DEVICE_SETTINGS, REFERENCE_SETTINGS and STATUS_SETTINGS, in that order.
    Raises KeyError for an unknown name.
    """
    for table in (PORT_SETTINGS, DEVICE_SETTINGS, REFERENCE_SETTINGS, STATUS_SETTINGS):
        if name in table:
            return table[name]
    raise KeyError(f"no setting named {name!r}")


# -- validation helpers -----------------------------------------------------------------------

def _check_host(name: str, value: str, port: int | None, required: bool) -> str:
    value = (value or "").strip()
    if not value:
        if required:
            raise SettingError(name, "is required (a host name, optionally :port)", value, port)
        return ""
    if "://" in value or value.lower().startswith(("sip:", "sips:")):
        raise SettingError(name, "give the host name only, no scheme such as sip: or http://", value, port)
    host, _, number = value.partition(":")
    if number and (not number.isdigit() or not 1 <= int(number) <= 65535):
        raise SettingError(name, "port after ':' must be a number from 1 to 65535", value, port)
    if not _HOST.match(host):
        try:
            ipaddress.IPv4Address(host)
        except ValueError:
            raise SettingError(name, "must be a host name or IPv4 address, optionally :port "
                                     "(no scheme such as sip: or http://)", value, port) from None
    return value.lower() if not number else f"{host.lower()}:{number}"


def _check_text(name: str, value: Any, port: int | None, printable_only: bool = True) -> str:
    if not isinstance(value, str):
        raise SettingError(name, "must be text", value, port)
    if printable_only and control_characters(value):
        raise SettingError(name, "must not contain control characters or line breaks", value, port)
    return value


def _check_bool(name: str, value: Any, port: int | None) -> bool:
    if isinstance(value, bool):
        return value
    if value in (0, 1):
        return bool(value)
    raise SettingError(name, "must be True or False", value, port)


def _check_int(name: str, value: Any, low: int, high: int, port: int | None, even: bool = False) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise SettingError(name, f"must be a whole number from {low} to {high}", value, port)
    try:
        number = int(value)
    except ValueError:
        raise SettingError(name, f"must be a whole number from {low} to {high}", value, port) from None
    if not low <= number <= high:
        raise SettingError(name, f"must be from {low} to {high}", value, port)
    if even and number % 2:
        raise SettingError(name, "must be an even number (RTP uses the even port, RTCP the next)", value, port)
    return number


def _check_choice(name: str, value: Any, table: dict[str, str], port: int | None) -> str:
    lookup = {key.lower(): key for key in table}
    lookup.update({"keepalive": "keep-alive", "keep_alive": "keep-alive"} if "keep-alive" in table else {})
    key = lookup.get(str(value).strip().lower()) if isinstance(value, str) else None
    if key is None:
        raise SettingError(name, f"must be one of {', '.join(table)}", value, port)
    return key


def _check_order(name: str, value: Any, table: dict[str, str], port: int) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise SettingError(name, f"must be a list of names from {', '.join(table)}", value, port)
    chosen = tuple(_check_choice(name, item, table, port) for item in value)
    if not chosen:
        raise SettingError(name, "needs at least one entry", value, port)
    if len(set(chosen)) != len(chosen):
        raise SettingError(name, "lists an entry twice", value, port)
    return chosen + tuple(key for key in table if key not in chosen)


@dataclass(frozen=True)
class FxsPort:
    """One FXS (phone) port's SIP account and call settings; defaults are the Twilio recommendations.

    An empty `auth_id` means "same as user_id". An empty `password` is left out of files and
    device writes, so the password already on the device stays. Labels and P-values are those of
    Grandstream's HT801/HT802 Administration Guide (FXS PORT page). Raises SettingError (a
    ValidationError) naming the setting's label and P-value when a field breaks its rule.
    """

    user_id: str = ""
    auth_id: str = ""
    password: str = field(default="", repr=False)
    display_name: str = ""
    account_active: bool = True
    contact_uses_wan: bool = True
    check_user_id_on_invite: bool = True
    dial_plan_prefix: str = "+"
    registration: bool = True
    register_expiration_min: int = 60
    nat_traversal: str = "keep-alive"
    use_nat_ip: str = ""
    transport: str = "UDP"
    outbound_proxy: str = ""
    vocoders: tuple[str, ...] = ("PCMU", "PCMA")
    dtmf_methods: tuple[str, ...] = ("RFC2833", "SIP INFO", "in-audio")
    dtmf_payload_type: int = 101
    local_sip_port: int | None = None
    local_rtp_port: int | None = None
    random_sip_port: bool = False
    random_rtp_port: bool = False

    def __post_init__(self) -> None:
        self._validate(port=None)

    def _validate(self, port: int | None) -> None:
        """Check and normalise every field; `port` (1, 2) only sharpens the messages."""
        put = object.__setattr__
        for name in ("user_id", "auth_id", "password", "display_name"):
            _check_text(name, getattr(self, name), port)
        for name in ("user_id", "auth_id"):
            value = getattr(self, name).strip()
            if value and not _SIP_USER.match(value):
                raise SettingError(name, "must be the user part of a SIP address: letters, digits and "
                                         "- _ . + ! ~ * ' ( ) & = $ , ; ? / %, no spaces, @, : or < >", value, port)
            put(self, name, value)
        if not self.auth_id:
            put(self, "auth_id", self.user_id)
        password_info = PORT_SETTINGS["password"]
        if self.password and password_info.accepts and not password_info.accepts(self.password):
            raise SettingError("password", f"must be {password_info.rule}", None, port)
        if (self.account_active and self.registration) and not self.user_id:
            raise SettingError("user_id", "is required while the account is active and registers "
                                          "(use the Twilio credential's username)", self.user_id, port)
        for name in ("account_active", "contact_uses_wan", "check_user_id_on_invite", "registration",
                     "random_sip_port", "random_rtp_port"):
            put(self, name, _check_bool(name, getattr(self, name), port))
        if not isinstance(self.dial_plan_prefix, str) or not _PREFIX.match(self.dial_plan_prefix):
            raise SettingError("dial_plan_prefix", "may hold up to 16 of 0-9 + * #", self.dial_plan_prefix, port)
        put(self, "register_expiration_min",
            _check_int("register_expiration_min", self.register_expiration_min, 1, 64800, port))
        put(self, "nat_traversal", _check_choice("nat_traversal", self.nat_traversal, NAT_TRAVERSAL, port))
        put(self, "transport", _check_choice("transport", self.transport, TRANSPORTS, port))
        nat_ip = (self.use_nat_ip or "").strip()
        if nat_ip:
            try:
                ipaddress.IPv4Address(nat_ip)
            except ValueError:
                raise SettingError("use_nat_ip", "must be an IPv4 address or empty", nat_ip, port) from None
        put(self, "use_nat_ip", nat_ip)
        put(self, "outbound_proxy", _check_host("outbound_proxy", self.outbound_proxy, port, required=False))
        put(self, "vocoders", _check_order("vocoders", self.vocoders, VOCODERS, port or 1))
        put(self, "dtmf_methods", _check_order("dtmf_methods", self.dtmf_methods, DTMF_METHODS, port or 1))
        put(self, "dtmf_payload_type", _check_int("dtmf_payload_type", self.dtmf_payload_type, 96, 127, port))
        if self.local_sip_port is not None:
            put(self, "local_sip_port", _check_int("local_sip_port", self.local_sip_port, 1, 65535, port))
        if self.local_rtp_port is not None:
            put(self, "local_rtp_port",
                _check_int("local_rtp_port", self.local_rtp_port, 1024, 65535, port, even=True))

    def __repr__(self) -> str:
        shown = ", ".join(
            f"{f.name}={MASK!r}" if f.name == "password" and self.password else f"{f.name}={getattr(self, f.name)!r}"
            for f in fields(self) if f.name != "password" or self.password
        )
        return f"FxsPort({shown})"

    def to_pvalues(self, port: int) -> dict[str, str]:
        """This port's P-values for FXS port `port` (1 or 2); an empty password is left out."""
        out: dict[str, str] = {}
        for name, info in PORT_SETTINGS.items():
            value = getattr(self, name)
            if name == "password" and not value:
                continue
            if value is None:
                value = _DEFAULT_PORTS[port][0 if name == "local_sip_port" else 1]
            out.update(zip(info.pvalues_for(port), info.encode(value), strict=True))
        return out

    @classmethod
    def from_pvalues(cls, pvalues: dict[str, str], port: int) -> "FxsPort":
        """The port `port` settings found in `pvalues`; missing P-values keep their defaults."""
        kwargs: dict[str, Any] = {}
        for name, info in PORT_SETTINGS.items():
            keys = info.pvalues_for(port)
            if not all(k in pvalues for k in keys):
                continue
            raw = [str(pvalues[k]) for k in keys]
            try:
                kwargs[name] = info.decode(raw)
            except ValueError as exc:
                raise SettingError(name, f"the file holds a value the device does not define ({exc})",
                                   raw if name != "password" else None, port) from None
        try:
            return cls(**kwargs)
        except SettingError as exc:
            raise SettingError(exc.field, exc.rule, exc.value, port) from None


@dataclass(frozen=True)
class HT80xConfig:
    """The whole ATA: model, SIP server (the Twilio domain) and one FxsPort per phone port used.

    `to_pvalues()` gives the device's P-values, `to_xml(mac=…)` the provisioning file, and
    `preview()` the same file with passwords masked for showing to people. Raises SettingError
    for an unknown model, a SIP server that is not a host name, or the wrong number of ports.
    """

    model: str = "HT801"
    sip_server: str = ""
    ports: Sequence[FxsPort] = (FxsPort(account_active=False),)  # kept as a tuple
    stun_server: str = ""
    keep_alive_interval: int = 20

    def __post_init__(self) -> None:
        put = object.__setattr__
        model = str(self.model).strip().upper() if isinstance(self.model, str) else ""
        if model.endswith("V2"):
            model = model[:-2]
        if model not in MODELS:
            raise SettingError("model", "must be HT801 (one phone port) or HT802 (two)", self.model)
        put(self, "model", model)
        put(self, "sip_server", _check_host("sip_server", self.sip_server, None, required=True))
        put(self, "stun_server", _check_host("stun_server", self.stun_server, None, required=False))
        put(self, "keep_alive_interval", _check_int("keep_alive_interval", self.keep_alive_interval, 10, 160, None))
        ports = self.ports
        if isinstance(ports, FxsPort) or not isinstance(ports, Iterable):
            raise SettingError("ports", "must be a list of FxsPort, one per phone port", ports)
        ports = tuple(ports)
        if not all(isinstance(p, FxsPort) for p in ports):
            raise SettingError("ports", "every entry must be an FxsPort", ports)
        limit = MODELS[model]
        if not 1 <= len(ports) <= limit:
            rule = ("an HT801 has one phone port: give exactly one FxsPort" if limit == 1
                    else "an HT802 has two phone ports: give one or two FxsPort")
            raise SettingError("ports", rule, len(ports))
        resolved = []
        for number, port in enumerate(ports, start=1):
            sip, rtp = _DEFAULT_PORTS[number]
            port = replace(port, local_sip_port=port.local_sip_port or sip,
                           local_rtp_port=port.local_rtp_port or rtp)
            port._validate(number)
            resolved.append(port)
        if len(resolved) == 2:
            if resolved[0].local_sip_port == resolved[1].local_sip_port:
                raise SettingError("local_sip_port", "ports 1 and 2 must use different local SIP ports",
                                   resolved[1].local_sip_port, 2)
            a, b = resolved[0].local_rtp_port or 0, resolved[1].local_rtp_port or 0
            if abs(a - b) < 4:
                raise SettingError("local_rtp_port", "ports 1 and 2 need RTP ports at least 4 apart",
                                   b, 2)
        put(self, "ports", tuple(resolved))

    def to_pvalues(self) -> dict[str, str]:
        """Every P-value this configuration sets, in a stable order (device-wide first)."""
        out: dict[str, str] = {DEVICE_SETTINGS["stun_server"].pvalue(): self.stun_server,
                               DEVICE_SETTINGS["keep_alive_interval"].pvalue(): str(self.keep_alive_interval)}
        for number, port in enumerate(self.ports, start=1):
            out[DEVICE_SETTINGS["sip_server"].pvalue(number)] = self.sip_server
            out.update(port.to_pvalues(number))
        return out

    @classmethod
    def from_pvalues(cls, pvalues: dict[str, str], model: str | None = None) -> "HT80xConfig":
        """Rebuild a configuration from P-values (a provisioning file or a device read)."""
        server_info = DEVICE_SETTINGS["sip_server"]
        has_port2 = any(setting(name).pvalue(2) in pvalues for name in ("user_id", "sip_server", "account_active"))
        model = model or ("HT802" if has_port2 else "HT801")
        count = 2 if (has_port2 and str(model).upper().startswith("HT802")) else 1
        server = str(pvalues.get(server_info.pvalue(1), ""))
        other = str(pvalues.get(server_info.pvalue(2), ""))
        if count == 2 and other and other != server:
            raise SettingError("sip_server", f"ports use different servers ({server_info.pvalue(1)} {server!r}, "
                                             f"{server_info.pvalue(2)} {other!r}); "
                                             "this model keeps one server for both ports")
        kwargs: dict[str, Any] = {"model": model, "sip_server": server or other,
                                  "ports": tuple(FxsPort.from_pvalues(pvalues, n) for n in range(1, count + 1))}
        for name in ("stun_server", "keep_alive_interval"):
            key = DEVICE_SETTINGS[name].pvalue()
            if key in pvalues:
                kwargs[name] = str(pvalues[key]) if name == "stun_server" else pvalues[key]
        return cls(**kwargs)

    def settings_frame(self) -> "pd.DataFrame":
        """settings_table() as a DataFrame (port, label, pvalue, value, why) for notebooks."""
        import pandas as pd

        return pd.DataFrame(self.settings_table())[["port", "label", "pvalue", "value", "why"]]

    def settings_table(self) -> list[dict[str, str]]:
        """One row per port setting: port, name, label, P-value(s), value (password masked), why."""
        rows = []
        for number, port in enumerate(self.ports, start=1):
            for name, info in {"sip_server": DEVICE_SETTINGS["sip_server"], **PORT_SETTINGS}.items():
                value = self.sip_server if name == "sip_server" else getattr(port, name)
                if info.secret:
                    value = MASK if value else "(not set: kept on the device)"
                elif isinstance(value, tuple):
                    value = ", ".join(value)
                rows.append({"port": str(number), "setting": name, "label": info.label,
                             "pvalue": "/".join(info.pvalues_for(number)), "value": str(value), "why": info.why})
        return rows

    def to_xml(self, mac: str | None = None) -> str:
        """The `cfg<mac>.xml` provisioning file text (see provisioning_file.config_xml)."""
        from .provisioning_file import config_xml

        return config_xml(self.to_pvalues(), mac=mac)

    def preview(self, mac: str | None = None) -> str:
        """The provisioning file as shown to people: every password replaced by ••••."""
        from .provisioning_file import config_xml

        return config_xml(self.to_pvalues(), mac=mac, mask_secrets=True)

    def filename(self, mac: str) -> str:
        """The file name the device asks for: `cfg` + 12 lowercase hex digits + `.xml`."""
        from .provisioning_file import config_filename

        return config_filename(mac)

    def save(self, folder: str, mac: str) -> "Any":
        """Write `cfg<mac>.xml` into `folder` with 0600 permissions; returns its Path."""
        from .provisioning_file import write_config_file

        return write_config_file(self, folder, mac)

    @classmethod
    def from_xml(cls, text: str, model: str | None = None) -> "HT80xConfig":
        """Read a `<gs_provision>` file back into a configuration (the round trip of to_xml)."""
        from .provisioning_file import parse_config_xml

        _mac, pvalues = parse_config_xml(text)
        return cls.from_pvalues(pvalues, model=model)


def nat_settings_table() -> "pd.DataFrame":
    """The NAT-related settings: label, P-value on FXS1 and FXS2, and why each matters."""
    import pandas as pd

    nat = [info for info in [*PORT_SETTINGS.values(), *DEVICE_SETTINGS.values()] if info.nat]
    return pd.DataFrame({"setting": [i.label for i in nat], "FXS1": ["/".join(i.pvalues_for(1)) for i in nat],
                         "FXS2": ["/".join(i.pvalues_for(2)) for i in nat], "why": [i.why for i in nat]})
