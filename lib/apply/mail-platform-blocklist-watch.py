#!/usr/bin/python3
"""The blocklist watch of a mail host: are this host's group addresses listed?

`check` (the timer's command) looks up each group address the host carries in each configured
blocklist zone through the host's own resolver, writes the result to <state>/blocklist-watch.json,
publishes per address the number of zones listing it (metric Listed, dimensions Host and Group)
and the number of zones that could not say (LookupFailures) to CloudWatch, and, with
pauseWhenListed, holds a listed group's outbound transport on this host: the transport goes into
<state>/auto-paused.json and into Postfix's defer_transports (the same brake as
groups[].outbound.paused); the mail waits in the queue. Every bundle's reload commands run
`apply-holds`, which puts the holds back into the main.cf the bundle just installed.

`resume <group>` releases the hold and delivers the group's waiting mail at once (with the apply
script's own release); a listing the operator resumed past does not pause the group again, a new
listing does. `status` prints the last result and the holds.

A zone's answer counts as a listing only when it is in 127.0.0.0/8 outside 127.255.255.0/24 (the
lists' codes for refused queries) and the zone passes RFC 5782's test points: it lists 127.0.0.2
and does not list 127.0.0.1 (a list that lists everything, as dead lists have done, is an error).

Exit codes: 0 done (listed or not), 1 a step failed (lookups, metrics or the apply; logged), 64 usage.
"""
import argparse
import datetime
import fcntl
import importlib.machinery
import importlib.util
import ipaddress
import json
import os
import random
import socket
import struct
import subprocess
import sys
import urllib.request

TEST_LISTED, TEST_UNLISTED = "127.0.0.2", "127.0.0.1"


def log(message):
    print(f"mail-platform-blocklist-watch: {message}", file=sys.stderr, flush=True)


def now():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def read_json(path, default):
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except FileNotFoundError:
        return default


def load_apply_script(path):
    """The host's apply script as a module: its file writing, list parsing and release of waiting mail are the watch's too."""
    loader = importlib.machinery.SourceFileLoader("mail_platform_apply", path)
    module = importlib.util.module_from_spec(importlib.util.spec_from_loader(loader.name, loader))
    loader.exec_module(module)
    return module


def write_json(apply_script, path, value):
    apply_script.write_file(path, json.dumps(value, indent=1, sort_keys=True) + "\n", "0600")


def skip_name(packet, offset):
    """The offset after a (possibly compressed) domain name."""
    while True:
        length = packet[offset]
        if length & 0xC0 == 0xC0:
            return offset + 2
        if length == 0:
            return offset + 1
        offset += 1 + length


def query_a(name, server, port, timeout=3.0, tries=2):
    """The IPv4 addresses of an A query (empty for NXDOMAIN or no data); OSError on no or a bad answer."""
    question = b"".join(bytes([len(label)]) + label.encode("ascii") for label in name.rstrip(".").split(".")) + b"\0" + struct.pack(">HH", 1, 1)
    for attempt in range(tries):
        query_id = random.randrange(65536)
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.settimeout(timeout)
            sock.connect((server, port))
            sock.send(struct.pack(">HHHHHH", query_id, 0x0100, 1, 0, 0, 0) + question)
            try:
                packet = sock.recv(4096)
            except socket.timeout:
                if attempt + 1 < tries:
                    continue
                raise OSError(f"no answer from {server}:{port} within {timeout} s")
        answer_id, flags, questions, answers = struct.unpack(">HHHH", packet[:8])
        if answer_id != query_id:
            raise OSError("an answer to another query")
        rcode = flags & 0xF
        if rcode == 3:
            return []
        if rcode != 0:
            raise OSError(f"the resolver answered {['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED'][rcode] if rcode < 6 else f'rcode {rcode}'}")
        offset = 12
        for _ in range(questions):
            offset = skip_name(packet, offset) + 4
        addresses = []
        for _ in range(answers):
            offset = skip_name(packet, offset)
            kind, _class, _ttl, length = struct.unpack(">HHIH", packet[offset : offset + 10])
            offset += 10
            if kind == 1 and length == 4:
                addresses.append(socket.inet_ntoa(packet[offset : offset + 4]))
            offset += length
        return addresses
    raise OSError("no answer")


def reversed_name(address, zone):
    return ".".join(reversed(address.split("."))) + "." + zone


def listing(addresses):
    """(listed, refusal code): a reply in 127/8 lists, one in 127.255.255/24 is the list refusing the query."""
    for address in addresses:
        if address.startswith("127.255.255."):
            return False, address
        if ipaddress.IPv4Address(address) not in ipaddress.IPv4Network("127.0.0.0/8"):
            return False, address
    return bool(addresses), None


def zone_works(zone, server, port):
    """None when the zone passes RFC 5782's test points, else why it cannot be trusted now."""
    listed, refused = listing(query_a(reversed_name(TEST_UNLISTED, zone), server, port))
    if refused:
        return f"answers {refused} (the list refuses or does not understand this resolver's queries)"
    if listed:
        return "lists 127.0.0.1: it lists every address (a dead or broken list)"
    listed, refused = listing(query_a(reversed_name(TEST_LISTED, zone), server, port))
    if not listed:
        return f"does not list its test address 127.0.0.2{f' (answers {refused})' if refused else ''}: its answers cannot be trusted"
    return None


def public_addresses(config):
    """private address -> public address: the model's, else the instance metadata's (IMDSv2)."""
    known = {a["privateIp"]: a["publicIp"] for a in config["addresses"] if a.get("publicIp")}
    if len(known) == len(config["addresses"]):
        return known
    imds = os.environ.get("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://169.254.169.254/").rstrip("/")

    def get(path, token):
        request = urllib.request.Request(f"{imds}/latest/meta-data/{path}", headers={"X-aws-ec2-metadata-token": token})
        return urllib.request.urlopen(request, timeout=5).read().decode().split()

    ttl = {"X-aws-ec2-metadata-token-ttl-seconds": "60"}
    token = urllib.request.urlopen(urllib.request.Request(f"{imds}/latest/api/token", method="PUT", headers=ttl), timeout=5).read().decode()
    found = dict(known)
    for mac in get("network/interfaces/macs/", token):
        base = f"network/interfaces/macs/{mac.rstrip('/')}/ipv4-associations/"
        try:
            publics = get(base, token)
        except OSError:
            continue  # no public address on this interface
        for public in publics:
            for private in get(base + public, token):
                found.setdefault(private, public)
    return found


def check(config, args):
    state_path = os.path.join(args.state_dir, "blocklist-watch.json")
    held_path = os.path.join(args.state_dir, "auto-paused.json")
    previous = read_json(state_path, {"addresses": {}})
    failed = False
    try:
        publics = public_addresses(config)
    except OSError as error:
        log(f"the public addresses are unknown (instance metadata: {error}); nothing checked")
        return 1
    zones, broken = [], {}
    for zone in config["zones"]:
        try:
            problem = zone_works(zone, args.resolver or config["resolver"], args.resolver_port)
        except OSError as error:
            problem = f"cannot be asked: {error}"
        if problem:
            broken[zone] = problem
            log(f"zone {zone} {problem}; skipped this time")
        else:
            zones.append(zone)
    results, metrics = {}, []
    for address in config["addresses"]:
        group, public = address["group"], publics.get(address["privateIp"])
        if public is None:
            log(f"group {group}: no public address for {address['privateIp']}; not checked")
            failed = True
            continue
        listed_by, errors = [], dict(broken)
        for zone in zones:
            try:
                listed, refused = listing(query_a(reversed_name(public, zone), args.resolver or config["resolver"], args.resolver_port))
            except OSError as error:
                errors[zone] = str(error)
                continue
            if refused:
                errors[zone] = f"answers {refused}"
            elif listed:
                listed_by.append(zone)
        was = previous["addresses"].get(group, {}).get("listedBy", [])
        if listed_by != was:
            log(f"group {group} ({public}): {'LISTED by ' + ', '.join(listed_by) if listed_by else 'no longer listed'}")
        results[group] = {"address": public, "listedBy": listed_by, "errors": errors, "transport": address.get("transport")}
        dimensions = [{"Name": "Host", "Value": config["host"]}, {"Name": "Group", "Value": group}]
        metrics.append({"MetricName": "Listed", "Dimensions": dimensions, "Value": len(listed_by), "Unit": "Count"})
        metrics.append({"MetricName": "LookupFailures", "Dimensions": dimensions, "Value": len(errors), "Unit": "Count"})
        failed = failed or (len(errors) == len(config["zones"]))
    if metrics and config.get("metrics"):
        sent = subprocess.run([args.aws_client, "put-metric-data", config["metrics"]["namespace"], json.dumps(metrics)], capture_output=True, text=True)
        if sent.returncode != 0:
            log(f"metrics not published: {sent.stderr.strip()}")
            failed = True
    held = read_json(held_path, {})
    # Listings an operator resumed past, forgotten once the group is no longer listed.
    resumed_past = {g: zs for g, zs in previous.get("resumedPast", {}).items() if g not in results or results[g]["listedBy"]}
    changed = False
    for group, result in results.items():
        transport, new = result["transport"], set(result["listedBy"]) - set(resumed_past.get(group, []))
        if config["pauseWhenListed"] and transport and transport not in held and new:
            held[transport] = {"group": group, "since": now(), "listedBy": result["listedBy"]}
            log(f"group {group}: outbound mail held on this host ({transport}) until mail-platform-blocklist-watch resume {group}")
            changed = True
    write_json(args.apply_script, state_path, {"checkedAt": now(), "zones": config["zones"], "addresses": results, "resumedPast": resumed_past})
    if changed:
        write_json(args.apply_script, held_path, held)
    # Every run, not only on a change: a hold a failed reload left out is put in now.
    if held and not hold(args, held):
        failed = True
    return 1 if failed else 0


def postfix_deferred(args):
    result = subprocess.run(["postconf", "-c", args.postfix_config, "-h", "defer_transports"], capture_output=True, text=True)
    if result.returncode != 0:
        raise OSError(f"postconf: {result.stderr.strip()}")
    return args.apply_script.listed(result.stdout)


def set_deferred(args, transports):
    """defer_transports in main.cf (postconf -e: one line, in place), then a Postfix reload."""
    setting = ["-e", f"defer_transports = {', '.join(transports)}"] if transports else ["-X", "defer_transports"]
    for command in (["postconf", "-c", args.postfix_config, *setting], ["postfix", "-c", args.postfix_config, "reload"]):
        result = subprocess.run(command, capture_output=True, text=True)
        if result.returncode != 0:
            log(f"{' '.join(command)} failed: {result.stderr.strip()}")
            return False
    return True


def hold(args, held):
    """Add the held transports to Postfix's defer_transports (what the bundle defers stays)."""
    try:
        deferred = postfix_deferred(args)
    except OSError as error:
        log(str(error))
        return False
    missing = [t for t in sorted(held) if t not in deferred]
    return not missing or set_deferred(args, deferred + missing)


def apply_holds(args):
    """
    Run by every bundle's reload commands, after Postfix has read the bundle's main.cf: the holds
    go back into it. With the watch switched off they do not: the apply script then sees those
    transports released and delivers their waiting mail, as for a resumed group.
    """
    held_path = os.path.join(args.state_dir, "auto-paused.json")
    held = read_json(held_path, {})
    if not held:
        return 0
    config = read_json(args.config, None)
    if config is None or not config.get("enabled"):
        log(f"the watch is off: its holds end ({', '.join(sorted(held))})")
        os.remove(held_path)
        return 0
    return 0 if hold(args, held) else 1


def resume(args):
    """Release a group's hold: out of defer_transports (unless the model pauses it too), and its waiting mail flushed."""
    held_path = os.path.join(args.state_dir, "auto-paused.json")
    state_path = os.path.join(args.state_dir, "blocklist-watch.json")
    held = read_json(held_path, {})
    released = [t for t, entry in held.items() if entry["group"] == args.group]
    if not released:
        log(f"group {args.group} is not held by the watch on this host")
        return 0
    state = read_json(state_path, {"addresses": {}})
    listed_by = state["addresses"].get(args.group, {}).get("listedBy", [])
    # Resumed past these listings: only a new one pauses the group again.
    write_json(args.apply_script, state_path, {**state, "resumedPast": {**state.get("resumedPast", {}), args.group: listed_by}})
    write_json(args.apply_script, held_path, {t: entry for t, entry in held.items() if t not in released})
    config = read_json(args.config, None) or {"addresses": []}
    by_model = {a["transport"] for a in config["addresses"] if a.get("pausedByModel")}
    main_cf = os.path.join(args.postfix_config, "main.cf")
    with open(main_cf, encoding="utf-8") as handle:
        before = handle.read()
    deferred = postfix_deferred(args)
    if not set_deferred(args, [t for t in deferred if t not in released or t in by_model]):
        return 1
    # The apply script's own release of resumed transports: only this group's waiting mail, each message once.
    args.apply_script.release_resumed_transports({"files": [{"path": main_cf}]}, {main_cf: (before, "0644")}, log)
    log(f"group {args.group}: released ({', '.join(released)})")
    return 0


def main():
    parser = argparse.ArgumentParser(prog="mail-platform-blocklist-watch", description="The blocklist watch of this host's group addresses.")
    parser.add_argument("--config", default="/etc/mail-platform/blocklist-watch.json")
    parser.add_argument("--state-dir", default="/var/lib/mail-platform")
    parser.add_argument("--apply", default="/usr/local/sbin/mail-platform-apply", help="the apply script (its release of waiting mail is used)")
    parser.add_argument("--postfix-config", default="/etc/postfix")
    parser.add_argument("--aws-client", default="/usr/local/sbin/mail-platform-aws")
    parser.add_argument("--resolver", help="default: the configuration's (the host's own resolver)")
    parser.add_argument("--resolver-port", type=int, default=53)
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("check", help="look the addresses up now (the default)")
    commands.add_parser("status", help="print the last result and the holds")
    resumed = commands.add_parser("resume", help="release a group this host's watch holds")
    resumed.add_argument("group")
    commands.add_parser("apply-holds", help="put the holds back into a just-applied main.cf (the bundle's reload commands run it)")
    args = parser.parse_args()
    args.apply_script = load_apply_script(args.apply)
    # status and resume work with the watch off too: a hold outlives the setting that made it.
    if args.command == "status":
        state = read_json(os.path.join(args.state_dir, "blocklist-watch.json"), {})
        print(json.dumps({**state, "held": read_json(os.path.join(args.state_dir, "auto-paused.json"), {})}, indent=1, sort_keys=True))
        return 0
    # One command at a time: a check that read the state before a resume wrote it would hold the
    # resumed group again (seen in the deploy rehearsal when the timer's check met an operator's resume).
    os.makedirs(args.state_dir, mode=0o700, exist_ok=True)
    with open(os.path.join(args.state_dir, "blocklist-watch.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return run_command(args)


def run_command(args):
    if args.command == "resume":
        return resume(args)
    if args.command == "apply-holds":
        return apply_holds(args)
    config = read_json(args.config, None)
    if config is None or not config.get("enabled"):
        held = read_json(os.path.join(args.state_dir, "auto-paused.json"), {})
        log("the blocklist watch is off on this host (blocklistWatch.enabled)" + (f"; still held: {', '.join(sorted(held))}" if held else ""))
        return 0
    return check(config, args)


if __name__ == "__main__":
    sys.exit(main())
