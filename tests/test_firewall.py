"""Twilio's address ranges (against the reference) and every rule renderer's output.

nftables and iptables output is loaded by the real tools when they are installed: `nft -c -f`
and `iptables-restore --test` check the syntax, and where a private network namespace can be made
(`unshare -n`, needs root) the rules are applied for real and read back. The other formats are
parsed line by line against their grammar.
"""

from __future__ import annotations

import html
import ipaddress
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import ata_helpers as ata
from ata_helpers import firewall as fw
from ata_helpers.errors import ValidationError

# /work/shared/reference/twilio.md §4, copied by hand: the test fails if the data file drifts.
REFERENCE_SIGNALLING = [
    ("ashburn", "us1", "North America Virginia", "54.172.60.0/30"),
    ("umatilla", "us2", "North America Oregon", "54.244.51.0/30"),
    ("dublin", "ie1", "Europe Ireland", "54.171.127.192/30"),
    ("frankfurt", "de1", "Europe Frankfurt", "35.156.191.128/30"),
    ("tokyo", "jp1", "Asia Pacific Tokyo", "54.65.63.192/30"),
    ("singapore", "sg1", "Asia Pacific Singapore", "54.169.127.128/30"),
    ("sydney", "au1", "Asia Pacific Sydney", "54.252.254.64/30"),
    ("sao-paulo", "br1", "South America São Paulo", "177.71.206.192/30"),
]
REFERENCE_SIGNALLING_SERVICES = [("UDP", "5060"), ("TCP", "5060"), ("TLS", "5061")]
REFERENCE_MEDIA = ("168.86.128.0/18", "UDP", "10000-60000")
TWILIO_PAGE = "https://www.twilio.com/docs/sip-trunking/ip-addresses"
ATA = "192.168.1.50"
ALL_CIDRS = [row[3] for row in REFERENCE_SIGNALLING]
EDGE_CHOICES = [None, ["dublin"], ["us1", "sydney"]]


# --- the ranges -------------------------------------------------------------------------------

def test_signalling_ranges_equal_the_reference_exactly() -> None:
    frame = ata.twilio_ip_ranges()
    signalling = frame[frame["purpose"] == "signalling"]
    per_range = signalling.drop_duplicates("cidr")
    assert list(per_range[["edge", "legacy_name", "location", "cidr"]].itertuples(index=False, name=None)) \
        == REFERENCE_SIGNALLING
    for cidr, group in signalling.groupby("cidr", sort=False):
        assert list(group[["protocol", "ports"]].itertuples(index=False, name=None)) \
            == REFERENCE_SIGNALLING_SERVICES, cidr


def test_media_range_equals_the_reference_exactly() -> None:
    frame = ata.twilio_ip_ranges()
    media = frame[frame["purpose"] == "media"]
    assert list(media[["cidr", "protocol", "ports"]].itertuples(index=False, name=None)) == [REFERENCE_MEDIA]
    assert len(frame) == 8 * 3 + 1


def test_columns_source_and_date_checked() -> None:
    frame = ata.twilio_ip_ranges()
    assert list(frame.columns) == ["edge", "legacy_name", "location", "purpose", "cidr", "protocol",
                                   "ports", "source", "checked"]
    assert set(frame["source"]) == {TWILIO_PAGE}
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", d) for d in frame["checked"])
    assert frame.attrs["source"] == [TWILIO_PAGE]
    assert frame.attrs["checked"] == max(frame["checked"])


def test_data_file_holds_one_line_per_range() -> None:
    path = Path(fw.__file__).parent / "data" / "twilio_ip_ranges.csv"
    lines = path.read_text("utf-8").splitlines()
    assert len(lines) == 1 + 9
    for cidr, *_ in [(row[3],) for row in REFERENCE_SIGNALLING] + [(REFERENCE_MEDIA[0],)]:
        assert sum(cidr in line for line in lines) == 1, cidr


def test_edges_filter_signalling_and_keep_media() -> None:
    frame = ata.twilio_ip_ranges(["de1", "tokyo"])
    assert sorted(set(frame.loc[frame["purpose"] == "signalling", "edge"])) == ["frankfurt", "tokyo"]
    assert REFERENCE_MEDIA[0] in set(frame["cidr"])


def test_edge_names_and_legacy_aliases() -> None:
    assert fw.EDGES == tuple(row[0] for row in REFERENCE_SIGNALLING)
    assert fw.LEGACY_EDGE_NAMES == {row[1]: row[0] for row in REFERENCE_SIGNALLING}
    assert fw.normalize_edges(["SYDNEY", "us1", "ashburn"]) == ("ashburn", "sydney")
    assert fw.normalize_edges("br1") == ("sao-paulo",)
    assert fw.normalize_edges(None) == fw.EDGES


# --- validation -------------------------------------------------------------------------------

def test_unknown_format_names_the_allowed_ones() -> None:
    with pytest.raises(ValidationError) as info:
        ata.firewall_rules("cisco")
    assert info.value.field == "fmt"
    for name in fw.FORMATS:
        assert name in info.value.rule
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize("edges", [["london"], "us3", [], ["dublin", 5]])
def test_bad_edges_are_refused(edges: object) -> None:
    with pytest.raises(ValidationError) as info:
        ata.firewall_rules("nftables", edges=edges)  # type: ignore[arg-type]
    assert info.value.field == "edges"
    assert "ashburn" in info.value.rule and "us1" in info.value.rule


@pytest.mark.parametrize("address", ["192.168.1.300", "ata.local", "8.8.8.8", "169.254.1.2",
                                     "127.0.0.1", "0.0.0.0", "fd00::5", "224.0.0.1",
                                     "203.0.113.7", "100.64.0.9", "172.32.0.1"])  # TEST-NET, CGNAT: not RFC 1918
def test_bad_ata_addresses_are_refused(address: str) -> None:
    with pytest.raises(ValidationError) as info:
        ata.firewall_rules("iptables", ata_ip=address)
    assert info.value.field == "ata_ip"


@pytest.mark.parametrize("address", ["10.1.2.3", "172.16.0.9", " 192.168.0.20 "])
def test_private_ata_addresses_are_accepted(address: str) -> None:
    assert ata.firewall_rules("table", ata_ip=address).ata_ip == address.strip()


@pytest.mark.parametrize("ports", ["5004-", "6000-5000", (0, 10), "70000", "a-b"])
def test_bad_rtp_ports_are_refused(ports: object) -> None:
    with pytest.raises(ValidationError) as info:
        ata.firewall_rules("nftables", ata_ip=ATA, rtp_ports=ports)  # type: ignore[arg-type]
    assert info.value.field == "rtp_ports"


def test_format_is_checked_before_edges_and_address() -> None:
    with pytest.raises(ValidationError) as info:
        ata.firewall_rules("bogus", edges=["nowhere"], ata_ip="x")
    assert info.value.field == "fmt"


# --- the rule set, whatever the syntax ------------------------------------------------------------

def test_rule_set_without_and_with_the_ata_address() -> None:
    without = ata.firewall_rules("table")
    assert [r.action for r in without.rules].count("port-forward") == 0
    with_ata = ata.firewall_rules("table", ata_ip=ATA, rtp_ports="5004-5005")
    forward = [r for r in with_ata.rules if r.action == "port-forward"]
    assert len(forward) == 1
    assert (forward[0].to_host, forward[0].dport, forward[0].sport) == (ATA, (5004, 5005), (10000, 60000))
    assert forward[0].src_set == "twilio_media"
    outbound = [r for r in with_ata.rules if r.direction == "outbound"]
    assert {(r.protocol, r.dport) for r in outbound} == {("udp", (5060, 5060)), ("tcp", (5060, 5061)),
                                                         ("udp", (10000, 60000))}
    assert all(r.src_host == ATA for r in outbound)
    assert any(r.established for r in with_ata.rules)


def test_every_format_returns_text_note_and_table() -> None:
    for fmt in fw.FORMATS:
        rules = ata.firewall_rules(fmt, ata_ip=ATA)
        assert str(rules) == rules.text and rules.text.endswith("\n")
        assert "SIP ALG" in rules.note
        assert list(rules.table.columns) == ["rule", "type", "protocol", "source", "source_ports",
                                             "destination", "destination_ports", "forward_to"]
        page = rules._repr_html_()
        assert "SIP ALG" in page
        if fmt != "table":
            assert f"<pre>{html.escape(rules.text)}</pre>" in page


def test_sip_alg_note_is_specific_to_the_router() -> None:
    assert "/ip firewall service-port set sip disabled=yes" in fw.sip_alg_note("mikrotik")
    assert "nf_conntrack_sip" in fw.sip_alg_note("nftables")
    assert "auto_helper" in fw.sip_alg_note("openwrt")
    assert "Static Port" in fw.sip_alg_note("pfsense")


def test_narrowed_edges_warn_about_failover() -> None:
    assert "failover" in ata.firewall_rules("nftables", edges=["us2"]).text
    assert "failover" not in ata.firewall_rules("nftables").text


@pytest.mark.parametrize("fmt", ["nftables", "iptables", "pfsense", "openwrt", "mikrotik", "table"])
@pytest.mark.parametrize("edges", EDGE_CHOICES)
def test_only_the_chosen_signalling_ranges_appear(fmt: str, edges: list[str] | None) -> None:
    rules = ata.firewall_rules(fmt, edges=edges, ata_ip=ATA)
    chosen = fw.normalize_edges(edges)
    for edge, _, _, cidr in REFERENCE_SIGNALLING:
        assert (cidr in rules.text) == (edge in chosen), (edge, cidr)
    assert REFERENCE_MEDIA[0] in rules.text


# --- nftables and iptables: loaded by the real tools ------------------------------------------------

def _needs_privilege(result: subprocess.CompletedProcess[str]) -> bool:
    text = result.stderr + result.stdout
    return result.returncode != 0 and ("Operation not permitted" in text or "Permission denied" in text)


def _checker(tool: str, args: list[str], sample: str) -> list[str] | None:
    """How to run a syntax check here: plain, or in a user namespace when plain lacks privilege."""
    if not shutil.which(tool):
        return None
    for prefix in ([], ["unshare", "-rn"]):
        if prefix and not shutil.which("unshare"):
            continue
        result = subprocess.run([*prefix, tool, *args], input=sample, capture_output=True, text=True)
        if result.returncode == 0:
            return [*prefix, tool, *args]
        if not _needs_privilege(result):
            return [*prefix, tool, *args]
    return None


_NFT_SAMPLE = "table inet t {\n\tchain c {\n\t\tudp dport 5060 accept\n\t}\n}\n"
_IPT_SAMPLE = "*filter\n-A FORWARD -p udp --dport 5060 -j ACCEPT\nCOMMIT\n"
NFT_CHECK = _checker("nft", ["-c", "-f", "-"], _NFT_SAMPLE)
IPT_CHECK = _checker("iptables-restore", ["--test"], _IPT_SAMPLE)
IPT_LEGACY_CHECK = _checker("iptables-legacy-restore", ["--test"], _IPT_SAMPLE)
needs_nft = pytest.mark.skipif(NFT_CHECK is None, reason="nft not installed or not permitted here")
needs_ipt = pytest.mark.skipif(IPT_CHECK is None,
                               reason="iptables-restore not installed or not permitted here")


def _can_make_netns() -> bool:
    if not shutil.which("unshare"):
        return False
    return subprocess.run(["unshare", "-n", "true"], capture_output=True).returncode == 0


NETNS = _can_make_netns()
needs_netns = pytest.mark.skipif(not NETNS, reason="cannot create a network namespace (unshare -n needs root)")


def _run(command: list[str], text: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, input=text, capture_output=True, text=True)


@needs_nft
@pytest.mark.parametrize("ata_ip", [None, ATA])
@pytest.mark.parametrize("edges", EDGE_CHOICES)
def test_nftables_output_passes_nft_check(edges: list[str] | None, ata_ip: str | None) -> None:
    assert NFT_CHECK is not None
    rules = ata.firewall_rules("nftables", edges=edges, ata_ip=ata_ip)
    result = _run(NFT_CHECK, rules.text)
    assert result.returncode == 0, result.stderr


@needs_nft
def test_nft_check_rejects_a_broken_rule() -> None:
    """The check above can fail: one bad prefix length and nft refuses the file."""
    assert NFT_CHECK is not None
    broken = ata.firewall_rules("nftables", ata_ip=ATA).text.replace("168.86.128.0/18", "168.86.128.0/33")
    assert _run(NFT_CHECK, broken).returncode != 0


@needs_ipt
@pytest.mark.parametrize("ata_ip", [None, ATA])
@pytest.mark.parametrize("edges", EDGE_CHOICES)
def test_iptables_output_passes_iptables_restore_test(edges: list[str] | None, ata_ip: str | None) -> None:
    assert IPT_CHECK is not None
    rules = ata.firewall_rules("iptables", edges=edges, ata_ip=ata_ip)
    for check in filter(None, [IPT_CHECK, IPT_LEGACY_CHECK]):
        result = _run(check, rules.text)
        assert result.returncode == 0, (check, result.stderr)


@needs_ipt
def test_iptables_restore_test_rejects_a_broken_rule() -> None:
    assert IPT_CHECK is not None
    broken = ata.firewall_rules("iptables", ata_ip=ATA).text.replace("--dport 5060 ", "--dportx 5060 ")
    assert _run(IPT_CHECK, broken).returncode != 0


@needs_nft
@needs_netns
def test_nftables_rules_apply_and_keep_an_existing_drop_policy(tmp_path: Path) -> None:
    """Loaded for real in a private namespace on top of a Debian-style ruleset with policy drop."""
    base = "table inet filter {\n\tchain forward {\n\t\ttype filter hook forward priority filter; policy drop;\n\t}\n}\n"
    rules = ata.firewall_rules("nftables", edges=["us1", "dublin"], ata_ip=ATA)
    script = ("set -e\ncat > base.nft <<'EOF'\n" + base + "EOF\ncat > twilio.nft <<'EOF'\n" + rules.text
              + "EOF\nnft -f base.nft\nnft -f twilio.nft\nnft list ruleset\n")
    result = subprocess.run(["unshare", "-n", "sh", "-c", script], capture_output=True, text=True,
                            cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    listing = result.stdout
    assert "policy drop;" in listing
    sets = dict(re.findall(r"set (\w+) \{.*?elements = \{ ([^}]*) \}", listing, re.S))
    assert {name: set(value.split(", ")) for name, value in sets.items()} == {
        "twilio_signalling": {"54.172.60.0/30", "54.171.127.192/30"}, "twilio_media": {REFERENCE_MEDIA[0]}}
    assert f"dnat to {ATA}" in listing
    assert listing.count(" accept comment ") == 5


@needs_ipt
@needs_netns
def test_iptables_rules_apply_on_top_and_keep_existing_rules(tmp_path: Path) -> None:
    rules = ata.firewall_rules("iptables", edges=["sydney"], ata_ip=ATA)
    script = ("set -e\niptables -P FORWARD DROP\niptables -A FORWARD -j DROP\n"
              "cat > twilio.rules <<'EOF'\n" + rules.text + "EOF\n"
              "iptables-restore --noflush twilio.rules\niptables -S FORWARD\niptables -t nat -S PREROUTING\n")
    result = subprocess.run(["unshare", "-n", "sh", "-c", script], capture_output=True, text=True,
                            cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "-P FORWARD DROP"
    assert lines[1].startswith("-A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED")
    forward = [line for line in lines if line.startswith("-A FORWARD")]
    assert forward[-1] == "-A FORWARD -j DROP"
    assert len(forward) == 1 + 1 + 2 + 1 + 1
    assert any(f"-j DNAT --to-destination {ATA}" in line for line in lines)


# --- the other formats: parsed against their grammar ----------------------------------------------

def _is_network(text: str) -> bool:
    try:
        ipaddress.IPv4Network(text)
    except ValueError:
        return False
    return True


def _is_port_range(text: str, sep: str = "-") -> bool:
    parts = text.split(sep)
    if len(parts) not in (1, 2) or not all(p.isdigit() for p in parts):
        return False
    numbers = [int(p) for p in parts]
    return all(1 <= n <= 65535 for n in numbers) and numbers == sorted(numbers)


_UCI_OPTIONS = {
    "rule": {"name", "src", "dest", "proto", "family", "src_ip", "src_port", "dest_ip", "dest_port", "target"},
    "redirect": {"name", "src", "dest", "proto", "src_ip", "src_port", "src_dport", "dest_ip", "dest_port",
                 "target"},
}


def _parse_uci(text: str) -> dict[str, dict[str, list[str]]]:
    """Parse the uci batch: every line must be a known command, quoting must balance."""
    sections: dict[str, dict[str, list[str]]] = {}
    kinds: dict[str, str] = {}
    committed = False
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        words = shlex.split(line)
        if words == ["uci", "commit", "firewall"]:
            committed = True
            continue
        if words == ["/etc/init.d/firewall", "reload"]:
            assert committed, "reload before commit"
            continue
        if words[:3] == ["uci", "-q", "delete"]:
            assert len(words) == 4 and re.fullmatch(r"firewall\.[a-z_]+", words[3]), line
            continue
        assert words[0] == "uci" and words[1] in ("set", "add_list") and len(words) == 3, line
        match = re.fullmatch(r"firewall\.([a-z_]+)(?:\.([a-z_]+))?=(.*)", words[2], re.S)
        assert match, line
        section, option, value = match.groups()
        if option is None:
            assert words[1] == "set" and value in _UCI_OPTIONS, line
            kinds[section] = value
            sections[section] = {}
            continue
        assert section in kinds, f"option before section: {line}"
        assert option in _UCI_OPTIONS[kinds[section]], line
        sections[section].setdefault(option, []).append(value)
        if words[1] == "set":
            assert len(sections[section][option]) == 1, f"set twice: {line}"
    assert committed
    return {name: {"_type": [kinds[name]], **options} for name, options in sections.items()}


@pytest.mark.parametrize("ata_ip", [None, ATA])
@pytest.mark.parametrize("edges", EDGE_CHOICES)
def test_openwrt_output_parses_as_uci(edges: list[str] | None, ata_ip: str | None) -> None:
    rules = ata.firewall_rules("openwrt", edges=edges, ata_ip=ata_ip)
    sections = _parse_uci(rules.text)
    for name, options in sections.items():
        for key in ("src_ip", "dest_ip"):
            assert all(_is_network(v) for v in options.get(key, [])), (name, key)
        for key in ("src_port", "dest_port", "src_dport"):
            assert all(_is_port_range(v) for v in options.get(key, [])), (name, key)
        assert options["proto"][0] in ("udp", "tcp")
        assert {options["src"][0], options["dest"][0]} == {"lan", "wan"}
        assert options["target"] == (["DNAT"] if options["_type"] == ["redirect"] else ["ACCEPT"])
    redirects = [o for o in sections.values() if o["_type"] == ["redirect"]]
    if ata_ip:
        assert len(redirects) == 1
        assert redirects[0]["dest_ip"] == [ATA] and redirects[0]["src_ip"] == [REFERENCE_MEDIA[0]]
        assert redirects[0]["src_dport"] == ["5004-5013"] and redirects[0]["src_port"] == ["10000-60000"]
    else:
        assert redirects == []
    expected = [c for e, _, _, c in REFERENCE_SIGNALLING if e in fw.normalize_edges(edges)]
    assert sections["twilio_sip_udp_out"]["dest_ip"] == expected


def test_uci_parser_rejects_bad_lines() -> None:
    with pytest.raises(AssertionError):
        _parse_uci("uci set firewall.x=rule\nuci set firewall.x.bogus='1'\nuci commit firewall\n")
    with pytest.raises(ValueError):
        _parse_uci("uci set firewall.x.name='unbalanced\n")


_ROS_KEYS = {
    "/ip firewall address-list": {"list", "address", "comment"},
    "/ip firewall filter": {"chain", "action", "protocol", "src-address", "src-address-list", "dst-address",
                            "dst-address-list", "src-port", "dst-port", "connection-state", "comment"},
    "/ip firewall nat": {"chain", "action", "protocol", "src-address-list", "src-port", "dst-port",
                         "to-addresses", "comment"},
}


def _parse_routeros(text: str) -> dict[str, list[dict[str, str]]]:
    """Parse the RouterOS script: menu lines, then `add key=value` lines with known keys."""
    menus: dict[str, list[dict[str, str]]] = {}
    menu = None
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        if line.startswith("/"):
            assert line in _ROS_KEYS, line
            menu = line
            menus.setdefault(menu, [])
            continue
        assert menu is not None, f"command outside a menu: {line}"
        words = shlex.split(line)
        assert words[0] == "add", line
        entry: dict[str, str] = {}
        for word in words[1:]:
            key, sep, value = word.partition("=")
            assert sep and value, line
            assert key in _ROS_KEYS[menu], (key, line)
            assert key not in entry, line
            entry[key] = value
        menus[menu].append(entry)
    return menus


@pytest.mark.parametrize("ata_ip", [None, ATA])
@pytest.mark.parametrize("edges", EDGE_CHOICES)
def test_mikrotik_output_parses_as_routeros(edges: list[str] | None, ata_ip: str | None) -> None:
    menus = _parse_routeros(ata.firewall_rules("mikrotik", edges=edges, ata_ip=ata_ip).text)
    lists: dict[str, list[str]] = {}
    for entry in menus["/ip firewall address-list"]:
        assert _is_network(entry["address"])
        lists.setdefault(entry["list"], []).append(entry["address"])
    expected = [c for e, _, _, c in REFERENCE_SIGNALLING if e in fw.normalize_edges(edges)]
    assert lists == {"twilio-signalling": expected, "twilio-media": [REFERENCE_MEDIA[0]]}
    for entry in menus["/ip firewall filter"] + menus.get("/ip firewall nat", []):
        for key in ("src-address-list", "dst-address-list"):
            assert entry.get(key, "twilio-media") in lists
        for key in ("src-port", "dst-port"):
            assert _is_port_range(entry.get(key, "1"))
        for key in ("src-address", "dst-address", "to-addresses"):
            assert entry.get(key, ATA) == ATA
        assert entry["action"] in ("accept", "dst-nat")
    nat = menus.get("/ip firewall nat", [])
    assert len(nat) == (1 if ata_ip else 0)
    if ata_ip:
        assert nat[0]["chain"] == "dstnat" and nat[0]["to-addresses"] == ATA
    assert all(e["chain"] == "forward" for e in menus["/ip firewall filter"])


def test_routeros_parser_rejects_bad_lines() -> None:
    with pytest.raises(AssertionError):
        _parse_routeros("/ip firewall filter\nadd chain=forward bogus-key=1\n")
    with pytest.raises(AssertionError):
        _parse_routeros("add chain=forward\n")


def _parse_pfsense(text: str) -> tuple[dict[str, dict[str, object]], list[str]]:
    """Alias blocks (name, type, entries) and the rule lines that refer to them."""
    aliases: dict[str, dict[str, object]] = {}
    rules: list[str] = []
    current: dict[str, object] | None = None
    for line in text.splitlines():
        if not line or line.startswith("#"):
            current = None
            continue
        if line.startswith("Alias: "):
            name = line.removeprefix("Alias: ")
            assert re.fullmatch(r"[A-Za-z0-9_]{1,31}", name), name
            current = aliases[name] = {"entries": []}
        elif line.startswith(("Type: ", "Description: ")) and current is not None:
            key, _, value = line.partition(": ")
            current[key.lower()] = value
        elif line.startswith("Firewall > "):
            rules.append(line)
        else:
            assert current is not None, f"entry outside an alias: {line}"
            entries = current["entries"]
            assert isinstance(entries, list)
            entries.append(line.split(" ", 1)[0])
    return aliases, rules


@pytest.mark.parametrize("ata_ip", [None, ATA])
@pytest.mark.parametrize("edges", EDGE_CHOICES)
def test_pfsense_aliases_hold_valid_entries(edges: list[str] | None, ata_ip: str | None) -> None:
    aliases, rules = _parse_pfsense(ata.firewall_rules("pfsense", edges=edges, ata_ip=ata_ip).text)
    for name, alias in aliases.items():
        entries = alias["entries"]
        assert isinstance(entries, list) and entries, name
        if alias["type"] == "Network(s)":
            assert all(_is_network(e) for e in entries), name
        else:
            assert alias["type"] == "Port(s)"
            assert all(_is_port_range(e, ":") for e in entries), name
    expected = [c for e, _, _, c in REFERENCE_SIGNALLING if e in fw.normalize_edges(edges)]
    assert aliases["Twilio_Signalling"]["entries"] == expected
    assert aliases["Twilio_Media"]["entries"] == [REFERENCE_MEDIA[0]]
    assert aliases["Twilio_Media_Ports"]["entries"] == ["10000:60000"]
    for rule in rules:
        for field in re.findall(r"(?:Source|Destination) (\S+)", rule):
            assert field in aliases or field in ("LAN", "WAN") or _is_network(field), (field, rule)
        assert re.search(r'Description "[^"]+"', rule), rule
    port_forwards = [r for r in rules if "NAT > Port Forward" in r]
    assert len(port_forwards) == (1 if ata_ip else 0)
    if ata_ip:
        assert f"Redirect target IP {ATA} port 5004" in port_forwards[0]


def test_table_format_text_and_frame() -> None:
    rules = ata.firewall_rules("table", edges=["ie1"], ata_ip=ATA)
    frame = rules.table
    forward = frame[frame["type"] == "port forward"]
    assert list(forward["forward_to"]) == [f"{ATA}:5004-5013"]
    assert list(forward["source"]) == [REFERENCE_MEDIA[0]]
    assert "54.171.127.192/30" in set(frame["destination"])
    assert "port forward" in rules.text and "Twilio signalling ranges:" in rules.text
    assert f"{ATA}:5004-5013" in rules._repr_html_()


def test_import_stays_light() -> None:
    code = ("import sys, ata_helpers\n"
            "assert 'ata_helpers.firewall' not in sys.modules\n"
            "rules = ata_helpers.firewall_rules('nftables')\n"
            "assert 'pandas' not in sys.modules, 'rendering nftables should not need pandas'\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
