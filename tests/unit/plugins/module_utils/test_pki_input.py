# -*- coding: utf-8 -*-
# Copyright (c) 2026, etcdtls.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Names, addresses and identities that would make one certificate pass for another, or split a line, are refused."""

import pytest

from ansible_collections.etcdtls.cluster.plugins.module_utils import pki_input, releases
from ansible_collections.etcdtls.cluster.plugins.module_utils.errors import EtcdTLSError


def member(name, *ips, **extra):
    item = {"host": name, "name": name, "ips": list(ips)}
    item.update(extra)
    return item


def three(**changes):
    members = [member("etcd1", "10.0.0.1"), member("etcd2", "10.0.0.2"), member("etcd3", "10.0.0.3")]
    for index, change in changes.items():
        members[int(index[1:])].update(change)
    return members


def refused(raw_members):
    with pytest.raises(EtcdTLSError) as caught:
        pki_input.parse_members(raw_members)
    return caught.value.msg


@pytest.mark.parametrize("name", ["etcd1\n", "etcd1\nExecStartPre=/bin/sh", "etcd\u0661", "etcd1 "])
def test_a_name_is_matched_whole(name):
    """``$`` accepts a trailing newline: etcd1\\n became a certificate CN and split a systemd Description."""
    with pytest.raises(EtcdTLSError):
        pki_input.check_name(name, "member")
    with pytest.raises(EtcdTLSError):
        pki_input.check_dns_name(name, "etcd_fqdn")


@pytest.mark.parametrize("version", ["3.5.17\n", "3.5.\u0661\u0667", "3.5.17 "])
def test_a_release_is_matched_whole_in_ascii_digits(version):
    assert releases.release(version) is None
    assert releases.release("3.5.17") == (3, 5, 17)


def test_a_wildcard_extra_san_that_covers_another_member_is_refused():
    members = three(
        m0={"name": "etcd1.example.com", "host": "etcd1", "extra_sans": ["*.example.com"]},
        m1={"name": "etcd2.example.com", "host": "etcd2"},
    )
    message = refused(members)
    assert "*.example.com covers etcd2.example.com, a name of member etcd2.example.com" in message
    assert message.startswith("host etcd1 (member etcd1.example.com)")


def test_a_wildcard_that_covers_another_members_fqdn_is_refused():
    members = three(m0={"extra_sans": ["*.dc1.example"]}, m2={"fqdn": "etcd3.DC1.example"})
    assert "covers etcd3.dc1.example, a name of member etcd3" in refused(members)


def test_a_wildcard_that_covers_only_its_own_member_or_deeper_names_is_fine():
    members = three(m0={"fqdn": "etcd1.example.com", "extra_sans": ["*.example.com"]}, m1={"fqdn": "a.b.example.com"})
    assert len(pki_input.parse_members(members)) == 3


def test_a_wildcard_fqdn_is_refused():
    assert "etcd_fqdn *.example.com is a wildcard" in refused(three(m1={"fqdn": "*.example.com"}))


@pytest.mark.parametrize(
    "change, words",
    [
        # Go's TLS stack takes ::ffff:a.b.c.d for a.b.c.d: two members at one address, or a SAN for another member.
        ({"m1": {"ips": ["::ffff:10.0.0.1"]}}, "is the IPv4 address 10.0.0.1 in IPv6 form"),
        ({"m2": {"extra_sans": ["::ffff:10.0.0.2"]}}, "is the IPv4 address 10.0.0.2 in IPv6 form"),
        ({"m0": {"ips": ["::ffff:0.0.0.0"]}}, "is the IPv4 address 0.0.0.0 in IPv6 form"),
        ({"m0": {"ips": ["fe80::1%eth0"]}}, "carries a zone (%eth0)"),
        ({"m0": {"ips": ["10.0.0.1", "fe80::1%eth0"]}}, "carries a zone (%eth0)"),
        ({"m0": {"extra_sans": ["fe80::1%eth0"]}}, "carries a zone (%eth0)"),
        ({"m0": {"ips": ["fe80::1"]}}, "is an IPv6 link-local address"),
    ],
)
def test_addresses_go_reads_as_another_are_refused_naming_the_member(change, words):
    message = refused(three(**change))
    assert words in message
    index = int(sorted(change)[0][1:])
    assert "member etcd%d" % (index + 1) in message


def clients(*raw):
    return pki_input.parse_clients(list(raw))


@pytest.mark.parametrize(
    "raw, words",
    [
        (
            [{"name": "kube", "common_name": "shared"}, {"name": "apisix", "common_name": "shared"}],
            "client apisix: its etcd user 'shared' (its CN) is also client kube's user",
        ),
        ([{"name": "kube", "common_name": "root"}], "is also the admin client"),
        (
            [{"name": "kube", "common_name": "apisix"}, {"name": "apisix", "api": "json"}],
            "client apisix: its etcd user 'apisix' (its name)",
        ),
        ([{"name": "kube", "common_name": "etcd2"}], "member etcd2's server certificate"),
    ],
)
def test_one_etcd_identity_for_two_certificates_is_refused(raw, words):
    """Two clients with one CN, a client CN equal to the admin's or to a member's name: one user to etcd's RBAC."""
    with pytest.raises(EtcdTLSError) as caught:
        pki_input.check_identities(pki_input.parse_members(three()), clients(*raw), "root")
    assert words in caught.value.msg


def test_a_shared_server_name_that_covers_a_member_is_refused():
    members = pki_input.parse_members(three(m1={"fqdn": "etcd2.example.com"}))
    with pytest.raises(EtcdTLSError) as caught:
        pki_input.check_identities(members, [], "root", ["*.example.com"])
    assert "etcd_server_name *.example.com" in caught.value.msg and "member etcd2" in caught.value.msg
    pki_input.check_identities(members, [], "root", ["etcd.etcd.internal"])


def test_distinct_identities_pass():
    members = pki_input.parse_members(three())
    parsed = clients({"name": "kube"}, {"name": "apisix", "api": "json"}, {"name": "k3s", "common_name": "k3s-node"})
    pki_input.check_identities(members, parsed, "root", ["etcd.etcd.internal"])


@pytest.mark.parametrize("cn", ["kube\n", " kube", "kube\x00", "ku\tbe"])
def test_a_cn_with_a_control_character_or_blank_ends_is_refused(cn):
    with pytest.raises(EtcdTLSError) as caught:
        clients({"name": "kube", "common_name": cn})
    assert "control character" in caught.value.msg
