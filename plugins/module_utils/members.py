# -*- coding: utf-8 -*-
# Copyright (c) 2026, etcdtls.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The cluster's members, derived once from the inventory.

Both the PKI and the deploy role need the same view of the members (name,
address, URLs); deriving it in one place keeps certificates and conf.yml in
agreement.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress

from ansible_collections.etcdtls.cluster.plugins.module_utils.errors import EtcdTLSError


def url_host(address):
    """``10.0.0.1`` stays, ``fd00::1`` becomes ``[fd00::1]``."""
    try:
        if ipaddress.ip_address(address).version == 6:
            return "[%s]" % address
    except ValueError:
        pass
    return address


def member_from_hostvars(host, hostvars, client_port=2379, peer_port=2380):
    """One member dict from one host's variables.

    Reads ``etcd_name`` (default: the inventory hostname), ``etcd_address``
    (default: the gathered default IPv4 address), ``etcd_extra_addresses``,
    ``etcd_fqdn`` and ``etcd_extra_sans``.
    """
    name = hostvars.get("etcd_name") or host
    address = hostvars.get("etcd_address")
    if not address:
        address = (hostvars.get("ansible_default_ipv4") or {}).get("address")
    if not address:
        raise EtcdTLSError(
            "host %s: no etcd_address, and no default IPv4 address was gathered; set etcd_address "
            "to the IP the member listens on" % host
        )
    address = str(address).strip()
    try:
        ipaddress.ip_address(address)
    except ValueError:
        raise EtcdTLSError(
            "host %s: etcd_address %r is not an IP address (etcd binds listen URLs by IP only)" % (host, address)
        ) from None
    extra = hostvars.get("etcd_extra_addresses") or []
    if isinstance(extra, str):
        extra = [extra]
    member = {
        "host": host,
        "name": name,
        "address": address,
        "ips": [address] + [str(ip) for ip in extra if str(ip) != address],
        "extra_sans": list(hostvars.get("etcd_extra_sans") or []),
        "peer_url": "https://%s:%d" % (url_host(address), peer_port),
        "client_url": "https://%s:%d" % (url_host(address), client_port),
    }
    fqdn = hostvars.get("etcd_fqdn")
    if fqdn:
        member["fqdn"] = fqdn
    return member


def members_from_inventory(hosts, hostvars, client_port=2379, peer_port=2380):
    """Members for ``hosts`` (inventory order) with their URLs."""
    if not hosts:
        raise EtcdTLSError("the etcd group is empty: list the member hosts in the inventory group (3 or 5 of them)")
    return [member_from_hostvars(host, hostvars[host], client_port, peer_port) for host in hosts]
