#!/usr/bin/env python3
"""Write plugins/module_utils/etcd_flags.py: every command-line flag of each etcd release line, read from etcd's own
source (the FlagSet calls of etcdmain/config.go and, from 3.6 on, server/embed/config.go, with the ignored legacy
flags, which Go parses as bool flags), and every key of its config file (the json tags of embed's Config and
configJSON, and up to 3.5 etcdmain's configProxy, at the top level; of securityConfig in the two transport-security
sections). No network: it reads a local clone of etcd-io/etcd.

    python scripts/etcd_flags.py /path/to/etcd v3.4.45 v3.5.33 v3.6.14 v3.7.1
"""

import os
import re
import subprocess
import sys

FILES = ("etcdmain/config.go", "server/etcdmain/config.go", "server/embed/config.go")
NOT_FLAGS = frozenset(("Usage", "Parse", "Lookup", "Set", "VisitAll", "Visit", "SetOutput", "PrintDefaults", "Args"))
OUT = os.path.join(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "plugins", "module_utils", "etcd_flags.py"
)


def source(repo, tag, path):
    proc = subprocess.run(["git", "-C", repo, "show", "%s:%s" % (tag, path)], capture_output=True, text=True)
    return proc.stdout if proc.returncode == 0 else ""


def calls(text):
    """Each ``fs.Method(args)`` call of ``text``, its arguments split at the top level."""
    for match in re.finditer(r"\bfs\.(\w+)\(", text):
        index, depth, args, current, quoted = match.end(), 1, [], "", False
        while depth:
            char = text[index]
            index += 1
            if quoted:
                current += char
                if char == "\\":
                    current += text[index]
                    index += 1
                elif char == '"':
                    quoted = False
                continue
            if char == '"':
                quoted = True
            elif char in "([{":
                depth += 1
            elif char in ")]}":
                depth -= 1
            if depth == 1 and char == ",":
                args.append(current.strip())
                current = ""
            elif depth:
                current += char
        args.append(current.strip())
        yield match.group(1), args


def flags(repo, tag):
    found = {}
    for path in FILES:
        text = source(repo, tag, path)
        for method, args in calls(text):
            position = 1 if method.endswith("Var") else 0
            if method in NOT_FLAGS or len(args) <= position:
                continue
            if re.fullmatch(r'"[a-z0-9.-]+"', args[position]):
                found[args[position].strip('"')] = "bool" if method in ("BoolVar", "Bool") else "value"
        ignored = re.search(r"ignored = \[\]string\{([^}]*)\}", text)
        # flags.IgnoredFlag: a bool flag to Go's parser (no separate value), any value after "=" taken and dropped.
        for name in re.findall(r'"([a-z0-9.-]+)"', ignored.group(1) if ignored else ""):
            found[name] = "ignored"
        if re.search(r"featuregate|FeatureGate\)\.AddFlag", text):
            found.setdefault("feature-gates", "value")
    if "name" not in found or "config-file" not in found:
        raise SystemExit("%s: no flags found in %s" % (tag, ", ".join(FILES)))
    return found


def _struct_tags(text, name, required=True):
    body = re.search(r"^type %s struct \{\n(.*?)^\}" % name, text, re.S | re.M)
    if not body:
        if not required:
            return []
        raise SystemExit("no struct %s in embed/config.go" % name)
    tags = (tag.split(",")[0] for tag in re.findall(r'json:"([^"]*)"', body.group(1)))
    return [tag for tag in tags if tag not in ("", "-")]


def config_keys(repo, tag):
    """The config file's top-level keys and its transport-security sections' keys at ``tag``."""
    text = source(repo, tag, "server/embed/config.go") or source(repo, tag, "embed/config.go")
    # Up to 3.5 etcdmain reads the proxy's keys from the same file (configProxy).
    main = source(repo, tag, "server/etcdmain/config.go") or source(repo, tag, "etcdmain/config.go")
    top = _struct_tags(text, "Config") + _struct_tags(text, "configJSON") + _struct_tags(main, "configProxy", False)
    return top, _struct_tags(text, "securityConfig")


def _by_minor(found_by_tag):
    keys = {}
    for tag, found in found_by_tag.items():
        minor = ".".join(tag.lstrip("v").split(".")[:2])
        for key in found:
            keys.setdefault(key, []).append(minor)
    return keys


def _write_keys(handle, name, keys):
    handle.write("%s = {\n" % name)
    for key in sorted(keys):
        handle.write('    "%s": "%s",\n' % (key, " ".join(keys[key])))
    handle.write("}\n")


def main():
    repo, tags = sys.argv[1], sys.argv[2:]
    lines = {}
    by_tag = dict((tag, flags(repo, tag)) for tag in tags)
    config = dict((tag, config_keys(repo, tag)) for tag in tags)
    for tag, found in by_tag.items():
        minor = ".".join(tag.lstrip("v").split(".")[:2])
        for name, kind in found.items():
            entry = lines.setdefault(name, [kind, []])
            if entry[0] != kind:
                raise SystemExit("--%s is a %s flag in one release and a %s flag in another" % (name, entry[0], kind))
            entry[1].append(minor)
    with open(OUT, "w") as handle:
        handle.write(
            "# -*- coding: utf-8 -*-\n"
            "# Copyright (c) 2026, etcdtls.cluster contributors\n"
            "# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)\n"
            '"""Every command-line flag etcd %s defines: whether Go parses it as a bool flag\n'
            "(no value after it; ignored: a legacy flag etcd parses so and drops) and the release lines that have\n"
            "it (as one string); every key of its config file, at the top level (CONFIG_KEYS) and in the client- and\n"
            "peer-transport-security sections (TLS_SECTION_KEYS), with the release lines that read it. Generated\n"
            "from etcd's source, do not edit:\n\n"
            "    python scripts/etcd_flags.py /path/to/etcd %s\n"
            '"""\n\n'
            "from __future__ import absolute_import, division, print_function\n\n"
            "__metaclass__ = type\n\n"
            "FLAGS = {\n" % (", ".join(tags), " ".join(tags))
        )
        for name in sorted(lines):
            kind, minors = lines[name]
            handle.write('    "%s": ("%s", "%s"),\n' % (name, kind, " ".join(minors)))
        handle.write("}\n\n")
        _write_keys(handle, "CONFIG_KEYS", _by_minor(dict((tag, top) for tag, (top, _tls) in config.items())))
        handle.write("\n")
        _write_keys(handle, "TLS_SECTION_KEYS", _by_minor(dict((tag, tls) for tag, (_top, tls) in config.items())))


if __name__ == "__main__":
    main()
