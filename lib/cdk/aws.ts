/**
 * The only module that imports the AWS provider bindings, each by its deep path: the package
 * root costs seconds and hundreds of MB to load. The CDK Terrain flavour's build rewrites the
 * package name of these paths (`@cdktf/provider-aws` → `@cdktn/provider-aws`) and nothing else.
 */
export { AwsProvider } from "@cdktf/provider-aws/lib/provider";
export { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
export { DataAwsAmi } from "@cdktf/provider-aws/lib/data-aws-ami";
export { DataAwsEip } from "@cdktf/provider-aws/lib/data-aws-eip";
export { DataAwsSubnet } from "@cdktf/provider-aws/lib/data-aws-subnet";
export { DlmLifecyclePolicy } from "@cdktf/provider-aws/lib/dlm-lifecycle-policy";
export { EbsVolume } from "@cdktf/provider-aws/lib/ebs-volume";
export { Eip } from "@cdktf/provider-aws/lib/eip";
export { EipAssociation } from "@cdktf/provider-aws/lib/eip-association";
export { EipDomainName } from "@cdktf/provider-aws/lib/eip-domain-name";
export { IamInstanceProfile } from "@cdktf/provider-aws/lib/iam-instance-profile";
export { IamPolicy } from "@cdktf/provider-aws/lib/iam-policy";
export { IamRole } from "@cdktf/provider-aws/lib/iam-role";
export { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
export { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
export { Instance } from "@cdktf/provider-aws/lib/instance";
export { NetworkInterface } from "@cdktf/provider-aws/lib/network-interface";
export { Route53Record } from "@cdktf/provider-aws/lib/route53-record";
export { Route53Zone } from "@cdktf/provider-aws/lib/route53-zone";
export { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
export { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls";
export { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
export { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
export { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
export { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
export { S3Object } from "@cdktf/provider-aws/lib/s3-object";
export { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
export { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
export { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";
export { SsmAssociation } from "@cdktf/provider-aws/lib/ssm-association";
export { VolumeAttachment } from "@cdktf/provider-aws/lib/volume-attachment";
export { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";
export { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
