"""Checks that `odas-sim serve --state-dir` keeps what it acknowledged across a kill -9.

Usage: persistence_checks.py AWS_URL CONTROL_URL CHECK PHASE STATE_FILE
PHASE is "before" (run against the first server, then it is killed) or
"after" (against a server restarted on the same state directory). STATE_FILE
carries what "before" saw to "after". Raises (non-zero exit) on a difference.
"""
import json
import sys
import time
import urllib.request

import boto3
from botocore.exceptions import ClientError

AWS_URL, CONTROL_URL, CHECK, PHASE, STATE_FILE = sys.argv[1:6]
REGION = "us-west-2"
DEVELOPER = ("AKIAODASSIMDEVELOPER", "odas-sim-dev-secret-key")
ANALYST = ("AKIAODASSIMANALYST00", "odas-sim-analyst-key")
ANALYST_ARN = "arn:aws:iam::123456789012:user/analyst"


def client(service, who=DEVELOPER):
    return boto3.client(service, endpoint_url=AWS_URL, region_name=REGION,
                        aws_access_key_id=who[0], aws_secret_access_key=who[1])


def expect(condition, message):
    if not condition:
        raise AssertionError(message)


def error_code(call):
    try:
        call()
    except ClientError as error:
        return error.response["Error"]["Code"]
    raise AssertionError("expected an error, the call succeeded")


def save(value):
    with open(STATE_FILE, "w") as f:
        json.dump(value, f)


def load():
    with open(STATE_FILE) as f:
        return json.load(f)


def control(method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(CONTROL_URL + path, data=data, method=method)
    with urllib.request.urlopen(request) as response:
        text = response.read()
        return json.loads(text) if text else None


def check_version_ids():
    """Version ids are never reused: not after a restart either."""
    s3 = client("s3")
    if PHASE == "before":
        s3.create_bucket(Bucket="versions", CreateBucketConfiguration={"LocationConstraint": REGION})
        s3.put_bucket_versioning(Bucket="versions", VersioningConfiguration={"Status": "Enabled"})
        ids = [s3.put_object(Bucket="versions", Key="k", Body=f"before-{i}".encode())["VersionId"] for i in range(3)]
        save(ids)
        return
    before = load()
    after = [s3.put_object(Bucket="versions", Key="k", Body=f"after-{i}".encode())["VersionId"] for i in range(3)]
    listed = [v["VersionId"] for v in s3.list_object_versions(Bucket="versions", Prefix="k")["Versions"]]
    expect(len(set(before + after)) == 6, f"a version id repeats across the restart: before {before}, after {after}")
    expect(sorted(listed) == sorted(before + after), f"listed {listed}, written {before + after}")
    for i, version in enumerate(before):
        body = s3.get_object(Bucket="versions", Key="k", VersionId=version)["Body"].read()
        expect(body == f"before-{i}".encode(), f"version {version} reads {body!r}")
    # Deleting the newest version makes the one before it current, not another.
    s3.delete_object(Bucket="versions", Key="k", VersionId=after[-1])
    expect(s3.get_object(Bucket="versions", Key="k")["Body"].read() == b"after-1", "current after deleting the newest")


def check_sse_kms():
    """SSE-KMS objects stay encrypted after a restart, and KMS keys, grants and denials survive."""
    s3, kms = client("s3"), client("kms")
    analyst = client("s3", ANALYST)
    if PHASE == "before":
        key = kms.create_key(Description="restart")["KeyMetadata"]["Arn"]
        grant = kms.create_grant(KeyId=key, GranteePrincipal=ANALYST_ARN, Operations=["Decrypt"])["GrantId"]
        # okera-data is versioned (it replicates); the analyst may read data/* but has no KMS permission.
        s3.put_object(Bucket="okera-data", Key="data/default-key", Body=b"secret", ServerSideEncryption="aws:kms")
        s3.put_object(Bucket="okera-data", Key="data/granted", Body=b"granted", ServerSideEncryption="aws:kms",
                      SSEKMSKeyId=key)
        expect(error_code(lambda: analyst.get_object(Bucket="okera-data", Key="data/default-key")) == "AccessDenied",
               "the analyst reads an SSE-KMS object without kms:Decrypt")
        expect(analyst.get_object(Bucket="okera-data", Key="data/granted")["Body"].read() == b"granted", "grant")
        save({"key": key, "grant": grant})
        return
    saved = load()
    head = s3.head_object(Bucket="okera-data", Key="data/default-key")
    expect(head.get("ServerSideEncryption") == "aws:kms", f"encryption lost on restart: {head.get('ServerSideEncryption')}")
    expect(error_code(lambda: analyst.get_object(Bucket="okera-data", Key="data/default-key")) == "AccessDenied",
           "after the restart the analyst reads an SSE-KMS object without kms:Decrypt")
    expect(s3.get_object(Bucket="okera-data", Key="data/default-key")["Body"].read() == b"secret", "developer reads")
    granted = s3.get_object(Bucket="okera-data", Key="data/granted")
    expect(granted["SSEKMSKeyId"] == saved["key"], f"key id {granted.get('SSEKMSKeyId')} instead of {saved['key']}")
    expect(analyst.get_object(Bucket="okera-data", Key="data/granted")["Body"].read() == b"granted", "grant lost")
    grants = [g["GrantId"] for g in kms.list_grants(KeyId=saved["key"])["Grants"]]
    expect(saved["grant"] in grants, f"grants after restart: {grants}")
    blob = kms.encrypt(KeyId=saved["key"], Plaintext=b"x")["CiphertextBlob"]
    expect(kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"x", "the restored key decrypts")


def check_replication():
    """Replication still pending at the kill resumes after the restart (the server runs with --speed 0)."""
    s3 = client("s3")
    if PHASE == "before":
        s3.put_object(Bucket="okera-data", Key="pending/one", Body=b"replicate me")
        status = s3.head_object(Bucket="okera-data", Key="pending/one").get("ReplicationStatus")
        expect(status == "PENDING", f"status before the kill: {status}")
        return
    status = s3.head_object(Bucket="okera-data", Key="pending/one").get("ReplicationStatus")
    expect(status == "PENDING", f"status after the restart: {status}")
    control("POST", "/v1/clock", {"advance": "20m"})
    status = s3.head_object(Bucket="okera-data", Key="pending/one").get("ReplicationStatus")
    expect(status == "COMPLETED", f"replication did not resume after the restart: {status}")
    replica = s3.get_object(Bucket="okera-data-us-east-1", Key="pending/one")
    expect(replica["Body"].read() == b"replicate me" and replica.get("ReplicationStatus") == "REPLICA", "replica")


def check_metadata():
    """Tags, content headers and checksums of versioned objects survive."""
    s3 = client("s3")
    if PHASE == "before":
        s3.put_object(Bucket="okera-data", Key="data/tagged", Body=b"t", Tagging="team=odas",
                      ContentDisposition="attachment", ChecksumAlgorithm="SHA256")
        s3.put_object_tagging(Bucket="okera-data", Key="data/tagged", Tagging={"TagSet": [{"Key": "team", "Value": "core"}]})
        return
    tags = s3.get_object_tagging(Bucket="okera-data", Key="data/tagged")["TagSet"]
    expect(tags == [{"Key": "team", "Value": "core"}], f"tags after restart: {tags}")
    got = s3.get_object(Bucket="okera-data", Key="data/tagged", ChecksumMode="ENABLED")
    expect(got.get("ContentDisposition") == "attachment", f"content disposition: {got.get('ContentDisposition')}")
    expect(got.get("ChecksumSHA256"), "checksum lost")


def check_identity():
    """Users, keys, inline and managed policies, roles and role sessions created over the wire survive."""
    iam = client("iam")
    trust = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                                 "Principal": {"AWS": "arn:aws:iam::123456789012:root"}}]})
    read_data = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"],
                                                                     "Resource": ["arn:aws:s3:::okera-data", "arn:aws:s3:::okera-data/*"]}]})
    if PHASE == "before":
        iam.create_user(UserName="wire-user")
        key = iam.create_access_key(UserName="wire-user")["AccessKey"]
        iam.put_user_policy(UserName="wire-user", PolicyName="read-data", PolicyDocument=read_data)
        arn = iam.create_policy(PolicyName="wire-managed", PolicyDocument=read_data)["Policy"]["Arn"]
        iam.create_policy_version(PolicyArn=arn, PolicyDocument=read_data, SetAsDefault=True)
        iam.create_role(RoleName="wire-role", AssumeRolePolicyDocument=trust)
        iam.attach_role_policy(RoleName="wire-role", PolicyArn=arn)
        session = client("sts").assume_role(RoleArn="arn:aws:iam::123456789012:role/wire-role", RoleSessionName="wire-session")["Credentials"]
        user_id = iam.get_user(UserName="wire-user")["User"]["UserId"]
        save({"key": [key["AccessKeyId"], key["SecretAccessKey"]], "policy": arn, "user_id": user_id,
              "session": [session["AccessKeyId"], session["SecretAccessKey"], session["SessionToken"]]})
        return
    carried = load()
    user = iam.get_user(UserName="wire-user")["User"]
    expect(user["UserId"] == carried["user_id"], f"the user's id changed: {user['UserId']} != {carried['user_id']}")
    keys = [k["AccessKeyId"] for k in iam.list_access_keys(UserName="wire-user")["AccessKeyMetadata"]]
    expect(keys == [carried["key"][0]], f"the user's keys after restart: {keys}")
    expect(iam.get_policy(PolicyArn=carried["policy"])["Policy"]["DefaultVersionId"] == "v2", "the policy's default version changed")
    expect(iam.get_policy_version(PolicyArn=carried["policy"], VersionId="v1")["PolicyVersion"]["VersionId"] == "v1", "version v1 is gone")
    attached = [p["PolicyArn"] for p in iam.list_attached_role_policies(RoleName="wire-role")["AttachedPolicies"]]
    expect(attached == [carried["policy"]], f"attached role policies: {attached}")
    # The created key still signs, and its inline policy still decides.
    user_s3 = client("s3", who=tuple(carried["key"]))
    expect(user_s3.list_objects_v2(Bucket="okera-data", MaxKeys=1)["KeyCount"] >= 0, "the created key does not sign")
    expect(error_code(lambda: user_s3.put_object(Bucket="okera-data", Key="nope", Body=b"x")) == "AccessDenied",
           "the created user may write after the restart")
    # The role session handed out before the kill still signs as the role.
    access, secret, token = carried["session"]
    sts = boto3.client("sts", endpoint_url=AWS_URL, region_name=REGION, aws_access_key_id=access,
                       aws_secret_access_key=secret, aws_session_token=token)
    expect(sts.get_caller_identity()["Arn"].startswith("arn:aws:sts::123456789012:assumed-role/wire-role/"), "the session is gone")
    # New entities get new ids: nothing of the restored state is handed out again.
    iam.create_user(UserName="after-restart")
    expect(iam.get_user(UserName="after-restart")["User"]["UserId"] != carried["user_id"], "a user id was reused")


globals()["check_" + CHECK]()
print("ok")
