import AWSSim
import Scenarios
import SimCore

/// Checks AWS makes on the wire before it looks at the operation.
extension ServeHost {
    /// A request signed for one region to a bucket in another: S3 refuses it
    /// and names the bucket's region (SDKs then retry there). CreateBucket of a
    /// new bucket has no region to compare with.
    static func wrongRegion(_ request: WireRequest, signedRegion: String, world: LiveWorld, baseDomains: [String]) -> S3Error? {
        guard !signedRegion.isEmpty,
              case .success(let address) = S3RestAdapter.address(of: request, baseDomains: baseDomains),
              let bucket = address.bucket, let region = world.bucketRegion(bucket), region != signedRegion else { return nil }
        return S3Error.wrongRegion(signed: signedRegion, expected: region, presigned: request.query("X-Amz-Credential") != nil,
                                   resource: String(request.rawPath))
    }

    /// A session token beside a long-term access key: AWS accepts a token only
    /// with the temporary credentials it belongs to (S3: 400 InvalidToken;
    /// query APIs: 403 InvalidClientTokenId; KMS: UnrecognizedClientException).
    func tokenWithLongTermKey(_ token: String?, accessKeyId: String, world: LiveWorld, service: String,
                              request: WireRequest, context: S3WireContext) -> WireResponse? {
        guard let token, !token.isEmpty, !options.allowAnyCredentials,
              case .success(let principal) = world.principal(accessKeyId: accessKeyId, sessionToken: nil),
              principal.usesLongLivedKey else { return nil }
        switch service {
        case "s3":
            let error = S3Error(code: "InvalidToken", httpStatus: 400, message: "The provided token is malformed or otherwise invalid.",
                                resource: String(request.rawPath))
            var response = S3RestAdapter.errorResponse(error, request: request, context: context)
            response.headers.append(("x-amz-request-id", context.requestId))
            return response
        case "kms":
            let body = #"{"__type":"UnrecognizedClientException","message":"The security token included in the request is invalid."}"#
            return WireResponse(status: 400, headers: [("Content-Type", "application/x-amz-json-1.1")], body: Array(body.utf8))
        case "ec2":
            return QueryResponse.ec2Error(code: "AuthFailure", message: "AWS was not able to validate the provided access credentials",
                                          status: 401, requestId: context.requestId)
        default:
            return QueryResponse.error(code: "InvalidClientTokenId", message: "The security token included in the request is invalid.",
                                       status: 403, requestId: context.requestId)
        }
    }
}
