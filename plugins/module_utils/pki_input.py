# -*- coding: utf-8 -*-
# Copyright (c) 2026, etcdtls.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the inventory says of the PKI, checked before anything is built: members, clients, names,
addresses and lifetimes. Standard library only, so the preflight can use it anywhere."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress
import re

from ansible_collections.etcdtls.cluster.plugins.module_utils.errors import EtcdTLSError

ADMIN_CLIENT = "admin"
# A name is one or more DNS labels (no "a..b", no "a.-b"); it becomes a file name, a CN and a SAN.
_LABEL = r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
# Whole strings only (fullmatch: "$" would accept a trailing newline), ASCII classes only.
_NAME_RE = re.compile(r"%s(\.%s)*" % (_LABEL, _LABEL))
NAME_MAX = 63
# x509 caps a CN or an O at 64 characters.
SUBJECT_MAX = 64
# A CA lifetime past this is refused (and past year 9999 would crash the encoder).
CA_DAYS_MAX = 36500
_DNS_RE = re.compile(
    r"(\*\.)?([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?"
)


class Member:
    """One etcd member as the inventory describes it."""

    def __init__(self, name, ips, fqdn=None, extra_sans=None):
        self.name = name
        self.ips = ips
        self.fqdn = fqdn
        self.extra_dns, self.extra_ips = split_sans(extra_sans or [], "member %s: extra_sans" % name)


# How a client talks to etcd. grpc: etcd's gRPC API (etcdctl, kube-apiserver, k3s); with etcd's
# authentication on, the certificate's CN is its user. json: the v3 JSON API of etcd's gRPC gateway
# (APISIX); etcd refuses every gateway request whose client certificate has a CN once authentication
# is on (CVE-2018-16886), so such a client's certificate has none (O = its name) and it logs in with
# a password.
CLIENT_APIS = ("grpc", "json")


# One client of the cluster (etcd_clients), as every module that takes ``clients`` reads it: etcd_pki
# issues its certificate, etcd_auth makes its user and role. Documented by the ``clients`` doc fragment.
CLIENT_ARGSPEC = dict(
    name=dict(type="str", required=True),
    common_name=dict(type="str"),
    organization=dict(type="str"),
    api=dict(type="str", choices=list(CLIENT_APIS), default="grpc"),
    password=dict(type="str", no_log=True),
    prefixes=dict(type="list", elements="str", default=[]),
    read_prefixes=dict(type="list", elements="str", default=[]),
    bundle=dict(
        type="dict",
        options=dict(
            host=dict(type="str", required=True),
            path=dict(type="str", required=True),
            owner=dict(type="str"),
            group=dict(type="str"),
        ),
    ),
)


class Client:
    def __init__(
        self, name, common_name=None, organization=None, api="grpc", password=None, prefixes=(), read_prefixes=()
    ):
        self.name = name
        self.api = api or "grpc"
        self.password = password
        self.prefixes = list(prefixes or [])
        self.read_prefixes = list(read_prefixes or [])
        if self.api == "json":
            self.common_name = None
            self.organization = organization or name
        else:
            self.common_name = common_name or name
            self.organization = organization

    @property
    def user(self):
        """Its etcd user: the CN of a gRPC client, the name of a JSON-API client."""
        return self.common_name or self.name


def parse_ip(value, where):
    # Surrounding blanks are dropped: the address is written back from its parsed, canonical form.
    try:
        ip = ipaddress.ip_address(str(value).strip())
    except ValueError:
        raise EtcdTLSError("%s: %r is not an IP address" % (where, value)) from None
    return check_address(ip, where)


def check_address(ip, where):
    """An address that means one thing to Go's TLS stack and to a dialler: no zone, no IPv4-mapped IPv6 form (Go
    compares ::ffff:a.b.c.d equal to a.b.c.d), no IPv6 link-local address (it is only reachable with a zone)."""
    if getattr(ip, "scope_id", None):
        raise EtcdTLSError(
            "%s: %s carries a zone (%%%s); a certificate cannot name a zone and a peer cannot dial it: give an "
            "address without one" % (where, ip, ip.scope_id)
        )
    if ip.version == 6 and ip.ipv4_mapped is not None:
        raise EtcdTLSError(
            "%s: %s is the IPv4 address %s in IPv6 form, which Go's TLS stack treats as the same address: write "
            "%s" % (where, ip, ip.ipv4_mapped, ip.ipv4_mapped)
        )
    if ip.version == 6 and ip.is_link_local:
        raise EtcdTLSError(
            "%s: %s is an IPv6 link-local address, reachable only with a zone: give a global or unique-local "
            "address" % (where, ip)
        )
    return ip


def check_dns_name(value, where):
    if not isinstance(value, str) or len(value) > 253 or not _DNS_RE.fullmatch(value):
        raise EtcdTLSError("%s: %r is neither an IP address nor a valid DNS name" % (where, value))
    return value.rstrip(".").lower()


def split_sans(values, where):
    """Sort free-form SANs into DNS names and IP addresses."""
    dns, ips = [], []
    for value in values:
        try:
            ip = ipaddress.ip_address(value)
        except ValueError:
            if isinstance(value, str) and "%" in value:
                # A zoned IPv6 literal that ipaddress refused: say what it is, not "not a DNS name".
                parse_ip(value, where)
            dns.append(check_dns_name(value, where))
        else:
            ips.append(check_address(ip, where))
    return dns, ips


def wildcard_covers(pattern, name):
    """Whether the DNS SAN ``pattern`` (``*.example.com``) matches ``name`` as a TLS client checks a host: the
    wildcard stands for exactly one whole leftmost label; names compare without regard to case."""
    if not pattern.startswith("*."):
        return False
    labels = name.rstrip(".").lower().split(".")
    return len(labels) >= 2 and ".".join(labels[1:]) == pattern[2:].rstrip(".").lower()


def check_name(value, what):
    """A member, client or cluster name: DNS labels joined by dots, 63 characters at most."""
    if not isinstance(value, str) or len(value) > NAME_MAX or not _NAME_RE.fullmatch(value):
        raise EtcdTLSError(
            "%s name %r is not usable: use 1-63 letters, digits, '-' and '.', as DNS labels joined by dots "
            "(no '..', no label starting or ending with '-'); it becomes a file name, a CN and a DNS SAN"
            % (what, value)
        )


def check_subject(value, what):
    """A CN or O: 1-64 characters, as x509 requires, with no control character and no space at either end (it is
    an etcd user name, and a line of logs and units)."""
    if not isinstance(value, str) or not 1 <= len(value) <= SUBJECT_MAX:
        raise EtcdTLSError("%s %r must be 1-%d characters long (an x509 limit)" % (what, value, SUBJECT_MAX))
    if value != value.strip() or any(ord(char) < 32 or ord(char) == 127 for char in value):
        raise EtcdTLSError(
            "%s %r has a control character or a space at its start or end: it becomes an etcd user name; remove it"
            % (what, value)
        )


def check_unicast(ip, where):
    """An address a member can listen on and be dialled at."""
    if ip.is_unspecified or ip.is_multicast or ip == ipaddress.ip_address("255.255.255.255"):
        raise EtcdTLSError(
            "%s: %s is not a unicast address; give the IP this host is reached at (not 0.0.0.0, :: or a multicast "
            "address)" % (where, ip)
        )


def _where(raw, name):
    host = raw.get("host")
    return "host %s (member %s)" % (host, name) if host and host != name else "member %s" % name


def parse_members(raw_members):
    """Validate the member list and return :class:`Member` objects. Nothing is written before this passes.

    Each raw member may carry ``host`` (its inventory hostname) so that messages name it.
    """
    if not raw_members:
        raise EtcdTLSError(
            "members is empty: put at least one host in the inventory group of etcd members "
            "(an odd number, 3 or 5, for a cluster that survives a failure)"
        )
    members, owner_of_name, owner_of_ip, wheres = [], {}, {}, []
    for index, raw in enumerate(raw_members):
        if not isinstance(raw, dict):
            raise EtcdTLSError("member #%d: expected a dict with name and ips, got %r" % (index + 1, raw))
        name = raw.get("name")
        where = _where(raw, name)
        check_name(name, "%s: etcd_name" % where if raw.get("host") else "member #%d" % (index + 1))
        if name.lower() in owner_of_name:
            raise EtcdTLSError(
                "%s: the name is also the name or FQDN of member %s (names are compared without regard to case); "
                "give every member its own etcd_name" % (where, owner_of_name[name.lower()])
            )
        owner_of_name[name.lower()] = name
        raw_ips = raw.get("ips") or []
        if isinstance(raw_ips, str):
            raw_ips = [raw_ips]
        if not raw_ips:
            raise EtcdTLSError("%s: no IP address; set etcd_address for this host" % where)
        ips = []
        for position, raw_ip in enumerate(raw_ips):
            variable = "etcd_address" if position == 0 else "etcd_extra_addresses"
            ip = parse_ip(raw_ip, "%s: %s" % (where, variable))
            check_unicast(ip, "%s: %s" % (where, variable))
            if ip in owner_of_ip and owner_of_ip[ip] != name:
                raise EtcdTLSError(
                    "%s: IP %s is also the IP of member %s; each member needs its own address"
                    % (where, ip, owner_of_ip[ip])
                )
            owner_of_ip[ip] = name
            if ip not in ips:
                ips.append(ip)
        fqdn = raw.get("fqdn") or None
        if fqdn is not None:
            fqdn = check_dns_name(fqdn, "%s: etcd_fqdn" % where)
            if fqdn.startswith("*."):
                raise EtcdTLSError(
                    "%s: etcd_fqdn %s is a wildcard; give the member's own fully qualified name" % (where, fqdn)
                )
            if fqdn in owner_of_name and owner_of_name[fqdn] != name:
                raise EtcdTLSError(
                    "%s: etcd_fqdn %s is also the name or FQDN of member %s; every member needs its own FQDN"
                    % (where, fqdn, owner_of_name[fqdn])
                )
            owner_of_name[fqdn] = name
        extra_sans = raw.get("extra_sans") or []
        if isinstance(extra_sans, str):
            extra_sans = [extra_sans]
        members.append(Member(name, ips, fqdn, extra_sans))
        wheres.append(where)
    loopback = [m.name for m in members if any(ip.is_loopback for ip in m.ips[:1])]
    if loopback and len(loopback) != len(members):
        raise EtcdTLSError(
            "member(s) %s listen on a loopback address while other members do not: the others could never reach "
            "them. Use loopback only when every member runs on one host; otherwise set etcd_address to the IP "
            "the host is reached at" % ", ".join(loopback)
        )
    # An extra SAN that names another member would let this member's cert pass for that member.
    for member, where in zip(members, wheres):
        for san in member.extra_dns + [str(ip) for ip in member.extra_ips]:
            key = san.lower() if not _is_ip(san) else ipaddress.ip_address(san)
            owner = owner_of_name.get(key) if not _is_ip(san) else owner_of_ip.get(key)
            if owner is not None and owner != member.name:
                raise EtcdTLSError(
                    "%s: etcd_extra_sans entry %s is the name or address of member %s; a member's certificate "
                    "must not name another member (use a shared name such as a VIP instead)" % (where, san, owner)
                )
    check_wildcards(members, wheres)
    return members


def member_names(member):
    """The DNS names that identify ``member`` alone: its name, its FQDN, its extra DNS SANs but wildcards."""
    return (
        [member.name.lower()]
        + ([member.fqdn] if member.fqdn else [])
        + [name for name in member.extra_dns if not name.startswith("*.")]
    )


def check_wildcards(members, wheres, shared=(), shared_where="etcd_server_name"):
    """No wildcard SAN of one member (nor a ``shared`` name in every member's server certificate) covers a name of
    another member: that certificate would pass for the other member."""
    for member, where in zip(members, wheres):
        patterns = [(name, "%s: etcd_extra_sans entry" % where) for name in member.extra_dns if name.startswith("*.")]
        for other in members:
            if other is member:
                continue
            for pattern, what in patterns:
                covered = [name for name in member_names(other) if wildcard_covers(pattern, name)]
                if covered:
                    raise EtcdTLSError(
                        "%s %s covers %s, a name of member %s; a member's certificate must not pass for another "
                        "member: name this member's own names, or a shared name no member has"
                        % (what, pattern, covered[0], other.name)
                    )
    for name in shared:
        for member in members:
            covered = [own for own in member_names(member) if own == name or wildcard_covers(name, own)]
            if covered:
                raise EtcdTLSError(
                    "%s %s is in every member's server certificate and matches %s, a name of member %s: every "
                    "member's certificate would pass for it. Give a name no member has (a VIP or round-robin "
                    "name)" % (shared_where, name, covered[0], member.name)
                )


def check_identities(members, clients, admin_common_name, server_names=()):
    """Each certificate identity is one etcd user: the admin's CN, each client's user (its CN, or its name for a
    JSON-API client) and each member's server certificate CN (its name; server certificates carry clientAuth) are all
    different; the shared server names cover no member's name."""
    shared = [check_dns_name(name, "etcd_server_name") for name in server_names]
    check_wildcards(members, ["member %s" % member.name for member in members], shared=shared)
    owner = {admin_common_name: "the admin client (etcd_pki_admin_common_name)"}
    for member in members:
        if member.name in owner:
            raise EtcdTLSError(
                "member %s: its name is the CN of its server certificate, which is also %s; etcd's RBAC would take "
                "them for one user: rename one of them" % (member.name, owner[member.name])
            )
        owner[member.name] = "member %s's server certificate" % member.name
    for client in clients:
        user = client.user
        if user in owner:
            raise EtcdTLSError(
                "client %s: its etcd user %r (%s) is also %s; etcd's RBAC would take them for one identity: give "
                "each client its own common_name"
                % (client.name, user, "its CN" if client.common_name else "its name", owner[user])
            )
        owner[user] = "client %s's user" % client.name


def _is_ip(value):
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def parse_clients(raw_clients):
    clients, names = [], set()
    for index, raw in enumerate(raw_clients or []):
        name = raw.get("name")
        check_name(name, "client #%d" % (index + 1))
        if name == ADMIN_CLIENT:
            raise EtcdTLSError(
                "client %r: the name is reserved for the admin client the collection always creates; "
                "pick another name" % name
            )
        if name.lower() in names:
            raise EtcdTLSError("client %s: the name appears twice (etcd_clients)" % name)
        names.add(name.lower())
        api = raw.get("api") or "grpc"
        if api not in CLIENT_APIS:
            raise EtcdTLSError("client %s: api %r is not one of %s" % (name, api, ", ".join(CLIENT_APIS)))
        if api == "json" and raw.get("common_name"):
            raise EtcdTLSError(
                "client %s: a JSON-API client's certificate has no CN (etcd refuses gateway requests from a "
                "certificate with one once authentication is on); drop common_name, its user is its name" % name
            )
        client = Client(
            name,
            raw.get("common_name"),
            raw.get("organization"),
            api,
            raw.get("password"),
            raw.get("prefixes"),
            raw.get("read_prefixes"),
        )
        if client.common_name is not None:
            check_subject(client.common_name, "client %s: common_name" % name)
        if client.organization is not None:
            check_subject(client.organization, "client %s: organization" % name)
        clients.append(client)
    return clients


LIFETIME_OPTIONS = {"ca_days": "ca_days", "leaf_days": "leaf_days", "renew_days": "renew_days"}


def check_lifetimes(ca_days, leaf_days, renew_days, names=None):
    """Refuse lifetimes that cannot work; ``names`` maps each option to the variable the user set."""
    names = names or LIFETIME_OPTIONS
    if not 1 <= ca_days <= CA_DAYS_MAX:
        raise EtcdTLSError("%s must be between 1 and %d (got %s)" % (names["ca_days"], CA_DAYS_MAX, ca_days))
    if not 1 <= leaf_days <= ca_days:
        raise EtcdTLSError(
            "%s (%s) must be at least 1 and must not exceed %s (%s)"
            % (names["leaf_days"], leaf_days, names["ca_days"], ca_days)
        )
    if renew_days < 0 or renew_days >= leaf_days:
        raise EtcdTLSError(
            "%s (%s) must be at least 0 and smaller than %s (%s), or every run would re-issue every certificate"
            % (names["renew_days"], renew_days, names["leaf_days"], leaf_days)
        )
