/**
 * The example on two hosts, each the home of one group and the backup MX of the other:
 * business (acme-corp.example, acme-shop.example) lives on mx1 and is backed by mx2; private
 * (acme-home.example, acme-family.example with its catch-all) lives on mx2 and is backed by mx1.
 */
import type { PlatformInput } from "../../lib/model/schema";
import { exampleInput } from "./example";

/** A fresh copy of the two-host model. */
export function twoHostInput(): PlatformInput {
  const input = exampleInput();
  input.hosts = [{ name: "mx1" }, { name: "mx2" }];
  const [business, family] = input.groups;
  business!.addresses = [
    { host: "mx1", privateIp: "10.0.1.11", hostName: "mail.acme-corp.example" },
    { host: "mx2", privateIp: "10.0.2.11", hostName: "mx2.acme-corp.example" },
  ];
  family!.addresses = [
    { host: "mx1", privateIp: "10.0.1.12", hostName: "mx1.acme-home.example" },
    { host: "mx2", privateIp: "10.0.2.12", hostName: "mail.acme-home.example" },
  ];
  family!.home = "mx2";
  if (input.aws) input.aws = { ...input.aws, hosts: { ...input.aws.hosts, mx2: { subnetId: "subnet-0a1b2c3d4e5f60719", instanceType: "t3.small" } } };
  return input;
}
