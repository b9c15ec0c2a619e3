/// AWS managed policies a scenario may attach by ARN (their documents as AWS
/// publishes them, reduced to the statements that matter here).
public enum ManagedPolicies {
    public static let documents: [String: String] = [
        "arn:aws:iam::aws:policy/AdministratorAccess":
            #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#,
        "arn:aws:iam::aws:policy/AmazonS3FullAccess":
            #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:*","s3-object-lambda:*"],"Resource":"*"}]}"#,
        "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess":
            #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:Get*","s3:List*","s3:Describe*","s3-object-lambda:Get*","s3-object-lambda:List*"],"Resource":"*"}]}"#,
    ]

    /// The same documents, parsed once.
    static let parsed: [String: PolicyDocument] = documents.compactMapValues { try? PolicyDocument.parse($0) }
}
