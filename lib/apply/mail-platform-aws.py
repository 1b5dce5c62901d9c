#!/usr/bin/python3
"""The AWS calls of a mail host, through Debian's boto3 (certbot's Route53 plugin needs it anyway;
the AWS CLI took half of the first boot's package step). Credentials: the instance role (IMDSv2).
A refused call exits 1 with AWS's message (action and resource, never a value) on stderr."""
import argparse, json, os, sys, tempfile, urllib.request
import boto3, botocore.exceptions


def instance_region():
    # boto3 reads credentials from the instance metadata, not the region; same endpoint as botocore's.
    imds = os.environ.get("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://169.254.169.254/").rstrip("/")
    ttl = {"X-aws-ec2-metadata-token-ttl-seconds": "60"}
    try:
        session = urllib.request.urlopen(urllib.request.Request(f"{imds}/latest/api/token", method="PUT", headers=ttl), timeout=5).read().decode()
        path = f"{imds}/latest/meta-data/placement/region"
        return urllib.request.urlopen(urllib.request.Request(path, headers={"X-aws-ec2-metadata-token": session}), timeout=5).read().decode().strip()
    except OSError as error:
        raise SystemExit(f"mail-platform-aws: no --region, and the instance metadata gave none: {error}")


def get_parameter(aws, args):
    """The decrypted value, then a newline."""
    print(aws("ssm").get_parameter(Name=args.name, WithDecryption=True)["Parameter"]["Value"])


def parameters_by_path(aws, args):
    """[[name, value], ...] of every parameter below the prefix, decrypted, every page."""
    pages = aws("ssm").get_paginator("get_parameters_by_path").paginate(Path=args.prefix, Recursive=True, WithDecryption=True)
    print(json.dumps([[p["Name"], p["Value"]] for page in pages for p in page["Parameters"]]))


def data_volume(aws, args):
    """The id of the volume attached to the instance with the tag, or None."""
    filters = [{"Name": "attachment.instance-id", "Values": [args.instance_id]}, {"Name": f"tag:{args.tag_key}", "Values": [args.tag_value]}]
    volumes = aws("ec2").describe_volumes(Filters=filters)["Volumes"]
    print(volumes[0]["VolumeId"] if volumes else "None")


def s3_get(aws, args):
    """The object into the file, renamed into place whole."""
    bucket, _, key = args.url.removeprefix("s3://").partition("/")
    if not args.url.startswith("s3://") or not key:
        raise SystemExit(f"mail-platform-aws: not an s3://bucket/key URL: {args.url}")
    body = aws("s3").get_object(Bucket=bucket, Key=key)["Body"].read()
    handle, temporary = tempfile.mkstemp(dir=os.path.dirname(os.path.abspath(args.file)), prefix=".mail-platform-aws-")
    with os.fdopen(handle, "wb") as out:
        out.write(body)
    os.replace(temporary, args.file)


def put_metric_data(aws, args):
    """The metric data (a JSON list of CloudWatch MetricDatum) into the namespace."""
    aws("cloudwatch").put_metric_data(Namespace=args.namespace, MetricData=json.loads(args.data))


def main():
    parser = argparse.ArgumentParser(prog="mail-platform-aws", description=__doc__)
    parser.add_argument("--region", help="default: the instance's, from the instance metadata")
    commands = parser.add_subparsers(dest="command", required=True)
    for name, run, arguments in [
        ("get-parameter", get_parameter, ["name"]),
        ("parameters-by-path", parameters_by_path, ["prefix"]),
        ("data-volume", data_volume, ["instance_id", "tag_key", "tag_value"]),
        ("s3-get", s3_get, ["url", "file"]),
        ("put-metric-data", put_metric_data, ["namespace", "data"]),
    ]:
        command = commands.add_parser(name, help=run.__doc__)
        command.set_defaults(run=run)
        for argument in arguments:
            command.add_argument(argument)
    args = parser.parse_args()
    session = boto3.session.Session(region_name=args.region or instance_region())
    try:
        args.run(session.client, args)
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as error:
        print(f"mail-platform-aws {args.command}: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
