@testable import AWSSim
import SimCore
import Testing

/// A data-lake bucket in the style of the public AWS samples: SSE-KMS with its
/// own key and a bucket key, versioning, and cross-region replication with
/// Replication Time Control to a replica bucket in another region.
@Suite struct CloudFormationS3ReplicationTests {
    static let template = """
        AWSTemplateFormatVersion: "2010-09-09"
        Description: Data lake bucket encrypted with its own KMS key, replicated to us-east-1.
        Parameters:
          ReplicaBucket: {Type: String, Default: okera-data-replica}
        Resources:
          DataKey:
            Type: AWS::KMS::Key
            Properties: {Description: data lake key, EnableKeyRotation: true}
          ReplicationRole:
            Type: AWS::IAM::Role
            Properties:
              AssumeRolePolicyDocument:
                Version: "2012-10-17"
                Statement: [{Effect: Allow, Principal: {Service: s3.amazonaws.com}, Action: "sts:AssumeRole"}]
              Policies:
                - PolicyName: replicate
                  PolicyDocument:
                    Version: "2012-10-17"
                    Statement:
                      - Effect: Allow
                        Action: ["s3:GetReplicationConfiguration", "s3:ListBucket", "s3:GetObjectVersionForReplication"]
                        Resource: ["arn:aws:s3:::*"]
                      - Effect: Allow
                        Action: ["s3:ReplicateObject", "s3:ReplicateDelete"]
                        Resource: !Sub "arn:aws:s3:::${ReplicaBucket}/*"
                      - Effect: Allow
                        Action: ["kms:Decrypt", "kms:Encrypt"]
                        Resource: !GetAtt DataKey.Arn
          DataBucket:
            Type: AWS::S3::Bucket
            Properties:
              VersioningConfiguration: {Status: Enabled}
              BucketEncryption:
                ServerSideEncryptionConfiguration:
                  - ServerSideEncryptionByDefault: {SSEAlgorithm: "aws:kms", KMSMasterKeyID: !GetAtt DataKey.Arn}
                    BucketKeyEnabled: true
              ReplicationConfiguration:
                Role: !GetAtt ReplicationRole.Arn
                Rules:
                  - Id: to-us-east-1
                    Status: Enabled
                    Prefix: sales/
                    SourceSelectionCriteria: {SseKmsEncryptedObjects: {Status: Enabled}}
                    Destination:
                      Bucket: !Sub "arn:aws:s3:::${ReplicaBucket}"
                      ReplicationTime: {Status: Enabled, Time: {Minutes: 15}}
                      Metrics: {Status: Enabled, EventThreshold: {Minutes: 15}}
                      EncryptionConfiguration: {ReplicaKmsKeyID: "arn:aws:kms:us-east-1:123456789012:key/replica"}
                  - Id: paused
                    Status: Disabled
                    Destination: {Bucket: !Sub "arn:aws:s3:::${ReplicaBucket}"}
        Outputs:
          Bucket: {Value: !Ref DataBucket}
        """

    static func driver(replicaVersioned: Bool = true) throws -> CloudFormationStackTests.Driver {
        var driver = CloudFormationStackTests.Driver()
        try driver.services.s3.createBucket("okera-data-replica", region: "us-east-1", now: .zero)
        if replicaVersioned { try driver.services.s3.putBucketVersioning("okera-data-replica", status: .enabled) }
        return driver
    }

    @Test func theBucketIsEncryptedVersionedAndReplicated() throws {
        var driver = try Self.driver()
        _ = try driver.create(Self.template)
        let stack = try #require(driver.stack("odas"))
        #expect(stack.status == .createComplete, "\(driver.events("odas"))")
        let name = try #require(stack.outputs.first { $0.key == "Bucket" }?.value)
        let bucket = try #require(driver.services.s3.buckets[name])
        #expect(bucket.versioning == .enabled)
        #expect(bucket.encryption?.algorithm == "aws:kms" && bucket.encryption?.bucketKeyEnabled == true)
        #expect(bucket.encryption?.kmsMasterKeyID == stack.resources["DataKey"]?.state?.attributes["Arn"]?.scalarText)
        #expect(bucket.replicationRules == [S3ReplicationRule(id: "to-us-east-1", prefix: "sales/", destinationBucket: "okera-data-replica",
                                                              replicationTimeControl: true)], "the disabled rule is left out")
        #expect(bucket.replicationRole == stack.resources["ReplicationRole"]?.state?.attributes["Arn"]?.scalarText)
        // Deleting the stack deletes the bucket; the replica (not the stack's) stays.
        try driver.cfn.deleteStack("odas", now: driver.loop.now)
        driver.drain()
        #expect(driver.services.s3.buckets[name] == nil && driver.services.s3.buckets["okera-data-replica"] != nil)
    }

    @Test func aReplicaWithoutVersioningFailsTheBucketAsS3Does() throws {
        var driver = try Self.driver(replicaVersioned: false)
        _ = try driver.create(Self.template)
        let events = driver.events("odas").joined(separator: "\n")
        #expect(events.contains("DataBucket CREATE_FAILED Destination bucket must have versioning enabled."), "\(events)")
        #expect(driver.stack("odas")?.status == .rollbackComplete)
        #expect(driver.services.s3.buckets.keys.sorted() == ["okera-data-replica"], "the rollback leaves nothing behind")
    }
}
