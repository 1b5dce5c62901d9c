"""Drive Route53 the way certbot's dns-route53 plugin does (Debian's certbot 2.1 with boto3 1.26).

The plugin's own methods make the calls: the zone is found by paginated ListHostedZones, the
challenge is UPSERTed with ChangeResourceRecordSets, GetChange is polled until INSYNC, and cleanup
DELETEs it. Only certbot's ACME side (which needs an ACME server) is left out.

  certbot-route53.py challenge NAME VALUE DNS_ADDRESS DNS_PORT
      perform, read the TXT from the challenge DNS with dig, clean up, read it again; prints JSON
  certbot-route53.py zones PAGE_SIZE
      list every hosted zone with the paginator certbot uses, PAGE_SIZE zones per page; prints JSON
"""
import collections
import json
import subprocess
import sys

import boto3
from certbot_dns_route53._internal.dns_route53 import Authenticator


def plugin():
    # certbot builds the plugin from its configuration; the Route53 calls use only these two attributes,
    # set exactly as Authenticator.__init__ sets them.
    auth = Authenticator.__new__(Authenticator)
    auth.r53 = boto3.client("route53")
    auth._resource_records = collections.defaultdict(list)
    return auth


def dig(name, address, port):
    out = subprocess.run(["dig", "+short", f"@{address}", "-p", port, "TXT", name], capture_output=True, text=True, check=True)
    return [line.strip('"') for line in out.stdout.split()]


if sys.argv[1] == "challenge":
    name, value, address, port = sys.argv[2:6]
    auth = plugin()
    change = auth._change_txt_record("UPSERT", name, value)
    auth._wait_for_change(change)
    during = dig(name, address, port)
    auth._change_txt_record("DELETE", name, value)
    print(json.dumps({"change": change, "during": during, "after": dig(name, address, port)}))
elif sys.argv[1] == "zones":
    pages = boto3.client("route53").get_paginator("list_hosted_zones").paginate(PaginationConfig={"PageSize": int(sys.argv[2])})
    names = []
    count = 0
    for page in pages:
        count += 1
        names += [zone["Name"] for zone in page["HostedZones"]]
    print(json.dumps({"pages": count, "zones": names}))
else:
    sys.exit(f"unknown command {sys.argv[1]}")
